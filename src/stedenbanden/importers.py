"""Importing data kept elsewhere into the knowledge base's model.

* :func:`read_links_csv` and :func:`links_turtle` turn a spreadsheet of city links (one row per
  link; the column layout is :data:`COLUMNS`, the template ``templates/city-links-template.csv``)
  into Turtle that ``kb validate`` accepts; ``kb import-csv`` validates the result with the
  knowledge base before it writes anything.
* :func:`read_twin_towns` and :func:`twin_towns_rdf` turn the world list of twin towns and sister
  cities (the Hekman/twincities CSV files scraped from English Wikipedia, shipped compressed in
  ``reference/twin-cities/`` with their README, licence and credit) into a data set of its own, in its own
  named graph, with its provenance and licence. Those pairs are listings, not verified city links
  of the knowledge base: each is an ``sb:ListedTwinTownPair`` of two ``sb:ListedTown`` resources (a
  name and a country name as the list writes them, and WGS84 coordinates), never an
  ``sb:CityLink`` and never with invented CBS codes. A Dutch town whose
  listed name equals the name of a Dutch municipality in the knowledge base gets
  ``sb:nameMatchesMunicipality`` to its TOOI IRI.

Errors a user can cause raise :class:`KbError` (exit 1) or :class:`KbUsageError` (exit 2) with
one line naming the file, the row (the spreadsheet's numbering: the header is row 1) and the column.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import gc
import hashlib
import io
import re
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, Sequence

import click

from .errors import KbError, KbUsageError
from .formats import OUTPUT_FILE, NonEmptyPath

SB = "https://w3id.org/stedenbanden/def#"
ID = "https://w3id.org/stedenbanden/id/"
TOOI = "https://identifier.overheid.nl/tooi/id/gemeente/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"

TEMPLATE = Path(__file__).parent / "templates" / "city-links-template.csv"

# =================================================================================================
# City links from a spreadsheet (kb import-csv)
# =================================================================================================

COLUMNS: dict[str, str] = {
    "cbs_code": "required: the Dutch municipality's CBS code, GM and four digits (GM0599)",
    "municipality": "the municipality's official Dutch name; required when the code is not in the knowledge base, "
                    "checked against it when it is",
    "partner": "required: the partner's name (Denizli, Kumasi, Suriname)",
    "partner_country": "required: the partner's country of origin, ISO 3166-1 alpha-2 (TR, MA, SR, AN, AW, GH, CV, ID)",
    "partner_type": "municipality (default), island or country (a national government that is itself the partner)",
    "status": "required: named (named in the report), active-june-2007 (shown active in June 2007, not named) or other-dates (known only at other dates)",
    "start_year": "the earliest documented year of contact, four digits (1975)",
    "start_qualifier": "approximate when the start year is approximate ('about 2004'); else empty",
    "formalised_year": "the year of the first signed agreement",
    "end_year": "the year the link ended",
    "themes": "theme notations separated by ';' (waste-processing; education)",
    "motives": "motive notations separated by ';' (economic; migrant-ties)",
    "initiator": "who took the initiative: an initiator notation (dutch-municipality, migrants, joint, vng-international)",
    "evidence": "required: the web address(es) of the source(s), separated by ';'",
    "note_en": "a note in English",
    "note_nl": "a note in Dutch",
}
REQUIRED = ("cbs_code", "partner", "partner_country", "status", "evidence")
PARTNER_TYPES = {"municipality": "PartnerMunicipality", "island": "PartnerIsland", "country": "PartnerCountry"}
_YEAR = re.compile(r"(18|19|20)[0-9]{2}")
_URL = re.compile(r"https?://[^\s<>\"{}|\\^`]+")
_CBS_CODE = re.compile(r"GM[0-9]{4}")
_LIST_SEPARATOR = re.compile(r"[;,]")
_EVIDENCE_SEPARATOR = re.compile(r"[;\s]+")


@dataclass
class CodeList:
    """The concepts of one code list: notation -> IRI, in notation order."""

    name: str
    concepts: dict[str, str]
    _folded: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def lookup(self, value: str, where: str | Callable[[], str]) -> str:
        """The IRI for the notation ``value`` (case-insensitive); raises :class:`KbError` naming
        ``where`` (file, row and column, or a function giving them) and listing the allowed notations."""
        if not self._folded:
            self._folded = {}
            for notation, iri in self.concepts.items():
                self._folded.setdefault(notation.lower(), iri)
        iri = self._folded.get(value.strip().lower())
        if iri is not None:
            return iri
        place = where() if callable(where) else where
        article = "an" if self.name[:1] in "aeiou" else "a"  # an evidence status, an initiator type
        raise KbError(f"{place}: {value.strip()!r} is not {article} {self.name}; use one of {', '.join(self.concepts)}")


@dataclass
class KbIndex:
    """What an import needs to know about the knowledge base it adds to."""

    municipalities: dict[str, tuple[str, str, str]]      # CBS code -> (TOOI IRI, Dutch name, English name)
    partners: dict[tuple[str, str], str]                 # (country IRI, casefolded name) -> partner IRI
    partner_labels: dict[str, tuple[str, str]]           # partner IRI -> (Dutch name, English name)
    subjects: set[str]                                   # IRIs described in the knowledge base
    themes: CodeList
    motives: CodeList
    initiators: CodeList
    statuses: CodeList
    qualifiers: CodeList
    countries: CodeList


def kb_index(store) -> KbIndex:
    """Read municipalities, partners, code lists and the described IRIs from ``store`` (an
    Oxigraph store holding the ontology and the data the import adds to)."""
    def rows(query: str) -> list[dict[str, str | None]]:
        solutions = store.query(query)
        names = [v.value for v in solutions.variables]
        return [{n: (s[n].value if s[n] is not None else None) for n in names} for s in solutions]

    prefixes = f"PREFIX sb: <{SB}> PREFIX skos: <{SKOS}> PREFIX rdfs: <{RDFS}>\n"
    municipalities = {}
    for r in rows(prefixes + """
            SELECT ?m ?code ?nl ?en WHERE {
              ?m sb:cbsMunicipalityCode ?code .
              OPTIONAL { ?m skos:prefLabel ?nl FILTER (LANG(?nl) = "nl") }
              OPTIONAL { ?m skos:prefLabel ?en FILTER (LANG(?en) = "en") }
            } ORDER BY ?code"""):
        municipalities.setdefault(r["code"], (r["m"], r["nl"] or r["code"], r["en"] or r["nl"] or r["code"]))
    partners = {}
    for r in rows(prefixes + """
            SELECT ?p ?country ?label WHERE {
              VALUES ?type { sb:PartnerGovernment sb:PartnerMunicipality sb:PartnerIsland sb:PartnerCountry }
              ?p a ?type ; sb:partnerCountry ?country ; skos:prefLabel|skos:altLabel|rdfs:label ?label .
            } ORDER BY ?p"""):
        partners.setdefault((r["country"], r["label"].casefold()), r["p"])
    partner_labels: dict[str, tuple[str, str]] = {}
    for r in rows(prefixes + """
            SELECT ?p ?nl ?en WHERE {
              VALUES ?type { sb:PartnerGovernment sb:PartnerMunicipality sb:PartnerIsland sb:PartnerCountry }
              ?p a ?type .
              OPTIONAL { ?p skos:prefLabel ?nl FILTER (LANG(?nl) = "nl") }
              OPTIONAL { ?p skos:prefLabel ?en FILTER (LANG(?en) = "en") }
            } ORDER BY ?p"""):
        if r["nl"] or r["en"]:
            partner_labels.setdefault(r["p"], (r["nl"] or r["en"], r["en"] or r["nl"]))
    subjects = {r["s"] for r in rows("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER isIRI(?s) }")}
    schemes: dict[str, dict[str, str]] = {}
    for r in rows(prefixes + "SELECT ?scheme ?n ?c WHERE { ?c skos:inScheme ?scheme ; skos:notation ?n } ORDER BY ?scheme ?n"):
        if r["n"] != "_T":
            schemes.setdefault(r["scheme"].rsplit("/", 1)[-1], {})[r["n"]] = r["c"]
    countries = {n: c for n, c in schemes.get("country", {}).items() if n != "AN-AW"}
    qualifiers = {n: c for n, c in schemes.get("value-qualifier", {}).items() if n == "approximate"}
    return KbIndex(municipalities, partners, partner_labels, subjects,
                   CodeList("theme", schemes.get("theme", {})), CodeList("motive", schemes.get("motive", {})),
                   CodeList("initiator type", schemes.get("initiator", {})),
                   CodeList("evidence status", schemes.get("evidence-status", {})),
                   CodeList("start qualifier", qualifiers), CodeList("country of origin", countries))


@functools.lru_cache(maxsize=65536)  # a spreadsheet repeats its municipalities' and partners' names
def slug(text: str) -> str:
    """A lower-case ASCII slug of ``text`` for IRIs: accents dropped, other characters as '-'
    (``'s-Gravenhage`` -> ``s-gravenhage``, ``Adapazarı`` -> ``adapazari``); '' when nothing is left."""
    text = text.translate(str.maketrans({"ı": "i", "ß": "ss", "ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "ł": "l",
                                         "Ł": "l", "đ": "d", "Đ": "d", "œ": "oe", "þ": "th"}))
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _short_hash(*parts: str, length: int = 8) -> str:
    return hashlib.sha256("\t".join(parts).encode("utf-8")).hexdigest()[:length]


def turtle_string(text: str) -> str:
    """``text`` as a Turtle string literal (quotes, backslashes and line breaks escaped)."""
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\r", "\\r").replace("\t", "\\t"))
    return f'"{escaped}"'


@dataclass(slots=True)  # no __dict__ per row: 10^5 rows are held in memory until the Turtle is written
class LinkRow:
    """One city link read from a spreadsheet row (``row`` is the spreadsheet's row number)."""

    row: int
    cbs_code: str
    municipality: str
    municipality_name_nl: str
    municipality_name_en: str
    municipality_is_new: bool
    partner: str
    partner_name: str
    partner_label_nl: str
    partner_label_en: str
    partner_type: str
    country: str
    status: str
    start_year: int | None = None
    start_qualifier: str | None = None
    formalised_year: int | None = None
    end_year: int | None = None
    themes: list[str] = field(default_factory=list)
    motives: list[str] = field(default_factory=list)
    initiator: str | None = None
    evidence: list[str] = field(default_factory=list)
    note_en: str = ""
    note_nl: str = ""
    link: str = ""


@dataclass
class CsvImport:
    """The links read from one spreadsheet, the partners and municipalities it adds, and which
    spreadsheet row each new IRI comes from."""

    name: str
    links: list[LinkRow]
    new_partners: dict[str, list[LinkRow]]
    rows_of: dict[str, int]


MAX_CSV_BYTES = 64 * 1024 * 1024
"""The largest spreadsheet ``kb import-csv`` reads (bytes): ``kb import-csv /dev/zero`` ends with a
message, not with all the machine's memory."""


def _read_table(path: Path) -> tuple[list[str], list[list[str]]]:
    """The header and rows of a CSV file: UTF-8 (a byte-order mark is skipped), separated by
    commas, semicolons (as Excel writes in Dutch) or tabs, whichever the header uses."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_CSV_BYTES + 1)
        if len(data) > MAX_CSV_BYTES:
            raise KbError(f"{path}: the file is longer than {MAX_CSV_BYTES >> 20} MiB; is it really a spreadsheet "
                          "of city links? Split it into smaller files")
        text = data.decode("utf-8-sig")
    except FileNotFoundError:
        raise KbUsageError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise KbUsageError(f"{path}: is a folder; give a CSV file") from None
    except OSError as exc:
        raise KbError(f"{path}: cannot read the file ({exc.strerror}); check its permissions") from None
    except UnicodeDecodeError as exc:
        raise KbError(f"{path}: the file is not UTF-8 (byte {exc.start}); save the spreadsheet as "
                      "'CSV UTF-8 (comma delimited)'") from None
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    try:
        table = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        if "field limit" in str(exc):
            raise KbError(f"{path}: a cell is longer than {csv.field_size_limit():,} characters ({exc}); is it "
                          "a CSV file with line ends, and are its quotes closed?") from None
        raise KbError(f"{path}: not a well-formed CSV file ({exc}); check the quotes") from None
    if not table or not any(cell.strip() for cell in table[0]):
        raise KbError(f"{path}: the file is empty; start from the template (kb import-csv --template)")
    return table[0], table[1:]


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet run a cell as a formula (CSV injection, OWASP)."""
_FORMULA = re.compile(" *[" + re.escape("".join(FORMULA_START)) + "]")  # a cell of FORMULA_START, after spaces


def _refuse_formulas(record: Sequence[str], columns: Sequence[str], where) -> None:
    """Raise :class:`KbError` at the first cell of ``record`` that a spreadsheet would run as a
    formula (it starts, after any spaces, with a character of :data:`FORMULA_START`)."""
    if not any(map(_FORMULA.match, record)):  # one C call per row: 10^5 rows are read in a few seconds
        return
    for i, column in enumerate(columns):
        if not column or i >= len(record):
            continue
        cell = record[i].lstrip(" ")
        if cell.startswith(FORMULA_START):
            raise KbError(f"{where(column)}: {record[i].strip()!r} starts with {cell[0]!r}, which a spreadsheet "
                          "runs as a formula; remove that first character")


@contextlib.contextmanager
def paused_gc():
    """Pause Python's cyclic garbage collector for the block (it is switched back on after, if it
    was on). Reading 10^5 rows makes about a million objects, none in a reference cycle, and the
    collector went through all of them again and again: 1.0 s of the 2.7 s read_links_csv took
    (measured at 10^5 rows, 2 December 2026: 2.7-3.7 s with it, 1.7-1.9 s without), 0.2 s of the
    1.0-1.2 s of writing their Turtle. Reference counting still frees everything as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_links_csv(path: Path, kb: KbIndex) -> CsvImport:
    """Read a spreadsheet of city links (CSV with a header row naming the columns of
    :data:`COLUMNS`, in any order) and resolve each row against the knowledge base ``kb``.

    Link IRIs are ``sbid:link/<municipality>-<partner>`` (slugs of the Dutch municipality's name and
    the partner's name); a partner already in the knowledge base (same country, same name or
    alternative name, case-insensitive) keeps its IRI, a new one becomes ``sbid:partner/<name>``
    (``-<country>`` added when another partner already has that IRI). Raises :class:`KbError`
    naming the file, row and column for every value it cannot use, for a link that is already in
    the knowledge base, for a CBS code that is not in the register of 1 January 2007 (naming the
    nearest real codes), and for two rows with the same municipality and partner; raises
    :class:`KbUsageError` when the file does not exist.
    """
    with paused_gc():
        return _read_links_csv(path, kb)


def _read_links_csv(path: Path, kb: KbIndex) -> CsvImport:
    from .places import code_problem

    header, records = _read_table(path)
    name = str(path)
    columns = [re.sub(r"[\s\-]+", "_", h.strip().lower()) for h in header]
    for index, column in enumerate(columns):
        if column and column not in COLUMNS:
            raise KbError(f"{name}, row 1, column {index + 1}: unknown column {header[index].strip()!r}; "
                          f"the columns are {', '.join(COLUMNS)}")
        if column and columns.index(column) != index:
            raise KbError(f"{name}, row 1: column {column} appears twice; keep one")
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise KbError(f"{name}, row 1: the header lacks the column(s) {', '.join(missing)}; "
                      "start from the template (kb import-csv --template)")

    links: list[LinkRow] = []
    new_partners: dict[str, list[LinkRow]] = {}
    new_partner_keys: dict[tuple[str, str], str] = {}
    seen_links: dict[str, int] = {}
    rows_of: dict[str, int] = {}
    code_problems: dict[str, str | None] = {}
    for number, record in enumerate(records, start=2):
        if not "".join(record).strip():  # a blank row (whitespace only)
            continue
        if len(record) > len(columns) and any(cell.strip() for cell in record[len(columns):]):
            raise KbError(f"{name}, row {number}: the row has {len(record)} cells but the header names "
                          f"{len(columns)} columns; check for an unquoted separator in a cell")
        cells = {c: (record[i].strip() if i < len(record) else "") for i, c in enumerate(columns) if c}

        def where(column: str) -> str:
            return f"{name}, row {number}, column {column}"

        _refuse_formulas(record, columns, where)

        def required(column: str) -> str:
            if not cells.get(column):
                raise KbError(f"{where(column)}: empty; {COLUMNS[column]}")
            return cells[column]

        def year(column: str) -> int | None:
            value = cells.get(column, "")
            if not value:
                return None
            if not _YEAR.fullmatch(value):
                raise KbError(f"{where(column)}: {value!r} is not a year; write four digits from 1800 to 2099, e.g. 2001")
            return int(value)

        code = required("cbs_code").upper()
        if not _CBS_CODE.fullmatch(code):
            raise KbError(f"{where('cbs_code')}: {cells['cbs_code']!r} is not a CBS municipality code; "
                          "write GM and four digits, e.g. GM0599")
        given_name = cells.get("municipality", "")
        if code not in code_problems:
            code_problems[code] = code_problem(code)
        problem = code_problems[code]
        if problem:
            raise KbError(f"{where('cbs_code')}: {problem}; fix the code")
        if code in kb.municipalities:
            iri, name_nl, name_en = kb.municipalities[code]
            if given_name and given_name.casefold() not in (name_nl.casefold(), name_en.casefold()):
                raise KbError(f"{where('municipality')}: {given_name!r} is not the name of {code}; "
                              f"the knowledge base calls it {name_nl!r} (fix the name or the code)")
            is_new = False
        else:
            if not given_name:
                raise KbError(f"{where('municipality')}: {code} is not in the knowledge base; give the "
                              "municipality's official Dutch name in this column")
            iri, name_nl, name_en, is_new = TOOI + code.lower(), given_name, given_name, True

        partner_name = required("partner")
        country = kb.countries.lookup(required("partner_country"), lambda: where("partner_country"))
        kind_text = cells.get("partner_type", "").lower() or "municipality"
        if kind_text not in PARTNER_TYPES:
            raise KbError(f"{where('partner_type')}: {cells['partner_type']!r} is not a partner type; "
                          f"use one of {', '.join(PARTNER_TYPES)}")
        status = kb.statuses.lookup(required("status"), lambda: where("status"))
        start, formalised, end = year("start_year"), year("formalised_year"), year("end_year")
        if formalised is not None and start is not None and formalised < start:
            raise KbError(f"{where('formalised_year')}: {formalised} is before the start year {start}; correct one of them")
        if end is not None and start is not None and end < start:
            raise KbError(f"{where('end_year')}: {end} is before the start year {start}; correct one of them")
        if end is not None and formalised is not None and end < formalised:
            raise KbError(f"{where('end_year')}: {end} is before the year formalised, {formalised}; correct one of them")
        qualifier = None
        if cells.get("start_qualifier"):
            if start is None:
                raise KbError(f"{where('start_qualifier')}: a qualifier needs a start_year; fill in the year or clear this cell")
            qualifier = kb.qualifiers.lookup(cells["start_qualifier"], lambda: where("start_qualifier"))

        def notations(column: str, codes: CodeList) -> list[str]:
            found = []
            for item in _LIST_SEPARATOR.split(cells.get(column, "")):
                if item.strip():
                    iri_ = codes.lookup(item, lambda: where(column))
                    if iri_ not in found:
                        found.append(iri_)
            return found

        evidence = []
        for item in _EVIDENCE_SEPARATOR.split(required("evidence")):
            if not item:
                continue
            if not _URL.fullmatch(item):
                raise KbError(f"{where('evidence')}: {item!r} is not a web address; write the full address "
                              "starting with https:// (several separated by ';')")
            if item not in evidence:
                evidence.append(item)

        partner = kb.partners.get((country, partner_name.casefold()))
        if partner is None:
            key = (country, partner_name.casefold())
            partner = new_partner_keys.get(key)
            if partner is None:
                base = slug(partner_name) or "partner-" + _short_hash(partner_name)
                notation = country.rsplit("/", 1)[-1].lower()
                for candidate in (base, f"{base}-{notation}", f"{base}-{notation}-{_short_hash(partner_name)}"):
                    if ID + "partner/" + candidate not in kb.subjects and ID + "partner/" + candidate not in new_partners:
                        partner = ID + "partner/" + candidate
                        break
                new_partner_keys[key] = partner
                new_partners[partner] = []
                rows_of.setdefault(partner, number)

        link = ID + "link/" + f"{slug(name_nl) or code.lower()}-{partner.rsplit('/', 1)[-1]}"
        if link in kb.subjects:
            raise KbError(f"{name}, row {number}: the knowledge base already has this link "
                          f"(sbid:link/{link.rsplit('/', 1)[-1]}); remove the row or correct it there")
        if link in seen_links:
            raise KbError(f"{name}, row {number}: same municipality and partner as row {seen_links[link]}; "
                          "keep one row per link")
        seen_links[link] = number
        rows_of[link] = number
        if is_new:
            rows_of.setdefault(iri, number)
        entry = LinkRow(
            row=number, cbs_code=code, municipality=iri, municipality_name_nl=name_nl,
            municipality_name_en=name_en, municipality_is_new=is_new, partner=partner,
            partner_name=partner_name, partner_label_nl=kb.partner_labels.get(partner, (partner_name, partner_name))[0],
            partner_label_en=kb.partner_labels.get(partner, (partner_name, partner_name))[1],
            partner_type=PARTNER_TYPES[kind_text], country=country, status=status,
            start_year=start, start_qualifier=qualifier, formalised_year=formalised, end_year=end,
            themes=notations("themes", kb.themes), motives=notations("motives", kb.motives),
            initiator=kb.initiators.lookup(cells["initiator"], lambda: where("initiator")) if cells.get("initiator") else None,
            evidence=evidence, note_en=cells.get("note_en", ""), note_nl=cells.get("note_nl", ""), link=link,
        )
        if partner in new_partners:
            others = new_partners[partner]
            if others and others[0].partner_type != entry.partner_type:
                raise KbError(f"{where('partner_type')}: {partner_name} is a {kind_text} here but a "
                              f"{others[0].partner_type} in row {others[0].row}; use one type")
            others.append(entry)
        links.append(entry)
    if not links:
        raise KbError(f"{name}: the file has a header but no rows; add one row per city link")
    return CsvImport(name, links, new_partners, rows_of)


_PREFIXES = (
    ("sb:", SB), ("link:", ID + "link/"), ("partner:", ID + "partner/"), ("country:", ID + "country/"),
    ("theme:", ID + "theme/"), ("motive:", ID + "motive/"), ("initiator:", ID + "initiator/"),
    ("status:", ID + "status/"), ("qualifier:", ID + "qualifier/"), ("tooi:", TOOI),
)


_LOCAL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


@functools.lru_cache(maxsize=65536)  # partners, municipalities and concepts recur in every row
def _term(iri: str) -> str:
    for prefix, namespace in _PREFIXES:
        if iri.startswith(namespace) and _LOCAL_NAME.fullmatch(iri, len(namespace)):
            return prefix + iri[len(namespace):]
    return f"<{iri}>"


def links_turtle(imported: CsvImport) -> str:
    """The Turtle for an import: new Dutch municipalities, new partners and the links, in the order
    of the spreadsheet, in the style of ``data/city-links.ttl``. Deterministic: the same rows give
    the same text (the pieces of :func:`links_turtle_pieces`, joined)."""
    return "".join(links_turtle_pieces(imported))


def links_turtle_pieces(imported: CsvImport) -> Iterator[str]:
    """The text of :func:`links_turtle` in pieces of one resource each (the prefixes first), so
    that a large import can be written to a file without holding its whole Turtle in memory."""
    header = [
        f"# City links imported with `kb import-csv` from {Path(imported.name).name}; one resource per spreadsheet row.",
        "# Check with: kb validate --with-kb FILE",
        *(f"@prefix {p} <{ns}> ." for p, ns in _PREFIXES),
        "@prefix tooiont: <https://identifier.overheid.nl/tooi/def/ont/> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        f"@prefix rdfs: <{RDFS}> .",
        f"@prefix skos: <{SKOS}> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        "",
    ]
    # every piece but the first starts with the line break that ends the one before it
    yield "\n".join(header)

    def both(text_nl: str, text_en: str) -> str:
        return f"{turtle_string(text_nl)}@nl, {turtle_string(text_en)}@en"

    def sources(urls: Iterable[str]) -> str:
        return ", ".join(f"<{u}>" for u in urls)

    declared = set()
    for entry in imported.links:
        if entry.municipality_is_new and entry.municipality not in declared:
            declared.add(entry.municipality)
            yield "\n" + "\n".join([
                f"{_term(entry.municipality)} a tooiont:Gemeente, sb:DutchMunicipality ;",
                f"    skos:prefLabel {both(entry.municipality_name_nl, entry.municipality_name_en)} ;",
                f"    rdfs:label {both(entry.municipality_name_nl, entry.municipality_name_en)} ;",
                f"    sb:cbsMunicipalityCode {turtle_string(entry.cbs_code)} ;",
                f"    dcterms:source {sources(entry.evidence)} .",
                "",
            ])
    for partner, entries in imported.new_partners.items():
        first = entries[0]
        urls = list(dict.fromkeys(u for e in entries for u in e.evidence))
        yield "\n" + "\n".join([
            f"{_term(partner)} a sb:{first.partner_type} ;",
            f"    skos:prefLabel {both(first.partner_name, first.partner_name)} ;",
            f"    rdfs:label {both(first.partner_name, first.partner_name)} ;",
            f"    sb:partnerCountry {_term(first.country)} ;",
            f"    dcterms:source {sources(urls)} .",
            "",
        ])
    for entry in imported.links:
        label_nl = f"{entry.municipality_name_nl} – {entry.partner_label_nl}"
        label_en = f"{entry.municipality_name_en} – {entry.partner_label_en}"
        body = [
            f"    skos:prefLabel {both(label_nl, label_en)}",
            f"    rdfs:label {both(label_nl, label_en)}",
            f"    sb:dutchMunicipality {_term(entry.municipality)}",
            f"    sb:partner {_term(entry.partner)}",
            f"    sb:partnerCountry {_term(entry.country)}",
            f"    sb:evidenceStatus {_term(entry.status)}",
        ]
        if entry.initiator:
            body.append(f"    sb:initiatorType {_term(entry.initiator)}")
        if entry.themes:
            body.append(f"    sb:theme {', '.join(_term(t) for t in entry.themes)}")
        if entry.motives:
            body.append(f"    sb:motive {', '.join(_term(t) for t in entry.motives)}")
        for prop, value in (("startYear", entry.start_year), ("formalisedYear", entry.formalised_year),
                            ("endYear", entry.end_year)):
            if value is not None:
                body.append(f'    sb:{prop} "{value}"^^xsd:gYear')
        if entry.start_qualifier:
            body.append(f"    sb:startYearQualifier {_term(entry.start_qualifier)}")
        notes = [f"{turtle_string(text)}@{lang}" for lang, text in (("en", entry.note_en), ("nl", entry.note_nl)) if text]
        if notes:
            body.append(f"    skos:note {', '.join(notes)}")
        body.append(f"    dcterms:source {sources(entry.evidence)}")
        yield f"\n{_term(entry.link)} a sb:CityLink ;\n" + " ;\n".join(body) + " .\n"


def check_import(text: str, imported: CsvImport, data_files: Sequence[Path], output_name: str = "import.ttl",
                 step: Callable[[str], None] | None = None, progress=None, counter=None):
    """Validate the Turtle ``text`` of an import together with the knowledge base's ``data_files``
    (and the ontology), with the same shapes and violation queries as ``kb validate --with-kb``, the
    shapes run as SPARQL over the store (engine ``sparql``, :mod:`stedenbanden.shacl_sparql`). Returns the violations, each as one
    line naming the spreadsheet row where the focus node comes from it; [] when all conforms.
    ``step``, ``progress`` and ``counter`` are passed to :func:`stedenbanden.validate.validate` (a
    terminal's step lines, load bars and count of the shape queries)."""
    with tempfile.TemporaryDirectory(prefix="kb-import-") as folder:
        path = Path(folder) / (output_name or "import.ttl")
        path.write_text(text, encoding="utf-8")
        return check_import_file(path, imported.name, imported.rows_of, data_files, output_name, step, progress,
                                 counter)


def check_import_file(path: Path, name: str, rows_of: Mapping[str, int], data_files: Sequence[Path],
                      output_name: str = "import.ttl", step: Callable[[str], None] | None = None, progress=None,
                      counter=None):
    """:func:`check_import` of the Turtle file ``path`` (``name`` the spreadsheet's name and
    ``rows_of`` its row of each new IRI, as :class:`CsvImport` has them; ``output_name`` how the
    messages name ``path``)."""
    from .resources import ontology_files
    from .store import graph_name
    from .validate import validate

    files = [*data_files, path]
    names = {graph_name(p): str(p) for p in [*ontology_files(), *data_files]}
    names[graph_name(path)] = output_name or "import.ttl"
    # engine "sparql": the shapes as queries over the store, no copy of 1.7 million triples
    # (stedenbanden.shacl_sparql has the measurements); it falls back to pyshacl-turbo itself.
    report = validate(files, names=names, engine="sparql", step=step, progress=progress, counter=counter)
    messages = []
    for v in report.violations:
        row = rows_of.get(v.focus)
        where = f"{name}, row {row}" if row else name
        prop = f" ({v.path.rsplit('#', 1)[-1].rsplit('/', 1)[-1]})" if v.path else ""
        messages.append(f"{where}{prop}: {v.message} [{v.focus}]")
    return messages


@click.command("import-csv")
@click.argument("file", type=NonEmptyPath(path_type=Path, dir_okay=True, readable=False), required=False)
@click.option("--output", "-o", type=OUTPUT_FILE, metavar="OUT.ttl",
              help="Write the Turtle to OUT.ttl (atomically; nothing is written when validation fails).")
@click.option("--template", is_flag=True, help="Print the empty spreadsheet template (CSV header) and exit.")
@click.pass_obj
def import_csv_command(state, file, output, template):
    """Turn a spreadsheet of city links (CSV, one row per link) into Turtle that passes kb validate.

    Columns (header row, any order): cbs_code, municipality, partner, partner_country,
    partner_type, status, start_year, start_qualifier, formalised_year, end_year, themes, motives,
    initiator, evidence, note_en, note_nl; cbs_code, partner, partner_country, status and evidence
    are required. The result is validated with the knowledge base (shipped data, or --data) before
    anything is written; on a violation nothing is written and the exit code is 1.
    """
    from .cli import Steps
    from .formats import emit, open_output, reading, refuse_an_input

    if template:
        if file is not None:
            raise KbUsageError("--template takes no FILE; run `kb import-csv --template -o links.csv`")
        emit(TEMPLATE.read_text(encoding="utf-8"), output)
        return
    if file is None:
        raise KbUsageError("give the spreadsheet: kb import-csv FILE.csv [-o OUT.ttl] "
                           "(kb import-csv --template prints an empty one)")
    reading(file)
    if output is not None:
        refuse_an_input(output)  # before the work, not after it
    # On a terminal, one line per step with its seconds counting (Steps); nothing for scripts.
    # The Turtle goes to a temporary file, piece by piece, is validated there and is copied to the
    # output only when it passes: the text of a large import (79 MiB at 10^5 rows) is never held in
    # memory, nor the rows once they are written (peak memory is the validation store's).
    with Steps() as steps, tempfile.TemporaryDirectory(prefix="kb-import-") as folder:
        steps(f"reading {file}")
        imported = read_links_csv(file, kb_index(state.store()))
        count, name, rows_of = len(imported.links), imported.name, imported.rows_of
        steps(f"writing the Turtle of {count:,} link(s)")
        turtle = Path(folder) / (output.name if output else "import.ttl")
        with turtle.open("w", encoding="utf-8", newline="") as handle, paused_gc():  # the text as emit() would write it
            for piece in links_turtle_pieces(imported):
                handle.write(piece)
        del imported
        problems = check_import_file(turtle, name, rows_of, state.data_files(),
                                     output.name if output else "import.ttl",
                                     step=lambda what: steps(f"validating {count:,} link(s): {what}"),
                                     progress=steps.progress, counter=steps.count("shape queries"))
        if problems:
            steps.end()
            for line in problems:
                click.echo(line, err=True)
            raise KbError(f"{file}: the {count} link(s) do not pass validation ({len(problems)} "
                          "violation(s) above); nothing was written")
        steps.end()
        with open_output(output) as out, turtle.open(encoding="utf-8", newline="") as written:
            for chunk in iter(lambda: written.read(1 << 20), ""):
                out.write(chunk)
    if output is not None:
        click.echo(f"Wrote {count} city link(s) from {file} to {output}; "
                   f"add it with --extra-data {output}.", err=True)


# =================================================================================================
# The world list of twin towns (kb import-twin-towns)
# =================================================================================================

TWIN_TOWNS_GRAPH = "https://w3id.org/stedenbanden/graph/twin-towns"
"""The named graph, and the IRI of the data set, of the listed twin towns."""
TWIN_PAIR = ID + "twin-towns/pair/"
TWIN_TOWN = ID + "twin-towns/town/"
RAW_FILE = "twin_cities_raw.csv"
GEOCODED_FILE = "twin_cities.csv"
ORIGIN_REPOSITORY = "https://github.com/Hekman/twincities"
ORIGIN_COMMIT = "84ebdec26ee6878367953cfbc56311ae6452752b"
KNOWN_FILES = {  # file -> (SHA-256 of the version documented in the source README, path in the repository)
    RAW_FILE: ("e2d2e542f319fe45ddaf588b9cf6308c7fc17dbceb3c9b16c64fabfbbe7923c1", "twin_cities_raw.csv"),
    GEOCODED_FILE: ("0964bc76ba1dffa002c1c7257292bf42f1c828d2df44aab22490341a708dd60a", "app/public/twin_cities.csv"),
}
WIKIPEDIA_LISTS = tuple(f"https://en.wikipedia.org/wiki/List_of_twin_towns_and_sister_cities_in_{region}"
                        for region in ("Europe", "North_America", "South_America", "Asia", "Africa", "Oceania"))
ATTRIBUTION = ("Source: Wikipedia contributors, 'List of twin towns and sister cities in …', English Wikipedia, "
               "CC BY-SA 4.0; scraped and geocoded by Erik Hekman (github.com/Hekman/twincities, MIT). "
               "Coordinates from Wikipedia and, where Wikipedia has none, from Nominatim: "
               "© OpenStreetMap contributors, ODbL 1.0.")
LICENCES = ("https://creativecommons.org/licenses/by-sa/4.0/", "https://opendatacommons.org/licenses/odbl/1-0/")
TWIN_FORMATS = {"turtle": ".ttl", "trig": ".trig", "nquads": ".nq"}


@dataclass
class ListedTown:
    """A town as the list names it: ``name`` and ``country`` as written ('' when the list gives no
    country), WGS84 ``lat``/``long`` in degrees when the geocoded file has them, and the TOOI IRI
    of the KB municipality of the same name (towns listed in the Netherlands only)."""

    iri: str
    name: str
    country: str
    lat: Decimal | None = None
    long: Decimal | None = None
    municipality: str | None = None


@dataclass
class TwinTowns:
    """The listed pairs read from the source folder: ``pairs`` as (pair IRI, host town, twin town)
    in file order, the ``towns`` by (name, country), the number of ``rows`` read, the ``self_pairs``
    left out (their row numbers), the ``files`` read (name -> SHA-256) and the ``country`` the
    pairs were limited to (None: the whole world list)."""

    pairs: list[tuple[str, ListedTown, ListedTown]]
    towns: dict[tuple[str, str], ListedTown]
    rows: int
    self_pairs: list[int]
    files: dict[str, str]
    country: str | None = None

    @property
    def geocoded(self) -> int:
        """How many of the towns have coordinates."""
        return sum(1 for t in self.towns.values() if t.lat is not None)


def packaged_twin_towns() -> Path:
    """The folder of the twin-towns files shipped with the package (compressed; see its README)."""
    return Path(__file__).resolve().parent / "reference" / "twin-cities"


def default_twin_towns_source() -> Path | None:
    """The folder of the twin-towns files when none is given: ``$KB_TWIN_TOWNS_SOURCE``, else the
    copy shipped with the package (:func:`packaged_twin_towns`); None if neither holds the list."""
    import os

    for candidate in (os.environ.get("KB_TWIN_TOWNS_SOURCE"), str(packaged_twin_towns())):
        if candidate and _source_file(Path(candidate), RAW_FILE).is_file():
            return Path(candidate)
    return None


def _source_file(folder: Path, name: str) -> Path:
    """``folder/name``, or its gzip-compressed ``name.gz`` when only that exists."""
    plain = folder / name
    packed = folder / (name + ".gz")
    return packed if not plain.is_file() and packed.is_file() else plain


def _read_csv_rows(path: Path, columns: Sequence[str]) -> tuple[list[dict[str, str]], str]:
    """The rows of one source CSV (``path``, or ``path.gz`` compressed with gzip) as dicts, and the
    SHA-256 of the uncompressed file; the header must be ``columns``."""
    path = _source_file(path.parent, path.name)
    try:
        raw = path.read_bytes()
        if path.suffix == ".gz":
            import gzip

            raw = gzip.decompress(raw)
    except FileNotFoundError:
        raise KbUsageError(f"{path}: no such file; give --source the folder that holds {RAW_FILE} "
                           f"(and {GEOCODED_FILE}) from {ORIGIN_REPOSITORY}") from None
    except OSError as exc:
        raise KbError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    except EOFError:
        raise KbError(f"{path}: the compressed file is cut short; copy it again") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise KbError(f"{path}: the file is not UTF-8 (byte {exc.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header != list(columns):
        raise KbError(f"{path.name}, row 1: expected the columns {','.join(columns)}, found {','.join(header or [])}")
    rows = []
    for number, record in enumerate(reader, start=2):
        if len(record) != len(columns):
            raise KbError(f"{path.name}, row {number}: {len(record)} cells where the header has {len(columns)}")
        rows.append(dict(zip(columns, record)))
    return rows, hashlib.sha256(raw).hexdigest()


def _degrees(text: str, where: str, limit: int) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise KbError(f"{where}: {text!r} is not a number of degrees") from None
    if not value.is_finite() or abs(value) > limit:
        raise KbError(f"{where}: {text!r} is outside -{limit}..{limit} degrees")
    return value


def read_twin_towns(source: Path, municipalities: Mapping[str, str] | None = None, country: str | None = None,
                    progress: Callable[[str], None] | None = None) -> TwinTowns:
    """Read the twin-towns files in the folder ``source``: ``twin_cities_raw.csv`` (every listed
    pair: ``city1,country1,city2,country2``; city1 is the host town of the list page) and, when
    present, ``twin_cities.csv`` (the pairs that could be geocoded, with ``lat1,lng1,lat2,lng2`` in
    WGS84 decimal degrees), whose coordinates are attached to the towns.

    ``municipalities`` maps the names of the KB's Dutch municipalities (Dutch and English) to their
    TOOI IRIs; a town listed in the Netherlands with exactly such a name is matched. With
    ``country``, only pairs with a town listed in that country (as written, e.g. ``Netherlands``)
    are kept. Rows that pair a town with itself (3 in the published file, scraping artefacts) are
    left out and counted. Town IRIs are ``sbid:twin-towns/town/<slug>-<hash of name and country>``,
    pair IRIs ``sbid:twin-towns/pair/<hash of the four columns>``: the same rows give the same IRIs.

    Raises :class:`KbUsageError` when the raw file is missing or ``country`` matches no pair, and
    :class:`KbError` naming file, row and column for a malformed header, row or coordinate.
    """
    municipalities = municipalities or {}
    say = progress or (lambda message: None)
    say(f"reading {source / RAW_FILE}")
    raw_rows, raw_hash = _read_csv_rows(source / RAW_FILE, ("city1", "country1", "city2", "country2"))
    files = {RAW_FILE: raw_hash}
    coordinates: dict[tuple[str, str], tuple[Decimal, Decimal]] = {}
    if _source_file(source, GEOCODED_FILE).is_file():
        say(f"reading {source / GEOCODED_FILE}")
        geo_rows, geo_hash = _read_csv_rows(source / GEOCODED_FILE,
                                            ("city1", "country1", "lat1", "lng1", "city2", "country2", "lat2", "lng2"))
        files[GEOCODED_FILE] = geo_hash
        for number, r in enumerate(geo_rows, start=2):
            for side in ("1", "2"):
                where = f"{GEOCODED_FILE}, row {number}, column "
                lat = _degrees(r["lat" + side], where + "lat" + side, 90)
                long = _degrees(r["lng" + side], where + "lng" + side, 180)
                key = (r["city" + side].strip(), r["country" + side].strip())
                coordinates.setdefault(key, (lat, long))

    towns: dict[tuple[str, str], ListedTown] = {}

    def town(name: str, country_name: str) -> ListedTown:
        key = (name, country_name)
        found = towns.get(key)
        if found is None:
            iri = TWIN_TOWN + f"{slug(name) or 'town'}-{_short_hash(name, country_name)}"
            lat, long = coordinates.get(key, (None, None))
            match = municipalities.get(name) if country_name == "Netherlands" else None
            found = towns[key] = ListedTown(iri, name, country_name, lat, long, match)
        return found

    pairs, self_pairs = [], []
    for number, r in enumerate(raw_rows, start=2):
        values = {k: v.strip() for k, v in r.items()}
        for column in ("city1", "country1", "city2"):
            if not values[column]:
                raise KbError(f"{RAW_FILE}, row {number}, column {column}: empty; every pair needs both towns "
                              "and the host's country")
        if country is not None and country not in (values["country1"], values["country2"]):
            continue
        if (values["city1"], values["country1"]) == (values["city2"], values["country2"]):
            self_pairs.append(number)
            continue
        host = town(values["city1"], values["country1"])
        twin = town(values["city2"], values["country2"])
        iri = TWIN_PAIR + _short_hash(values["city1"], values["country1"], values["city2"], values["country2"], length=16)
        pairs.append((iri, host, twin))
    if country is not None and not pairs:
        raise KbUsageError(f"--country {country}: no listed pair has a town in {country!r}; country names are "
                           "as the list writes them, e.g. Netherlands, Germany, 'England, United Kingdom'")
    return TwinTowns(pairs, towns, len(raw_rows), self_pairs, files, country)


def _decimal_turtle(value: Decimal) -> str:
    text = format(value, "f")
    return text if "." in text else text + ".0"


def twin_towns_turtle(data: TwinTowns) -> str:
    """The listed twin towns as Turtle (without a graph; :func:`twin_towns_rdf` wraps it): the data
    set's description with provenance, licences and attribution, then every listed town and every
    listed pair. Deterministic: the same files give the same text."""
    scope_en = (f"the pairs with a town listed in {data.country}" if data.country else "every listed pair")
    scope_nl = (f"de paren met een plaats vermeld in {data.country}" if data.country else "alle vermelde paren")
    derived = []
    files_en = []
    for name, digest in data.files.items():
        known, repo_path = KNOWN_FILES[name]
        if digest == known:
            derived.append(f"{ORIGIN_REPOSITORY}/blob/{ORIGIN_COMMIT}/{repo_path}")
            files_en.append(f"{name} (SHA-256 {digest}, as at commit {ORIGIN_COMMIT[:12]})")
        else:
            files_en.append(f"{name} (SHA-256 {digest}, not the version documented for commit {ORIGIN_COMMIT[:12]})")
    derived = derived or [ORIGIN_REPOSITORY]
    summary_en = (f"{len(data.pairs)} listed pairs between {len(data.towns)} listed towns ({data.geocoded} with "
                  f"coordinates), {scope_en}, from {data.rows} rows of {RAW_FILE}; {len(data.self_pairs)} rows that "
                  f"pair a town with itself were left out. Files read: {'; '.join(files_en)}.")
    summary_nl = (f"{len(data.pairs)} vermelde paren tussen {len(data.towns)} vermelde plaatsen ({data.geocoded} met "
                  f"coördinaten), {scope_nl}, uit {data.rows} rijen van {RAW_FILE}; {len(data.self_pairs)} rijen die "
                  "een plaats met zichzelf verbinden zijn weggelaten.")
    lines = [
        "# Listed twin towns and sister cities: the world list scraped from English Wikipedia by the",
        f"# Hekman/twincities project, imported with `kb import-twin-towns`. Named graph <{TWIN_TOWNS_GRAPH}>.",
        "# These are listings, not verified city links of the knowledge base (see sb:ListedTwinTownPair).",
        "# Licence: CC BY-SA 4.0 (share-alike: keep this licence and the attribution below when you pass it",
        "# on); coordinates partly from OpenStreetMap (ODbL 1.0).",
        f"# {ATTRIBUTION}",
        f"@prefix sb: <{SB}> .",
        f"@prefix rdfs: <{RDFS}> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "@prefix dcat: <http://www.w3.org/ns/dcat#> .",
        "@prefix prov: <http://www.w3.org/ns/prov#> .",
        "@prefix void: <http://rdfs.org/ns/void#> .",
        "@prefix geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> .",
        f"@prefix tooi: <{TOOI}> .",
        f"@prefix ttpair: <{TWIN_PAIR}> .",
        f"@prefix tttown: <{TWIN_TOWN}> .",
        "",
        f"<{TWIN_TOWNS_GRAPH}> a dcat:Dataset, void:Dataset, prov:Entity ;",
        '    dcterms:title "Wereldlijst van zustersteden (Wikipedia)"@nl, "World list of twin towns and sister cities (Wikipedia)"@en ;',
        '    rdfs:label "Wereldlijst van zustersteden (Wikipedia)"@nl, "World list of twin towns and sister cities (Wikipedia)"@en ;',
        f"    dcterms:description {turtle_string(summary_nl)}@nl, {turtle_string(summary_en)}@en ;",
        f"    dcterms:license {', '.join(f'<{u}>' for u in LICENCES)} ;",
        f"    dcterms:bibliographicCitation {turtle_string(ATTRIBUTION)}@en ;",
        f"    dcterms:source <{ORIGIN_REPOSITORY}> ;",
        f"    prov:wasDerivedFrom {', '.join(f'<{u}>' for u in [*derived, *WIKIPEDIA_LISTS])} .",
        "",
    ]

    def local(iri: str, prefix: str, namespace: str) -> str:
        return prefix + iri[len(namespace):]

    for t in data.towns.values():
        parts = [f"{local(t.iri, 'tttown:', TWIN_TOWN)} a sb:ListedTown", f"    sb:listedName {turtle_string(t.name)}"]
        if t.country:
            parts.append(f"    sb:listedCountryName {turtle_string(t.country)}")
        if t.lat is not None:
            parts.append(f"    geo:lat {_decimal_turtle(t.lat)}")
            parts.append(f"    geo:long {_decimal_turtle(t.long)}")
        if t.municipality:
            parts.append(f"    sb:nameMatchesMunicipality {_term(t.municipality)}")
        lines.append(" ;\n".join(parts) + " .")
    lines.append("")
    for iri, host, twin in data.pairs:
        lines.append(f"{local(iri, 'ttpair:', TWIN_PAIR)} a sb:ListedTwinTownPair ; "
                     f"sb:hostTown {local(host.iri, 'tttown:', TWIN_TOWN)} ; "
                     f"sb:twinTown {local(twin.iri, 'tttown:', TWIN_TOWN)} ; void:inDataset <{TWIN_TOWNS_GRAPH}> .")
    return "\n".join(lines) + "\n"


def twin_towns_rdf(data: TwinTowns, fmt: str = "turtle") -> str:
    """The listed twin towns as ``turtle`` (triples only; load it with ``--extra-data``), ``trig``
    (everything in the named graph :data:`TWIN_TOWNS_GRAPH`) or ``nquads`` (the same, one quad a
    line). Raises ``ValueError`` for another format."""
    text = twin_towns_turtle(data)
    if fmt == "turtle":
        return text
    if fmt == "trig":
        comments, _, body = text.partition("@prefix")
        prefixes = "".join(line + "\n" for line in ("@prefix" + body).splitlines() if line.startswith("@prefix"))
        statements = "\n".join(line for line in ("@prefix" + body).splitlines() if not line.startswith("@prefix"))
        return f"{comments}{prefixes}\n<{TWIN_TOWNS_GRAPH}> {{\n{statements.strip()}\n}}\n"
    if fmt == "nquads":
        import pyoxigraph as ox

        graph = ox.NamedNode(TWIN_TOWNS_GRAPH)
        quads = (ox.Quad(t.subject, t.predicate, t.object, graph)
                 for t in ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE))
        return ox.serialize(quads, format=ox.RdfFormat.N_QUADS).decode("utf-8")
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(TWIN_FORMATS)}")


def municipality_names(store) -> dict[str, str]:
    """The Dutch and English names of the Dutch municipalities in ``store``, each mapped to the
    municipality's TOOI IRI (a name two municipalities share is left out)."""
    names: dict[str, str] = {}
    shared = set()
    for iri, name_nl, name_en in kb_index(store).municipalities.values():
        for name in {name_nl, name_en}:
            if name in names and names[name] != iri:
                shared.add(name)
            names[name] = iri
    return {n: i for n, i in names.items() if n not in shared}


@click.command("import-twin-towns")
@click.option("--source", type=NonEmptyPath(file_okay=False, path_type=Path), metavar="DIR",
              help=f"Folder with a newer {RAW_FILE} and {GEOCODED_FILE} (or .csv.gz); default: $KB_TWIN_TOWNS_SOURCE, "
                   "else the copy shipped with kb.")
@click.option("--country", metavar="NAME", help="Only the pairs with a town listed in this country, as written in the list (e.g. Netherlands).")
@click.option("--format", "fmt", type=click.Choice(list(TWIN_FORMATS)), default=None,
              help="turtle (load with --extra-data), trig or nquads (in the named graph); default: from the file suffix, else turtle.")
@click.option("--output", "-o", type=OUTPUT_FILE, metavar="FILE",
              help="Write to FILE (atomically) instead of standard output.")
@click.pass_obj
def import_twin_towns_command(state, source, country, fmt, output):
    """Import the world list of twin towns and sister cities (Wikipedia, via Hekman/twincities) as a
    data set of its own, in the named graph https://w3id.org/stedenbanden/graph/twin-towns, with its
    provenance and licence (CC BY-SA 4.0; coordinates partly ODbL).

    The pairs are listings, not city links of the knowledge base: each is an sb:ListedTwinTownPair
    of two sb:ListedTowns (name and country as written, coordinates). A town listed in the
    Netherlands whose name is that of a KB municipality links to its TOOI IRI. Then ask, e.g.,
    kb query twin-towns-netherlands --extra-data FILE.ttl
    """
    from .formats import emit, reading, refuse_an_input

    if source is None:
        source = default_twin_towns_source()
        if source is None:
            raise KbUsageError(f"the twin-towns list shipped with kb is missing (reinstall stedenbanden), and "
                               f"$KB_TWIN_TOWNS_SOURCE names no folder holding {RAW_FILE}; give --source DIR")
    elif not source.is_dir():
        raise KbUsageError(f"--source {source}: no such folder")
    reading(source)
    if output is not None:
        refuse_an_input(output)  # before the long read, not after it
    if fmt is None:
        suffix = output.suffix.lower() if output else ""
        fmt = {".trig": "trig", ".nq": "nquads"}.get(suffix, "turtle")

    def say(message: str) -> None:
        if sys.stderr.isatty():
            click.echo(f"kb: {message} ...", err=True)

    data = read_twin_towns(source, municipality_names(state.store()), country, progress=say)
    say(f"writing {len(data.pairs):,} pairs")
    emit(twin_towns_rdf(data, fmt), output)
    matched = sum(1 for t in data.towns.values() if t.municipality)
    click.echo(f"{len(data.pairs):,} listed twin-town pairs between {len(data.towns):,} towns "
               f"({data.geocoded:,} with coordinates; {matched} matched to KB municipalities by name); "
               f"{len(data.self_pairs)} self-pair(s) left out; graph <{TWIN_TOWNS_GRAPH}>"
               + (f"; written to {output}" if output else "") + ".", err=True)
