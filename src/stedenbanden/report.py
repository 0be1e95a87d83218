"""``kb report``: every figure the source report publishes, regenerated from the knowledge base by
the stored queries and compared with the published value.

The figures, with their report sections and how each is regenerated, are listed in
``figures.toml`` beside this module (published values from the NCDO 2008 summary; the number of
municipalities from CBS). A figure's status is ``OK`` when the regenerated value matches the
published one (exactly, within the stated tolerance for an approximate figure, or above a
published lower bound), ``MISMATCH`` when it does not, ``MISSING`` when the KB has no row for it,
``AMBIGUOUS`` when it has several (two observations of one figure, say), and ``CONTRADICTED`` when
the links known to be in the inventory (those the report names) outnumber it.

The ``evidence`` column gives, for a published count, the reasoning from the recorded links: how
many the report names, how many are candidates (shown active in June 2007 but not named) and how
many are known only at other dates, and what follows on the premise that the inventory counted
every named link and that each recorded link is a different link: at least
min(candidates, max(0, named + candidates - published)) candidates were not counted, and at least
max(0, published - named - candidates) links of the inventory are still unidentified. Candidates
never fail a figure: the inventory's scope is not published, so a candidate may not have been counted.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from importlib.resources import files
from typing import Any, Mapping

from .catalogue import StoredQuery, catalogue, find
from .errors import KbError
from .formats import text
from .store import Result

COLUMNS = ("id", "figure", "section", "published", "regenerated", "evidence", "status")
# how a query column is named in the evidence text (one word per status, as in the README's glossary)
COLUMN_WORDS = {"active_june_2007": "candidates", "other_dates": "other dates"}
QUALIFIER_WORDS = {"exact": "", "approximate": "about ", "more-than": "more than ", "derived": ""}
QUALIFIER_WORDS_NL = {"exact": "", "approximate": "circa ", "more-than": "meer dan ", "derived": ""}
DERIVED = {"en": "derived: ", "nl": "afgeleid: "}


@dataclass(frozen=True)
class Figure:
    """One published figure and how to regenerate it (see the header of ``figures.toml``)."""

    id: str
    label: str
    section: str
    published: Decimal
    unit: str
    qualifier: str
    query: str
    column: str
    where: Mapping[str, str] = field(default_factory=dict)
    where_not: Mapping[str, str] = field(default_factory=dict)
    aggregate: str | None = None
    compare: str = "equal"
    tolerance: Decimal = Decimal(0)
    qualifier_column: str | None = None
    coverage: Mapping[str, Any] | None = None
    published_text: str | None = None
    label_nl: str | None = None
    published_text_nl: str | None = None


def load_figures() -> list[Figure]:
    """The published figures, in report order, from the packaged ``figures.toml``."""
    raw = tomllib.loads(files("stedenbanden").joinpath("figures.toml").read_text(encoding="utf-8"))
    figures = []
    for entry in raw["figure"]:
        entry = dict(entry)
        entry["published"] = Decimal(str(entry["published"]))
        entry["tolerance"] = Decimal(str(entry.get("tolerance", 0)))
        entry["where"] = {k: str(v) for k, v in entry.get("where", {}).items()}
        entry["where_not"] = {k: str(v) for k, v in entry.get("where_not", {}).items()}
        figures.append(Figure(**entry))
    return figures


def _matches(record: Mapping[str, Any], where: Mapping[str, str], where_not: Mapping[str, str] = {}) -> bool:
    return all(text(record.get(k)) == v for k, v in where.items()) and not any(
        text(record.get(k)) == v for k, v in where_not.items()
    )


def _show(value: Any, unit: str, qualifier: str = "exact", lang: str = "en") -> str:
    if value is None:
        return "-"
    shown = text(value) + ("%" if unit == "percent" else "")
    return (QUALIFIER_WORDS_NL if lang == "nl" else QUALIFIER_WORDS).get(qualifier, "") + shown


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def evaluate(figure: Figure, results: Mapping[str, Result], lang: str = "en") -> tuple[str, ...]:
    """One report row for ``figure``: id, label, section, published, regenerated, coverage, status,
    with the label and the wording in ``lang`` (``en`` or ``nl``).

    ``results`` maps query names to their rows on the knowledge base.
    """
    records = [r for r in results[figure.query].records() if _matches(r, figure.where, figure.where_not)]
    wording = (figure.published_text_nl or figure.published_text) if lang == "nl" else figure.published_text
    published = wording or _show(figure.published, figure.unit, figure.qualifier, lang)
    if figure.qualifier == "derived":
        published = DERIVED[lang] + published
    regenerated_qualifier = "exact"
    if figure.aggregate == "sum":
        value = sum((_number(r[figure.column]) or 0) for r in records) if records else None
    elif figure.aggregate == "count":
        value = len(records)
    else:
        value = records[0][figure.column] if len(records) == 1 else None
        if figure.qualifier_column and len(records) == 1:
            regenerated_qualifier = str(records[0].get(figure.qualifier_column))
    number = _number(value)
    if not figure.aggregate and len(records) > 1:
        status = f"AMBIGUOUS ({len(records)} rows)"
    elif number is None:
        status = "MISSING"
    elif figure.compare == "greater":
        status = "OK" if number > figure.published else "MISMATCH"
    else:
        close = abs(number - figure.published) <= figure.tolerance
        same_kind = not figure.qualifier_column or regenerated_qualifier == figure.qualifier
        status = "OK" if close and same_kind else "MISMATCH"
    coverage_text, contradicted = _coverage(figure, records, results)
    if contradicted and status == "OK":
        status = "CONTRADICTED"
    regenerated = _show(value, figure.unit, regenerated_qualifier, lang)
    label = figure.label_nl or figure.label if lang == "nl" else figure.label
    return (figure.id, label, figure.section, published, regenerated, coverage_text, status)


def coverage_rows(figure: Figure, results: Mapping[str, Result]) -> list[dict[str, Any]]:
    """The rows of the stored query that hold what the recorded links say about ``figure`` (its
    ``coverage`` in ``figures.toml``: that query, or the figure's own, with the rows its ``where``
    picks), as dictionaries keyed by column; empty for a figure without coverage.

    ``results`` maps query names to their rows on the knowledge base (see :func:`needed_queries`).
    """
    spec = figure.coverage
    if not spec:
        return []
    where = {k: str(v) for k, v in spec.get("where", figure.where).items()}
    return [r for r in results[spec.get("query", figure.query)].records()
            if _matches(r, where, {} if "query" in spec or "where" in spec else figure.where_not)]


def _coverage(figure: Figure, records: list, results: Mapping[str, Result]) -> tuple[str, bool]:
    spec = figure.coverage
    if not spec:
        return "", False
    rows = coverage_rows(figure, results) if "query" in spec or "where" in spec else records
    parts, contradicted = [], False
    for r in rows:
        if spec.get("bounds"):
            shown = _bounds(r, spec.get("suffix", ""), figure.published)
        else:
            shown = ", ".join(f"{COLUMN_WORDS.get(c, c.replace('_', ' '))} {text(r.get(c))}" for c in spec["columns"])
        parts.append(f"{text(r.get(spec['label']))}: {shown}" if "label" in spec else shown)
        contradicted = contradicted or (spec.get("contradicts") is not None and text(r.get(spec["contradicts"])) == "yes")
    return "; ".join(parts), contradicted


def _bounds(record: Mapping[str, Any], suffix: str, published: Decimal) -> str:
    """The reasoning for one published count, from a row with the columns ``named``,
    ``active_june_2007`` and ``other_dates`` (each followed by ``suffix``, e.g. ``_links``) and
    ``not_counted_min`` and ``unidentified_min``, as the stored queries coverage, themes and
    municipalities compute them. Returns one line of text, e.g. "named 0, candidates 2, other
    dates 1; if the named are counted: at least 1 candidate not counted (at most 1 of the 2 can be
    among the 1), at least 0 of 1 unidentified"."""
    def n(column: str) -> int:
        return int(_number(record.get(column)) or 0)

    named, candidates, other = n("named" + suffix), n("active_june_2007" + suffix), n("other_dates" + suffix)
    not_counted, unidentified, total = n("not_counted_min"), n("unidentified_min"), int(published)
    line = (f"named {named}, candidates {candidates}, other dates {other}; if the named are counted: "
            f"at least {not_counted} candidate{'' if not_counted == 1 else 's'} not counted")
    if not_counted:
        line += f" (at most {max(0, total - named)} of the {candidates} can have been counted)"
    line += f", at least {unidentified} of {total} unidentified"
    if candidates and not unidentified and not not_counted:
        line += f" (fully identified if all {candidates} candidates were in the inventory's scope)"
    return line


def needed_queries(figures: list[Figure]) -> list[str]:
    """The names of the stored queries that the figures read, sorted."""
    names = {f.query for f in figures}
    names |= {f.coverage["query"] for f in figures if f.coverage and "query" in f.coverage}
    return sorted(names)


def build(engine, queries: Mapping[str, StoredQuery] | None = None,
          lang: str = "en") -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """Regenerate every published figure on ``engine`` (an Oxigraph store or a remote endpoint),
    with the figures' labels and wording in ``lang`` (``en`` or ``nl``).

    Returns the column names (:data:`COLUMNS`) and one row per figure. Raises :class:`KbError`
    when a figure names a stored query that does not exist.
    """
    figures = load_figures()
    queries = queries if queries is not None else catalogue()
    needed = needed_queries(figures)
    try:
        stored = {name: find(name, queries) for name in needed}
    except KbError as exc:  # only a name in figures.toml is figures.toml's fault
        raise KbError(f"figures.toml: {exc}") from None
    results = {name: stored[name].run(engine) for name in needed}
    return COLUMNS, [evaluate(f, results, lang) for f in figures]
