"""Validation of Turtle files: the SHACL shapes (with pySHACL) and the ``*-violation`` queries.

The data graph is the ontology plus the files to check, so that code lists and class declarations
are there for the shapes to look up; no inference is run. Functions here return results and print
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import pyoxigraph as ox

from . import store as kbstore
from .catalogue import catalogue
from .resources import shapes_file

SH = "http://www.w3.org/ns/shacl#"


@dataclass(frozen=True)
class Violation:
    """One problem found: the ``focus`` node (IRI, or ``_:id`` for a blank node), the property
    ``path`` (or None), a ``message`` saying what to do, the ``check`` that found it (a shape IRI
    or ``query:NAME``) and the data ``files`` that describe the focus node."""

    focus: str
    path: str | None
    message: str
    check: str
    files: tuple[str, ...]


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of :func:`validate`: ``conforms`` is True when ``violations`` is empty."""

    files: tuple[Path, ...]
    violations: tuple[Violation, ...]

    @property
    def conforms(self) -> bool:
        return not self.violations


def _files_of(oxstore: ox.Store, focus: str, names: dict[str, str]) -> tuple[str, ...]:
    """The files (as given on the command line) whose triples have ``focus`` as subject."""
    if focus.startswith("_:"):
        return ()
    graphs = {q.graph_name.value for q in oxstore.quads_for_pattern(ox.NamedNode(focus), None, None, None)}
    return tuple(sorted(names[g] for g in graphs if g in names))


def _shacl(oxstore: ox.Store, names: dict[str, str]) -> list[Violation]:
    import pyshacl
    import rdflib

    data = rdflib.Graph()
    for graph in oxstore.named_graphs():
        data.parse(data=oxstore.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph), format="nt")
    shapes = rdflib.Graph().parse(shapes_file(), format="turtle")
    _, results, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True,
                                     allow_warnings=False)
    sh = rdflib.Namespace(SH)
    found = []
    for result in results.subjects(rdflib.RDF.type, sh.ValidationResult):
        focus = results.value(result, sh.focusNode)
        path = results.value(result, sh.resultPath)
        message = results.value(result, sh.resultMessage)
        shape = results.value(result, sh.sourceShape)
        focus_text = ("_:" + str(focus)) if isinstance(focus, rdflib.BNode) else str(focus)
        found.append(Violation(
            focus=focus_text,
            path=str(path) if isinstance(path, rdflib.URIRef) else None,
            message=str(message) if message is not None else "violates " + str(shape),
            check=str(shape) if isinstance(shape, rdflib.URIRef) else "shape",
            files=_files_of(oxstore, focus_text, names),
        ))
    return found


def _violation_queries(oxstore: ox.Store) -> list[Violation]:
    found = []
    for query in catalogue().values():
        if not query.is_violation_check:
            continue
        result = query.run(oxstore)
        for record in result.records():
            values = ", ".join(f"{k}={v}" for k, v in record.items())
            found.append(Violation(focus=f"query:{query.name}", path=None,
                                   message=f"{query.summary} ({values})", check=f"query:{query.name}", files=()))
    return found


def validate(data: Sequence[Path], names: dict[str, str] | None = None) -> ValidationReport:
    """Validate the data ``files`` together with the ontology against the shipped SHACL shapes and
    run every ``*-violation`` stored query.

    ``names`` maps each file's named graph (``file:`` URI) to how the user named it; by default the
    paths as given. Raises the Turtle errors of :func:`stedenbanden.store.load`. Returns a
    :class:`ValidationReport`, violations sorted by file, focus node and message.
    """
    from .resources import ontology_files

    files = list(data)
    oxstore = kbstore.load(ontology_files() + files)
    names = names or {kbstore.graph_name(p): str(p) for p in files}
    violations = _shacl(oxstore, names) + _violation_queries(oxstore)
    violations.sort(key=lambda v: (v.files, v.focus, v.path or "", v.message))
    return ValidationReport(tuple(files), tuple(violations))
