"""The Wikidata twinning crawl of September 2016 (P190, "twinned administrative body"): matching
the knowledge base's places to its items, and importing its pairs as a listed data set.

The crawl ships in ``reference/wikidata-twinning-2016/`` (``names.tsv``: ``Qid<TAB>label``, one
label per item, the first of de, en, fr, it, es; ``relations.tsv``: ``Qid<TAB>Qid``, the first
item's P190 claim points to the second). Origin, licence (CC0) and caveats: the README there.

* :func:`match_places` links municipalities and partners to items. A label alone is not enough
  (labels are German-first and not unique: Amsterdam is Q727 and Q9899, there is a German and a
  Dutch Soest), so an item whose label equals a place's name is confirmed only by its twinnings:

  - ``label-and-kb-link``: the item is twinned with an item of the same kind of match for the other
    end of a city link of the knowledge base (Almere's item with Kumasi's);
  - ``label-and-shared-twin``: one of the item's twins has the name of a twin town that the
    Wikipedia list of twin towns gives for the place in its country (Almelo, Netherlands: Iserlohn).

  A place with exactly one confirmed item is matched (``skos:exactMatch``, and an
  ``sb:WikidataMatch`` saying how); one with several is ambiguous and, like one with none,
  listed as unmatched. :func:`matches_turtle` writes ``data/wikidata-matches.ttl``.
* :func:`twinning_turtle` writes the crawl's pairs as ``sb:ListedTwinTownPair`` between the items
  themselves, in the named graph :data:`GRAPH`: listed pairs, not verified city links
  (``kb import-wikidata-twinning``).
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REFERENCE = Path(__file__).resolve().parent / "reference" / "wikidata-twinning-2016"
NAMES_FILE, RELATIONS_FILE = "names.tsv", "relations.tsv"
KNOWN = {NAMES_FILE: "d088a22ad6ea7bcca7301a0dbc8698b90e86aec1bb576edab9fb83e85fff0a04",
         RELATIONS_FILE: "97a24bcf23989728ecfbecb20322237a8800836709931fb750ae92e372294154"}
ORIGIN = "https://github.com/L3viathan/sister-cities"
ORIGIN_COMMIT = "d3028c22c7e47f18947eb39a41c13e4f2751342e"
CREDIT = "Wikidata (CC0), crawled 2016-09 by L3viathan/sister-cities"
WD = "http://www.wikidata.org/entity/"
ID = "https://w3id.org/stedenbanden/id/"
GRAPH = "https://w3id.org/stedenbanden/graph/wikidata-twinning-2016"
"""The named graph, and the IRI of the data set, of the crawl's listed pairs."""
SOURCE = ID + "source/wikidata-twinning-2016"
MATCHES_FILE = "wikidata-matches.ttl"
MATCH = ID + "wikidata-match/"
PAIR = ID + "wikidata-twinning/pair/"
COUNTRY_NAMES = {  # ISO code -> how the Wikipedia list of twin towns writes the country
    "NL": ("Netherlands",), "TR": ("Turkey",), "MA": ("Morocco",), "SR": ("Suriname", "Surinam"),
    "GH": ("Ghana",), "CV": ("Cape Verde",), "ID": ("Indonesia",), "AN": (), "AW": (),
}


def fold(text: str) -> str:
    """Names compared: NFKC, case-folded, typographic apostrophes as ASCII, the ĳ ligature as ij."""
    return unicodedata.normalize("NFKC", text).replace("’", "'").replace("ĳ", "ij").casefold().strip()


@dataclass
class Crawl:
    """The crawl: ``labels`` (Q-id -> label), ``pairs`` (distinct directed (from, to) pairs, in file
    order), ``twins`` (Q-id -> the Q-ids it is twinned with, either direction), ``by_label``
    (folded label -> Q-ids), ``lines`` (relation lines read) and ``files`` (name -> SHA-256)."""

    labels: dict[str, str]
    pairs: list[tuple[str, str]]
    twins: dict[str, set[str]]
    by_label: dict[str, list[str]]
    lines: int
    files: dict[str, str]


