"""The namespace prefixes ``kb`` knows: the project's own and the standard vocabularies it uses.

They are the prefixes of the shipped ontology, data and stored queries. ``kb sparql`` declares
them for a query that does not (as the Wikidata Query Service does for its own), and ``table``
output shortens IRIs with them, listing the prefixes it used below the table.
"""

from __future__ import annotations

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
