"""Shared fixtures: the shipped knowledge base, loaded once per test run, in the embedded Oxigraph
store and in an rdflib graph (for checking that stored queries are portable)."""

from pathlib import Path

import pytest

from stedenbanden import store

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def kb_files():
    """The ontology and shipped data files."""
    return store.knowledge_base_files()


@pytest.fixture(scope="session")
def kb(kb_files):
    """The shipped knowledge base in an Oxigraph store, with the ontology's RDFS entailments
    materialised, as kb has it (the rdflib graph below has none, so the portability tests also show
    that no stored query depends on them)."""
    from stedenbanden.entailment import materialise

    loaded = store.load(kb_files)
    materialise(loaded)
    return loaded


@pytest.fixture(scope="session")
def kb_rdflib(kb_files):
    """The shipped knowledge base in an rdflib graph, for rdflib's own SPARQL engine."""
    import rdflib

    graph = rdflib.Graph()
    for path in kb_files:
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(autouse=True)
def _own_cache_folder(tmp_path_factory, monkeypatch):
    """Every test gets an empty cache folder of its own (the on-disk indexes of large data and the
    query-header cache), so no test writes to the user's ~/.cache or sees another test's index;
    and a state folder of its own (the record of the files kb wrote: stedenbanden.written)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("xdg-state")))