def read_crawl(folder: Path = REFERENCE) -> Crawl:
    """Read ``names.tsv`` and ``relations.tsv`` from ``folder``. Raises :class:`KbError` naming the
    file and line for a malformed line or an id without a name, :class:`KbUsageError` for a
    missing file."""
    from .errors import KbError, KbUsageError

    raw = {}
    for name in (NAMES_FILE, RELATIONS_FILE):
        try:
            raw[name] = (folder / name).read_bytes()
        except FileNotFoundError:
            raise KbUsageError(f"{folder / name}: no such file; give the folder of the crawl ({ORIGIN})") from None
    labels: dict[str, str] = {}
    for number, line in enumerate(raw[NAMES_FILE].decode("utf-8").splitlines(), start=1):
        qid, sep, label = line.partition("\t")
        if not sep or not qid.startswith("Q") or not qid[1:].isdigit():
            raise KbError(f"{NAMES_FILE}, line {number}: expected Qid<TAB>label")
        labels[qid] = label
    pairs, seen, twins = [], set(), defaultdict(set)
    lines = 0
    for number, line in enumerate(raw[RELATIONS_FILE].decode("ascii").splitlines(), start=1):
        parts = line.split("\t")
        if len(parts) != 2 or any(p not in labels for p in parts):
            raise KbError(f"{RELATIONS_FILE}, line {number}: expected two Q-ids of {NAMES_FILE}")
        lines += 1
        pair = (parts[0], parts[1])
        if pair not in seen and pair[0] != pair[1]:
            seen.add(pair)
            pairs.append(pair)
            twins[pair[0]].add(pair[1])
            twins[pair[1]].add(pair[0])
    by_label: dict[str, list[str]] = defaultdict(list)
    for qid, label in labels.items():
        by_label[fold(label)].append(qid)
    return Crawl(labels, pairs, dict(twins), dict(by_label), lines,
                 {n: hashlib.sha256(b).hexdigest() for n, b in raw.items()})


def wikipedia_twins(folder: Path | None) -> dict[tuple[str, str], set[str]]:
    """(folded town name, country as the list writes it) -> folded names of its twin towns, from
    the Wikipedia list of twin towns (``twin_cities_raw.csv`` in ``folder``), both directions;
    {} when ``folder`` is None."""
    if folder is None:
        return {}
    from .importers import RAW_FILE, _read_csv_rows

    twins: dict[tuple[str, str], set[str]] = defaultdict(set)
    rows, _sha256 = _read_csv_rows(folder / RAW_FILE, ("city1", "country1", "city2", "country2"))
    for row in rows:
        a, b = (fold(row["city1"]), row["country1"].strip()), (fold(row["city2"]), row["country2"].strip())
        twins[a].add(b[0])
        twins[b].add(a[0])
    return dict(twins)


@dataclass
class Place:
    """A place of the knowledge base to match: its IRI, names (the first is shown), ISO country
    code (``NL`` for Dutch municipalities) and kind (``municipality`` or ``partner``)."""

    iri: str
    names: list[str]
    country: str
    kind: str


@dataclass
class Outcome:
    """What matching found for one place: the confirmed items, each with its methods and evidence
    (English phrases), and the unconfirmed label candidates."""

    place: Place
    confirmed: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    candidates: list[str] = field(default_factory=list)
    also_for: list[str] = field(default_factory=list)

    @property
    def item(self) -> str | None:
        """The matched Q-id, or None when there is no confirmed item, more than one, or its item
        is confirmed for another place too."""
        return next(iter(self.confirmed)) if len(self.confirmed) == 1 and not self.also_for else None


