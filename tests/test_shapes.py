"""Check ontology/shapes.ttl against the fixtures in tests/shapes/.

Each fixture starts with one or more comment lines
    # expect: <focus node IRI> | <path IRI or -> | <constraint component local name>
(one line per expected validation result) or with
    # expect: conforms
The fixture is validated together with the ontology, as the shipped data is, by the same
code as `kb validate` (stedenbanden.validate.shacl_violations). The test compares the set of
(focus node, path, component) triples of the results with the expected lines exactly.
"""

from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import RDF, SH

from stedenbanden.validate import validate

ROOT = Path(__file__).parents[1]
SHAPES = ROOT / "ontology" / "shapes.ttl"
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


def shacl(fixture: Path) -> set[tuple[str, str, str]]:
    """The (focus, path, component) of every result of ``kb validate`` on one fixture (with the
    ontology): SHACL results and rows of the ``*-violation`` queries (component ``query:NAME``)."""
    return {v.key for v in validate([fixture]).violations}


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.stem for f in FIXTURES])
def test_fixture(fixture: Path) -> None:
    """A valid fixture conforms; an invalid one gives exactly its expected results."""
    expected = read_expectations(fixture) or set()
    actual = shacl(fixture)
    assert actual == expected, f"missing: {sorted(expected - actual)}\nextra: {sorted(actual - expected)}"


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


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.stem for f in FIXTURES])
def test_turbo_engine_reports_exactly_what_pyshacl_reports(fixture: Path) -> None:
    """The faster engine used for large inputs gives the same results (node, path, component and
    message) as pySHACL, the reference, on every example."""
    from stedenbanden import store
    from stedenbanden.resources import ontology_files
    from stedenbanden.validate import shacl_violations

    oxstore = store.load([*ontology_files(), fixture])

    def results(engine):
        return sorted((v.key, v.message) for v in shacl_violations(oxstore, engine=engine))

    assert results("turbo") == results("pyshacl")


def test_shape_groups_split_the_targeted_shapes_once_each_and_balance_the_city_link_work() -> None:
    """The parallel turbo run uses every targeted shape exactly once, in two groups, and the city-link
    shapes (48,000 focus nodes here) do not all land in the same group."""
    import rdflib

    from stedenbanden.validate import shape_groups, shapes_files

    shapes = rdflib.Graph()
    for path in shapes_files():
        shapes.parse(path, format="turtle")
    counts = {"https://w3id.org/stedenbanden/def#CityLink": 48_000, "http://www.w3.org/2004/02/skos/core#prefLabel": 100_000}
    groups = shape_groups(shapes, 2, lambda target, value: counts.get(value, 10))
    flat = [iri for group in groups for iri in group]
    assert len(groups) == 2 and len(flat) == len(set(flat)) == 36  # 28 + 3 in places-shapes.ttl + the evidence-address shape (issue 10) + 4 for sources and link statements (issue 11)
    heavy = "https://w3id.org/stedenbanden/def/shapes#CityLinkShape"
    assert heavy in groups[0]  # the heaviest shape is dealt first
    # the city-link shapes, most of the work, are shared out over both groups
    assert all(any("#CityLink" in iri for iri in group) for group in groups)
    assert [sorted(group) for group in shape_groups(shapes, 1)] == [sorted(flat)]


def search_without_targets(monkeypatch) -> None:
    """Make shacl_sparql.run search every group without its targets first (as it does for the
    large targets of a big import), whatever the number of focus nodes."""
    from stedenbanden import shacl_sparql

    monkeypatch.setattr(shacl_sparql, "PREFILTER_ABOVE", 0)
    monkeypatch.setattr(shacl_sparql, "PREFILTER_SHARE", 10**9)


@pytest.mark.parametrize("searched", [False, True], ids=["targeted", "searched"])
@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.stem for f in FIXTURES])
def test_sparql_engine_reports_exactly_what_pyshacl_reports(fixture: Path, searched: bool, monkeypatch) -> None:
    """The shapes run as SPARQL over the store (the engine of kb import-csv) give the same results,
    one for one (node, path, component and message), as pySHACL, the reference, on every example;
    also when each check first searches for candidates without its targets ("searched", what
    kb import-csv does for the city links of a large import)."""
    from stedenbanden import store
    from stedenbanden.resources import ontology_files
    from stedenbanden.validate import shacl_violations

    oxstore = store.load([*ontology_files(), fixture])

    def results(engine):
        return sorted((v.key, v.message, v.check) for v in shacl_violations(oxstore, engine=engine))

    expected = results("pyshacl")
    if searched:
        search_without_targets(monkeypatch)
    assert results("sparql") == expected


def test_sparql_engine_refuses_shapes_it_cannot_translate_and_validation_falls_back(monkeypatch):
    """A constraint the SPARQL translation does not know (here sh:closed) is never skipped: the
    translation raises Unsupported and shacl_violations validates with pyshacl-turbo, which catches it."""
    import pyoxigraph as ox

    from stedenbanden import shacl_sparql
    from stedenbanden import validate as validation

    shapes_file = ROOT / "tests" / "fixtures" / "closed-shape.ttl"
    with pytest.raises(shacl_sparql.Unsupported, match="closed"):
        shacl_sparql.compile_shapes(Graph().parse(shapes_file, format="turtle"))
    data = ox.Store()
    data.add(ox.Quad(ox.NamedNode("https://example.org/x"), ox.NamedNode(str(RDF.type)),
                     ox.NamedNode("https://example.org/Thing")))
    monkeypatch.setattr(validation, "shapes_files", lambda: [shapes_file])
    found = validation.shacl_violations(data, engine="sparql")
    assert [(v.focus, v.component, v.message) for v in found] == [
        ("https://example.org/x", "ClosedConstraintComponent", "no properties here")]
