"""Running a local query so that it can be stopped: Ctrl-C within a second, and ``--timeout``.

The embedded Oxigraph engine cannot be interrupted while it evaluates a query (it does not look
at Python's signals, and has no cancellation), so the work runs in a forked child process that
shares the loaded store copy-on-write; the parent waits for its answer and kills it on Ctrl-C or
when the time is up. Where ``fork`` is missing (Windows) the work runs in this process.

The answer comes back as it is written (:func:`run_streamed`): the child sends its output over a
pipe in frames (a kind byte, a 4-byte length, the payload: output, a note for standard error, or
the pickled outcome at the end), so the parent can write the first rows of a long answer while
the child computes the rest.
"""

from __future__ import annotations

import os
import select
import signal
import time
from typing import TYPE_CHECKING, Callable, TypeVar

from .errors import KbError

if TYPE_CHECKING:
    from .formats import Sink

T = TypeVar("T")


class QueryTimeout(KbError):
    """A local query ran longer than ``--timeout``; exit code 1."""


FLUSH_BYTES = 64 * 1024
"""The child sends what it has written once it holds this many bytes of output ..."""
FLUSH_SECONDS = 0.05
"""... or when it writes again this many seconds after it last sent, so slow rows show as they come."""


def run_bounded(work: Callable[[], T], timeout: float | None = None, what: str = "the query") -> T:
    """Return ``work()``, computed in a child process that is killed on Ctrl-C (the
    ``KeyboardInterrupt`` is raised here) or after ``timeout`` seconds (None: no limit; then
    :class:`QueryTimeout` is raised). A :class:`KbError` raised by ``work`` is raised here."""
    return run_streamed(lambda sink: work(), _refuse, timeout=timeout, what=what)


def _refuse(text: str) -> None:  # pragma: no cover - run_bounded's work writes nothing
    raise AssertionError("run_bounded's work wrote output")


def run_streamed(work: Callable[[Sink], T], write: Callable[[str], None], note: Callable[[str], None] | None = None,
                 timeout: float | None = None, what: str = "the query") -> T:
    """Run ``work(sink)`` in a child process and pass each text it gives ``sink.write`` to
    ``write`` here as it comes (``sink.note`` to ``note``), so the first rows of a long answer
    are written before the last is computed; return what ``work`` returns.

    The child sends its output in batches (:data:`FLUSH_BYTES`, :data:`FLUSH_SECONDS`; the first
    piece at once). It is killed on Ctrl-C (the ``KeyboardInterrupt`` is raised here), when
    ``write`` raises (a broken pipe, a full disk: raised here) or ``timeout`` seconds after the
    start (None: no limit), when :class:`QueryTimeout` is raised. A :class:`KbError` raised by
    ``work`` is raised here after the output written before it; any other exception becomes a
    one-line :class:`KbError` naming ``what``. Without ``fork`` (Windows) it runs in this process.
    """
    if not hasattr(os, "fork"):  # pragma: no cover - Windows
        from .formats import Sink

        return work(Sink(write, note))
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; coverage does not follow it
        os.close(read_end)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides; no second traceback
        die_with_parent()
        _child(work, write_end, what)
        os._exit(0)
    os.close(write_end)
    deadline = None if timeout is None else time.monotonic() + timeout
    frames = _Frames()
    try:
        with os.fdopen(read_end, "rb", buffering=0) as pipe:
            while True:
                wait = None if deadline is None else max(0.0, deadline - time.monotonic())
                ready, _, _ = select.select([pipe], [], [], wait)
                if not ready:
                    raise QueryTimeout(f"{what} did not finish within {timeout:g} s; raise --timeout or "
                                       "simplify the query")
                chunk = os.read(pipe.fileno(), 1 << 20)
                if not chunk:
                    break
                for kind, payload in frames.feed(chunk):
                    if kind == _OUT:
                        write(payload.decode("utf-8"))
                    elif kind == _NOTE:
                        if note is not None:
                            note(payload.decode("utf-8"))
                    else:
                        frames.result = payload
    except BaseException:
        _kill(pid)
        raise
    os.waitpid(pid, 0)
    if frames.result is None:
        raise KbError(f"{what} stopped without an answer (out of memory?)")
    if not frames.result:
        return None  # work returned None: sent without pickle, which takes milliseconds to import
    import pickle

    ok, value = pickle.loads(frames.result)
    if not ok:
        raise value
    return value


