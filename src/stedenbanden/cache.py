"""An on-disk index of large data, built once and opened read-only by later runs.

Parsing Turtle is the cost of a ``kb`` run on large data: about 1 s for the world twin-towns list
(196,000 triples) and 4 s at 10^6 triples, against 0.04 s to open an Oxigraph on-disk (RocksDB)
store of the same data read-only (measured on 2 cores, pyoxigraph 0.5.13). So when the files of a
run add up to more than :data:`INDEX_ABOVE` bytes, :func:`open_store` keeps an on-disk store of
them in ``$XDG_CACHE_HOME/stedenbanden/stores/`` and later runs open that instead of parsing.

Safety rules, each tested in ``tests/test_cache.py``:

- **Keyed by content.** The key is a SHA-256 over every file's content, resolved path (relative
  IRIs resolve against it) and parse settings, and over the versions of kb and pyoxigraph. A file
  whose content changed, even with its modification time kept, gets a new key, so no stale index
  is ever answered from.
- **Never half-written.** An index is built in a temporary folder beside the others and renamed
  into place only after its store is flushed and closed and its ``index.json`` (key, files,
  triple count) written; a folder without a matching ``index.json`` is not an index and is never
  opened. A damaged index (the store does not open) is removed and built again.
- **Several processes at once.** Two runs that build the same index each build their own folder;
  the first rename wins and the other run discards its copy and opens the winner's. An index is
  never written after its rename, so read-only opens never meet a writer.
- **Nothing else touched.** Only folders below the cache's own ``stores`` folder are ever removed,
  and only ones whose name has the form this module gives them.
- **No cache, no harm.** Where the cache folder cannot be made or written, the data is loaded into
  memory as without the cache (``KB_NO_CACHE=1`` or ``--no-cache`` do the same on purpose).

Smaller data (the shipped KB) stays in memory, but is read from a **snapshot**: the N-Quads of
the store as loaded and materialised the first time, kept in a folder like an index's (same key
rules, ``index.json``, rename into place, damage checks) and read back in about half the time of
parsing the Turtle and materialising again (:func:`open_snapshot`).

Queries on the on-disk store give the same rows as on the in-memory store; they run somewhat
slower on large results (RocksDB reads instead of memory), which the benchmark prints.
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Mapping, Sequence

import pyoxigraph as ox

from .errors import KbError

INDEX_ABOVE = 4 * 1024 * 1024
"""Total size (bytes) of a run's files above which an on-disk index is used (the modules that only
building or clearing an index needs are imported there, so asking costs ``kb query`` little). The shipped KB (about
0.4 MB) loads into memory in about 0.03 s, faster than any index opens and queries; the world
twin-towns list (8 MB) takes about 1 s. ``KB_INDEX_ABOVE`` (bytes) overrides it, for tests."""

FORMAT_VERSION = 2
"""Bumped whenever the layout of an index changes, so an older index is never opened."""

_NAME = re.compile(r"^[0-9a-f]{64}$")
_BUILDING = re.compile(r"^\.build-[0-9a-f]{64}-[A-Za-z0-9_]+$")
META = "index.json"


def cache_folder() -> Path | None:
    """``$XDG_CACHE_HOME/stedenbanden/stores`` (default ``~/.cache``); None where there is no
    usable base folder (a relative ``XDG_CACHE_HOME`` is ignored, as the XDG specification says)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        home = os.path.expanduser("~")
        base = os.path.join(home, ".cache") if os.path.isabs(home) and os.path.isdir(home) else ""
    return Path(base) / "stedenbanden" / "stores" if base else None


