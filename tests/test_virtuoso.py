"""The knowledge base on Virtuoso Open Source (Debian's virtuoso-opensource 7.2), the store most
national linked-data portals run: started by the fixture in a temporary folder on free 127.0.0.1
ports (tests/virtuoso_server.py), loaded with ``kb load`` into a named graph through Virtuoso's
Digest-authenticated Graph Store endpoint, then every stored query, ``kb report`` and ``kb sparql``
compared with the embedded store. Runs on its own: ``pytest tests/test_virtuoso.py``.
"""

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
