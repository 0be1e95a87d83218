"""``kb serve`` as a user runs it (a real process): it never touches another server on its port,
serves read-only with a per-query time limit, warns about non-loopback hosts, and leaves no
Oxigraph server behind however it is stopped."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from stedenbanden import server
from stedenbanden.remote import Endpoint

HEAVY = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l "
         "FILTER(STR(?a) != STR(?l)) }")


def start(*args, env=None):
    """Start ``kb serve --port 0 ARGS`` (in the environment ``env``: default this one); return
    the process and its query URL."""
    process = subprocess.Popen([sys.executable, "-m", "stedenbanden", "serve", "--port", "0", *args], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    assert line.startswith("SPARQL endpoint: http://127.0.0.1:"), line + process.stderr.read()
    return process, line.split()[2]


def children(pid):
    return [int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()]


def gone(pid, within=10.0):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def count(url):
    return Endpoint(url).select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0][0]


def test_port_in_use_is_one_line_and_the_other_server_is_untouched():
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.command)
            self.send_response(200)
            self.end_headers()

        do_PUT = do_POST = do_DELETE = do_GET

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    port = httpd.server_address[1]
    try:
        done = subprocess.run([sys.executable, "-m", "stedenbanden", "serve", "--port", str(port)],
                              capture_output=True, text=True, timeout=60)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert done.returncode == 1
    assert done.stderr.strip() == (f"Error: port {port} on 127.0.0.1 is already in use; stop what listens there "
                                   "or choose another --port")
    assert "SPARQL endpoint" not in done.stdout
    assert seen == []


def test_read_only_by_default():
    process, url = start()
    try:
        assert "Read-only" in process.stdout.readline()
        before = count(url)
        assert before > 1000
        base = url.rsplit("/", 1)[0]
        for request in (urllib.request.Request(f"{base}/store?default", method="DELETE"),
                        urllib.request.Request(f"{base}/update", method="POST", data=b"update=CLEAR%20ALL",
                                               headers={"Content-Type": "application/x-www-form-urlencoded"}),
                        urllib.request.Request(f"{base}/store?default", method="PUT", data=b"",
                                               headers={"Content-Type": "application/n-triples"})):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request, timeout=10)
            assert refused.value.code == 403
        assert count(url) == before
        load = subprocess.run([sys.executable, "-m", "stedenbanden", "load", "--endpoint", url],
                              capture_output=True, text=True, timeout=60)
        assert load.returncode == 1
        assert "answered HTTP 403" in load.stderr and "the server was started read-only (kb serve: start it with --writable" in load.stderr
        assert "Virtuoso" not in load.stderr  # the hint about user accounts does not apply here
        assert count(url) == before
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)


def test_writable_on_request_says_so():
    process, url = start("--writable")
    try:
        assert "Writable" in process.stdout.readline()
        base = url.rsplit("/", 1)[0]
        urllib.request.urlopen(urllib.request.Request(f"{base}/store?default", method="DELETE"), timeout=10)
        assert count(url) == 0
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)


def test_a_runaway_query_is_stopped_by_the_time_limit():
    process, url = start("--query-timeout", "1")
    try:
        started = time.monotonic()
        data = urllib.parse.urlencode({"query": HEAVY}).encode()
        with pytest.raises(urllib.error.HTTPError) as stopped:
            urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=12)
        assert stopped.value.code == 503
        assert b"the query ran longer than 1 s" in stopped.value.read()
        assert time.monotonic() - started < 8
        assert count(url) > 1000  # the endpoint answers again, with all its data
        assert len(children(process.pid)) == 1  # the stopped server was replaced, not left running
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)


def test_a_streamed_answer_cut_off_by_the_time_limit_is_seen_as_incomplete():
    """A SELECT whose rows stream out is cut off at the limit without its last chunk, so that the
    client fails instead of taking the part for the whole answer (it was HTTP 200, looking complete)."""
    import http.client

    process, url = start("--query-timeout", "2")
    try:
        data = urllib.parse.urlencode({"query": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"}).encode()
        request = urllib.request.Request(url, data=data, headers={"Accept": "text/csv"})
        with urllib.request.urlopen(request, timeout=20) as answer:
            assert answer.status == 200
            with pytest.raises(http.client.IncompleteRead):
                while answer.read(1 << 20):
                    pass
        complete = urllib.request.Request(url, data=urllib.parse.urlencode({"query": "ASK {}"}).encode(),
                                          headers={"Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(complete, timeout=20) as answer:
            assert json.loads(answer.read()) == {"head": {}, "boolean": True}
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)


@pytest.mark.parametrize("how", ["SIGHUP", "SIGTERM", "SIGKILL"])
def test_no_oxigraph_server_is_left_behind(how):
    process, url = start()
    port = int(urllib.parse.urlsplit(url).port)
    oxigraph = children(process.pid)
    assert len(oxigraph) == 1
    process.send_signal(getattr(signal, how))
    process.wait(timeout=10)
    assert gone(oxigraph[0]), f"the Oxigraph server {oxigraph[0]} is still running after {how}"
    server.check_port_free("127.0.0.1", port)  # raises if the port is still taken


def test_a_killed_servers_folder_is_removed_by_the_next_and_nothing_else(tmp_path):
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    killed, _ = start(env=env)
    left = sorted(tmp_path.glob("kb-serve-*"))
    assert [p.name.split("-")[2] for p in left] == [str(killed.pid)]
    killed.kill()
    killed.wait(timeout=10)
    time.sleep(0.5)  # its Oxigraph server dies with it
    assert sorted(tmp_path.glob("kb-serve-*")) == left  # SIGKILL: nothing could clean up
    others = [tmp_path / "kb-serve-1-unmarked", tmp_path / f"kb-serve-{os.getpid()}-alive"]
    for folder in others:
        folder.mkdir()
    (others[1] / server.SERVE_MARK).write_text(f"{os.getpid()}\n")
    process, _ = start(env=env)
    try:
        names = sorted(p.name for p in tmp_path.glob("kb-serve-*"))
        assert left[0].name not in names
        assert {"kb-serve-1-unmarked", f"kb-serve-{os.getpid()}-alive"} <= set(names)
        assert len(names) == 3  # the two above and the new server's own
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)
    assert sorted(p.name for p in tmp_path.glob("kb-serve-*")) == ["kb-serve-1-unmarked", f"kb-serve-{os.getpid()}-alive"]


def test_unresolvable_host_is_named():
    done = subprocess.run([sys.executable, "-m", "stedenbanden", "serve", "--host", "no-such-host.invalid"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip() == ("Error: --host no-such-host.invalid: cannot resolve this host name; "
                                   "give an address of this machine, e.g. 127.0.0.1")


@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("localhost", True), ("::1", True),
                                            ("0.0.0.0", False), ("::", False), ("192.0.2.7", False)])
def test_loopback_hosts(host, loopback):
    assert server.is_loopback(host) is loopback


def test_non_loopback_host_warns():
    # 0.0.0.0 with a taken port: the warning comes first, then the port error; nothing is served
    with socket_listening() as port:
        done = subprocess.run([sys.executable, "-m", "stedenbanden", "serve", "--host", "0.0.0.0", "--port", str(port)],
                              capture_output=True, text=True, timeout=60)
    lines = done.stderr.strip().splitlines()
    assert lines[0] == "Warning: --host 0.0.0.0 is not a loopback address: the endpoint is reachable from the network."
    assert done.returncode == 1


class socket_listening:
    def __enter__(self):
        import socket

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        return self.sock.getsockname()[1]

    def __exit__(self, *exc):
        self.sock.close()


class recording_server:
    """A local HTTP server that records the requests it gets (the target of a SERVICE call);
    ``with recording_server() as target``: ``target.url``, ``target.seen``."""

    def __enter__(self):
        seen = self.seen = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                seen.append(self.path)
                self.send_response(500)
                self.end_headers()

            do_POST = do_GET

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/sparql"
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def _requests(url, query):
    """The same query sent the three ways the SPARQL protocol allows."""
    form = urllib.parse.urlencode({"query": query}).encode()
    return [urllib.request.Request(url + "?" + urllib.parse.urlencode({"query": query})),
            urllib.request.Request(url, data=form, headers={"Content-Type": "application/x-www-form-urlencoded"}),
            urllib.request.Request(url, data=query.encode(), headers={"Content-Type": "application/sparql-query"})]


def test_service_is_refused_by_default_however_the_query_is_sent():
    process, url = start()
    try:
        with recording_server() as target:
            federated = f"SELECT * WHERE {{ SERVICE <{target.url}> {{ ?s ?p ?o }} }}"
            for request in _requests(url, federated):
                with pytest.raises(urllib.error.HTTPError) as refused:
                    urllib.request.urlopen(request, timeout=10)
                assert refused.value.code == 403
                assert b"SERVICE is disabled on this endpoint" in refused.value.read()
            # a body the guard cannot read is refused, not forwarded
            odd = urllib.request.Request(url, data=federated.encode(), headers={"Content-Type": "text/plain"})
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(odd, timeout=10)
            assert refused.value.code == 400
            assert target.seen == []
        # ordinary queries pass the guard, every way they can be sent
        for request in _requests(url, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"):
            with urllib.request.urlopen(request, timeout=10) as answer:
                assert answer.status == 200 and b'"n"' in answer.read()
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)


def test_allow_service_lets_the_server_call_other_endpoints():
    process, url = start("--allow-service")
    try:
        assert "SERVICE allowed" in process.stdout.readline() + process.stdout.readline()
        with recording_server() as target:
            federated = f"SELECT * WHERE {{ SERVICE <{target.url}> {{ ?s ?p ?o }} }}"
            try:
                urllib.request.urlopen(_requests(url, federated)[1], timeout=20).read()
            except urllib.error.HTTPError:  # the target answers 500; the server may pass that on
                pass
            assert target.seen, "the server did not call the SERVICE endpoint"
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)


@pytest.mark.parametrize("text, refused", [
    ("SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }", True),
    ("select * where { service silent <http://example.org/> { } }", True),
    ("SELECT ?service WHERE { ?service a <http://example.org/SERVICE> }", False),
    ('SELECT * WHERE { ?s ?p "SERVICE <http://example.org/>" }', False),
    ("# SERVICE <http://example.org/>\nSELECT * WHERE { ?s ?p ?o }", False),
])
def test_which_requests_the_guard_refuses(text, refused):
    form = urllib.parse.urlencode({"query": text})
    assert server.request_uses_service("GET", "/query?" + form, "", b"") is refused
    assert server.request_uses_service("POST", "/query", "application/x-www-form-urlencoded", form.encode()) is refused
    assert server.request_uses_service("POST", "/query", "application/sparql-query; charset=utf-8", text.encode()) is refused
    update = urllib.parse.urlencode({"update": "INSERT { ?s ?p ?o } WHERE { " + text.split("{", 1)[1]})
    assert server.request_uses_service("POST", "/update", "application/x-www-form-urlencoded", update.encode()) is refused


def test_the_endpoint_comes_back_when_the_oxigraph_server_dies():
    process, url = start()
    try:
        [oxigraph] = children(process.pid)
        os.kill(oxigraph, signal.SIGKILL)
        time.sleep(0.5)
        with pytest.raises(Exception):
            count(url)  # the request that finds it dead gets 502
        assert count(url) > 1000
        assert len(children(process.pid)) == 1
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)


def test_load_in_an_update_is_refused_like_service():
    form = urllib.parse.urlencode({"update": "LOAD <http://169.254.169.254/latest/meta-data/>"})
    assert server.request_uses_service("POST", "/update", "application/x-www-form-urlencoded", form.encode())
    assert server.request_uses_service("POST", "/update", "application/sparql-update", b"load silent <http://x/>")
    # the word in a query is only a word
    query = urllib.parse.urlencode({"query": "SELECT ?load WHERE { ?load ?p ?o }"})
    assert not server.request_uses_service("GET", "/query?" + query, "", b"")
