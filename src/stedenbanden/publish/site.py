"""The static site of a release: one page per resource (``doc/``), the index and the list of all
resources, written with Jinja2 templates."""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass, field
from importlib.resources import files as package_files
from pathlib import Path
from typing import Mapping, Sequence

from .charts import Chart
from .common import DATASET, SBDEF, SBID, TOOI_GEMEENTE, TOOI_IRI, beside, file_header, write_file
from .dumps import Dump, jsonld_nodes as jsonld_node_objects

_SAFE_PATH = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]*(/[A-Za-z0-9][A-Za-z0-9._~-]*)*")

# --------------------------------------------------------------------------------------------
# The site: one page per resource, the index and the resource list
# --------------------------------------------------------------------------------------------

def page_path(iri: str) -> str | None:
    """The page (a path in the release) that describes ``iri``, or None when it gets none.

    ``https://w3id.org/stedenbanden/id/<path>`` is described at ``doc/<path>.html`` and the
    TOOI municipality ``https://identifier.overheid.nl/tooi/id/gemeente/gmNNNN`` at
    ``doc/tooi/gmNNNN.html``. IRIs with characters that do not make a portable file name get
    no page."""
    if iri.startswith(SBID):
        rest = iri[len(SBID):]
        if _SAFE_PATH.fullmatch(rest) and ".." not in rest.split("/"):
            return f"doc/{rest}.html"
        return None
    match = TOOI_IRI.fullmatch(iri)
    if match:
        return f"doc/tooi/{match.group(1)}.html"
    return None


def relative(target: str, page: str) -> str:
    """The relative link from the page at ``page`` to ``target`` (both paths in the release,
    normalised: no ``.``, ``..`` or empty parts), e.g. ``../link/a.html`` from ``doc/tooi/b.html``.

    The same as ``posixpath.relpath(target, posixpath.dirname(page))`` (a test checks it), worked
    out on the paths' parts: relpath resolves both against the current folder, which took a
    quarter of the site's time at 44,119 pages."""
    fragment = ""
    if "#" in target:
        target, fragment = target.split("#", 1)
        fragment = "#" + fragment
    folder = page.split("/")[:-1]
    parts = target.split("/")
    common = 0
    while common < len(folder) and common < len(parts) - 1 and folder[common] == parts[common]:
        common += 1
    return "/".join([".."] * (len(folder) - common) + parts[common:]) + fragment


@dataclass
class Value:
    """One value on a page: its text, where it links (relative, or an absolute external IRI),
    its language tag, the IRI it stands for (for a blank node its canonical label), and for a
    blank node the rows that describe it."""

    text: str
    href: str | None = None
    external: bool = False
    lang: str | None = None
    iri: str | None = None
    rows: list = field(default_factory=list)
    links: list = field(default_factory=list)  # for a municipality in a figure's reasoning: its city links


@dataclass
class Row:
    """One property of a resource and its values, sorted."""

    label: str
    href: str | None
    iri: str
    values: list


_KIND_TITLES = {
    "link": "City links", "tooi": "Dutch municipalities", "partner": "Partner governments",
    "country": "Countries of origin", "observation": "Published figures (observations)",
    "dataset": "Datasets", "source": "Sources", "organization": "Organisations", "scheme": "Code lists",
    "theme": "Themes", "motive": "Motives", "initiator": "Initiators", "status": "Evidence status",
    "capacity": "Capacity classes", "budget": "Budget classes", "period": "Start periods",
    "characteristic": "Municipal characteristics", "qualifier": "Value qualifiers", "group": "Municipality groups",
    "code": "Shared codes", "collection": "Collections", "time": "Periods of time", "service": "Services",
}

