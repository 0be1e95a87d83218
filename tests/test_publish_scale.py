"""`kb publish` at scale (issue 16): the pieces that replaced per-node rdflib work give the same
answers as the library code they stand for. The time itself is measured by benchmarks/run.py
(`kb publish` table), not here."""

from __future__ import annotations

import json
import posixpath

import pyoxigraph as ox
import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.compare import isomorphic

from stedenbanden.publish import site
from stedenbanden.publish.common import SBDEF, SBID, canonical_bnodes
from stedenbanden.publish.dumps import jsonld_nodes

XSD = rdflib.XSD
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
PREFIXES = {"sb": SBDEF, "link": SBID + "link/", "rdfs": str(rdflib.RDFS), "xsd": str(XSD), "spdx": str(SPDX),
            "tooi": "https://identifier.overheid.nl/tooi/id/gemeente/"}


def test_relative_links_are_those_of_posixpath_relpath():
    pages = ["index.html", "browse.html", "doc/link/a.html", "doc/tooi/gm0599.html", "doc/dataset/knowledge-base.html",
             "doc/dataset/knowledge-base/distribution/turtle.html", "ontology/index.html"]
    targets = pages + ["dumps/stedenbanden.ttl", "doc/link.html", "doc/link/a/b.html", "charts/themes.svg",
                       "maps/link/almelo-denizli.svg"]
    for page in pages:
        for target in targets:
            expected = posixpath.relpath(target, posixpath.dirname(page) or ".")
            assert site.relative(target, page) == expected, (target, page)
            assert site.relative(target + "#x", page) == expected + "#x"
    assert site.relative("doc/tooi/gm0141.html", "doc/link/almelo-denizli.html") == "../tooi/gm0141.html"


def _graph() -> rdflib.Graph:
    link = URIRef(SBID + "link/almelo-denizli")
    checksum = BNode("c1")
    graph = rdflib.Graph(bind_namespaces="none")
    for triple in [
        (link, rdflib.RDF.type, URIRef(SBDEF + "CityLink")),
        (link, rdflib.RDFS.label, Literal("Almelo – Denizli", lang="nl")),
        (link, rdflib.RDFS.label, Literal("Almelo – Denizli", lang="en")),
        (link, URIRef(SBDEF + "startYear"), Literal("1975", datatype=XSD.gYear)),
        (link, URIRef(SBDEF + "share"), Literal("50.0", datatype=XSD.decimal)),  # lexical forms kept as they are
        (link, URIRef(SBDEF + "budget"), Literal("5000", datatype=XSD.decimal)),
        (link, URIRef(SBDEF + "note"), Literal("a <script> & \"quote\"")),
        (link, URIRef(SBDEF + "dutchMunicipality"), URIRef("https://identifier.overheid.nl/tooi/id/gemeente/gm0141")),
        (link, URIRef("http://example.org/odd#p"), URIRef("http://example.org/no-prefix")),
        (link, SPDX.checksum, checksum),
        (checksum, SPDX.checksumValue, Literal("ab" * 32, datatype=XSD.hexBinary)),
        (URIRef(SBID + "link/other"), URIRef(SBDEF + "sameAs"), link),
    ]:
        graph.add(triple)
    return graph


def _own(graph, subject) -> rdflib.Graph:
    own = rdflib.Graph()
    for p, o in graph.predicate_objects(subject):
        own.add((subject, p, o))
        for triple in graph.triples((o, None, None)) if isinstance(o, BNode) else ():
            own.add(triple)
    return own


def _exact(graph):
    """The triples with each literal as (lexical form, datatype, language): rdflib compares
    ``"50.0"^^xsd:decimal`` and ``"50"^^xsd:decimal`` as equal, the dumps may not."""
    return {tuple((str(t), str(t.datatype), t.language) if isinstance(t, Literal) else t for t in triple)
            for triple in graph if not any(isinstance(t, BNode) for t in triple)}


