"""Running a local query so that it can be stopped: Ctrl-C within a second, and ``--timeout``.

The embedded Oxigraph engine cannot be interrupted while it evaluates a query (it does not look
at Python's signals, and has no cancellation), so the work runs in a forked child process that
shares the loaded store copy-on-write; the parent waits for its answer and kills it on Ctrl-C or
when the time is up. Where ``fork`` is missing (Windows) the work runs in this process.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import time
from typing import Callable, TypeVar

from .errors import KbError

T = TypeVar("T")


class QueryTimeout(KbError):
    """A local query ran longer than ``--timeout``; exit code 1."""


def run_bounded(work: Callable[[], T], timeout: float | None = None, what: str = "the query") -> T:
    """Return ``work()``, computed in a child process that is killed on Ctrl-C (the
    ``KeyboardInterrupt`` is raised here) or after ``timeout`` seconds (None: no limit; then
    :class:`QueryTimeout` is raised). A :class:`KbError` raised by ``work`` is raised here."""
    if not hasattr(os, "fork"):  # pragma: no cover - Windows
        return work()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; coverage does not follow it
        os.close(read_end)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides; no second traceback
        die_with_parent()
        try:
            payload = (True, work())
        except KbError as exc:
            payload = (False, exc)
        except BaseException as exc:  # noqa: BLE001 - reported by the parent as one line
            payload = (False, KbError(f"{what} failed while running: {exc}"))
        try:
            data = pickle.dumps(payload)
        except Exception as exc:  # noqa: BLE001
            data = pickle.dumps((False, KbError(f"{what} failed while running: {exc}")))
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(data)
        os._exit(0)
    os.close(write_end)
    deadline = None if timeout is None else time.monotonic() + timeout
    chunks = []
    try:
        with os.fdopen(read_end, "rb") as pipe:
            while True:
                wait = None if deadline is None else max(0.0, deadline - time.monotonic())
                ready, _, _ = select.select([pipe], [], [], wait)
                if not ready:
                    raise QueryTimeout(f"{what} did not finish within {timeout:g} s; raise --timeout or "
                                       "simplify the query")
                chunk = os.read(pipe.fileno(), 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
    except BaseException:
        _kill(pid)
        raise
    os.waitpid(pid, 0)
    if not chunks:
        raise KbError(f"{what} stopped without an answer (out of memory?)")
    ok, value = pickle.loads(b"".join(chunks))
    if not ok:
        raise value
    return value


def die_with_parent() -> None:
    """Ask the kernel to SIGKILL this process when its parent dies (Linux ``PR_SET_PDEATHSIG``),
    so that no query or server outlives ``kb``, even when ``kb`` itself gets SIGKILL. Does
    nothing elsewhere."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
