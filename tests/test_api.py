"""The Python API (issue 13): the knowledge base from a notebook, with the same rows as ``kb``.
Expected values: the shipped data (NCDO 2008 figures, the recorded links)."""

import contextlib
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest

import stedenbanden
from stedenbanden.errors import BadParameter, KbError, UnknownQuery
from stedenbanden.store import IRI

README = Path(__file__).resolve().parents[1] / "README.md"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def kb():
    return stedenbanden.open()


def test_stored_query_with_parameters(kb):
    links = kb.query("links", country="ID", status=["named", "active-june-2007"])
    assert links.columns[:4] == ("link", "name", "municipality", "cbs_code")
    assert [r["name"] for r in links.records()] == ["Rotterdam – Jakarta", "Vlissingen – Ambon"]
    assert isinstance(links.records()[0]["link"], IRI)
    assert kb.query("links", status="named,active-june-2007", country="ID").rows == links.rows
    assert len(kb.query("links", municipality="Den Haag")) == 1


def test_values_are_python_values(kb):
    countries = kb.query("countries")
    assert countries.rows[0] == ("TR", "Turkey", 13, Decimal("33.3"), "NCDO 2008, section Aantal stedenbanden")
    assert countries.column("links") == [13, 7, 7, 6, 4, 1, 1, 39]
    assert kb.query("countries", lang="nl").column("country")[0] == "Turkije"
    assert stedenbanden.open(lang="nl").query("countries").column("country")[0] == "Turkije"


def test_dataframe():
    pandas = pytest.importorskip("pandas")  # a test extra; kb itself does not need it
    frame = stedenbanden.open().query("countries").to_dataframe()
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame.columns) == ["code", "country", "links", "share_percent", "source"]
    assert frame["links"].tolist() == [13, 7, 7, 6, 4, 1, 1, 39]
    assert frame.loc[0, "share_percent"] == 33.3


def test_dataframe_without_pandas_says_how_to_install_it(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_pandas(name, *args, **kwargs):
        if name == "pandas":
            raise ImportError("No module named 'pandas'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pandas)
    with pytest.raises(ImportError, match="pip install pandas"):
        stedenbanden.Table(("a",), ((1,),)).to_dataframe()


def test_own_sparql_with_the_prefixes_declared(kb):
    table = kb.sparql('SELECT ?label WHERE { ?c skos:notation "TR" ; skos:prefLabel ?label } ORDER BY ?label')
    assert table.column("label") == ["Turkey", "Turkije"]
    assert kb.sparql("ASK { ?l a sb:CityLink }") is True
    triples = kb.sparql("CONSTRUCT { ?l a sb:CityLink } WHERE { ?l a sb:CityLink ; sb:evidenceStatus status:named }")
    assert len(triples) == 5 and triples == sorted(triples)


def test_warnings_and_errors(kb):
    with pytest.warns(UserWarning, match="no municipality matches; closest: Rotterdam, Amsterdam"):
        assert len(kb.query("links", municipality="Rotterdm")) == 0
    with pytest.warns(UserWarning, match="sb:Citylink is not defined in the ontology or the data; closest defined: sb:CityLink"):
        kb.sparql("SELECT * WHERE { ?l a sb:Citylink }")
    with pytest.raises(KbError, match="the prefix foo: is not declared"):
        kb.sparql("SELECT * WHERE { ?l a foo:Bar }")
    with pytest.raises(UnknownQuery, match="did you mean themes"):
        kb.query("theme")
    with pytest.raises(BadParameter, match="not an allowed value"):
        kb.query("links", country="NL")


def test_own_files(tmp_path):
    mine = stedenbanden.open(extra=[FIXTURES / "ghana-two-more-candidates.ttl"])
    assert len(mine.query("links", country="GH")) == 6
    assert "links" in mine.queries() and "Parameters:" in mine.describe("links")


def test_readme_python_example_shows_real_output():
    """The README's ```python block under "From Python" prints the ```text block after it."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## From Python", 1)[1].split("\n## ", 1)[0]
    code, shown = re.search(r"```python\n(.*?)```.*?```text\n(.*?)```", section, re.DOTALL).groups()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    assert out.getvalue() == shown
