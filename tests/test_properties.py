"""Property-based tests (hypothesis): any Unicode text, of any length, is data and stays data.

- A ``--param`` value never changes a query's structure: bound locally it selects only rows with
  exactly that value; serialised for a remote endpoint (a VALUES clause) it selects the same rows.
- Labels and literals survive Turtle -> store -> every output format -> back, unchanged.
"""

import csv
import io
import json

import pyoxigraph as ox
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from stedenbanden import catalogue, formats, store
from stedenbanden.remote import with_values
from stedenbanden.store import Binding

LINKS = catalogue.catalogue()["links"]
# any Unicode text except surrogates (not encodable in UTF-8, so not valid in RDF)
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(value=TEXT)
def test_param_value_only_ever_selects_equal_rows(kb, value):
    assume(value.strip())  # a blank value is refused (test_bad_input.py::test_usage_mistakes)
    rows = LINKS.run(kb, {"municipality": value}).records()
    assert all(row["municipality"] == value for row in rows)
    assert len(rows) <= 6  # Rotterdam, the municipality with most links, has 6


@SETTINGS
@given(value=TEXT)
def test_param_value_sent_to_an_endpoint_selects_the_same_rows(kb, value):
    """The text sent to a remote endpoint (query + VALUES clause) parses, and on the same data it
    selects exactly what the embedded engine's binding selects."""
    assume(value.strip())  # a blank value is refused (test_bad_input.py::test_usage_mistakes)
    text = with_values(LINKS.text, {"municipality": Binding(value, language="nl")})
    remote_style = store.sort_lists(store.select(kb, text), LINKS.lists)
    assert remote_style == LINKS.run(kb, {"municipality": value})


@SETTINGS
@given(labels=st.lists(TEXT, min_size=1, max_size=5))
def test_literals_survive_every_output_format(tmp_path_factory, labels):
    folder = tmp_path_factory.mktemp("roundtrip")
    quads = [ox.Quad(ox.NamedNode(f"http://example.org/r{i}"), ox.NamedNode("http://example.org/label"),
                     ox.Literal(label, language="tr")) for i, label in enumerate(labels)]
    path = folder / "labels.ttl"
    path.write_bytes(ox.serialize(quads, format=ox.RdfFormat.TURTLE))
    kb = store.load([path])
    assert sorted(map(str, kb)) == sorted(map(str, quads))
    result = store.select(kb, "SELECT ?r ?label WHERE { ?r <http://example.org/label> ?label } ORDER BY ?r")
    expected = [row[1] for row in result.rows]
    assert expected == labels
    as_json = [row["label"] for row in json.loads(formats.render(result.columns, result.rows, "json"))]
    assert as_json == labels
    for fmt in ("csv", "tsv"):
        rows = list(csv.reader(io.StringIO(formats.render(result.columns, result.rows, fmt), newline=""),
                               delimiter="," if fmt == "csv" else "\t"))
        # text a spreadsheet would run as a formula comes back with a leading ' (issue 10)
        shown = ["'" + label if len(label) > 1 and label[0] in "=+-@\t\r" else label for label in labels]
        assert [row[1] for row in rows[1:]] == shown