def match_places(places: list[Place], links: list[tuple[str, str]], crawl: Crawl,
                 wikipedia: dict[tuple[str, str], set[str]]) -> list[Outcome]:
    """Match every place (see the module docstring for the two confirmations). ``links`` are the
    KB's city links as (municipality IRI, partner IRI). An item confirmed for two places is
    matched to neither. Returns one :class:`Outcome` per place, in the order given."""
    outcomes = {p.iri: Outcome(p) for p in places}
    for outcome in outcomes.values():
        found = []
        for name in outcome.place.names:
            for qid in crawl.by_label.get(fold(name), []):
                if qid not in found:
                    found.append(qid)
        outcome.candidates = found

    def confirm(outcome: Outcome, qid: str, method: str, evidence: str) -> None:
        methods = outcome.confirmed.setdefault(qid, {})
        if evidence not in methods.setdefault(method, []):
            methods[method].append(evidence)

    for m_iri, p_iri in links:
        m, p = outcomes.get(m_iri), outcomes.get(p_iri)
        if m is None or p is None:
            continue
        for qm in m.candidates:
            for qp in p.candidates:
                if qp in crawl.twins.get(qm, ()):
                    confirm(m, qm, "label-and-kb-link",
                            f"twinned with {qp} ({crawl.labels[qp]}), the other end of the city link with {p.place.names[0]}")
                    confirm(p, qp, "label-and-kb-link",
                            f"twinned with {qm} ({crawl.labels[qm]}), the other end of the city link with {m.place.names[0]}")
    for outcome in outcomes.values():
        listed = set()
        for name in outcome.place.names:
            for country in COUNTRY_NAMES.get(outcome.place.country, ()):
                listed |= wikipedia.get((fold(name), country), set())
        if not listed:
            continue
        for qid in outcome.candidates:
            own = {fold(n) for n in outcome.place.names}  # a twin of the same name (Soest-Soest) proves nothing
            shared = sorted({crawl.labels[t] for t in crawl.twins.get(qid, ())
                             if fold(crawl.labels[t]) in listed and fold(crawl.labels[t]) not in own})
            if shared:
                confirm(outcome, qid, "label-and-shared-twin",
                        f"twinned with {', '.join(shared)}, which the Wikipedia list of twin towns also gives for "
                        f"{outcome.place.names[0]}")
    owners: dict[str, list[str]] = defaultdict(list)
    for outcome in outcomes.values():
        if outcome.item:
            owners[outcome.item].append(outcome.place.iri)
    for qid, iris in owners.items():
        if len(iris) > 1:
            for iri in iris:
                outcomes[iri].also_for = [i for i in iris if i != iri]
    return [outcomes[p.iri] for p in places]


def unmatched_reason(outcome: Outcome, crawl: Crawl) -> str:
    """Why ``outcome`` has no match, in English."""
    if outcome.also_for:
        return f"its item {outcome.item or next(iter(outcome.confirmed))} is confirmed for {', '.join(outcome.also_for)} too"
    if len(outcome.confirmed) > 1:
        return ("ambiguous: " + ", ".join(f"{q} ({crawl.labels[q]})" for q in sorted(outcome.confirmed))
                + " are all confirmed")
    if outcome.candidates:
        return ("no confirmation for " + ", ".join(f"{q} ({crawl.labels[q]})" for q in outcome.candidates)
                + " (no KB link or shared twin town)")
    return "no item of the crawl has this name"


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _node(iri: str) -> str:
    for prefix, namespace in (("tooi:", "https://identifier.overheid.nl/tooi/id/gemeente/"),
                              ("partner:", ID + "partner/")):
        if iri.startswith(namespace):
            return prefix + iri[len(namespace):]
    return f"<{iri}>"


