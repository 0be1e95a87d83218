"""A local SPARQL endpoint for the knowledge base: the Oxigraph server (``oxigraph`` on PyPI).

Safe by default: the knowledge base is written into a private temporary store with ``oxigraph
load`` (no HTTP request is ever sent to load it, so nothing else listening on the port can be
changed), then served by ``oxigraph serve-read-only``, which refuses SPARQL Update and Graph
Store writes; ``writable=True`` runs ``oxigraph serve`` instead. Every query is bounded by the
server's own time limit (``--timeout-s``). The server process dies with ``kb serve``: it gets
SIGKILL from the kernel when its parent dies (Linux ``PR_SET_PDEATHSIG``), also when ``kb serve``
itself is killed with SIGKILL.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import pyoxigraph as ox

from .bounded import die_with_parent
from .errors import KbError
from .remote import ntriples

START_TIMEOUT = 30.0
"""Seconds to wait for the Oxigraph server to say it listens."""
QUERY_TIMEOUT = 30.0
"""Default per-query time limit of ``kb serve`` in seconds."""


def oxigraph_binary() -> str:
    """Path of the ``oxigraph`` server program installed with this package.

    Raises :class:`KbError` when it is not installed.
    """
    beside = Path(sysconfig.get_path("scripts")) / "oxigraph"
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if not found:
        raise KbError("the Oxigraph server (`oxigraph` program) is not installed; run `pip install oxigraph`")
    return found


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on ``host`` that nothing listens on right now."""
    with socket.socket(_family(host)) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _family(host: str) -> int:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def is_loopback(host: str) -> bool:
    """True when ``host`` (a name or an address) resolves only to loopback addresses."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return False
    return all(ipaddress.ip_address(info[4][0].split("%")[0]).is_loopback for info in infos)


def check_host(host: str) -> None:
    """Raise :class:`KbError` naming ``host`` when it cannot be resolved to an address."""
    try:
        socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, ValueError):
        raise KbError(f"--host {host}: cannot resolve this host name; give an address of this machine, "
                      "e.g. 127.0.0.1") from None


def check_port_free(host: str, port: int) -> None:
    """Raise :class:`KbError` when something already listens on ``host:port`` (or the port cannot
    be bound); nothing is sent to whatever listens there."""
    with socket.socket(_family(host)) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the Oxigraph server does
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno in (98, 48):  # EADDRINUSE on Linux, macOS
                raise KbError(f"port {port} on {host} is already in use; stop what listens there or choose "
                              "another --port") from None
            raise KbError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """In the server's process: get SIGKILL when ``kb`` dies (Linux), whatever kills it."""
    die_with_parent()


_PREEXEC = _die_with_parent if os.name == "posix" else None


def _load(binary: str, store: ox.Store, folder: Path) -> Path:
    """Write ``store`` into an Oxigraph storage in ``folder`` with ``oxigraph load``; return it."""
    body, _ = ntriples(store)
    dump = folder / "kb.nt"
    dump.write_bytes(body)
    location = folder / "store"
    done = subprocess.run([binary, "load", "--location", str(location), "--file", str(dump)],
                          stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          preexec_fn=_PREEXEC)
    dump.unlink()
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise KbError(f"the Oxigraph server could not load the knowledge base: {message[-1] if message else 'no message'}")
    return location


def _wait_until_serving(process: subprocess.Popen, host: str, port: int) -> None:
    """Wait until the server *we started* says it listens (its own first line on standard
    error), so a different server that answers on the port is never mistaken for it."""
    import selectors

    deadline = time.monotonic() + START_TIMEOUT
    seen = b""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stderr, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if selector.select(timeout=0.2):
                chunk = os.read(process.stderr.fileno(), 65536)
                seen += chunk
                if b"Listening for requests" in seen:
                    return
                if chunk:
                    continue
            if process.poll() is not None:
                lines = seen.decode("utf-8", "replace").strip().splitlines()
                if "in use" in seen.decode("utf-8", "replace").lower():
                    raise KbError(f"port {port} on {host} is already in use; stop what listens there or choose another --port")
                raise KbError(f"the Oxigraph server stopped at start: {lines[-1] if lines else 'no message'}")
    raise KbError(f"the Oxigraph server did not start listening on {host}:{port} within {START_TIMEOUT:g} s")


