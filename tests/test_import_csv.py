"""``kb import-csv``: a spreadsheet of city links becomes Turtle that passes validation, or one
error line naming the file, row and column, and nothing is written.

``fixtures/import/documented-links.csv`` holds nine of the recorded links of
``data/city-links.ttl`` as a spreadsheet; imported next to the shipped data without
``city-links.ttl``, they must come out as the same links with the same facts."""

from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from stedenbanden import store
from stedenbanden.cli import cli
from stedenbanden.errors import KbError
from stedenbanden.importers import COLUMNS, TEMPLATE, check_import, kb_index, links_turtle, read_links_csv, slug
from stedenbanden.resources import data_files

FIXTURES = Path(__file__).parent / "fixtures" / "import"
SB = "https://w3id.org/stedenbanden/def#"
LINK = "https://w3id.org/stedenbanden/id/link/"
COMPARED = [SB + p for p in ("dutchMunicipality", "partner", "partnerCountry", "evidenceStatus", "startYear",
                             "formalisedYear", "endYear", "startYearQualifier", "theme", "motive", "initiatorType")]
COMPARED += ["http://purl.org/dc/terms/source", "http://www.w3.org/2004/02/skos/core#prefLabel",
             "http://www.w3.org/2004/02/skos/core#note"]


def without_links():
    """The shipped data without data/city-links.ttl."""
    return [p for p in data_files() if p.name != "city-links.ttl"]


def index_of(files):
    return kb_index(store.load(store.knowledge_base_files(files)))


def run(*args, data=None):
    """``kb import-csv ARGS`` through the kb group (``data``: paths given with --data)."""
    options = [arg for path in data or () for arg in ("--data", str(path))]
    return CliRunner().invoke(cli, ["import-csv", *args, *options])


def facts(s: ox.Store, link: str) -> set:
    return {(q.predicate.value, str(q.object)) for q in s.quads_for_pattern(ox.NamedNode(link), None, None, None)
            if q.predicate.value in COMPARED}


def test_documented_links_round_trip(tmp_path):
    """The spreadsheet gives the same links, IRIs and facts as data/city-links.ttl."""
    out = tmp_path / "links.ttl"
    result = run(str(FIXTURES / "documented-links.csv"), "-o", str(out), data=without_links())
    assert result.exit_code == 0, result.output
    assert "Wrote 9 city link(s)" in result.stderr
    imported = store.load([out])
    shipped = store.load(store.knowledge_base_files())
    links = sorted({q.subject.value for q in imported.quads_for_pattern(None, None, ox.NamedNode(SB + "CityLink"), None)})
    assert links == sorted(LINK + n for n in (
        "almelo-denizli", "alkmaar-bergama", "delft-adapazari", "zeist-berkane", "amsterdam-suriname",
        "s-gravenhage-suriname", "dordrecht-netherlands-antilles", "almere-kumasi", "vlissingen-ambon"))
    for link in links:
        assert facts(imported, link) == facts(shipped, link), link
    # partners and municipalities come from the knowledge base, none is declared anew
    assert not any(q.subject.value.startswith("https://w3id.org/stedenbanden/id/partner/")
                   for q in imported.quads_for_pattern(None, None, None, None))


def test_output_is_deterministic_and_passes_validation():
    kb = index_of(without_links())
    first = read_links_csv(FIXTURES / "documented-links.csv", kb)
    text = links_turtle(first)
    assert text == links_turtle(read_links_csv(FIXTURES / "documented-links.csv", kb))
    assert check_import(text, first, without_links()) == []


def test_links_already_in_the_knowledge_base_are_refused():
    with pytest.raises(KbError, match=r"import/documented-links.csv, row 2: the knowledge base already has this link "
                                      r"\(sbid:link/almelo-denizli\)"):
        read_links_csv(FIXTURES / "documented-links.csv", index_of(data_files()))


def test_bad_year_names_row_and_column(tmp_path):
    out = tmp_path / "out.ttl"
    data = [arg for path in without_links() for arg in ("--data", str(path))]  # after the command name
    result = run(str(FIXTURES / "bad-year.csv"), "-o", str(out), *data)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"Error: {FIXTURES / 'bad-year.csv'}, row 4, column start_year: '2001-05' is not a year; write four digits from 1800 to 2099, e.g. 2001")
    assert not out.exists()


def test_excel_file_with_semicolons_and_byte_order_mark(tmp_path):
    """Excel in a Dutch locale writes ';' between cells and a byte-order mark."""
    kb = index_of(without_links())
    imported = read_links_csv(FIXTURES / "excel-semicolons.csv", kb)
    (link,) = imported.links
    assert link.link == LINK + "almere-kumasi"
    assert [t.rsplit("/", 1)[-1] for t in link.themes] == ["waste-processing", "urban-planning"]
    assert (link.start_year, link.formalised_year) == (1996, 1996)


