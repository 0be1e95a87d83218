"""Loading Turtle into the embedded Oxigraph store and running SPARQL on it.

Results come back engine-neutral (:class:`Result`: column names and rows of plain Python values),
so that the same stored query run on Oxigraph and on rdflib's own engine can be compared, and so
that every output format renders the same values.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence, Union

import pyoxigraph as ox

from .errors import KbError, KbUsageError, MissingPath, QuerySyntaxError, TurtleSyntaxError
from .resources import data_files, ontology_files

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER_TYPES = {
    XSD + t
    for t in (
        "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
        "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong", "unsignedShort",
        "unsignedByte",
    )
}
_UPDATE_START = re.compile(
    r"^\s*(?:(?:PREFIX\s+\S*\s*<[^>]*>|BASE\s*<[^>]*>)\s*)*"
    r"(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b",
    re.IGNORECASE,
)



class IRI(str):
    """A result value that is an IRI (a named node), not a string that happens to look like one.

    It is a ``str`` (its full IRI) everywhere; the output formats use the type to shorten IRIs,
    and only IRIs, with prefixes they explain (see :mod:`stedenbanden.formats`)."""

    __slots__ = ()


Value = Union[str, IRI, int, Decimal, float, bool, None]


@dataclass(frozen=True)
class Binding:
    """A value bound to a query variable: an RDF literal given by its lexical form and datatype
    IRI, or by its lexical form and ``language`` tag (then the datatype is ignored)."""

    lexical: str
    datatype: str = XSD + "string"
    language: str | None = None

    def oxigraph(self) -> ox.Literal:
        """The literal as a pyoxigraph term."""
        if self.language:
            return ox.Literal(self.lexical, language=self.language)
        return ox.Literal(self.lexical, datatype=ox.NamedNode(self.datatype))

    def rdflib(self):
        """The literal as an rdflib term."""
        import rdflib

        if self.language:
            return rdflib.Literal(self.lexical, lang=self.language)
        return rdflib.Literal(self.lexical, datatype=rdflib.URIRef(self.datatype))


@dataclass(frozen=True)
class Result:
    """Rows of a SELECT query: ``columns`` are the projected variable names (without ``?``);
    each row is a tuple of plain values in that order: :class:`IRI` (a ``str``) for IRIs, ``str`` for text, ``int`` for
    integers, ``Decimal`` for decimals, ``float`` for doubles, ``bool``, and ``None`` for unbound."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]

    def records(self) -> list[dict[str, Value]]:
        """The rows as dictionaries keyed by column name."""
        return [dict(zip(self.columns, row)) for row in self.rows]


def literal_value(lexical: str, datatype: str | None) -> Value:
    """Convert a literal's lexical form to a plain Python value according to its XSD datatype.

    Integers become ``int``, decimals ``Decimal``, doubles and floats ``float``, booleans ``bool``;
    every other literal (strings, language-tagged text, ``xsd:gYear`` ...) stays its lexical form.
    Every lexical form of a datatype gives the same value (``"1"^^xsd:boolean`` is True, ``"+05"``
    is 5, ``"2.50"^^xsd:decimal`` is 2.5), so stores that write values differently agree. An
    ill-formed value stays a string rather than raising.
    """
    convert = _CONVERTERS.get(datatype)  # one look-up: most literals are text, which stays as it is
    if convert is None:
        return lexical
    try:
        return convert(lexical)
    except (ValueError, ArithmeticError, KeyError):
        return lexical


_CONVERTERS: dict[str | None, Callable[[str], Value]] = {
    **{t: int for t in _INTEGER_TYPES},
    XSD + "decimal": Decimal,
    XSD + "double": float,
    XSD + "float": float,
    # xsd:boolean's four lexical forms: Virtuoso writes "1" and "0", Oxigraph "true" and "false"
    XSD + "boolean": lambda lexical: _BOOLEANS[lexical.strip()],
}
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


