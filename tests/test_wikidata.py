"""Wikidata identifiers from the twinning crawl of September 2016 (matched with care), and the
crawl imported as a listed data set of its own. Small fixtures in tests/fixtures/wikidata/; real
values from the shipped crawl and data/wikidata-matches.ttl."""

from pathlib import Path

import pyoxigraph as ox
import pytest

from stedenbanden import wikidata

FIXTURES = Path(__file__).parent / "fixtures" / "wikidata"
TOOI = "https://identifier.overheid.nl/tooi/id/gemeente/"
PARTNER = "https://w3id.org/stedenbanden/id/partner/"


@pytest.fixture(scope="module")
def crawl():
    return wikidata.read_crawl(FIXTURES)


def places():
    return [
        wikidata.Place(TOOI + "gm0363", ["Amsterdam"], "NL", "municipality"),
        wikidata.Place(TOOI + "gm0599", ["Rotterdam"], "NL", "municipality"),
        wikidata.Place(TOOI + "gm0342", ["Soest"], "NL", "municipality"),
        wikidata.Place(TOOI + "gm0141", ["Almelo"], "NL", "municipality"),
        wikidata.Place(PARTNER + "istanbul", ["Istanbul", "İstanbul"], "TR", "partner"),
    ]


def test_crawl_is_read_with_repeated_pairs_once(crawl):
    assert crawl.lines == 9 and len(crawl.pairs) == 8
    assert crawl.by_label["amsterdam"] == ["Q1", "Q2"]


def test_a_label_alone_is_never_enough(crawl):
    outcomes = {o.place.names[0]: o for o in wikidata.match_places(
        places(), [(TOOI + "gm0599", PARTNER + "istanbul")], crawl, wikidata.wikipedia_twins(FIXTURES))}
    # confirmed by the KB's city link Rotterdam - Istanbul: the two items are twinned
    assert outcomes["Rotterdam"].item == "Q4" and list(outcomes["Rotterdam"].confirmed["Q4"]) == ["label-and-kb-link"]
    assert outcomes["Istanbul"].item == "Q3"
    # confirmed by a twin town the Wikipedia list also gives for Almelo (Netherlands)
    assert outcomes["Almelo"].item == "Q9"
    assert outcomes["Almelo"].confirmed["Q9"]["label-and-shared-twin"][0].startswith("twinned with Iserlohn")
    # two items named Amsterdam, both twinned with Istanbul, but the KB has no Amsterdam - Istanbul
    # link and Warschau is not Warsaw: unmatched, with both candidates named
    assert outcomes["Amsterdam"].item is None
    assert "Q1 (Amsterdam), Q2 (Amsterdam)" in wikidata.unmatched_reason(outcomes["Amsterdam"], crawl)
    # a Soest twinned with a Soest proves nothing about which Soest is Dutch
    assert outcomes["Soest"].item is None and outcomes["Soest"].confirmed == {}


def test_an_item_confirmed_for_two_places_is_matched_to_neither(crawl):
    two = [wikidata.Place(TOOI + "gm0141", ["Almelo"], "NL", "municipality"),
           wikidata.Place(TOOI + "gm9998", ["Almelo"], "NL", "municipality")]
    outcomes = wikidata.match_places(two, [], crawl, wikidata.wikipedia_twins(FIXTURES))
    assert [o.item for o in outcomes] == [None, None]
    assert "is confirmed for" in wikidata.unmatched_reason(outcomes[0], crawl)


def test_matches_turtle_parses_and_records_the_basis(crawl):
    outcomes = wikidata.match_places(places(), [(TOOI + "gm0599", PARTNER + "istanbul")], crawl,
                                     wikidata.wikipedia_twins(FIXTURES))
    wikidata.LINKED.clear()
    wikidata.LINKED.add(TOOI + "gm0599")
    text = wikidata.matches_turtle(outcomes, crawl, True)
    assert text == wikidata.matches_turtle(outcomes, crawl, True)
    triples = list(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE))
    exact = {(t.subject.value, t.object.value) for t in triples
             if t.predicate.value == "http://www.w3.org/2004/02/skos/core#exactMatch"}
    assert exact == {(TOOI + "gm0599", wikidata.WD + "Q4"), (TOOI + "gm0141", wikidata.WD + "Q9"),
                     (PARTNER + "istanbul", wikidata.WD + "Q3")}
    assert "# Matched: 3 of 5 places (2 municipalities of 2007, 1 partners)." in text
    assert "(not the documented version)" in text  # the fixture files are not the published crawl


