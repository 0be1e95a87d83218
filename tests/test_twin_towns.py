"""``kb import-twin-towns``: the world list of twin towns (Hekman/twincities, from English
Wikipedia) as a data set of its own, and the stored twin-towns queries on it.

The sample in ``fixtures/import/twin-cities-sample`` (real rows, see its README) is always tested.
The tests on the whole list use the copy shipped in ``src/stedenbanden/reference/twin-cities`` (or
``$KB_TWIN_TOWNS_SOURCE``); their expected values come from the README of the list's source (26,114
rows, 3 self-pairs, 383 rows involving the Netherlands, 155 distinct Dutch towns, 88 rows on the
Netherlands' own page, 17,820 distinct towns) and from counting the CSV with the csv module."""

import csv
import hashlib
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner

from stedenbanden import catalogue, store
from stedenbanden.cli import cli
from stedenbanden.errors import KbError, KbUsageError
from stedenbanden.importers import (TWIN_PAIR, TWIN_TOWNS_GRAPH, default_twin_towns_source, municipality_names,
                                    packaged_twin_towns, read_twin_towns, twin_towns_rdf)
from stedenbanden.resources import resource

SAMPLE = Path(__file__).parent / "fixtures" / "import" / "twin-cities-sample"
FULL = packaged_twin_towns()  # the copy shipped with the package: these tests never skip
QUERIES = catalogue.catalogue()
SB = "https://w3id.org/stedenbanden/def#"
TOOI = "https://identifier.overheid.nl/tooi/id/gemeente/"


@pytest.fixture(scope="module")
def names(kb):
    return municipality_names(kb)


def load_with_kb(text: str) -> ox.Store:
    s = store.load(store.knowledge_base_files())
    s.load(input=text.encode("utf-8"), format=ox.RdfFormat.TURTLE)
    return s


def open_csv(folder: Path, name: str):
    """A source CSV of ``folder``, plain or gzip-compressed (as shipped)."""
    import gzip

    if (folder / name).is_file():
        return open(folder / name, encoding="utf-8", newline="")
    return gzip.open(folder / (name + ".gz"), "rt", encoding="utf-8", newline="")


def raw_rows(folder: Path) -> list[dict]:
    with open_csv(folder, "twin_cities_raw.csv") as handle:
        return list(csv.DictReader(handle))


def run(*args):
    return CliRunner().invoke(cli, ["import-twin-towns", *args])


# --- the sample ------------------------------------------------------------------------------------

def test_sample_is_read_as_listed(names):
    data = read_twin_towns(SAMPLE, names)
    assert data.rows == 20
    assert data.self_pairs == [11]  # Nienburg,Germany,Nienburg,Germany
    assert len(data.pairs) == 19
    towns = {(t.name, t.country): t for t in data.towns.values()}
    listed = {(r[f"city{i}"], r[f"country{i}"]) for r in raw_rows(SAMPLE) for i in "12" if r["city1"] != r["city2"]}
    assert set(towns) == listed and len(towns) == 26  # Nienburg is only in the self-pair
    assert towns[("Almelo", "Netherlands")].municipality == TOOI + "gm0141"
    assert towns[("Vlissingen", "Netherlands")].municipality == TOOI + "gm0718"
    assert towns[("Bath", "England")].municipality is None
    assert (towns[("Ambon", "Indonesia")].lat, towns[("Ambon", "Indonesia")].long) == (Decimal("-3.6959"), Decimal("128.1788"))
    # not geocoded in twin_cities.csv
    assert towns[("Bath", "England, United Kingdom")].lat is None
    # the partner country is empty in the source: kept as listed, with the country in the name
    assert towns[("Varna, Bulgaria", "")].country == ""
    first = data.pairs[0]
    expected = hashlib.sha256("Berat\tAlbania\tAmasya\tTurkey".encode()).hexdigest()[:16]
    assert first[0] == TWIN_PAIR + expected
    assert (first[1].name, first[2].name) == ("Berat", "Amasya")