def why_no_cache_folder() -> str:
    """Why :func:`cache_folder` is None, in words for a message."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    home = os.path.expanduser("~")
    said = f"XDG_CACHE_HOME={base!r} is not an absolute path" if base else "XDG_CACHE_HOME is not set"
    if not os.path.isabs(home):
        return f"{said} and there is no home folder (HOME is not set)"
    return f"{said} and the home folder {home} does not exist"


def disabled() -> bool:
    """True when ``KB_NO_CACHE`` is set to anything but empty or ``0``."""
    return os.environ.get("KB_NO_CACHE", "") not in ("", "0")


def threshold() -> int:
    """:data:`INDEX_ABOVE`, or ``KB_INDEX_ABOVE`` when that is a whole number of bytes."""
    value = os.environ.get("KB_INDEX_ABOVE", "")
    return int(value) if value.isdigit() else INDEX_ABOVE


def sha256(data: bytes = b""):
    """``hashlib.sha256(data)``, from CPython's own SHA-256 module where there is one: it imports in
    about 0.4 ms, hashlib (which loads OpenSSL) in about 4 ms, a few percent of a ``kb query`` on
    the shipped KB (measured 1 December 2026, Python 3.11, 2 cores). The digests are the same."""
    try:
        from _sha256 import sha256 as implementation  # Python 3.11
    except ImportError:
        try:
            from _sha2 import sha256 as implementation  # Python 3.12 and later
        except ImportError:  # pragma: no cover - a Python built without them
            from hashlib import sha256 as implementation
    return implementation(data)


def file_digests(paths: Sequence[Path]) -> list[str]:
    """The hex SHA-256 of each file's content, in order (about 0.08 s for 48 MB). Raises
    :class:`KbError` naming a file that cannot be read."""
    hasher = sha256
    try:
        if sum(p.stat().st_size for p in paths) > threshold():
            # large data: OpenSSL's SHA-256 (hashlib) hashes 48 MB in 0.08 s, CPython's own in
            # 0.17-0.27 s; its 4 ms import only pays off there (measured 2 December 2026, 2 cores)
            from hashlib import sha256 as hasher
    except OSError:
        pass  # the read below names the file
    digests = []
    for path in paths:
        content = hasher()
        try:
            with path.open("rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    content.update(chunk)
        except FileNotFoundError:
            raise KbError(f"{path}: the file is gone (it was there when kb started); give it again") from None
        except OSError as exc:
            raise KbError(f"{path}: cannot read the file ({exc.strerror}); check its permissions") from None
        digests.append(content.hexdigest())
    return digests


def index_key(paths: Sequence[Path], settings: str = "", digests: Sequence[str] | None = None) -> str:
    """The hex SHA-256 naming the index of ``paths``: over :data:`FORMAT_VERSION`, the kb and
    pyoxigraph versions, ``settings`` (how the files are parsed) and, per file in order, its
    resolved path and the SHA-256 of its content (``digests``, else :func:`file_digests`).
    Raises :class:`KbError` naming a file that cannot be read."""
    from . import __version__

    whole = sha256(f"{FORMAT_VERSION}\0{__version__}\0{ox.__version__}\0{settings}\0".encode())
    for path, digest in zip(paths, digests if digests is not None else file_digests(paths)):
        whole.update(f"{path.resolve()}\0{digest}\0".encode())
    return whole.hexdigest()


def _check_unchanged(paths: Sequence[Path], digests: Sequence[str]) -> None:
    """Raise :class:`KbError` naming the first of ``paths`` whose content is no longer the one of
    ``digests`` (read before it was parsed): what was parsed may be the file before, after or
    halfway through the change, so it must not be kept under either content's key."""
    for path, before, now in zip(paths, digests, file_digests(paths)):
        if before != now:
            raise KbError(f"{path}: the file changed while kb read it, so nothing of it was kept in the cache; "
                          "run the command again once the file is written")


@dataclass(frozen=True)
class Index:
    """One index in the cache: its folder, key and what its ``index.json`` says."""

    folder: Path
    files: tuple[str, ...]
    triples: int
    size: int

    @property
    def key(self) -> str:
        return self.folder.name


def _meta(folder: Path) -> dict | None:
    """The ``index.json`` of ``folder`` when it is a complete index of this format, else None."""
    try:
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (not isinstance(meta, dict) or meta.get("format") != FORMAT_VERSION or meta.get("key") != folder.name
            or not isinstance(meta.get("files"), list) or not isinstance(meta.get("triples"), int)):
        return None
    return meta


def _contents(folder: Path) -> dict[str, list[int]]:
    """The files of a built store folder, by name relative to it: [size in bytes, modification
    time in ns]."""
    found = {}
    for root, _dirs, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            info = os.lstat(path)
            found[os.path.relpath(path, folder)] = [info.st_size, info.st_mtime_ns]
    return found