_PROPERTY_LABELS = {
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": "type",
    "http://www.w3.org/2000/01/rdf-schema#label": "label",
    "http://www.w3.org/2000/01/rdf-schema#comment": "comment",
    "http://www.w3.org/2000/01/rdf-schema#seeAlso": "see also",
    "http://www.w3.org/2004/02/skos/core#prefLabel": "name",
    "http://www.w3.org/2004/02/skos/core#altLabel": "other name",
    "http://www.w3.org/2004/02/skos/core#definition": "definition",
    "http://www.w3.org/2004/02/skos/core#note": "note",
    "http://www.w3.org/2004/02/skos/core#notation": "code",
    "http://www.w3.org/2004/02/skos/core#inScheme": "in code list",
    "http://www.w3.org/2004/02/skos/core#broader": "broader concept",
    "http://www.w3.org/2004/02/skos/core#narrower": "narrower concept",
    "http://www.w3.org/2004/02/skos/core#topConceptOf": "top concept of",
    "http://www.w3.org/2004/02/skos/core#hasTopConcept": "top concepts",
    "http://www.w3.org/2004/02/skos/core#member": "members",
    "http://www.w3.org/2004/02/skos/core#exactMatch": "same as",
    "http://www.w3.org/2004/02/skos/core#closeMatch": "close to",
    "http://purl.org/dc/terms/source": "source (evidence)",
    "http://purl.org/dc/terms/title": "title",
    "http://purl.org/dc/terms/description": "description",
    "http://purl.org/dc/terms/publisher": "publisher",
    "http://purl.org/dc/terms/creator": "author",
    "http://purl.org/dc/terms/issued": "issued",
    "http://purl.org/dc/terms/modified": "modified",
    "http://purl.org/dc/terms/date": "date",
    "http://purl.org/dc/terms/temporal": "period covered",
    "http://purl.org/dc/terms/spatial": "area covered",
    "http://purl.org/dc/terms/isPartOf": "part of",
    "http://purl.org/dc/terms/hasPart": "parts",
    "http://purl.org/dc/terms/type": "kind",
    "http://purl.org/dc/terms/language": "language",
    "http://purl.org/dc/terms/license": "licence",
    "http://purl.org/dc/terms/format": "file format",
    "http://purl.org/dc/terms/conformsTo": "conforms to",
    "http://www.w3.org/ns/prov#wasDerivedFrom": "derived from",
    "http://www.w3.org/ns/prov#wasAttributedTo": "attributed to",
    "http://purl.org/linked-data/cube#dataSet": "dataset",
    "http://purl.org/linked-data/cube#measureType": "measure",
    "http://purl.org/linked-data/cube#structure": "structure",
    "http://www.w3.org/ns/org#subOrganizationOf": "part of the organisation",
    "http://www.w3.org/ns/dcat#startDate": "start date",
    "http://www.w3.org/ns/dcat#endDate": "end date",
    "http://www.w3.org/ns/dcat#distribution": "distribution",
    "http://www.w3.org/ns/dcat#dataset": "dataset",
    "http://www.w3.org/ns/dcat#accessURL": "access URL",
    "http://www.w3.org/ns/dcat#downloadURL": "download URL",
    "http://www.w3.org/ns/dcat#mediaType": "media type",
    "http://www.w3.org/ns/dcat#byteSize": "size in bytes",
    "http://www.w3.org/ns/dcat#keyword": "keyword",
    "http://www.w3.org/ns/dcat#version": "version",
    "http://www.w3.org/ns/dcat#landingPage": "landing page",
    "http://xmlns.com/foaf/0.1/name": "name",
    "http://spdx.org/rdf/terms#checksum": "checksum",
    "http://spdx.org/rdf/terms#algorithm": "algorithm",
    "http://spdx.org/rdf/terms#checksumValue": "value",
}

_EXTERNAL_NAMES = (
    (r"https?://www\.wikidata\.org/entity/(Q[0-9]+)", "Wikidata {}"),
    (r"https?://sws\.geonames\.org/([0-9]+)/?", "GeoNames {}"),
    (re.escape(TOOI_GEMEENTE) + r"(gm[0-9]{4})", "TOOI {}"),
)

_NAME_PROPERTIES = ("http://www.w3.org/2004/02/skos/core#prefLabel", "http://www.w3.org/2000/01/rdf-schema#label",
                    "http://purl.org/dc/terms/title", "http://xmlns.com/foaf/0.1/name")


