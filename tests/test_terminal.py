"""Output for people at a terminal (issue 13): tables that fit the terminal's width, IRIs (and
only IRIs) shortened with a legend, Markdown with labels, and the layout options. Expected
values are the shipped data's (NCDO 2008 figures and the recorded links)."""

import csv
import io

import pytest
from click.testing import CliRunner

from stedenbanden import formats
from stedenbanden.cli import cli
from stedenbanden.store import IRI


def kb(*args, input=None, env=None):
    return CliRunner().invoke(cli, list(args), input=input, env=env)


COUNTRIES_80 = """\
code   country                   links  share_percent  source
-----  ------------------------  -----  -------------  -------------------------
TR     Turkey                    13     33.3           NCDO 2008, section Aantal
                                                       stedenbanden
AN-AW  Netherlands Antilles and  7      17.9           NCDO 2008, section Aantal
       Aruba                                           stedenbanden
"""

THEMES_80_FIRST_RECORD = """\
-- row 1 of 13 -----------------------------------------------------------------
code                    waste-processing
theme                   waste processing
published_links         11
share_percent           28.2
named_links             0
active_june_2007_links  4
other_dates_links       3
not_counted_min         0
unidentified_min        7
links                   Almere – Kumasi (active-june-2007); Amsterdam – Accra
                        (active-june-2007); Amsterdam – Casablanca
                        (other-dates); Amsterdam – Tanger (other-dates); Meppel
                        – Al Hoceima (active-june-2007); Rotterdam – Jakarta
                        (active-june-2007); Rotterdam – Suriname (other-dates)
source                  NCDO 2008, opening section; NCDO 2008, section Motieven
-- row 2 of 13 -----------------------------------------------------------------
"""


def test_countries_fit_80_columns_prose_wraps_keys_do_not():
    result = kb("query", "countries", "--width", "80")
    assert result.exit_code == 0
    assert result.stdout.startswith(COUNTRIES_80)
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    # every code (a key) is whole on its line
    assert [line.split()[0] for line in lines[2:] if line[:1].strip()] == ["TR", "AN-AW", "MA", "SR", "GH", "CV", "ID", "_T"]


def test_themes_at_80_columns_are_records():
    result = kb("query", "themes", "--width", "80")
    assert result.exit_code == 0
    assert result.stdout.startswith(THEMES_80_FIRST_RECORD)
    assert result.stdout.count("-- row ") == 13


def test_themes_at_160_columns_are_a_table_with_wrapped_headers():
    lines = kb("query", "themes", "--width", "160").stdout.splitlines()
    assert lines[0] == ("code                     theme                 published_  share_   named_  active_  other_  not_"
                        "      unidentified_  links                 source")
    assert lines[1].split() == ["links", "percent", "links", "june_", "dates_", "counted_", "min"]
    assert lines[2].split() == ["2007_", "links", "min"] and lines[3].split() == ["links"]
    assert lines[5].split()[:10] == ["waste-processing", "waste", "processing", "11", "28.2", "0", "4", "3", "0", "7"]
    assert max(len(line) for line in lines) <= 160


@pytest.mark.parametrize("args", [("query", "themes"), ("query", "links"), ("report",), ("query", "--list")])
@pytest.mark.parametrize("width", [80, 120])
def test_never_wider_than_the_width(args, width):
    result = kb(*args, "--width", str(width))
    assert result.exit_code == 0, result.output
    too_wide = [line for line in result.stdout.splitlines() if len(line) > width]
    assert too_wide == []


def test_on_a_terminal_the_terminal_width_is_used(monkeypatch):
    monkeypatch.setattr(formats, "_stdout_is_terminal", lambda: True)
    result = kb("query", "countries", env={"COLUMNS": "80"})
    assert result.stdout.startswith(COUNTRIES_80)
    wide = kb("query", "countries", "--wide", env={"COLUMNS": "80"})
    assert wide.stdout.splitlines()[2] == "TR      Turkey                          13       33.3             NCDO 2008, section Aantal stedenbanden"


def test_piped_output_keeps_the_full_width_layout():
    piped = kb("query", "countries").stdout
    assert piped == kb("query", "countries", "--wide").stdout
    assert piped.splitlines()[2] == "TR      Turkey                          13       33.3             NCDO 2008, section Aantal stedenbanden"


def test_only_iris_are_shortened_and_the_legend_says_how():
    result = kb("query", "links", "-p", "country=ID")
    lines = result.stdout.splitlines()
    assert lines[2].startswith("link:apeldoorn-banda-aceh  Apeldoorn – Banda Aceh  Apeldoorn")
    assert lines[-1] == "Prefixes: link: <https://w3id.org/stedenbanden/id/link/>"
    # a string that looks like a project IRI stays as it is, in every format
    text = formats.render(("value", "iri"), [("https://w3id.org/stedenbanden/id/link/x", IRI("https://w3id.org/stedenbanden/id/link/x"))])
    assert text == ("value                                    iri\n"
                    "---------------------------------------  ------\n"
                    "https://w3id.org/stedenbanden/id/link/x  link:x\n"
                    "Prefixes: link: <https://w3id.org/stedenbanden/id/link/>\n")


