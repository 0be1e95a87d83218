"""Check ontology/shapes.ttl against the fixtures in tests/shapes/.

Each fixture starts with one or more comment lines
    # expect: <focus node IRI> | <path IRI or -> | <constraint component local name>
(one line per expected validation result) or with
    # expect: conforms
The fixture is validated together with the ontology (ontology/stedenbanden.ttl and
ontology/concepts.ttl), as the shipped data is. The test compares the set of
(focus node, path, component) triples of the results with the expected lines exactly.
"""

from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

ROOT = Path(__file__).parents[1]
SHAPES = ROOT / "ontology" / "shapes.ttl"
ONTOLOGY = [ROOT / "ontology" / "stedenbanden.ttl", ROOT / "ontology" / "concepts.ttl"]
FIXTURES = sorted((ROOT / "tests" / "shapes").glob("*/*.ttl"))

EXPECT = "# expect:"
NO_PATH = "-"


def read_expectations(fixture: Path) -> set[tuple[str, str, str]] | None:
    """Return the expected (focus, path, component) triples of a fixture, or None for 'conforms'.

    Only the comment lines at the top of the file are read; '<' and '>' around IRIs are optional.
    """
    expected = set()
    for line in fixture.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        if not line.startswith(EXPECT):
            continue
        spec = line[len(EXPECT):].strip()
        if spec == "conforms":
            return None
        focus, path, component = (part.strip().strip("<>") for part in spec.split("|"))
        expected.add((focus, path, component))
    if not expected:
        raise ValueError(f"{fixture.name} has no '{EXPECT}' line")
    return expected


def validate(fixture: Path) -> tuple[bool, Graph, str]:
    """Validate the ontology plus one fixture against the shapes; return pyshacl's result."""
    data = Graph()
    for path in [*ONTOLOGY, fixture]:
        data.parse(path, format="turtle")
    shapes = Graph().parse(SHAPES, format="turtle")
    conforms, results, text = pyshacl.validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=False,
    )
    return conforms, results, text


def local_name(iri: URIRef) -> str:
    """The part of an IRI after its last '#' or '/'."""
    return str(iri).replace("#", "/").rsplit("/", 1)[-1]


def top_level_results(results: Graph) -> list:
    """The result nodes linked from the validation report with sh:result (not nested sh:detail)."""
    return [result
            for report in results.subjects(RDF.type, SH.ValidationReport)
            for result in results.objects(report, SH.result)]


def actual_results(results: Graph) -> set[tuple[str, str, str]]:
    """The (focus, path, component) triples of the top-level results in a validation report."""
    found = set()
    for result in top_level_results(results):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        component = results.value(result, SH.sourceConstraintComponent)
        found.add((str(focus), str(path) if path is not None else NO_PATH, local_name(component)))
    return found


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.stem for f in FIXTURES])
def test_fixture(fixture: Path) -> None:
    """A valid fixture conforms; an invalid one gives exactly its expected results."""
    expected = read_expectations(fixture)
    conforms, results, text = validate(fixture)
    if expected is None:
        assert conforms, f"{fixture.name} should conform:\n{text}"
    else:
        assert not conforms, f"{fixture.name} should not conform"
        actual = actual_results(results)
        assert actual == expected, (
            f"missing: {sorted(expected - actual)}\nextra: {sorted(actual - expected)}\n{text}"
        )
        for result in top_level_results(results):
            messages = list(results.objects(result, SH.resultMessage))
            assert len(messages) == 1, f"expected one sh:resultMessage, got {messages}"


def test_every_shape_and_constraint_has_a_message() -> None:
    """Each node shape, property shape and SPARQL constraint in shapes.ttl has an English sh:message."""
    shapes = Graph().parse(SHAPES, format="turtle")
    nodes = set(shapes.subjects(RDF.type, SH.NodeShape))
    nodes |= set(shapes.objects(None, SH.property)) | set(shapes.objects(None, SH.sparql))
    missing = [str(node) for node in nodes
               if not any(getattr(m, "language", None) == "en" for m in shapes.objects(node, SH.message))]
    assert not missing, f"shapes without an English sh:message: {missing}"


def test_fixtures_found() -> None:
    """Guard against an empty parametrization (e.g. a moved fixtures folder)."""
    assert any("invalid" in f.parts for f in FIXTURES)
    assert any("valid" in f.parts for f in FIXTURES)
