"""``kb cite``: the sources behind the knowledge base, or behind one link or figure, in a form a
reference manager imports: CSL-JSON (Zotero, Mendeley, citeproc) or BibTeX (biblatex fields).

The rows come from the stored queries ``sources`` (one per cited source: title, publisher, date,
language, web address, CSL type) and ``citations`` (one per source and resource citing it); this
module only picks and reshapes them.
The JSON is written with the standard library's ``json``; BibTeX has no library in this project's
dependencies, and its entries here are simple enough (a few escaped fields) to write directly.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterable, Mapping

from .errors import KbUsageError

FORMATS = ("csl-json", "bibtex")
BIBTEX_TYPES = {"report": "report", "webpage": "online", "dataset": "dataset", "document": "misc"}
_LATEX_SPECIAL = re.compile(r"([&%$#_{}~^\\])")


def select(rows: Iterable[Mapping[str, Any]], wanted: Iterable[str],
           citations: Iterable[Mapping[str, Any]] = ()) -> list[Mapping[str, Any]]:
    """The source rows (of the query ``sources``) cited by one of ``wanted``: full IRIs, or the last
    segment of an IRI (a link such as ``rotterdam-istanbul``, an observation such as ``links-GH``,
    which is also the id of its figure in ``kb report``), looked up in ``citations`` (rows of the
    query ``citations``: ``source`` and ``cited_by``). No ``wanted`` keeps every row.

    Raises :class:`KbUsageError` naming a ``wanted`` value that no source's citers match.
    """
    rows = list(rows)
    wanted = list(wanted)
    if not wanted:
        return rows
    citations = list(citations)
    chosen, seen = [], set()
    for item in wanted:
        cited = {c["source"] for c in citations if _matches(c["cited_by"], item)}
        found = [r for r in rows if r["source"] in cited]
        if not found:
            import difflib  # only for a name that matches nothing

            names = {}
            for c in citations:
                name = c["cited_by"].rstrip("/").rsplit("/", 1)[-1]
                names.setdefault(name.casefold(), name)
            close = [names[n] for n in difflib.get_close_matches(item.casefold(), sorted(names), n=3, cutoff=0.6)]
            hint = f"did you mean {', '.join(close)}?" if close else \
                "give a link (e.g. rotterdam-istanbul) or a figure id (e.g. links-GH)"
            raise KbUsageError(f"{item!r}: no source is cited by a resource with that IRI or name; {hint}")
        for r in found:
            if r["source"] not in seen:
                seen.add(r["source"])
                chosen.append(r)
    return sorted(chosen, key=lambda r: r["source"])


def _matches(citer: str, item: str) -> bool:
    return citer == item or citer.rstrip("/").rsplit("/", 1)[-1] == item


def _date_parts(issued: str | None) -> dict | None:
    if not issued:
        return None
    parts = [int(p) for p in issued.split("-") if p.isdigit()]
    return {"date-parts": [parts]} if parts else None


def csl_item(row: Mapping[str, Any]) -> dict:
    """One CSL-JSON item for a row of the stored query ``sources``."""
    item: dict[str, Any] = {"id": row["source"], "type": row.get("csl_type") or "document", "title": row.get("title")}
    if row.get("container_title"):
        item["container-title"] = row["container_title"]
    if row.get("publisher"):
        item["publisher"] = row["publisher"]
    if row.get("url"):
        item["URL"] = row["url"]
    if row.get("language"):
        item["language"] = row["language"]
    issued = _date_parts(row.get("issued"))
    if issued:
        item["issued"] = issued
    if row.get("title_basis") == "described":
        item["note"] = "Descriptive title (in square brackets) given by the stedenbanden knowledge base."
    return item


def csl_json(rows: Iterable[Mapping[str, Any]]) -> str:
    """A CSL-JSON array (UTF-8 text, keys sorted, two-space indent, final newline) of the rows."""
    return json.dumps([csl_item(r) for r in rows], ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _escape(text: str) -> str:
    return _LATEX_SPECIAL.sub(r"\\\1", text)


def bibtex_key(row: Mapping[str, Any], taken: set[str]) -> str:
    """A citation key from the source's address (host or last path segment) and year, unique in ``taken``."""
    source = row["source"]
    host = re.sub(r"^https?://(www\.)?", "", source).split("/", 1)[0]
    base = host.split(".")[0] if row.get("url") else source.rstrip("/").rsplit("/", 1)[-1]
    year = (row.get("issued") or "")[:4]
    key = re.sub(r"[^A-Za-z0-9]+", "-", f"{base}{year}").strip("-").lower() or "source"
    unique, n = key, 1
    while unique in taken:
        n += 1
        unique = f"{key}-{n}"
    taken.add(unique)
    return unique


def bibtex(rows: Iterable[Mapping[str, Any]]) -> str:
    """BibTeX entries (biblatex types and fields: @online, @report, @misc, date, langid, url)."""
    taken: set[str] = set()
    entries = []
    for row in rows:
        fields = [("title", row.get("title")), ("booktitle", row.get("container_title")),
                  ("publisher" if row.get("csl_type") != "webpage" else "organization", row.get("publisher")),
                  ("date", row.get("issued")), ("langid", row.get("language")), ("url", row.get("url"))]
        if row.get("title_basis") == "described":
            fields.append(("note", "Descriptive title given by the stedenbanden knowledge base"))
        body = ",\n".join(f"  {name} = {{{value if name == 'url' else _escape(str(value))}}}"
                          for name, value in fields if value)
        kind = BIBTEX_TYPES.get(row.get("csl_type") or "document", "misc")
        entries.append(f"@{kind}{{{bibtex_key(row, taken)},\n{body}\n}}\n")
    return "\n".join(entries)