def test_no_legend_without_iris():
    assert "Prefixes" not in kb("query", "countries").stdout


def test_markdown_shows_labels_not_prefixes():
    result = kb("query", "links", "-p", "municipality=Vlissingen", "--format", "md")
    assert result.exit_code == 0
    row = result.stdout.splitlines()[2]
    assert row.startswith("| Vlissingen – Ambon | Vlissingen – Ambon | Vlissingen     | GM0718 ")
    assert "link:" not in result.stdout and "sbid:" not in result.stdout and "Prefixes" not in result.stdout
    assert row.rstrip().endswith("-vlissingen; https://www.vlissingen.nl/stedenband-ambon |")


def test_csv_and_json_keep_full_iris():
    rows = list(csv.DictReader(io.StringIO(kb("query", "links", "-p", "country=ID", "--format", "csv").stdout)))
    assert rows[0]["link"] == "https://w3id.org/stedenbanden/id/link/apeldoorn-banda-aceh"


def test_labels_in_dutch_with_lang_nl():
    result = kb("query", "countries", "--lang", "nl", "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[1] == ["TR", "Turkije", "13", "33.3", "NCDO 2008, paragraaf Aantal stedenbanden"]
    assert rows[-1][:3] == ["_T", "totaal", "39"]
    english = list(csv.reader(io.StringIO(kb("query", "countries", "--lang", "en", "--format", "csv").stdout)))
    assert english == list(csv.reader(io.StringIO(kb("query", "countries", "--format", "csv").stdout)))
    assert english[1][1] == "Turkey"


def test_lang_nl_keeps_every_row_of_every_query(kb):
    from stedenbanden import catalogue

    for name, query in catalogue.catalogue().items():
        assert len(query.run(kb, lang="nl").rows) == len(query.run(kb).rows), name


def test_markdown_labels_follow_lang(kb):
    from stedenbanden.store import labels

    turkey = "https://w3id.org/stedenbanden/id/country/TR"
    assert labels(kb, [turkey], "nl") == {turkey: "Turkije"}
    assert labels(kb, [turkey]) == {turkey: "Turkey"}
    assert labels(kb, ["https://example.org/unknown"]) == {}


def test_csv_with_a_byte_order_mark_for_excel():
    result = CliRunner().invoke(cli, ["query", "countries", "--format", "csv", "--bom"])
    assert result.stdout_bytes.startswith(b"\xef\xbb\xbfcode,country,links,share_percent,source\n")
    plain = CliRunner().invoke(cli, ["query", "countries", "--format", "csv"])
    assert plain.stdout_bytes.startswith(b"code,country")


def test_csv_with_bom_to_a_file(tmp_path):
    target = tmp_path / "countries.csv"
    assert kb("query", "countries", "--format", "csv", "--bom", "-o", str(target)).exit_code == 0
    assert target.read_bytes()[:8] == b"\xef\xbb\xbfcode,"
    with open(target, encoding="utf-8-sig", newline="") as handle:
        assert next(csv.reader(handle)) == ["code", "country", "links", "share_percent", "source"]


def test_no_rows_at_80_columns():
    result = kb("query", "links", "-p", "municipality=Rotterdm", "--width", "80")
    assert result.stdout == ("(no rows; columns: link, name, municipality, cbs_code, partner, country, status,\n"
                             "start_year, start_qualifier, formalised_year, end_year, themes, motives,\n"
                             "evidence)\n")


def test_report_in_dutch():
    result = kb("report", "--lang", "nl", "--format", "csv")
    assert result.exit_code == 0
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(result.stdout))}
    assert len(rows) == 36 and all(row["status"] == "OK" for row in rows.values())
    assert rows["links-TR"]["figure"] == "Banden met gemeenten in Turkije"
    assert (rows["municipalities-share"]["published"], rows["municipalities-share"]["regenerated"]) == ("circa 5%", "4.97%")
    assert rows["context-international-cooperation"]["published"] == "bijna driekwart (72%)"
    english = {row["id"]: row for row in csv.DictReader(io.StringIO(kb("report", "--format", "csv").stdout))}
    assert english["links-TR"]["figure"] == "Links with municipalities in Turkey"
    assert english["municipalities-share"]["published"] == "about 5%"


def test_a_long_list_cell_is_shortened_in_the_table_only():
    """A list column with more than TABLE_LIST_ITEMS items shows that many and says how many more
    there are (on 10^6 triples the links of one theme fill 4 MB); other formats keep every item,
    and a cell that is not in a list column is never cut."""
    items = "; ".join(f"Gemeente {n:02d} – Partner {n:02d}" for n in range(30))

    def table(column):
        return " ".join(formats.render((column,), [(items,)], "table", lists=("links",)).split())  # unwrapped

    assert "Partner 24; … and 5 more (--format csv or json lists all)" in table("links")
    assert "Partner 25" not in table("links")
    assert "Partner 29" in table("note")
    for fmt in ("csv", "json", "md"):
        assert "Partner 29" in formats.render(("links",), [(items,)], fmt, lists=("links",)), fmt
    short = "; ".join(f"item {n}" for n in range(formats.TABLE_LIST_ITEMS))
    assert "more" not in formats.render(("links",), [(short,)], "table", lists=("links",))
