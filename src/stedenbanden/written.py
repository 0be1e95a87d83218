"""The files that ``kb`` wrote with ``--output``, so that a later run may replace them, and only
them: ``kb`` never overwrites a file it did not write (a user's own notes that happen to have the
name given to ``-o``).

The record is ``$XDG_STATE_HOME/stedenbanden/written.json`` (default ``~/.local/state``, as the
XDG Base Directory specification says for state that outlives a run but is not worth a backup):
each file's absolute path with the size and SHA-256 of what ``kb`` wrote there. A file whose
content is still that may be replaced; a changed one, or one not in the record, is refused. An
empty file may always be replaced (there is nothing to lose: ``mktemp`` makes them). Without a
usable state folder nothing is recorded, and only empty or new files are written.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

RECORD = "written.json"
KEPT = 2000
"""At most this many files are remembered; the oldest entries are dropped first."""


def state_folder() -> Path | None:
    """``$XDG_STATE_HOME/stedenbanden`` (default ``~/.local/state/stedenbanden``; a relative
    ``XDG_STATE_HOME`` is ignored, as the specification says); None without a home folder."""
    base = os.environ.get("XDG_STATE_HOME", "")
    if not os.path.isabs(base):
        home = os.path.expanduser("~")
        base = os.path.join(home, ".local", "state") if os.path.isabs(home) and os.path.isdir(home) else ""
    return Path(base) / "stedenbanden" if base else None


def _read() -> dict[str, list]:
    folder = state_folder()
    if folder is None:
        return {}
    try:
        entries = json.loads((folder / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # no record yet, or one that is not ours: nothing may be replaced
    return entries if isinstance(entries, dict) else {}


def may_replace(target: Path) -> bool:
    """Whether ``kb`` may replace the existing regular file ``target``: it is empty, or its size
    and SHA-256 are those ``kb`` recorded when it wrote it."""
    try:
        size = target.stat().st_size
    except OSError:
        return True  # gone meanwhile: nothing to lose
    if size == 0:
        return True
    entry = _read().get(str(target.resolve()))
    if not (isinstance(entry, list) and len(entry) == 2 and entry[0] == size):
        return False
    from .cache import file_digests
    from .errors import KbError

    try:
        return file_digests([target]) == [entry[1]]
    except KbError:  # it cannot be read: not replaced
        return False


def record(target: Path, size: int, sha256: str) -> None:
    """Remember that ``kb`` wrote ``size`` bytes with this ``sha256`` (hex) to ``target``. Quietly
    does nothing where the record cannot be written (then that file is not replaced later)."""
    folder = state_folder()
    if folder is None:
        return
    entries = _read()
    key = str(target.resolve())
    entries.pop(key, None)  # re-added last: the newest entries are the ones kept
    entries[key] = [size, sha256]
    kept = dict(list(entries.items())[-KEPT:])
    tmp = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{RECORD}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(kept, handle, indent=0, sort_keys=False)
        os.replace(tmp, folder / RECORD)
        tmp = None
    except OSError:
        pass
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
