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


def _names_a_node(focus: str) -> bool:
    """Whether a violation's focus is an IRI that files can describe (not a blank node or a query)."""
    return focus.startswith(("http://", "https://", "urn:", "file:"))


def _files_of(provenance: ox.Store, focus: str, names: dict[str, str]) -> tuple[str, ...]:
    """The files (as given on the command line) whose triples have ``focus`` as subject."""
    if not _names_a_node(focus):
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


ENGINES = ("auto", "pyshacl", "turbo", "sparql")
AUTO_TURBO_ABOVE = 10_000
"""``auto`` validates with pySHACL (the reference) up to this many triples and with the Rust
engine pyshacl-turbo above it; the test suite checks that both report the same on every example."""


def choose_engine(engine: str, triples: int) -> str:
    """The SHACL engine to use: ``pyshacl``, ``turbo`` or ``sparql`` (``auto`` decides by size)."""
    if engine == "auto":
        return "turbo" if triples > AUTO_TURBO_ABOVE else "pyshacl"
    return engine


TURBO_WORKERS = 2
"""pyshacl-turbo validates in this many threads at once (its native code releases the GIL), each with
part of the shapes (``use_shapes``); each thread pays the engine's fixed cost of copying the data
(about 15 s for 10^6 triples), so more threads than cores gains nothing."""

SPARQL_WEIGHT = 12
"""A SPARQL constraint costs pyshacl-turbo about as much as this many property shapes, per focus
node (measured on synthetic data of 300,000 triples); used only to balance :func:`shape_groups`."""

_TARGETS = ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf")


def shape_groups(shapes, groups: int, focus_count: Callable[[str, str], int] | None = None) -> list[list[str]]:
    """Split the shapes of the rdflib graph ``shapes`` that have a target into at most ``groups``
    lists of shape IRIs of about equal work, for validating in parallel.

    The work of a shape is estimated as its number of focus nodes (``focus_count(target, value)``
    for each of its targets, e.g. ``("targetClass", IRI)``; 1 each without it) times its
    number of property shapes plus :data:`SPARQL_WEIGHT` per SPARQL constraint.
    Shapes are dealt out largest first to the lightest group. Shapes without a target (those used
    through sh:node) stay in every group's shapes graph. Deterministic for the same input.
    """
    import rdflib

    sh = rdflib.Namespace(SH)
    targeted = sorted({str(s) for t in _TARGETS for s in shapes.subjects(sh[t], None)})

    def work(iri: str) -> int:
        node = rdflib.URIRef(iri)
        constraints = 1 + len(list(shapes.objects(node, sh.property))) + SPARQL_WEIGHT * len(list(shapes.objects(node, sh.sparql)))
        focus = sum(focus_count(t, str(value)) if focus_count else 1 for t in _TARGETS for value in shapes.objects(node, sh[t]))
        return max(focus, 1) * constraints

    loads = [[0, i, []] for i in range(max(1, min(groups, len(targeted))))]
    for iri, cost in sorted(((i, work(i)) for i in targeted), key=lambda item: (-item[1], item[0])):
        lightest = min(loads)
        lightest[0] += cost
        lightest[2].append(iri)
    return [group for _, _, group in loads if group]


def _focus_count(oxstore: ox.Store) -> Callable[[str, str], int]:
    """``focus_count(target, value)`` for :func:`shape_groups`, counted in ``oxstore``."""
    patterns = {
        "targetClass": "?focus a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{0}>",
        "targetNode": "BIND (<{0}> AS ?focus)",
        "targetSubjectsOf": "?focus <{0}> ?value",
        "targetObjectsOf": "?value <{0}> ?focus",
    }

    def count(target: str, value: str) -> int:
        if not _names_a_node(value) or ">" in value:
            return 1
        query = "SELECT (COUNT(DISTINCT ?focus) AS ?n) WHERE { " + patterns[target].format(value) + " }"
        return int(next(iter(oxstore.query(query)))["n"].value)

    return count


def _turbo(oxstore: ox.Store, shapes) -> list:
    """Results graphs of pyshacl-turbo on ``oxstore``, the shapes split over :data:`TURBO_WORKERS`
    threads (see :func:`shape_groups`). Raises :class:`KbError` if a thread fails."""
    import threading

    import pyshacl_turbo

    groups = shape_groups(shapes, TURBO_WORKERS, _focus_count(oxstore))
    outcomes: list = [None] * len(groups)

    def run(i: int) -> None:
        try:
            outcomes[i] = pyshacl_turbo.validate(oxstore, shacl_graph=shapes, inference="none", advanced=False,
                                                 allow_warnings=False, use_shapes=groups[i])[1]
        except Exception as exc:  # noqa: BLE001 - handed to the caller below
            outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(1, len(groups))]
    for thread in threads:
        thread.start()
    run(0)
    for thread in threads:
        thread.join()
    for outcome in outcomes:
        if isinstance(outcome, Exception):
            raise KbError(f"the SHACL engine pyshacl-turbo could not run the shapes: {outcome}") from outcome
    return outcomes


