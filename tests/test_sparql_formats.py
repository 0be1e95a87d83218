"""``kb sparql`` for researchers (issue 13): the project's and the standard prefixes declared for
them, one clear line for an undeclared prefix, a warning with the closest terms for a misspelt
project term, and the W3C SPARQL 1.1 Query Results formats (JSON, CSV, TSV) with types and
language tags. Expected values: Turkey's 13 links (NCDO 2008, section Aantal stedenbanden)."""

import json

from click.testing import CliRunner

from stedenbanden.cli import cli
from stedenbanden.prefixes import ALL

TURKEY = """\
SELECT ?code ?label ?links WHERE {
  ?country skos:notation "TR" ; skos:notation ?code ; skos:prefLabel ?label .
  ?obs qb:dataSet dataset:city-links-2007 ; sb:partnerCountry ?country ; sb:theme code:total ;
       sb:initiatorType code:total ; sb:startPeriod code:total ; sb:numberOfCityLinks ?links .
} ORDER BY ?label
"""


def sparql(query, *args):
    return CliRunner().invoke(cli, ["sparql", "-", *args], input=query)


def test_prefixes_are_declared_for_you():
    result = sparql(TURKEY, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout == "code,label,links\nTR,Turkey,13\nTR,Turkije,13\n"
    assert result.stderr == ""


def test_own_prefix_line_takes_precedence():
    query = "PREFIX code: <https://example.org/elsewhere/>\n" + TURKEY
    result = sparql(query, "--format", "csv")
    assert result.stdout == "code,label,links\n"


def test_sparql_results_json_keeps_types_and_language_tags():
    result = sparql(TURKEY, "--format", "sparql-json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["head"] == {"vars": ["code", "label", "links"]}
    assert data["results"]["bindings"][0] == {
        "code": {"type": "literal", "value": "TR"},
        "label": {"type": "literal", "value": "Turkey", "xml:lang": "en"},
        "links": {"type": "literal", "value": "13", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}
    iri = sparql("SELECT ?c WHERE { ?c skos:notation \"TR\" }", "--format", "sparql-json")
    assert json.loads(iri.stdout)["results"]["bindings"] == [
        {"c": {"type": "uri", "value": "https://w3id.org/stedenbanden/id/country/TR"}}]


def test_sparql_results_csv_and_tsv_as_the_recommendation_defines_them():
    csv_out = CliRunner().invoke(cli, ["sparql", "-", "--format", "sparql-csv"], input=TURKEY).stdout_bytes
    assert csv_out == b"code,label,links\r\nTR,Turkey,13\r\nTR,Turkije,13\r\n"
    tsv = sparql(TURKEY, "--format", "sparql-tsv").stdout
    assert tsv == '?code\t?label\t?links\n"TR"\t"Turkey"@en\t13\n"TR"\t"Turkije"@nl\t13\n'


def test_json_stays_the_simple_list():
    assert json.loads(sparql(TURKEY, "--format", "json").stdout) == [
        {"code": "TR", "label": "Turkey", "links": 13}, {"code": "TR", "label": "Turkije", "links": 13}]


def test_ask_in_sparql_json():
    assert sparql("ASK { ?l a sb:CityLink }", "--format", "sparql-json").stdout == '{"head":{},"boolean":true}\n'


def test_undeclared_prefix_is_one_line_naming_it():
    result = sparql("SELECT ?l WHERE {\n  ?l a sb:CityLink ; foo:bar ?x .\n}\n")
    assert result.exit_code == 1
    assert result.stderr == ("Error: <stdin>, line 2: the prefix foo: is not declared; add PREFIX foo: <namespace IRI> "
                             "at the top (kb sparql --prefixes lists those declared for you)\n")


def test_misspelt_term_warns_with_the_closest_and_still_runs():
    result = sparql("SELECT ?l WHERE { ?l a sb:Citylink }", "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout == "l\n"
    assert result.stderr == ("kb: <stdin>, line 1: warning: sb:Citylink is not defined in the ontology or the data; "
                             "closest defined: sb:CityLink, sb:titleBasis, sb:TitleBasis\n")
    full = sparql("SELECT ?l WHERE {\n ?l <https://w3id.org/stedenbanden/def#startYeer> ?y }", "--format", "csv")
    assert full.stderr.startswith("kb: <stdin>, line 2: warning: <https://w3id.org/stedenbanden/def#startYeer> is not "
                                  "defined in the ontology or the data; closest defined: sb:startYear")


def test_defined_terms_and_strings_give_no_warning():
    assert sparql(TURKEY).stderr == ""
    assert sparql('SELECT ?x WHERE { BIND ("sb:Nothing" AS ?x) } # sb:Citylink').stderr == ""


def test_syntax_error_lines_are_the_query_s_own():
    result = sparql("SELECT ?l WHERE {\n  ?l a sb:CityLink\n")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: <stdin>, line 3, column 1 (the end of the query): SPARQL syntax error")


def test_help_and_prefixes_list_them():
    help_text = CliRunner().invoke(cli, ["sparql", "--help"]).stdout
    assert "The project's prefixes (sb:, sbsh:, sbid:," in help_text and "kb sparql --prefixes" in help_text
    listed = CliRunner().invoke(cli, ["sparql", "--prefixes"]).stdout.splitlines()
    assert len(listed) == len(ALL)
    assert "PREFIX sb: <https://w3id.org/stedenbanden/def#>" in listed
    assert "PREFIX tooi: <https://identifier.overheid.nl/tooi/id/gemeente/>" in listed


# --- the same on a remote endpoint (a real Oxigraph server on 127.0.0.1) ---------------------------

import os  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402

import pytest  # noqa: E402

from stedenbanden import server  # noqa: E402


@pytest.fixture(scope="module")
def endpoint():
    """An Oxigraph server on a free local port with the KB loaded by ``kb load``; stopped by its id."""
    port = server.free_port()
    process = subprocess.Popen([server.oxigraph_binary(), "serve", "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        server._wait_until_listening(process, "127.0.0.1", port)
        url = f"http://127.0.0.1:{port}/query"
        assert CliRunner().invoke(cli, ["load", "--endpoint", url]).exit_code == 0
        yield url
    finally:
        os.kill(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


def test_remote_sparql_results_and_prefixes(endpoint):
    local = sparql(TURKEY, "--format", "sparql-json").stdout
    remote = sparql(TURKEY, "--format", "sparql-json", "--endpoint", endpoint)
    assert remote.exit_code == 0, remote.output
    assert json.loads(remote.stdout) == json.loads(local)
    assert sparql(TURKEY, "--format", "csv", "--endpoint", endpoint).stdout == "code,label,links\nTR,Turkey,13\nTR,Turkije,13\n"


@pytest.mark.parametrize("params", [
    ["-p", "country=AN-AW"], ["-p", "country=ID", "-p", "status=named,active-june-2007"], ["-p", "municipality=den haag"],
    ["-p", "country=_T", "--lang", "nl"]])
def test_remote_parameters_give_the_local_rows(endpoint, params):
    local = CliRunner().invoke(cli, ["query", "links", "--format", "csv", *params])
    remote = CliRunner().invoke(cli, ["query", "links", "--format", "csv", "--endpoint", endpoint, *params])
    assert remote.exit_code == 0, remote.output
    assert remote.stdout == local.stdout and len(local.stdout.splitlines()) > 1


def test_python_api_on_an_endpoint(endpoint):
    import stedenbanden

    remote, local = stedenbanden.open(endpoint=endpoint), stedenbanden.open()
    assert remote.query("links", country="ID", status=["named", "active-june-2007"]) == \
        local.query("links", country="ID", status=["named", "active-june-2007"])
    assert remote.sparql("ASK { ?l a sb:CityLink }") is True
    assert remote.sparql('SELECT ?label WHERE { ?c skos:notation "TR" ; skos:prefLabel ?label } ORDER BY ?label').rows == \
        (("Turkey",), ("Turkije",))
