"""The namespace prefixes ``kb`` knows: the project's own and the standard vocabularies it uses.

They are the prefixes of the shipped ontology, data and stored queries. ``kb sparql`` declares
them for a query that does not (as the Wikidata Query Service does for its own), and ``table``
output shortens IRIs with them, listing the prefixes it used below the table.
"""

from __future__ import annotations

import re

PROJECT = {
    "sb": "https://w3id.org/stedenbanden/def#",
    "sbsh": "https://w3id.org/stedenbanden/def/shapes#",
    "sbid": "https://w3id.org/stedenbanden/id/",
    "budget": "https://w3id.org/stedenbanden/id/budget/",
    "capacity": "https://w3id.org/stedenbanden/id/capacity/",
    "characteristic": "https://w3id.org/stedenbanden/id/characteristic/",
    "code": "https://w3id.org/stedenbanden/id/code/",
    "collection": "https://w3id.org/stedenbanden/id/collection/",
    "country": "https://w3id.org/stedenbanden/id/country/",
    "dataset": "https://w3id.org/stedenbanden/id/dataset/",
    "group": "https://w3id.org/stedenbanden/id/group/",
    "initiator": "https://w3id.org/stedenbanden/id/initiator/",
    "link": "https://w3id.org/stedenbanden/id/link/",
    "motive": "https://w3id.org/stedenbanden/id/motive/",
    "ncdo": "https://w3id.org/stedenbanden/id/source/ncdo-2008/",
    "obs": "https://w3id.org/stedenbanden/id/observation/",
    "organization": "https://w3id.org/stedenbanden/id/organization/",
    "partner": "https://w3id.org/stedenbanden/id/partner/",
    "period": "https://w3id.org/stedenbanden/id/period/",
    "qualifier": "https://w3id.org/stedenbanden/id/qualifier/",
    "scheme": "https://w3id.org/stedenbanden/id/scheme/",
    "source": "https://w3id.org/stedenbanden/id/source/",
    "status": "https://w3id.org/stedenbanden/id/status/",
    "theme": "https://w3id.org/stedenbanden/id/theme/",
}
"""The project's prefixes: ``sb:`` for the ontology, the others for its resources (``sbid:``
covers them all)."""

STANDARD = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcterms": "http://purl.org/dc/terms/",
    "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "geosparql": "http://www.opengis.net/ont/geosparql#",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "qb": "http://purl.org/linked-data/cube#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "sh": "http://www.w3.org/ns/shacl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "tooi": "https://identifier.overheid.nl/tooi/id/gemeente/",
    "tooiont": "https://identifier.overheid.nl/tooi/def/ont/",
    "void": "http://rdfs.org/ns/void#",
    "wd": "http://www.wikidata.org/entity/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
"""The standard vocabularies' usual prefixes (as prefix.cc and the W3C documents write them),
and TOOI's for Dutch municipalities."""

ALL = {**PROJECT, **STANDARD}
"""Every known prefix -> namespace IRI."""

_LONGEST_FIRST = sorted(ALL.items(), key=lambda item: -len(item[1]))


def shorten(iri: str) -> tuple[str, str | None]:
    """``iri`` as ``prefix:local`` with the longest known namespace it starts with, and that
    prefix; ``(iri, None)`` when no namespace fits or the rest would not be a plain local name
    (it holds ``/`` after a ``#`` namespace, ``#``, ``?`` or a space)."""
    for prefix, namespace in _LONGEST_FIRST:
        if iri.startswith(namespace):
            local = iri[len(namespace):]
            if local and not any(c in local for c in "#? ") and not (namespace.endswith("#") and "/" in local):
                return f"{prefix}:{local}", prefix
    return iri, None


_DECLARED = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>\s]*)>", re.IGNORECASE)
_PREFIXED = re.compile(r"(?<![\w.:?$-])([A-Za-z][\w-]*(?:\.[\w-]+)*)?:((?:[\w-]|\.(?=[\w-]))*)")
_NOT_NAMES = re.compile(r"#[^\n]*|<[^<>\"{}|^`\\\s]*>|\"\"\".*?\"\"\"|'''.*?'''|\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'",
                        re.DOTALL)


def declared(query: str) -> dict[str, str]:
    """The prefixes the query declares itself (``PREFIX p: <iri>``): prefix -> namespace."""
    return {m.group(1) or "": m.group(2) for m in _DECLARED.finditer(_blank(query, keep_iris=True))}