def turtle_files(paths: Iterable[Union[str, Path]]) -> list[Path]:
    """Expand files and folders into the list of RDF files to load (Turtle and the other formats of :data:`RDF_FORMATS`), each once.

    A folder contributes every RDF file below it (``*.ttl``, ``*.nt``, ``*.nq``, ``*.trig``,
    ``*.jsonld``, ``*.rdf``: :data:`RDF_FORMATS`), sorted. Raises :class:`MissingPath` when a
    path does not exist or a folder holds no RDF file, and :class:`KbError` when a folder
    below it cannot be read.
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        _check_link(path)
        if path.is_dir():
            inside = sorted(_walk_turtle(path))
            if not inside:
                raise MissingPath(f"{path}: folder holds no RDF file (*.ttl, *.nt, *.nq, *.trig, *.jsonld, *.rdf); name an RDF file or a folder of them")
            found.extend(inside)
        elif path.exists():
            _check_regular(path)
            found.append(path)
        else:
            raise MissingPath(f"{path}: no such file or folder")
    unique, seen = [], set()
    for path in found:
        _check_link(path)
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique


def _check_regular(path: Path) -> None:
    """Raise :class:`KbUsageError` when ``path`` is a pipe, a device or standard input rather than
    a file: kb reads a data file more than once (its size, a cache key, the parse, a check that it
    holds triples), which a pipe cannot give."""
    import stat

    try:
        mode = path.stat().st_mode
    except OSError:
        return  # the open later on reports it
    if not stat.S_ISREG(mode):
        raise KbUsageError(f"{path}: is a pipe or a device, not a file; kb reads data files more than once, "
                           f"so save the data to a file first (e.g. cat > data.ttl) and give that file")


def _check_link(path: Path) -> None:
    """Raise :class:`KbError` when ``path`` is a symbolic link that loops (or points nowhere)."""
    if not path.is_symlink():
        return
    try:
        path.stat()
    except OSError as exc:
        if exc.errno == 40:  # ELOOP
            raise KbError(f"{path}: symbolic link loop; fix the link or remove it") from None
        raise MissingPath(f"{path}: the symbolic link points to nothing ({os.readlink(path)}); fix the link or remove it") from None


def _walk_turtle(folder: Path) -> Iterable[Path]:
    def unreadable(error: OSError):
        raise KbError(f"{error.filename}: cannot read the folder ({error.strerror}); check its permissions")

    for root, dirs, names in os.walk(folder, onerror=unreadable):
        dirs.sort()
        yield from (Path(root) / n for n in names if Path(n).suffix.lower() in RDF_FORMATS)


def graph_name(path: Path) -> str:
    """The named graph a file is loaded into: its ``file:`` URI, so every triple keeps its file."""
    return path.resolve().as_uri()


LENIENT_ABOVE = 10 * 1024 * 1024
"""A size (bytes; about 200,000 triples) above which a caller *may* ask :func:`load` for
Oxigraph's lenient mode, which skips the checks of IRIs and literals while parsing (about 10%
faster on 10^6 synthetic triples). ``kb`` itself never does: the same file must get the same
verdict whatever its size, so every file is parsed strictly."""

SMALL_FILE = 1024 * 1024
"""Files up to this size (bytes) are checked for holding at least one triple."""


class _Reader:
    """A binary file that skips a UTF-8 byte-order mark and reports how many bytes were read."""

    def __init__(self, handle, progress: Callable[[int], None] | None):
        self.handle = handle
        self.progress = progress
        if handle.read(3) != b"\xef\xbb\xbf":
            handle.seek(0)

    def read(self, size: int = -1) -> bytes:
        chunk = self.handle.read(size)
        if self.progress is not None:
            self.progress(len(chunk))
        return chunk


def load(paths: Sequence[Path], store: ox.Store | None = None, per_file_graphs: bool = False,
         lenient_above: int | None = None, progress: Callable[[Path, int], Callable[[int], None] | None] | None = None) -> ox.Store:
    """Parse Turtle files (UTF-8; a byte-order mark is skipped) into an in-memory Oxigraph store
    and return it. Files are streamed, not read into memory whole.

    By default every triple goes into the default graph, which queries read (a triple stated in
    two files counts once). With ``per_file_graphs`` each file goes into its own named graph
    (:func:`graph_name`) instead, so that a validation result can name the file its node came
    from; query such a store with ``use_default_graph_as_union``, knowing that a triple in two
    files is then seen twice. Files larger than ``lenient_above`` bytes are parsed leniently (see
    :data:`LENIENT_ABOVE`; None, the default: never). ``progress(path, size_in_bytes)`` may return a callback
    that receives the number of bytes read as loading goes on.

    Raises :class:`TurtleSyntaxError` naming the file, line and column of the first syntax error,
    :class:`KbError` for a file that is not UTF-8, cannot be read, or (when small) holds no triples.
    """
    store = store if store is not None else ox.Store()
    datasets = False
    for path in paths:
        graph = ox.NamedNode(graph_name(path)) if per_file_graphs else ox.DefaultGraph()
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise KbError(f"{path}: cannot read the file ({exc.strerror}); check its permissions") from None
        before = len(store) if size <= SMALL_FILE else None
        rdf_format = _load_file(store.load, path, graph, lenient_above, progress)
        datasets = datasets or rdf_format.supports_datasets
        if before is not None and len(store) == before and not _has_triples(path, rdf_format):
            raise KbError(f"{path}: the file holds no RDF triples; check that it was saved completely")
    if datasets and not per_file_graphs:
        # named graphs are kept, and their triples are also in the default graph that queries read
        store.extend([ox.Quad(q.subject, q.predicate, q.object) for q in store
                      if not isinstance(q.graph_name, ox.DefaultGraph)])
    return store


def _load_file(method, path: Path, graph, lenient_above: int | None, progress) -> "ox.RdfFormat":
    """Parse one file with ``method`` (a store's ``load`` or ``bulk_load``) and return its format;
    the errors of :func:`load`."""
    rdf_format = rdf_format_of(path)
    try:
        size = path.stat().st_size
        handle = path.open("rb")
    except OSError as exc:
        raise KbError(f"{path}: cannot read the file ({exc.strerror}); check its permissions") from None
    with handle:
        reader = _Reader(handle, progress(path, size) if progress else None)
        try:
            method(input=reader, format=rdf_format, base_iri=path.resolve().as_uri(), to_graph=graph,
                   lenient=lenient_above is not None and size > lenient_above)
        except SyntaxError as exc:
            raise _turtle_error(path, exc, rdf_format.name) from None
        except MemoryError as exc:  # the parser's buffer limit, not the machine's memory
            raise KbError(f"{path}: a single string or IRI is longer than the parser accepts ({exc}); "
                          f"split the value, or check that the file is {rdf_format.name}") from None
        except OSError as exc:
            raise KbError(f"{path}: cannot read the file ({exc.strerror or exc}); check its permissions") from None
    return rdf_format


RDF_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".nq": ox.RdfFormat.N_QUADS,
               ".trig": ox.RdfFormat.TRIG, ".jsonld": ox.RdfFormat.JSON_LD, ".rdf": ox.RdfFormat.RDF_XML,
               ".owl": ox.RdfFormat.RDF_XML, ".n3": ox.RdfFormat.N3}
"""The RDF formats ``kb`` reads, by file extension (``.owl`` as RDF/XML, the usual form of OWL files);
any other extension is read as Turtle."""


def rdf_format_of(path: Path) -> "ox.RdfFormat":
    """The RDF format of a data file, from its extension (:data:`RDF_FORMATS`; default Turtle)."""
    return RDF_FORMATS.get(path.suffix.lower(), ox.RdfFormat.TURTLE)


def _has_triples(path: Path, rdf_format: "ox.RdfFormat" = ox.RdfFormat.TURTLE) -> bool:
    with path.open("rb") as handle:
        return any(True for _ in ox.parse(_Reader(handle, None), format=rdf_format, base_iri=path.resolve().as_uri()))


def _turtle_error(path: Path, exc: SyntaxError, format_name: str = "Turtle") -> KbError:
    """The one-line error for a Turtle syntax error (or a file that is not UTF-8)."""
    message = re.sub(r"\s*\([^()]*, line \d+\)$", "", str(exc.msg if exc.msg else exc))
    message = re.sub(r"^Parser error (at|between) [^:]*: ", "", message)
    line = f", line {exc.lineno}" if exc.lineno is not None else ""
    where = line + (f", column {exc.offset}" if exc.lineno is not None and exc.offset is not None else "")
    if message.startswith("Invalid UTF-8"):
        return KbError(f"{path}{line}: the file is not UTF-8; save it as UTF-8, the encoding {format_name} requires")
    if "LoadDocumentCallback" in message:
        message = "the JSON-LD refers to a remote @context, which kb does not fetch; embed the context in the file"
    hint = _hint(message) if format_name in ("Turtle", "TriG") else ""
    return TurtleSyntaxError(f"{path}{where}: {format_name} syntax error: {message}{hint}")


_HINTS = (
    ("Invalid IRI code point ' '", "an IRI cannot contain a space; write %20 or correct the IRI"),
    ("Unexpected end", "is a statement missing its final '.', or a string its closing quote?"),
    ("escape", "allowed escapes in strings are \\t \\n \\r \\\" \\' \\\\ and \\uXXXX"),
)


def _hint(message: str) -> str:
    """A short suggestion for the Turtle mistakes people make most, or ''."""
    undeclared = re.search(r"The prefix (\S*:) has not been declared", message)
    if undeclared:
        return f" (declare it at the top of the file: @prefix {undeclared.group(1)} <...> .)"
    for needle, hint in _HINTS:
        if needle in message:
            return f" ({hint})"
    return ""


def knowledge_base_files(data: Sequence[Union[str, Path]] | None = None) -> list[Path]:
    """The files that make up the knowledge base: the ontology plus ``data`` (files or folders),
    or plus the shipped data when ``data`` is empty or None."""
    return ontology_files() + (turtle_files(data) if data else data_files())


def _oxigraph_value(term) -> Value:
    cls = type(term)
    if cls is ox.NamedNode:
        return IRI(term.value)
    if cls is ox.Literal:
        return literal_value(term.value, term.datatype.value)
    if term is None:
        return None
    if cls is ox.BlankNode:
        return "_:" + term.value
    return term.value


def select(store: ox.Store, query: str, bindings: dict[str, Binding] | None = None, origin: str = "query",
           lists: Iterable[str] = ()) -> Result:
    """Run a SELECT query on ``store`` with ``bindings`` substituted for variables (never pasted
    into the text) and return the rows, with the list cells of the columns ``lists`` sorted (see
    :func:`sort_lists`).

    ``origin`` names the query (a file name) in error messages. Raises :class:`QuerySyntaxError`
    with line and column for a query that does not parse, and :class:`KbError` for an update
    request (the KB is read-only here) or a query that is not a SELECT.
    """
    return solutions_result(run(store, query, bindings, origin), origin, lists)


def solutions_result(solutions: "ox.QuerySolutions", origin: str = "query", lists: Iterable[str] = (),
                     separator: str = "; ") -> Result:
    """Read pyoxigraph SELECT solutions into a :class:`Result`, with the ``separator``-joined cells
    of the columns ``lists`` sorted as :func:`sort_lists` sorts them. Raises :class:`KbError` when
    the query fails while it runs (a SERVICE call that cannot connect, say)."""
    columns, rows = solution_rows(solutions, origin, lists, separator)
    return Result(columns, tuple(rows))


def solution_rows(solutions: "ox.QuerySolutions", origin: str = "query", lists: Iterable[str] = (),
                  separator: str = "; ") -> tuple[tuple[str, ...], Iterator[tuple[Value, ...]]]:
    """The columns of pyoxigraph SELECT ``solutions`` and an iterator of their rows as
    :func:`solutions_result` makes them, each read from the engine only when asked for (Oxigraph
    computes a query without ORDER BY or aggregates as its rows are read). Raises :class:`KbError`
    when ``solutions`` is not a SELECT's (``origin`` asked for something else); iterating raises
    it when the query fails while it runs."""
    if not isinstance(solutions, ox.QuerySolutions):
        raise KbError(f"{origin}: expected a SELECT query; use `kb sparql` for ASK, CONSTRUCT and DESCRIBE")
    columns = tuple(v.value for v in solutions.variables)
    listed = frozenset(lists)
    list_positions = [i for i, c in enumerate(columns) if c in listed]
    convert = _oxigraph_value
    if list_positions:
        # A list cell (a GROUP_CONCAT) can be long and repeat on many rows: each distinct term is
        # turned into a Python string and sorted once; comparing terms is cheaper than converting.
        done: dict = {}

        def list_cell(term):
            cell = done.get(term, done)
            if cell is done:
                cell = done[term] = _sorted_items(convert(term), separator)
            return cell

        converters = tuple(list_cell if i in list_positions else convert for i in range(len(columns)))

        def row(solution):
            return tuple([f(term) for f, term in zip(converters, solution)])
    else:
        def row(solution):
            return tuple(map(convert, solution))

    def rows():
        try:
            yield from map(row, solutions)
        except (OSError, RuntimeError, ValueError) as exc:
            raise KbError(f"{origin}: the query failed while running: {exc}") from None

    return columns, rows()


def run(store: ox.Store, query: str, bindings: dict[str, Binding] | None = None, origin: str = "query",
        prelude: str = ""):
    """Run any read-only SPARQL query and return pyoxigraph's own result object. ``prelude``
    (whole lines, such as PREFIX declarations) is put before the query; error messages give
    lines of the query itself.

    Raises :class:`QuerySyntaxError` (with line and column) or :class:`KbError` for an update.
    """
    if query.startswith("\ufeff"):
        query = query[1:]
    if not _strip_comments(query).strip():
        raise QuerySyntaxError(f"{origin}: the query is empty; write a SPARQL query such as SELECT * WHERE {{ ?s ?p ?o }} LIMIT 10")
    check_read_only(query, origin)
    substitutions = {ox.Variable(name): b.oxigraph() for name, b in (bindings or {}).items()}
    try:
        return store.query(prelude + query, substitutions=substitutions or None)
    except (OSError, RuntimeError) as exc:
        raise KbError(f"{origin}: the query failed while running: {exc}") from None
    except SyntaxError as exc:
        text = str(exc)
        where = re.match(r"error at (\d+):(\d+): (.*)", text, re.DOTALL)
        if where:
            line, column, message = where.groups()
            line = max(int(line) - prelude.count("\n"), 1)
            lines = query.split("\n")
            offset = sum(len(text) + 1 for text in lines[:line - 1]) + int(column) - 1
            place = f"line {line}, column {column}" + (" (the end of the query)" if not query[offset:].strip() else "")
            raise QuerySyntaxError(f"{origin}, {place}: SPARQL syntax error: {_shortened(message)}") from None
        raise QuerySyntaxError(f"{origin}: SPARQL syntax error: {text}") from None


SYNTAX_MESSAGE_CHARS = 200
"""How much of the parser's message a SPARQL syntax error shows: after a bare word, Oxigraph lists
every character that may follow (about 700 characters of Unicode ranges)."""


def _shortened(message: str) -> str:
    """``message`` cut after its last comma within :data:`SYNTAX_MESSAGE_CHARS`, with an ellipsis."""
    if len(message) <= SYNTAX_MESSAGE_CHARS:
        return message
    cut = message.rfind(", ", 0, SYNTAX_MESSAGE_CHARS)
    return message[:cut if cut > 0 else SYNTAX_MESSAGE_CHARS] + ", …"


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first of these keywords outside comments and IRIs."""
    body = re.sub(r"#[^\n]*|<[^>\s]*>|\"[^\"]*\"|'[^']*'", " ", text)
    found = re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", body, re.IGNORECASE)
    return found.group(1).upper() if found else "SELECT"


_SERVICE_NOISE = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
                            r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*')
def uses_service(query: str, keyword: str = "SERVICE") -> bool:
    """True when ``query`` has a ``SERVICE`` clause (a federated call to another endpoint), or the
    ``keyword`` given (``LOAD``), looking past comments, strings, IRIs, variables and prefixed
    names that merely contain the word."""
    word = re.compile(rf"(?<![\w?$:.\-]){keyword}(?![\w:.\-])", re.IGNORECASE)
    return bool(word.search(_SERVICE_NOISE.sub(" ", query)))


def check_read_only(query: str, origin: str = "query") -> None:
    """Raise :class:`KbError` when ``query`` is a SPARQL update: the KB is read-only for queries."""
    if _UPDATE_START.match(_strip_comments(query)):
        raise KbError(f"{origin}: this is a SPARQL update; the knowledge base is read-only here, "
                      "so only queries (SELECT, ASK, CONSTRUCT, DESCRIBE) are run")


def select_rdflib(graph, query: str, bindings: dict[str, Binding] | None = None) -> Result:
    """Run a SELECT query on an rdflib graph with rdflib's own SPARQL engine and return the rows
    in the same form as :func:`select` (used to check that stored queries are portable)."""
    import rdflib

    init = {name: b.rdflib() for name, b in (bindings or {}).items()}
    result = graph.query(query, initBindings=init)
    columns = tuple(str(v) for v in result.vars)

    def value(term):
        if term is None:
            return None
        if isinstance(term, rdflib.Literal):
            return literal_value(str(term), str(term.datatype) if term.datatype else None)
        if isinstance(term, rdflib.BNode):
            return "_:" + str(term)
        return IRI(term)

    return Result(columns, tuple(tuple(value(row[c]) for c in columns) for row in result))


def sort_lists(result: Result, columns: Iterable[str], separator: str = "; ") -> Result:
    """Sort the items inside the ``separator``-joined list cells of ``columns``.

    SPARQL's GROUP_CONCAT has no defined order, and engines differ; sorting the items makes the
    output the same on every engine and every run.
    """
    wanted = [result.columns.index(c) for c in columns if c in result.columns]
    if not wanted:
        return result

    sorted_cells: dict = {}  # a long list cell often repeats on many rows: sort it once

    def tidy(row):
        row = list(row)
        for i in wanted:
            cell = row[i]
            if cell not in sorted_cells:
                sorted_cells[cell] = _sorted_items(cell, separator)
            row[i] = sorted_cells[cell]
        return tuple(row)

    return Result(result.columns, tuple(tidy(r) for r in result.rows))


def _sorted_items(cell: Value, separator: str) -> Value:
    """A ``separator``-joined list cell with its items sorted; any other value (an empty cell, a
    number, None) as it is. The one rule :func:`sort_lists` and :func:`solutions_result` share."""
    if isinstance(cell, str) and cell:
        return separator.join(sorted(cell.split(separator)))
    return cell


def _strip_comments(query: str) -> str:
    """The query without ``#`` comments (outside IRIs and strings) and without a byte-order mark:
    enough to see what kind of request it is."""
    return re.sub(r"(<[^>\s]*>|\"[^\"\n]*\"|'[^'\n]*')|#[^\n]*", lambda m: m.group(1) or "", query.lstrip("\ufeff"))


def labels(engine, iris: Iterable[str], lang: str = "en") -> dict[str, str]:
    """The label of each IRI in ``iris`` that has one on ``engine`` (an Oxigraph store or a
    remote endpoint): its ``skos:prefLabel``, else its ``rdfs:label``, in the language ``lang``,
    else without a language tag. Returns IRI -> label; IRIs without a label are left out."""
    wanted = sorted({str(i) for i in iris})
    if not wanted:
        return {}
    values = " ".join(f"<{i}>" for i in wanted if not re.search(r'[<>"{}|^`\\\s]', i))
    query = f"""
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?iri ?label ?rank WHERE {{
          VALUES ?iri {{ {values} }}
          {{ ?iri skos:prefLabel ?label . BIND (0 AS ?kind) }} UNION {{ ?iri rdfs:label ?label . BIND (2 AS ?kind) }}
          FILTER (LANG(?label) = "{lang}" || LANG(?label) = "")
          BIND (?kind + IF(LANG(?label) = "", 1, 0) AS ?rank)
        }}"""
    result = select(engine, query, origin="labels") if isinstance(engine, ox.Store) else engine.select(query, origin="labels")
    best: dict[str, tuple] = {}
    for iri, label, rank in result.rows:
        if iri not in best or (rank, label) < best[iri]:
            best[iri] = (rank, label)
    return {iri: label for iri, (rank, label) in best.items()}


def bulk_load(paths: Sequence[Path], store: ox.Store,
              progress: Callable[[Path, int], Callable[[int], None] | None] | None = None) -> None:
    """Parse data files into an on-disk ``store`` with Oxigraph's bulk loader (about 6 s for 10^6
    triples; :func:`load` into an on-disk store, which writes in transactions, took 36 s), with
    the same formats, strict parsing, checks and error messages as :func:`load`, and named graphs
    kept and copied into the default graph as :func:`load` does.

    Raises what :func:`load` raises.
    """
    datasets = False
    for path in paths:
        rdf_format = _load_file(store.bulk_load, path, ox.DefaultGraph(), None, progress)
        datasets = datasets or rdf_format.supports_datasets
        if path.stat().st_size <= SMALL_FILE and not _has_triples(path, rdf_format):
            raise KbError(f"{path}: the file holds no RDF triples; check that it was saved completely")
    if datasets:
        store.bulk_extend([ox.Quad(q.subject, q.predicate, q.object) for q in store
                           if not isinstance(q.graph_name, ox.DefaultGraph)])
