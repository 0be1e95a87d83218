"""The release as a whole: build every part into a temporary folder, check it, and move it into
place; :func:`publish` is what ``kb publish`` runs."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping, Sequence
from urllib.parse import urlsplit

from .. import __version__
from ..errors import KbError, KbUsageError
from . import catalog, charts, dumps, maps, ontology_docs as ontology, site, tables, webserver
from .common import (DEFAULT_BASE_URL, LICENCE, PROFILE, Progress, beside, file_header, forget_written, in_background,
                     keep_digests, sha256_hex, write_file, written_digest)

@dataclass(frozen=True)
class Release:
    """What :func:`publish` wrote: the release ``folder``, its ``version`` and release ``date``
    (None when not stated), every file (paths relative to the folder, sorted), the number of
    triples in the knowledge base and of resource pages."""

    folder: Path
    version: str
    date: dt.date | None
    files: tuple[str, ...]
    triples: int
    pages: int
    digests: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)  # path -> SHA-256


_STEPS = 7
# --------------------------------------------------------------------------------------------
# Options
# --------------------------------------------------------------------------------------------

def release_date(given: dt.date | dt.datetime | None = None, environ: Mapping[str, str] | None = None) -> dt.date | None:
    """The release date to state as ``dcterms:issued`` and ``dcterms:modified``.

    ``given`` (``kb publish --date``) wins; otherwise the environment variable
    ``SOURCE_DATE_EPOCH`` (seconds since 1970, UTC; the reproducible-builds convention) is used;
    otherwise None, and the release states no date rather than one taken from the clock.
    Raises :class:`KbUsageError` when ``SOURCE_DATE_EPOCH`` is not a whole number.
    """
    if isinstance(given, dt.datetime):
        return given.date()
    if given is not None:
        return given
    raw = (environ if environ is not None else os.environ).get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    try:
        return dt.datetime.fromtimestamp(int(raw), tz=dt.timezone.utc).date()
    except (ValueError, OverflowError, OSError):
        raise KbUsageError(f"SOURCE_DATE_EPOCH={raw!r}: expected seconds since 1970 (a whole number)") from None


def _check_url(value: str, option: str) -> str:
    try:
        parts = urlsplit(value)
    except ValueError:
        raise KbUsageError(f"{option} {value!r}: is not a URL; expected e.g. https://example.org/sparql") from None
    if "@" in parts.netloc:
        from ..remote import redacted

        raise KbUsageError(f"{option} {redacted(value)!r}: holds a user name or password, which the release would "
                           "publish (catalog.ttl, the pages, the server configuration); give the URL without them")
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in value):
        raise KbUsageError(f"{option} {value!r}: expected an http:// or https:// URL, e.g. https://example.org/sparql")
    # Characters that an IRI may not hold (Turtle's IRIREF, RFC 3987): the URL goes into catalog.ttl.
    bad = sorted({c for c in value if c in '<>"{}|\\^`' or ord(c) < 0x20 or ord(c) == 0x7F})
    if bad:
        shown = " ".join(repr(c) for c in bad)
        raise KbUsageError(f"{option} {value!r}: holds {shown}, which a URL may not hold; percent-encode "
                           "it (e.g. %22 for a double quote) or leave it out")
    return value


def check_options(*, version: str, endpoint_url: str | None, base_url: str) -> tuple[str, str]:
    """Check the options of a release; return the version (stripped) and the base URL (ending in
    ``/``). Raises :class:`KbUsageError` naming the option for a bad one."""
    version = _check_version(version)
    if endpoint_url is not None:
        _check_url(endpoint_url, "--endpoint-url")
    base_url = _check_url(base_url, "--base-url")
    return version, base_url if base_url.endswith("/") else base_url + "/"


def _check_version(version: str) -> str:
    version = version.strip()
    if not version or "\n" in version or len(version) > 100:
        raise KbUsageError("--version: give a short version name on one line, e.g. 0.1.0")
    return version


# --------------------------------------------------------------------------------------------
# The release as a whole
# --------------------------------------------------------------------------------------------

MANIFEST = ".kb-release.json"
"""The file, in the release folder, that lists every file the release wrote with its SHA-256: the
only files a later ``kb publish`` into the same folder may replace or delete."""

_GENERATOR = "kb publish (stedenbanden)"


def publish(store, files: Sequence[Path], outdir: Path | str, *, version: str = __version__,
            date: dt.date | None = None, endpoint_url: str | None = None, base_url: str = DEFAULT_BASE_URL,
            progress: Progress | None = None) -> Release:
    """Build the release of the knowledge base in ``store`` (an Oxigraph store of ontology and
    data, loaded from the Turtle ``files``) and put it at ``outdir``.

    ``outdir`` may not exist yet, be empty (hidden entries such as ``.git`` and a ``CNAME`` do not
    count), or hold a previous release of kb, which lists the
    files it wrote in its manifest (:data:`MANIFEST`). Only those files are replaced or deleted;
    every other file in the folder (``.git``, ``CNAME``, a README) stays as it was. A folder with
    other files and no manifest is refused before anything is built, and so is a release whose
    files were changed since kb wrote them, or a new file of the release whose path the user's own
    file already takes. ``outdir`` may be the current folder.

    The release is built in a hidden temporary folder inside ``outdir`` and moved into place file
    by file only when complete, with Ctrl-C held back during the move; on any error the temporary
    folder is removed and the previous release stays as it was.

    ``version`` names the release (``dcat:version``); ``date`` is its ``dcterms:issued`` and
    ``dcterms:modified`` (None: not stated); ``endpoint_url`` adds a SPARQL endpoint (a
    ``dcat:DataService`` and ``void:sparqlEndpoint``); ``base_url`` is where the folder will be
    served, used for the absolute download URLs of the description. ``progress`` receives one
    line per step. Raises :class:`KbUsageError` for an unusable ``outdir`` or option, and
    :class:`KbError` when a step fails (a folder that cannot be written, a description that does
    not pass the DCAT-AP shapes).
    """
    import shutil
    import tempfile

    outdir = Path(outdir)
    version, base_url = check_options(version=version, endpoint_url=endpoint_url, base_url=base_url)
    previous = check_target(outdir)
    created = not outdir.exists()
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix=".kb-publish-building-", dir=outdir))
        os.chmod(building, 0o755)
    except OSError as exc:
        raise KbError(f"{outdir}: cannot create the release folder here ({exc.strerror})") from None
    try:
        release = build(store, files, building, version=version, date=date, endpoint_url=endpoint_url,
                        base_url=base_url, progress=progress)
        written = _write_manifest(building, release.files, release.digests)
        _check_new_paths(outdir, previous, written, building)
        _say(progress, 7, f"Moving the release into place at {outdir}")
        with _interrupts_held():
            _move_into_place(building, outdir, previous, written)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        forget_written(building)
        if created:
            try:
                outdir.rmdir()
            except OSError:
                pass
        raise
    shutil.rmtree(building, ignore_errors=True)
    return replace(release, folder=outdir, files=tuple(sorted(written)))


def is_release(folder: Path) -> bool:
    """True when ``folder`` holds a release written by :func:`publish`: its manifest
    (:data:`MANIFEST`) is there and was written by kb. Only such a release may be replaced."""
    try:
        _read_manifest(Path(folder))
    except KbUsageError:
        return False
    return (Path(folder) / MANIFEST).is_file()


def _read_manifest(folder: Path) -> dict[str, str]:
    """The files of the release in ``folder`` (path -> SHA-256) by its manifest, the manifest
    itself included (with no checksum); {} when there is none. Raises :class:`KbUsageError` for a manifest kb did not write."""
    import json

    path = folder / MANIFEST
    if not path.exists() and not path.is_symlink():
        return {}
    try:
        if path.is_symlink() or not path.is_file():
            raise ValueError("not a regular file")
        data = json.loads(path.read_bytes().decode("utf-8"))
        files = data["files"]
        if data.get("generator") != _GENERATOR or not isinstance(files, dict) or not all(
                isinstance(k, str) and isinstance(v, str) and _safe_relative(k) for k, v in files.items()):
            raise ValueError("not written by kb publish")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise KbUsageError(f"{path}: is not a manifest written by kb publish; kb replaces only the files "
                           "of a release it wrote. Give a new or empty folder.") from None
    return {**files, MANIFEST: ""}  # the manifest is kb's too


def _safe_relative(path: str) -> bool:
    parts = path.split("/")
    return bool(path) and not path.startswith("/") and all(p not in ("", ".", "..") for p in parts)


def _write_manifest(building: Path, files: Sequence[str], digests: Mapping[str, str] | None = None) -> dict[str, str]:
    """Write the manifest of the release in ``building`` and return it (path -> SHA-256), the
    manifest itself included with the checksum of its own text. ``digests`` (path -> SHA-256)
    are checksums already worked out for these files (SHA256SUMS'), not read again."""
    import json

    digests = digests or {}
    listed = {path: digests.get(path) or sha256_hex((building / path).read_bytes()) for path in sorted(files)}
    text = json.dumps({"generator": _GENERATOR, "files": listed}, indent=1, sort_keys=True) + "\n"
    write_file(building / MANIFEST, text)
    return {**listed, MANIFEST: written_digest(building / MANIFEST)}


def check_target(outdir: Path) -> dict[str, str]:
    """Refuse, before anything is built, a release folder kb may not write into; return the
    files of the previous release there (path -> SHA-256; {} for a new or empty folder)."""
    if outdir.exists() and not outdir.is_dir():
        raise KbUsageError(f"{outdir}: is a file; give a folder for the release")
    if not outdir.exists():
        return {}
    try:
        entries = list(outdir.iterdir())
    except OSError as exc:
        raise KbUsageError(f"{outdir}: cannot read the folder ({exc.strerror})") from None
    previous = _read_manifest(outdir)
    if not previous:
        if all(_kept_by_a_first_release(entry) for entry in entries):
            return {}
        if (outdir / "catalog.ttl").exists() and (outdir / "SHA256SUMS").exists():
            raise KbUsageError(f"{outdir}: looks like a release but has no manifest {MANIFEST} of kb publish, so "
                               "kb cannot tell its files from yours and replaces none; give a new or empty "
                               "folder, or remove the old release's files yourself")
        raise KbUsageError(f"{outdir}: folder is not empty and holds no previous release; give a new or "
                           "empty folder (kb publish replaces only a release it wrote)")
    changed = []
    for path, digest in sorted(previous.items()):
        target = outdir / path
        if path == MANIFEST:
            continue
        if _crosses_link(outdir, path):  # a folder of the release replaced by a file or a link of yours
            changed.append(path)
            continue
        if not (target.exists() or target.is_symlink()):
            continue
        if target.is_symlink() or not target.is_file():
            changed.append(path)
            continue
        try:
            if sha256_hex(target.read_bytes()) != digest:
                changed.append(path)
        except OSError:
            changed.append(path)
    if changed:
        shown = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
        raise KbUsageError(f"{outdir}: files of the previous release were changed since kb wrote them ({shown}); "
                           "kb does not overwrite them. Move them away or restore them, then publish again.")
    return previous


def _kept_by_a_first_release(entry: Path) -> bool:
    """True for what a fresh GitHub Pages checkout holds and a first release leaves alone: a hidden
    entry (``.git``, ``.nojekyll``, ``.github``) or ``CNAME``. A folder of only these counts as empty."""
    return entry.name.startswith(".") or entry.name == "CNAME"


def _crosses_link(outdir: Path, path: str, checked: dict | None = None) -> bool:
    """True when a folder on the way from ``outdir`` to ``path`` is a symbolic link or not a folder.
    ``checked`` (folder -> answer) keeps the answers for folders already looked at."""
    here = outdir
    for part in path.split("/")[:-1]:
        here = here / part
        if checked is not None and here in checked:
            bad = checked[here]
        else:
            bad = here.is_symlink() or (here.exists() and not here.is_dir())
            if checked is not None:
                checked[here] = bad
        if bad:
            return True
    return False


def _check_new_paths(outdir: Path, previous: Mapping[str, str], written: Mapping[str, str],
                     building: Path | None = None) -> None:
    """Refuse a release whose new files would take the place of files that are the user's.
    ``building`` (a folder in ``outdir``) is not looked into. The entries of ``outdir`` are
    listed once (a lookup per new file took several seconds for 134,000 files)."""
    folders, others = _entries_under(outdir, building.name if building is not None else None)
    crossing: dict[str, bool] = {}

    def crosses(path: str) -> bool:  # a folder on the way is a file or a link (see _crosses_link)
        folder = path.rpartition("/")[0]
        if not folder:
            return False
        if folder not in crossing:
            crossing[folder] = folder in others or crosses(folder)
        return crossing[folder]

    taken = [path for path in sorted(written)
             if crosses(path) or (path not in previous and (path in others or path in folders))]
    if taken:
        shown = ", ".join(taken[:3]) + (f" and {len(taken) - 3} more" if len(taken) > 3 else "")
        raise KbUsageError(f"{outdir}: the release would write {shown}, which kb did not write before; "
                           "move your file(s) away and publish again")


def _entries_under(folder: Path, skip: str | None = None) -> tuple[set[str], set[str]]:
    """The folders and the other entries (files, symbolic links, whatever they point to) under
    ``folder``, relative paths with ``/``; links are not followed, ``skip`` (an entry of
    ``folder`` itself) is left out."""
    folders: set[str] = set()
    others: set[str] = set()

    def walk(here: str, prefix: str) -> None:
        try:
            entries = list(os.scandir(here))
        except OSError:
            return
        for entry in entries:
            if not prefix and entry.name == skip:
                continue
            if entry.is_dir(follow_symlinks=False):
                folders.add(prefix + entry.name)
                walk(entry.path, prefix + entry.name + "/")
            else:
                others.add(prefix + entry.name)

    walk(str(folder), "")
    return folders, others


class InterruptedAfterMove(KeyboardInterrupt):
    """Ctrl-C came while the release was moved into place: the move was finished first, and the
    new release is complete."""


class _interrupts_held:
    """Hold back Ctrl-C (SIGINT) while the release is moved into place, so that the folder never
    holds half a release; an interrupt that came meanwhile is raised as KeyboardInterrupt at the
    end (:class:`InterruptedAfterMove`). Does nothing outside the main thread (where signal handlers cannot be set)."""

    def __enter__(self):
        import signal
        import threading

        self.caught = False
        self.previous = {}
        if threading.current_thread() is threading.main_thread():
            def hold(signum, frame):
                self.caught = True

            # SIGTERM and SIGHUP too, where kb stops on them as on Ctrl-C (cli.stop_like_ctrl_c)
            for number in (signal.SIGINT, getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)):
                if number is not None and callable(signal.getsignal(number)):
                    self.previous[number] = signal.signal(number, hold)
        return self

    def __exit__(self, *exc):
        import signal

        for number, handler in self.previous.items():
            signal.signal(number, handler)
        if self.caught and exc[0] is None:
            raise InterruptedAfterMove
        return False


