"""The tables of a release (``tables/``): every stored query's result as CSV, with its CSV on the
Web (CSVW) metadata beside it, and as JSON, so that a researcher downloads the themes table
without installing anything. The violation checks (``*-violation``), which return no rows on
valid data, are left out.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from .common import LICENCE, sha256_hex, write_file
from .dumps import Dump

_CSVW_TYPES = ((bool, "boolean"), (int, "integer"), (Decimal, "decimal"), (float, "double"))


@dataclass(frozen=True)
class Table:
    """One stored query's table in the release: the query's ``name`` and ``summary``, its
    ``columns``, the number of ``rows``, and the paths of its CSV, CSVW metadata and JSON files."""

    name: str
    summary: str
    columns: tuple[str, ...]
    rows: int
    csv: str
    metadata: str
    json: str


def _datatype(values) -> str:
    """The CSVW datatype of a column from its (non-null) Python values: the narrowest of
    boolean, integer, decimal, double that fits them all, else string."""
    present = [v for v in values if v is not None]
    if not present:
        return "string"
    for kind, name in _CSVW_TYPES:
        if all(isinstance(v, kind) and (kind is bool or not isinstance(v, bool)) for v in present):
            return name
    if all(isinstance(v, (int, Decimal)) and not isinstance(v, bool) for v in present):
        return "decimal"
    return "string"


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _json_value(value):
    return float(value) if isinstance(value, Decimal) else value


def write_tables(store, folder: Path) -> tuple[list[Table], list[Dump]]:
    """Run every stored query but the violation checks on ``store`` (without parameters) and
    write ``tables/<name>.csv`` (RFC 4180, UTF-8, header row), ``tables/<name>.csv-metadata.json``
    (CSVW: columns, titles, datatypes, list separators, licence, the query's summary) and
    ``tables/<name>.json`` (``columns`` and ``rows``). Returns the tables and their files as
    distributions for the description (CSV and JSON). Raises the errors of the stored queries."""
    from ..catalogue import catalogue

    tables, files = [], []
    queries = catalogue()
    for name in sorted(queries):
        query = queries[name]
        if query.is_violation_check:
            continue
        result = query.run(store)
        base = f"tables/{name}"
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(result.columns)
        writer.writerows([_cell(v) for v in row] for row in result.rows)
        columns = []
        for i, column in enumerate(result.columns):
            description = {"name": column, "titles": column,
                           "datatype": "string" if column in query.lists else _datatype(r[i] for r in result.rows)}
            if column in query.lists:
                description["separator"] = "; "
            columns.append(description)
        metadata = {
            "@context": "http://www.w3.org/ns/csvw",
            "url": f"{name}.csv",
            "dc:title": query.summary,
            "dc:description": query.description or query.summary,
            "dc:license": {"@id": LICENCE},
            "dc:source": f"the stored query {name} (queries/{name}.rq of the stedenbanden project)",
            "tableSchema": {"columns": columns},
        }
        data = {"query": name, "summary": query.summary, "columns": list(result.columns),
                "rows": [[_json_value(v) for v in row] for row in result.rows]}
        texts = {
            f"{base}.csv": out.getvalue(),
            f"{base}.csv-metadata.json": json.dumps(metadata, indent=1, ensure_ascii=False) + "\n",
            f"{base}.json": json.dumps(data, indent=1, ensure_ascii=False) + "\n",
        }
        for path, text in texts.items():
            write_file(folder / path, text)
        tables.append(Table(name, query.summary, tuple(result.columns), len(result.rows), f"{base}.csv",
                            f"{base}.csv-metadata.json", f"{base}.json"))
        for path, media, file_type, kind in ((f"{base}.csv", "text/csv", "CSV", "CSV"),
                                             (f"{base}.json", "application/json", "JSON", "JSON")):
            data_bytes = texts[path].encode("utf-8")
            extra_en = f"; its CSVW metadata is {base}.csv-metadata.json" if kind == "CSV" else ""
            extra_nl = f"; de CSVW-metadata staan in {base}.csv-metadata.json" if kind == "CSV" else ""
            files.append(Dump(
                f"table-{name}-{kind.lower()}", path, f"Table {name} ({kind}): {query.summary}",
                f"Tabel {name} ({kind}), het resultaat van de opgeslagen query {name}", media, file_type,
                len(data_bytes), sha256_hex(data_bytes),
                description_en=f"The result of the stored query {name} as {kind}{extra_en}.",
                description_nl=f"Het resultaat van de opgeslagen query {name} als {kind}{extra_nl}.",
                rdf=False))
    return tables, files
