"""The ``kb`` command through Click's CliRunner: real output on the shipped data, every output
format, and one clear ``Error:`` line with the right exit code for each user mistake."""

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from stedenbanden.cli import cli
from stedenbanden.resources import resource

FIXTURES = Path(__file__).parent / "fixtures"
INVALID = sorted((Path(__file__).parent / "shapes" / "invalid").glob("*.ttl"))


def kb(*args, input=None):
    """Run ``kb ARGS`` and return the Click result (stdout and stderr kept apart)."""
    return CliRunner().invoke(cli, list(args), input=input)


def test_query_themes_table():
    result = kb("query", "themes")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split()[:4] == ["code", "theme", "published_links", "share_percent"]
    assert lines[2].split()[:5] == ["waste-processing", "waste", "processing", "11", "28.2"]
    assert [l.split()[:3] for l in lines if l.startswith("education")] == [["education", "education", "11"]]


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_query_countries_delimited(fmt):
    result = kb("query", "countries", "--format", fmt)
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout), delimiter="," if fmt == "csv" else "\t"))
    assert rows[0] == ["code", "country", "links", "share_percent", "source"]
    assert rows[1] == ["TR", "Turkey", "13", "33.3", "NCDO 2008, section Aantal stedenbanden"]
    assert rows[-1][:4] == ["_T", "total (all categories)", "39", "100"]


def test_query_json_has_numbers_and_full_iris():
    result = kb("query", "links", "--format", "json", "-p", "country=ID", "-p", "municipality=Vlissingen")
    assert result.exit_code == 0
    (row,) = json.loads(result.stdout)
    assert row["link"] == "https://w3id.org/stedenbanden/id/link/vlissingen-ambon"
    assert (row["start_year"], row["formalised_year"], row["end_year"]) == (1991, 1996, None)


def test_query_markdown():
    result = kb("query", "millennium", "--format", "md")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[2].startswith("| 7 ")


def test_output_is_deterministic():
    first = [kb("query", "links", "--format", f).stdout for f in ("table", "csv", "json")]
    second = [kb("query", "links", "--format", f).stdout for f in ("table", "csv", "json")]
    assert first == second


def test_query_list_names_every_stored_query():
    result = kb("query", "--list", "--format", "csv")
    assert result.exit_code == 0
    names = [row[0] for row in csv.reader(io.StringIO(result.stdout))][1:]
    assert {"themes", "countries", "initiative", "municipalities", "millennium", "capacity", "budget",
            "context", "motives", "links", "coverage"} <= set(names)
    assert "links,table," in result.stdout and "status (named|active-june-2007|other-dates)" in result.stdout


def test_unknown_query_is_a_usage_error_with_close_matches():
    result = kb("query", "theme")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "Error: no stored query named 'theme'; did you mean themes? (kb query --list shows them all)")


@pytest.mark.parametrize("args, message", [
    (["-p", "country"], "Error: --param 'country': write it as KEY=VALUE, e.g. --param country=TR"),
    (["-p", "year=2001"], "Error: query 'links' has no parameter 'year'; its parameters: cbs_code, country, municipality, status"),
    (["-p", "status=certain"], "Error: --param status=certain: not an allowed value; use one of named, active-june-2007, other-dates"),
])
def test_bad_param_is_a_usage_error(args, message):
    result = kb("query", "links", *args)
    assert result.exit_code == 2
    assert result.stderr.strip() == message


def test_param_value_is_bound_never_executed():
    result = kb("query", "links", "--format", "csv", "-p", 'municipality=Rotterdam" } ; DROP ALL #')
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [result.stdout.splitlines()[0]]  # header only, no rows


def test_sparql_file_and_stdin():
    query = FIXTURES / "links-per-dutch-municipality.rq"
    expected = ["municipality,links", "Amsterdam,9", "Rotterdam,7", "'s-Gravenhage,1"]
    assert kb("sparql", str(query), "--format", "csv").stdout.splitlines() == expected
    assert kb("sparql", "-", "--format", "csv", input=query.read_text()).stdout.splitlines() == expected


def test_sparql_ask_and_construct():
    ask = "PREFIX sb: <https://w3id.org/stedenbanden/def#> ASK { ?l a sb:CityLink }"
    assert kb("sparql", "-", input=ask).stdout == "true\n"
    construct = ("PREFIX sb: <https://w3id.org/stedenbanden/def#> CONSTRUCT { ?l a sb:CityLink } "
                 "WHERE { ?l a sb:CityLink ; sb:evidenceStatus <https://w3id.org/stedenbanden/id/status/named> }")
    lines = kb("sparql", "-", input=construct).stdout.splitlines()
    assert len(lines) == 5 and lines == sorted(lines)