def _move_into_place(building: Path, outdir: Path, previous: Mapping[str, str], written: Mapping[str, str]) -> None:
    """Replace the files of the ``previous`` release in ``outdir`` by those of the new one in
    ``building`` (paths in ``written``): old files the new release lacks are deleted, then each new
    file is moved in (an atomic rename), the manifest last; a folder of the new release that
    ``outdir`` does not hold yet is moved in as a whole (one rename instead of one per file:
    a first release of 134,000 files took seconds). Folders left empty by the old files are
    removed. Nothing else in ``outdir`` is touched."""
    tree: dict = {}
    for path in written:
        if path == MANIFEST:
            continue
        node = tree
        *folders, name = path.split("/")
        for part in folders:
            node = node.setdefault(part, {})
        node[name] = None

    def move(node: dict, here: str) -> None:
        for name in sorted(node):
            path = here + name
            target = outdir / path
            if node[name] is None:
                os.replace(building / path, target)
            elif not (target.exists() or target.is_symlink()):
                os.replace(building / path, target)  # holds only files of the release
            else:
                move(node[name], path + "/")

    try:
        for path in sorted(set(previous) - set(written)):
            target = outdir / path
            if target.is_file() and not target.is_symlink():
                target.unlink()
            _remove_empty_parents(outdir, target.parent)
        move(tree, "")
        if MANIFEST in written:
            os.replace(building / MANIFEST, outdir / MANIFEST)
    except OSError as exc:
        raise KbError(f"{outdir}: cannot move the release into place ({exc.strerror})") from None