def test_violations_write_nothing(tmp_path):
    """Five links with Ghana that the report names, against the four it publishes: coverage-violation fails."""
    out = tmp_path / "out.ttl"
    out.write_text("previous content\n")
    result = run(str(FIXTURES / "ghana-five-named.csv"), "-o", str(out))
    assert result.exit_code == 1
    assert "links with country GH" in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: {FIXTURES / 'ghana-five-named.csv'}: the 5 link(s) do not pass validation "
        "(1 violation(s) above); nothing was written")
    assert out.read_text() == "previous content\n"


def test_municipality_from_the_register_and_new_partner(tmp_path):
    """A municipality of the 2007 register (Haarlem, GM0392, no link in the KB) is not declared
    again; a new partner is."""
    path = tmp_path / "new.csv"
    path.write_text("cbs_code,municipality,partner,partner_country,partner_type,status,evidence\n"
                    "GM0392,Haarlem,Test partner,TR,municipality,other-dates,https://example.org/evidence/1\n")
    imported = read_links_csv(path, index_of(data_files()))
    text = links_turtle(imported)
    assert not imported.links[0].municipality_is_new
    assert "sb:dutchMunicipality tooi:gm0392" in text
    assert check_import(text, imported, data_files()) == []


def test_new_municipality_is_declared_without_the_register(tmp_path):
    """With data that lacks the register (--data without municipalities-2007.ttl), a municipality
    of 2007 that is not in that data gets its TOOI IRI from the code."""
    path = tmp_path / "new.csv"
    path.write_text("cbs_code,municipality,partner,partner_country,partner_type,status,evidence\n"
                    "GM0392,Haarlem,Test partner,TR,municipality,other-dates,https://example.org/evidence/1\n")
    files = [p for p in data_files() if p.name != "municipalities-2007.ttl"]
    imported = read_links_csv(path, index_of(files))
    text = links_turtle(imported)
    assert "tooi:gm0392 a tooiont:Gemeente, sb:DutchMunicipality" in text
    assert 'sb:cbsMunicipalityCode "GM0392"' in text
    assert "partner:test-partner a sb:PartnerMunicipality" in text
    assert imported.links[0].link == LINK + "haarlem-test-partner"
    assert check_import(text, imported, files) == []


ERRORS = [
    ("cbs_code,municipality,partner,partner_country,status,evidence\nGM9999,Nergens,Nador,MA,named,https://example.org/a\n",
     "x.csv, row 2, column cbs_code: GM9999 is not the CBS code of a municipality of 1 January 2007; the nearest "
     "codes in the register are GM1926 (Pijnacker-Nootdorp), GM1955 (Montferland), GM1987 (Menterwolde); fix the code"),
    ("cbs_code,municipality,partner,partner_country,status,evidence\nGM0004,Nergens,Nador,MA,named,https://example.org/a\n",
     "x.csv, row 2, column cbs_code: GM0004 is not the CBS code of a municipality of 1 January 2007; the nearest "
     "codes in the register are GM0003 (Appingedam), GM0005 (Bedum), GM0007 (Bellingwedde); fix the code"),
    ("cbs_code,municipality,partner,partner_country,status,evidence\nGM0364,Amsterdam,Nador,MA,named,https://example.org/a\n",
     "x.csv, row 2, column municipality: 'Amsterdam' is not the name of GM0364; the knowledge base calls it "
     "'Andijk' (fix the name or the code)"),
    ("cbs_code,partner,partner_country,status,evidence\nGM599,Nador,MA,named,https://example.org/a\n",
     "x.csv, row 2, column cbs_code: 'GM599' is not a CBS municipality code; write GM and four digits, e.g. GM0599"),
    ("cbs_code,partner,partner_country,status,evidence\nGM0599,Nador,DE,named,https://example.org/a\n",
     "x.csv, row 2, column partner_country: 'DE' is not a country of origin; use one of AN, AW, CV, GH, ID, MA, SR, TR"),
    ("cbs_code,partner,partner_country,status,evidence\nGM0599,Nador,MA,maybe,https://example.org/a\n",
     "x.csv, row 2, column status: 'maybe' is not an evidence status; use one of active-june-2007, named, other-dates"),
    ("cbs_code,partner,partner_country,status,evidence,initiator\nGM0599,X,MA,named,https://example.org/a,mayor\n",
     "x.csv, row 2, column initiator: 'mayor' is not an initiator type; use one of "),
    ("cbs_code,partner,partner_country,status,evidence,themes\nGM0599,X,MA,named,https://example.org/a,waste\n",
     "x.csv, row 2, column themes: 'waste' is not a theme; use one of cultural-exchange,"),
    ("cbs_code,partner,partner_country,status,evidence\nGM0599,X,MA,named,www.example.org\n",
     "x.csv, row 2, column evidence: 'www.example.org' is not a web address"),
    ("cbs_code,partner,partner_country,status,evidence\nGM0599,X,MA,named,\n",
     "x.csv, row 2, column evidence: empty; required: the web address(es)"),
    ("cbs_code,partner,partner_country,status,evidence,start_year,end_year\nGM0599,X,MA,named,https://e.org/a,2005,2001\n",
     "x.csv, row 2, column end_year: 2001 is before the start year 2005; correct one of them"),
    ("cbs_code,municipality,partner,partner_country,status,evidence\nGM0599,Amsterdam,X,MA,named,https://e.org/a\n",
     "x.csv, row 2, column municipality: 'Amsterdam' is not the name of GM0599; the knowledge base calls it 'Rotterdam'"),
    ("cbs_code,partner,partner_country,status,evidence,year\n",
     "x.csv, row 1, column 6: unknown column 'year'; the columns are cbs_code,"),
    ("cbs_code,partner,status,evidence\n",
     "x.csv, row 1: the header lacks the column(s) partner_country"),
    ("cbs_code,partner,partner_country,status,evidence\n\n",
     "x.csv: the file has a header but no rows"),
    ("cbs_code,partner,partner_country,status,evidence\nGM0599,X,MA,named,https://e.org/a\nGM0599,x,MA,other-dates,https://e.org/b\n",
     "x.csv, row 3: same municipality and partner as row 2; keep one row per link"),
    ("", "x.csv: the file is empty"),
]


