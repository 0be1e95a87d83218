"""The ``kb`` command: query, validate and report on the stedenbanden knowledge base.

Every listing command takes ``--format table|csv|tsv|json|md`` and ``--output FILE``. ``--data
PATH`` (repeatable; a Turtle file or a folder of them) replaces the shipped data and
``--extra-data PATH`` adds to it; both may stand before or after the command name. The ontology
is always loaded. Exit codes: 0 success, 1 the data or a query is wrong, 2 the command was used
wrongly.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import __version__
from .errors import BadParameter, KbError, KbUsageError
from .formats import emit, output_options, render

DATA_PATH = click.Path(path_type=Path, readable=False)
LAZY_COMMANDS = {
    "publish": "stedenbanden.publish:publish_command",
    "import-csv": "stedenbanden.importers:import_csv_command",
    "import-twin-towns": "stedenbanden.importers:import_twin_towns_command",
    "generate": "stedenbanden.synthetic:generate_command",
}
"""Commands defined in their own modules: name -> "module:attribute" of the Click command."""


class KbGroup(click.Group):
    """A click group that turns :class:`KbError` into one ``Error: ...`` line and its exit code,
    and imports the modules of the larger commands (:data:`LAZY_COMMANDS`) only when they run,
    so that ``kb query`` starts fast."""

    def list_commands(self, ctx):
        return sorted([*super().list_commands(ctx), *LAZY_COMMANDS])

    def get_command(self, ctx, name):
        if name in LAZY_COMMANDS and name not in self.commands:
            import importlib

            module, attribute = LAZY_COMMANDS[name].split(":")
            self.add_command(data_options(getattr(importlib.import_module(module), attribute)), name)
        return super().get_command(ctx, name)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KbError as exc:
            error = click.ClickException(str(exc))
            error.exit_code = exc.exit_code
            raise error from None


class Steps:
    """Tells a terminal which long step is running: one line per step on standard error, ``kb: TEXT
    ... N s``, its seconds counting up while the step runs (the SHACL engines release the GIL, so
    the count goes on during a native call) and its duration once the next step starts or
    :meth:`end` is called. Scripts and pipes (standard error not a terminal) get nothing.

    Call the object with the text of each step; use it as a context manager so the last line is
    closed. :meth:`progress` is a ``progress`` callback for :func:`stedenbanden.store.load` that
    shows a bar for a large file under the step line.
    """

    def __init__(self, tty: bool | None = None):
        self.tty = sys.stderr.isatty() if tty is None else tty
        self.text: str | None = None
        self.started = 0.0
        self._stop = None
        self._thread = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.end()

    def __call__(self, text: str) -> None:
        import threading
        import time

        self.end()
        if not self.tty:
            return
        self.text, self.started = text, time.perf_counter()
        self._draw()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._tick, daemon=True)
        self._thread.start()

    def _draw(self) -> None:
        import time

        seconds = time.perf_counter() - self.started
        click.echo(f"\rkb: {self.text} ... {seconds:.0f} s", err=True, nl=False)

    def _tick(self) -> None:
        while not self._stop.wait(1.0):
            self._draw()

    def _halt(self) -> bool:
        if self._thread is None:
            return False
        self._stop.set()
        self._thread.join()
        self._thread = None
        return True

    def end(self) -> None:
        """Close the current step's line with its duration."""
        import time

        if self._halt():
            click.echo(f"\rkb: {self.text} ... done in {time.perf_counter() - self.started:.1f} s", err=True)
        self.text = None

    def progress(self, path: Path, size: int):
        """A byte-count progress bar for loading a large file (see :func:`_load_progress`); the
        step line stops counting and the bar takes over below it."""
        if not self.tty:
            return None
        bar = _load_progress(path, size)
        if bar is not None and self._halt():
            click.echo("", err=True)
            self.text = None
        return bar


def _load_progress(path: Path, size: int):
    """A progress bar on standard error while a large file loads (terminal only)."""
    if size < 10 * 1024 * 1024 or not sys.stderr.isatty():
        return None
    bar = click.progressbar(length=size, label=f"Loading {path.name}", file=sys.stderr)
    bar.render_progress()
    seen = [0]

    def advance(n: int) -> None:
        bar.update(n)
        seen[0] += n
        if n == 0 or seen[0] >= size:
            bar.render_finish()

    return advance


