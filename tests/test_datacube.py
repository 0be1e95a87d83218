"""The RDF Data Cube integrity constraints IC-1 to IC-21 (W3C Recommendation, section 11.1) as
``datacube-ic-NN-violation`` queries (IC-12 is ``observation-duplicate-violation``): no rows on the
shipped statistics, and each check fires on the mistake it is for, IC-17 on the two-measure
structures this project had before (a measure dimension with two measures, and observations of
one of them only)."""

import pytest

from stedenbanden import catalogue, store
from stedenbanden.resources import ontology_files

QUERIES = catalogue.catalogue()
CHECKS = [f"datacube-ic-{n:02d}-violation" for n in range(1, 22) if n != 12] + ["observation-duplicate-violation"]

PREFIXES = """@prefix sb: <https://w3id.org/stedenbanden/def#> .
@prefix qb: <http://purl.org/linked-data/cube#> .
@prefix ex: <https://example.org/> .
@prefix code: <https://w3id.org/stedenbanden/id/code/> .
@prefix country: <https://w3id.org/stedenbanden/id/country/> .
@prefix qualifier: <https://w3id.org/stedenbanden/id/qualifier/> .
"""

# the structure of before: qb:measureType a dimension with two measures, and a count observation only
TWO_MEASURES = PREFIXES + """
ex:structure a qb:DataStructureDefinition ;
    qb:component [ qb:dimension sb:partnerCountry ; qb:componentProperty sb:partnerCountry ; qb:order 1 ] ,
        [ qb:dimension qb:measureType ; qb:componentProperty qb:measureType ; qb:order 2 ] ,
        [ qb:measure sb:numberOfCityLinks ; qb:componentProperty sb:numberOfCityLinks ] ,
        [ qb:measure sb:percentageOfCityLinks ; qb:componentProperty sb:percentageOfCityLinks ] .
ex:dataset a qb:DataSet ; qb:structure ex:structure .
ex:links-TR a qb:Observation ; qb:dataSet ex:dataset ; sb:partnerCountry country:TR ;
    qb:measureType sb:numberOfCityLinks ; sb:numberOfCityLinks 13 .
ex:links-MA a qb:Observation ; qb:dataSet ex:dataset ; sb:partnerCountry country:MA ;
    qb:measureType sb:numberOfCityLinks ; sb:numberOfCityLinks 7 .
ex:share-MA a qb:Observation ; qb:dataSet ex:dataset ; sb:partnerCountry country:MA ;
    qb:measureType sb:percentageOfCityLinks ; sb:percentageOfCityLinks 17.9 .
"""

# one observation with several mistakes: no data set of its own kind, a value outside the code list,
# a required attribute missing, and a second measure beside its measure type
MISTAKES = PREFIXES + """
ex:structure a qb:DataStructureDefinition ;
    qb:component [ qb:dimension sb:partnerCountry ; qb:componentProperty sb:partnerCountry ; qb:order 1 ] ,
        [ qb:dimension qb:measureType ; qb:componentProperty qb:measureType ; qb:order 2 ] ,
        [ qb:measure sb:numberOfCityLinks ; qb:componentProperty sb:numberOfCityLinks ] ,
        [ qb:measure sb:percentageOfCityLinks ; qb:componentProperty sb:percentageOfCityLinks ] ,
        [ qb:attribute sb:valueQualifier ; qb:componentProperty sb:valueQualifier ; qb:componentRequired true ] .
ex:no-structure a qb:DataSet .
ex:dataset a qb:DataSet ; qb:structure ex:structure .
ex:wrong a qb:Observation ; qb:dataSet ex:dataset ; sb:partnerCountry ex:Atlantis ;
    qb:measureType sb:numberOfCityLinks ; sb:numberOfCityLinks 3 ; sb:percentageOfCityLinks 5.0 .
ex:loose a qb:Observation ; sb:partnerCountry country:TR .
"""


def rows(tmp_path, turtle: str) -> dict[str, set[str]]:
    path = tmp_path / "cube.ttl"
    path.write_text(turtle, encoding="utf-8")
    kb = store.load(ontology_files() + [path])
    return {name: {str(r["focus"]) for r in QUERIES[name].run(kb).records()} for name in CHECKS}


def test_every_integrity_constraint_has_a_check():
    assert len(CHECKS) == 21 and all(name in QUERIES for name in CHECKS)


@pytest.mark.parametrize("name", CHECKS)
def test_no_violation_on_the_shipped_statistics(kb, name):
    assert QUERIES[name].run(kb).rows == ()


def test_ic17_fires_on_a_structure_with_two_measures_not_both_published(tmp_path):
    found = rows(tmp_path, TWO_MEASURES)
    # Turkey has a count but no share; Morocco has both, so only Turkey's point fails
    assert found["datacube-ic-17-violation"] == {"https://example.org/links-TR"}
    (row,) = QUERIES["datacube-ic-17-violation"].run(store.load(ontology_files() + [tmp_path / "cube.ttl"])).records()
    assert "has 1 of the 2 measures" in row["message"]
    assert {name for name, focus in found.items() if focus} == {"datacube-ic-17-violation"}


def test_each_check_fires_on_its_mistake(tmp_path):
    found = rows(tmp_path, MISTAKES)
    assert found["datacube-ic-01-violation"] == {"https://example.org/loose"}
    assert found["datacube-ic-02-violation"] == {"https://example.org/no-structure"}
    assert found["datacube-ic-13-violation"] == {"https://example.org/wrong"}
    assert found["datacube-ic-16-violation"] == {"https://example.org/wrong"}
    assert found["datacube-ic-19-violation"] == {"https://example.org/wrong"}
    assert found["datacube-ic-17-violation"] == {"https://example.org/wrong"}  # no share beside its count
    assert found["datacube-ic-11-violation"] == set()
