"""The reasoning and the evidence on the pages of a release: for each published count, the recorded
links (or municipalities) that are named in the report, the candidates and those known only at other
dates, with the bounds that follow; for each city link, its timeline (start, formalised, ended) and
its sources with title, publisher and date.

Nothing here counts anew: the counts and bounds are the rows of the stored queries that ``kb report``
reads (``coverage``, ``themes``, ``municipalities``, through :func:`stedenbanden.report.coverage_rows`),
the life of a link is the row of ``link-life`` with the statements it summarises, and the sources
are the rows of ``sources`` that ``kb cite`` turns into CSL-JSON. The only work done here is to say
which recorded links a figure's counts are made of, and that list is checked against the query's
counts: a release whose lists do not add up to the stored queries' numbers is not written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from ..catalogue import catalogue, find
from ..errors import KbError
from ..formats import text
from ..report import Figure, coverage_rows, evaluate, load_figures, needed_queries
from .common import SBDEF, SBID

STATUSES = ("named", "active-june-2007", "other-dates")
# the stored queries read here besides those of kb report
QUERIES = ("links", "link-life", "sources", "citations")
_GROUP_LARGE = SBID + "group/large"


@dataclass
class Reasoning:
    """The reasoning behind one published count.

    ``unit`` is "links" or "municipalities"; ``members`` maps each evidence status (named,
    active-june-2007, other-dates) to the recorded links or municipalities of that status that the
    figure's category holds, as site values (see :class:`stedenbanden.publish.site.Value`), each
    with ``links``, the city links that put a municipality there. ``counts``, ``not_counted_min`` and
    ``unidentified_min`` are the stored query's own columns; ``evidence`` is ``kb report``'s text."""

    id: str
    figure: str
    section: str
    section_href: str | None
    published: str
    published_number: int
    regenerated: str
    status: str
    evidence: str
    query: str
    unit: str
    counts: dict[str, int]
    not_counted_min: int
    unidentified_min: int
    members: dict[str, list] = field(default_factory=dict)

    @property
    def identified_max(self) -> int:
        """The most of the published count that the recorded ones can identify: the published
        count less the query's ``unidentified_min``."""
        return self.published_number - self.unidentified_min


@dataclass
class Statement:
    """One statement about a link's life (a formalisation, a denial of one, an ending): its name,
    year and date where stated, its kind of document, its note, and its sources (site values)."""

    value: Any
    year: str | None
    date: str | None
    kind: Any | None
    note: str | None
    sources: list


@dataclass
class Source:
    """One source of a link as ``kb cite`` gives it: title, publisher, date issued (None where the
    data has none), CSL type, and where it links (its page in the release, or its web address)."""

    iri: str
    title: str | None
    publisher: str | None
    issued: str | None
    csl_type: str | None
    container_title: str | None
    href: str | None
    external: bool
    url: str | None


@dataclass
class Timeline:
    """The life of one city link: its start year (with its qualifier) and the sources of the link
    that state it, whether it was formalised and ended as ``link-life`` words it, the statements
    behind that, the initiator where known, and every source of the link."""

    start: str | None
    start_qualifier: str | None
    start_sources: list
    formalised: str
    formalisations: list[Statement]
    denials: list[Statement]
    ended: str
    end_years: str
    endings: list[Statement]
    initiator: list
    sources: list[Source]


def run_queries(engine) -> dict:
    """The rows of the stored queries the figures (:func:`stedenbanden.report.needed_queries`) and
    the link pages read, on ``engine``: query name -> :class:`stedenbanden.store.Result`."""
    queries = catalogue()
    names = sorted(set(needed_queries(load_figures())) | set(QUERIES))
    return {name: find(name, queries).run(engine) for name in names}


def report_rows(results: Mapping) -> list[dict[str, str]]:
    """``kb report``'s rows (id, figure, section, published, regenerated, evidence, status) from
    ``results`` (see :func:`run_queries`), as dictionaries."""
    from ..report import COLUMNS

    return [dict(zip(COLUMNS, evaluate(f, results))) for f in load_figures()]


