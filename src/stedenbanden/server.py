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


@contextmanager
def running(store: ox.Store, host: str = "127.0.0.1", port: int = 0, writable: bool = False,
            timeout: float = QUERY_TIMEOUT) -> Iterator[str]:
    """Run an Oxigraph server on ``host:port`` (0: a free port) holding the triples of ``store``
    in its default graph; yield its base URL (``http://host:port``). Read-only unless
    ``writable``; each query is stopped after ``timeout`` seconds. The server is stopped, by its
    own process id, when the block ends, also on an error or Ctrl-C, and its temporary storage is
    removed.

    Raises :class:`KbError` when the host cannot be resolved, the port is in use, or the server
    cannot start or load.
    """
    check_host(host)
    if port:
        check_port_free(host, port)
    else:
        port = free_port(host)
    binary = oxigraph_binary()
    folder = Path(tempfile.mkdtemp(prefix="kb-serve-"))
    process = None
    try:
        location = _load(binary, store, folder)
        mode = "serve" if writable else "serve-read-only"
        bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        process = subprocess.Popen([binary, mode, "--location", str(location), "--bind", bind,
                                    "--timeout-s", f"{max(1, round(timeout))}"],
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   preexec_fn=_PREEXEC)
        _wait_until_serving(process, host, port)
        url_host = f"[{host}]" if ":" in host else host
        yield f"http://{url_host}:{port}"
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(folder, ignore_errors=True)


def _stop(signum, frame):
    raise KeyboardInterrupt


def serve(store: ox.Store, host: str, port: int, ready: Callable[[str], None], writable: bool = False,
          timeout: float = QUERY_TIMEOUT) -> None:
    """Serve ``store`` until Ctrl-C (SIGINT), SIGTERM or SIGHUP (the terminal closed): start the
    server, call ``ready(base_url)``, wait, then stop the server."""
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _stop)
    with running(store, host, port, writable, timeout) as base:
        ready(base)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print(file=sys.stderr)
