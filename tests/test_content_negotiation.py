"""Linked data by content negotiation: each resource page has its Turtle and JSON-LD beside it,
and the release's web-server configuration answers a request for a resource IRI
(``/id/...``) with a 303 to its description (``/doc/...``) in the format the Accept header asks
for. Checked with a small server that applies the same rules, with nginx itself, and by reading
the Apache configuration."""

from __future__ import annotations

import datetime as dt
import http.client
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import rdflib
from rdflib import URIRef

from stedenbanden import publish
from stedenbanden.publish import webserver

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
CASES = [
    ("text/turtle", ".ttl", "text/turtle"),
    ("application/ld+json", ".jsonld", "application/ld+json"),
    (BROWSER, ".html", "text/html"),
    ("*/*", ".html", "text/html"),
    (None, ".html", "text/html"),
    ("application/ld+json, text/turtle;q=0.9", ".jsonld", "application/ld+json"),
    ("text/turtle;q=1.0, text/html;q=0.5", ".ttl", "text/turtle"),
    ("TEXT/TURTLE", ".ttl", "text/turtle"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory, kb, kb_files) -> Path:
    out = tmp_path_factory.mktemp("conneg") / "site"
    publish.publish(kb, kb_files, out, date=dt.date(2026, 1, 15))
    return out


@pytest.fixture(scope="module")
def docroot(site, tmp_path_factory) -> Path:
    """A document root holding the release at /stedenbanden/, the path of the default base URL."""
    root = tmp_path_factory.mktemp("docroot")
    (root / "stedenbanden").symlink_to(site, target_is_directory=True)
    return root


def test_every_resource_page_has_its_turtle_and_jsonld_beside_it(site, kb_rdflib):
    checked = 0
    for subject in sorted({s for s in kb_rdflib.subjects() if isinstance(s, URIRef)}):
        path = publish.page_path(str(subject))
        if path is None:
            continue
        stem = path.removesuffix(".html")
        own = set(kb_rdflib.triples((subject, None, None)))
        turtle = rdflib.Graph().parse(site / f"{stem}.ttl", format="turtle")
        jsonld = rdflib.Graph().parse(site / f"{stem}.jsonld", format="json-ld")
        assert own <= set(turtle) and own <= set(jsonld), stem
        assert len(turtle) == len(jsonld), stem
        page = (site / path).read_text(encoding="utf-8")
        name = stem.rsplit("/", 1)[-1]
        assert f'<link rel="alternate" type="text/turtle" href="{name}.ttl" title="Turtle">' in page
        assert f'<a href="{name}.jsonld" type="application/ld+json">JSON-LD</a>' in page
        checked += 1
    assert checked > 150


@pytest.mark.parametrize("accept,extension,_", CASES)
def test_the_rule(accept, extension, _):
    assert webserver.choose_extension(accept) == extension


class NegotiatingHandler(SimpleHTTPRequestHandler):
    """Serves the document root and applies the release's rule to /stedenbanden/id/...: the
    regular expressions of stedenbanden.publish.webserver, which the configurations hold."""

    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, **webserver.MEDIA_TYPES}

    def do_GET(self):
        prefix = "/stedenbanden/id/"
        if self.path.startswith(prefix):
            self.send_response(303)
            target = "/stedenbanden/doc/" + self.path[len(prefix):] + webserver.choose_extension(self.headers["Accept"])
            self.send_header("Location", target)
            self.send_header("Vary", "Accept")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super().do_GET()

    def log_message(self, format, *args):
        pass


def fetch(port: int, path: str, accept: str | None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Accept": accept} if accept is not None else {}
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


def check_negotiation(port: int, site: Path) -> None:
    for accept, extension, media in CASES:
        response, _ = fetch(port, "/stedenbanden/id/link/almelo-denizli", accept)
        assert response.status == 303, accept
        assert response.getheader("Location").endswith(f"/stedenbanden/doc/link/almelo-denizli{extension}"), accept
        assert "Accept" in response.getheader("Vary", ""), accept
        response, body = fetch(port, f"/stedenbanden/doc/link/almelo-denizli{extension}", accept)
        assert response.status == 200 and response.getheader("Content-Type").split(";")[0] == media, accept
        assert body == (site / f"doc/link/almelo-denizli{extension}").read_bytes()
    response, body = fetch(port, "/stedenbanden/", None)
    assert response.status == 200 and b"City links with migrants" in body


def test_a_server_applying_the_rules_resolves_the_iris(site, docroot):
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(NegotiatingHandler, directory=str(docroot)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        check_negotiation(server.server_address[1], site)
    finally:
        server.shutdown()
        server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_nginx_with_the_release_configuration_resolves_the_iris(site, docroot, tmp_path):
    """nginx itself (Debian's nginx-light, installed by tests/system-packages.sh) with the two
    files of the release's server/ folder included as their comments say."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert os.path.exists(nginx), "nginx is needed: run tests/system-packages.sh (Debian package nginx-light)"
    port = free_port()
    conf = tmp_path / "nginx.conf"
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "".join(f"    {name}_temp_path {tmp_path}/{name};\n" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf.write_text(f"""{user}daemon off;
worker_processes 1;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
{temp}    include {site}/server/nginx-http.conf;
    server {{
        listen 127.0.0.1:{port};
        root {docroot};
        include {site}/server/nginx-server.conf;
    }}
}}
""")
    check = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen([nginx, "-p", str(tmp_path), "-c", str(conf)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        check_negotiation(port, site)
    finally:
        process.send_signal(signal.SIGQUIT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_the_apache_configuration_holds_the_same_rules(site):
    text = (site / "server" / "apache.conf").read_text(encoding="utf-8")
    for extension, _, pattern in webserver.RULES:
        assert f'RewriteCond "%{{HTTP_ACCEPT}}" "{pattern}" [NC]' in text
        assert f'"^/stedenbanden/id/(.+)$" "/stedenbanden/doc/$1{extension}" [R=303,L,E=negotiated:1]' in text
    assert '"^/stedenbanden/id/(.+)$" "/stedenbanden/doc/$1.html" [R=303,L,E=negotiated:1]' in text
    for extension, media in webserver.MEDIA_TYPES.items():
        assert f"AddType {media} {extension}" in text