class Site:
    """The pages of a release, worked out from ``graph`` (the knowledge base and its description)."""

    def __init__(self, graph, prefixes: Mapping[str, str], anchors: Mapping[str, str], base_url: str,
                 description=None):
        """``graph``: the knowledge base (rdflib Graph); ``description``: the release's
        description (rdflib Graph, optional), shown with it without copying either graph."""
        import rdflib
        from rdflib.graph import ReadOnlyGraphAggregate

        self.rdflib = rdflib
        extra = [t for t in description if t not in graph] if description is not None else []
        if extra:
            added = rdflib.Graph(bind_namespaces="none")
            for triple in extra:
                added.add(triple)
            graph = ReadOnlyGraphAggregate([graph, added])
        self.graph = graph
        self.prefixes = dict(prefixes)
        self.anchors = dict(anchors)
        self.base_url = base_url
        # Every node's statements, gathered in one pass over the graph: a page asks these dicts,
        # not rdflib, whose per-call cost made a page take milliseconds (44,119 pages: 149 s).
        self._out: dict = {}
        self._in: dict = {}
        for s, p, o in graph:
            self._out.setdefault(s, []).append((p, o))
            if not isinstance(o, rdflib.Literal):
                self._in.setdefault(o, []).append((s, p))
        self._namespaces = sorted(((ns, prefix) for prefix, ns in self.prefixes.items() if prefix),
                                  key=lambda kv: (-len(kv[0]), kv[1]))
        self._curies: dict[str, str] = {}
        # (term, page folder) -> its Value or (label, href) on the pages of that folder: a link
        # depends only on the folder of the page it is on (see relative), and the same
        # resources, properties and literals come back on page after page.
        self._shown: dict = {}
        self._props: dict = {}
        self._prefixes_found: dict[str, dict[str, str]] = {}
        self.labels, self.dutch = self._labels()
        self.pages: dict[str, str] = {}
        taken: set[str] = set()
        for subject in sorted({str(s) for s in self._out if isinstance(s, rdflib.URIRef)}):
            path = page_path(subject)
            if path and path not in taken:
                self.pages[subject] = path
                taken.add(path)
        self._observation_labels()

    # -- labels ---------------------------------------------------------------------------------

    def _labels(self):
        rdflib = self.rdflib
        ranks = {p: i for i, p in enumerate(_NAME_PROPERTIES)}
        best, dutch = {}, {}
        for prop, rank in ranks.items():
            for s, o in self.graph.subject_objects(rdflib.URIRef(prop)):
                if not isinstance(o, rdflib.Literal):
                    continue
                lang = {"en": 0, None: 1, "nl": 2}.get(o.language, 3)
                key = (rank, lang, str(o))
                if s not in best or key < best[s][0]:
                    best[s] = (key, str(o))
                if o.language == "nl" and (s not in dutch or (rank, str(o)) < dutch[s][0]):
                    dutch[s] = ((rank, str(o)), str(o))
        return {str(s): v[1] for s, v in best.items()}, {str(s): v[1] for s, v in dutch.items()}

    def _observation_labels(self):
        """Observations have no names; call each by its measure, value and the categories it is
        broken down by, e.g. 'number of city links: 13 (Turkey)'."""
        rdflib = self.rdflib
        QB = rdflib.Namespace("http://purl.org/linked-data/cube#")
        dimensions = set(self.graph.subjects(rdflib.RDF.type, QB.DimensionProperty))
        for obs in sorted(self.graph.subjects(rdflib.RDF.type, QB.Observation), key=str):
            if str(obs) in self.labels:
                continue
            measure = self.graph.value(obs, QB.measureType)
            value = self.graph.value(obs, measure) if measure is not None else None
            if measure is None or value is None:
                continue
            parts = sorted({self.label(o) for p, o in self.graph.predicate_objects(obs)
                            if p in dimensions and p != QB.measureType and not str(o).startswith(SBID + "code/")
                            and isinstance(o, rdflib.URIRef)})
            shown = f"{self.label(measure)}: {value}"
            self.labels[str(obs)] = shown + (f" ({', '.join(parts)})" if parts else "")

    def curie(self, iri: str) -> str:
        shown = self._curies.get(iri)
        if shown is None:
            shown = self._curies[iri] = self._curie(iri)
        return shown

    def _curie(self, iri: str) -> str:
        for prefix, namespace in sorted(self.prefixes.items(), key=lambda kv: -len(kv[1])):
            if iri.startswith(namespace) and len(iri) > len(namespace):
                local = iri[len(namespace):]
                if re.fullmatch(r"[A-Za-z0-9_.-]+", local):
                    return f"{prefix}:{local}"
        return iri

    def label(self, term) -> str:
        iri = str(term)
        if iri in self.labels:
            return self.labels[iri]
        if iri in _PROPERTY_LABELS:
            return _PROPERTY_LABELS[iri]
        return self.curie(iri)

    # -- links ----------------------------------------------------------------------------------

    def href(self, iri: str, page: str) -> tuple[str | None, bool]:
        """Where a mention of ``iri`` on ``page`` links: (href, external)."""
        if iri in self.pages:
            return relative(self.pages[iri], page), False
        if iri.startswith(SBDEF) or iri == SBDEF.rstrip("#"):
            anchor = self.anchors.get(iri)
            return relative("ontology/index.html" + (f"#{anchor}" if anchor else ""), page), False
        if iri.startswith(self.base_url) and self._site_file(iri[len(self.base_url):]):
            return relative(iri[len(self.base_url):] or "index.html", page), False
        if iri.startswith(SBID):
            return None, False
        if re.match(r"https?://", iri):
            return iri, True
        return None, False

    def _site_file(self, rest: str) -> bool:
        return rest == "" or rest.startswith(("dumps/", "charts/", "ontology/")) or rest in ("catalog.ttl", "index.html")

    def value(self, term, page: str, depth: int = 0) -> Value:
        rdflib = self.rdflib
        if isinstance(term, rdflib.Literal):
            return Value(str(term), lang=term.language)
        if isinstance(term, rdflib.BNode):
            rows = self.rows(term, page, depth + 1) if depth < 4 else []
            return Value("", rows=rows, iri=str(term))  # canonical label: a stable sort key
        iri = str(term)
        href, external = self.href(iri, page)
        return Value(self.labels.get(iri) or self.external_name(iri) or self.label(iri), href, external, iri=iri)

    def external_name(self, iri: str) -> str | None:
        """How to show an IRI of Wikidata, GeoNames or TOOI, which the pages link out to."""
        for pattern, shown in _EXTERNAL_NAMES:
            match = re.fullmatch(pattern, iri)
            if match:
                return shown.format(*match.groups())
        return None

    def _sort_key(self, value: Value):
        return (value.text.casefold(), value.lang or "", value.iri or "")

    def rows(self, subject, page: str, depth: int = 0) -> list[Row]:
        rdflib = self.rdflib
        grouped: dict = {}
        for p, o in self._out.get(subject, ()):
            grouped.setdefault(p, []).append(o)
        rows = []
        for prop, objects in grouped.items():
            label, href = self._property(prop, page)
            values = sorted((self._shown_value(o, page, depth) for o in objects), key=self._sort_key)
            rows.append(Row(label, href, str(prop), values))
        first = {str(rdflib.RDF.type): 0, _NAME_PROPERTIES[0]: 1, _NAME_PROPERTIES[1]: 2}
        return sorted(rows, key=lambda r: (first.get(r.iri, 9), r.label.casefold(), r.iri))

    def incoming(self, subject, page: str) -> list[Row]:
        grouped: dict = {}
        for s, p in self._in.get(subject, ()):
            if isinstance(s, self.rdflib.URIRef):
                grouped.setdefault(p, []).append(s)
        rows = []
        for prop, subjects in grouped.items():
            label, href = self._property(prop, page)
            values = sorted((self._shown_value(s, page) for s in subjects), key=self._sort_key)
            rows.append(Row(label, href, str(prop), values))
        return sorted(rows, key=lambda r: (r.label.casefold(), r.iri))

    def _shown_value(self, term, page: str, depth: int = 0) -> Value:
        """:meth:`value` of ``term`` on ``page``, worked out once per page folder for an IRI or
        a literal (a blank node's rows are not kept). The Value is shared by every page that
        shows it: only the rows of a page use it, and nothing changes it (the evidence
        changes the Values it asks :meth:`value` for, which are its own)."""
        if isinstance(term, self.rdflib.BNode):
            return self.value(term, page, depth)
        key = (term, page.rpartition("/")[0])
        shown = self._shown.get(key)
        if shown is None:
            shown = self._shown[key] = self.value(term, page, depth)
        return shown

    def _property(self, prop, page: str) -> tuple[str, str | None]:
        """The label of property ``prop`` and where it links from ``page`` (worked out once per page folder)."""
        key = (prop, page.rpartition("/")[0])
        shown = self._props.get(key)
        if shown is None:
            shown = self._props[key] = (self.label(prop), self.href(str(prop), page)[0])
        return shown

    def description(self, subject):
        """The resource's own description: its triples and those of the blank nodes they lead
        to (a sorted list of rdflib triples), with the prefixes it uses (prefix -> namespace)."""
        rdflib = self.rdflib
        part = []
        todo, seen = [subject], set()
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            for p, o in self._out.get(node, ()):
                part.append((node, p, o))
                if isinstance(o, rdflib.BNode):
                    todo.append(o)
        part = sorted(set(part), key=lambda t: tuple(_term_key(x) for x in t))
        used = {}
        for triple in part:
            for term in triple:
                if isinstance(term, rdflib.Literal):
                    term = term.datatype
                    if term is None:
                        continue
                used.update(self._prefixes_of(str(term)))
        return part, dict(sorted(used.items()))

    def _prefixes_of(self, iri: str) -> dict[str, str]:
        """The prefixes (prefix -> namespace) whose namespace ``iri`` starts with."""
        found = self._prefixes_found.get(iri)
        if found is None:
            found = self._prefixes_found[iri] = {prefix: ns for ns, prefix in self._namespaces if iri.startswith(ns)}
        return found

    def jsonld(self, subject, description=None) -> str:
        """The resource's own description (:meth:`description`) as compacted JSON-LD with its
        context embedded, safe to put in a ``<script>`` element (see :func:`jsonld_node_objects`)."""
        part, used = description or self.description(subject)
        data = {"@context": used, "@graph": jsonld_node_objects(part, used)}
        return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False).replace("<", "\\u003c")

    def turtle(self, subject, description=None) -> str:
        """The resource's own description (:meth:`description`) as Turtle, written by pyoxigraph
        (rdflib's serializer took about 7 ms a page, 5 minutes for 44,119 pages)."""
        import pyoxigraph as ox

        part, used = description or self.description(subject)
        text = ox.serialize([ox.Triple(*map(_oxigraph_term, t)) for t in part], format=ox.RdfFormat.TURTLE,
                            prefixes=used).decode("utf-8")
        return (file_header(f"The description of <{subject}> in the stedenbanden knowledge base.") + "\n" + text)

    # -- writing --------------------------------------------------------------------------------

    def kind(self, iri: str) -> str:
        path = self.pages[iri]
        parts = path.split("/")
        return parts[1] if len(parts) > 2 else ""

    def write(self, folder: Path, store, charts: Sequence[Chart], dumps: Sequence[Dump], release: Mapping,
              tables: Sequence = (), maps: Sequence = (), link_maps: Mapping | None = None) -> None:
        """Write every resource page, the list of resources and the index into ``folder``:
        ``charts``, ``dumps``, ``tables`` and ``maps`` go on the index, ``link_maps`` (city link
        IRI -> its map) on the links' pages; ``release`` holds the facts of the release the
        pages state."""
        from .evidence import Evidence, run_queries

        link_maps = link_maps or {}
        evidence = Evidence(self, run_queries(store))
        from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

        templates = Path(str(package_files("stedenbanden").joinpath("templates")))
        env = Environment(loader=FileSystemLoader(str(templates)), autoescape=select_autoescape(["html"]),
                          undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                          auto_reload=False)  # each page's extends/import would stat base.html and macros.html
        resource = env.get_template("resource.html")
        rdflib = self.rdflib
        city_links = {str(s) for s in self.graph.subjects(rdflib.RDF.type, rdflib.URIRef(SBDEF + "CityLink"))}

        def write_pages(items):
            for iri, path in items:
                self._write_page(folder, resource, iri, path, release, evidence, link_maps, city_links)

        _in_two_processes(list(self.pages.items()), write_pages)
        self._write_browse(env, folder, release)
        self._write_index(env, folder, evidence, charts, dumps, release, tables, maps)

    def _write_page(self, folder: Path, resource, iri: str, path: str, release: Mapping, evidence, link_maps: Mapping,
                    city_links: set) -> None:
        """Write the page of ``iri`` at ``path`` and its description beside it (Turtle, JSON-LD)."""
        rdflib = self.rdflib
        type_iri = str(rdflib.RDF.type)
        term = rdflib.URIRef(iri)
        rows = self.rows(term, path)
        types = next((r.values for r in rows if r.iri == type_iri), [])
        title, dutch = self.label(iri), self.dutch.get(iri)
        description = self.description(term)
        jsonld = self.jsonld(term, description)
        stem = posixpath.splitext(path)[0]
        name = posixpath.basename(stem)
        alternates = [(f"{name}.ttl", "text/turtle", "Turtle"), (f"{name}.jsonld", "application/ld+json", "JSON-LD")]
        html = resource.render(
            root=relative("index.html", path).removesuffix("index.html"), page=path, release=release,
            iri=iri, title=title, dutch=dutch, types=types,
            rows=_without_shown_names([r for r in rows if r.iri != type_iri], {title, dutch}),
            incoming=self.incoming(term, path),
            tooi=iri if TOOI_IRI.fullmatch(iri) else None, kind=_KIND_TITLES.get(self.kind(iri), self.kind(iri)),
            jsonld=jsonld, alternates=alternates, linkmap=link_maps.get(iri),
            timeline=evidence.timeline(iri, path) if iri in city_links else None)
        write_file(folder / path, html)
        write_file(folder / f"{stem}.jsonld", jsonld + "\n")
        write_file(folder / f"{stem}.ttl", self.turtle(term, description))

    def _write_browse(self, env, folder: Path, release: Mapping) -> None:
        groups: dict[str, list] = {}
        for iri in self.pages:
            groups.setdefault(self.kind(iri), []).append(self.value(self.rdflib.URIRef(iri), "browse.html"))
        ordered = sorted(groups.items(), key=lambda kv: (list(_KIND_TITLES).index(kv[0]) if kv[0] in _KIND_TITLES
                                                         else len(_KIND_TITLES), kv[0]))
        sections = [(_KIND_TITLES.get(k, k or "Other"), k or "other", sorted(v, key=self._sort_key)) for k, v in ordered]
        html = env.get_template("browse.html").render(root="", page="browse.html", release=release,
                                                      title="All resources", sections=sections)
        write_file(folder / "browse.html", html)

    def _write_index(self, env, folder: Path, evidence, charts, dumps, release: Mapping, tables: Sequence = (),
                     maps: Sequence = ()) -> None:
        from .evidence import report_rows

        rdflib = self.rdflib
        SB = rdflib.Namespace(SBDEF)
        DCTERMS = rdflib.namespace.DCTERMS
        page = "index.html"
        sections = {}
        for section in self.graph.subjects(rdflib.RDF.type, SB.ReportSection):
            for title in self.graph.objects(section, DCTERMS.title):
                sections.setdefault(str(title), str(section))
        section_hrefs = {title: self.href(iri, page)[0] for title, iri in sections.items()}
        reasonings = evidence.reasonings(page, section_hrefs)
        reasoned = {r.id for r in reasonings}
        figures = []
        for record in report_rows(evidence.results):
            record["section_href"] = section_hrefs.get(record["section"])
            record["reasoning"] = f"#reasoning-{record['id']}" if record["id"] in reasoned else None
            figures.append(record)
        links = []
        for link in sorted(self.graph.subjects(rdflib.RDF.type, SB.CityLink), key=lambda t: self.label(t).casefold()):
            if not isinstance(link, rdflib.URIRef):
                continue

            def values(prop):
                return sorted((self.value(o, page) for o in self.graph.objects(link, prop)), key=self._sort_key)

            links.append({"link": self.value(link, page), "municipality": values(SB.dutchMunicipality),
                          "partner": values(SB.partner), "country": values(SB.partnerCountry),
                          "status": values(SB.evidenceStatus), "start": values(SB.startYear),
                          "sources": len(set(self.graph.objects(link, DCTERMS.source)))})
        html = env.get_template("index.html").render(
            root="", page=page, release=release, title="City links with migrants' countries of origin",
            figures=figures, reasonings=reasonings, charts=charts, maps=maps, links=links, dumps=dumps, tables=tables, pages=len(self.pages),
            dataset=self.value(rdflib.URIRef(DATASET), page))
        write_file(folder / "index.html", html)


