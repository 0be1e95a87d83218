"""Remote SPARQL endpoints against a real Oxigraph server on 127.0.0.1 (started by the fixture,
loaded with ``kb load``, stopped by its process id), and every error a user meets against a real
socket: a closed port, tiny local HTTP servers answering 500, HTML, 401 or nothing in time, and a
store without Graph Store support."""

import csv
import io
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from stedenbanden import catalogue, server
from stedenbanden.cli import cli
from stedenbanden.remote import Endpoint
from stedenbanden.resources import resource

QUERIES = catalogue.catalogue()
GRAPH = "https://w3id.org/stedenbanden/graph/test"


def kbcli(*args, input=None, env=None):
    """Run ``kb ARGS`` through CliRunner."""
    return CliRunner(env=env).invoke(cli, list(args), input=input)


@pytest.fixture(scope="module")
def endpoint():
    """A real Oxigraph server on a free local port with the KB loaded by ``kb load``."""
    port = server.free_port()
    process = subprocess.Popen([server.oxigraph_binary(), "serve", "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        server._wait_until_listening(process, "127.0.0.1", port)
        url = f"http://127.0.0.1:{port}/query"
        result = kbcli("load", "--endpoint", url)
        assert result.exit_code == 0, result.output
        yield url
    finally:
        os.kill(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    assert process.poll() is not None


def remote_count(url, graph=None):
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    return Endpoint(url, graph=graph).select(query).rows[0][0]


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_stored_query_parity(name, endpoint, kb):
    """Each stored query gives identical rows on the embedded store and on the Oxigraph server."""
    query = QUERIES[name]
    assert query.run(Endpoint(endpoint)) == query.run(kb)


@pytest.mark.parametrize("params", [{"country": "GH"}, {"status": "named", "cbs_code": "GM0599"},
                                    {"municipality": '"} ; DROP ALL ; #'}])
def test_parameters_are_bound_the_same_way(params, endpoint, kb):
    links = QUERIES["links"]
    assert links.run(Endpoint(endpoint), params) == links.run(kb, params)


def test_load_prints_the_number_of_triples_and_replaces(endpoint, kb):
    count = len({(q.subject, q.predicate, q.object) for q in kb})
    result = kbcli("load", "--endpoint", endpoint)
    assert result.exit_code == 0
    assert result.stdout == f"Loaded {count} triples into the default graph at {endpoint} (Graph Store HTTP Protocol).\n"
    assert remote_count(endpoint) == count  # loading twice replaces, it does not add


def test_superclass_queries_on_the_loaded_endpoint(endpoint):
    """kb load puts the materialised RDFS entailments into the store: the same answers there."""
    query = ("PREFIX org: <http://www.w3.org/ns/org#>\nPREFIX sb: <https://w3id.org/stedenbanden/def#>\n"
             "SELECT (COUNT(DISTINCT ?l) AS ?collaborations) (COUNT(DISTINCT ?p) AS ?partner_governments) "
             "(COUNT(DISTINCT ?m) AS ?members) WHERE { { ?l a org:OrganizationalCollaboration } "
             "UNION { ?p a sb:PartnerGovernment } UNION { ?x org:hasMember ?m } }")
    out = kbcli("sparql", "-", "--endpoint", endpoint, "--format", "csv", input=query)
    assert out.stdout.splitlines() == ["collaborations,partner_governments,members", "31,26,43"]


def test_load_into_a_named_graph_and_query_it(endpoint):
    result = kbcli("--data", str(resource("data") / "city-links.ttl"), "load", "--endpoint", endpoint, "--graph", GRAPH)
    assert result.exit_code == 0, result.output
    assert f"into graph <{GRAPH}>" in result.stdout
    ask = "PREFIX sb: <https://w3id.org/stedenbanden/def#> SELECT (COUNT(?l) AS ?n) WHERE { ?l a sb:CityLink }"
    out = kbcli("sparql", "-", "--endpoint", endpoint, "--graph", GRAPH, "--format", "csv", input=ask)
    assert out.stdout == "n\n31\n"


def test_failed_load_leaves_the_previous_content(endpoint, tmp_path):
    before = remote_count(endpoint)
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ", encoding="utf-8")
    result = kbcli("--data", str(broken), "load", "--endpoint", endpoint)
    assert result.exit_code == 1
    assert "Turtle syntax error" in result.stderr
    assert remote_count(endpoint) == before


def test_update_is_used_when_the_store_has_no_graph_store(endpoint, tmp_path):
    result = kbcli("load", "--endpoint", endpoint, "--graph", GRAPH + "/update",
                "--store-endpoint", endpoint.replace("/query", "/no-graph-store"))
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("(SPARQL Update).\n")
    assert remote_count(endpoint, GRAPH + "/update") == remote_count(endpoint)


def test_report_against_the_endpoint(endpoint):
    result = kbcli("report", "--endpoint", endpoint, "--format", "csv")
    assert result.exit_code == 0, result.output
    statuses = [row["status"] for row in csv.DictReader(io.StringIO(result.stdout))]
    assert len(statuses) == 36 and set(statuses) == {"OK"}


@pytest.mark.parametrize("fixture, exit_code, statuses", [
    ("ghana", 1, {"links-GH": "CONTRADICTED"}),
    ("changed", 1, {"links-TR": "MISMATCH", "links-country-sum": "MISMATCH"}),
])
def test_report_against_the_endpoint_fails_as_locally(fixture, exit_code, statuses, endpoint, tmp_path):
    """Named links outnumbering a figure (CONTRADICTED) and a changed figure (MISMATCH) give the
    local report and exit code on the Oxigraph server too."""
    import shutil

    if fixture == "ghana":
        data = [resource("data"), Path(__file__).parent / "fixtures" / "ghana-five-named-links.ttl"]
    else:
        data = [tmp_path / "data"]
        shutil.copytree(resource("data"), data[0])
        stats = data[0] / "statistics-2007.ttl"
        stats.write_text(stats.read_text(encoding="utf-8").replace("sb:numberOfCityLinks 13 ;", "sb:numberOfCityLinks 12 ;"),
                         encoding="utf-8")
    options = [arg for path in data for arg in ("--data", str(path))]
    graph = f"{GRAPH}/{fixture}"
    assert kbcli(*options, "load", "--endpoint", endpoint, "--graph", graph).exit_code == 0
    remote = kbcli("report", "--endpoint", endpoint, "--graph", graph, "--format", "csv")
    local = kbcli(*options, "report", "--format", "csv")
    assert (remote.exit_code, remote.stdout, remote.stderr) == (local.exit_code, local.stdout, local.stderr)
    assert remote.exit_code == exit_code
    assert {r["id"]: r["status"] for r in csv.DictReader(io.StringIO(remote.stdout)) if r["status"] != "OK"} == statuses


def test_query_command_output_is_identical(endpoint):
    for fmt in ("table", "json"):
        assert kbcli("query", "countries", "--endpoint", endpoint, "--format", fmt).stdout == kbcli("query", "countries", "--format", fmt).stdout


def test_sparql_ask_and_construct_remotely(endpoint):
    ask = "PREFIX sb: <https://w3id.org/stedenbanden/def#> ASK { ?l a sb:CityLink }"
    assert kbcli("sparql", "-", "--endpoint", endpoint, input=ask).stdout == "true\n"
    construct = ("PREFIX sb: <https://w3id.org/stedenbanden/def#> CONSTRUCT { ?l a sb:CityLink } WHERE "
                 "{ ?l a sb:CityLink ; sb:evidenceStatus <https://w3id.org/stedenbanden/id/status/named> }")
    assert kbcli("sparql", "-", "--endpoint", endpoint, input=construct).stdout == kbcli("sparql", "-", input=construct).stdout


def test_update_is_refused_before_it_is_sent(endpoint):
    result = kbcli("sparql", "-", "--endpoint", endpoint, input="DELETE WHERE { ?s ?p ?o }")
    assert result.exit_code == 1
    assert "read-only" in result.stderr
    assert remote_count(endpoint) > 0


# --- errors against real sockets -----------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    """Answers every request with the class's ``status``, ``content_type`` and ``body`` after ``delay`` s."""

    status, content_type, body, delay = 200, "text/plain", b"", 0.0
    seen_auth: list = []

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.seen_auth.append(self.headers.get("Authorization"))
        time.sleep(self.delay)
        try:
            self.send_response(self.status)
            self.send_header("Content-Type", self.content_type)
            self.send_header("Content-Length", str(len(self.body)))
            self.end_headers()
            self.wfile.write(self.body)
        except OSError:
            pass  # the client gave up (timeout test)

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_server():
    """Start a tiny HTTP server on 127.0.0.1 answering as configured; yield (url, configure)."""
    servers = []

    def start(status=200, content_type="text/plain", body=b"", delay=0.0):
        handler = type("H", (Handler,), {"status": status, "content_type": content_type, "body": body,
                                         "delay": delay, "seen_auth": []})
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        httpd.daemon_threads = True
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
        return f"http://127.0.0.1:{httpd.server_address[1]}/query", handler

    yield start
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


def test_closed_port():
    url = f"http://127.0.0.1:{server.free_port()}/query"
    result = kbcli("query", "countries", "--endpoint", url)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: cannot connect to {url}: connection refused; is the endpoint running?"


def test_unknown_host():
    result = kbcli("query", "countries", "--endpoint", "http://no-such-host.invalid/query", "--timeout", "5")
    assert result.exit_code == 1
    assert "Error: cannot connect to http://no-such-host.invalid/query: unknown host" in result.stderr


def test_http_500_shows_the_servers_message(fake_server):
    url, _ = fake_server(status=500, body=b"Query engine crashed: out of memory\nstack...")
    result = kbcli("query", "countries", "--endpoint", url)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {url} answered HTTP 500: Query engine crashed: out of memory"


def test_html_instead_of_results(fake_server):
    url, _ = fake_server(content_type="text/html", body=b"<!DOCTYPE html><html><body>Welcome</body></html>")
    result = kbcli("query", "countries", "--endpoint", url)
    assert result.exit_code == 1
    assert "answered with an HTML page, not SPARQL results" in result.stderr
    assert "Traceback" not in result.output


def test_timeout(fake_server):
    url, _ = fake_server(delay=3.0, content_type="application/sparql-results+json", body=b"{}")
    started = time.monotonic()
    result = kbcli("query", "countries", "--endpoint", url, "--timeout", "0.5")
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {url} did not answer within 0.5 s; raise --timeout or check the endpoint"
    assert time.monotonic() - started < 3.0


def test_credentials_are_sent_and_never_echoed(fake_server):
    url, handler = fake_server(status=401, body=b"Unauthorized")
    result = kbcli("query", "countries", "--endpoint", url, "--user", "anna",
                env={"KB_ENDPOINT_PASSWORD": "s3cret-pass"})
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {url} answered HTTP 401: Unauthorized"
    assert handler.seen_auth and handler.seen_auth[0].startswith("Basic ")
    assert "s3cret-pass" not in result.output


def test_store_without_graph_store_or_update(fake_server):
    url, _ = fake_server(status=405, body=b"Method Not Allowed")
    result = kbcli("load", "--endpoint", url)
    assert result.exit_code == 1
    assert "the store accepts neither the Graph Store HTTP Protocol" in result.stderr
    assert "HTTP 405: Method Not Allowed" in result.stderr


def test_endpoint_must_be_http():
    result = kbcli("query", "countries", "--endpoint", "127.0.0.1:7878/query")
    assert result.exit_code == 2
    assert "not an http(s) URL" in result.stderr


def test_serve_starts_answers_and_stops_cleanly():
    """``kb serve`` prints its query URL, answers queries, and on Ctrl-C stops with no process left."""
    process = subprocess.Popen([sys.executable, "-m", "stedenbanden", "serve", "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert line.startswith("SPARQL endpoint: http://127.0.0.1:"), line + process.stderr.read()
        url = line.split()[2]
        result = kbcli("query", "countries", "--endpoint", url)
        assert result.exit_code == 0 and "Turkey" in result.stdout
        children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
        assert len(children) == 1
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)
        assert process.returncode == 0
        assert "Stopped." in process.stdout.read()
        for pid in children:
            with pytest.raises(ProcessLookupError):
                os.kill(int(pid), 0)
    finally:
        if process.poll() is None:
            process.kill()


def test_load_checks_the_triple_count_afterwards(fake_server):
    """A store that accepts the load but then holds another number of triples is an error, not a success."""
    body = b'{"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "literal", "datatype": "http://www.w3.org/2001/XMLSchema#integer", "value": "5"}}]}}'
    url, _ = fake_server(content_type="application/sparql-results+json", body=body)
    result = kbcli("load", "--endpoint", url)
    assert result.exit_code == 1
    assert "after the load the store holds 5 triples in the default graph, but" in result.stderr
    assert "load into one with --graph IRI" in result.stderr