def shacl_violations(oxstore: ox.Store, engine: str = "auto",
                     counter: Callable[[int, int], None] | None = None, triples: int | None = None) -> list[Violation]:
    """Validate the default graph of ``oxstore`` against the shipped shapes (no inference), with
    pySHACL or, for ``engine`` ``turbo`` (or ``auto`` on large data), pyshacl-turbo, which reads the
    Oxigraph store directly (in parallel threads, see :func:`_turbo`).

    ``sparql`` runs every constraint as a SPARQL query over ``oxstore`` itself
    (:mod:`stedenbanden.shacl_sparql`); when the shapes use SHACL that it does not translate, it
    validates with pyshacl-turbo instead, so no check is ever left out.

    Returns the results that the validation reports list directly (``sh:result``), unsorted,
    without files (:func:`validate` names them). Raises :class:`KbError` when the engine fails.
    ``counter(finished, total)``, if given, is told after each of the ``sparql`` engine's queries;
    ``triples`` is ``len(oxstore)`` if the caller has counted it.
    """
    import rdflib

    shapes = rdflib.Graph()
    for path in shapes_files():
        shapes.parse(path, format="turtle")
    if engine == "sparql":
        from . import shacl_sparql

        try:
            checks = shacl_sparql.compile_shapes(shapes)
        except shacl_sparql.Unsupported:
            engine = "turbo"
        else:
            return [Violation(focus=focus, path=path, message=message, check=shape, files=(), component=component)
                    for focus, path, message, shape, component in shacl_sparql.run(oxstore, checks, counter, triples)]
    if choose_engine(engine, len(oxstore) if triples is None else triples) == "turbo":
        reports = _turbo(oxstore, shapes)
    else:
        import pyshacl

        reports = [pyshacl.validate(_rdflib_graph(oxstore), shacl_graph=shapes, inference="none",
                                    advanced=False, allow_warnings=False)[1]]
    found = []
    for results in reports:
        if not isinstance(results, rdflib.Graph):
            raise KbError(f"the SHACL engine could not run the shapes: {results}")
        found.extend(_results(results))
    return found


def _results(results) -> list[Violation]:
    """The validation results of one report graph as :class:`Violation` (without files)."""
    import rdflib

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


CBS_CODE = "https://w3id.org/stedenbanden/def#cbsMunicipalityCode"
DC_SOURCE = "http://purl.org/dc/terms/source"


def register_violations(oxstore: ox.Store) -> list[Violation]:
    """A violation for every well-formed ``sb:cbsMunicipalityCode`` that is not the code of a
    municipality of 1 January 2007 in the shipped register (:func:`stedenbanden.places.register_codes`),
    naming the nearest real codes. Synthetic test data (municipalities all of whose
    ``dcterms:source`` are under ``.../id/synthetic/``, as ``kb generate`` writes) is exempt."""
    import re

    from .places import SYNTHETIC, code_problem, register_codes, register_names

    codes = register_codes()
    names = register_names()
    label = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
    alt = ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
    found = []
    for quad in oxstore.quads_for_pattern(None, ox.NamedNode(CBS_CODE), None, ox.DefaultGraph()):
        code = quad.object.value
        subject = quad.subject.value if isinstance(quad.subject, ox.NamedNode) else "[blank node]"
        if code in codes:
            given = {q.object.value for p in (label, alt)
                     for q in oxstore.quads_for_pattern(quad.subject, p, None, ox.DefaultGraph())
                     if getattr(q.object, "language", None) == "nl"}
            if given and names[code].casefold() not in {g.casefold() for g in given}:
                found.append(Violation(
                    focus=subject, path=CBS_CODE,
                    message=(f"{code} is {names[code]!r} in the register of 1 January 2007, but this municipality's "
                             f"Dutch name is {sorted(given)[0]!r}; fix the name or the code."),
                    check="register:cbs-2007", files=(), component="register:cbs-2007"))
            continue
        if not re.fullmatch(r"GM[0-9]{4}", code):
            continue  # malformed codes are reported by the shapes
        sources = [q.object.value for q in oxstore.quads_for_pattern(quad.subject, ox.NamedNode(DC_SOURCE), None,
                                                                     ox.DefaultGraph())]
        if sources and all(s.startswith(SYNTHETIC) for s in sources):
            continue
        found.append(Violation(focus=subject, path=CBS_CODE,
                               message=code_problem(code) + "; fix the code (kb query municipalities-map lists them all).",
                               check="register:cbs-2007", files=(), component="register:cbs-2007"))
    return found


def validate(data: Sequence[Path], names: dict[str, str] | None = None, engine: str = "auto",
             step: Callable[[str], None] | None = None, progress=None,
             counter: Callable[[int, int], None] | None = None) -> ValidationReport:
    """Validate the data ``files`` together with the ontology against the shipped SHACL shapes and
    run every ``*-violation`` stored query.

    ``names`` maps each file's named graph (``file:`` URI) to how the user named it; by default the
    paths as given. ``engine`` is one of :data:`ENGINES`; ``step(text)`` is told of each long step;
    ``progress`` is passed to :func:`stedenbanden.store.load`, ``counter`` to :func:`shacl_violations`. Raises the Turtle errors of
    :func:`stedenbanden.store.load`. Returns a
    :class:`ValidationReport`, violations sorted by file, focus node and message.
    """
    from .resources import ontology_files

    files = list(data)
    everything = ontology_files() + files
    step = step or (lambda text: None)
    step(f"loading {len(files)} file(s) with the {len(everything) - len(files)} ontology files")
    oxstore = kbstore.load(everything, lenient_above=None, progress=progress)
    names = names or {kbstore.graph_name(p): str(p) for p in everything}
    triples = len(oxstore)
    step(f"checking {triples:,} triples against the shapes with {choose_engine(engine, triples)}")
    violations = shacl_violations(oxstore, engine, counter, triples)
    step("running the violation queries")
    violations += _violation_queries(oxstore)
    violations += register_violations(oxstore)
    if any(_names_a_node(v.focus) for v in violations):
        # Only now, and only to name the file of each problem, load every file in its own graph.
        step("finding the files the problems are in")
        provenance = kbstore.load(everything, per_file_graphs=True, lenient_above=None, progress=progress)
        violations = [replace(v, files=_files_of(provenance, v.focus, names)) for v in violations]
    violations.sort(key=lambda v: (v.files, v.focus, v.path or "", v.message))
    return ValidationReport(tuple(files), tuple(violations))