PARALLEL_PAGES = 4000
"""From this many resource pages on, :meth:`Site.write` writes every other page in a second
process (see :func:`~.common.beside`): at 44,743 pages one process took about 28 s.
Each process writes its own pages; the files are the same as from one process."""


def _in_two_processes(items: list, work) -> None:
    """Run ``work(items)``; for :data:`PARALLEL_PAGES` items or more as ``work(items[1::2])`` in
    a second process beside ``work(items[0::2])`` in this one."""
    if len(items) < PARALLEL_PAGES:
        work(items)
        return
    beside(lambda: work(items[1::2]), lambda: work(items[0::2]), "writing half the resource pages")


def _without_shown_names(rows: list[Row], shown: set) -> list[Row]:
    """``rows`` without the names that the page's heading already shows: a name property (label,
    title, name) keeps only the values that are not a heading and not a value of a name property
    before it; a row left empty is dropped. So a resource whose preferred name and label are the
    same, in Dutch and English, shows its name once, in the heading."""
    seen = {text for text in shown if text}
    filtered: dict[str, list] = {}
    for prop in _NAME_PROPERTIES:  # in rank order: a label equal to the preferred name goes
        for row in rows:
            if row.iri == prop:
                filtered[prop] = [v for v in row.values if v.text not in seen]
                seen.update(v.text for v in row.values)
    kept = []
    for row in rows:
        if row.iri in filtered:
            if not filtered[row.iri]:
                continue
            row = Row(row.label, row.href, row.iri, filtered[row.iri])
        kept.append(row)
    return kept