def _remove_empty_parents(outdir: Path, folder: Path) -> None:
    while folder != outdir and outdir in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _say(progress: Progress | None, step: int, message: str) -> None:
    if progress is not None:
        progress(f"[{step}/{_STEPS}] {message}")


def build(store, files: Sequence[Path], folder: Path, *, version: str = __version__, date: dt.date | None = None,
          endpoint_url: str | None = None, base_url: str = DEFAULT_BASE_URL,
          progress: Progress | None = None) -> Release:
    """Write the release into ``folder`` (an existing, empty folder) and return what was written.

    See :func:`publish`, which builds into a temporary folder with this function and moves the
    result into place. Raises :class:`KbError` when a file cannot be written or the dataset
    description does not pass the DCAT-AP shapes.
    """
    folder = Path(folder)
    with keep_digests(folder):
        return _build(store, files, folder, version=version, date=date, endpoint_url=endpoint_url, base_url=base_url,
                      progress=progress)


def _build(store, files: Sequence[Path], folder: Path, *, version: str, date: dt.date | None,
           endpoint_url: str | None, base_url: str, progress: Progress | None) -> Release:
    _say(progress, 1, "Reading the knowledge base")
    graph, prefixes = dumps.read_knowledge_base(files)
    triples = len(graph)

    _say(progress, 2, f"Writing the dumps of {len(graph)} triples (Turtle, N-Triples, JSON-LD) and the "
                      "stored queries' tables (CSV with CSVW metadata, JSON)")
    # The Turtle dump (rdflib, the slowest part of the dumps) is written in a process of its
    # own beside the rest of the dumps, the tables, the ontology's pages and the charts: only
    # the description (step 5) needs it, for its size and checksum.
    turtle_written = in_background(lambda: dumps.write_dump("turtle", graph, prefixes, folder, version),
                                   "writing the Turtle dump")
    try:
        other_dumps = [dumps.write_dump(key, graph, prefixes, folder, version) for key in dumps.DUMP_KEYS[1:]]
        written_tables, table_files = tables.write_tables(store, folder)

        _say(progress, 3, "Documenting the ontology (pyLODE)")
        anchors = ontology.ontology_docs(graph, prefixes, folder)

        _say(progress, 4, "Drawing the charts (links per partner country, initiator, theme)")
        drawn = charts.draw_charts(store, folder)
    except BaseException:
        turtle_written(cancel=True)
        raise
    turtle_written()
    written_dumps = [dumps.written_dump(dumps.DUMP_KEYS[0], folder), *other_dumps]

    _say(progress, 5, f"Describing the dataset (DCAT, VoID) and checking it against the {PROFILE} shapes")
    description = catalog.describe(graph, [*written_dumps, *table_files], version=version, date=date, endpoint_url=endpoint_url,
                                   base_url=base_url)
    problems, warnings = catalog.validate_description(description)
    if problems:
        raise KbError(f"the dataset description does not pass the {PROFILE} shapes: " + "; ".join(problems))
    for warning in warnings:
        if progress is not None:
            progress(f"      warning ({PROFILE}, recommended): {warning}")
    write_file(folder / "catalog.ttl", dumps.turtle_text(description, catalog.description_prefixes(prefixes),
                                                         file_header(f"Description of the stedenbanden knowledge "
                                                                     f"base, release {version}: DCAT ({PROFILE}) "
                                                                     f"and VoID; {catalog.CHECKED}.")))

    pages = site.Site(graph, catalog.description_prefixes(prefixes), anchors, base_url, description)
    drawing = []  # the maps are drawn in a process of their own, beside the pages
    index_maps, link_maps = maps.draw_maps(graph, pages.label, folder, draw=drawing.append)
    beside(drawing[0], lambda: _write_pages(folder, pages, store, drawn, written_dumps, written_tables, index_maps,
                                            link_maps, triples, version=version, date=date, endpoint_url=endpoint_url,
                                            base_url=base_url, progress=progress), "drawing the maps")
    written, digests = _write_checksums(folder)
    return Release(folder, version, date, written, triples, len(pages.pages), digests)


