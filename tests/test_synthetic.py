"""``kb generate``: synthetic test data shaped like the knowledge base, seeded and deterministic,
clearly synthetic, and valid."""

import re

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from stedenbanden import catalogue, store
from stedenbanden.cli import cli
from stedenbanden.synthetic import SYNTHETIC, generate
from stedenbanden.validate import validate

SB = "https://w3id.org/stedenbanden/def#"
QB = "http://purl.org/linked-data/cube#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@pytest.fixture(scope="module")
def small():
    return generate(10_000, seed=7)


@pytest.fixture(scope="module")
def small_store(small):
    s = ox.Store()
    s.load(input=small.encode(), format=ox.RdfFormat.TURTLE)
    return s


def count(s, cls):
    return len(list(s.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), ox.NamedNode(cls), None)))


def test_same_seed_same_bytes_other_seed_other_data(small):
    assert generate(10_000, seed=7) == small
    assert generate(10_000, seed=8) != small


def test_size_is_as_asked(small, small_store):
    stated = int(re.search(r"# Contents: (\d+) triples", small).group(1))
    assert stated == len(small_store)
    assert 10_000 <= len(small_store) < 10_100


def test_says_it_is_synthetic(small):
    head = small.split("@prefix", 1)[0]
    assert "SYNTHETIC TEST DATA - NOT REAL FACTS" in head
    assert "not real municipalities" in head


def test_every_resource_is_synthetic(small_store):
    """Every subject is under .../id/synthetic/ or a TOOI IRI gm9000-gm9999 (CBS does not use that
    range); no triple describes a resource of the real knowledge base."""
    subjects = {q.subject.value for q in small_store}
    tooi = {s for s in subjects if s.startswith("https://identifier.overheid.nl/tooi/id/gemeente/")}
    assert tooi and all(re.fullmatch(r".*/gm9[0-9]{3}", s) for s in tooi)
    assert all(s.startswith(SYNTHETIC) for s in subjects - tooi)
    codes = {q.object.value for q in small_store.quads_for_pattern(None, ox.NamedNode(SB + "cbsMunicipalityCode"), None, None)}
    assert codes and all(re.fullmatch(r"GM9[0-9]{3}", c) for c in codes)


def test_shaped_like_the_knowledge_base(small_store):
    assert count(small_store, SB + "CityLink") > 300
    assert count(small_store, SB + "DutchMunicipality") == 250
    assert count(small_store, SB + "MillenniumMunicipality") > 0
    assert count(small_store, QB + "Observation") > 80
    structures = {q.object.value for q in small_store.quads_for_pattern(None, ox.NamedNode(QB + "structure"), None, None)}
    assert structures == {SB + "cityLinkCountStructure", SB + "cityLinkShareStructure",
                          SB + "municipalityCountStructure", SB + "municipalityShareStructure"}
    for prop in ("theme", "motive", "startYear", "formalisedYear", "endYear", "initiatorType", "startYearQualifier"):
        assert list(small_store.quads_for_pattern(None, ox.NamedNode(SB + prop), None, None)), prop


def test_passes_validation(tmp_path, small):
    path = tmp_path / "synthetic.ttl"
    path.write_text(small, encoding="utf-8")
    report = validate([path])
    assert report.conforms, [v.message for v in report.violations[:5]]


def test_leaves_the_published_figures_alone(tmp_path, small, kb):
    """Loaded next to the shipped data, the report's published figures are unchanged."""
    path = tmp_path / "synthetic.ttl"
    path.write_text(small, encoding="utf-8")
    both = store.load(store.knowledge_base_files() + [path])
    queries = catalogue.catalogue()
    for name in ("countries", "initiative", "context", "capacity", "millennium"):
        if name == "millennium":  # counts Millennium Municipalities, synthetic ones too; the published 7 stays
            assert queries[name].run(both).records()[0]["millennium"] == 7
            continue
        assert queries[name].run(both).rows == queries[name].run(kb).rows != (), name
    (published,) = queries["municipalities"].run(both).records()
    assert (published["involved"], published["all_municipalities"], published["published_percent"]) == (22, 443, 5)
    themes = {r["code"]: r for r in queries["themes"].run(both).records()}
    assert themes["waste-processing"]["published_links"] == 11
    assert themes["waste-processing"]["active_june_2007_links"] > 4  # the synthetic links are counted as links


def test_command(tmp_path):
    out = tmp_path / "s.ttl"
    result = CliRunner().invoke(cli, ["generate", "--triples", "1e4", "--seed", "7", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == generate(10_000, seed=7)
    assert "synthetic triples" in result.stderr
    bad = CliRunner().invoke(cli, ["generate", "--triples", "lots"])
    assert bad.exit_code == 2 and "expected a whole number" in bad.stderr
    small = CliRunner().invoke(cli, ["generate", "--triples", "10"])
    assert small.exit_code == 2 and "choose a size from 1,000" in small.stderr