def write_static(folder: Path) -> None:
    for name in ("style.css", "ontology.css"):
        write_file(folder / "static" / name, package_files("stedenbanden").joinpath("templates", name).read_bytes())
    write_file(folder / "favicon.ico", _favicon())


def _favicon(size: int = 16, rgb: tuple[int, int, int] = (0x1F, 0x5F, 0x8B)) -> bytes:
    """A square icon of one colour (the site's accent) in the ICO format: browsers ask for
    /favicon.ico on pages without an icon (the pyLODE pages), and a missing one is logged as an
    error. Written byte by byte, so it is the same on every run."""
    import struct

    pixels = bytes([rgb[2], rgb[1], rgb[0], 0xFF]) * (size * size)  # BGRA, bottom-up rows
    mask = bytes(((size + 31) // 32) * 4 * size)  # AND mask: all opaque
    header = struct.pack("<IiiHHIIiiII", 40, size, size * 2, 1, 32, 0, len(pixels) + len(mask), 0, 0, 0, 0)
    image = header + pixels + mask
    return struct.pack("<HHH", 0, 1, 1) + struct.pack("<BBBBHHII", size, size, 0, 0, 1, 32, len(image), 22) + image




def _term_key(term) -> tuple:
    """A sort key of an rdflib term that is the same on every run: its kind, text, datatype and language."""
    return (type(term).__name__, str(term), str(getattr(term, "datatype", None) or ""), getattr(term, "language", None) or "")


def _oxigraph_term(term):
    """The pyoxigraph term of an rdflib term (the lexical form of a literal kept as it is)."""
    import pyoxigraph as ox
    import rdflib

    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype is not None:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))
