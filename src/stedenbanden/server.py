"""A local SPARQL endpoint for the knowledge base: the Oxigraph server (``oxigraph`` on PyPI),
started in memory on a local port, loaded with the KB, and stopped cleanly."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import pyoxigraph as ox

from .errors import KbError
from .remote import Endpoint, ntriples

START_TIMEOUT = 15.0


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
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _wait_until_listening(process: subprocess.Popen, host: str, port: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            message = (process.stderr.read() or b"").decode("utf-8", "replace").strip().splitlines()
            raise KbError(f"the Oxigraph server stopped at start: {message[-1] if message else 'no message'}"
                          f" (is port {port} already in use?)")
        try:
            with socket.create_connection((host, port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise KbError(f"the Oxigraph server did not start listening on {host}:{port} within {START_TIMEOUT:g} s")


@contextmanager
def running(store: ox.Store, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Run an in-memory Oxigraph server on ``host:port`` (0: a free port) holding the triples of
    ``store`` in its default graph; yield its base URL (``http://host:port``). The server is
    stopped, by its own process id, when the block ends, also on an error or Ctrl-C.

    Raises :class:`KbError` when the server cannot start or be loaded.
    """
    port = port or free_port(host)
    process = subprocess.Popen([oxigraph_binary(), "serve", "--bind", f"{host}:{port}"],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_until_listening(process, host, port)
        url_host = f"[{host}]" if ":" in host else host
        base = f"http://{url_host}:{port}"
        body, _ = ntriples(store)
        Endpoint(f"{base}/query", timeout=120).replace_graph(body)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _stop(signum, frame):
    raise KeyboardInterrupt


def serve(store: ox.Store, host: str, port: int, ready: Callable[[str], None]) -> None:
    """Serve ``store`` until Ctrl-C (SIGINT) or SIGTERM: start the server, call
    ``ready(base_url)``, wait, then stop the server."""
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    with running(store, host, port) as base:
        ready(base)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print(file=sys.stderr)