PREFIXES = """@prefix sb: <https://w3id.org/stedenbanden/def#> .
@prefix tooi: <https://identifier.overheid.nl/tooi/id/gemeente/> .
@prefix partner: <https://w3id.org/stedenbanden/id/partner/> .
@prefix source: <https://w3id.org/stedenbanden/id/source/> .
@prefix match: <https://w3id.org/stedenbanden/id/wikidata-match/> .
@prefix wd: <http://www.wikidata.org/entity/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def _crawl_provenance() -> list[str]:
    """The last lines of a data set's description that comes from the crawl (its origin, publisher,
    date and derivation) and the description of the crawl's repository, as Turtle lines."""
    return [
        f"    dcterms:source <{ORIGIN}> ;",
        # published by the crawl's author in September 2016 (the repository's commits, 10-12 September,
        # per reference/wikidata-twinning-2016/README.md); labels in many languages, so no dcterms:language
        '    dcterms:publisher "L3viathan" ;',
        '    dcterms:issued "2016-09"^^xsd:gYearMonth ;',
        f"    prov:wasDerivedFrom <{ORIGIN}/tree/{ORIGIN_COMMIT}>, <https://www.wikidata.org/wiki/Property:P190> .",
        "",
        # the repository, cited as a web page: its title is its address's words, its publisher the host
        f"<{ORIGIN}> a dcterms:BibliographicResource ;",
        '    dcterms:title "L3viathan/sister-cities"@en ;',
        "    sb:titleBasis <https://w3id.org/stedenbanden/id/title-basis/page-address> ;",
        '    dcterms:publisher "github.com" ;',
        '    dcterms:issued "2016-09-12"^^xsd:date ;',
        "    dcterms:source source:wikidata-twinning-2016 .",
        "",
    ]


def _source_block(crawl: Crawl) -> list[str]:
    files = "; ".join(f"{n} SHA-256 {d}" + ("" if KNOWN.get(n) == d else " (not the documented version)")
                      for n, d in crawl.files.items())
    return [
        "source:wikidata-twinning-2016 a dcat:Dataset, prov:Entity ;",
        '    dcterms:title "Wikidata-zustersteden (P190), september 2016"@nl, "Wikidata twinning (P190), September 2016"@en ;',
        '    rdfs:label "Wikidata-zustersteden (P190), september 2016"@nl, "Wikidata twinning (P190), September 2016"@en ;',
        f'    dcterms:description "Een crawl van de Wikidata-eigenschap P190 (verbonden bestuursorgaan) uit september 2016: '
        f'{len(crawl.labels)} items met elk een label (Duits eerst) en {crawl.lines} relatieregels."@nl, '
        f'"A September 2016 crawl of Wikidata\'s P190 (twinned administrative body): {len(crawl.labels)} items with one '
        f'label each (German first) and {crawl.lines} relation lines ({files})."@en ;',
        "    dcterms:license <https://creativecommons.org/publicdomain/zero/1.0/> ;",
        f"    dcterms:bibliographicCitation {_string(CREDIT)}@en ;",
        *_crawl_provenance(),
    ]