def prelude(query: str) -> str:
    """``PREFIX`` declarations, on one line, for the known prefixes the query does not declare
    itself; ``""`` when it declares them all."""
    own = declared(query)
    return " ".join(f"PREFIX {p}: <{ns}>" for p, ns in ALL.items() if p not in own) + "\n" if set(ALL) - set(own) else ""


def _blank(query: str, keep_iris: bool = False) -> str:
    """The query with comments, strings (and IRIs) blanked out, same length and line breaks."""
    def blank(m):
        text = m.group(0)
        if keep_iris and text.startswith("<"):
            return text
        return "".join(c if c == "\n" else " " for c in text)

    return _NOT_NAMES.sub(blank, query)


def prefixed_names(query: str) -> list[tuple[str, str, int]]:
    """Every prefixed name used in the query (not in a comment, string, IRI or PREFIX line): a
    list of (prefix, local name, line number)."""
    text = _blank(query)
    text = re.sub(r"\bPREFIX\s+([A-Za-z][\w.-]*)?:", lambda m: " " * len(m.group(0)), text, flags=re.IGNORECASE)
    found = []
    for m in _PREFIXED.finditer(text):
        found.append((m.group(1) or "", m.group(2), text.count("\n", 0, m.start()) + 1))
    return found


def undeclared(query: str) -> list[tuple[str, int]]:
    """The prefixes the query uses that neither it nor :data:`ALL` declares, with the line of
    their first use, in order of first use."""
    own = declared(query)
    first: dict[str, int] = {}
    for prefix, _, line in prefixed_names(query):
        if prefix not in own and prefix not in ALL:
            first.setdefault(prefix, line)
    return list(first.items())


def project_terms(query: str) -> list[tuple[str, str, int]]:
    """The IRIs in the project's namespaces (:data:`PROJECT`) that the query names, written as
    prefixed names or in full: (IRI, as written, line), each IRI once."""
    names = {**ALL, **declared(query)}
    spaces = tuple(PROJECT.values())
    found: dict[str, tuple[str, str, int]] = {}
    for prefix, local, line in prefixed_names(query):
        if prefix in names and local:
            iri = names[prefix] + local
            if iri.startswith(spaces):
                found.setdefault(iri, (iri, f"{prefix}:{local}", line))
    stripped = _blank(query, keep_iris=True)
    declarations = {d.start(2) - 1 for d in _DECLARED.finditer(stripped)}
    for m in re.finditer(r"<([^<>\"{}|^`\\\s]+)>", stripped):
        if m.group(1).startswith(spaces) and m.start() not in declarations:
            found.setdefault(m.group(1), (m.group(1), m.group(0), stripped.count("\n", 0, m.start()) + 1))
    return list(found.values())


def undefined_terms(query: str, store=None) -> list[tuple[str, int, list[str]]]:
    """The terms in the project's namespaces that the query names but ``store`` (an Oxigraph
    store; default: the ontology alone) does not use anywhere: (term as written, line, up to three
    closest terms of the same namespace that it does have, as prefixed names)."""
    import difflib

    from .resources import ontology_files
    from .store import load, select

    terms = project_terms(query)
    if not terms:
        return []
    known = store if store is not None else load(ontology_files())
    values = " ".join(f"<{iri}>" for iri, _, _ in terms)
    used = select(known, f"SELECT ?t WHERE {{ VALUES ?t {{ {values} }} FILTER EXISTS {{ {{ ?t ?p ?o }} UNION {{ ?s ?q ?t }} }} }}",
                  origin="terms")
    defined = {str(row[0]) for row in used.rows}
    found = []
    for iri, written, line in terms:
        if iri in defined:
            continue
        space = max((ns for ns in PROJECT.values() if iri.startswith(ns)), key=len)
        subjects = select(known, f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER (STRSTARTS(STR(?s), "{space}")) }}',
                          origin="terms")
        same = sorted(str(row[0]) for row in subjects.rows if len(str(row[0])) > len(space))
        close = [d for d in same if d.casefold() == iri.casefold()]
        close += [d for d in difflib.get_close_matches(iri, same, n=3, cutoff=0.75) if d not in close]
        found.append((written, line, [shorten(c)[0] for c in close[:3]]))
    return found
