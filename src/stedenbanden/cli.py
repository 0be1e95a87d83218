"""The ``kb`` command: query, validate and report on the stedenbanden knowledge base.

Every listing command takes ``--format table|csv|tsv|json|md``. The global ``--data PATH``
(repeatable; a Turtle file or a folder of them) replaces the shipped data; the ontology is always
loaded. Exit codes: 0 success, 1 the data or a query is wrong, 2 the command was used wrongly.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import __version__
from .errors import BadParameter, KbError, KbUsageError
from .formats import output_options, render


class KbGroup(click.Group):
    """A click group that turns :class:`KbError` into one ``Error: ...`` line and its exit code."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KbError as exc:
            error = click.ClickException(str(exc))
            error.exit_code = exc.exit_code
            raise error from None


def endpoint_options(command):
    """Click decorator adding ``--endpoint`` and its companions (graph, timeout, credentials)."""
    from .remote import DEFAULT_TIMEOUT

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
    from .remote import Endpoint

    if endpoint is None:
        if graph or user:
            raise KbUsageError("--graph and --user go with --endpoint URL")
        return None
    return Endpoint(endpoint, graph, timeout, user, password)


class State:
    """What the global options select: the data paths, and the store loaded from them on first use."""

    def __init__(self, data: tuple[Path, ...]):
        self.data = data
        self._store = None

    def files(self) -> list[Path]:
        from .store import knowledge_base_files

        return knowledge_base_files(self.data)

    def store(self):
        if self._store is None:
            from .store import load

            self._store = load(self.files())
        return self._store

    def engine(self, endpoint=None):
        """The remote ``endpoint`` when one is given, else the embedded store."""
        return endpoint if endpoint is not None else self.store()


@click.group(cls=KbGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data", "data", multiple=True, type=click.Path(path_type=Path), metavar="PATH",
              help="Turtle file or folder to use instead of the shipped data (repeatable).")
@click.version_option(__version__, prog_name="kb")
@click.pass_context
def cli(ctx, data):
    """Query, validate and report on the stedenbanden knowledge base: city links between Dutch
    municipalities and municipalities in migrants' countries of origin (NCDO 2008, June 2007)."""
    ctx.obj = State(tuple(data))


def _parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise BadParameter(f"--param {pair!r}: write it as KEY=VALUE, e.g. --param country=TR")
        params[key.strip()] = value
    return params


@cli.command()
@click.argument("name", required=False)
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE",
              help="Bind a query parameter (repeatable); see kb query --list.")
@click.option("--list", "list_queries", is_flag=True, help="List the stored queries and their parameters.")
@output_options
@endpoint_options
@click.pass_obj
def query(state: State, name, params, list_queries, fmt, endpoint, graph, timeout, user, password):
    """Run the stored query NAME (e.g. themes, countries, links) on the knowledge base."""
    from .catalogue import catalogue, find

    queries = catalogue()
    if list_queries:
        rows = [
            (q.name, "check" if q.is_violation_check else "table", q.summary,
             ", ".join(f"{p.name} ({'|'.join(p.allowed) or p.type})" for p in q.params.values()))
            for q in queries.values()
        ]
        click.echo(render(("name", "kind", "summary", "params"), rows, fmt), nl=False)
        return
    if not name:
        raise KbUsageError("name a stored query, e.g. `kb query themes`; `kb query --list` shows them all")
    stored = find(name, queries)
    remote = _endpoint(endpoint, graph, timeout, user, password)
    result = stored.run(state.engine(remote), _parse_params(params))
    click.echo(render(result.columns, result.rows, fmt), nl=False)


