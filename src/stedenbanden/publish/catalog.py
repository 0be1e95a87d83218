"""The dataset description of a release (``catalog.ttl``): DCAT (DCAT-AP 3.0.1) and VoID, and its
check against the packaged DCAT-AP shapes."""

from __future__ import annotations

import datetime as dt
from importlib.resources import files as package_files
from pathlib import Path
from typing import Mapping, Sequence

from .common import (CATALOG, DATASET, DEFAULT_BASE_URL, LICENCE, NETHERLANDS, PUBLISHER, SBDEF, SBID, SERVICE,
                     canonical_bnodes)
from .dumps import Dump

# --------------------------------------------------------------------------------------------
# The dataset description: DCAT (DCAT-AP 3.0.1) and VoID
# --------------------------------------------------------------------------------------------

_DESCRIPTION_PREFIXES = {
    "adms": "http://www.w3.org/ns/adms#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcterms": "http://purl.org/dc/terms/",
    "filetype": "http://publications.europa.eu/resource/authority/file-type/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "language": "http://publications.europa.eu/resource/authority/language/",
    "mediatype": "https://www.iana.org/assignments/media-types/",
    "prov": "http://www.w3.org/ns/prov#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "spdx": "http://spdx.org/rdf/terms#",
    "datatheme": "http://publications.europa.eu/resource/authority/data-theme/",
    "void": "http://rdfs.org/ns/void#",
    "wd": "http://www.wikidata.org/entity/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def description_prefixes(prefixes: Mapping[str, str]) -> dict[str, str]:
    merged = dict(_DESCRIPTION_PREFIXES)
    for prefix, namespace in prefixes.items():
        if prefix not in merged and namespace not in merged.values():
            merged[prefix] = namespace
    return merged


def _namespace(iri: str) -> str:
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1]


