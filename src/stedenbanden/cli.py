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
from .formats import FORMATS, OUTPUT_FILE, NonEmptyPath, SPARQL_RESULTS, Sink, emit, layout, output_options, reading, render

DATA_PATH = NonEmptyPath(path_type=Path, readable=False)
LAZY_COMMANDS = {
    "publish": "stedenbanden.publish:publish_command",
    "import-csv": "stedenbanden.importers:import_csv_command",
    "import-twin-towns": "stedenbanden.importers:import_twin_towns_command",
    "generate": "stedenbanden.synthetic:generate_command",
    "derive-places": "stedenbanden.places:derive_places_command_factory()",
    "import-wikidata-twinning": "stedenbanden.wikidata:import_command_factory()",
}
"""Commands defined in their own modules: name -> "module:attribute" of the Click command."""


class Seconds(click.FloatRange):
    """A number of seconds for a time limit: at least ``min``, at most 10^6 (eleven days), and a
    real number (``nan`` and ``inf``, which Python's float() accepts, are refused with exit 2)."""

    name = "number of seconds"

    def __init__(self, min: float):
        super().__init__(min=min, max=1e6)

    def get_metavar(self, *args, **kwargs) -> str:
        return "SECONDS"

    def convert(self, value, param, ctx):
        seconds = super().convert(value, param, ctx)
        if seconds != seconds:  # NaN is the one float unequal to itself
            self.fail(f"{value!r} is not a number of seconds; give one such as 30", param, ctx)
        return seconds


def _with_cache_damage(message: str) -> str:
    """``message``, and when a cached index this run opened turned out damaged (see
    :func:`stedenbanden.cache.forget_damaged`) what kb did about it."""
    cache = sys.modules.get("stedenbanden.cache")
    return message if cache is None else message + cache.forget_damaged(message)  # not loaded: no index opened


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
            command = getattr(importlib.import_module(module), attribute.removesuffix("()"))
            if attribute.endswith("()"):
                command = command()
            self.add_command(data_options(command), name)
        return super().get_command(ctx, name)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KbError as exc:
            error = click.ClickException(_with_cache_damage(str(exc)))
            error.exit_code = exc.exit_code
            raise error from None
        except KeyboardInterrupt:
            click.echo("\nInterrupted.", err=True)
            raise click.exceptions.Exit(interrupt_status()) from None


class Steps:
    """Tells a terminal which long step is running: one line per step on standard error, ``kb: TEXT
    ... N s``, its seconds counting up while the step runs (the SHACL engines release the GIL, so
    the count goes on during a native call) and its duration once the next step starts or
    :meth:`end` is called. Scripts and pipes (standard error not a terminal) get nothing.

    Call the object with the text of each step; use it as a context manager so the last line is
    closed. :meth:`progress` is a ``progress`` callback for :func:`stedenbanden.store.load` that
    shows a bar for a large file under the step line; :meth:`count` gives a callback that shows
    ``(N of M things)`` after the current step's text.
    """

    def __init__(self, tty: bool | None = None):
        import threading

        self.tty = sys.stderr.isatty() if tty is None else tty
        self._lock = threading.Lock()  # the ticking thread and a counter's threads draw the same line
        self.text: str | None = None
        self.detail = ""  # e.g. "12 of 114 shape queries", shown in brackets after the step's text (count)
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
        self.text, self.detail, self.started = text, "", time.perf_counter()
        self._draw()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._tick, daemon=True)
        self._thread.start()

    def _draw(self) -> None:
        import time

        seconds = time.perf_counter() - self.started
        with self._lock:
            if self.text is not None:
                click.echo(f"\rkb: {self.text}{self._detail()} ... {seconds:.0f} s", err=True, nl=False)

    def _detail(self) -> str:
        return f" ({self.detail})" if self.detail else ""

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
            with self._lock:
                click.echo(f"\rkb: {self.text}{self._detail()} ... done in {time.perf_counter() - self.started:.1f} s",
                           err=True)
        self.text = None

    def count(self, unit: str):
        """A ``counter(finished, total)`` callback (any thread) that shows ``finished of total
        unit`` after the current step's text, as soon as it changes; nothing off a terminal."""
        def counter(finished: int, total: int) -> None:
            if not self.tty or self.text is None:
                return
            self.detail = f"{finished:,} of {total:,} {unit}"
            self._draw()

        return counter

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


# how build_index parses and what it adds: part of the index's cache key (stedenbanden.cache)
INDEX_SETTINGS = ("strict; formats by extension; named graphs copied to the default graph; "
                  "RDFS entailments materialised (entailment.RULES)")


def build_index(store, paths, progress=None) -> None:
    """Fill the empty on-disk ``store`` (a pyoxigraph Store) with ``paths`` as ``kb`` queries them:
    parsed as :func:`stedenbanden.store.bulk_load` does (strict, format by extension) and with the
    ontology's RDFS entailments materialised (:func:`stedenbanden.entailment.materialise`), so an
    index answers exactly as the in-memory store. Raises what ``bulk_load`` raises for a bad file."""
    from .entailment import materialise
    from .store import bulk_load

    bulk_load(paths, store, progress=progress)
    materialise(store)