def test_sample_rdf_is_deterministic_and_conforms(names):
    """The Turtle parses, is the same on every run, and passes both shape files."""
    import pyshacl

    text = twin_towns_rdf(read_twin_towns(SAMPLE, names))
    assert text == twin_towns_rdf(read_twin_towns(SAMPLE, names))
    shapes = rdflib.Graph()
    for name in ("shapes.ttl", "twin-towns-shapes.ttl"):
        shapes.parse(resource("ontology") / name, format="turtle")
    graph = rdflib.Graph()  # the ontology and the municipalities that towns match
    for path in store.knowledge_base_files([resource("data") / "municipalities.ttl"]):
        graph.parse(path, format="turtle")
    graph.parse(data=text, format="turtle")
    conforms, _, report = pyshacl.validate(graph, shacl_graph=shapes, inference="none")
    assert conforms, report


def test_shapes_catch_a_self_pair(names):
    """The shapes can fail: a pair of a town with itself violates sh:disjoint."""
    import pyshacl

    text = twin_towns_rdf(read_twin_towns(SAMPLE, names))
    graph = rdflib.Graph().parse(data=text, format="turtle")
    for path in store.knowledge_base_files():
        graph.parse(path, format="turtle")
    pair = rdflib.URIRef(TWIN_PAIR + "0000000000000000")
    town = next(graph.subjects(rdflib.RDF.type, rdflib.URIRef(SB + "ListedTown")))
    graph.add((pair, rdflib.RDF.type, rdflib.URIRef(SB + "ListedTwinTownPair")))
    graph.add((pair, rdflib.URIRef(SB + "hostTown"), town))
    graph.add((pair, rdflib.URIRef(SB + "twinTown"), town))
    graph.add((pair, rdflib.URIRef("http://rdfs.org/ns/void#inDataset"), rdflib.URIRef(TWIN_TOWNS_GRAPH)))
    shapes = rdflib.Graph().parse(resource("ontology") / "twin-towns-shapes.ttl", format="turtle")
    conforms, _, report = pyshacl.validate(graph, shacl_graph=shapes, inference="none")
    assert not conforms and "pairs a town with itself" in report


def test_provenance_and_licence(names):
    s = load_with_kb(twin_towns_rdf(read_twin_towns(SAMPLE, names)))
    dataset = ox.NamedNode(TWIN_TOWNS_GRAPH)

    def objects(prop):
        return {q.object.value for q in s.quads_for_pattern(dataset, ox.NamedNode(prop), None, None)}

    assert objects("http://purl.org/dc/terms/license") == {
        "https://creativecommons.org/licenses/by-sa/4.0/", "https://opendatacommons.org/licenses/odbl/1-0/"}
    derived = objects("http://www.w3.org/ns/prov#wasDerivedFrom")
    assert "https://en.wikipedia.org/wiki/List_of_twin_towns_and_sister_cities_in_Europe" in derived
    # the sample's checksums differ from the published files: the exact commit is not claimed
    assert not any("/blob/" in d for d in derived)
    (citation,) = objects("http://purl.org/dc/terms/bibliographicCitation")
    assert citation.startswith("Source: Wikipedia contributors, 'List of twin towns and sister cities in …'")
    (description,) = [d for d in objects("http://purl.org/dc/terms/description") if d.startswith("19 listed")]
    assert "1 rows that pair a town with itself were left out" in description


def test_trig_and_nquads_put_everything_in_the_named_graph(names):
    data = read_twin_towns(SAMPLE, names)
    turtle = list(ox.parse(twin_towns_rdf(data).encode(), format=ox.RdfFormat.TURTLE))
    for fmt, rdf_format in (("trig", ox.RdfFormat.TRIG), ("nquads", ox.RdfFormat.N_QUADS)):
        quads = list(ox.parse(twin_towns_rdf(data, fmt).encode(), format=rdf_format))
        assert {q.graph_name.value for q in quads} == {TWIN_TOWNS_GRAPH}
        assert sorted(str(ox.Triple(q.subject, q.predicate, q.object)) for q in quads) == sorted(str(t) for t in turtle)