def describe(graph, dumps: Sequence[Dump], *, version: str, date: dt.date | None = None,
             endpoint_url: str | None = None, base_url: str = DEFAULT_BASE_URL):
    """The description of the release as an rdflib Graph: a ``dcat:Catalog`` holding the
    ``dcat:Dataset`` (also a ``void:Dataset``) with one ``dcat:Distribution`` per dump (media
    type, byte size, SHA-256 checksum), licence CC BY 4.0, temporal and spatial coverage,
    keywords, counts (``void:triples`` ...), vocabularies and example resources taken from
    ``graph``, and, when ``endpoint_url`` is given, the SPARQL endpoint as a ``dcat:DataService``.

    Titles and descriptions are in Dutch and English. Dates are stated only when ``date`` is."""
    import rdflib
    from rdflib import RDF, XSD, Literal, URIRef
    from rdflib.namespace import DCTERMS, FOAF, PROV, RDFS, SKOS, VOID

    DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")  # an open namespace: DCAT 3 terms such as dcat:version
    QB = rdflib.Namespace("http://purl.org/linked-data/cube#")
    SB = rdflib.Namespace(SBDEF)
    SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
    g = rdflib.Graph(bind_namespaces="none")
    catalog, dataset, publisher, licence = URIRef(CATALOG), URIRef(DATASET), URIRef(PUBLISHER), URIRef(LICENCE)

    def text(node, prop, nl, en):
        g.add((node, prop, Literal(nl, lang="nl")))
        g.add((node, prop, Literal(en, lang="en")))

    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, FOAF.name, Literal("stedenbanden project")))
    g.add((licence, RDF.type, DCTERMS.LicenseDocument))
    g.add((licence, RDFS.label, Literal("Creative Commons Attribution 4.0 International (CC BY 4.0)", lang="en")))
    homepage = URIRef(base_url)
    g.add((homepage, RDF.type, FOAF.Document))

    g.add((catalog, RDF.type, DCAT.Catalog))
    text(catalog, DCTERMS.title, "Stedenbanden: open data", "City links (stedenbanden): open data")
    text(catalog, DCTERMS.description,
         "Catalogus van de open data over stedenbanden tussen Nederlandse gemeenten en gemeenten in de "
         "herkomstlanden van migranten.",
         "Catalogue of the open data on city links between Dutch municipalities and municipalities in "
         "migrants' countries of origin.")
    g.add((catalog, DCTERMS.publisher, publisher))
    g.add((catalog, DCTERMS.license, licence))
    g.add((catalog, FOAF.homepage, homepage))
    g.add((catalog, DCAT.dataset, dataset))

    g.add((dataset, RDF.type, DCAT.Dataset))
    g.add((dataset, RDF.type, VOID.Dataset))
    text(dataset, DCTERMS.title, "Stedenbanden met herkomstlanden van migranten: kennisbank",
         "City links with migrants' countries of origin: knowledge base")
    text(dataset, DCTERMS.description,
         "Linked data over stedenbanden tussen Nederlandse gemeenten en gemeenten in de herkomstlanden van "
         "migranten in Nederland (Turkije, Marokko, Suriname, de Nederlandse Antillen en Aruba, Ghana, "
         "Kaapverdië en Indonesië): de cijfers van de inventarisatie van juni 2007 zoals NCDO ze in 2008 "
         "publiceerde, en de afzonderlijke banden die openbare bronnen vastleggen, elk feit met zijn bron. "
         "Met de ontologie en de codelijsten.",
         "Linked data on city links between Dutch municipalities and municipalities in the countries of "
         "origin of migrants in the Netherlands (Turkey, Morocco, Suriname, the Netherlands Antilles and "
         "Aruba, Ghana, Cape Verde and Indonesia): the figures of the June 2007 inventory as NCDO published "
         "them in 2008, and the individual links that public sources document, each fact with its source. "
         "With the ontology and the code lists.")
    g.add((dataset, DCTERMS.publisher, publisher))
    g.add((dataset, DCTERMS.license, licence))
    g.add((dataset, DCAT.version, Literal(version)))
    g.add((dataset, DCAT.landingPage, homepage))
    g.add((dataset, DCTERMS.conformsTo, URIRef(SBDEF)))
    g.add((URIRef(SBDEF), RDF.type, DCTERMS.Standard))
    if date is not None:
        for node in (catalog, dataset):
            g.add((node, DCTERMS.issued, Literal(date.isoformat(), datatype=XSD.date)))
            g.add((node, DCTERMS.modified, Literal(date.isoformat(), datatype=XSD.date)))
    for code in ("NLD", "ENG"):
        language = URIRef(_DESCRIPTION_PREFIXES["language"] + code)
        g.add((dataset, DCTERMS.language, language))
        g.add((language, RDF.type, DCTERMS.LinguisticSystem))
    for code in ("SOCI", "GOVE"):
        g.add((dataset, DCAT.theme, URIRef(_DESCRIPTION_PREFIXES["datatheme"] + code)))
    keywords = (("stedenbanden", "city links"), ("stedenband", "twin towns"), ("gemeenten", "municipalities"),
                ("internationale samenwerking", "international cooperation"), ("migranten", "migrants"),
                ("herkomstlanden", "countries of origin"), ("linked data", "linked data"))
    for nl, en in keywords:
        g.add((dataset, DCAT.keyword, Literal(nl, lang="nl")))
        g.add((dataset, DCAT.keyword, Literal(en, lang="en")))

    # Temporal coverage: the periods the knowledge base's own datasets state (June 2007).
    periods = sorted({o for o in graph.objects(None, DCTERMS.temporal) if isinstance(o, URIRef)})
    for period in periods:
        g.add((dataset, DCTERMS.temporal, period))
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        for p, o in graph.predicate_objects(period):
            if p in (RDFS.label, DCAT.startDate, DCAT.endDate):
                g.add((period, p, o))
    # Spatial coverage: the Netherlands (Wikidata), and the countries of origin of the code list.
    places = {URIRef(NETHERLANDS)}
    places.update(c for c in graph.subjects(RDF.type, SB.CountryOfOrigin)
                  if isinstance(c, URIRef) and str(c).startswith(SBID + "country/"))
    for place in sorted(places):
        g.add((dataset, DCTERMS.spatial, place))
        g.add((place, RDF.type, DCTERMS.Location))
    for source in (SBID + "source/ncdo-2008", SBID + "source/documented-links"):
        if (URIRef(source), None, None) in graph:
            g.add((dataset, PROV.wasDerivedFrom, URIRef(source)))

    # VoID: counts, vocabularies, example resources, dumps.
    subjects = {s for s in graph.subjects() if isinstance(s, URIRef)}
    classes = {o for o in graph.objects(None, RDF.type)}
    properties = set(graph.predicates())
    g.add((dataset, VOID.triples, Literal(len(graph), datatype=XSD.integer)))
    g.add((dataset, VOID.entities, Literal(len(subjects), datatype=XSD.integer)))
    g.add((dataset, VOID.classes, Literal(len(classes), datatype=XSD.integer)))
    g.add((dataset, VOID.properties, Literal(len(properties), datatype=XSD.integer)))
    g.add((dataset, VOID.distinctSubjects, Literal(len(set(graph.subjects())), datatype=XSD.integer)))
    g.add((dataset, VOID.distinctObjects, Literal(len(set(graph.objects())), datatype=XSD.integer)))
    g.add((dataset, VOID.uriSpace, Literal(SBID)))
    for vocabulary in sorted({_namespace(str(t)) for t in properties | classes if isinstance(t, URIRef)}):
        g.add((dataset, VOID.vocabulary, URIRef(vocabulary)))
    for cls in (SB.CityLink, SB.DutchMunicipality, QB.Observation, SKOS.ConceptScheme):
        members = sorted(s for s in graph.subjects(RDF.type, cls) if isinstance(s, URIRef))
        if members:
            g.add((dataset, VOID.exampleResource, members[0]))

    for dump in dumps:
        node = URIRef(f"{DATASET}/distribution/{dump.key}")
        url = URIRef(base_url + dump.path)
        media = URIRef(_DESCRIPTION_PREFIXES["mediatype"] + dump.media_type)
        file_type = URIRef(_DESCRIPTION_PREFIXES["filetype"] + dump.file_type)
        g.add((dataset, DCAT.distribution, node))
        g.add((dataset, VOID.dataDump, url))
        g.add((node, RDF.type, DCAT.Distribution))
        text(node, DCTERMS.title, dump.title_nl, dump.title_en)
        g.add((node, DCAT.accessURL, url))
        g.add((node, DCAT.downloadURL, url))
        g.add((node, DCAT.mediaType, media))
        g.add((media, RDF.type, DCTERMS.MediaType))
        g.add((node, DCTERMS.format, file_type))
        g.add((file_type, RDF.type, DCTERMS.MediaTypeOrExtent))
        g.add((node, DCAT.byteSize, Literal(str(dump.size), datatype=XSD.nonNegativeInteger)))
        g.add((node, DCTERMS.license, licence))
        checksum = rdflib.BNode(f"sha256-{dump.key}")
        g.add((node, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((checksum, SPDX.checksumValue, Literal(dump.sha256, datatype=XSD.hexBinary)))
        if date is not None:
            g.add((node, DCTERMS.issued, Literal(date.isoformat(), datatype=XSD.date)))
        if dump.key == "json-ld":
            text(node, DCTERMS.description, "De JSON-LD-context staat in dumps/context.jsonld.",
                 "The JSON-LD context is in dumps/context.jsonld.")
    if endpoint_url:
        service, endpoint = URIRef(SERVICE), URIRef(endpoint_url)
        node = URIRef(f"{DATASET}/distribution/sparql")
        g.add((catalog, DCAT.service, service))
        g.add((service, RDF.type, DCAT.DataService))
        text(service, DCTERMS.title, "SPARQL-endpoint van de kennisbank", "SPARQL endpoint of the knowledge base")
        g.add((service, DCAT.endpointURL, endpoint))
        g.add((service, DCAT.servesDataset, dataset))
        g.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
        g.add((dataset, VOID.sparqlEndpoint, endpoint))
        g.add((dataset, DCAT.distribution, node))
        g.add((node, RDF.type, DCAT.Distribution))
        text(node, DCTERMS.title, "De kennisbank via SPARQL", "The knowledge base through SPARQL")
        g.add((node, DCAT.accessURL, endpoint))
        g.add((node, DCAT.accessService, service))
        g.add((node, DCTERMS.license, licence))
    return canonical_bnodes(g, "description-")


def shapes_path() -> Path:
    """The packaged DCAT-AP 3.0.1 shapes (an extract of the official SHACL shapes)."""
    return Path(str(package_files("stedenbanden").joinpath("shapes", "dcat-ap.ttl")))


def check_description(description) -> list[str]:
    """Validate the dataset ``description`` (an rdflib Graph) against the packaged DCAT-AP
    shapes with pyshacl; return one line per violation (empty: it conforms)."""
    import rdflib
    from pyshacl import validate

    shapes = rdflib.Graph().parse(shapes_path(), format="turtle")
    conforms, report, _ = validate(description, shacl_graph=shapes, inference="none", advanced=False,
                                   allow_warnings=True)
    if conforms:
        return []
    SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    problems = []
    for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        problems.append(f"{report.value(result, SH.focusNode)} {report.value(result, SH.resultPath)}: "
                        f"{report.value(result, SH.resultMessage)}")
    return sorted(problems)