def _announce(text: str) -> None:
    """Tell a person at a terminal that a slow first step is under way (not a script's log)."""
    if sys.stderr.isatty():
        click.echo(text, err=True)


QUICK_TRIPLES = 20_000
"""The size of an in-memory store (triples, entailments included; the shipped KB has about
10,300) up to which a stored query runs in the ``kb`` process itself rather than in a child
process (:mod:`stedenbanden.bounded`) unless ``--timeout`` is given: the slowest stored query,
``links``, takes about 0.4 s on 12,600 triples (benchmarks/results.txt, synthetic 10^4), so Ctrl-C
still stops ``kb`` within a second, and the fork and the child's imports (ctypes for
PR_SET_PDEATHSIG, pickle), several milliseconds of a 0.1 s ``kb query``, are saved."""


class State:
    """What the data options select (the data paths), and the store loaded from them on first use."""

    def __init__(self):
        self.data: list[Path] = []
        self.extra: list[Path] = []
        self._store = None
        self._in_memory: int | None = None  # triples of a store loaded into memory
        self.use_cache = True

    def add(self, data=(), extra=()):
        self.data.extend(data)
        self.extra.extend(extra)

    def data_files(self) -> list[Path]:
        """The data files, without the ontology: ``--data`` or the shipped data, plus ``--extra-data``."""
        from .store import turtle_files
        from .resources import data_files

        files = turtle_files([*(self.data or data_files()), *self.extra])
        reading(*self.data, *self.extra, *files)
        return files

    def files(self) -> list[Path]:
        from .resources import ontology_files

        return ontology_files() + self.data_files()

    def store(self):
        """The store of :meth:`files`, with the ontology's RDFS entailments materialised (see
        :mod:`stedenbanden.entailment`): an on-disk index from the cache for large data (see
        :mod:`stedenbanden.cache`; not with ``--no-cache``), built with the same entailments, else
        the files loaded into memory (from the cache's snapshot of them, when there is one:
        :func:`stedenbanden.cache.open_snapshot`)."""
        if self._store is None:
            from .entailment import materialise
            from .store import load

            files = self.files()
            from . import cache

            def in_memory():
                store = load(files, progress=_load_progress)
                materialise(store)
                return store

            if self.use_cache:
                from .entailment import RULES

                # the rules' text is part of the key: an index built with other rules is not reused
                settings = "\n".join((INDEX_SETTINGS, *(rule for _name, rule in RULES)))
                self._store = cache.open_store(
                    files, lambda store, paths: build_index(store, paths, progress=_load_progress),
                    settings=settings, announce=_announce)
                if self._store is None:  # small data: a snapshot of the store in memory
                    self._store = cache.open_snapshot(files, in_memory, settings=settings)
                    if self._store is not None:
                        self._in_memory = len(self._store)
            if self._store is None:
                self._store = in_memory()
                self._in_memory = len(self._store)
        return self._store

    def quick(self) -> bool:
        """Whether the loaded store is small enough (in memory, at most :data:`QUICK_TRIPLES`
        triples) that every stored query on it ends within a second, so that ``kb query`` and
        ``kb report`` may run it in this process: Ctrl-C then takes effect when it ends."""
        return self._in_memory is not None and self._in_memory <= QUICK_TRIPLES

    def engine(self, endpoint=None):
        """The remote ``endpoint`` when one is given, else the embedded store."""
        return endpoint if endpoint is not None else self.store()


def data_options(command):
    """Click decorator adding ``--data`` and ``--extra-data``; they add to the shared State."""
    def callback(ctx, param, value):
        state = ctx.ensure_object(State)
        state.add(**{param.name: value})
        return value

    def no_cache(ctx, param, value):
        if value:
            ctx.ensure_object(State).use_cache = False
        return value

    command = click.option("--no-cache", is_flag=True, expose_value=False, callback=no_cache,
                           help="Parse the data files even when a cached index of them exists [env KB_NO_CACHE=1].")(command)
    command = click.option("--extra-data", "extra", multiple=True, type=DATA_PATH, metavar="PATH", expose_value=False,
                           callback=callback, help="RDF file or folder of them to load in addition to the data (repeatable).")(command)
    return click.option("--data", "data", multiple=True, type=DATA_PATH, metavar="PATH", expose_value=False,
                        callback=callback, help="RDF file (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML; by its extension) or folder of them to use instead of the shipped data (repeatable).")(command)