@pytest.mark.parametrize("text, message", ERRORS, ids=[m.split(": ", 1)[1][:40] for _, m in ERRORS])
def test_errors_name_row_and_column(tmp_path, text, message):
    path = tmp_path / "x.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KbError) as caught:
        read_links_csv(path, index_of(data_files()))
    assert str(caught.value).startswith(message.replace("x.csv", str(path)))
    assert "\n" not in str(caught.value)


def test_missing_file_is_a_usage_error(tmp_path):
    result = run(str(tmp_path / "nope.csv"))
    assert result.exit_code == 2
    assert "nope.csv: no such file" in result.stderr


def test_template_lists_every_column(tmp_path):
    out = tmp_path / "links.csv"
    result = run("--template", "-o", str(out))
    assert result.exit_code == 0
    assert out.read_text().strip().split(",") == list(COLUMNS) == TEMPLATE.read_text().strip().split(",")


def test_slugs():
    assert slug("'s-Gravenhage") == "s-gravenhage"
    assert slug("Adapazarı") == "adapazari"
    assert slug("São Vicente") == "sao-vicente"
    assert slug("Curaçao and Sint Maarten") == "curacao-and-sint-maarten"


def test_a_bad_row_deep_in_a_large_file_is_reported_with_row_and_column(tmp_path):
    """Speed does not skip checks: in 20,000 synthetic rows (stedenbanden.synthetic.links_csv, real
    CBS codes of the 2007 register), one bad value far down is still found, with its row and column."""
    from stedenbanden.synthetic import links_csv

    kb = index_of(data_files())
    lines = links_csv(20_000, kb).splitlines()
    header = lines[0].split(",")
    path = tmp_path / "large.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert len(read_links_csv(path, kb).links) == 20_000  # the synthetic rows themselves pass
    cases = [("start_year", "19999", "'19999' is not a year"),
             ("partner_country", "DE", "'DE' is not a country of origin"),
             ("cbs_code", "GM9999", "GM9999 is not the CBS code of a municipality of 1 January 2007"),
             ("themes", "=1+1", "'=1+1' starts with '=', which a spreadsheet runs as a formula")]
    for column, value, message in cases:
        bad = list(lines)
        cells = bad[18_500].split(",")  # spreadsheet row 18,501 (the header is row 1)
        cells[header.index(column)] = value
        bad[18_500] = ",".join(cells)
        path.write_text("\n".join(bad) + "\n", encoding="utf-8")
        with pytest.raises(KbError) as caught:
            read_links_csv(path, kb)
        assert str(caught.value).startswith(f"{path}, row 18501, column {column}: {message}"), str(caught.value)


