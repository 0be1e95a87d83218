"""The knowledge base on Virtuoso Open Source (Debian's virtuoso-opensource 7.2), the store most
national linked-data portals run: started by the fixture in a temporary folder on free 127.0.0.1
ports (tests/virtuoso_server.py), loaded with ``kb load`` into a named graph through Virtuoso's
Digest-authenticated Graph Store endpoint, then every stored query, ``kb report`` and ``kb sparql``
compared with the embedded store. Runs on its own: ``pytest tests/test_virtuoso.py``.
"""

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

import virtuoso_server
from stedenbanden.cli import cli

GRAPH = "https://w3id.org/stedenbanden/graph/kb"


def kbcli(*args, input=None, env=None):
    """Run ``kb ARGS`` through CliRunner."""
    return CliRunner(env=env).invoke(cli, list(args), input=input)


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    """A running Virtuoso with an empty database; stopped (by its process id) after the module."""
    found = virtuoso_server.binaries()
    if isinstance(found, str):
        pytest.skip(f"SKIPPED LOUDLY: {found}")
    process, running = virtuoso_server.start(tmp_path_factory.mktemp("virtuoso"))
    try:
        yield running
    finally:
        virtuoso_server.stop(process)
    assert process.poll() is not None


def test_virtuoso_starts_in_its_own_folder_and_answers(virtuoso):
    """The fixture's Virtuoso answers SPARQL on 127.0.0.1 and keeps its database in the temporary folder."""
    from stedenbanden.remote import Endpoint

    assert virtuoso.url.startswith("http://127.0.0.1:")
    assert Endpoint(virtuoso.url).ask("ASK { }") is True
    assert (virtuoso.folder / "virtuoso.db").exists() and (virtuoso.folder / "virtuoso.log").exists()
    assert virtuoso.version.startswith("Version 7.2.")


@pytest.fixture(scope="module")
def loaded(virtuoso, kb):
    """The Virtuoso with the KB loaded by ``kb load`` into :data:`GRAPH`; yields the query URL."""
    result = kbcli("load", "--endpoint", virtuoso.url, "--graph", GRAPH, "--user", virtuoso.user,
                   env={"KB_ENDPOINT_PASSWORD": virtuoso.password})
    assert result.exit_code == 0, result.output
    return virtuoso.url


def kb_triples(kb):
    return len({(q.subject, q.predicate, q.object) for q in kb})


def test_load_into_a_named_graph_through_virtuosos_digest_graph_store(virtuoso, loaded, kb):
    """kb load finds /sparql-graph-crud-auth beside /sparql, answers its Digest challenge, and the
    count it checks afterwards is the KB's (2559 triples in the shipped KB, blank nodes included)."""
    from stedenbanden.remote import Endpoint

    count = kb_triples(kb)
    result = kbcli("load", "--endpoint", virtuoso.url, "--graph", GRAPH, "--user", virtuoso.user,
                   env={"KB_ENDPOINT_PASSWORD": virtuoso.password})
    assert result.exit_code == 0, result.output
    assert result.stdout == (f"Loaded {count} triples into graph <{GRAPH}> at {virtuoso.url} "
                             "(Graph Store HTTP Protocol).\n")
    assert Endpoint(virtuoso.url, GRAPH).count_triples() == count  # loading twice replaces
    assert virtuoso.password not in result.output


def test_load_into_the_default_graph_suggests_graph(virtuoso):
    result = kbcli("load", "--endpoint", virtuoso.url, "--user", virtuoso.user,
                   env={"KB_ENDPOINT_PASSWORD": virtuoso.password})
    assert result.exit_code == 1
    assert "is not configured to have default graph" in result.stderr
    assert "no writable default graph: load into a named graph with --graph IRI" in result.stderr
    assert "Traceback" not in result.output


def test_load_without_a_user_names_the_grant(virtuoso):
    """Virtuoso's anonymous Graph Store endpoint refuses writes (HTTP 403); the message says what to do."""
    result = kbcli("load", "--endpoint", virtuoso.url, "--graph", GRAPH + "/anonymous")
    assert result.exit_code == 1
    assert f"{virtuoso.url}-graph-crud answered HTTP 403: SQ110:SECURITY: Permission denied" in result.stderr
    assert "SPARQL_UPDATE role" in result.stderr


def test_load_with_a_wrong_password(virtuoso):
    result = kbcli("load", "--endpoint", virtuoso.url, "--graph", GRAPH + "/wrong", "--user", virtuoso.user,
                   env={"KB_ENDPOINT_PASSWORD": "not-the-password"})
    assert result.exit_code == 1
    assert "answered HTTP 401" in result.stderr
    assert "not-the-password" not in result.output


def test_load_through_sparql_update_skolemises_blank_nodes(virtuoso, kb):
    """Without a Graph Store URL kb load falls back to SPARQL Update at /sparql-auth (Digest); the
    KB's blank nodes arrive as IRIs under the project's genid namespace, one per blank node."""
    from stedenbanden.remote import SKOLEM_BASE, Endpoint

    graph = GRAPH + "/update"
    result = kbcli("load", "--endpoint", virtuoso.url, "--graph", graph, "--user", virtuoso.user,
                   "--store-endpoint", virtuoso.url.replace("/sparql", "/no-graph-store"),
                   env={"KB_ENDPOINT_PASSWORD": virtuoso.password})
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("(SPARQL Update).\n")
    store = Endpoint(virtuoso.url, graph)
    assert store.count_triples() == kb_triples(kb)
    skolem = store.select(f'SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o FILTER STRSTARTS(STR(?s), "{SKOLEM_BASE}") }}')
    blank_subjects = len({q.subject for q in kb if isinstance(q.subject, ox.BlankNode)})
    assert skolem.rows[0][0] == blank_subjects > 0