class Evidence:
    """The reasoning per figure and the timeline per link, for the pages of ``site`` (a
    :class:`stedenbanden.publish.site.Site`), from the stored queries' ``results``."""

    def __init__(self, site, results: Mapping):
        self.site = site
        self.results = results
        self.links = results["links"].records()
        self.life = {str(r["link"]): r for r in results["link-life"].records()}
        self.sources = results["sources"].records()
        self.citations = results["citations"].records()
        # Looked up once per link page: scanning every row for each link made the pages of
        # synthetic data quadratic in the number of links (10^5 triples, 3,700 links: minutes).
        self._link_rows: dict[str, Mapping] = {}
        for r in self.links:
            self._link_rows.setdefault(str(r["link"]), r)
        self._first_source_rows: dict = {}
        for r in self.sources:
            self._first_source_rows.setdefault(r["source"], r)
        self._cited_by: dict[str, set] = {}
        for c in self.citations:
            self._cited_by.setdefault(str(c["cited_by"]), set()).add(c["source"])

    # -- the figures ------------------------------------------------------------------------------

    def reasonings(self, page: str, section_hrefs: Mapping[str, str | None]) -> list[Reasoning]:
        """One :class:`Reasoning` per published count whose evidence ``kb report`` gives as bounds,
        in report order, with links relative to ``page``. Raises :class:`KbError` when the listed
        links do not add up to the stored query's counts."""
        shown = []
        rows = {r["id"]: r for r in report_rows(self.results)}
        for figure in load_figures():
            spec = figure.coverage or {}
            if not spec.get("bounds"):
                continue
            found = coverage_rows(figure, self.results)
            if len(found) != 1:
                continue  # kb report says MISSING or AMBIGUOUS: no reasoning to show
            row, suffix = found[0], spec.get("suffix", "")
            counts = {s: int(row.get(_column(s, suffix)) or 0) for s in STATUSES}
            query = spec.get("query", figure.query)
            members, unit = self._members(figure, query, row, page)
            listed = {s: len(members[s]) for s in STATUSES}
            if listed != counts:
                raise KbError(f"figure {figure.id}: the recorded {unit} listed on the site ({listed}) do not "
                              f"add up to the counts of the stored query {query} ({counts}); the query and "
                              "the site read the data differently")
            report = rows[figure.id]
            shown.append(Reasoning(
                id=figure.id, figure=report["figure"], section=figure.section,
                section_href=section_hrefs.get(figure.section), published=report["published"],
                published_number=int(figure.published), regenerated=report["regenerated"], status=report["status"],
                evidence=report["evidence"], query=query, unit=unit, counts=counts,
                not_counted_min=int(row.get("not_counted_min") or 0),
                unidentified_min=int(row.get("unidentified_min") or 0), members=members))
        return shown

    def _members(self, figure: Figure, query: str, row: Mapping, page: str) -> tuple[dict[str, list], str]:
        if query == "themes":
            names = {item.rsplit(" (", 1)[0] for item in text(row.get("links")).split("; ") if item}
            return self._by_status([r for r in self.links if r["name"] in names], page), "links"
        if query == "coverage":
            code = text(row.get("code"))
            rolled = self._country_groups()
            chosen = [r for r in self.links if code == "_T" or code in rolled.get(text(r["country"]), {text(r["country"])})]
            return self._by_status(chosen, page), "links"
        if query == "municipalities":
            return self._municipalities(page), "municipalities"
        raise KbError(f"figure {figure.id}: the site cannot list the recorded links of the stored query {query}")

    def _by_status(self, records, page: str) -> dict[str, list]:
        members: dict[str, list] = {s: [] for s in STATUSES}
        for r in records:
            members.setdefault(text(r["status"]), []).append(self.site.value(self.site.rdflib.URIRef(str(r["link"])), page))
        for values in members.values():
            values.sort(key=self.site._sort_key)
        return members

    def _country_groups(self) -> dict[str, set[str]]:
        """Country code -> the codes it counts for: itself and the groups above it (skos:broader,
        as the stored query coverage rolls AN and AW up into AN-AW)."""
        rdflib = self.site.rdflib
        SKOS = rdflib.namespace.SKOS
        graph = self.site.graph
        groups: dict[str, set[str]] = {}
        for concept, notation in graph.subject_objects(SKOS.notation):
            if not str(concept).startswith(SBID + "country/"):
                continue
            codes = {str(n) for c in graph.transitive_objects(concept, SKOS.broader)
                     for n in graph.objects(c, SKOS.notation)}
            groups[str(notation)] = codes
        return groups

    def _municipalities(self, page: str) -> dict[str, list]:
        """The municipalities of the recorded links, each once under its best evidence, as the
        stored query municipalities counts them: named when the report names it (one of the large
        municipalities) or one of its links, else active-june-2007 when one of its links is a
        candidate, else other-dates."""
        rdflib = self.site.rdflib
        SB = rdflib.Namespace(SBDEF)
        graph = self.site.graph
        large = {str(m) for m in graph.objects(rdflib.URIRef(_GROUP_LARGE), SB.includesMunicipality)}
        per_municipality: dict[str, list] = {}
        for r in self.links:
            for m in graph.objects(rdflib.URIRef(str(r["link"])), SB.dutchMunicipality):
                per_municipality.setdefault(str(m), []).append(r)
        for m in large:
            per_municipality.setdefault(m, [])
        members: dict[str, list] = {s: [] for s in STATUSES}
        for m, records in per_municipality.items():
            statuses = {text(r["status"]) for r in records}
            best = "named" if m in large or "named" in statuses else (
                "active-june-2007" if "active-june-2007" in statuses else "other-dates")
            value = self.site.value(rdflib.URIRef(m), page)
            value.links = sorted((self.site.value(rdflib.URIRef(str(r["link"])), page) for r in records),
                                 key=self.site._sort_key)
            members[best].append(value)
        for values in members.values():
            values.sort(key=self.site._sort_key)
        return members

    # -- the links --------------------------------------------------------------------------------

    def timeline(self, link: str, page: str) -> Timeline | None:
        """The :class:`Timeline` of the city link ``link`` (an IRI) for its page ``page``, or None
        when the stored query links has no row for it."""
        record = self._link_rows.get(link)
        if record is None:
            return None
        rdflib = self.site.rdflib
        SB = rdflib.Namespace(SBDEF)
        DCTERMS = rdflib.namespace.DCTERMS
        graph, term = self.site.graph, rdflib.URIRef(link)
        life = self.life.get(link, {})

        prefix = self.site.label(link) + ": "

        def statements(prop) -> list[Statement]:
            found = []
            for node in graph.objects(term, prop):
                kind = graph.value(node, SB.documentKind)
                value = self.site.value(node, page)
                value.text = value.text.removeprefix(prefix)  # the page's heading names the link
                found.append(Statement(
                    value=value, year=_text(graph.value(node, SB.year)),
                    date=_text(graph.value(node, DCTERMS.date)),
                    kind=self.site.value(kind, page) if kind is not None else None,
                    note=_english(graph, node), sources=self._values(graph.objects(node, DCTERMS.source), page)))
            return sorted(found, key=lambda s: (s.year or "9999", s.date or "", s.value.text))

        initiators = [self.site.value(i, page) for i in graph.objects(term, SB.initiatorType)]
        for initiative in graph.objects(term, SB.initiative):
            initiators += [self.site.value(i, page) for i in graph.objects(initiative, SB.initiatorType)]
        return Timeline(
            start=_text(record.get("start_year")), start_qualifier=_text(record.get("start_qualifier")),
            start_sources=self._values(graph.objects(term, DCTERMS.source), page) if record.get("start_year") else [],
            formalised=text(life.get("formalised")) or "unknown", formalisations=statements(SB.formalisation),
            denials=statements(SB.nonFormalisation),
            ended=text(life.get("ended")) or "no end recorded", end_years=text(life.get("end_years")),
            endings=statements(SB.ending),
            initiator=sorted({v.iri: v for v in initiators}.values(), key=self.site._sort_key),
            sources=self.link_sources(link, page))

    def link_sources(self, link: str, page: str) -> list[Source]:
        """The sources ``kb cite LINK`` gives for ``link`` (those of the link and of the statements
        about its life), one per source (the first title, in the order of the title's language),
        sorted by source IRI."""
        # What citations.select(self.sources, [link], self.citations) picks for a full IRI (the
        # sources whose citations name ``link`` itself), the first row of each, from the indexes.
        chosen: dict[str, Mapping] = {}
        for source in self._cited_by.get(link, ()):
            if source in self._first_source_rows:
                chosen[str(source)] = self._first_source_rows[source]
        found = []
        for iri, r in sorted(chosen.items()):
            href, external = self.site.href(iri, page)
            found.append(Source(iri=iri, title=_text(r.get("title")), publisher=_text(r.get("publisher")),
                                issued=_text(r.get("issued")), csl_type=_text(r.get("csl_type")),
                                container_title=_text(r.get("container_title")), href=href, external=external,
                                url=_text(r.get("url"))))
        return found

    def _values(self, terms, page: str) -> list:
        return sorted((self.site.value(t, page) for t in terms), key=self.site._sort_key)


def _column(status: str, suffix: str) -> str:
    return status.replace("-", "_") + suffix


def _text(value) -> str | None:
    if value is None:
        return None
    shown = text(value)
    return shown or None


def _english(graph, node) -> str | None:
    from rdflib.namespace import SKOS

    notes = sorted(str(o) for o in graph.objects(node, SKOS.note) if getattr(o, "language", None) == "en")
    return notes[0] if notes else None
