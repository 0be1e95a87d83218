"""Virtuoso Open Source (Debian's ``virtuoso-opensource``, program ``virtuoso-t``) started for the tests:
a fresh database in a temporary folder, a minimal ``virtuoso.ini`` written there (every file it names
lives in that folder), its SQL and HTTP ports free ports on 127.0.0.1, stopped by its process id.

Virtuoso needs one grant before a client may load data (see the README, "Stores tested"): the
fixture creates the user ``kb`` with a random password and gives it the ``SPARQL_UPDATE`` role
through ``isql``; it also replaces the built-in administrator's default password. Used by
tests/test_virtuoso.py; ``pytest tests/test_virtuoso.py`` runs on its own.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from stedenbanden.server import free_port

START_TIMEOUT = 120.0
"""Seconds to wait for a fresh database to come up (about 20 s on a 2-core machine)."""

INI = """\
; Minimal configuration for a throw-away test database: every file in this folder,
; both ports on 127.0.0.1 only, nothing read or written elsewhere.
[Database]
DatabaseFile       = virtuoso.db
ErrorLogFile       = virtuoso.log
LockFile           = virtuoso.lck
TransactionFile    = virtuoso.trx
xa_persistent_file = virtuoso.pxa
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile    = virtuoso-temp.db
TransactionFile = virtuoso-temp.trx

[Parameters]
ServerPort        = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DirsAllowed       = .
NumberOfBuffers   = 10000
MaxDirtyBuffers   = 6000
CaseMode          = 2
; CaseMode 2 (as in Debian's own virtuoso.ini): without it ASK answers come back as a SELECT table

[HTTPServer]
ServerPort    = 127.0.0.1:{http_port}
ServerRoot    = .
ServerThreads = 4
EnabledDavVSP = 0
Charset       = UTF-8

[SPARQL]
ResultSetMaxRows      = 100000
MaxQueryExecutionTime = 60
"""


@dataclass(frozen=True)
class Virtuoso:
    """A running test Virtuoso: its SPARQL ``url`` (``.../sparql``), its authenticated Graph Store
    URL ``graph_store`` (HTTP Digest), the loading user's ``user`` and ``password``, its ``version``
    line, and its ``folder``."""

    url: str
    graph_store: str
    user: str
    password: str
    version: str
    folder: Path
    sql_port: int


def missing(reason: str) -> None:
    """Fail with ``reason`` where the Debian package can be installed (apt-get is there: run
    tests/system-packages.sh), skip loudly with it where it cannot."""
    import pytest

    if shutil.which("apt-get"):
        pytest.fail(reason)
    pytest.skip(f"SKIPPED: {reason}; this machine has no apt-get to install the Debian package")


def binaries() -> tuple[str, str] | str:
    """The paths of ``virtuoso-t`` and ``isql-vt``, or the reason they are not there."""
    server = shutil.which("virtuoso-t")
    isql = shutil.which("isql-vt") or shutil.which("isql-v")
    if server and isql:
        return server, isql
    return ("Virtuoso is not installed (no virtuoso-t / isql-vt on PATH): run `sh tests/system-packages.sh`, "
            "which installs Debian's virtuoso-opensource")


def version(server: str) -> str:
    """Virtuoso's version line, e.g. ``Version 7.2.5.3229-pthreads as of Feb  8 2023 (000000)``."""
    out = subprocess.run([server, "-?"], capture_output=True, text=True, timeout=30)
    for line in (out.stdout + out.stderr).splitlines():
        if line.startswith("Version"):
            return line.strip()
    return "unknown version"


def isql(binary: str, port: int, password: str, sql: str) -> str:
    """Run ``sql`` through Virtuoso's ``isql`` as dba; raise RuntimeError with its output on an error."""
    out = subprocess.run([binary, f"127.0.0.1:{port}", "dba", password, f"exec={sql}"],
                         capture_output=True, text=True, timeout=60)
    text = out.stdout + out.stderr
    if out.returncode != 0 or "*** Error" in text:
        raise RuntimeError(f"isql failed: {text.strip()}")
    return text


def _answers(url: str) -> bool:
    query = urllib.parse.urlencode({"query": "ASK {}"}).encode()
    request = urllib.request.Request(url, data=query, headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return json.loads(response.read()).get("boolean") is True
    except (OSError, ValueError):
        return False


def start(folder: Path):
    """Start Virtuoso in ``folder`` (empty); return ``(process, Virtuoso)`` once it answers SPARQL.

    Raises RuntimeError with the end of Virtuoso's log when it stops or does not answer within
    :data:`START_TIMEOUT`; the process is stopped before raising.
    """
    server, isql_binary = binaries()
    sql_port, http_port = free_port(), free_port()
    while http_port == sql_port:
        http_port = free_port()
    (folder / "virtuoso.ini").write_text(INI.format(sql_port=sql_port, http_port=http_port), encoding="utf-8")
    log = (folder / "stdout.log").open("wb")
    process = subprocess.Popen([server, "+foreground", "+configfile", "virtuoso.ini"], cwd=folder,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    base = f"http://127.0.0.1:{http_port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers(f"{base}/sparql"):
            if process.poll() is not None:
                raise RuntimeError(f"Virtuoso stopped at start (exit {process.returncode}): {_log_tail(folder)}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Virtuoso did not answer within {START_TIMEOUT:g} s: {_log_tail(folder)}")
            time.sleep(0.5)
        admin = secrets.token_hex(12)
        password = secrets.token_hex(12)
        # The one grant Virtuoso requires before a client may write: a user with the SPARQL_UPDATE
        # role (here "kb"), who loads through the Digest-authenticated /sparql-graph-crud-auth.
        isql(isql_binary, sql_port, "dba",
             f"DB.DBA.USER_CREATE('kb', '{password}'); GRANT SPARQL_UPDATE TO \"kb\"; "
             f"USER_CHANGE_PASSWORD('dba', 'dba', '{admin}');")
    except BaseException:
        stop(process)
        raise
    return process, Virtuoso(f"{base}/sparql", f"{base}/sparql-graph-crud-auth", "kb", password,
                             version(server), folder, sql_port)


def stop(process: subprocess.Popen) -> None:
    """Stop the Virtuoso started by :func:`start` (SIGTERM, then SIGKILL after 30 s), by its id."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _log_tail(folder: Path) -> str:
    for name in ("virtuoso.log", "stdout.log"):
        path = folder / name
        if path.exists():
            lines = [line for line in path.read_text("utf-8", "replace").splitlines() if line.strip()]
            if lines:
                return " | ".join(lines[-5:])
    return "no log"