@cli.command()
@click.argument("file", type=click.Path(path_type=Path, allow_dash=True))
@output_options
@endpoint_options
@click.pass_obj
def sparql(state: State, file: Path, fmt, endpoint, graph, timeout, user, password):
    """Run your own SPARQL query from FILE (or - for standard input) on the knowledge base.

    SELECT results use --format; ASK prints true or false; CONSTRUCT and DESCRIBE print sorted
    N-Triples. Updates are refused: the knowledge base is read-only here.
    """
    import pyoxigraph as ox

    from .remote import triples_lines
    from .store import query_form, run, select

    if str(file) == "-":
        text, origin = sys.stdin.read(), "<stdin>"
    else:
        try:
            text, origin = file.read_text(encoding="utf-8"), str(file)
        except FileNotFoundError:
            raise KbUsageError(f"{file}: no such file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise KbError(f"{file}: cannot read the query ({exc}); save it as a UTF-8 text file") from None
    remote = _endpoint(endpoint, graph, timeout, user, password)
    kind = query_form(text)
    if remote is not None:
        if kind == "ASK":
            _echo_boolean(remote.ask(text, origin), fmt)
        elif kind in ("CONSTRUCT", "DESCRIBE"):
            click.echo("\n".join(triples_lines(remote.construct(text, origin))))
        else:
            result = remote.select(text, origin=origin)
            click.echo(render(result.columns, result.rows, fmt), nl=False)
        return
    answer = run(state.store(), text, origin=origin)
    if isinstance(answer, ox.QueryBoolean):
        _echo_boolean(bool(answer), fmt)
    elif isinstance(answer, ox.QueryTriples):
        click.echo("\n".join(triples_lines(answer)))
    else:
        result = select(state.store(), text, origin=origin)
        click.echo(render(result.columns, result.rows, fmt), nl=False)


def _echo_boolean(value: bool, fmt: str) -> None:
    click.echo(render(("boolean",), [(value,)], fmt) if fmt != "table" else ("true" if value else "false"),
               nl=fmt == "table")


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--with-kb", is_flag=True,
              help="Check PATHS together with the shipped data (or --data), e.g. additions that refer to it.")
@output_options
@click.pass_obj
def validate(state: State, paths, with_kb, fmt):
    """Check Turtle files against the SHACL shapes and the *-violation queries.

    Without PATHS, checks the knowledge base (the shipped data, or --data). Exit code 1 and a list
    of violations (file, focus node, property, message) when anything is wrong.
    """
    from .store import knowledge_base_files, turtle_files
    from .resources import ontology_files
    from .validate import validate as run_validation

    if paths:
        files = turtle_files(paths)
        if with_kb:
            files = [f for f in knowledge_base_files(state.data) if f not in ontology_files()] + files
    else:
        files = [f for f in state.files() if f not in ontology_files()]
    report = run_validation(files)
    if report.conforms:
        click.echo(f"OK: {len(report.files)} file(s) conform to the shapes and pass the violation checks.")
        return
    rows = [(", ".join(v.files) or "-", v.focus, v.path or "-", v.message) for v in report.violations]
    click.echo(render(("file", "focus node", "property", "message"), rows, fmt), nl=False)
    raise KbError(f"{len(report.violations)} violation(s) in {len(report.files)} file(s); fix them and run kb validate again")


@cli.command()
@output_options
@endpoint_options
@click.pass_obj
def report(state: State, fmt, endpoint, graph, timeout, user, password):
    """Regenerate every figure of the NCDO 2008 report from the knowledge base and compare it with
    the published value. Exit code 1 if any figure does not match."""
    from .report import build

    columns, rows = build(state.engine(_endpoint(endpoint, graph, timeout, user, password)))
    click.echo(render(columns, rows, fmt), nl=False)
    failed = [row[0] for row in rows if row[-1] != "OK"]
    if failed:
        raise KbError(f"{len(failed)} of {len(rows)} figures do not match the report: {', '.join(failed)}")


@cli.command()
@click.option("--endpoint", required=True, metavar="URL", envvar="KB_ENDPOINT",
              help="The store's SPARQL query URL, e.g. http://127.0.0.1:7878/query [env KB_ENDPOINT].")
@click.option("--graph", metavar="IRI", help="Named graph to replace (default: the store's default graph).")
@click.option("--store-endpoint", metavar="URL", help="Graph Store HTTP Protocol URL (default: beside --endpoint, .../store).")
@click.option("--update-endpoint", metavar="URL", help="SPARQL Update URL, used when the store has no Graph Store support (default: .../update).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=120.0, show_default=True, help="Seconds to wait for the store.")
@click.option("--user", envvar="KB_ENDPOINT_USER", help="User for HTTP basic authentication [env KB_ENDPOINT_USER].")
@click.option("--password", envvar="KB_ENDPOINT_PASSWORD", help="Password; prefer the environment variable KB_ENDPOINT_PASSWORD.")
@click.pass_obj
def load(state: State, endpoint, graph, store_endpoint, update_endpoint, timeout, user, password):
    """Put the knowledge base (ontology and data, or --data) into a SPARQL store, replacing the
    target graph in one request so that a failed load leaves the previous content in place."""
    from .remote import Endpoint, ntriples

    body, count = ntriples(state.store())
    how = Endpoint(endpoint, graph, timeout, user, password).replace_graph(body, store_endpoint, update_endpoint)
    target = f"graph <{graph}>" if graph else "the default graph"
    click.echo(f"Loaded {count} triples into {target} at {endpoint} ({how}).")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True, help="Port (0: any free port).")
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