def _intact(folder: Path, meta: dict) -> bool:
    """True when every file the store had when it was built is still there with its size and
    modification time. Nothing writes to an index after it is built (read-only opens change no
    file), so this cheap check, a few stat calls, catches a truncated, deleted or edited file
    before RocksDB reads it: a byte changed in an index's data can make Oxigraph decode a huge
    length and run out of memory rather than fail (seen on pyoxigraph 0.5.13), and hashing every
    file on each run would cost 0.3 s at 10^6 triples."""
    contents = meta.get("contents")
    if not isinstance(contents, dict) or not contents:
        return False
    for name, recorded in contents.items():
        try:
            size, mtime = recorded
            info = os.lstat(folder / name)
            if info.st_size != size or info.st_mtime_ns != mtime:
                return False
        except (OSError, TypeError, ValueError):
            return False
    return True


def _looks_built_by_kb(folder: Path) -> bool:
    """True for a folder this module may remove: empty, or holding an Oxigraph (RocksDB) store
    (its ``CURRENT`` file) or an ``index.json``, and nothing that a store does not hold (no
    subfolders). A folder of someone else's that merely has an index's name is left alone."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return False
    names = {e.name for e in entries}
    return not entries or (bool(names & {"CURRENT", META}) and all(e.is_file() and not e.is_symlink() for e in entries))


def _folder_size(folder: Path) -> int:
    total = 0
    for root, _dirs, names in os.walk(folder):
        for name in names:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


def list_indexes(folder: Path | None = None) -> tuple[list[Index], list[Path]]:
    """The complete indexes in the cache, sorted by key, and the other folders this module made
    there (interrupted builds, damaged or older-format indexes), sorted by name."""
    folder = folder or cache_folder()
    indexes, leftovers = [], []
    if folder is None or not folder.is_dir():
        return indexes, leftovers
    for entry in sorted(folder.iterdir()):
        if _NAME.match(entry.name) and entry.is_dir() and not entry.is_symlink():
            meta = _meta(entry)
            if meta is None:
                if _looks_built_by_kb(entry):
                    leftovers.append(entry)
            else:
                indexes.append(Index(entry, tuple(meta["files"]), meta["triples"], _folder_size(entry)))
        elif (_BUILDING.match(entry.name) and entry.is_dir() and not entry.is_symlink() and _looks_built_by_kb(entry)
              and not being_built(entry)):
            leftovers.append(entry)
    return indexes, leftovers


def being_built(folder: Path) -> bool:
    """True when another process is building the store in ``folder`` now: RocksDB holds a POSIX
    lock on the store's ``LOCK`` file while it is open for writing (a finished or interrupted
    build holds none). Asked from another process only: a process's own locks never block it."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on Windows; there a locked folder fails to be removed
        return False
    try:
        handle = os.open(folder / "LOCK", os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(handle)  # also gives up the lock just taken
    return False


def clear(folder: Path | None = None) -> tuple[int, int]:
    """Remove every index and leftover build folder from the cache; return (folders removed,
    bytes freed). Touches nothing else in the cache folder, and no build that another kb run is
    writing now (:func:`being_built`). Raises :class:`KbError` when a folder cannot be removed."""
    indexes, leftovers = list_indexes(folder)
    removed = freed = 0
    for entry in [i.folder for i in indexes] + leftovers:
        size = _folder_size(entry)
        try:
            import shutil

            shutil.rmtree(entry)
        except FileNotFoundError:
            continue  # another kb run finished its build (renamed it) or removed it meanwhile
        except OSError as exc:
            raise KbError(f"{entry}: cannot remove the cached index ({exc.strerror}); check its permissions") from None
        removed += 1
        freed += size
    return removed, freed


def _remove_quietly(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


ABANDONED_AFTER = 3600
"""Seconds after its last change that a leftover build folder (see :func:`list_indexes`) counts as
abandoned. A build in progress holds its store's lock (:func:`being_built`), but not in the moment
between making its folder and opening the store, nor while a snapshot is written: an hour is far
beyond either (the longest build measured, 10^6 triples, took about 35 s)."""


def remove_abandoned(folder: Path) -> None:
    """Remove the leftover build folders in the cache ``folder`` (interrupted builds, damaged
    indexes: :func:`list_indexes`) unchanged for :data:`ABANDONED_AFTER` seconds, so that a killed
    run does not leave hundreds of MB behind for good; a successful build calls it. Leaves
    everything else, and errors, alone."""
    import time

    try:
        leftovers = list_indexes(folder)[1]
    except OSError:
        return
    now = time.time()
    for entry in leftovers:
        try:
            old = now - entry.stat().st_mtime > ABANDONED_AFTER
        except OSError:
            continue
        if old and not being_built(entry):
            _remove_quietly(entry)


def open_store(paths: Sequence[Path], build: Callable[[ox.Store, Sequence[Path]], None], settings: str = "",
               announce: Callable[[str], None] | None = None) -> ox.Store | None:
    """The read-only on-disk store of ``paths``, built with ``build(store, paths)`` the first time;
    None where no index is to be used (cache disabled, files together under :func:`threshold`
    bytes, or no usable cache folder), and the caller then loads into memory as usual.

    ``settings`` is part of the key (say how ``build`` parses). ``announce(text)`` is told once
    when an index is being built (on a terminal, the caller shows it). Errors of ``build`` (a
    Turtle syntax error, say) propagate after the partial build is removed. The files are hashed
    again after the build: when one changed meanwhile, the build is removed and :class:`KbError`
    names the file (what was read may be neither the old content nor the new).
    """
    if disabled():
        return None
    try:
        total = sum(p.stat().st_size for p in paths)
    except OSError:
        return None  # the caller's own loading names the file and the problem
    if total <= threshold():
        return None
    folder = cache_folder()
    if folder is None:
        if announce is not None:
            announce(f"kb: no cache folder ({why_no_cache_folder()}), so the files are parsed on every run; "
                     "set XDG_CACHE_HOME to a writable folder to index them once")
        return None
    digests = file_digests(paths)
    key = index_key(paths, settings, digests)
    target = folder / key
    meta = _meta(target) if target.is_dir() and not target.is_symlink() else None
    if meta is not None:
        try:
            if _intact(target, meta):
                return _opened(ox.Store.read_only(str(target)), key)
        except (OSError, RuntimeError):  # RocksDB's "Corruption: ..." comes as a RuntimeError
            pass
        _remove_quietly(target)  # damaged: built again below
    elif target.exists() or target.is_symlink():
        if target.is_dir() and not target.is_symlink() and _looks_built_by_kb(target):
            _remove_quietly(target)  # an index folder without its index.json: never trusted
        else:
            return None  # something that is not ours stands there: leave it, load into memory
    try:
        folder.mkdir(parents=True, exist_ok=True)
        import tempfile

        building = Path(tempfile.mkdtemp(prefix=f".build-{key}-", dir=folder))
    except OSError as exc:
        if announce is not None:
            reason = "a file stands in its way" if isinstance(exc, (FileExistsError, NotADirectoryError)) else exc.strerror
            announce(f"kb: cannot keep an index in {folder} ({reason}), so the files are parsed on every run; "
                     "set XDG_CACHE_HOME to a writable folder to index them once")
        return None
    if announce is not None:
        announce(f"Indexing {len(paths)} files ({total / 1e6:.1f} MB) once, into {folder}; "
                 "later runs on the same files open the index instead of parsing")
    try:
        store = ox.Store(str(building))
        build(store, paths)
        triples = len(store)
        # compacts what the entailments wrote through the write-ahead log into sorted files: at 10^6
        # triples the index shrinks from 410 MB to 178 MB, `links` on it runs in 16 s, not 23 s,
        # for 2.7 s more building (measured 2 December 2026, 2 cores)
        store.optimize()
        store.flush()
        del store
        # opened once more and closed: RocksDB then removes the write-ahead log that the compaction
        # made obsolete (186 MB at 10^6 triples), which it keeps while the writing store is open
        store = ox.Store(str(building))
        del store
        _check_unchanged(paths, digests)
        meta = {"format": FORMAT_VERSION, "key": key, "files": [str(p.resolve()) for p in paths], "triples": triples,
                "contents": _contents(building)}
        (building / META).write_text(json.dumps(meta, indent=1, sort_keys=True), encoding="utf-8")
    except BaseException as exc:
        # close the partial store before removing its folder: drop it here and in the frames of
        # ``build`` that the traceback keeps (else its background threads can still write files
        # into the folder while it is removed, and a .build-* folder is left behind)
        store = None
        import traceback

        traceback.clear_frames(exc.__traceback__)
        _remove_quietly(building)
        raise
    try:
        os.rename(building, target)
    except OSError:
        _remove_quietly(building)  # another run finished the same index first: use theirs
        if _meta(target) is None:
            return None
    remove_abandoned(folder)
    try:
        return _opened(ox.Store.read_only(str(target)), key)
    except (OSError, RuntimeError) as exc:
        print(f"kb: the cached index {target} does not open ({exc}); loading into memory", file=sys.stderr)
        return None


_INDEXES: dict[int, tuple[ox.Store, str]] = {}
"""The stores :func:`open_store` opened in this process (by ``id``, with the store itself so that
the id is never reused) and their index keys: :func:`query_results` keeps results only for them."""


def _opened(store: ox.Store, key: str) -> ox.Store:
    _INDEXES[id(store)] = (store, key)
    return store


DAMAGE_SIGNS = ("Corruption:", "stopped without an answer")
"""Words of an error that may come from a damaged index: RocksDB's own report of a checksum that
does not match (Oxigraph passes it on), or the query's process ending without an answer (RocksDB
may abort on a damaged file; so may a process out of memory)."""


def forget_damaged(message: str) -> str:
    """When ``message`` (an error of this run) shows RocksDB found damage in an index this process
    opened (``Corruption:``), remove that index and its kept results and return a sentence saying
    so (the next run builds it again); when the query's process died, return a hint to clear the
    cache should it happen again; else ``""``. RocksDB checks every block it reads against its
    checksum, so a damaged index fails rather than answers wrongly; the check is at reading, not
    at opening, which would read the whole index each run."""
    if not _INDEXES or not any(sign in message for sign in DAMAGE_SIGNS):
        return ""
    if "Corruption:" not in message:
        return " If this happens again, the cached index may be damaged: `kb cache --clear` removes it."
    folder, results = cache_folder(), results_folder()
    removed = []
    for _store, key in list(_INDEXES.values()):
        if folder is not None and (folder / key).is_dir() and _looks_built_by_kb(folder / key):
            _remove_quietly(folder / key)
            removed.append(str(folder / key))
        if results is not None and (results / key).is_dir():
            clear_results(results, key)
    if not removed:
        return ""
    return f" The cached index {removed[0]} is damaged; kb removed it: run the command again to build it anew."


SNAPSHOT = "quads.nq"
"""The file of a snapshot (see :func:`open_snapshot`) in its folder, beside ``index.json``."""


def open_snapshot(paths: Sequence[Path], build: Callable[[], ox.Store], settings: str = "") -> ox.Store | None:
    """An in-memory store of small data (the runs that :func:`open_store` leaves to memory: the
    shipped KB), read from a snapshot of it: the N-Quads that ``build()`` (parse and materialise,
    about 0.035 s for the shipped KB) gave the first time, which Oxigraph reads back in about half
    that (measured 1 December 2026, 2 cores). None where no snapshot is to be used (cache disabled,
    or the files together above :func:`threshold` bytes); without a usable cache folder it is
    ``build()``.

    The same rules as for an index: the key covers the files' content (plus ``settings`` and
    ``"snapshot"``), a snapshot is written beside and renamed into place complete, and one whose
    ``index.json`` does not match its file sizes or its SHA-256, or whose triple count differs
    after reading, is removed and built again, never trusted. A file that changed while it was
    read raises :class:`KbError` (see :func:`open_store`) and nothing is kept. ``kb cache`` lists snapshots with the indexes, and
    ``--clear`` removes them. Errors of ``build`` propagate; nothing is written then.
    """
    if disabled():
        return None
    try:
        total = sum(p.stat().st_size for p in paths)
    except OSError:
        return None
    if total > threshold():
        return None
    folder = cache_folder()
    if folder is None:
        return build()
    try:
        digests = file_digests(paths)
        key = index_key(paths, f"snapshot\0{settings}", digests)
    except KbError:
        return None  # the caller's own loading names the file and the problem
    target = folder / key
    meta = _meta(target) if target.is_dir() and not target.is_symlink() else None
    if meta is not None and meta.get("kind") == "snapshot":
        if _intact(target, meta):
            store = ox.Store()
            try:
                with (target / SNAPSHOT).open("rb") as handle:
                    quads = handle.read()
                # checked against the SHA-256 written with it: an edit that keeps the size is caught
                if _digest(quads).decode() == meta.get("sha256"):
                    # kb wrote this file with Oxigraph itself: the lenient parser skips re-checking IRIs
                    store.load(quads, format=ox.RdfFormat.N_QUADS, lenient=True)
                    if len(store) == meta["triples"]:
                        return store
            except (OSError, SyntaxError, ValueError):
                pass
        _remove_quietly(target)  # damaged: built again below
    elif target.exists() or target.is_symlink():
        if meta is None and target.is_dir() and not target.is_symlink() and _looks_built_by_kb(target):
            _remove_quietly(target)  # a snapshot folder without its index.json: never trusted
        else:
            return build()  # something that is not ours stands there: leave it
    store = build()
    _check_unchanged(paths, digests)
    building = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        import tempfile

        building = Path(tempfile.mkdtemp(prefix=f".build-{key}-", dir=folder))
        quads = store.dump(format=ox.RdfFormat.N_QUADS)
        (building / SNAPSHOT).write_bytes(quads)
        meta = {"format": FORMAT_VERSION, "kind": "snapshot", "key": key, "files": [str(p.resolve()) for p in paths],
                "triples": len(store), "sha256": _digest(quads).decode(), "contents": _contents(building)}
        (building / META).write_text(json.dumps(meta, indent=1, sort_keys=True), encoding="utf-8")
        os.rename(building, target)
        building = None
    except OSError:
        pass  # no snapshot this time (a full disk, a read-only cache, another run's rename first)
    finally:
        if building is not None:
            _remove_quietly(building)
    return store


# --- the results of stored queries on an index ---------------------------------------------------

RESULTS = "results"
"""The folder beside ``stores`` that keeps stored queries' results, one folder per index key."""

MAX_RESULT_BYTES = 64 * 1024 * 1024
"""Results larger than this (bytes of SPARQL TSV) are not kept."""

_RESULT = re.compile(r"^[0-9a-f]{64}\.tsv$")
_RESULT_PART = re.compile(r"^\.[0-9a-f]{64}\.tsv\.[A-Za-z0-9_]+\.part$")
_RESULT_MAGIC = b"kb-query-results"


def results_folder() -> Path | None:
    """``$XDG_CACHE_HOME/stedenbanden/results`` (see :func:`cache_folder`), or None."""
    stores = cache_folder()
    return stores.parent / RESULTS if stores is not None else None


def _result_key(text: str, bindings: Mapping[str, "ox.NamedNode | ox.Literal"]) -> str:
    whole = sha256(f"{FORMAT_VERSION}\0{text}\0".encode())
    for name in sorted(bindings):
        whole.update(f"{name}={bindings[name]}\0".encode())  # str() of a term is its N-Triples form
    return whole.hexdigest()


def _digest(body: bytes) -> bytes:
    """The hex SHA-256 of a kept result or a snapshot, by OpenSSL (hashlib): 4 MB in 7 ms, against
    40 ms with CPython's own (measured 2 December 2026, 2 cores)."""
    from hashlib import sha256 as openssl_sha256

    return openssl_sha256(body).hexdigest().encode()


def _read_result(path: Path) -> bytes | None:
    """The SPARQL TSV of a kept result, or None when there is none or it is damaged (then it is
    removed): the file is a line ``kb-query-results <SHA-256> <bytes>`` and the TSV, which must
    match that line."""
    try:
        with path.open("rb") as handle:
            data = handle.read()
    except OSError:
        return None
    head, _, body = data.partition(b"\n")
    parts = head.split(b" ")
    if (len(parts) == 3 and parts[0] == _RESULT_MAGIC and parts[2].isdigit() and int(parts[2]) == len(body)
            and _digest(body) == parts[1]):
        return body
    try:
        path.unlink()  # damaged: computed and kept again
    except OSError:
        pass
    return None


def _keep_result(path: Path, body: bytes) -> None:
    """Write ``body`` to ``path`` with its check line, beside it first and renamed into place
    (a reader sees the whole file or none); silently nothing where the cache cannot be written."""
    import tempfile

    part = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, part = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        with os.fdopen(handle, "wb") as out:
            out.write(b"%s %s %d\n" % (_RESULT_MAGIC, _digest(body), len(body)))
            out.write(body)
        os.replace(part, path)
        part = None
    except OSError:
        pass  # a full disk or a read-only cache: no kept result this time
    finally:
        if part is not None:
            try:
                os.unlink(part)
            except OSError:
                pass


def query_results(store: ox.Store, text: str, bindings: Mapping[str, "ox.NamedNode | ox.Literal"],
                  compute: Callable[[], object]):
    """The results of the SELECT query ``text`` with ``bindings`` (variable name -> term) on
    ``store``: ``compute()`` (which runs it) the first time, and from then on the results kept in
    :func:`results_folder` when ``store`` is an index that :func:`open_store` opened.

    An index never changes after it is built and its key covers the content of its files, so
    the same query text with the same bindings has the same results on it; they are kept as
    W3C SPARQL 1.1 TSV (every term with its datatype or language tag), written and checked with
    pyoxigraph's own serialiser and parser, under the index key and a SHA-256 of the query text
    and bindings. A kept result is checked against its SHA-256 before it is used and computed
    again when it does not match. Kept only for SELECT (other results are returned as computed),
    at most :data:`MAX_RESULT_BYTES`, not with ``KB_NO_CACHE``. Computing the results whole before
    the first row is returned costs nothing for queries with ORDER BY or aggregates, whose first row
    comes after the last is computed anyway. Raises what ``compute()`` raises, and
    :class:`KbError` when the query fails while it runs."""
    index = _INDEXES.get(id(store))
    folder = results_folder()
    if index is None or index[0] is not store or folder is None or disabled():
        return compute()
    path = folder / index[1] / f"{_result_key(text, bindings)}.tsv"
    kept = _read_result(path)
    if kept is not None:
        return ox.parse_query_results(kept, format=ox.QueryResultsFormat.TSV)
    solutions = compute()
    if not isinstance(solutions, ox.QuerySolutions):
        return solutions
    try:
        body = solutions.serialize(format=ox.QueryResultsFormat.TSV)
    except (OSError, RuntimeError, ValueError) as exc:
        raise KbError(f"the query failed while running: {exc}") from None
    if len(body) <= MAX_RESULT_BYTES:
        _keep_result(path, body)
    return ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV)


def _result_folders(folder: Path | None, key: str | None = None) -> list[Path]:
    """The folders of kept results below ``folder`` (named by an index key), of every index or of
    the index ``key``, sorted."""
    if folder is None or not folder.is_dir():
        return []
    return [entry for entry in sorted(folder.iterdir()) if _NAME.match(entry.name) and entry.is_dir()
            and not entry.is_symlink() and key in (None, entry.name)]


def _result_files(folders: Sequence[Path]) -> Iterator[tuple[str, Path, bool]]:
    """(index key, file, unfinished) for each file of the forms this module writes in
    ``folders`` (a kept result, or an unfinished write), in order; anything else is left out."""
    for entry in folders:
        for item in sorted(entry.iterdir()):
            if item.is_file() and not item.is_symlink():
                if _RESULT.match(item.name):
                    yield entry.name, item, False
                elif _RESULT_PART.match(item.name):
                    yield entry.name, item, True


def list_results(folder: Path | None = None) -> tuple[dict[str, tuple[int, int]], list[Path]]:
    """Per index key, the (count, bytes) of the kept results; and the other files this module
    made there (unfinished writes), sorted."""
    kept: dict[str, tuple[int, int]] = {}
    leftovers: list[Path] = []
    for key, item, unfinished in _result_files(_result_folders(folder or results_folder())):
        if unfinished:
            leftovers.append(item)
        else:
            count, size = kept.get(key, (0, 0))
            kept[key] = (count + 1, size + item.stat().st_size)
    return kept, leftovers


def clear_results(folder: Path | None = None, key: str | None = None) -> tuple[int, int]:
    """Remove the kept results and unfinished writes (files of the forms this module writes, and
    then their folders once empty), of every index or of the index ``key``; return (files
    removed, bytes freed). Leaves any other file alone. Raises :class:`KbError` when a file
    cannot be removed."""
    removed = freed = 0
    folders = _result_folders(folder or results_folder(), key)
    for _key, item, _unfinished in list(_result_files(folders)):
        size = item.stat().st_size
        try:
            item.unlink()
        except OSError as exc:
            raise KbError(f"{item}: cannot remove the kept query result ({exc.strerror}); check its permissions") from None
        removed += 1
        freed += size
    for entry in folders:
        try:
            entry.rmdir()
        except OSError:
            pass  # not empty: something of someone else's is in it
    return removed, freed