def matches_turtle(outcomes: list[Outcome], crawl: Crawl, wikipedia_used: bool) -> str:
    """The matches as Turtle: the crawl's description, then per matched place its
    ``skos:exactMatch`` and an ``sb:WikidataMatch`` with method(s) and evidence; the unmatched
    places are listed in the header comments with the reason. Deterministic."""
    matched = [o for o in outcomes if o.item]
    unmatched = [o for o in outcomes if not o.item]
    lines = [
        "# Wikidata items of the knowledge base's places, derived by `kb derive-places` from the Wikidata",
        "# twinning crawl of September 2016 (src/stedenbanden/reference/wikidata-twinning-2016/; CC0)"
        + (", confirmed with the Wikipedia list of twin towns (CC BY-SA 4.0)." if wikipedia_used else "."),
        "# Do not edit: regenerate. A label alone is never enough; see sb:matchMethod.",
        f"# Matched: {len(matched)} of {len(outcomes)} places "
        f"({sum(1 for o in matched if o.place.kind == 'municipality')} municipalities of 2007, "
        f"{sum(1 for o in matched if o.place.kind == 'partner')} partners).",
        "# Unmatched places of the city links (all other municipalities of 2007 without a confirmed item are",
        "# unmatched too; kb query wikidata-matches lists every place of a city link):",
        *(f"#   {o.place.names[0]} <{o.place.iri}>: {unmatched_reason(o, crawl)}"
          for o in unmatched if o.place.kind == "partner" or o.place.iri in LINKED),
        PREFIXES,
        *_source_block(crawl),
    ]
    for o in matched:
        qid = o.item
        methods = o.confirmed[qid]
        local = o.place.iri.rsplit("/", 1)[-1]
        evidence = "; ".join(e for m in sorted(methods) for e in methods[m])
        note = f"The crawl's item {qid} is labelled {crawl.labels[qid]}; {evidence}."
        lines.append(f"{_node(o.place.iri)} skos:exactMatch wd:{qid} .")
        lines.append(
            f"match:{o.place.kind}-{local} a sb:WikidataMatch ;\n"
            f"    sb:matchedPlace {_node(o.place.iri)} ;\n"
            f"    sb:wikidataItem wd:{qid} ;\n"
            f"    sb:matchMethod {', '.join(_string(m) for m in sorted(methods))} ;\n"
            f"    skos:note {_string(note)}@en ;\n"
            "    prov:wasDerivedFrom source:wikidata-twinning-2016 ;\n"
            "    dcterms:source source:wikidata-twinning-2016 .\n")
    return "\n".join(lines)


LINKED: set[str] = set()
"""The IRIs of the places of city links, set by :func:`derive_matches` for the header comments."""


def kb_places(store) -> tuple[list[Place], list[tuple[str, str]]]:
    """The places to match from ``store`` (the register's municipalities with their Dutch names and
    alternative names, the partners with their names in every language and their country) and
    the city links as (municipality, partner) pairs, sorted."""
    q = """
        PREFIX sb: <https://w3id.org/stedenbanden/def#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?place ?name ?country ?kind WHERE {
          { ?place a sb:DutchMunicipality ; skos:prefLabel|skos:altLabel ?name . FILTER (LANG(?name) IN ("nl", "en"))
            BIND ("NL" AS ?country) BIND ("municipality" AS ?kind) }
          UNION
          { VALUES ?type { sb:PartnerGovernment sb:PartnerMunicipality sb:PartnerIsland sb:PartnerCountry }
            ?place a ?type ; skos:prefLabel|skos:altLabel ?name ; sb:partnerCountry/skos:notation ?country .
            BIND ("partner" AS ?kind) }
        } ORDER BY ?place"""
    found: dict[str, Place] = {}
    preferred = {}
    for row in store.query("""PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
            SELECT ?place ?name WHERE { ?place skos:prefLabel ?name FILTER (LANG(?name) IN ("en", "nl")) }
            ORDER BY ?place DESC(LANG(?name))"""):
        preferred.setdefault(row["place"].value, row["name"].value)
    for row in store.query(q):
        iri = row["place"].value
        place = found.setdefault(iri, Place(iri, [preferred.get(iri, row["name"].value)], row["country"].value,
                                            row["kind"].value))
        if row["name"].value not in place.names:
            place.names.append(row["name"].value)
    links = sorted({(r["m"].value, r["p"].value) for r in store.query(
        "PREFIX sb: <https://w3id.org/stedenbanden/def#> SELECT ?m ?p WHERE { ?l a sb:CityLink ; "
        "sb:dutchMunicipality ?m ; sb:partner ?p }")})
    places = [found[i] for i in sorted(found)]
    for p in places:
        p.names = [p.names[0], *sorted(n for n in p.names[1:])]
    return places, links