def test_synthetic_rows_use_every_status_of_the_ontology():
    """The benchmark's rows take the evidence statuses from the knowledge base, not from a list of names."""
    from stedenbanden.synthetic import links_csv

    kb = index_of(data_files())
    rows = links_csv(30, kb).splitlines()[1:]
    column = list(COLUMNS).index("status")
    assert sorted({r.split(",")[column] for r in rows}) == sorted(kb.statuses.concepts)
    assert len(kb.statuses.concepts) >= 2


def test_steps_on_a_terminal_and_only_the_result_line_in_a_pipe(tmp_path, monkeypatch):
    import functools

    import stedenbanden.cli as cli_module

    args = (str(FIXTURES / "documented-links.csv"), "-o", str(tmp_path / "piped.ttl"))
    piped = run(*args, data=without_links())
    assert piped.exit_code == 0, piped.output
    assert piped.stderr.splitlines() == [f"Wrote 9 city link(s) from {args[0]} to {args[2]}; "
                                         f"add it with --extra-data {args[2]}."]
    monkeypatch.setattr(cli_module, "Steps", functools.partial(cli_module.Steps, tty=True))
    shown = run(str(FIXTURES / "documented-links.csv"), "-o", str(tmp_path / "shown.ttl"), data=without_links())
    assert shown.exit_code == 0, shown.output
    for step in (f"kb: reading {FIXTURES / 'documented-links.csv'} ... done in",
                 "kb: writing the Turtle of 9 link(s) ... done in",
                 "kb: validating 9 link(s): running the violation queries ... done in"):
        assert step in shown.stderr, shown.stderr
    assert (tmp_path / "shown.ttl").read_text() == (tmp_path / "piped.ttl").read_text()


def test_a_terminal_sees_the_shape_queries_counted_while_validating(tmp_path, monkeypatch):
    """The longest step of a large import (the shapes, 20-30 s at 10^5 rows) shows how far it is:
    ``(N of M shape queries)`` after the step's text, up to M of M; a pipe gets none of it."""
    import functools
    import re

    import stedenbanden.cli as cli_module

    monkeypatch.setattr(cli_module, "Steps", functools.partial(cli_module.Steps, tty=True))
    shown = run(str(FIXTURES / "documented-links.csv"), "-o", str(tmp_path / "shown.ttl"), data=without_links())
    assert shown.exit_code == 0, shown.output
    counts = [(int(a), int(b)) for a, b in re.findall(r"against the shapes with sparql \((\d+) of (\d+) shape queries\)",
                                                      shown.stderr)]
    assert counts, shown.stderr
    total = counts[0][1]
    assert total >= 60 and all(b == total for _, b in counts)
    assert [a for a, _ in counts if a < total] == sorted(a for a, _ in counts if a < total)
    assert f"({total} of {total} shape queries) ... done in" in shown.stderr
    monkeypatch.undo()
    piped = run(str(FIXTURES / "documented-links.csv"), "-o", str(tmp_path / "piped.ttl"), data=without_links())
    assert "shape queries" not in piped.stderr


def test_validation_still_checks_the_last_rows_of_a_file(tmp_path):
    """Validation of an import covers every row, the last as well as the first: in 3,000 synthetic
    rows, the Turtle of row 2 and of row 3,001 (the last) is spoilt after writing, and exactly those
    two rows are reported, each with its row and what is wrong."""
    import re

    from stedenbanden.synthetic import links_csv

    kb = index_of(data_files())
    path = tmp_path / "links.csv"
    path.write_text(links_csv(3_000, kb), encoding="utf-8")
    imported = read_links_csv(path, kb)
    spoilt = ox.Store()
    spoilt.load(links_turtle(imported).encode("utf-8"), format=ox.RdfFormat.TURTLE)
    first, last = imported.links[0], imported.links[-1]
    assert (first.row, last.row) == (2, 3_001)
    spoilt.update(_UPDATE_PREFIXES + f'INSERT DATA {{ <{first.link}> sb:partnerCountry <https://example.org/nowhere> }} ; '
                  f'DELETE WHERE {{ <{last.link}> sb:startYear ?y }} ; '
                  f'INSERT DATA {{ <{last.link}> sb:startYear "19999"^^xsd:gYear }}')
    lines = check_import(spoilt.dump(format=ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph()).decode("utf-8"),
                         imported, data_files(), "links.ttl")
    rows = sorted({int(m.group(1)) for line in lines for m in [re.match(rf"{re.escape(str(path))}, row (\d+)", line)] if m})
    assert rows == [2, 3_001], lines
    assert any(line.startswith(f"{path}, row 3001 (startYear): ") for line in lines), lines
    assert any(line.startswith(f"{path}, row 2 (partnerCountry): ") for line in lines), lines


