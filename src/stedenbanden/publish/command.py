"""The ``kb publish`` command (Click)."""

from __future__ import annotations

import time
from pathlib import Path

import click

from .. import __version__
from ..formats import NonEmptyPath
from .common import DEFAULT_BASE_URL
from .release import InterruptedAfterMove, check_options, check_target, publish, release_date

# --------------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------------

@click.argument("outdir", type=NonEmptyPath(path_type=Path, file_okay=False, writable=False))
@click.option("--endpoint-url", metavar="URL", help="SPARQL endpoint that serves the knowledge base, "
              "stated in the description (dcat:DataService, void:sparqlEndpoint).")
@click.option("--version", "version", default=__version__, show_default=True, metavar="TEXT",
              help="Version name of the release (dcat:version).")
@click.option("--date", "date", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Release date (dcterms:issued, dcterms:modified). Default: SOURCE_DATE_EPOCH if set, "
                   "else no date is stated; never the clock, so that rebuilds are identical.")
@click.option("--base-url", default=DEFAULT_BASE_URL, show_default=True, metavar="URL",
              help="Where OUTDIR will be served; the download URLs in catalog.ttl start with it.")
@click.pass_obj
def _publish(state, outdir: Path, endpoint_url, version, date, base_url):
    """Publish the knowledge base as open data in OUTDIR: dumps (Turtle, N-Triples, JSON-LD),
    a DCAT-AP/VoID description, ontology documentation and a static site with a page per
    resource. OUTDIR is replaced only when the new release is complete."""
    import signal
    import sys

    started = time.monotonic()
    when = release_date(date)
    # Options and the target folder are checked before the knowledge base is even loaded.
    check_options(version=version, endpoint_url=endpoint_url, base_url=base_url)
    check_target(outdir)
    check_inputs_outside(state.files(), outdir)
    release = None
    try:
        release = publish(state.store(), state.files(), outdir, version=version, date=when,
                          endpoint_url=endpoint_url, base_url=base_url, progress=lambda line: click.echo(line, err=True))
        click.echo(f"Done in {time.monotonic() - started:.1f} s.", err=True)
        dated = f", dated {when.isoformat()}," if when else " (no release date: give --date YYYY-MM-DD)"
        click.echo(f"Published release {release.version}{dated} to {release.folder}: {len(release.files)} files, "
                   f"{release.triples} triples, {release.pages} resource pages.")
        click.echo(f"Browse it: python -m http.server -d {release.folder}, then open http://127.0.0.1:8000/")
        sys.stdout.flush()
    except KeyboardInterrupt as exc:
        where = (f"the new release at {outdir} is complete" if release is not None
                 or isinstance(exc, InterruptedAfterMove) else f"{outdir} is as it was")
        click.echo(f"kb publish: interrupted; {where}.", err=True)
        from ..cli import interrupt_status

        raise click.exceptions.Exit(interrupt_status()) from None
    # Done: from here to the end of the process, Ctrl-C ends it at once with the interrupt's
    # usual exit status (no traceback from the interpreter's shutdown).
    if threading_main():
        signal.signal(signal.SIGINT, signal.SIG_DFL)


def check_inputs_outside(files, outdir: Path) -> None:
    """Raise :class:`KbUsageError` when one of the data ``files`` lies in ``outdir``: the new
    release replaces that folder's files, so kb would overwrite (or delete) what it reads, and the
    next release would contain the last one (``--extra-data site/dumps/stedenbanden.ttl``)."""
    from ..errors import KbUsageError

    folder = outdir.resolve()
    for path in files:
        if path.resolve().is_relative_to(folder):
            raise KbUsageError(f"{path}: lies in {outdir}, which kb publish replaces with the new release; "
                               "copy the file out of that folder and give the copy")


def threading_main() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


publish_command = click.command("publish")(_publish)