def test_a_pages_turtle_and_json_ld_are_its_own_statements():
    graph = _graph()
    pages = site.Site(graph, PREFIXES, {}, "https://w3id.org/stedenbanden/")
    subject = URIRef(SBID + "link/almelo-denizli")
    own = _own(graph, subject)
    turtle = pages.turtle(subject)
    assert turtle.startswith("# The description of <https://w3id.org/stedenbanden/id/link/almelo-denizli>")
    read = rdflib.Graph().parse(data=turtle, format="turtle")
    assert isomorphic(read, own) and _exact(read) == _exact(own)
    text = pages.jsonld(subject)
    assert "<" not in text, "safe inside a <script> element"
    data = json.loads(text)
    assert data["@context"] == dict(sorted(PREFIXES.items())), "every prefix here is used, xsd by the datatypes"
    assert [node["@id"] for node in data["@graph"]] == ["_:c1", "link:almelo-denizli"]
    node = data["@graph"][1]
    assert node["@type"] == "sb:CityLink" and node["sb:dutchMunicipality"] == {"@id": "tooi:gm0141"}
    assert node["sb:share"] == {"@type": "xsd:decimal", "@value": "50.0"}
    assert node["http://example.org/odd#p"] == {"@id": "http://example.org/no-prefix"}
    read = rdflib.Graph().parse(data=text, format="json-ld")
    assert isomorphic(read, own) and _exact(read) == _exact(own)
    quads = list(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.JSON_LD))
    assert len(quads) == len(own)
    # Two builds of the same page are the same text.
    again = site.Site(_graph(), PREFIXES, {}, "https://w3id.org/stedenbanden/")
    assert again.jsonld(subject) == text and again.turtle(subject) == turtle


def test_pages_show_statements_pointing_at_a_resource():
    pages = site.Site(_graph(), PREFIXES, {}, "https://w3id.org/stedenbanden/")
    subject = URIRef(SBID + "link/almelo-denizli")
    rows = pages.incoming(subject, "doc/link/almelo-denizli.html")
    assert [(r.iri, [v.href for v in r.values]) for r in rows] == [(SBDEF + "sameAs", ["other.html"])]
    assert set(pages.pages) == {SBID + "link/almelo-denizli", SBID + "link/other"}


def test_json_ld_of_nothing_is_an_empty_list():
    assert jsonld_nodes([], PREFIXES) == []


def test_blank_nodes_get_the_same_labels_whatever_the_parser_called_them():
    def graph(label: str) -> rdflib.Graph:
        g = _graph()
        old = BNode("c1")
        for s, p, o in list(g.triples((None, None, old))) + list(g.triples((old, None, None))):
            g.remove((s, p, o))
            g.add((BNode(label) if s == old else s, p, BNode(label) if o == old else o))
        return g

    first, second = canonical_bnodes(graph("x")), canonical_bnodes(graph("y"))
    assert sorted(first) == sorted(second)
    assert _exact(first) == _exact(_graph()), "triples without blank nodes stay as they are"
    assert isomorphic(first, _graph())


def test_link_sources_are_those_kb_cite_selects(kb, kb_files):
    """The link pages' sources come from indexes built once (a scan per link was quadratic);
    they are still what ``kb cite LINK`` selects (citations.select), for every recorded link."""
    from stedenbanden.citations import select
    from stedenbanden.publish import catalog, dumps
    from stedenbanden.publish.evidence import Evidence, run_queries

    graph, prefixes = dumps.read_knowledge_base(kb_files)
    pages = site.Site(graph, catalog.description_prefixes(prefixes), {}, "https://w3id.org/stedenbanden/")
    evidence = Evidence(pages, run_queries(kb))
    links = sorted({str(r["link"]) for r in evidence.links})
    assert len(links) > 30
    for link in links:
        expected = sorted(str(r["source"]) for r in select(evidence.sources, [link], evidence.citations))
        assert [s.iri for s in evidence.link_sources(link, "doc/link/x.html")] == expected, link
        assert evidence.timeline(link, "doc/link/x.html") is not None


_TRICKY = """@prefix sb: <https://w3id.org/stedenbanden/def#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/stedenbanden/id/link/x> sb:share "50.0"^^xsd:decimal ; sb:budget 5000 ;
    sb:note "plain", "typed string"^^xsd:string, "Tekst"@nl, "line\\nbreak \\u00e9 \\"q\\"" ;
    sb:startYear "1975"^^xsd:gYear ; sb:odd "x"^^<http://example.org/type> ;
    sb:checksum [ sb:value "ab"^^xsd:hexBinary ; sb:part [ sb:value "cd" ] ] .
"""


def test_the_knowledge_base_graph_holds_the_terms_rdflibs_parser_makes(kb_files, tmp_path):
    """read_knowledge_base makes rdflib terms from pyoxigraph's instead of writing N-Triples and
    parsing them again with rdflib (about 15 s at 2 x 10^5 triples): the same terms, lexical forms,
    datatypes and languages as rdflib's N-Triples parser gives."""
    from stedenbanden.publish import dumps

    extra = tmp_path / "tricky.ttl"
    extra.write_text(_TRICKY, encoding="utf-8")
    files = [*kb_files, extra]
    graph, _ = dumps.read_knowledge_base(files)
    lines = set()
    for path in files:
        for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri()):
            lines.add(f"{t.subject} {t.predicate} {t.object} .\n")
    parsed = rdflib.Graph()
    parsed.parse(data="".join(sorted(lines)), format="nt")
    assert len(graph) == len(parsed) > 8000
    assert _exact(graph) == _exact(parsed)
    assert isomorphic(graph, parsed)
    share = next(graph.objects(URIRef(SBID + "link/x"), URIRef(SBDEF + "share")))
    assert (str(share), share.datatype) == ("50.0", XSD.decimal)
    assert Literal("typed string") in set(graph.objects(URIRef(SBID + "link/x"), URIRef(SBDEF + "note")))


