"""Every table without a server: each stored query's result is in the release as CSV with CSV on
the Web metadata (validated by the csvw library) and as JSON, listed in catalog.ttl as
distributions and linked from the index."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from pathlib import Path

import pytest
import rdflib
from rdflib import URIRef

from stedenbanden import publish
from stedenbanden.catalogue import catalogue

DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
NAMES = sorted(name for name, query in catalogue().items() if not query.is_violation_check)


@pytest.fixture(scope="module")
def site(tmp_path_factory, kb, kb_files) -> Path:
    out = tmp_path_factory.mktemp("tables") / "site"
    publish.publish(kb, kb_files, out, date=dt.date(2026, 1, 15))
    return out


def test_every_stored_query_has_its_tables():
    assert {"themes", "countries", "initiative", "links"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_csv_passes_the_csvw_validator_and_holds_the_query_result(site, kb, name):
    import csvw

    result = catalogue()[name].run(kb)
    table = csvw.CSVW(str(site / "tables" / f"{name}.csv"), validate=True)
    assert table.is_valid, [str(w.message) for w in table.warnings][:5]
    rows = list(table.tables[0].iterdicts())
    assert len(rows) == len(result.rows)
    lists = set(catalogue()[name].lists)
    for got, want in zip(rows, result.records()):
        for column, value in want.items():
            if column in lists:
                assert got[column] == (value.split("; ") if value else []), (name, column)
            else:
                assert got[column] == value, (name, column, got[column], value)
    data = json.loads((site / "tables" / f"{name}.json").read_text(encoding="utf-8"))
    assert data["columns"] == list(result.columns)
    assert data["rows"] == [[float(v) if isinstance(v, Decimal) else v for v in row] for row in result.rows]


def test_the_themes_table_gives_the_reports_figures(site):
    """NCDO 2008: 11 of the 39 links work on waste processing, 11 on education (28.2 %)."""
    import csvw

    rows = {r["code"]: r for r in csvw.CSVW(str(site / "tables" / "themes.csv")).tables[0].iterdicts()}
    assert rows["waste-processing"]["published_links"] == 11
    assert rows["waste-processing"]["share_percent"] == Decimal("28.2")
    assert rows["education"]["published_links"] == 11
    text = (site / "tables" / "themes.csv").read_text(encoding="utf-8")
    assert text.startswith("code,theme,published_links,share_percent,")


def test_tables_are_distributions_in_the_catalogue_and_linked_from_the_index(site):
    catalog = rdflib.Graph().parse(site / "catalog.ttl", format="turtle")
    dataset = URIRef(publish.DATASET)
    by_url = {str(catalog.value(d, DCAT.downloadURL)): d for d in catalog.objects(dataset, DCAT.distribution)}
    index = (site / "index.html").read_text(encoding="utf-8")
    for name in NAMES:
        for extension, media in ((".csv", "text/csv"), (".json", "application/json")):
            path = f"tables/{name}{extension}"
            node = by_url[publish.DEFAULT_BASE_URL + path]
            data = (site / path).read_bytes()
            assert str(catalog.value(node, DCAT.mediaType)).endswith(media)
            assert int(catalog.value(node, DCAT.byteSize)) == len(data)
            assert str(catalog.value(catalog.value(node, SPDX.checksum), SPDX.checksumValue)) == \
                hashlib.sha256(data).hexdigest()
            assert f'href="{path}"' in index
        assert f'href="tables/{name}.csv-metadata.json"' in index