def _write_pages(folder, pages, store, drawn, written_dumps, written_tables, index_maps, link_maps, triples, *,
                 version, date, endpoint_url, base_url, progress) -> None:
    """Step 6 of :func:`build`: the resource pages, the index, the server configuration and the
    static files."""
    _say(progress, 6, f"Writing {len(pages.pages)} resource pages and the index, and drawing the maps")
    context = {
        "version": version,
        "date": date.isoformat() if date else None,
        "triples": triples,
        "endpoint_url": endpoint_url,
        "profile": PROFILE,
        "checked": catalog.CHECKED,
        "licence": LICENCE,
        "base_url": base_url,
    }
    pages.write(folder, store, drawn, written_dumps, context, written_tables, index_maps, link_maps)
    nginx_http, nginx_server = webserver.nginx_config(base_url)
    write_file(folder / "server" / "nginx-http.conf", nginx_http)
    write_file(folder / "server" / "nginx-server.conf", nginx_server)
    write_file(folder / "server" / "apache.conf", webserver.apache_config(base_url))
    site.write_static(folder)


def _write_checksums(folder: Path) -> tuple[tuple[str, ...], dict[str, str]]:
    """Write SHA256SUMS of every file in ``folder``; return every file (SHA256SUMS included,
    sorted) and the checksums (path -> SHA-256). A file's checksum is the one worked out when it
    was written (:func:`~.common.written_digest`)."""
    paths = sorted(_files_under(folder))
    digests = {p: written_digest(os.path.join(folder, p)) for p in paths}
    text = "".join(f"{digests[p]}  {p}\n" for p in paths)
    write_file(folder / "SHA256SUMS", text)
    digests["SHA256SUMS"] = sha256_hex(text.encode("utf-8"))
    written_digest(folder / "SHA256SUMS")
    return tuple(sorted([*paths, "SHA256SUMS"])), digests


def _files_under(folder: Path | str, skip: str | None = None) -> list[str]:
    """Every file (no folders; symbolic links not followed) under ``folder``, as paths relative
    to it with ``/``; ``skip`` names an entry of ``folder`` itself to leave out."""
    found = []

    def walk(here: str, prefix: str) -> None:
        with os.scandir(here) as entries:
            for entry in entries:
                if not prefix and entry.name == skip:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    walk(entry.path, prefix + entry.name + "/")
                elif entry.is_file(follow_symlinks=False):
                    found.append(prefix + entry.name)

    walk(str(folder), "")
    return found