_OUT, _NOTE, _RESULT = b"O", b"N", b"R"
_MAX_CHARS = 1 << 28  # at most 4 bytes each in UTF-8: a frame stays under 2^32 bytes


class _Frames:
    """Splits the bytes read from the child into frames: one kind byte, a 4-byte big-endian
    length, the payload."""

    def __init__(self):
        self.buffer = bytearray()
        self.result: bytes | None = None

    def feed(self, data: bytes) -> list[tuple[bytes, bytes]]:
        """The frames completed by ``data``, in order, as (kind, payload)."""
        buffer = self.buffer
        buffer += data
        frames, start = [], 0
        while len(buffer) - start >= 5:
            size = int.from_bytes(buffer[start + 1:start + 5], "big")
            if len(buffer) - start - 5 < size:
                break
            frames.append((bytes(buffer[start:start + 1]), bytes(buffer[start + 5:start + 5 + size])))
            start += 5 + size
        del buffer[:start]
        return frames


def _frame(kind: bytes, payload: bytes) -> bytes:
    return kind + len(payload).to_bytes(4, "big") + payload


class _ToParent:  # pragma: no cover - runs in the child
    """The child's end of the pipe (a :class:`stedenbanden.formats.Sink` in kind): output batched
    into frames, notes sent at once."""

    def __init__(self, pipe):
        self.pipe = pipe
        self.pending: list[str] = []
        self.size = 0
        self.last = time.monotonic()
        self.first = True

    def write(self, text: str) -> None:
        if not text:
            return
        self.pending.append(text)
        self.size += len(text)
        if self.first or self.size >= FLUSH_BYTES or time.monotonic() - self.last >= FLUSH_SECONDS:
            self.first = False  # the first piece at once: the reader sees the answer begin
            self.send()

    def note(self, text: str) -> None:
        self.send()
        self.pipe.write(_frame(_NOTE, text.encode("utf-8")))
        self.pipe.flush()

    def send(self) -> None:
        if self.pending:
            text = "".join(self.pending)
            for start in range(0, len(text), _MAX_CHARS):  # a frame's length has 4 bytes
                self.pipe.write(_frame(_OUT, text[start:start + _MAX_CHARS].encode("utf-8")))
            self.pending.clear()
            self.size = 0
        self.pipe.flush()
        self.last = time.monotonic()


def _child(work, fd: int, what: str) -> None:  # pragma: no cover - runs in the child
    """Run ``work(sink)`` and send its output, notes and outcome to the parent on ``fd`` (an
    empty outcome frame for ``None``, the pickled (ok, value) pair otherwise)."""
    with os.fdopen(fd, "wb") as pipe:
        sink = _ToParent(pipe)
        try:
            try:
                payload = (True, work(sink))
            except KbError as exc:
                payload = (False, exc)
            except BaseException as exc:  # noqa: BLE001 - reported by the parent as one line
                payload = (False, KbError(f"{what} failed while running: {exc}"))
            if payload[0] is True and payload[1] is None:
                data = b""
            else:
                import pickle

                try:
                    data = pickle.dumps(payload)
                except Exception as exc:  # noqa: BLE001
                    data = pickle.dumps((False, KbError(f"{what} failed while running: {exc}")))
            sink.send()
            pipe.write(_frame(_RESULT, data))
        except BrokenPipeError:
            pass  # the parent stopped reading (it is killing this process)


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
