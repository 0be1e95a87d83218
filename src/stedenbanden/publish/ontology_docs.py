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


_NAVIGATION = (
    ("index.html#figures", "Figures"), ("index.html#charts", "Charts"), ("index.html#maps", "Maps"), ("index.html#links", "City links"),
    ("index.html#tables", "Tables"),
    ("browse.html", "All resources"), ("index.html#downloads", "Downloads"), ("ontology/index.html", "Ontology"),
)
"""The site's navigation (as in ``templates/base.html``): path in the release, text."""


def _make_html(doc, language: str) -> str:
    """pyLODE's page for ``doc`` (an OntPub), made part of the site: the document's language is
    stated, the site's header and navigation come first in the body (styled by
    ``static/ontology.css``), and the ids that pyLODE repeats (a property that is both an object
    property and a functional property is documented in both sections) are made unique by a
    suffix on the later ones, so that the page is valid HTML.

    Does what ``OntPub.make_html`` does (pyLODE 3.3), with the document tree changed before it is
    rendered; pyLODE builds it with ``dominate``, whose tags are changed here."""
    from dominate import tags

    doc._make_head(doc._make_schema_org(), include_css=True, destination=None)
    doc._make_body()
    root = doc.doc
    root.set_attribute("lang", language)
    root.head.add(tags.link(rel="stylesheet", href="../static/ontology.css"))
    header = tags.header(cls="site")
    header.add(tags.a("stedenbanden", cls="home", href="../index.html"))
    nav = header.add(tags.nav())
    for path, text in _NAVIGATION:
        nav.add(tags.a(text, href="../" + path if not path.startswith("ontology/") else path[len("ontology/"):]))
    root.body.children.insert(0, header)
    header.parent = root.body

    seen: set[str] = set()

    def walk(node, section: str) -> None:
        attributes = getattr(node, "attributes", None)
        if attributes is None:
            return
        if "section" in str(attributes.get("class", "")).split() and attributes.get("id"):
            section = str(attributes["id"])
        ident = attributes.get("id")
        if ident is not None:
            ident = str(ident)
            if ident in seen:
                unique, n = f"{ident}-{section}", 2
                while unique in seen:
                    unique, n = f"{ident}-{section}-{n}", n + 1
                attributes["id"] = ident = unique
            seen.add(ident)
        for child in node.children:
            walk(child, section)

    walk(root, "")
    return root.render()


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
            html = _make_html(doc, language)
        except Exception as exc:  # pyLODE raises plain exceptions for ontologies it cannot read
            raise KbError(f"pyLODE could not document the ontology: {exc}") from None
        write_file(folder / "ontology" / name, html if html.endswith("\n") else html + "\n")
        if language == "en":
            anchors = {str(iri): str(fid) for iri, fid in getattr(doc, "fids", {}).items()}
    return anchors