def endpoint_options(command):
    """Click decorator adding ``--endpoint`` and its companions (graph, timeout, credentials)."""
    from . import DEFAULT_TIMEOUT

    options = [
        click.option("--endpoint", metavar="URL", envvar="KB_ENDPOINT",
                     help="Run on this SPARQL 1.1 query endpoint instead of the embedded store [env KB_ENDPOINT]."),
        click.option("--graph", metavar="IRI", help="Named graph holding the KB at the endpoint (default: its default graph)."),
        click.option("--timeout", type=Seconds(min=0.1), default=DEFAULT_TIMEOUT, show_default=True,
                     help="Seconds to wait for the endpoint's whole answer; given, it also bounds a local query."),
        click.option("--user", envvar="KB_ENDPOINT_USER", help="User for HTTP basic authentication [env KB_ENDPOINT_USER]."),
        click.option("--password", envvar="KB_ENDPOINT_PASSWORD",
                     help="Password for HTTP basic authentication; prefer the environment variable KB_ENDPOINT_PASSWORD."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _local_timeout(timeout):
    """``--timeout`` for a local query: only when the user gave it (the default is the endpoints')."""
    from click.core import ParameterSource

    given = click.get_current_context().get_parameter_source("timeout") is not ParameterSource.DEFAULT
    return timeout if given else None


def _endpoint(endpoint, graph, timeout, user, password):
    if endpoint is None:
        if graph or user:
            raise KbUsageError("--graph and --user go with --endpoint URL")
        return None
    _refuse_data_with_endpoint()
    from .remote import Endpoint

    return Endpoint(endpoint, graph, timeout, user, password)


def _refuse_data_with_endpoint() -> None:
    """Raise :class:`KbUsageError` when ``--data`` or ``--extra-data`` comes with ``--endpoint``:
    the query would run at the endpoint and the files would be silently left out."""
    from click.core import ParameterSource

    ctx = click.get_current_context()
    state = ctx.find_object(State)
    if state is None or not (state.data or state.extra):
        return
    option = "--data" if state.data else "--extra-data"
    given = "--endpoint"
    if ctx.get_parameter_source("endpoint") is ParameterSource.ENVIRONMENT:
        given = "--endpoint (from KB_ENDPOINT)"
    raise KbUsageError(f"{given} and {option} do not go together: the query runs at the endpoint, which does not "
                       f"see local files; leave out {option}, or leave out --endpoint to query the files (kb load puts them at an endpoint)")


@click.group(cls=KbGroup, context_settings={"help_option_names": ["-h", "--help"]})
@data_options
@click.version_option(__version__, prog_name="kb")
def cli():
    """Query, validate and report on the stedenbanden knowledge base: city links between Dutch
    municipalities and municipalities in migrants' countries of origin (NCDO 2008, June 2007)."""


def _parse_params(pairs: tuple[str, ...]) -> dict[str, list[str]]:
    """``--param KEY=VALUE`` options as KEY -> its values, in the order given (a key may repeat)."""
    params: dict[str, list[str]] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise BadParameter(f"--param {pair!r}: write it as KEY=VALUE, e.g. --param country=TR")
        params.setdefault(key, []).append(value)
    return params


@cli.command()
@click.argument("name", required=False)
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE",
              help="Bind a query parameter; repeat it (or separate codes with commas) for several values; "
                   "see kb query NAME --describe.")
@click.option("--list", "list_queries", is_flag=True, help="List the stored queries and their parameters.")
@click.option("--lang", type=click.Choice(["en", "nl"]), default="en", show_default=True,
              help="Language of the labels: en (English) or nl (Dutch); Dutch names stay Dutch.")
@click.option("--describe", is_flag=True, help="Say what query NAME does: its parameters with their allowed values, and what each column means.")
@output_options
@endpoint_options
@data_options
@click.pass_obj
def query(state: State, name, params, list_queries, lang, describe, fmt, output, endpoint, graph, timeout, user, password):
    """Run the stored query NAME (e.g. themes, countries, links) on the knowledge base.

    `kb query --list` lists the stored queries; `kb query NAME --describe` says what one does,
    which parameters it takes and what each column means. csv, tsv and json are written row by
    row as they come; table and md once every row is in (they size each column to fit)."""
    global _quick_exit
    _quick_exit = True  # see main()
    from .catalogue import catalogue, find

    queries = catalogue()
    if describe:
        if not name or list_queries or params:
            raise KbUsageError("--describe goes with a query name and nothing else: kb query NAME --describe")
        from .catalogue import describe as describe_query

        width = layout(output)["width"] or 80
        emit(describe_query(find(name, queries), state.engine(_endpoint(endpoint, graph, timeout, user, password)),
                            width), output)
        return
    if list_queries:
        if name or params:
            raise KbUsageError("--list takes no query name or --param; run `kb query --list` alone")
        rows = [
            (q.name, "check" if q.is_violation_check else "table", q.summary,
             ", ".join(f"{p.name} ({'|'.join(p.allowed) or p.type})" for p in q.params.values()))
            for q in queries.values()
        ]
        emit(_rendered(("name", "kind", "summary", "params"), rows, fmt, output), output)
        if fmt == "table" and output is None:
            click.echo("\nWhat a query does, its parameters and columns: kb query NAME --describe")
        return
    if not name:
        raise KbUsageError("name a stored query, e.g. `kb query themes`; `kb query --list` shows them all")
    stored = find(name, queries)
    given = _parse_params(params)
    remote = _endpoint(endpoint, graph, timeout, user, password)
    engine = state.engine(remote)

    def answer(out):
        # a local query runs in a child process (bounded.py): warnings travel back as notes,
        # before the rows, which are written as they come in the formats that allow it
        warnings: list[str] = []
        columns, rows = stored.stream(engine, given, warn=warnings.append, lang=lang)
        for message in warnings:
            out.note(f"kb: {message}")
        counted = [0]

        def counting(rows):
            for row in rows:
                counted[0] += 1
                yield row

        for piece in _rendered_stream(columns, counting(rows), fmt, output, engine, lang, stored.lists):
            out.write(piece)
        if not counted[0] and state.data and remote is None and not stored.is_violation_check:
            out.note("kb: no rows. --data replaces the shipped data, and with it the report's published "
                     "figures and recorded links; to query your files together with them, use --extra-data")

    limit = _local_timeout(timeout)
    _answer(answer, output, limit, f"the query {stored.name}",
            local=remote is None and (limit is not None or not state.quick()))


def _answer(work, output: Path | None, timeout, what: str, local: bool = True) -> None:
    """Run ``work(out)``, which writes the answer with ``out.write(text)`` and warnings with
    ``out.note(text)``, and pass what it writes on to standard output or ``--output`` (see
    :class:`stedenbanden.formats.open_output`) as it comes. A ``local`` query runs in a child
    process that Ctrl-C and ``timeout`` stop (:func:`stedenbanden.bounded.run_streamed`); any
    other (a remote one, or a stored query on a small store: :data:`QUICK_TRIPLES`) here."""
    from .formats import open_output

    def note(text: str) -> None:
        click.echo(text, err=True)

    with open_output(output) as target:
        if local:
            from .bounded import run_streamed

            run_streamed(work, target.write, note, timeout, what)
        else:
            work(Sink(target.write, note))


def _prefix_help() -> str:
    from .prefixes import PROJECT, STANDARD

    return ("The project's prefixes (" + ", ".join(f"{p}:" for p in PROJECT) + ") and the standard ones ("
            + ", ".join(f"{p}:" for p in STANDARD) + ") are declared for you; a PREFIX line of your own takes "
            "precedence. The full list with namespaces: kb sparql --prefixes.")


@cli.command()
@click.argument("file", type=NonEmptyPath(path_type=Path, allow_dash=True, readable=False), required=False)
@click.option("--prefixes", "show_prefixes", is_flag=True, help="Print the prefixes kb sparql declares, as PREFIX lines, and stop.")
@click.option("--allow-service", is_flag=True,
              help="Run SERVICE clauses: let the query call the other endpoints it names.")
@output_options(formats=(*FORMATS, *SPARQL_RESULTS))
@endpoint_options
@data_options
@click.pass_obj
def sparql(state: State, file: Path, show_prefixes, allow_service, fmt, output, endpoint, graph, timeout, user, password):
    """Run your own SPARQL query from FILE (or - for standard input) on the knowledge base.

    SELECT results use --format; ASK prints true or false; CONSTRUCT and DESCRIBE print sorted
    N-Triples (so once the last triple is in). csv, tsv, json and the sparql-* formats are
    written row by row as the query yields them; table and md, which size each column to its
    longest cell, once every row is in. Updates are refused: the knowledge base is read-only here. sparql-json,
    sparql-csv and sparql-tsv are the W3C SPARQL 1.1 Query Results formats, which keep each
    value's type, datatype and language tag (json is a plain list of objects). SERVICE clauses
    (calls to other endpoints) run only with --allow-service.

    PREFIXES
    """
    global _quick_exit
    _quick_exit = True  # see main()
    import pyoxigraph as ox

    from .prefixes import ALL, prelude
    from .remote import triples_lines
    from .store import query_form, run, solution_rows, uses_service

    if show_prefixes:
        emit("".join(f"PREFIX {p}: <{ns}>\n" for p, ns in ALL.items()), output)
        return
    if file is None:
        raise KbUsageError("give a query file (or - for standard input): kb sparql FILE")
    text, origin = _read_query(file)
    service = uses_service(text)
    if service and not allow_service:
        raise KbUsageError(f"{origin}: the query has a SERVICE clause, which calls another endpoint; "
                           "kb runs SERVICE only with --allow-service")
    remote = _endpoint(endpoint, graph, timeout, user, password)
    kind = query_form(text)
    if kind in ("CONSTRUCT", "DESCRIBE") and fmt != "table":
        raise KbUsageError(f"{kind} results are printed as N-Triples; leave out --format")
    _check_prefixes(text, origin)
    _check_terms(text, origin, state.store() if remote is None else None)
    declarations = prelude(text)
    if remote is not None:
        full = declarations + text
        if fmt in SPARQL_RESULTS:
            body = remote._fetch(full, "json")  # the endpoint's own SPARQL JSON results, re-serialised
            try:
                answer = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
            except (SyntaxError, ValueError) as exc:
                raise KbError(f"{remote.url} did not answer with SPARQL JSON results: {exc}") from None
            emit(_sparql_results(answer, fmt), output)
        elif kind == "ASK":
            emit(_boolean(remote.ask(full, origin), fmt), output)
        elif kind in ("CONSTRUCT", "DESCRIBE"):
            emit(_lines(triples_lines(remote.construct(full, origin))), output)
        else:
            result = remote.select(full, origin=origin)
            emit(_rendered(result.columns, result.rows, fmt, output, remote), output)
        return
    engine = state.store()

    def local(out):
        answer = run(engine, text, origin=origin, prelude=declarations)
        if fmt in SPARQL_RESULTS:
            _sparql_results_to(answer, fmt, out)
        elif isinstance(answer, ox.QueryBoolean):
            out.write(_boolean(bool(answer), fmt))
        elif isinstance(answer, ox.QueryTriples):
            # sorted, so the same on every store and run: written once the last triple is in
            try:
                out.write(_lines(triples_lines(answer)))
            except (OSError, RuntimeError) as exc:
                raise KbError(f"{origin}: the query failed while running: {exc}") from None
        else:
            columns, rows = solution_rows(answer, origin)
            for piece in _rendered_stream(columns, rows, fmt, output, engine):
                out.write(piece)

    try:
        _answer(local, output, _local_timeout(timeout), origin)
    except KbError as exc:
        failed = f"{origin}: the query failed while running: "
        if service and str(exc).startswith(failed):
            raise KbError(f"a remote SERVICE named in {origin} failed: {str(exc)[len(failed):]}; "
                          "the endpoint it calls is down or refused the request") from None
        raise


MAX_QUERY_BYTES = 16 * 1024 * 1024
"""The longest query read from a file or standard input (bytes): ``yes | kb sparql -`` and
``kb sparql /dev/zero`` end with a message."""


sparql.help = sparql.help.replace("PREFIXES", _prefix_help())


def _sparql_results(answer, fmt: str) -> str:
    """SELECT or ASK results in a W3C SPARQL 1.1 Query Results format (serialised by pyoxigraph)."""
    pieces: list[str] = []
    _sparql_results_to(answer, fmt, Sink(pieces.append))
    return "".join(pieces)


def _sparql_results_to(answer, fmt: str, out) -> None:
    """Write SELECT or ASK results in a W3C SPARQL 1.1 Query Results format to ``out.write``
    piece by piece, as pyoxigraph serialises them (row by row), ending in a line break. Raises
    :class:`KbError` when they cannot be written (the query failed while running)."""
    import codecs

    import pyoxigraph as ox

    target = {"sparql-json": ox.QueryResultsFormat.JSON, "sparql-csv": ox.QueryResultsFormat.CSV,
              "sparql-tsv": ox.QueryResultsFormat.TSV}[fmt]
    decoder = codecs.getincrementaldecoder("utf-8")()  # a piece may end inside a character
    last = [""]

    class Pieces:  # what pyoxigraph writes into
        def write(self, data) -> int:
            piece = decoder.decode(bytes(data))
            if piece:
                last[0] = piece
                out.write(piece)
            return len(data)

        def flush(self) -> None:
            pass

    try:
        answer.serialize(Pieces(), format=target)
    except (OSError, RuntimeError, ValueError) as exc:
        raise KbError(f"cannot write the results as {fmt}: {exc}") from None
    if not last[0].endswith("\n"):
        out.write("\n")


def _check_prefixes(text: str, origin: str) -> None:
    """Raise :class:`KbError` (one line) for a prefix that neither the query nor kb declares."""
    from .prefixes import undeclared

    missing = undeclared(text)
    if missing:
        prefix, line = missing[0]
        more = f" (also {', '.join(p + ':' for p, _ in missing[1:])})" if len(missing) > 1 else ""
        raise KbError(f"{origin}, line {line}: the prefix {prefix}: is not declared{more}; add "
                      f"PREFIX {prefix}: <namespace IRI> at the top (kb sparql --prefixes lists those declared for you)")


def _check_terms(text: str, origin: str, store=None) -> None:
    """Warn on standard error about each term in the project's namespaces that the ontology (or,
    for resources, ``store``) does not define, with the closest defined terms; the query runs."""
    from .prefixes import undefined_terms

    for written, line, close in undefined_terms(text, store):
        hint = f"; closest defined: {', '.join(close)}" if close else ""
        click.echo(f"kb: {origin}, line {line}: warning: {written} is not defined in the ontology or the data{hint}", err=True)


def _rendered(columns, rows, fmt: str, output: Path | None, engine=None, lang: str = "en", lists=()) -> str:
    """Rows rendered with the layout options of the command (see :func:`stedenbanden.formats.layout`);
    ``md`` shows IRIs by their labels in ``lang`` on ``engine``, when one is given; ``table``
    shortens the long cells of the list columns ``lists`` (see :func:`stedenbanden.formats.render`)."""
    names = None
    if fmt == "md" and engine is not None:
        from .store import IRI, labels

        names = labels(engine, {v for row in rows for v in row if isinstance(v, IRI)}, lang)
    return render(columns, rows, fmt, labels=names, lists=lists, **layout(output))


def _rendered_stream(columns, rows, fmt: str, output: Path | None, engine=None, lang: str = "en", lists=()):
    """:func:`_rendered` in pieces, taking the rows (an iterator) as they come: csv, tsv and json
    row by row (:func:`stedenbanden.formats.render_lines`); table and md, which make each column
    as wide as its longest cell, once every row is in."""
    from .formats import STREAMED, render_lines

    if fmt in STREAMED:
        yield from render_lines(columns, rows, fmt, bom=layout(output)["bom"])
    else:
        yield _rendered(columns, list(rows), fmt, output, engine, lang, lists)


def _read_query(file: Path) -> tuple[str, str]:
    """The text of a query file (or standard input for ``-``) and the name to report it by."""
    reading(file)
    if str(file) == "-":
        data = sys.stdin.buffer.read(MAX_QUERY_BYTES + 1)
        if len(data) > MAX_QUERY_BYTES:
            raise KbError(f"<stdin>: the query is longer than {MAX_QUERY_BYTES >> 20} MiB; is standard input "
                          "really a query file?")
        try:
            return data.decode("utf-8-sig"), "<stdin>"
        except UnicodeDecodeError as exc:
            raise KbError(f"<stdin>: the query is not UTF-8 text (byte {exc.start + 1}); send it as UTF-8") from None
    if file.is_dir():
        raise KbUsageError(f"{file}: is a folder; give a query file")
    try:
        with file.open("rb") as handle:
            data = handle.read(MAX_QUERY_BYTES + 1)
        if len(data) > MAX_QUERY_BYTES:
            raise KbError(f"{file}: the query is longer than {MAX_QUERY_BYTES >> 20} MiB; is it really a query file?")
        return data.decode("utf-8-sig"), str(file)
    except FileNotFoundError:
        raise KbUsageError(f"{file}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        if isinstance(exc, OSError) and exc.errno == 40:  # ELOOP
            raise KbError(f"{file}: symbolic link loop; fix the link or give the query file itself") from None
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
        reading(*paths)
        files = turtle_files([*(state.data_files() if with_kb else []), *paths])
    else:
        files = state.data_files()
    with Steps() as steps:
        report = run_validation(files, engine=engine, step=steps, progress=steps.progress)
    columns = ("file", "focus node", "property", "message")
    from .store import IRI

    def node(value):  # the focus node and the path are IRIs, unless blank nodes or query names
        return IRI(value) if value and value.startswith(("http://", "https://", "urn:")) else value

    rows = [(", ".join(v.files) or "-", node(v.focus), node(v.path) or "-", v.message) for v in report.violations]
    if report.conforms:
        summary = f"OK: {len(report.files)} file(s) conform to the shapes and pass the violation checks."
        if fmt == "table":
            emit(summary + "\n", output)
        else:
            emit(render(columns, [], fmt), output)
            click.echo(summary, err=True)
        return
    emit(_rendered(columns, rows, fmt, output), output)
    raise KbError(f"{len(report.violations)} violation(s) in the {len(report.files)} file(s) checked; "
                  "fix them and run kb validate again")


@cli.command()
@click.option("--lang", type=click.Choice(["en", "nl"]), default="en", show_default=True,
              help="Language of the figures' labels and wording: en (English) or nl (Dutch).")
@output_options
@endpoint_options
@data_options
@click.pass_obj
def report(state: State, lang, fmt, output, endpoint, graph, timeout, user, password):
    """Regenerate every figure of the NCDO 2008 report from the knowledge base and compare it with
    the published value. Exit code 1 if any figure does not match."""
    global _quick_exit
    _quick_exit = True  # see main()
    from .report import build

    remote = _endpoint(endpoint, graph, timeout, user, password)
    if remote is None:
        from .bounded import run_bounded

        engine = state.store()
        limit = _local_timeout(timeout)
        if limit is None and state.quick():  # see QUICK_TRIPLES
            columns, rows = build(engine, lang=lang)
        else:
            columns, rows = run_bounded(lambda: build(engine, lang=lang), limit, "kb report")
    else:
        columns, rows = build(remote, lang=lang)
    emit(_rendered(columns, rows, fmt, output), output)
    failed = [row[0] for row in rows if row[-1] != "OK"]
    if failed:
        raise KbError(f"{len(failed)} of {len(rows)} figures do not match the report: {', '.join(failed)}")


@cli.command()
@click.argument("cited_by", nargs=-1, metavar="[LINK-OR-FIGURE]...")
@click.option("--format", "fmt", type=click.Choice(["csl-json", "bibtex"]), default="csl-json", show_default=True,
              help="CSL-JSON (Zotero, Mendeley) or BibTeX (biblatex fields).")
@click.option("--output", "-o", type=OUTPUT_FILE,
              help="Write to FILE (completely or not at all) instead of standard output.")
@endpoint_options
@data_options
@click.pass_obj
def cite(state: State, cited_by, fmt, output, endpoint, graph, timeout, user, password):
    """The sources behind the knowledge base, or behind the links or figures named (an IRI, a link
    such as rotterdam-istanbul, a figure id such as links-GH), for a reference manager."""
    from .catalogue import catalogue, find
    from .citations import bibtex, csl_json, select

    engine = state.engine(_endpoint(endpoint, graph, timeout, user, password))
    queries = catalogue()
    rows = find("sources", queries).run(engine).records()
    citations = find("citations", queries).run(engine).records() if cited_by else ()
    rows = select(rows, cited_by, citations)
    emit(csl_json(rows) if fmt == "csl-json" else bibtex(rows), output)


@cli.command()
@click.option("--endpoint", required=True, metavar="URL", envvar="KB_ENDPOINT",
              help="The store's SPARQL query URL, e.g. http://127.0.0.1:7878/query [env KB_ENDPOINT].")
@click.option("--graph", metavar="IRI", help="Named graph to replace (default: the store's default graph).")
@click.option("--store-endpoint", metavar="URL",
              help="Graph Store HTTP Protocol URL (default: beside --endpoint, .../store; for .../sparql also Virtuoso's .../sparql-graph-crud[-auth]).")
@click.option("--update-endpoint", metavar="URL",
              help="SPARQL Update URL, used when the store has no Graph Store support (default: .../update; for .../sparql also the query URL).")
@click.option("--timeout", type=Seconds(min=0.1), default=120.0, show_default=True, help="Seconds to wait for the store.")
@click.option("--user", envvar="KB_ENDPOINT_USER",
              help="User for HTTP Basic or Digest authentication, whichever the store asks for [env KB_ENDPOINT_USER].")
@click.option("--password", envvar="KB_ENDPOINT_PASSWORD", help="Password; prefer the environment variable KB_ENDPOINT_PASSWORD.")
@data_options
@click.pass_obj
def load(state: State, endpoint, graph, store_endpoint, update_endpoint, timeout, user, password):
    """Put the knowledge base (ontology and data) into a SPARQL store, replacing the target graph
    in one request so that a failed load leaves the previous content in place, then check the
    triple count there by a query.

    Virtuoso: give its /sparql URL, a named graph (--graph; it has no writable default graph) and
    --user of an account with the SPARQL_UPDATE role; kb uses its /sparql-graph-crud-auth (HTTP
    Digest). See the README, "Stores tested"."""
    from .remote import Endpoint, ntriples

    store = Endpoint(endpoint, graph, timeout, user, password)
    body, count = ntriples(state.store())
    how = store.replace_graph(body, store_endpoint, update_endpoint)
    target = f"graph <{graph}>" if graph else "the default graph"
    found = store.count_triples()
    if found != count:
        hint = "" if graph else "; if its default graph is the union of its named graphs, load into one with --graph IRI"
        raise KbError(f"{store.url}: after the load the store holds {found} triples in {target}, "
                      f"but {count} were sent ({how}){hint}")
    click.echo(f"Loaded {count} triples into {target} at {store.url} ({how}).")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but a loopback address makes the endpoint reachable from the network.")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True, help="Port (0: any free port).")
@click.option("--writable", is_flag=True,
              help="Let clients change the served data (SPARQL Update, Graph Store writes); read-only by default.")
@click.option("--query-timeout", type=Seconds(min=1), default=30.0, show_default=True,
              help="Seconds a query's whole answer may take; a longer one gets HTTP 503 and is stopped.")
@click.option("--allow-service", is_flag=True,
              help="Run SERVICE clauses in clients' queries, which makes the server send requests where they say.")
@data_options
@click.pass_obj
def serve(state: State, host, port, writable, query_timeout, allow_service):
    """Start a local, read-only SPARQL endpoint (the Oxigraph server) with the knowledge base
    loaded; stop it with Ctrl-C."""
    from .server import check_host, is_loopback, serve as run_server

    check_host(host)
    if not is_loopback(host):
        click.echo(f"Warning: --host {host} is not a loopback address: the endpoint is reachable from the network.",
                   err=True)

    def ready(url):
        click.echo(f"SPARQL endpoint: {url}/query  (Ctrl-C to stop)")
        if writable:
            click.echo("Writable: clients can change or delete the data (--writable).")
        else:
            click.echo(f"Read-only: updates and Graph Store writes are refused (--writable allows them); "
                       f"queries stop after {query_timeout:g} s.")
        if allow_service:
            click.echo("SERVICE allowed: clients' queries can make the server send requests anywhere (--allow-service).")
        click.echo(f"Try: kb query countries --endpoint {url}/query")

    run_server(state.store(), host, port, ready, writable, query_timeout, allow_service)
    click.echo("Stopped.")


@cli.command("cache")
@click.option("--clear", is_flag=True, help="Remove every cached index (nothing else in the cache folder).")
@output_options
def cache_command(clear, fmt, output):
    """Show the indexes kb keeps of large data files, or remove them with --clear.

    When the files of a run add up to more than 4 MB, kb indexes them once into an on-disk store
    in $XDG_CACHE_HOME/stedenbanden/stores (default ~/.cache) and later runs on the same content
    open that index instead of parsing. The results of the stored queries run on an index are
    kept beside it (stedenbanden/results), so the same query with the same parameters is answered
    at once the next time; query_results counts them. Smaller data (the shipped KB) is kept there as a
    snapshot (N-Quads), read back into memory faster than parsing. --no-cache (or KB_NO_CACHE=1)
    turns this off.
    """
    from . import cache

    folder = cache.cache_folder()
    if folder is None:
        raise KbError(f"no cache folder: {cache.why_no_cache_folder()}; set XDG_CACHE_HOME to an absolute path")
    for part in (folder, *folder.parents):
        if part.exists() and not part.is_dir():
            raise KbError(f"{part} is not a folder, so kb can keep no cache there; move it away or set XDG_CACHE_HOME "
                          "to another folder")
    if clear:
        removed, freed = cache.clear(folder)
        results, results_freed = cache.clear_results()
        click.echo(f"Removed {removed} cached index{'es' if removed != 1 else ''} and {results} kept query "
                   f"result{'s' if results != 1 else ''} ({(freed + results_freed) / 1e6:.1f} MB) from {folder.parent}.")
        return
    indexes, leftovers = cache.list_indexes(folder)
    kept, unfinished = cache.list_results()
    rows = [(i.key[:12], i.triples, round((i.size + kept.get(i.key, (0, 0))[1]) / 1e6, 1), kept.get(i.key, (0, 0))[0],
             "; ".join(i.files)) for i in indexes]
    rows += [(p.name[:20], None, round(cache._folder_size(p) / 1e6, 1), None,
              "incomplete or damaged: removed by --clear, or by the next index built once an hour old")
             for p in leftovers]
    rows += [(p.name[:20], None, round(p.stat().st_size / 1e6, 1), None, "unfinished query result: removed by --clear")
             for p in unfinished]
    emit(render(("index", "triples", "size_mb", "query_results", "files"), rows, fmt), output)
    if fmt == "table" and output is None:
        click.echo(f"{len(indexes)} index{'es' if len(indexes) != 1 else ''} in {folder}", err=True)


_quick_exit = False
"""Set by the commands that hold nothing to clean up at exit (the answer is written and flushed,
no server, file or store is open for writing), so :func:`main` may end the process at once."""


_STOPPED_BY: list[int] = []  # the signal that stopped kb, if it was not Ctrl-C (see stop_like_ctrl_c)


def stop_like_ctrl_c() -> None:
    """Make SIGTERM (``kill``) and SIGHUP (the terminal closed) stop ``kb`` as Ctrl-C does, so the
    same clean-up runs (temporary files, half-built indexes and releases are removed) instead of
    the process ending where it stands. A signal that was ignored when ``kb`` started (``nohup``)
    stays ignored."""
    import signal

    def stop(signum, frame):
        _STOPPED_BY[:] = [signum]
        raise KeyboardInterrupt

    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) == signal.SIG_DFL:
            signal.signal(number, stop)


def interrupt_status() -> int:
    """The exit status after an interrupt: 128 plus the signal's number, as a shell reports a
    process that a signal ended (130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP)."""
    return 128 + (_STOPPED_BY[0] if _STOPPED_BY else 2)


def main():
    """Entry point of the ``kb`` console script."""
    stop_like_ctrl_c()
    try:
        cli()
    except BrokenPipeError:
        # The reader of our output went away (e.g. `kb query links | head`): not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)
    except SystemExit as end:
        if _quick_exit and (end.code is None or isinstance(end.code, int)):
            _exit_now(end.code or 0)
        raise


def _exit_now(code: int) -> None:
    """Flush standard output and error and end the process with ``code`` without tearing down the
    interpreter (freeing every module and the loaded store), which costs ``kb query`` on the
    shipped KB about 5 ms of its 0.1 s (measured 1 December 2026, 2 cores)."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        code = 0  # as above: the reader went away
    except OSError:
        code = code or 1
    try:
        sys.stderr.flush()
    except OSError:
        pass
    os._exit(code)