def _wait_until_listening(process: subprocess.Popen, host: str, port: int) -> None:
    """Wait until a server process started by a test listens on ``host:port`` (kept for tests
    that start a plain server themselves)."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise KbError(f"the Oxigraph server stopped at start (is port {port} already in use?)")
        try:
            with socket.create_connection((host, port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise KbError(f"the Oxigraph server did not start listening on {host}:{port} within {START_TIMEOUT:g} s")


class _Upstream:
    """The Oxigraph server process behind :func:`service_guard`: started, and restarted when a
    query outruns the time limit (Oxigraph cannot cancel a running query any other way)."""

    def __init__(self, argv: list[str], host: str, port: int):
        import queue
        import threading

        self.argv, self.host, self.port = argv, host, port
        self.address = f"{host}:{port}"
        self.process: subprocess.Popen | None = None
        self.lock = threading.Lock()
        # The kernel's parent-death signal follows the *thread* that started a process, so every
        # server is started by this one thread, which lives as long as kb serve.
        self._jobs: queue.Queue = queue.Queue()
        threading.Thread(target=self._work, daemon=True).start()

    def _work(self) -> None:
        while True:
            job, done, box = self._jobs.get()
            try:
                job()
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                box.append(exc)
            finally:
                done.set()

    def start(self) -> None:
        """Start the server (in the starter thread) and wait until it listens."""
        import threading

        def launch():
            self.process = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.PIPE, preexec_fn=_PREEXEC)

        done, box = threading.Event(), []
        self._jobs.put((launch, done, box))
        done.wait()
        if box:
            raise box[0]
        _wait_until_serving(self.process, self.host, self.port)

    def restart(self, seen: subprocess.Popen | None) -> None:
        """Stop the server ``seen`` (and every query it runs) and start a fresh one, unless
        another thread has already replaced it."""
        with self.lock:
            if self.process is seen and self.process is not None:
                self.stop()
                try:
                    self.start()
                except KbError:
                    self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stderr:
            self.process.stderr.close()


@contextmanager
def running(store: ox.Store, host: str = "127.0.0.1", port: int = 0, writable: bool = False,
            timeout: float = QUERY_TIMEOUT, allow_service: bool = False) -> Iterator[str]:
    """Run an Oxigraph server holding the triples of ``store`` in its default graph, reached
    through :func:`service_guard` on ``host:port`` (0: a free port); yield the base URL
    (``http://host:port``). Read-only unless ``writable``; a query that runs longer than
    ``timeout`` seconds is stopped; SERVICE clauses are refused unless ``allow_service``. The
    Oxigraph server itself listens on a free loopback port. Everything is stopped, the server by
    its own process id, when the block ends, also on an error or Ctrl-C, and the temporary
    storage is removed.

    Raises :class:`KbError` when the host cannot be resolved, the port is in use, or the server
    cannot start or load.
    """
    check_host(host)
    if port:
        check_port_free(host, port)
    binary = oxigraph_binary()
    remove_abandoned_folders()
    folder = Path(tempfile.mkdtemp(prefix=f"{SERVE_PREFIX}{os.getpid()}-"))
    (folder / SERVE_MARK).write_text(f"{os.getpid()}\n", encoding="ascii")
    from contextlib import ExitStack

    stack = ExitStack()
    upstream = None
    try:
        inner = free_port("127.0.0.1")
        location = _load(binary, store, folder)
        mode = "serve" if writable else "serve-read-only"
        upstream = _Upstream([binary, mode, "--location", str(location), "--bind", f"127.0.0.1:{inner}",
                              "--timeout-s", f"{max(1, round(timeout))}"], "127.0.0.1", inner)
        port = stack.enter_context(service_guard(host, port, upstream, allow_service, timeout))
        upstream.start()
        url_host = f"[{host}]" if ":" in host else host
        yield f"http://{url_host}:{port}"
    finally:
        stack.close()
        if upstream is not None:
            with upstream.lock:
                upstream.stop()
        shutil.rmtree(folder, ignore_errors=True)


SERVE_PREFIX = "kb-serve-"
"""The temporary folder of a running ``kb serve`` (its server's storage) is named this, the
process id of that ``kb``, ``-`` and a random part, and holds the file :data:`SERVE_MARK`."""
SERVE_MARK = "kb-serve.pid"


def remove_abandoned_folders(parent: Path | None = None) -> list[Path]:
    """Remove the temporary folders that a ``kb serve`` stopped by SIGKILL (or a power cut) left
    in ``parent`` (default: the system's temporary folder), and return them. A folder is removed
    only when kb wrote it (its name and :data:`SERVE_MARK` with the same process id) and that
    process no longer runs; anything else, and whatever cannot be checked, is left alone."""
    parent = Path(parent or tempfile.gettempdir())
    removed = []
    try:
        candidates = sorted(parent.glob(f"{SERVE_PREFIX}*-*"))
    except OSError:
        return removed
    for folder in candidates:
        pid = folder.name[len(SERVE_PREFIX):].split("-", 1)[0]
        try:
            if not pid.isdigit() or folder.is_symlink() or folder.stat().st_uid != os.getuid():
                continue
            if (folder / SERVE_MARK).read_text(encoding="ascii").strip() != pid:
                continue
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
        except (OSError, ValueError):  # no mark, not ours, or a process of another user: leave it
            continue
    return removed


def _stop(signum, frame):
    raise KeyboardInterrupt


def serve(store: ox.Store, host: str, port: int, ready: Callable[[str], None], writable: bool = False,
          timeout: float = QUERY_TIMEOUT, allow_service: bool = False) -> None:
    """Serve ``store`` until Ctrl-C (SIGINT), SIGTERM or SIGHUP (the terminal closed): start the
    server, call ``ready(base_url)``, wait, then stop the server."""
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _stop)
    with running(store, host, port, writable, timeout, allow_service) as base:
        ready(base)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print(file=sys.stderr)


MAX_REQUEST_BYTES = 16 * 1024 * 1024
"""The largest request body the SERVICE guard forwards (bytes)."""
_HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
               "transfer-encoding", "upgrade", "host", "content-length"}
_FORM = "application/x-www-form-urlencoded"
_QUERY_TYPES = {"application/sparql-query", "application/sparql-update"}


def request_uses_service(method: str, target: str, content_type: str, body: bytes) -> bool:
    """Whether an HTTP request to a SPARQL endpoint carries a query or update with a SERVICE
    clause (see :func:`stedenbanden.store.uses_service`): in the ``query``/``update`` parameters of
    the URL or of a form body, or as a ``application/sparql-query``/``-update`` body.

    Raises ``ValueError`` for a request that cannot be read that way (not UTF-8, another body
    type), which the guard refuses rather than forwards."""
    import urllib.parse

    from .store import uses_service

    updates = [v for k, v in urllib.parse.parse_qsl(urllib.parse.urlsplit(target).query, keep_blank_values=True,
                                                    errors="strict") if k == "update"]
    texts = [v for k, v in urllib.parse.parse_qsl(urllib.parse.urlsplit(target).query, keep_blank_values=True,
                                                  errors="strict") if k in ("query", "update")]
    media = content_type.split(";")[0].strip().lower()
    if body:
        if media == _FORM:
            form = urllib.parse.parse_qsl(body.decode("ascii"), keep_blank_values=True, errors="strict")
            texts += [v for k, v in form if k in ("query", "update")]
            updates += [v for k, v in form if k == "update"]
        elif media in _QUERY_TYPES:
            texts.append(body.decode("utf-8"))
            if media == "application/sparql-update":
                updates.append(texts[-1])
        elif not target.startswith("/store") or method not in ("PUT", "POST"):
            raise ValueError(f"a {media or 'untyped'} body")
    return any(uses_service(t) for t in texts) or any(uses_service(u, keyword="LOAD") for u in updates)


@contextmanager
def service_guard(host: str, port: int, upstream: "_Upstream", allow_service: bool = False,
                  timeout: float = QUERY_TIMEOUT) -> Iterator[int]:
    """Listen on ``host:port`` (0: a free port) and forward every request to the ``upstream``
    Oxigraph server, except those whose query or update has a SERVICE clause (unless
    ``allow_service``), which get HTTP 403. A request whose whole answer takes longer than
    ``timeout`` seconds gets HTTP 503 (or, once it has started, is cut off before its last chunk,
    so that the client sees an incomplete answer) and the upstream server is restarted, which
    is the only way to stop the query. Yields the port listened on. Raises :class:`KbError` when
    the port is in use."""
    import http.client
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Guard(BaseHTTPRequestHandler):
        server_version = "kb-serve"
        # HTTP/1.1, so that answers go out chunked: an answer cut off at the time limit then lacks
        # its last chunk, which every client reports as an error, instead of looking complete
        protocol_version = "HTTP/1.1"
        timeout = 60  # seconds per socket operation: a client that stops sending is let go

        def _answer(self, status: int, message: str) -> None:
            body = (message + "\n").encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.close_connection = True
            self.end_headers()
            self.wfile.write(body)

        def _forward(self) -> None:
            if self.headers.get("Transfer-Encoding"):
                return self._answer(411, "send the request with a Content-Length, not chunked")
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                return self._answer(400, "the Content-Length is not a number")
            if length < 0 or length > MAX_REQUEST_BYTES:
                return self._answer(413, f"requests are limited to {MAX_REQUEST_BYTES >> 20} MiB")
            body = self.rfile.read(length) if length else b""
            if not allow_service:
                try:
                    service = request_uses_service(self.command, self.path, self.headers.get("Content-Type", ""), body)
                except (ValueError, UnicodeDecodeError):
                    return self._answer(400, "kb serve reads SPARQL requests as a URL-encoded form, "
                                             "application/sparql-query or application/sparql-update, in UTF-8")
                if service:
                    return self._answer(403, "SERVICE is disabled on this endpoint (and LOAD, which also fetches "
                                             "from other addresses); the operator can allow them with "
                                             "kb serve --allow-service")
            self._relay(body if length else None)

        def _relay(self, body: bytes | None) -> None:
            import socket as sockets

            with upstream.lock:  # waits while a restart is under way
                process = upstream.process
            deadline = time.monotonic() + timeout
            connection = http.client.HTTPConnection(upstream.address, timeout=timeout)
            started = False
            try:
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                connection.request(self.command, self.path, body=body, headers=headers)
                answer = connection.getresponse()
                self.send_response_only(answer.status, answer.reason)
                for key, value in answer.getheaders():
                    if key.lower() not in _HOP_BY_HOP:
                        self.send_header(key, value)
                chunked = self.command != "HEAD" and answer.status not in (204, 304) and answer.status >= 200
                if chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                self.send_header("Connection", "close")
                self.close_connection = True
                self.end_headers()
                started = True
                while True:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise TimeoutError
                    connection.sock.settimeout(left)
                    chunk = answer.read1(65536)
                    if not chunk:
                        break
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
                if chunked:
                    self.wfile.write(b"0\r\n\r\n")  # the last chunk: only a complete answer has it
            except (TimeoutError, sockets.timeout):
                upstream.restart(process)
                if not started:
                    self._answer(503, f"the query ran longer than {timeout:g} s, the time limit of this endpoint; "
                                      "it was stopped")
            except (ConnectionError, http.client.HTTPException, OSError):
                if process is not None and process.poll() is not None:
                    upstream.restart(process)  # the server died on its own: bring it back
                if not started:
                    self._answer(502, "the SPARQL server stopped answering; try again")
            finally:
                connection.close()

        do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _forward

        def log_message(self, *args):
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        address_family = _family(host)

        def handle_error(self, request, client_address):
            pass  # a client that goes away mid-answer is not kb serve's error

    try:
        httpd = Server((host, port), Guard)
    except OSError as exc:
        if exc.errno in (98, 48):
            raise KbError(f"port {port} on {host} is already in use; stop what listens there or choose "
                          "another --port") from None
        raise KbError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()