def derive_matches(store, wikipedia_folder: Path | None, crawl_folder: Path = REFERENCE) -> tuple[str, list[Outcome]]:
    """``data/wikidata-matches.ttl`` for the KB in ``store`` and the outcomes behind it."""
    crawl = read_crawl(crawl_folder)
    places, links = kb_places(store)
    LINKED.clear()
    LINKED.update(m for m, _ in links)
    outcomes = match_places(places, links, crawl, wikipedia_twins(wikipedia_folder))
    return matches_turtle(outcomes, crawl, wikipedia_folder is not None), outcomes


# -------------------------------------------------------------------------------------------------
# kb import-wikidata-twinning: the crawl's pairs as a listed data set
# -------------------------------------------------------------------------------------------------

FORMATS = ("turtle", "trig", "nquads")


def twinning_turtle(crawl: Crawl, items: set[str] | None = None) -> str:
    """The crawl's pairs as Turtle (no graph; :func:`twinning_rdf` puts it in :data:`GRAPH`): the
    data set's description (provenance, CC0, credit), every item as an ``sb:ListedTown`` whose IRI
    is the Wikidata item itself (so ``skos:exactMatch`` of the KB joins it) with the crawl's label
    as ``sb:listedName``, and every distinct pair as an ``sb:ListedTwinTownPair`` (``sb:hostTown``:
    the item with the P190 claim). With ``items``, only the pairs with one of those Q-ids.
    Deterministic."""
    pairs = [p for p in crawl.pairs if items is None or p[0] in items or p[1] in items]
    towns = sorted({q for p in pairs for q in p}, key=lambda q: int(q[1:]))
    scope = "every pair" if items is None else f"the pairs with one of {len(items)} given items"
    scope_nl = "alle paren" if items is None else f"de paren met een van {len(items)} opgegeven items"
    files = "; ".join(f"{n} SHA-256 {d}" + ("" if KNOWN.get(n) == d else " (not the documented version)")
                      for n, d in crawl.files.items())
    lines = [
        "# Listed twinnings from Wikidata (P190, twinned administrative body), a crawl of September 2016,",
        f"# imported with `kb import-wikidata-twinning`. Named graph <{GRAPH}>.",
        "# Listed pairs, not verified city links of the knowledge base. Licence: CC0 1.0.",
        f"# {CREDIT}.",
        PREFIXES.strip(),
        "",
        f"<{GRAPH}> a dcat:Dataset, void:Dataset, prov:Entity ;",
        '    dcterms:title "Zustersteden in Wikidata (P190), crawl van september 2016"@nl, '
        '"Twinnings in Wikidata (P190), crawl of September 2016"@en ;',
        '    rdfs:label "Zustersteden in Wikidata (P190), crawl van september 2016"@nl, '
        '"Twinnings in Wikidata (P190), crawl of September 2016"@en ;',
        f'    dcterms:description "{len(pairs)} vermelde paren tussen {len(towns)} Wikidata-items ({scope_nl}), uit '
        f'{crawl.lines} regels van {RELATIONS_FILE}; dubbele regels eenmaal."@nl, "{len(pairs)} listed pairs between '
        f'{len(towns)} Wikidata items ({scope}), from {crawl.lines} lines of {RELATIONS_FILE}; repeated lines once '
        f'({files})."@en ;',
        "    dcterms:license <https://creativecommons.org/publicdomain/zero/1.0/> ;",
        f"    dcterms:bibliographicCitation {_string(CREDIT)}@en ;",
        *_crawl_provenance(),
    ]
    for q in towns:
        lines.append(f"wd:{q} a sb:ListedTown ; sb:listedName {_string(crawl.labels[q])} .")
    lines.append("")
    for a, b in pairs:
        lines.append(f"<{PAIR}{a}-{b}> a sb:ListedTwinTownPair ; sb:hostTown wd:{a} ; sb:twinTown wd:{b} ; "
                     f"void:inDataset <{GRAPH}> .")
    return "\n".join(lines) + "\n"


