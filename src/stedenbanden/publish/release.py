"""The release as a whole: build every part into a temporary folder, check it, and move it into
place; :func:`publish` is what ``kb publish`` runs."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Mapping, Sequence
from urllib.parse import urlsplit

from .. import __version__
from ..errors import KbError, KbUsageError
from . import catalog, charts, dumps, ontology_docs as ontology, site
from .common import DEFAULT_BASE_URL, LICENCE, PROFILE, Progress, file_header, sha256_hex, write_file

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
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in value):
        raise KbUsageError(f"{option} {value!r}: expected an http:// or https:// URL, e.g. https://example.org/sparql")
    return value


def _check_version(version: str) -> str:
    version = version.strip()
    if not version or "\n" in version or len(version) > 100:
        raise KbUsageError("--version: give a short version name on one line, e.g. 0.1.0")
    return version


# --------------------------------------------------------------------------------------------
# The release as a whole
# --------------------------------------------------------------------------------------------

def publish(store, files: Sequence[Path], outdir: Path | str, *, version: str = __version__,
            date: dt.date | None = None, endpoint_url: str | None = None, base_url: str = DEFAULT_BASE_URL,
            progress: Progress | None = None) -> Release:
    """Build the release of the knowledge base in ``store`` (an Oxigraph store of ontology and
    data, loaded from the Turtle ``files``) and put it at ``outdir``.

    The release is built in a temporary folder beside ``outdir`` and moved into place only when
    complete: on any error the temporary folder is removed and a release already at ``outdir``
    stays as it was. ``outdir`` may not exist yet, be empty, or hold a previous release (it has
    ``catalog.ttl`` and ``SHA256SUMS``); any other folder is refused rather than overwritten.

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
    version = _check_version(version)
    if endpoint_url is not None:
        _check_url(endpoint_url, "--endpoint-url")
    base_url = _check_url(base_url, "--base-url")
    if not base_url.endswith("/"):
        base_url += "/"
    _check_target(outdir)
    parent = outdir.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.building-", dir=parent))
        os.chmod(building, 0o755)
    except OSError as exc:
        raise KbError(f"{parent}: cannot create the release folder here ({exc.strerror})") from None
    try:
        release = build(store, files, building, version=version, date=date, endpoint_url=endpoint_url,
                        base_url=base_url, progress=progress)
        _say(progress, 7, f"Moving the release into place at {outdir}")
        _swap(building, outdir)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return replace(release, folder=outdir)


def is_release(folder: Path) -> bool:
    """True when ``folder`` holds a release written by :func:`publish` (``catalog.ttl`` and
    ``SHA256SUMS``), which a new release may replace."""
    return (folder / "catalog.ttl").is_file() and (folder / "SHA256SUMS").is_file()


def _check_target(outdir: Path) -> None:
    if outdir.exists() and not outdir.is_dir():
        raise KbUsageError(f"{outdir}: is a file; give a folder for the release")
    if outdir.is_dir() and any(outdir.iterdir()) and not is_release(outdir):
        raise KbUsageError(f"{outdir}: folder is not empty and holds no previous release; give a new or "
                           "empty folder (kb publish replaces only a release it wrote)")


def _swap(building: Path, outdir: Path) -> None:
    """Put the finished release ``building`` at ``outdir``, replacing a previous release."""
    import shutil
    import tempfile

    try:
        if not outdir.exists():
            os.rename(building, outdir)
            return
        old = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.previous-", dir=building.parent))
        os.rmdir(old)
        os.rename(outdir, old)
        try:
            os.rename(building, outdir)
        except OSError:
            os.rename(old, outdir)
            raise
        shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        raise KbError(f"{outdir}: cannot move the release into place ({exc.strerror}); "
                      "the previous release, if any, is unchanged") from None


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
    _say(progress, 1, "Reading the knowledge base")
    graph, prefixes = dumps.read_knowledge_base(files)

    _say(progress, 2, f"Writing the dumps of {len(graph)} triples (Turtle, N-Triples, JSON-LD)")
    written_dumps = dumps.write_dumps(graph, prefixes, folder, version)

    _say(progress, 3, f"Describing the dataset (DCAT, VoID) and checking it against the {PROFILE} shapes")
    description = catalog.describe(graph, written_dumps, version=version, date=date, endpoint_url=endpoint_url,
                                   base_url=base_url)
    problems = catalog.check_description(description)
    if problems:
        raise KbError(f"the dataset description does not pass the {PROFILE} shapes: " + "; ".join(problems))
    write_file(folder / "catalog.ttl", dumps.turtle_text(description, catalog.description_prefixes(prefixes),
                                                         file_header(f"Description of the stedenbanden knowledge "
                                                                     f"base, release {version}: DCAT ({PROFILE}) "
                                                                     "and VoID.")))

    _say(progress, 4, "Documenting the ontology (pyLODE)")
    anchors = ontology.ontology_docs(graph, prefixes, folder)

    _say(progress, 5, "Drawing the charts (links per partner country, initiator, theme)")
    drawn = charts.draw_charts(store, folder)

    pages = site.Site(graph + description, catalog.description_prefixes(prefixes), anchors, base_url)
    _say(progress, 6, f"Writing {len(pages.pages)} resource pages and the index")
    context = {
        "version": version,
        "date": date.isoformat() if date else None,
        "triples": len(graph),
        "endpoint_url": endpoint_url,
        "profile": PROFILE,
        "licence": LICENCE,
        "base_url": base_url,
    }
    pages.write(folder, store, drawn, written_dumps, context)
    site.write_static(folder)
    written = _write_checksums(folder)
    return Release(folder, version, date, written, len(graph), len(pages.pages))


def _write_checksums(folder: Path) -> tuple[str, ...]:
    paths = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    lines = [f"{sha256_hex((folder / p).read_bytes())}  {p}\n" for p in paths]
    write_file(folder / "SHA256SUMS", "".join(lines))
    return tuple(sorted([*paths, "SHA256SUMS"]))