def test_sample_queries(names):
    s = load_with_kb(twin_towns_rdf(read_twin_towns(SAMPLE, names)))
    kb_links = QUERIES["twin-towns-kb-links"].run(s).records()
    assert [(r["name"], r["partner_town"], r["list_page"]) for r in kb_links] == [
        ("Alkmaar – Bergama", "Bergama", "Turkey"), ("Almelo – Denizli", "Denizli", "Turkey"),
        ("Vlissingen – Ambon", "Ambon", "Indonesia"), ("Zeist – Berkane", "Berkane", "Morocco")]
    dutch = QUERIES["twin-towns-dutch"].run(s, {"dutch_town": "Alkmaar"}).records()
    assert [(r["partner_town"], r["partner_country"], r["list_page"], r["cbs_code"]) for r in dutch] == [
        ("Bath", "England", "England", "GM0361"), ("Bath", "England, United Kingdom", "Netherlands", "GM0361"),
        ("Troyes", "France", "France", "GM0361"), ("Darmstadt", "Germany", "Germany", "GM0361"),
        ("Tata", "Hungary", "Hungary", "GM0361"), ("Bergama", "Turkey", "Turkey", "GM0361")]


def test_country_filter_and_errors(names, tmp_path):
    assert len(read_twin_towns(SAMPLE, names, country="Netherlands").pairs) == 14
    with pytest.raises(KbUsageError, match="no listed pair has a town in 'Nederland'"):
        read_twin_towns(SAMPLE, names, country="Nederland")
    with pytest.raises(KbUsageError, match="twin_cities_raw.csv: no such file"):
        read_twin_towns(tmp_path, names)
    (tmp_path / "twin_cities_raw.csv").write_text("a,b\n")
    with pytest.raises(KbError, match=r"twin_cities_raw.csv, row 1: expected the columns city1,country1,city2,country2"):
        read_twin_towns(tmp_path, names)
    (tmp_path / "twin_cities_raw.csv").write_text("city1,country1,city2,country2\nBerat,Albania,Amasya,Turkey\n")
    (tmp_path / "twin_cities.csv").write_text("city1,country1,lat1,lng1,city2,country2,lat2,lng2\n"
                                              "Berat,Albania,north,19.9,Amasya,Turkey,40.6,35.8\n")
    with pytest.raises(KbError, match=r"twin_cities.csv, row 2, column lat1: 'north' is not a number of degrees"):
        read_twin_towns(tmp_path, names)


def test_command_writes_each_format(tmp_path):
    for name in ("tt.ttl", "tt.trig", "tt.nq"):
        result = run("--source", str(SAMPLE), "-o", str(tmp_path / name))
        assert result.exit_code == 0, result.output
        assert "19 listed twin-town pairs between 26 towns (24 with coordinates; 4 matched to KB municipalities by name); " \
               "1 self-pair(s) left out" in result.stderr
    assert (tmp_path / "tt.trig").read_text().count("<https://w3id.org/stedenbanden/graph/twin-towns> {") == 1
    result = run("--source", str(tmp_path / "nope"))
    assert result.exit_code == 2 and "no such folder" in result.stderr


# --- the whole list ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def world(names):
    return read_twin_towns(FULL, names)


@pytest.fixture(scope="module")
def world_store(world):
    return load_with_kb(twin_towns_rdf(world))


def test_the_list_ships_with_the_package_under_its_licence(monkeypatch):
    monkeypatch.delenv("KB_TWIN_TOWNS_SOURCE", raising=False)
    assert default_twin_towns_source() == FULL
    assert sorted(p.name for p in FULL.iterdir()) == ["README.md", "twin_cities.csv.gz", "twin_cities_raw.csv.gz"]
    readme = (FULL / "README.md").read_text(encoding="utf-8")
    assert "CC BY-SA 4.0" in readme and "scraped and geocoded by Erik Hekman (github.com/Hekman/twincities, MIT)" in readme