def twinning_rdf(crawl: Crawl, fmt: str = "turtle", items: set[str] | None = None) -> str:
    """The crawl as ``turtle`` (load with ``--extra-data``), ``trig`` or ``nquads`` (in the named
    graph :data:`GRAPH`). Raises ``ValueError`` for another format."""
    import pyoxigraph as ox

    text = twinning_turtle(crawl, items)
    if fmt == "turtle":
        return text
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    graph = ox.NamedNode(GRAPH)
    quads = [ox.Quad(t.subject, t.predicate, t.object, graph)
             for t in ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE)]
    rdf_format = ox.RdfFormat.TRIG if fmt == "trig" else ox.RdfFormat.N_QUADS
    prefixes = {"sb": "https://w3id.org/stedenbanden/def#", "wd": WD, "void": "http://rdfs.org/ns/void#",
                "dcterms": "http://purl.org/dc/terms/"} if fmt == "trig" else None
    body = ox.serialize(quads, format=rdf_format, **({"prefixes": prefixes} if prefixes else {})).decode("utf-8")
    return body


def dutch_items(store) -> set[str]:
    """The Q-ids that municipalities of the KB are matched to (``skos:exactMatch``)."""
    rows = store.query("""PREFIX sb: <https://w3id.org/stedenbanden/def#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?item WHERE { ?m a sb:DutchMunicipality ; skos:exactMatch ?item
        FILTER (STRSTARTS(STR(?item), "http://www.wikidata.org/entity/")) }""")
    return {r["item"].value[len(WD):] for r in rows}


def import_command_factory():
    """The Click command ``kb import-wikidata-twinning`` (built on first use)."""
    import click

    from .formats import OUTPUT_FILE, NonEmptyPath

    @click.command("import-wikidata-twinning")
    @click.option("--source", type=NonEmptyPath(file_okay=False, path_type=Path), metavar="DIR",
                  help="Folder with names.tsv and relations.tsv (default: the crawl shipped with kb).")
    @click.option("--netherlands", is_flag=True,
                  help="Only the pairs with an item matched to a Dutch municipality of the KB.")
    @click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default=None,
                  help="turtle (load with --extra-data), trig or nquads (in the named graph); default: from the file suffix.")
    @click.option("--output", "-o", type=OUTPUT_FILE, metavar="FILE",
                  help="Write to FILE (atomically) instead of standard output.")
    @click.pass_obj
    def import_wikidata_twinning(state, source, netherlands, fmt, output):
        """Import the Wikidata twinning crawl of September 2016 (P190; CC0) as a data set of its
        own, in the named graph https://w3id.org/stedenbanden/graph/wikidata-twinning-2016: listed
        pairs between Wikidata items, not city links of the knowledge base. The items are the
        Wikidata IRIs that the KB's places match (skos:exactMatch). Then ask, e.g.,
        kb query twinning-kb-links --extra-data FILE.ttl
        """
        from .errors import KbUsageError
        from .formats import emit, reading, refuse_an_input

        if source is not None and not source.is_dir():
            raise KbUsageError(f"--source {source}: no such folder")
        reading(source or REFERENCE)
        if output is not None:
            refuse_an_input(output)  # before the long read, not after it
        crawl = read_crawl(source or REFERENCE)
        items = dutch_items(state.store()) if netherlands else None
        if fmt is None:
            suffix = output.suffix.lower() if output else ""
            fmt = {".trig": "trig", ".nq": "nquads"}.get(suffix, "turtle")
        text = twinning_rdf(crawl, fmt, items)
        emit(text, output)
        count = sum(1 for p in crawl.pairs if items is None or p[0] in items or p[1] in items)
        click.echo(f"{count:,} listed pairs from {crawl.lines:,} lines of {RELATIONS_FILE}; graph <{GRAPH}>"
                   + (f"; written to {output}" if output else "") + ".", err=True)

    return import_wikidata_twinning