def test_shipped_crawl_is_the_documented_one():
    crawl = wikidata.read_crawl()
    assert crawl.files == wikidata.KNOWN
    assert (len(crawl.labels), crawl.lines, len(crawl.pairs)) == (10_055, 34_182, 34_178)
    assert sorted(crawl.by_label["amsterdam"]) == ["Q727", "Q9899"]


def test_shipped_matches(kb):
    """The matches in data/wikidata-matches.ttl for the places of the recorded links: 10 of the 17
    municipalities and 14 of the 26 partners; Amsterdam (two items) is left unmatched."""
    from stedenbanden.catalogue import catalogue

    rows = catalogue()["wikidata-matches"].run(kb).records()
    matched = {(r["kind"], r["name"]): r["item"] for r in rows if r["item"]}
    assert sum(1 for k, _ in matched if k == "municipality") == 10
    assert sum(1 for k, _ in matched if k == "partner") == 14
    assert matched[("municipality", "Rotterdam")] == wikidata.WD + "Q34370"
    assert matched[("partner", "Kumasi")] == wikidata.WD + "Q182059"
    assert ("municipality", "Amsterdam") not in matched
    methods = {r["name"]: r["method"] for r in rows}
    assert methods["Almere"] == "label-and-kb-link; label-and-shared-twin"
    assert methods["Meppel"] == "unmatched"
    assert methods["Apeldoorn"] == "label-and-kb-link"  # twinned with Banda Aceh in the crawl


def test_shipped_matches_are_byte_identical_when_regenerated():
    from stedenbanden import places, store
    from stedenbanden.resources import data_files, ontology_files

    from stedenbanden.importers import default_twin_towns_source

    folder = default_twin_towns_source()
    assert folder is not None, "the Wikipedia list of twin towns ships in the package (reference/twin-cities)"
    inputs = [p for p in data_files() if p.name not in (places.REGISTER_FILE, places.PARTNER_PLACES_FILE,
                                                        wikidata.MATCHES_FILE)]
    files = places.derive(store.load(ontology_files() + inputs), twin_towns=folder)
    shipped = {p.name: p.read_text(encoding="utf-8") for p in data_files()}
    assert files[wikidata.MATCHES_FILE] == shipped[wikidata.MATCHES_FILE]


LEADS_FIXTURE = """
@prefix sb: <https://w3id.org/stedenbanden/def#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix tooi: <https://identifier.overheid.nl/tooi/id/gemeente/> .
@prefix wd: <http://www.wikidata.org/entity/> .
@prefix tt: <https://example.org/test/> .
# Wikipedia list: Apeldoorn (NL) with a Moroccan town the KB does not record, and Almelo with Denizli (recorded)
tt:apeldoorn a sb:ListedTown ; sb:listedName "Apeldoorn" ; sb:listedCountryName "Netherlands" ; sb:nameMatchesMunicipality tooi:gm0200 .
tt:almelo a sb:ListedTown ; sb:listedName "Almelo" ; sb:listedCountryName "Netherlands" ; sb:nameMatchesMunicipality tooi:gm0141 .
tt:tetouan a sb:ListedTown ; sb:listedName "Tetouan" ; sb:listedCountryName "Morocco" .
tt:denizli a sb:ListedTown ; sb:listedName "Denizli" ; sb:listedCountryName "Turkey" .
tt:p1 a sb:ListedTwinTownPair ; sb:hostTown tt:apeldoorn ; sb:twinTown tt:tetouan ; void:inDataset tt:list .
tt:p2 a sb:ListedTwinTownPair ; sb:hostTown tt:denizli ; sb:twinTown tt:almelo ; void:inDataset tt:list .
# Wikidata crawl: Almere's item (Q83178) with Istanbul's (Q406), a pair the KB does not record
<https://w3id.org/stedenbanden/id/wikidata-twinning/pair/Q406-Q83178> a sb:ListedTwinTownPair ;
    sb:hostTown wd:Q406 ; sb:twinTown wd:Q83178 ;
    void:inDataset <https://w3id.org/stedenbanden/graph/wikidata-twinning-2016> .
"""