class State:
    """What the data options select (the data paths), and the store loaded from them on first use."""

    def __init__(self):
        self.data: list[Path] = []
        self.extra: list[Path] = []
        self._store = None

    def add(self, data=(), extra=()):
        self.data.extend(data)
        self.extra.extend(extra)

    def data_files(self) -> list[Path]:
        """The data files, without the ontology: ``--data`` or the shipped data, plus ``--extra-data``."""
        from .store import turtle_files
        from .resources import data_files

        return turtle_files([*(self.data or data_files()), *self.extra])

    def files(self) -> list[Path]:
        from .resources import ontology_files

        return ontology_files() + self.data_files()

    def store(self):
        """The knowledge base in the embedded store, loaded on first use, with the ontology's RDFS
        entailments materialised (see :mod:`stedenbanden.entailment`)."""
        if self._store is None:
            from .entailment import materialise
            from .store import load

            self._store = load(self.files(), progress=_load_progress)
            materialise(self._store)
        return self._store

    def engine(self, endpoint=None):
        """The remote ``endpoint`` when one is given, else the embedded store."""
        return endpoint if endpoint is not None else self.store()


def data_options(command):
    """Click decorator adding ``--data`` and ``--extra-data``; they add to the shared State."""
    def callback(ctx, param, value):
        state = ctx.ensure_object(State)
        state.add(**{param.name: value})
        return value

    command = click.option("--extra-data", "extra", multiple=True, type=DATA_PATH, metavar="PATH", expose_value=False,
                           callback=callback, help="Turtle file or folder to load in addition to the data (repeatable).")(command)
    return click.option("--data", "data", multiple=True, type=DATA_PATH, metavar="PATH", expose_value=False,
                        callback=callback, help="Turtle file or folder to use instead of the shipped data (repeatable).")(command)