def test_the_turtle_on_standard_output_is_the_file_written(tmp_path):
    """Without -o the validated Turtle goes to standard output, the same text as the file."""
    written = run(str(FIXTURES / "documented-links.csv"), "-o", str(tmp_path / "links.ttl"), data=without_links())
    printed = run(str(FIXTURES / "documented-links.csv"), data=without_links())
    assert written.exit_code == printed.exit_code == 0, printed.output
    assert printed.stdout == (tmp_path / "links.ttl").read_text(encoding="utf-8")
    assert printed.stdout.startswith("# City links imported with `kb import-csv` from documented-links.csv")


# One bad edit per imported row, for every check that the shapes make on what an import writes.
# {L} is the row's link, {P} its new partner, {M} its new Dutch municipality (SPARQL Update).
_BAD_ROWS = {
    "link without municipality": "DELETE WHERE { {L} sb:dutchMunicipality ?x }",
    "link with two municipalities": "INSERT DATA { {L} sb:dutchMunicipality tooi:gm0363 }",
    "link whose municipality is a partner": "DELETE { {L} sb:dutchMunicipality ?m } INSERT { {L} sb:dutchMunicipality {P} } WHERE { {L} sb:dutchMunicipality ?m }",
    "link without partner": "DELETE WHERE { {L} sb:partner ?x }",
    "link whose partner is no government": "INSERT DATA { {L} sb:partner <https://example.org/not-a-partner> }",
    "link without country": "DELETE WHERE { {L} sb:partnerCountry ?x }",
    "link with two countries": "INSERT DATA { {L} sb:partnerCountry sbid:country/MA }",
    "link with a country outside the scheme": "DELETE WHERE { {L} sb:partnerCountry ?x } ; INSERT DATA { {L} sb:partnerCountry <https://example.org/nowhere> }",
    "link with the total code as country": "INSERT DATA { {L} sb:partnerCountry sbid:code/total }",
    "link without status": "DELETE WHERE { {L} sb:evidenceStatus ?x }",
    "link with two statuses": "INSERT DATA { {L} sb:evidenceStatus sbid:status/named }",
    "link with a status outside the scheme": "DELETE WHERE { {L} sb:evidenceStatus ?x } ; INSERT DATA { {L} sb:evidenceStatus <https://example.org/status> }",
    "link without source": "DELETE WHERE { {L} dcterms:source ?x }",
    "link with a literal source": 'INSERT DATA { {L} dcterms:source "https://example.org/a" }',
    "link with a file: source": "INSERT DATA { {L} dcterms:source <file:///etc/passwd> }",
    "link with two start years": 'INSERT DATA { {L} sb:startYear "1990"^^xsd:gYear, "1991"^^xsd:gYear }',
    "link with a malformed start year": 'INSERT DATA { {L} sb:startYear "19999"^^xsd:gYear }',
    "link with two years formalised": 'INSERT DATA { {L} sb:formalisedYear "1990"^^xsd:gYear, "1991"^^xsd:gYear }',
    "link with a malformed year formalised": 'INSERT DATA { {L} sb:formalisedYear "99"^^xsd:gYear }',
    "link with two end years": 'INSERT DATA { {L} sb:endYear "1990"^^xsd:gYear, "1991"^^xsd:gYear }',
    "link with a malformed end year": 'INSERT DATA { {L} sb:endYear "2001-05"^^xsd:gYear }',
    "link with a start year that is no gYear": 'INSERT DATA { {L} sb:startYear "1990" }',
    "link that ends before it starts": 'INSERT DATA { {L} sb:startYear "2000"^^xsd:gYear ; sb:endYear "1990"^^xsd:gYear }',
    "link formalised before it starts": 'INSERT DATA { {L} sb:startYear "2000"^^xsd:gYear ; sb:formalisedYear "1990"^^xsd:gYear }',
    "link that ends before it is formalised": 'INSERT DATA { {L} sb:formalisedYear "2000"^^xsd:gYear ; sb:endYear "1990"^^xsd:gYear }',
    "link with two start qualifiers": "INSERT DATA { {L} sb:startYearQualifier sbid:qualifier/approximate, sbid:qualifier/more-than }",
    "link with a start qualifier outside the scheme": "INSERT DATA { {L} sb:startYearQualifier <https://example.org/q> }",
    "link with a theme outside the scheme": "INSERT DATA { {L} sb:theme <https://example.org/theme> }",
    "link with the total code as theme": "INSERT DATA { {L} sb:theme sbid:code/total }",
    "link with a motive outside the scheme": "INSERT DATA { {L} sb:motive <https://example.org/motive> }",
    "link with an initiator outside the scheme": "INSERT DATA { {L} sb:initiatorType <https://example.org/initiator> }",
    "link with the total code as initiator": "INSERT DATA { {L} sb:initiatorType sbid:code/total }",
    "link with a literal organisation": 'INSERT DATA { {L} sb:involvedOrganization "VNG International" }',
    "link without Dutch name": 'DELETE { {L} skos:prefLabel ?l } WHERE { {L} skos:prefLabel ?l FILTER (LANG(?l) = "nl") }',
    "link without English name": 'DELETE { {L} skos:prefLabel ?l } WHERE { {L} skos:prefLabel ?l FILTER (LANG(?l) = "en") }',
    "link with two Dutch names": 'INSERT DATA { {L} skos:prefLabel "Nog een naam"@nl }',
    "link with an untagged label": 'INSERT DATA { {L} skos:prefLabel "no language" ; rdfs:label "no language" ; skos:altLabel "no language" ; skos:definition "no language" ; dcterms:title "no language" }',
    "link not typed": "DELETE WHERE { {L} a sb:CityLink }",
    "link duplicated": "INSERT { <https://example.org/copy> a sb:CityLink ; sb:dutchMunicipality ?m ; sb:partner ?p } WHERE { {L} sb:dutchMunicipality ?m ; sb:partner ?p }",
    "link without partner duplicated": "DELETE WHERE { {L} sb:partner ?x } ; INSERT { <https://example.org/copy-without-partner> a sb:CityLink ; sb:dutchMunicipality ?m } WHERE { {L} sb:dutchMunicipality ?m }",
    "link whose partner lies elsewhere": "DELETE WHERE { {P} sb:partnerCountry ?x } ; INSERT DATA { {P} sb:partnerCountry sbid:country/GH }",
    "partner without name": "DELETE WHERE { {P} skos:prefLabel ?x }",
    "partner with two English names": 'INSERT DATA { {P} skos:prefLabel "Another name"@en }',
    "partner without country": "DELETE WHERE { {P} sb:partnerCountry ?x }",
    "partner with two countries": "INSERT DATA { {P} sb:partnerCountry sbid:country/MA }",
    "partner with a country outside the scheme": "DELETE WHERE { {P} sb:partnerCountry ?x } ; INSERT DATA { {P} sb:partnerCountry <https://example.org/nowhere> }",
    "partner with the total code as country": "INSERT DATA { {P} sb:partnerCountry sbid:code/total }",
    "partner with a literal seat": 'INSERT DATA { {P} sb:seat "Izmir" }',
    "partner with a seat outside GeoNames": "INSERT DATA { {P} sb:seat <https://example.org/izmir> }",
    "partner with two latitudes": 'INSERT DATA { {P} geo:lat 1.0, 2.0 ; geo:long 3.0 ; sb:coordinateSource <https://example.org/c> }',
    "partner with a latitude that is no decimal": 'INSERT DATA { {P} geo:lat "north" ; geo:long 3.0 ; sb:coordinateSource <https://example.org/c> }',
    "partner with a latitude below -90": 'INSERT DATA { {P} geo:lat -91.0 ; geo:long 3.0 ; sb:coordinateSource <https://example.org/c> }',
    "partner with a latitude above 90": 'INSERT DATA { {P} geo:lat 91.0 ; geo:long 3.0 ; sb:coordinateSource <https://example.org/c> }',
    "partner with a latitude and no longitude": "INSERT DATA { {P} geo:lat 1.0 }",
    "partner with two longitudes": 'INSERT DATA { {P} geo:lat 1.0 ; geo:long 2.0, 3.0 ; sb:coordinateSource <https://example.org/c> }',
    "partner with a longitude that is no decimal": 'INSERT DATA { {P} geo:lat 1.0 ; geo:long "east" ; sb:coordinateSource <https://example.org/c> }',
    "partner with a longitude below -180": 'INSERT DATA { {P} geo:lat 1.0 ; geo:long -181.0 ; sb:coordinateSource <https://example.org/c> }',
    "partner with a longitude above 180": 'INSERT DATA { {P} geo:lat 1.0 ; geo:long 181.0 ; sb:coordinateSource <https://example.org/c> }',
    "partner with a CBS code": 'INSERT DATA { {P} sb:cbsMunicipalityCode "GM0363" }',
    "municipality without code": "DELETE WHERE { {M} sb:cbsMunicipalityCode ?x }",
    "municipality with two codes": 'INSERT DATA { {M} sb:cbsMunicipalityCode "GM0001" }',
    "municipality with a tagged code": 'DELETE WHERE { {M} sb:cbsMunicipalityCode ?x } ; INSERT DATA { {M} sb:cbsMunicipalityCode "GM0003"@nl }',
    "municipality with a lower-case code": 'DELETE WHERE { {M} sb:cbsMunicipalityCode ?x } ; INSERT DATA { {M} sb:cbsMunicipalityCode "gm0003" }',
    "municipality whose code is not its IRI's": 'DELETE WHERE { {M} sb:cbsMunicipalityCode ?x } ; INSERT DATA { {M} sb:cbsMunicipalityCode "GM0999" }',
    "municipality without Dutch name": 'DELETE { {M} skos:prefLabel ?l } WHERE { {M} skos:prefLabel ?l FILTER (LANG(?l) = "nl") }',
    "municipality with two Dutch names": 'INSERT DATA { {M} skos:prefLabel "Nog een naam"@nl }',
    "municipality not typed Gemeente": "DELETE WHERE { {M} a tooiont:Gemeente }",
    # the importer makes a municipality's IRI itself, TOOI + the checked code: no row can give it
    # another, so these two are reported without a row (and each is the only such problem)
    "municipality not named by a TOOI IRI": 'INSERT DATA { <https://example.org/gemeente/x> a sb:DutchMunicipality, tooiont:Gemeente ; sb:cbsMunicipalityCode "GM0003" ; skos:prefLabel "X"@nl }',
    "municipality as a blank node": 'INSERT DATA { [] a sb:DutchMunicipality, tooiont:Gemeente ; sb:cbsMunicipalityCode "GM0005" ; skos:prefLabel "Y"@nl }',
    "municipality with a latitude and no longitude": "INSERT DATA { {M} geo:lat 52.0 }",
    "municipality with a latitude out of range": 'INSERT DATA { {M} geo:lat 99.0 ; geo:long 5.0 ; sb:coordinateSource <https://example.org/c> }',
}
_UPDATE_PREFIXES = """PREFIX sb: <https://w3id.org/stedenbanden/def#>
PREFIX sbid: <https://w3id.org/stedenbanden/id/>
PREFIX tooi: <https://identifier.overheid.nl/tooi/id/gemeente/>
PREFIX tooiont: <https://identifier.overheid.nl/tooi/def/ont/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>
"""


