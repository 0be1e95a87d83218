"""Bad input never loses data or shows a traceback: each case gives one clear line, the documented
exit code (1: the data or query is wrong; 2: the command was used wrongly) and leaves files as they
were. Fixtures are small files made here or in tests/fixtures/."""

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from local_http import QuietHandler, serving
from stedenbanden.cli import cli
from stedenbanden.resources import resource

FIXTURES = Path(__file__).parent / "fixtures"
PREFIXES = "@prefix ex: <http://example.org/> .\n"


def kb(*args, input=None):
    result = CliRunner().invoke(cli, [str(a) for a in args], input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


@pytest.mark.parametrize("name, text, line, column, says", [
    ("missing-final-dot", PREFIXES + "ex:a ex:b ex:c\n", 3, 1, "Unexpected end (is a statement missing its final '.'"),
    ("undeclared-prefix", PREFIXES + "ex:a foo:b ex:c .\n", 2, 6, "The prefix foo: has not been declared (declare it at the top of the file: @prefix foo: <...> .)"),
    ("unterminated-string", PREFIXES + 'ex:a ex:b "open .\n', 2, 11, "Unexpected end of file"),
    ("iri-with-space", PREFIXES + "ex:a ex:b <http://example.org/a b> .\n", 2, 11, "Invalid IRI code point ' ' (an IRI cannot contain a space"),
    ("bad-escape", PREFIXES + 'ex:a ex:b "bad \\q" .\n', 2, 16, "Unexpected escape character '\\q' (allowed escapes"),
])
def test_turtle_syntax_error(tmp_path, name, text, line, column, says):
    path = tmp_path / f"{name}.ttl"
    path.write_text(text, encoding="utf-8")
    result = kb("--data", path, "query", "themes")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path}, line {line}, column {column}: Turtle syntax error: ")
    assert says in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_latin1_file_names_the_line_and_the_fix(tmp_path):
    path = tmp_path / "latin1.ttl"
    path.write_bytes((PREFIXES + 'ex:a ex:b "caf\xe9" .\n').encode("latin-1"))
    result = kb("--data", path, "query", "themes")
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {path}, line 2: the file is not UTF-8; save it as UTF-8, the encoding Turtle requires"


