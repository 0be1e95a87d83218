"""Validation of Turtle files: the SHACL shapes (with pySHACL) and the ``*-violation`` queries.

The data graph is the ontology plus the files to check, so that code lists and class declarations
are there for the shapes to look up; no inference is run. Functions here return results and print
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Sequence

import pyoxigraph as ox

from . import store as kbstore
from .catalogue import catalogue
from .errors import KbError
from .resources import shapes_files

SH = "http://www.w3.org/ns/shacl#"
_PREPARED: dict = {}  # SPARQL constraint text and prefixes -> rdflib prepared query, kept per process


@dataclass(frozen=True)
class Violation:
    """One problem found: the ``focus`` node (an IRI, ``[blank node]``, or ``query:NAME``), the property
    ``path`` (or None), a ``message`` saying what to do, the ``check`` that found it (a shape IRI
    or ``query:NAME``) and the data ``files`` that describe the focus node."""

    focus: str
    path: str | None
    message: str
    check: str
    files: tuple[str, ...]
    component: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        """(focus node, path or ``-``, constraint component local name or ``query:NAME``)."""
        return (self.focus, self.path or "-", self.component or self.check)


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of :func:`validate`: ``conforms`` is True when ``violations`` is empty."""

    files: tuple[Path, ...]
    violations: tuple[Violation, ...]

    @property
    def conforms(self) -> bool:
        return not self.violations


def _files_of(provenance: ox.Store, focus: str, names: dict[str, str]) -> tuple[str, ...]:
    """The files (as given on the command line) whose triples have ``focus`` as subject."""
    if focus.startswith("_:") or not focus.startswith(("http://", "https://", "urn:", "file:")):
        return ()
    graphs = {q.graph_name.value for q in provenance.quads_for_pattern(ox.NamedNode(focus), None, None, None)}
    return tuple(sorted(names[g] for g in graphs if g in names))


def _rdflib_graph(oxstore: ox.Store):
    """The union of the store's graphs as an rdflib graph that prepares each SPARQL query once.

    pySHACL runs a SPARQL constraint once per focus node, and rdflib would parse the same query
    text every time (about 50 ms each); preparing it once makes validation several times faster.
    """
    import rdflib
    from rdflib.plugins.sparql import prepareQuery

    class PreparingGraph(rdflib.Graph):
        prepared = _PREPARED

        def query(self, query_object, processor="sparql", result="sparql", initNs=None, initBindings=None,
                  use_store_provided=True, **kwargs):
            if isinstance(query_object, str):
                key = (query_object, tuple(sorted((k, str(v)) for k, v in (initNs or {}).items())))
                if key not in self.prepared:
                    self.prepared[key] = prepareQuery(query_object, initNs=dict(initNs or {}))
                query_object = self.prepared[key]
            return super().query(query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs)

    graph = PreparingGraph()
    graph.parse(data=oxstore.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()), format="nt")
    return graph


ENGINES = ("auto", "pyshacl", "turbo")
AUTO_TURBO_ABOVE = 20_000
"""``auto`` validates with pySHACL (the reference) up to this many triples and with the Rust
engine pyshacl-turbo above it; the test suite checks that both report the same on every example."""


def choose_engine(engine: str, triples: int) -> str:
    """The SHACL engine to use: ``pyshacl`` or ``turbo`` (``auto`` decides by size)."""
    if engine == "auto":
        return "turbo" if triples > AUTO_TURBO_ABOVE else "pyshacl"
    return engine