@pytest.mark.parametrize("searched", [False, True], ids=["targeted", "searched"])
def test_every_check_of_the_shapes_on_imported_rows_catches_a_bad_row_and_names_it(tmp_path, searched, monkeypatch):
    """Validation of an import stays complete: for every constraint of the shapes that can apply to
    what kb import-csv writes (its targets are a class or a property of the import's Turtle), one
    row of the import is spoilt so that it breaks exactly that constraint, and check_import reports
    it as ``FILE, row N (property): the shape's message``: the file, the row and what to do. A
    constraint added to the shapes without a case here fails this test. "searched": the same when
    every check first searches for candidates without its targets, as it does on a large import
    (shacl_sparql.run; these few rows would otherwise be checked with the targeted queries alone)."""
    import re

    if searched:
        monkeypatch.setattr("stedenbanden.shacl_sparql.PREFILTER_ABOVE", 0)
        monkeypatch.setattr("stedenbanden.shacl_sparql.PREFILTER_SHARE", 10**9)

    import rdflib

    from stedenbanden import shacl_sparql
    from stedenbanden.places import register_names
    from stedenbanden.resources import shapes_files

    files = [p for p in data_files() if p.name != "municipalities-2007.ttl"]  # so rows add municipalities
    kb = index_of(files)
    names = register_names()
    codes = [c for c in sorted(names) if c not in kb.municipalities][:len(_BAD_ROWS)]
    path = tmp_path / "links.csv"
    path.write_text("cbs_code,municipality,partner,partner_country,status,evidence\n" + "".join(
        f"{code},{names[code]},Test partner {i},TR,other-dates,https://example.org/evidence/{i}\n"
        for i, code in enumerate(codes)), encoding="utf-8")
    imported = read_links_csv(path, kb)
    text = links_turtle(imported)
    assert check_import(text, imported, files) == []  # the rows as imported pass

    spoilt = ox.Store()
    spoilt.load(text.encode("utf-8"), format=ox.RdfFormat.TURTLE)
    used_classes = {q.object.value for q in spoilt.quads_for_pattern(None, ox.NamedNode(shacl_sparql.RDF_TYPE), None)}
    used_properties = {q.predicate.value for q in spoilt}
    expected = {}  # row -> the case's name
    for entry, (case, update) in zip(imported.links, _BAD_ROWS.items()):
        update = (update.replace("{L}", f"<{entry.link}>").replace("{P}", f"<{entry.partner}>")
                  .replace("{M}", f"<{entry.municipality}>"))
        update = re.sub(r"sbid:([a-z-]+)/([A-Za-z0-9-]+)", r"<https://w3id.org/stedenbanden/id/\1/\2>", update)
        spoilt.update(_UPDATE_PREFIXES + update)
        expected[entry.row] = case
    shapes = rdflib.Graph()
    for shapes_file in shapes_files():
        shapes.parse(shapes_file, format="turtle")
    subclasses = {c for k in used_classes for c in (k, SB + "PartnerGovernment")}
    applicable = [check for check in shacl_sparql.compile_shapes(shapes)
                  if any((kind == "targetClass" and value in subclasses)
                         or (kind == "targetSubjectsOf" and value in used_properties | {
                             SB + "startYear", SB + "formalisedYear", SB + "endYear", SB + "motive",
                             "http://www.w3.org/2004/02/skos/core#altLabel",
                             "http://www.w3.org/2004/02/skos/core#definition", "http://purl.org/dc/terms/title"})
                         for kind, value in check.targets)]
    assert len(applicable) >= 60

    lines = check_import(spoilt.dump(format=ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph()).decode("utf-8"),
                         imported, files, "links.ttl")
    caught = {}
    for line in lines:
        for row, case in expected.items():
            if line.startswith(f"{path}, row {row}") and line[len(f"{path}, row {row}")] in " :":
                caught.setdefault(case, []).append(line)
    rowless = [line for line in lines if not line.startswith(f"{path}, row ")]
    iri_shape = "https://w3id.org/stedenbanden/def/shapes#DutchMunicipalityIriShape"
    missing = []
    for check in applicable:
        message = check.message.split("{", 1)[0]  # SPARQL messages: the text before the first value
        where = rowless if check.shape == iri_shape else [line for found in caught.values() for line in found]
        if not any(message in line for line in where):
            missing.append((check.shape, check.path, check.component, check.message))
    assert not missing, f"checks that no bad row trips: {missing}"
    iri_cases = {"municipality not named by a TOOI IRI", "municipality as a blank node"}
    assert sorted(caught) == sorted(set(_BAD_ROWS) - iri_cases), f"not reported on their row: {sorted(set(_BAD_ROWS) - iri_cases - set(caught))}"
    assert sum("must be identified by its TOOI IRI" in line for line in rowless) == 3  # x: pattern; blank node: both
    assert f"{path}, row {imported.links[0].row} (dutchMunicipality): A city link needs exactly one" in "\n".join(lines)