def test_byte_order_mark_is_accepted(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for f in resource("data").glob("*.ttl"):
        (data / f.name).write_bytes(b"\xef\xbb\xbf" + f.read_bytes())
    assert kb("--data", data, "query", "millennium", "--format", "csv").stdout.splitlines()[1].startswith("7,22,31.8")


NAMES = ["Adapazarı", "Gölcük", "São Vicente", "Curaçao", "İstanbul", "Kırşehir"]


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json", "md"])
def test_non_ascii_names_round_trip_in_every_format(tmp_path, fmt):
    path = tmp_path / "names.ttl"
    path.write_text(PREFIXES + "".join(f'ex:p{i} ex:name "{n}"@tr .\n' for i, n in enumerate(NAMES)), encoding="utf-8")
    query = tmp_path / "names.rq"
    query.write_text("SELECT ?name WHERE { ?p <http://example.org/name> ?name } ORDER BY ?p", encoding="utf-8")
    out = kb("--data", path, "sparql", query, "--format", fmt).stdout
    if fmt == "json":
        assert [row["name"] for row in json.loads(out)] == NAMES
    for name in NAMES:
        assert name in out


def test_empty_file(tmp_path):
    path = tmp_path / "empty.ttl"
    path.write_text("# nothing yet\n", encoding="utf-8")
    result = kb("validate", path)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {path}: the file holds no RDF triples; check that it was saved completely"


def test_folder_without_turtle(tmp_path):
    result = kb("validate", tmp_path)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"Error: {tmp_path}: folder holds no RDF file (*.ttl, *.nt, *.nq, *.trig, *.jsonld, *.rdf); name an RDF file or a folder of them"


def test_missing_file():
    result = kb("validate", "no-such.ttl")
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: no-such.ttl: no such file or folder"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_file(tmp_path):  # pragma: no cover - runs for non-root users
    path = tmp_path / "secret.ttl"
    path.write_text(PREFIXES + "ex:a ex:b ex:c .\n", encoding="utf-8")
    path.chmod(0)
    result = kb("validate", path)
    assert result.exit_code == 1
    assert "cannot read the file (Permission denied)" in result.stderr


def test_same_file_twice_is_checked_once(tmp_path):
    result = kb("validate", FIXTURES / "ghana-two-more-candidates.ttl", "--with-kb",
                FIXTURES / ".." / "fixtures" / "ghana-two-more-candidates.ttl")
    assert result.exit_code == 0, result.output  # two more candidates are no contradiction
    assert "OK: 9 file(s) conform" in result.stdout  # the 8 data files and the fixture once


# --- queries ------------------------------------------------------------------------------------

def test_empty_query():
    result = kb("sparql", "-", input="")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: <stdin>: the query is empty")


def test_query_with_byte_order_mark(tmp_path):
    path = tmp_path / "bom.rq"
    path.write_bytes(b"\xef\xbb\xbfASK { ?s ?p ?o }")
    assert kb("sparql", path).stdout == "true\n"


def test_update_after_a_commented_prefix_is_refused():
    update = "PREFIX sb: <https://w3id.org/stedenbanden/def#> # a comment\nINSERT DATA { sb:a sb:b sb:c }"
    result = kb("sparql", "-", input=update)
    assert result.exit_code == 1
    assert "this is a SPARQL update; the knowledge base is read-only here" in result.stderr


def test_query_that_fails_while_running():
    service = "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"
    result = kb("sparql", "-", "--allow-service", input=service)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: a remote SERVICE named in <stdin> failed:")


def test_query_file_that_is_a_folder(tmp_path):
    result = kb("sparql", tmp_path)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"Error: {tmp_path}: is a folder; give a query file"


@pytest.mark.parametrize("args, message", [
    (["query", "links", "-p", "country=,"], "Error: --param country: give a value, e.g. --param country=TR"),
    (["query", "links", "-p", "municipality="], "Error: --param municipality: give a value, e.g. --param municipality=Rotterdam"),
    (["query", "links", "-p", "municipality=  "], "Error: --param municipality: give a value, e.g. --param municipality=Rotterdam"),
    (["query", "links", "-p", "cbs_code="], "Error: --param cbs_code: give a value, e.g. --param cbs_code=GM0599"),
    (["query", "links", "-p", "cbs_code=GM59"], "Error: --param cbs_code=GM59: expected a CBS municipality code, GM and four digits (e.g. GM0599)"),
    (["query", "themes", "--list"], "Error: --list takes no query name or --param; run `kb query --list` alone"),
    (["validate", "--with-kb"], "Error: --with-kb goes with files to check: kb validate --with-kb FILE..."),
    (["sparql", "-", "--format", "json"], "Error: CONSTRUCT results are printed as N-Triples; leave out --format"),
])
def test_usage_mistakes(args, message):
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1"
    result = kb(*args, input=construct)
    assert result.exit_code == 2
    assert result.stderr.strip() == message


def test_lower_case_cbs_code_is_accepted():
    rows = kb("query", "links", "-p", "cbs_code=gm0505", "--format", "csv").stdout.splitlines()
    assert len(rows) == 2 and ",GM0505," in rows[1]


def test_value_with_quotes_and_braces_is_a_literal():
    hostile = 'Rotterdam" } ; DROP ALL ; SELECT * { ?s ?p ?o } #'
    result = kb("query", "links", "-p", f"municipality={hostile}", "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [result.stdout.splitlines()[0]]
    assert len(kb("query", "links", "-p", "municipality=Rotterdam", "--format", "csv").stdout.splitlines()) == 8


def test_line_breaks_in_values_keep_tables_intact(tmp_path):
    query = 'SELECT ?a ?b WHERE { VALUES (?a ?b) { ("one\\ntwo" "x|y") } }'
    table = kb("sparql", "-", input=query).stdout.splitlines()
    assert len(table) == 3 and "one\\ntwo" in table[2]
    assert "x\\|y" in kb("sparql", "-", "--format", "md", input=query).stdout


# --- data that contradicts itself ---------------------------------------------------------------

def test_two_observations_of_one_figure_are_reported():
    dup = Path(__file__).parent / "shapes" / "invalid" / "observation-duplicate.ttl"
    result = kb("validate", "--with-kb", dup, "--format", "csv")
    assert result.exit_code == 1
    assert "links-theme-education-again" in result.stdout
    report = kb("report", "--extra-data", dup, "--format", "csv")
    assert report.exit_code == 1
    assert "theme-education," in report.stdout and "AMBIGUOUS (2 rows)" in report.stdout


# --- output -------------------------------------------------------------------------------------

def test_output_file_is_written_whole(tmp_path):
    target = tmp_path / "countries.csv"
    assert kb("query", "countries", "--format", "csv", "-o", target).exit_code == 0
    assert target.read_text(encoding="utf-8").splitlines()[1] == "TR,Turkey,13,33.3,NCDO 2008, section Aantal stedenbanden".replace(
        "NCDO 2008, section Aantal stedenbanden", '"NCDO 2008, section Aantal stedenbanden"')
    assert [p.name for p in tmp_path.iterdir()] == ["countries.csv"]
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # not left private by the temporary file


def test_output_into_a_missing_folder(tmp_path):
    result = kb("query", "countries", "-o", tmp_path / "nope" / "x.csv")
    assert result.exit_code == 2
    assert result.stderr.strip() == f"Error: {tmp_path / 'nope' / 'x.csv'}: the folder {tmp_path / 'nope'} does not exist; create it or choose another path"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into read-only folders")
def test_output_into_a_read_only_folder(tmp_path):  # pragma: no cover - runs for non-root users
    tmp_path.chmod(0o500)
    try:
        result = kb("query", "countries", "-o", tmp_path / "x.csv")
        assert result.exit_code == 1 and "cannot write the file" in result.stderr
    finally:
        tmp_path.chmod(0o700)


def test_failed_command_leaves_the_previous_output(tmp_path):
    target = tmp_path / "report.csv"
    target.write_text("previous report\n", encoding="utf-8")
    result = kb("--data", FIXTURES / "broken-unterminated-string.ttl", "report", "-o", target)
    assert result.exit_code == 1
    assert target.read_text(encoding="utf-8") == "previous report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.csv"]


def test_interrupted_write_leaves_no_partial_file(tmp_path, monkeypatch):
    """Ctrl-C (or a full disk) in the middle of writing: the old file stays, no temporary is left."""
    from stedenbanden import formats

    target = tmp_path / "links.csv"
    formats.emit("old\n", target)  # an earlier output of kb (it replaces only its own files)

    def interrupted(fd, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(formats.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        formats.emit("new content\n", target)
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["links.csv"]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
def test_full_disk_is_one_line():
    with open("/dev/full", "w") as full:
        import subprocess
        import sys

        done = subprocess.run([sys.executable, "-m", "stedenbanden", "query", "links"], stdout=full,
                              stderr=subprocess.PIPE, text=True)
    assert done.returncode == 1
    assert done.stderr.strip() == "Error: cannot write the output: No space left on device"


def test_validate_json_when_everything_conforms():
    result = kb("validate", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


# --- found by a fresh user trying the README (issues 6 and 10) -----------------------------------

import subprocess  # noqa: E402
import sys  # noqa: E402

MINE = ("@prefix sb: <https://w3id.org/stedenbanden/ontology#> .\n"
        "<https://w3id.org/stedenbanden/id/link/x> a sb:CityLink .\n")


def kb_process(*args, input=None, memory=None, cwd=None, timeout=300):
    """Run ``python -m stedenbanden ARGS`` in a subprocess, its address space limited to ``memory`` bytes."""
    def limit():
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return subprocess.run([sys.executable, "-m", "stedenbanden", *map(str, args)], input=input, text=True,
                          capture_output=True, timeout=timeout, cwd=cwd, preexec_fn=limit if memory else None)


def test_validate_of_standard_input_as_a_pipe_is_one_line():
    done = kb_process("validate", "/dev/stdin", input=MINE)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("Error: /dev/stdin: is a pipe or a device, not a file; kb reads data files "
                                  "more than once, so save the data to a file first")
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("command", [["query", "countries"], ["validate"]])
def test_extra_data_from_a_fifo_is_refused(tmp_path, command):
    fifo = tmp_path / "data.ttl"
    os.mkfifo(fifo)  # nobody writes: kb must not open it (that blocks: the timeout fails the test)
    done = kb_process(*command, "--extra-data", fifo, timeout=120)
    assert done.returncode == 2
    assert done.stderr.startswith(f"Error: {fifo}: is a pipe or a device, not a file")


def test_extra_data_from_standard_input_is_refused():
    done = kb_process("query", "countries", "--extra-data", "/dev/stdin", input=MINE)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("Error: /dev/stdin: is a pipe or a device, not a file")


def test_a_query_file_over_the_limit_is_refused(tmp_path, monkeypatch):
    from stedenbanden import cli as cli_module

    monkeypatch.setattr(cli_module, "MAX_QUERY_BYTES", 100)
    query = tmp_path / "long.rq"
    query.write_text("SELECT * WHERE { ?s ?p ?o }" + " " * 200 + "LIMIT 1\n", encoding="utf-8")
    result = kb("sparql", query)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {query}: the query is longer than 0 MiB; is it really a query file?"


def test_sparql_on_dev_zero_stops_at_the_limit():
    # before the limit, this read /dev/zero until the address-space limit: a MemoryError traceback
    done = kb_process("sparql", "/dev/zero", memory=3 << 30)
    assert done.returncode == 1
    assert done.stderr.strip() == "Error: /dev/zero: the query is longer than 16 MiB; is it really a query file?"


def test_import_csv_on_dev_zero_stops_at_the_limit(tmp_path):
    done = kb_process("import-csv", "/dev/zero", "-o", tmp_path / "z.ttl", memory=3 << 30)
    assert done.returncode == 1
    assert done.stderr.strip() == ("Error: /dev/zero: the file is longer than 64 MiB; is it really a spreadsheet "
                                   "of city links? Split it into smaller files")
    assert not (tmp_path / "z.ttl").exists()


def test_import_csv_of_one_huge_line_names_the_cell_limit(tmp_path):
    sheet = tmp_path / "one-line.csv"
    sheet.write_text("cbs_code," + "a" * 200_000, encoding="utf-8")
    result = kb("import-csv", sheet, "-o", tmp_path / "out.ttl")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {sheet}: a cell is longer than 131,072 characters")
    assert "is it a CSV file with line ends, and are its quotes closed?" in result.stderr
    assert not (tmp_path / "out.ttl").exists()


@pytest.mark.parametrize("option", ["--data", "--extra-data"])
@pytest.mark.parametrize("command", [["query", "countries"], ["report"], ["cite"], ["sparql", "-"]])
def test_endpoint_with_local_data_is_refused(tmp_path, option, command):
    mine = tmp_path / "mine.ttl"
    mine.write_text(MINE, encoding="utf-8")
    result = kb(*command, "--endpoint", "http://127.0.0.1:9/query", option, mine, input="ASK {}\n")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: --endpoint and {option} do not go together")
    assert len(result.stderr.strip().splitlines()) == 1


def test_output_dash_is_standard_output(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = kb("query", "countries", "--format", "csv", "-o", "-")
    assert result.exit_code == 0
    assert result.stdout.startswith("code,country")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", [["query", "countries"], ["cite"], ["generate", "-n", "10000"]])
def test_output_dash_is_standard_output_for_every_command(tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    result = kb(*command, "-o", "-")
    assert result.exit_code == 0
    assert result.stdout
    assert list(tmp_path.iterdir()) == []


def test_output_into_a_folder_that_does_not_exist_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = kb("query", "countries", "-o", "newdir/")
    assert result.exit_code == 2
    assert "newdir/: ends with '/', so it names a folder, and there is no such folder" in result.stderr
    assert list(tmp_path.iterdir()) == []



@pytest.mark.parametrize("command", [["query", "countries"], ["sparql", "-"], ["report"]])
def test_empty_output_name_is_refused(tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    result = kb(*command, "-o", "", input="SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert result.exit_code == 2
    assert "'-o': the file name is empty; give a file name, or - for standard output" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args, message", [
    (["sparql", ""], "Invalid value for '[FILE]': the name is empty; give a file or folder name"),
    (["validate", ""], "Invalid value for '[PATHS]...': the name is empty; give a file or folder name"),
    (["query", "countries", "--data", ""], "Invalid value for '--data': the name is empty; give a file or folder name"),
    (["report", "--extra-data", ""], "Invalid value for '--extra-data': the name is empty; give a file or folder name"),
    (["publish", ""], "Invalid value for 'OUTDIR': the name is empty; give a folder name"),
    (["import-csv", ""], "Invalid value for '[FILE]': the name is empty; give a file or folder name"),
])
def test_empty_path_is_not_the_current_folder(tmp_path, monkeypatch, args, message):
    # Path("") is "."; `kb validate ''` used to check every Turtle file in the current folder
    (tmp_path / "other.ttl").write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = kb(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.ttl"]

@pytest.fixture
def other_columns_endpoint():
    """A tiny SPARQL endpoint on 127.0.0.1 that answers every query with one row of other columns."""
    body = json.dumps({"head": {"vars": ["s", "p"]}, "results": {"bindings": [
        {"s": {"type": "uri", "value": "http://example.org/a"}, "p": {"type": "uri", "value": "http://example.org/b"}}]}}
    ).encode()

    class Handler(QuietHandler):
        def _answer(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

    with serving(Handler) as base:
        yield f"{base}/query"


@pytest.mark.parametrize("command, query, missing", [
    (["report"], "budget", "code"),
    (["cite", "links-GH"], "sources", "source"),
    (["query", "countries"], "countries", "code"),
])
def test_an_endpoint_without_the_querys_columns_is_one_line(other_columns_endpoint, command, query, missing):
    url = other_columns_endpoint
    result = kb(*command, "--endpoint", url)
    assert result.exit_code == 1
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1
    assert message.startswith(f"Error: {url}: the answer to the stored query ")
    assert "lacks the column(s) " in message and missing in message.split("lacks the column(s) ")[1]
    assert "(it has: s, p); the endpoint may hold other data than the knowledge base" in message
    if query:
        assert f"stored query {query} lacks" in message


@pytest.mark.parametrize("value", ["inf", "nan", "1e12", "-inf"])
def test_a_timeout_that_is_not_a_real_number_of_seconds_is_a_usage_error(value):
    """--timeout inf ended in an OverflowError traceback and nan failed every query at once."""
    result = CliRunner().invoke(cli, ["sparql", "-", "--timeout", value], input="ASK {}\n")
    assert result.exit_code == 2, result.output
    assert "Invalid value for '--timeout'" in result.output and "Traceback" not in result.output


def test_sparql_error_at_the_end_says_so_and_stays_short():
    result = kb("sparql", "-", input="SELECT * WHERE { ?s ?p ")
    assert result.exit_code == 1
    message = result.stderr.strip()
    assert message.startswith("Error: <stdin>, line 1, column 24 (the end of the query): SPARQL syntax error: expected one of ")
    assert message.endswith(", …") and len(message) < 320  # Oxigraph's own list runs to about 700 characters
    assert len(message.splitlines()) == 1


def test_sparql_error_inside_the_query_gives_its_place_only():
    result = kb("sparql", "-", input="SELECT * WHERE { ?s ?p ?o ] LIMIT 1")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: <stdin>, line 1, column 35: SPARQL syntax error: ")
    assert "end of the query" not in result.stderr


def test_empty_result_with_data_says_that_data_replaces_the_shipped_data():
    # ghana-two-more-candidates.ttl holds two links and no published figure: themes has no row
    alone = kb("--data", FIXTURES / "ghana-two-more-candidates.ttl", "query", "themes", "--format", "csv")
    assert alone.exit_code == 0
    assert alone.stdout.splitlines()[1:] == []
    assert "kb: no rows. --data replaces the shipped data" in alone.stderr and "use --extra-data" in alone.stderr
    added = kb("--extra-data", FIXTURES / "ghana-two-more-candidates.ttl", "query", "themes", "--format", "csv")
    assert added.exit_code == 0 and len(added.stdout.splitlines()) == 14 and added.stderr == ""
    check = kb("--data", FIXTURES / "ghana-two-more-candidates.ttl", "query", "country-sum-violation")
    assert check.exit_code == 0 and "no rows" not in check.stderr  # no rows is what a violation check wants


@pytest.mark.skipif(not Path("/dev/stdout").is_symlink(), reason="/dev/stdout is a link on Linux")
def test_output_to_dev_stdout_into_a_pipe():
    done = subprocess.run([sys.executable, "-m", "stedenbanden", "query", "countries", "--format", "csv", "-o", "/dev/stdout"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1] == 'TR,Turkey,13,33.3,"NCDO 2008, section Aantal stedenbanden"'


ESCAPES = 'SELECT ?a ?b WHERE { VALUES (?a ?b) { ("x\\u001b[2Jy" "t\\u001b]0;title\\u0007z\\ttab\\u0085c1") } }'


@pytest.mark.parametrize("fmt", ["table", "md"])
def test_control_characters_in_data_cannot_reach_the_terminal(fmt):
    # a label holding ESC [2J (clear the screen) or ESC ] 0; ... BEL (set the window title)
    result = kb("sparql", "-", "--format", fmt, input=ESCAPES)
    assert result.exit_code == 0
    assert "x\\x1b[2Jy" in result.stdout and "t\\x1b]0;title\\x07z\\ttab\\x85c1" in result.stdout
    assert not any(ord(c) < 32 and c != "\n" or 0x7f <= ord(c) <= 0x9f for c in result.stdout)


def test_csv_into_a_pipe_keeps_the_data_exactly():
    # Click strips what looks like ANSI styling from output that is not a terminal: ESC [2J was lost
    done = subprocess.run([sys.executable, "-m", "stedenbanden", "sparql", "-", "--format", "csv"],
                          input=ESCAPES.encode(), capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "a,b\nx\x1b[2Jy,t\x1b]0;title\x07z\ttab\x85c1\n".encode()