def test_leads_are_pairs_the_kb_does_not_record():
    from stedenbanden import store
    from stedenbanden.catalogue import catalogue

    kb = store.load(store.knowledge_base_files())
    kb.load(LEADS_FIXTURE.encode("utf-8"), format=ox.RdfFormat.TURTLE)
    queries = catalogue()
    wikipedia = queries["twin-towns-leads"].run(kb).records()
    assert [(r["cbs_code"], r["town"], r["country"]) for r in wikipedia] == [("GM0200", "Tetouan", "MA")]
    assert wikipedia[0]["lead"].startswith("research lead")
    wd_leads = queries["twinning-leads"].run(kb).records()
    assert [(r["municipality"], r["partner"], r["country"]) for r in wd_leads] == [("Almere", "Istanbul", "TR")]
    assert wd_leads[0]["lead"].startswith("research lead")
    # the same rows on rdflib's own engine
    import rdflib

    graph = rdflib.Graph()
    for path in store.knowledge_base_files():
        graph.parse(path, format="turtle")
    graph.parse(data=LEADS_FIXTURE, format="turtle")
    for name in ("twin-towns-leads", "twinning-leads"):
        query = queries[name]
        assert store.sort_lists(store.select_rdflib(graph, query.text), query.lists) == query.run(kb), name


def test_import_wikidata_twinning_and_the_kb_links_it_also_lists(tmp_path):
    """The crawl, limited to the pairs of matched Dutch municipalities, names 7 of the KB's links."""
    from click.testing import CliRunner

    from stedenbanden.cli import cli

    out = tmp_path / "wd-nl.ttl"
    result = CliRunner().invoke(cli, ["import-wikidata-twinning", "--netherlands", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "419 listed pairs from 34,182 lines" in result.stderr
    text = out.read_text(encoding="utf-8")
    assert "dcterms:license <https://creativecommons.org/publicdomain/zero/1.0/>" in text
    assert CliRunner().invoke(cli, ["import-wikidata-twinning", "--netherlands", "-o", str(out)]).exit_code == 0
    assert out.read_text(encoding="utf-8") == text  # deterministic
    result = CliRunner().invoke(cli, ["query", "twinning-kb-links", "--extra-data", str(out), "--format", "csv"])
    assert result.exit_code == 0, result.output
    names = [line.split(",")[1] for line in result.stdout.splitlines()[1:]]
    assert names == ["Alkmaar – Bergama", "Almere – Kumasi", "Apeldoorn – Banda Aceh", "Delft – Adapazarı",
                     "Nijmegen – Gaziantep", "Rotterdam – Istanbul", "Rotterdam – Jakarta"]
    result = CliRunner().invoke(cli, ["validate", "--with-kb", str(out)])
    assert result.exit_code == 0, result.output
    # the same rows on rdflib's own engine
    import rdflib

    from stedenbanden import store
    from stedenbanden.catalogue import catalogue

    graph = rdflib.Graph()
    for path in [*store.knowledge_base_files(), out]:
        graph.parse(path, format="turtle")
    query = catalogue()["twinning-kb-links"]
    kb = store.load([*store.knowledge_base_files(), out])
    assert store.sort_lists(store.select_rdflib(graph, query.text), query.lists) == query.run(kb)


def test_import_wikidata_twinning_in_its_named_graph(tmp_path):
    crawl = wikidata.read_crawl(FIXTURES)
    quads = list(ox.parse(wikidata.twinning_rdf(crawl, "nquads").encode("utf-8"), format=ox.RdfFormat.N_QUADS))
    assert {q.graph_name.value for q in quads} == {wikidata.GRAPH}
    pairs = {q.subject.value for q in quads if q.object.value.endswith("#ListedTwinTownPair")}
    assert len(pairs) == 8
    trig = wikidata.twinning_rdf(crawl, "trig")
    assert len(list(ox.parse(trig.encode("utf-8"), format=ox.RdfFormat.TRIG))) == len(quads)
