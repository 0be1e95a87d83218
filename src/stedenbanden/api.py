"""The knowledge base from Python (notebooks, scripts): what ``kb query`` and ``kb sparql`` do.

>>> import stedenbanden
>>> kb = stedenbanden.open()                      # the shipped ontology and data
>>> links = kb.query("links", country="GH", status=["named", "active-june-2007"])
>>> links.columns[:3]
('link', 'name', 'municipality')
>>> [row["name"] for row in links.records()]
['Alkemade – Kadjebi', 'Almere – Kumasi', 'Amsterdam – Accra', 'Gouda – Elmina']

:func:`open` loads the shipped knowledge base, or Turtle files of one's own, or connects to a
SPARQL endpoint; :meth:`KnowledgeBase.query` runs a stored query with parameters as keyword
arguments (a list, or codes separated by commas, for several values), :meth:`KnowledgeBase.sparql`
runs one's own SPARQL with the project's and the standard prefixes declared (see
:mod:`stedenbanden.prefixes`). Both return :class:`Table` (columns and rows of plain Python values,
IRIs as :class:`stedenbanden.store.IRI`), which becomes a pandas DataFrame with
:meth:`Table.to_dataframe` when pandas is installed; pandas is not a dependency. Errors are the
CLI's: :class:`stedenbanden.errors.KbError` and its subclasses, with the same one-line messages.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence, Union

from .errors import KbError, KbUsageError
from .store import Value

PathLike = Union[str, Path]

__all__ = ["open", "KnowledgeBase", "Table"]


@dataclass(frozen=True)
class Table:
    """Rows of a SELECT query: ``columns`` (names without ``?``) and ``rows`` (tuples of plain
    values in column order: ``str``, :class:`~stedenbanden.store.IRI`, ``int``, ``Decimal``,
    ``float``, ``bool``, or None for an unbound value)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]

    def records(self) -> list[dict[str, Value]]:
        """The rows as dictionaries keyed by column name."""
        return [dict(zip(self.columns, row)) for row in self.rows]

    def column(self, name: str) -> list[Value]:
        """The values of one column, in row order. Raises ``KeyError`` for an unknown column."""
        if name not in self.columns:
            raise KeyError(f"no column {name!r}; the columns are {', '.join(self.columns)}")
        i = self.columns.index(name)
        return [row[i] for row in self.rows]

    def to_dataframe(self):
        """The rows as a ``pandas.DataFrame`` (IRIs and text as ``str``, numbers as numbers, None
        for unbound values). Raises ``ImportError`` saying how to install pandas when it is not."""
        try:
            import pandas
        except ImportError:
            raise ImportError("to_dataframe needs pandas, which stedenbanden does not install: pip install pandas") from None
        from decimal import Decimal

        def plain(value):
            if isinstance(value, Decimal):
                return int(value) if value == value.to_integral_value() else float(value)
            return str(value) if isinstance(value, str) else value

        return pandas.DataFrame([[plain(v) for v in row] for row in self.rows], columns=list(self.columns))

    def text(self, fmt: str = "table", width: int | None = None) -> str:
        """The rows rendered as ``kb`` would print them (``table``, ``md``, ``csv``, ``tsv``, ``json``),
        a table fitted to ``width`` characters when given."""
        from .formats import render

        return render(self.columns, self.rows, fmt, width=width)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[tuple[Value, ...]]:
        return iter(self.rows)

    def __str__(self) -> str:
        return self.text()

    def _repr_markdown_(self) -> str:  # shown by Jupyter
        return self.text("md")