def test_the_turtle_dump_is_the_bytes_of_rdflibs_own_long_turtle(kb_files, tmp_path):
    """The Turtle dump's serializer gathers each subject's statements in one pass and keeps the
    prefixed names it found (rdflib took about 13 s at 2 x 10^5 triples): the text is byte for
    byte that of rdflib's long-Turtle serializer without those speed-ups."""
    import io

    from stedenbanden.publish import dumps

    extra = tmp_path / "tricky.ttl"
    extra.write_text(_TRICKY, encoding="utf-8")
    texts = []
    for speedups in (True, False):
        graph, prefixes = dumps.read_knowledge_base([*kb_files, extra])
        out = io.BytesIO()
        dumps._exact_longturtle(speedups)(dumps._bound(graph, prefixes)).serialize(out, encoding="utf-8")
        texts.append(out.getvalue())
    assert texts[0] == texts[1]
    assert b"sb:share 50.0 ;" in texts[0] and b"sb:budget 5000 ;" in texts[0]


def _files_of(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_pages_and_maps_from_other_processes_are_the_files_of_one_process(kb, kb_files, tmp_path, monkeypatch):
    """The maps are drawn, and at scale every other resource page written, in a forked process
    (common.in_background): the release is byte for byte the one that a single process writes,
    SHA256SUMS and the manifest included."""
    import datetime as dt

    from stedenbanden.publish import common, release

    date = dt.date(2026, 1, 15)
    monkeypatch.setattr(site, "PARALLEL_PAGES", 1)  # the shipped KB's 812 pages in two processes
    forked = release.publish(kb, kb_files, tmp_path / "forked", date=date)

    def here(work, what):
        work()
        return lambda cancel=False: None

    monkeypatch.setattr(site, "PARALLEL_PAGES", 10**9)
    monkeypatch.setattr(common, "in_background", here)
    alone = release.publish(kb, kb_files, tmp_path / "alone", date=date)
    assert forked.pages == alone.pages > 800
    first, second = _files_of(tmp_path / "forked"), _files_of(tmp_path / "alone")
    assert sorted(first) == sorted(second)
    assert [p for p in first if first[p] != second[p]] == []
    assert "maps/link/almelo-denizli.svg" in first and "doc/link/almelo-denizli.html" in first
    assert not common._WRITTEN, "the checksums kept while writing are all used and dropped"


def test_an_error_in_the_second_process_stops_the_release(kb, kb_files, tmp_path, monkeypatch):
    """A page that cannot be written in the forked process fails the release as it would in one
    process: the error names the page, and nothing is published."""
    from stedenbanden.errors import KbError
    from stedenbanden.publish import release

    monkeypatch.setattr(site, "PARALLEL_PAGES", 1)
    write_page = site.Site._write_page
    parent = __import__("os").getpid()

    def failing(self, folder, resource, iri, path, *rest):
        if __import__("os").getpid() != parent and path.startswith("doc/link/"):
            raise KbError(f"{path}: cannot write the file (No space left on device)")
        return write_page(self, folder, resource, iri, path, *rest)

    monkeypatch.setattr(site.Site, "_write_page", failing)
    out = tmp_path / "site"
    try:
        release.publish(kb, kb_files, out)
    except KbError as exc:
        assert "doc/link/" in str(exc) and "No space left on device" in str(exc)
    else:
        raise AssertionError("the release was published")
    assert not out.exists()


def test_in_background_hands_back_the_checksums_and_the_error(tmp_path):
    from stedenbanden.errors import KbError
    from stedenbanden.publish import common

    path = tmp_path / "a.txt"
    wait = common.in_background(lambda: common.write_file(path, "twee\n"), "writing a")
    wait()
    assert path.read_text() == "twee\n"
    assert common.written_digest(path) == common.sha256_hex(b"twee\n")

    def fails():
        raise KbError("b.txt: cannot write the file (Permission denied)")

    wait = common.in_background(fails, "writing b")
    try:
        wait()
    except KbError as exc:
        assert str(exc) == "b.txt: cannot write the file (Permission denied)"
    else:
        raise AssertionError("no error")