def test_sparql_syntax_error_names_line_and_column():
    result = kb("sparql", str(FIXTURES / "syntax-error.rq"))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {FIXTURES / 'syntax-error.rq'}, line 4, column 1 (the end of the query): SPARQL syntax error")
    assert "Traceback" not in result.output


def test_sparql_update_is_refused():
    result = kb("sparql", str(FIXTURES / "update.rq"))
    assert result.exit_code == 1
    assert "this is a SPARQL update; the knowledge base is read-only here" in result.stderr


def test_sparql_missing_file():
    result = kb("sparql", "no-such-query.rq")
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: no-such-query.rq: no such file"


def test_data_that_does_not_exist():
    result = kb("--data", "no-such-file.ttl", "query", "themes")
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: no-such-file.ttl: no such file or folder"


def test_data_folder_without_turtle(tmp_path):
    result = kb("--data", str(tmp_path), "query", "themes")
    assert result.exit_code == 2
    assert "folder holds no RDF file (*.ttl, *.nt, *.nq, *.trig, *.jsonld, *.rdf)" in result.stderr


def test_turtle_syntax_error_names_file_line_column():
    broken = FIXTURES / "broken-unterminated-string.ttl"
    result = kb("--data", str(broken), "query", "themes")
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"Error: {broken}, line 3, column 11: Turtle syntax error: Unexpected end of file "
                                     "(is a statement missing its final '.', or a string its closing quote?)")


def test_validate_shipped_kb():
    result = kb("validate")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: 8 file(s) conform")


@pytest.mark.parametrize("fixture", INVALID, ids=lambda p: p.stem)
def test_validate_invalid_example(fixture):
    """Each one-mistake example fails with its expected node and property, a message and the file."""
    expected = {tuple(part.strip() for part in line[len("# expect:"):].split("|"))[:2]
                for line in fixture.read_text(encoding="utf-8").splitlines() if line.startswith("# expect:")}
    result = kb("validate", str(fixture), "--format", "csv")
    assert result.exit_code == 1
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {(row["focus node"], row["property"]) for row in rows} == expected
    assert all(row["message"] and row["file"] == str(fixture) for row in rows)
    assert result.stderr.strip().endswith("in the 1 file(s) checked; fix them and run kb validate again")


def test_report_all_figures_ok():
    result = kb("report", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(result.stdout))}
    assert all(row["status"] == "OK" for row in rows.values())
    assert len(rows) == 36
    assert (rows["municipalities-share"]["published"], rows["municipalities-share"]["regenerated"]) == ("about 5%", "4.97%")
    assert rows["initiative-not-reported"]["regenerated"] == "6"
    # Ghana: four candidates for four published links
    assert rows["links-GH"]["evidence"] == (
        "named 0, candidates 4, other dates 0; if the named are counted: at least 0 candidates not counted, "
        "at least 0 of 4 unidentified (fully identified if all 4 candidates were in the inventory's scope)")
    # Indonesia: Vlissingen - Ambon and Rotterdam - Jakarta both existed in June 2007; the report counts one
    assert rows["links-ID"]["evidence"] == (
        "named 0, candidates 2, other dates 1; if the named are counted: at least 1 candidate not counted "
        "(at most 1 of the 2 can have been counted), at least 0 of 1 unidentified")
    assert rows["links-total"]["section"] == "Aantal stedenbanden"


def test_report_passes_with_more_candidates_than_a_figure():
    """Candidates (links shown active in June 2007, not named) may not have been counted: six for
    Ghana's four is no contradiction, only a bound."""
    result = kb("--data", str(resource("data")), "--data", str(FIXTURES / "ghana-two-more-candidates.ttl"),
                "report", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(result.stdout))}
    assert rows["links-GH"]["status"] == "OK"
    assert rows["links-GH"]["evidence"].startswith(
        "named 0, candidates 6, other dates 0; if the named are counted: at least 2 candidates not counted")