class KnowledgeBase:
    """The knowledge base to query: an embedded Oxigraph store loaded from Turtle files, or a
    remote SPARQL endpoint. Make one with :func:`open`."""

    def __init__(self, engine, lang: str = "en"):
        self.engine = engine
        self.lang = lang

    def queries(self) -> dict[str, str]:
        """The stored queries: name -> one-line summary."""
        from .catalogue import catalogue

        return {name: q.summary for name, q in catalogue().items()}

    def describe(self, name: str) -> str:
        """What ``kb query NAME --describe`` prints: summary, description, parameters with their
        allowed values, and the meaning of each column. Raises :class:`~stedenbanden.errors.UnknownQuery`."""
        from .catalogue import describe, find

        return describe(find(name), self.engine)

    def query(self, name: str, lang: str | None = None, **params: Union[str, int, Sequence[Union[str, int]]]) -> Table:
        """Run the stored query ``name`` with ``params`` (parameter name -> a value, or a list of
        values of which any may match), labels in ``lang`` (``en`` or ``nl``; default: this
        knowledge base's). A text value that matches nothing is reported with a ``UserWarning``
        naming the closest names. Raises :class:`~stedenbanden.errors.UnknownQuery` and
        :class:`~stedenbanden.errors.BadParameter` as ``kb query`` does."""
        from .catalogue import find

        given = {k: ([str(x) for x in v] if isinstance(v, (list, tuple)) else str(v)) for k, v in params.items()}
        result = find(name).run(self.engine, given, warn=lambda message: warnings.warn(message, stacklevel=4),
                                lang=lang or self.lang)
        return Table(result.columns, result.rows)

    def sparql(self, text: str):
        """Run one's own read-only SPARQL ``text``, with the known prefixes declared (a PREFIX of
        its own takes precedence). Returns a :class:`Table` for SELECT, a ``bool`` for ASK and a
        list of N-Triples lines (sorted) for CONSTRUCT and DESCRIBE. An undefined term in the
        project's namespaces is reported with a ``UserWarning``; an undeclared prefix raises
        :class:`~stedenbanden.errors.KbError`."""
        import pyoxigraph as ox

        from .prefixes import prelude, undeclared, undefined_terms
        from .remote import triples_lines
        from .store import query_form, run, solutions_result

        missing = undeclared(text)
        if missing:
            prefix, line = missing[0]
            raise KbError(f"query, line {line}: the prefix {prefix}: is not declared; add PREFIX {prefix}: <namespace IRI>")
        local = isinstance(self.engine, ox.Store)
        for written, line, close in undefined_terms(text, self.engine if local else None):
            hint = f"; closest defined: {', '.join(close)}" if close else ""
            warnings.warn(f"query, line {line}: {written} is not defined in the ontology or the data{hint}", stacklevel=2)
        declarations = prelude(text)
        if not local:
            kind = query_form(text)
            if kind == "ASK":
                return self.engine.ask(declarations + text)
            if kind in ("CONSTRUCT", "DESCRIBE"):
                return triples_lines(self.engine.construct(declarations + text))
            result = self.engine.select(declarations + text)
            return Table(result.columns, result.rows)
        answer = run(self.engine, text, prelude=declarations)
        if isinstance(answer, ox.QueryBoolean):
            return bool(answer)
        if isinstance(answer, ox.QueryTriples):
            return triples_lines(answer)
        result = solutions_result(answer)
        return Table(result.columns, result.rows)

    def __repr__(self) -> str:
        where = getattr(self.engine, "url", None)
        return f"<KnowledgeBase {where or f'{len(self.engine)} triples'}>"


def open(*data: PathLike, extra: Iterable[PathLike] = (), endpoint: str | None = None, graph: str | None = None,
         lang: str = "en") -> KnowledgeBase:  # noqa: A001 (the usual name for it)
    """Open the knowledge base: the ontology with the shipped data, or with the Turtle files and
    folders ``data`` instead, plus ``extra`` ones (as ``kb --data`` and ``--extra-data``); or the
    SPARQL ``endpoint`` (a query URL, with the KB in ``graph`` if given). The embedded store holds
    the ontology's RDFS entailments (see :mod:`stedenbanden.entailment`), as ``kb`` does. ``lang`` is the language
    of the labels (``en`` or ``nl``) unless a query says otherwise.

    Raises :class:`~stedenbanden.errors.MissingPath` for a path that does not exist and
    :class:`~stedenbanden.errors.TurtleSyntaxError` naming file, line and column for a bad file.
    """
    from .catalogue import LANGUAGES

    if lang not in LANGUAGES:
        raise KbUsageError(f"lang={lang!r}: use one of {', '.join(LANGUAGES)}")
    if endpoint is not None:
        if data or extra:
            raise KbUsageError("give data files or an endpoint, not both")
        from .remote import Endpoint

        return KnowledgeBase(Endpoint(endpoint, graph), lang)
    from .entailment import materialise
    from .resources import data_files, ontology_files
    from .store import load, turtle_files

    files = ontology_files() + turtle_files([*(data or data_files()), *extra])
    store = load(files)
    materialise(store)  # the ontology's RDFS entailments, as kb's own store has them
    return KnowledgeBase(store, lang)