def test_world_counts_match_the_source_readme(world):
    assert world.rows == 26_114
    assert len(world.self_pairs) == 3
    assert len(world.pairs) == 26_111
    assert len(world.towns) == 17_820
    # towns with coordinates: every (city, country) of the geocoded file
    with open_csv(FULL, "twin_cities.csv") as handle:
        geocoded = {(r[f"city{i}"], r[f"country{i}"]) for r in csv.DictReader(handle) for i in "12"}
    assert world.geocoded == len(geocoded) == 17_717
    assert "as at commit 84ebdec26ee6" in twin_towns_rdf(world).split("dcterms:description", 1)[1].split("\n", 1)[0]


def test_netherlands_in_the_world_list(world_store):
    (row,) = QUERIES["twin-towns-countries"].run(world_store, {"country": "Netherlands"}).records()
    assert (row["pairs"], row["towns"], row["on_own_page"]) == (383, 155, 88)
    dutch = QUERIES["twin-towns-dutch"].run(world_store).records()
    assert len(dutch) == 383
    assert len({r["dutch_town"] for r in dutch}) == 155
    per_country = {r["partner_country"]: r["pairs"] for r in QUERIES["twin-towns-netherlands"].run(world_store).records()}
    assert sum(per_country.values()) == 383
    expected = Counter(r["country2"] if r["country1"] == "Netherlands" else r["country1"]
                       for r in raw_rows(FULL) if "Netherlands" in (r["country1"], r["country2"]))
    assert per_country == dict(expected)
    assert (per_country["Germany"], per_country["England"], per_country["England, United Kingdom"]) == (81, 13, 12)


def test_pairs_per_country_worldwide(world_store):
    """Counted 'country1 OR country2', as the source README says; self-pairs left out."""
    pairs, towns = Counter(), defaultdict(set)
    for r in raw_rows(FULL):
        if (r["city1"], r["country1"]) == (r["city2"], r["country2"]):
            continue
        for country in {r["country1"], r["country2"]} - {""}:
            pairs[country] += 1
        for i in "12":
            if r[f"country{i}"]:
                towns[r[f"country{i}"]].add(r[f"city{i}"])
    rows = QUERIES["twin-towns-countries"].run(world_store).records()
    assert {r["country"]: r["pairs"] for r in rows} == dict(pairs)
    assert {r["country"]: r["towns"] for r in rows} == {c: len(t) for c, t in towns.items()}
    assert (rows[0]["country"], rows[0]["pairs"]) == ("Germany", 4573)


def test_kb_links_in_the_world_list(world_store):
    rows = QUERIES["twin-towns-kb-links"].run(world_store).records()
    assert [r["link"].rsplit("/", 1)[-1] for r in rows] == [
        "alkmaar-bergama", "almelo-denizli", "vlissingen-ambon", "zeist-berkane"]


def test_twin_town_queries_are_portable_to_rdflib(names):
    """rdflib's own engine gives the same rows on the Dutch part of the list."""
    text = twin_towns_rdf(read_twin_towns(FULL, names, country="Netherlands"))
    oxstore = load_with_kb(text)
    graph = rdflib.Graph()
    for path in store.knowledge_base_files():
        graph.parse(path, format="turtle")
    graph.parse(data=text, format="turtle")
    for name in sorted(QUERIES):
        if name.startswith("twin-towns"):
            query = QUERIES[name]
            expected = query.run(oxstore)
            # the list's four Dutch pairs with countries of origin are all KB links: no leads
            assert bool(expected.rows) == (name != "twin-towns-leads"), name
            assert store.sort_lists(store.select_rdflib(graph, query.text), query.lists) == expected, name
