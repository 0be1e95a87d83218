"""Parameters people type and queries that explain themselves (issue 13): several values per
parameter, codes that stand for several (AN-AW, _T), municipality names matched as people write
them, a clear line on standard error for a name that matches nothing, and ``--describe``.
Expected rows are the shipped recorded links."""

import csv
import io

import pytest
from click.testing import CliRunner

from stedenbanden import catalogue
from stedenbanden.cli import cli

QUERIES = catalogue.catalogue()


def kb(*args):
    return CliRunner().invoke(cli, list(args))


def names(*params):
    result = kb("query", "links", "--format", "csv", *[a for p in params for a in ("-p", p)])
    assert result.exit_code == 0, result.output
    return [row["name"] for row in csv.DictReader(io.StringIO(result.stdout))], result.stderr


def test_several_values_by_repeating_or_commas():
    assert names("country=GH")[0] == ["Alkemade – Kadjebi", "Almere – Kumasi", "Amsterdam – Accra", "Gouda – Elmina"]
    assert names("country=ID")[0] == ["Apeldoorn – Banda Aceh", "Rotterdam – Jakarta", "Vlissingen – Ambon"]
    both, _ = names("country=ID", "status=named", "status=active-june-2007")
    assert both == ["Rotterdam – Jakarta", "Vlissingen – Ambon"]  # Apeldoorn – Banda Aceh: other-dates
    assert names("country=ID", "status=named,active-june-2007")[0] == both
    assert names("country=ID,GH", "status=active-june-2007")[0] == [
        "Alkemade – Kadjebi", "Almere – Kumasi", "Amsterdam – Accra", "Gouda – Elmina", "Rotterdam – Jakarta",
        "Vlissingen – Ambon"]


def test_country_takes_every_code_countries_prints():
    codes = [row["code"] for row in csv.DictReader(io.StringIO(kb("query", "countries", "--format", "csv").stdout))]
    assert codes == ["TR", "AN-AW", "MA", "SR", "GH", "CV", "ID", "_T"]
    for code in codes:
        result = kb("query", "links", "-p", f"country={code}", "--format", "csv")
        assert result.exit_code == 0, (code, result.output)
    antilles = list(csv.DictReader(io.StringIO(kb("query", "links", "-p", "country=AN-AW", "--format", "csv").stdout)))
    # no recorded link with Aruba (AW) yet: the roll-up gives the Antilles' links
    assert [(r["name"], r["country"]) for r in antilles] == [
        ("Amsterdam – Curaçao", "AN"), ("Amsterdam – Sint Maarten", "AN"), ("Dordrecht – Nederlandse Antillen", "AN")]
    assert names("country=AW")[0] == []
    assert names("country=AN-AW")[0] == names("country=AN", "country=AW")[0]
    total, _ = names("country=_T")
    assert len(total) == 31 and total == names()[0]
    assert names("country=an-aw")[0] == [r["name"] for r in antilles]


@pytest.mark.parametrize("typed", ["vlissingen", "VLISSINGEN", "Vlissingen", "Flushing"])
def test_municipality_by_any_label_ignoring_case(typed):
    found, err = names(f"municipality={typed}")
    assert found == ["Vlissingen – Ambon"] and err == ""


@pytest.mark.parametrize("typed", ["Den Haag", "'s-Gravenhage", "s-Gravenhage", "'S-GRAVENHAGE", "The Hague", "den haag"])
def test_the_hague_by_every_name(typed):
    found, err = names(f"municipality={typed}")
    assert found == ["'s-Gravenhage – Suriname"] and err == ""


def test_accents_are_ignored():
    # the partner's country list: Curaçao is written with a cedilla
    assert names("municipality=Amsterdam")[0] == names("municipality=amsterdam")[0]
    assert catalogue.normalised("Curaçao") == catalogue.normalised("curacao") == "curacao"
    assert catalogue.normalised("'s-Gravenhage") == catalogue.normalised("s-Gravenhage") == "sgravenhage"


def test_a_name_that_matches_nothing_says_so_with_the_closest_names():
    found, err = names("municipality=Rotterdm")
    assert found == []
    assert err == "kb: --param municipality=Rotterdm: no municipality matches; closest: Rotterdam, Amsterdam\n"


def test_code_outside_the_allowed_ones_names_the_roll_ups():
    result = kb("query", "links", "-p", "country=NL")
    assert result.exit_code == 2
    assert result.stderr == ("Error: --param country=NL: not an allowed value; use one of TR, MA, SR, AN, AW, GH, CV, ID, "
                             "or AN-AW (= AN + AW)\n")


def test_roll_up_codes_come_from_skos_narrower(kb):
    country = QUERIES["links"].params["country"]
    assert country.expand(["AN-AW"], kb) == ["AN", "AW"]
    assert country.expand(["_T"], kb) == ["TR", "MA", "SR", "AN", "AW", "GH", "CV", "ID"]
    assert country.roll_ups(kb) == {"AN-AW": ["AN", "AW"], "_T": ["TR", "MA", "SR", "AN", "AW", "GH", "CV", "ID"]}


def test_python_run_takes_lists(kb):
    rows = QUERIES["links"].run(kb, {"country": ["ID"], "status": ["named", "active-june-2007"]}).records()
    assert [r["name"] for r in rows] == ["Rotterdam – Jakarta", "Vlissingen – Ambon"]


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_column_is_described_in_the_header(name):
    query = QUERIES[name]
    assert sorted(query.columns) == sorted(query.result_columns()), "the header's columns: must list the result columns"
    assert all(query.columns.values())


LINKS_PARAMETERS = """\
Parameters:
  cbs_code      a CBS municipality code, GM and four digits (e.g. GM0599)
                (string matching GM[0-9]{4})
  country       only links with partners in this country (ISO 3166-1 alpha-2)
                (code: TR, MA, SR, AN, AW, GH, CV, ID; AN-AW = AN + AW; _T =
                all)
  municipality  only links of the Dutch municipality with this name, as in the
                municipality column (e.g. Rotterdam) (string; any name of a
                municipality matches, ignoring case and accents)
  status        only links with this evidence status (code: named,
                active-june-2007, other-dates)
  Give a value with -p NAME=VALUE; repeat -p (or separate codes with commas) for
  several values, which match any of them, e.g. kb query links -p country=TR,MA
"""


def test_describe_links():
    result = kb("query", "links", "--describe")
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("links: The recorded city links, with their evidence status, years, themes and\n"
                          "evidence\n\nOne row per city link that a source names:")
    assert LINKS_PARAMETERS in out
    assert "\nColumns:\n  link             the city link's IRI\n" in out
    assert "  evidence         the web addresses or report sections that document the link\n                   (list)\n" in out
    assert max(len(line) for line in out.splitlines()) <= 80


def test_describe_without_parameters_and_list_points_to_it():
    out = kb("query", "countries", "--describe").stdout
    assert "\nParameters: none\n" in out
    assert "  links          the published number of city links with that country, June 2007\n" in out
    listing = kb("query", "--list").stdout
    assert listing.endswith("\nWhat a query does, its parameters and columns: kb query NAME --describe\n")
    assert "describe" not in kb("query", "--list", "--format", "csv").stdout


def test_describe_is_a_usage_error_without_a_name():
    result = kb("query", "--describe")
    assert result.exit_code == 2
    assert result.stderr == "Error: --describe goes with a query name and nothing else: kb query NAME --describe\n"