def test_report_fails_when_named_links_contradict_a_figure():
    """Links the report names are in the inventory: five for Ghana's four is a contradiction."""
    result = kb("--data", str(resource("data")), "--data", str(FIXTURES / "ghana-five-named-links.ttl"),
                "report", "--format", "csv")
    assert result.exit_code == 1
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(result.stdout))}
    assert rows["links-GH"]["status"] == "CONTRADICTED"
    # five named for four published: none of the four candidates can have been counted (not "at least 5")
    assert rows["links-GH"]["evidence"] == (
        "named 5, candidates 4, other dates 0; if the named are counted: at least 4 candidates not counted "
        "(at most 0 of the 4 can have been counted), at least 0 of 4 unidentified")
    assert result.stderr.strip() == "Error: 1 of 36 figures do not match the report: links-GH"


def test_validate_fails_when_named_links_contradict_a_figure():
    result = kb("--data", str(resource("data")), "--data", str(FIXTURES / "ghana-five-named-links.ttl"),
                "validate", "--format", "csv")
    assert result.exit_code == 1
    assert "figure=links with country GH, published=4, named=5" in result.stdout


def test_report_fails_on_a_changed_figure(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(resource("data"), data)
    stats = data / "statistics-2007.ttl"
    text = stats.read_text(encoding="utf-8")
    assert "sb:numberOfCityLinks 13 ;" in text
    stats.write_text(text.replace("sb:numberOfCityLinks 13 ;", "sb:numberOfCityLinks 12 ;"), encoding="utf-8")
    result = kb("--data", str(data), "report", "--format", "csv")
    assert result.exit_code == 1
    failed = {row["id"] for row in csv.DictReader(io.StringIO(result.stdout)) if row["status"] != "OK"}
    assert failed == {"links-TR", "links-country-sum"}


def test_steps_count_seconds_on_a_terminal_and_stay_silent_otherwise(capsys) -> None:
    """kb validate's step lines: on a terminal the seconds count up while a step runs and the line
    ends with the step's duration; off a terminal nothing is written."""
    import time

    from stedenbanden.cli import Steps

    with Steps(tty=True) as steps:
        steps("checking 10 triples")
        time.sleep(1.3)
    err = capsys.readouterr().err
    assert "\rkb: checking 10 triples ... 0 s" in err
    assert "\rkb: checking 10 triples ... 1 s" in err
    assert err.endswith("s\n") and "... done in 1." in err

    with Steps(tty=False) as steps:
        steps("checking 10 triples")
    assert capsys.readouterr().err == ""


def test_unknown_query_far_from_every_name_lists_them_all() -> None:
    result = CliRunner().invoke(cli, ["query", "nosuch"])
    assert result.exit_code == 2
    assert "did you mean" not in result.output and "stored queries: budget, capacity" in result.output


SUPER_QUERY = """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX sb: <https://w3id.org/stedenbanden/def#>
SELECT (COUNT(DISTINCT ?l) AS ?collaborations) (COUNT(DISTINCT ?p) AS ?partner_governments)
       (COUNT(DISTINCT ?m) AS ?members)
WHERE { { ?l a org:OrganizationalCollaboration } UNION { ?p a sb:PartnerGovernment } UNION { ?x org:hasMember ?m } }
"""


def test_superclass_and_org_queries_find_the_instances():
    """The ontology's RDFS entailments are materialised: the 31 city links are org collaborations,
    the 26 partner municipalities, islands and countries partner governments, and org:hasMember
    gives the 17 Dutch municipalities and the 26 partners."""
    result = kb("sparql", "-", "--format", "csv", input=SUPER_QUERY)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["collaborations,partner_governments,members", "31,26,43"]


def test_the_total_code_is_not_a_theme():
    query = ("PREFIX sb: <https://w3id.org/stedenbanden/def#>\n"
             "SELECT ?t WHERE { ?t a sb:Theme . FILTER (STRENDS(STR(?t), '/total')) }")
    result = kb("sparql", "-", "--format", "csv", input=query)
    assert result.stdout == "t\n"


def test_rdfs_label_is_one_row_per_language_for_every_labelled_resource():
    """rdfs:label (with skos:prefLabel a sub-property of it, materialised) labels the concepts too,
    once per language: a join on it gives one row per resource and language."""
    query = ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
             "SELECT ?x ?lang WHERE { ?x rdfs:label ?l . BIND (LANG(?l) AS ?lang) } GROUP BY ?x ?lang HAVING (COUNT(?l) > 1)")
    assert kb("sparql", "-", "--format", "csv", input=query).stdout == "x,lang\n"
    theme = ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
             "SELECT ?l WHERE { <https://w3id.org/stedenbanden/id/theme/education> rdfs:label ?l } ORDER BY ?l")
    assert kb("sparql", "-", "--format", "csv", input=theme).stdout == "l\neducatie\neducation\n"
