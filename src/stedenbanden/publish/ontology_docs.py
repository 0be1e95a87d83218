"""The ontology documentation of a release (``ontology/``), written by pyLODE."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from ..errors import KbError
from .common import SBDEF, write_file

# --------------------------------------------------------------------------------------------
# Ontology documentation (pyLODE)
# --------------------------------------------------------------------------------------------

def _ontology_part(graph):
    """The triples about the ontology's own terms (subjects in ``sb:``) and the blank nodes
    they lead to, as a new graph."""
    import rdflib

    part = rdflib.Graph(bind_namespaces="none")
    todo = sorted({s for s in graph.subjects() if isinstance(s, rdflib.URIRef) and str(s).startswith(SBDEF)})
    seen = set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in graph.predicate_objects(node):
            part.add((node, p, o))
            if isinstance(o, rdflib.BNode):
                todo.append(o)
    return part


def _pylode():
    """pyLODE's OntPub class; pyLODE configures the root logger when imported, which is undone."""
    import logging

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        from pylode import OntPub
    finally:
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)
    return OntPub


def ontology_docs(graph, prefixes: Mapping[str, str], folder: Path) -> dict[str, str]:
    """Document the ontology of ``graph`` with pyLODE: ``ontology/index.html`` in English and
    ``ontology/nl.html`` in Dutch (each from the ontology's triples with text in that language or
    without a language). Returns the fragment identifier of each ontology term in the English
    page, IRI -> fragment. Raises :class:`KbError` when pyLODE cannot document it."""
    import rdflib

    OntPub = _pylode()
    ontology = _ontology_part(graph)
    if not len(ontology):
        raise KbError(f"the knowledge base holds no ontology terms in {SBDEF}; load the ontology")
    anchors: dict[str, str] = {}
    for language, name in (("en", "index.html"), ("nl", "nl.html")):
        part = rdflib.Graph(bind_namespaces="none")
        for prefix, namespace in sorted(prefixes.items()):
            part.bind(prefix, namespace, override=True, replace=True)
        for s, p, o in ontology:
            if isinstance(o, rdflib.Literal) and o.language and o.language != language:
                continue
            part.add((s, p, o))
        try:
            doc = OntPub(ontology=part, sort_subjects=True)
            html = doc.make_html()
        except Exception as exc:  # pyLODE raises plain exceptions for ontologies it cannot read
            raise KbError(f"pyLODE could not document the ontology: {exc}") from None
        write_file(folder / "ontology" / name, html if html.endswith("\n") else html + "\n")
        if language == "en":
            anchors = {str(iri): str(fid) for iri, fid in getattr(doc, "fids", {}).items()}
    return anchors