def endpoint_options(command):
    """Click decorator adding ``--endpoint`` and its companions (graph, timeout, credentials)."""
    from . import DEFAULT_TIMEOUT

    options = [
        click.option("--endpoint", metavar="URL", envvar="KB_ENDPOINT",
                     help="Run on this SPARQL 1.1 query endpoint instead of the embedded store [env KB_ENDPOINT]."),
        click.option("--graph", metavar="IRI", help="Named graph holding the KB at the endpoint (default: its default graph)."),
        click.option("--timeout", type=click.FloatRange(min=0.1), default=DEFAULT_TIMEOUT, show_default=True,
                     help="Seconds to wait for the endpoint."),
        click.option("--user", envvar="KB_ENDPOINT_USER", help="User for HTTP basic authentication [env KB_ENDPOINT_USER]."),
        click.option("--password", envvar="KB_ENDPOINT_PASSWORD",
                     help="Password for HTTP basic authentication; prefer the environment variable KB_ENDPOINT_PASSWORD."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _endpoint(endpoint, graph, timeout, user, password):
    if endpoint is None:
        if graph or user:
            raise KbUsageError("--graph and --user go with --endpoint URL")
        return None
    from .remote import Endpoint

    return Endpoint(endpoint, graph, timeout, user, password)


@click.group(cls=KbGroup, context_settings={"help_option_names": ["-h", "--help"]})
@data_options
@click.version_option(__version__, prog_name="kb")
def cli():
    """Query, validate and report on the stedenbanden knowledge base: city links between Dutch
    municipalities and municipalities in migrants' countries of origin (NCDO 2008, June 2007)."""


def _parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise BadParameter(f"--param {pair!r}: write it as KEY=VALUE, e.g. --param country=TR")
        if key in params:
            raise BadParameter(f"--param {key} is given twice; give each parameter once")
        params[key] = value
    return params


@cli.command()
@click.argument("name", required=False)
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE",
              help="Bind a query parameter (repeatable); see kb query --list.")
@click.option("--list", "list_queries", is_flag=True, help="List the stored queries and their parameters.")
@output_options
@endpoint_options
@data_options
@click.pass_obj
def query(state: State, name, params, list_queries, fmt, output, endpoint, graph, timeout, user, password):
    """Run the stored query NAME (e.g. themes, countries, links) on the knowledge base."""
    from .catalogue import catalogue, find

    queries = catalogue()
    if list_queries:
        if name or params:
            raise KbUsageError("--list takes no query name or --param; run `kb query --list` alone")
        rows = [
            (q.name, "check" if q.is_violation_check else "table", q.summary,
             ", ".join(f"{p.name} ({'|'.join(p.allowed) or p.type})" for p in q.params.values()))
            for q in queries.values()
        ]
        emit(render(("name", "kind", "summary", "params"), rows, fmt), output)
        return
    if not name:
        raise KbUsageError("name a stored query, e.g. `kb query themes`; `kb query --list` shows them all")
    stored = find(name, queries)
    given = _parse_params(params)
    remote = _endpoint(endpoint, graph, timeout, user, password)
    result = stored.run(state.engine(remote), given)
    emit(render(result.columns, result.rows, fmt), output)


@cli.command()
@click.argument("file", type=click.Path(path_type=Path, allow_dash=True, readable=False))
@output_options
@endpoint_options
@data_options
@click.pass_obj
def sparql(state: State, file: Path, fmt, output, endpoint, graph, timeout, user, password):
    """Run your own SPARQL query from FILE (or - for standard input) on the knowledge base.

    SELECT results use --format; ASK prints true or false; CONSTRUCT and DESCRIBE print sorted
    N-Triples. Updates are refused: the knowledge base is read-only here.
    """
    import pyoxigraph as ox

    from .remote import triples_lines
    from .store import query_form, run, solutions_result

    text, origin = _read_query(file)
    remote = _endpoint(endpoint, graph, timeout, user, password)
    kind = query_form(text)
    if kind in ("CONSTRUCT", "DESCRIBE") and fmt != "table":
        raise KbUsageError(f"{kind} results are printed as N-Triples; leave out --format")
    if remote is not None:
        if kind == "ASK":
            emit(_boolean(remote.ask(text, origin), fmt), output)
        elif kind in ("CONSTRUCT", "DESCRIBE"):
            emit(_lines(triples_lines(remote.construct(text, origin))), output)
        else:
            result = remote.select(text, origin=origin)
            emit(render(result.columns, result.rows, fmt), output)
        return
    answer = run(state.store(), text, origin=origin)
    if isinstance(answer, ox.QueryBoolean):
        emit(_boolean(bool(answer), fmt), output)
    elif isinstance(answer, ox.QueryTriples):
        try:
            emit(_lines(triples_lines(answer)), output)
        except (OSError, RuntimeError) as exc:
            raise KbError(f"{origin}: the query failed while running: {exc}") from None
    else:
        result = solutions_result(answer, origin)
        emit(render(result.columns, result.rows, fmt), output)


def _read_query(file: Path) -> tuple[str, str]:
    """The text of a query file (or standard input for ``-``) and the name to report it by."""
    if str(file) == "-":
        return sys.stdin.read(), "<stdin>"
    if file.is_dir():
        raise KbUsageError(f"{file}: is a folder; give a query file")
    try:
        return file.read_text(encoding="utf-8-sig"), str(file)
    except FileNotFoundError:
        raise KbUsageError(f"{file}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise KbError(f"{file}: cannot read the query ({reason}); save it as a readable UTF-8 text file") from None


def _boolean(value: bool, fmt: str) -> str:
    if fmt == "table":
        return ("true" if value else "false") + "\n"
    return render(("boolean",), [(value,)], fmt)


def _lines(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines)


@cli.command()
@click.argument("paths", nargs=-1, type=DATA_PATH)
@click.option("--with-kb", is_flag=True,
              help="Check PATHS together with the data (shipped, or --data), e.g. additions that refer to it.")
@click.option("--engine", type=click.Choice(["auto", "pyshacl", "turbo"]), default="auto", show_default=True,
              help="SHACL engine: pySHACL (the reference) or the faster pyshacl-turbo; auto uses turbo above 10,000 triples.")
@output_options
@data_options
@click.pass_obj
def validate(state: State, paths, with_kb, engine, fmt, output):
    """Check Turtle files against the SHACL shapes and the *-violation queries.

    Without PATHS, checks the knowledge base's data (the shipped data, or --data and
    --extra-data). Exit code 1 and a list of violations (file, focus node, property, message)
    when anything is wrong.
    """
    from .store import turtle_files
    from .validate import validate as run_validation

    if with_kb and not paths:
        raise KbUsageError("--with-kb goes with files to check: kb validate --with-kb FILE...")
    if paths:
        files = turtle_files([*(state.data_files() if with_kb else []), *paths])
    else:
        files = state.data_files()
    with Steps() as steps:
        report = run_validation(files, engine=engine, step=steps, progress=steps.progress)
    columns = ("file", "focus node", "property", "message")
    rows = [(", ".join(v.files) or "-", v.focus, v.path or "-", v.message) for v in report.violations]
    if report.conforms:
        summary = f"OK: {len(report.files)} file(s) conform to the shapes and pass the violation checks."
        if fmt == "table":
            emit(summary + "\n", output)
        else:
            emit(render(columns, [], fmt), output)
            click.echo(summary, err=True)
        return
    emit(render(columns, rows, fmt), output)
    raise KbError(f"{len(report.violations)} violation(s) in the {len(report.files)} file(s) checked; "
                  "fix them and run kb validate again")


@cli.command()
@output_options
@endpoint_options
@data_options
@click.pass_obj
def report(state: State, fmt, output, endpoint, graph, timeout, user, password):
    """Regenerate every figure of the NCDO 2008 report from the knowledge base and compare it with
    the published value. Exit code 1 if any figure does not match."""
    from .report import build

    columns, rows = build(state.engine(_endpoint(endpoint, graph, timeout, user, password)))
    emit(render(columns, rows, fmt), output)
    failed = [row[0] for row in rows if row[-1] != "OK"]
    if failed:
        raise KbError(f"{len(failed)} of {len(rows)} figures do not match the report: {', '.join(failed)}")


@cli.command()
@click.argument("cited_by", nargs=-1, metavar="[LINK-OR-FIGURE]...")
@click.option("--format", "fmt", type=click.Choice(["csl-json", "bibtex"]), default="csl-json", show_default=True,
              help="CSL-JSON (Zotero, Mendeley) or BibTeX (biblatex fields).")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
              help="Write to FILE (completely or not at all) instead of standard output.")
@endpoint_options
@data_options
@click.pass_obj
def cite(state: State, cited_by, fmt, output, endpoint, graph, timeout, user, password):
    """The sources behind the knowledge base, or behind the links or figures named (an IRI, a link
    such as rotterdam-istanbul, a figure id such as links-GH), for a reference manager."""
    from .catalogue import catalogue, find
    from .citations import bibtex, csl_json, select

    result = find("sources", catalogue()).run(state.engine(_endpoint(endpoint, graph, timeout, user, password)))
    rows = select(result.records(), cited_by)
    emit(csl_json(rows) if fmt == "csl-json" else bibtex(rows), output)


@cli.command()
@click.option("--endpoint", required=True, metavar="URL", envvar="KB_ENDPOINT",
              help="The store's SPARQL query URL, e.g. http://127.0.0.1:7878/query [env KB_ENDPOINT].")
@click.option("--graph", metavar="IRI", help="Named graph to replace (default: the store's default graph).")
@click.option("--store-endpoint", metavar="URL", help="Graph Store HTTP Protocol URL (default: beside --endpoint, .../store).")
@click.option("--update-endpoint", metavar="URL", help="SPARQL Update URL, used when the store has no Graph Store support (default: .../update).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=120.0, show_default=True, help="Seconds to wait for the store.")
@click.option("--user", envvar="KB_ENDPOINT_USER", help="User for HTTP basic authentication [env KB_ENDPOINT_USER].")
@click.option("--password", envvar="KB_ENDPOINT_PASSWORD", help="Password; prefer the environment variable KB_ENDPOINT_PASSWORD.")
@data_options
@click.pass_obj
def load(state: State, endpoint, graph, store_endpoint, update_endpoint, timeout, user, password):
    """Put the knowledge base (ontology and data) into a SPARQL store, replacing the target graph
    in one request so that a failed load leaves the previous content in place."""
    from .remote import Endpoint, ntriples

    body, count = ntriples(state.store())
    how = Endpoint(endpoint, graph, timeout, user, password).replace_graph(body, store_endpoint, update_endpoint)
    target = f"graph <{graph}>" if graph else "the default graph"
    click.echo(f"Loaded {count} triples into {target} at {endpoint} ({how}).")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True, help="Port (0: any free port).")
@data_options
@click.pass_obj
def serve(state: State, host, port):
    """Start a local SPARQL endpoint (the Oxigraph server) with the knowledge base loaded; stop it
    with Ctrl-C."""
    from .server import serve as run_server

    def ready(url):
        click.echo(f"SPARQL endpoint: {url}/query  (Ctrl-C to stop)")
        click.echo(f"Try: kb query countries --endpoint {url}/query")

    run_server(state.store(), host, port, ready)
    click.echo("Stopped.")


def main():
    """Entry point of the ``kb`` console script."""
    try:
        cli()
    except BrokenPipeError:
        # The reader of our output went away (e.g. `kb query links | head`): not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)