def test_a_large_clean_import_is_cleared_without_listing_its_links_for_each_check(tmp_path):
    """On a large import (3,000 synthetic rows), the checks of the values of a city link's
    properties (the values of each path tested once) and of at most one value (sb:maxCount) search
    for candidates without the targets and, finding none, never list the 3,000 links; the links
    are listed only for the checks that need every focus node (sb:minCount: a missing value) and
    for SPARQL constraints that have candidates. Nothing is reported, and spoiling one value still
    is (test_validation_still_checks_the_last_rows_of_a_file)."""
    import rdflib

    from stedenbanden import shacl_sparql
    from stedenbanden.resources import ontology_files, shapes_files
    from stedenbanden.synthetic import links_csv

    kb = index_of(data_files())
    path = tmp_path / "links.csv"
    path.write_text(links_csv(3_000, kb), encoding="utf-8")
    turtle = tmp_path / "links.ttl"
    turtle.write_text(links_turtle(read_links_csv(path, kb)), encoding="utf-8")
    oxstore = store.load([*ontology_files(), *data_files(), turtle])
    shapes = rdflib.Graph()
    for shapes_file in shapes_files():
        shapes.parse(shapes_file, format="turtle")
    queries = []

    class Counting:
        def __len__(self):
            return len(oxstore)

        def query(self, text):
            queries.append(text)
            return oxstore.query(text)

    assert shacl_sparql.run(Counting(), shacl_sparql.compile_shapes(shapes)) == []
    links = f"{{ SELECT DISTINCT ?this WHERE {{ {{ VALUES ?class {{ <{SB}CityLink> }} ?this a ?class }} }} }}"
    listing = [q for q in queries if links in q and "OFFSET" not in q]
    assert listing and not [q for q in listing if "?value" in q or "!sameTerm(" in q], listing
    assert len(listing) <= 3, listing
