"""The stored queries, ``kb report`` and ``kb sparql`` on Apache Jena's ARQ engine (Debian's
libapache-jena-java 4.5), a second engine family beside Oxigraph and Virtuoso.

Debian ships Jena's libraries but not its Fuseki server, so the fixture serves the KB with a
small read-only SPARQL endpoint on ARQ (tests/jena/ArqEndpoint.java, run by Java's source
launcher) on a free 127.0.0.1 port, one graph per data set, stopped by its process id. ``kb load``
is therefore not tested on Jena. Debian's jena-core 4.5.0-2 moves Jena's copy of Xerces to the
package ``xerces`` but leaves its message bundles under ``org/apache/jena/ext/xerces``; without
them ARQ stops at start (ExceptionInInitializerError, "internal error" in
XSSimpleTypeDecl.applyFacets1), so the fixture copies the bundles to where the classes look,
in its temporary folder. Runs on its own: ``pytest tests/test_jena.py``.
"""

import csv
import io
import os
import shutil
import signal
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import virtuoso_server

from stedenbanden import catalogue, store
from stedenbanden.cli import cli
from stedenbanden.remote import Endpoint, ntriples
from stedenbanden.resources import resource

JAVA = Path("/usr/share/java")
JARS = ["jena-arq", "jena-base", "jena-core", "jena-iri", "jena-cmds", "jena-dboe-base", "jena-dboe-index",
        "jena-dboe-storage", "jena-dboe-trans-data", "jena-dboe-transaction", "jena-rdfconnection", "jena-tdb",
        "commons-cli", "commons-codec", "commons-compress", "commons-csv", "commons-io", "commons-lang3",
        "dexx.collection", "gson", "guava", "httpclient", "httpcore", "jackson-core", "jackson-databind",
        "jackson-annotations", "jsonld-java", "jakarta.json-api", "protobuf", "slf4j-api", "slf4j-nop", "thrift",
        "titanium-json-ld"]
"""The jars of libapache-jena-java and of the Debian packages it depends on that ARQ loads."""
FIXTURES = Path(__file__).parent / "fixtures"
BASE = "https://w3id.org/stedenbanden/graph/"
QUERIES = catalogue.catalogue()


def kbcli(*args, input=None):
    return CliRunner().invoke(cli, list(args), input=input)


def changed_data(folder: Path) -> Path:
    """The shipped data with Turkey's 13 links changed to 12 (as in tests/test_cli.py)."""
    data = folder / "changed"
    shutil.copytree(resource("data"), data)
    stats = data / "statistics-2007.ttl"
    stats.write_text(stats.read_text(encoding="utf-8").replace("sb:numberOfCityLinks 13 ;", "sb:numberOfCityLinks 12 ;"),
                     encoding="utf-8")
    return data


def data_sets(folder: Path) -> dict[str, list[Path]]:
    """Graph name -> the --data paths of that data set (none: the shipped data)."""
    return {"kb": [], "ghana": [resource("data"), FIXTURES / "ghana-five-named-links.ttl"],
            "changed": [changed_data(folder)]}


@pytest.fixture(scope="module")
def arq(tmp_path_factory):
    """A running ARQ endpoint (see the module docstring): yields (query URL, data sets)."""
    java = shutil.which("java")
    missing = [name for name in JARS if not (JAVA / f"{name}.jar").exists()]
    if not java or missing:
        virtuoso_server.missing(f"Apache Jena cannot run here (java: {java or 'missing'}; missing jars: "
                                f"{', '.join(missing) or 'none'}): run `sh tests/system-packages.sh`")
    folder = tmp_path_factory.mktemp("jena")
    bundles = folder / "bundles"
    with zipfile.ZipFile(JAVA / "jena-core.jar") as jar:
        for name in jar.namelist():
            if name.startswith("org/apache/jena/ext/xerces/") and name.endswith(".properties"):
                target = bundles / name.removeprefix("org/apache/jena/ext/")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    sets = data_sets(folder)
    graphs = []
    for name, data in sets.items():
        body, _ = ntriples(store.load(store.knowledge_base_files(data or None)))
        (folder / f"{name}.nt").write_bytes(body)
        graphs.append(f"{BASE}{name}={folder / f'{name}.nt'}")
    classpath = os.pathsep.join([str(bundles), *(str(JAVA / f"{name}.jar") for name in JARS)])
    process = subprocess.Popen([java, "-cp", classpath, str(Path(__file__).parent / "jena" / "ArqEndpoint.java"), *graphs],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=folder)
    try:
        line = process.stdout.readline()
        if not line.startswith("listening "):
            process.wait(timeout=30)
            pytest.fail(f"the ARQ endpoint did not start: {line}{process.stderr.read()[-2000:]}")
        yield f"http://127.0.0.1:{line.split()[1]}/query", sets
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
    assert process.poll() is not None


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_stored_query_parity(name, arq, kb):
    url, _ = arq
    assert QUERIES[name].run(Endpoint(url, BASE + "kb")) == QUERIES[name].run(kb)


@pytest.mark.parametrize("params", [{"country": "GH"}, {"country": "AN"}, {"status": "named", "cbs_code": "GM0599"},
                                    {"municipality": '"} ; DROP ALL ; #'}])
def test_parameters_are_bound_the_same_way(params, arq, kb):
    url, _ = arq
    assert QUERIES["links"].run(Endpoint(url, BASE + "kb"), params) == QUERIES["links"].run(kb, params)


@pytest.mark.parametrize("graph, exit_code, statuses", [
    ("kb", 0, {}),
    ("ghana", 1, {"links-GH": "CONTRADICTED"}),
    ("changed", 1, {"links-TR": "MISMATCH", "links-country-sum": "MISMATCH"}),
])
def test_report_equals_the_local_report(graph, exit_code, statuses, arq):
    url, sets = arq
    options = [arg for path in sets[graph] for arg in ("--data", str(path))]
    remote = kbcli("report", "--endpoint", url, "--graph", BASE + graph, "--format", "csv")
    local = kbcli(*options, "report", "--format", "csv")
    assert (remote.exit_code, remote.stdout, remote.stderr) == (local.exit_code, local.stdout, local.stderr)
    assert remote.exit_code == exit_code
    failed = {row["id"]: row["status"] for row in csv.DictReader(io.StringIO(remote.stdout)) if row["status"] != "OK"}
    assert failed == statuses


@pytest.mark.parametrize("query", [
    "PREFIX sb: <https://w3id.org/stedenbanden/def#> SELECT ?l WHERE { ?l a sb:CityLink } ORDER BY ?l",
    "PREFIX sb: <https://w3id.org/stedenbanden/def#> ASK { ?l a sb:CityLink }",
    "PREFIX sb: <https://w3id.org/stedenbanden/def#> CONSTRUCT { ?l sb:evidenceStatus ?s } WHERE { ?l sb:evidenceStatus ?s }",
], ids=["select", "ask", "construct"])
def test_kb_sparql_agrees(query, arq):
    url, _ = arq
    remote = kbcli("sparql", "-", "--endpoint", url, "--graph", BASE + "kb", input=query)
    assert remote.exit_code == 0, remote.output
    assert remote.stdout == kbcli("sparql", "-", input=query).stdout and remote.stdout.strip()