def shacl_violations(oxstore: ox.Store, engine: str = "auto") -> list[Violation]:
    """Validate the default graph of ``oxstore`` against the shipped shapes (no inference), with
    pySHACL or, for ``engine`` ``turbo`` (or ``auto`` on large data), pyshacl-turbo, which reads the
    Oxigraph store directly.

    Returns the results that the validation report lists directly (``sh:result``), unsorted,
    without files (:func:`validate` names them).
    """
    import rdflib

    shapes = rdflib.Graph()
    for path in shapes_files():
        shapes.parse(path, format="turtle")
    if choose_engine(engine, len(oxstore)) == "turbo":
        import pyshacl_turbo

        _, results, _ = pyshacl_turbo.validate(oxstore, shacl_graph=shapes, inference="none",
                                               advanced=False, allow_warnings=False)
    else:
        import pyshacl

        _, results, _ = pyshacl.validate(_rdflib_graph(oxstore), shacl_graph=shapes, inference="none",
                                         advanced=False, allow_warnings=False)
    if not isinstance(results, rdflib.Graph):
        raise KbError(f"the SHACL engine could not run the shapes: {results}")
    sh = rdflib.Namespace(SH)
    found = []
    for report in results.subjects(rdflib.RDF.type, sh.ValidationReport):
        for result in results.objects(report, sh.result):
            focus = results.value(result, sh.focusNode)
            path = results.value(result, sh.resultPath)
            message = results.value(result, sh.resultMessage)
            shape = results.value(result, sh.sourceShape)
            component = str(results.value(result, sh.sourceConstraintComponent) or "")
            # blank node ids change on every run; name the kind of node instead
            focus_text = "[blank node]" if isinstance(focus, rdflib.BNode) else str(focus)
            found.append(Violation(
                focus=focus_text,
                path=str(path) if isinstance(path, rdflib.URIRef) else None,
                message=str(message) if message is not None else "violates " + str(shape),
                check=str(shape) if isinstance(shape, rdflib.URIRef) else "shape",
                files=(),
                component=component.rsplit("#", 1)[-1],
            ))
    return found


def _violation_queries(oxstore: ox.Store) -> list[Violation]:
    """Rows of every ``*-violation`` stored query. A query may project ``focus`` (the node at
    fault), ``path`` and ``message``; other columns are shown in the message."""
    found = []
    for query in catalogue().values():
        if not query.is_violation_check:
            continue
        for record in query.run(oxstore).records():
            focus = record.pop("focus", None)
            path = record.pop("path", None)
            message = record.pop("message", None)
            if message is None:
                values = ", ".join(f"{k}={v}" for k, v in record.items())
                message = f"{query.summary} ({values})"
            focus_text = str(focus) if focus is not None else f"query:{query.name}"
            found.append(Violation(focus=focus_text, path=str(path) if path else None, message=str(message),
                                   check=f"query:{query.name}", files=(),
                                   component=f"query:{query.name}"))
    return found


def validate(data: Sequence[Path], names: dict[str, str] | None = None, engine: str = "auto",
             step: Callable[[str], None] | None = None, progress=None) -> ValidationReport:
    """Validate the data ``files`` together with the ontology against the shipped SHACL shapes and
    run every ``*-violation`` stored query.

    ``names`` maps each file's named graph (``file:`` URI) to how the user named it; by default the
    paths as given. ``engine`` is one of :data:`ENGINES`; ``step(text)`` is told of each long step;
    ``progress`` is passed to :func:`stedenbanden.store.load`. Raises the Turtle errors of
    :func:`stedenbanden.store.load`. Returns a
    :class:`ValidationReport`, violations sorted by file, focus node and message.
    """
    from .resources import ontology_files

    files = list(data)
    everything = ontology_files() + files
    step = step or (lambda text: None)
    step(f"loading {len(everything)} files")
    oxstore = kbstore.load(everything, lenient_above=None, progress=progress)
    names = names or {kbstore.graph_name(p): str(p) for p in everything}
    triples = len(oxstore)
    step(f"checking {triples:,} triples against the shapes with {choose_engine(engine, triples)}")
    violations = shacl_violations(oxstore, engine)
    step("running the violation queries")
    violations += _violation_queries(oxstore)
    if violations:
        # Only now, and only to name the file of each problem, load every file in its own graph.
        step("finding the files the problems are in")
        provenance = kbstore.load(everything, per_file_graphs=True, lenient_above=None, progress=progress)
        violations = [replace(v, files=_files_of(provenance, v.focus, names)) for v in violations]
    violations.sort(key=lambda v: (v.files, v.focus, v.path or "", v.message))
    return ValidationReport(tuple(files), tuple(violations))
