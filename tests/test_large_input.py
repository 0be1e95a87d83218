"""A 50 MB Turtle file (10^6 synthetic triples, about 47 MB) validates and queries without running
out of memory, and long steps show progress on a terminal. Slow (a few minutes): it runs the real
commands in subprocesses and reads their peak memory."""

import resource
import subprocess
import sys

import click
import pytest

from stedenbanden import synthetic
from stedenbanden.cli import Steps, _load_progress

LIMIT_MIB = 4096  # far below the 24 GiB of the machine; a leak or a whole-file copy would show


@pytest.fixture(scope="module")
def big_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("large") / "synthetic-1e6.ttl"
    path.write_text(synthetic.generate(1_000_000, seed=1), encoding="utf-8")
    assert path.stat().st_size > 45 * 1024 * 1024
    return path


def run_kb(*args):
    """Run ``python -m stedenbanden ARGS``; return (exit code, stdout, stderr, peak MiB of the child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run([sys.executable, "-m", "stedenbanden", *map(str, args)], capture_output=True, text=True)
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    return done.returncode, done.stdout, done.stderr, peak


def test_large_file_queries(big_file):
    count = "SELECT (COUNT(?l) AS ?links) WHERE { ?l a <https://w3id.org/stedenbanden/def#CityLink> }"
    query = big_file.with_suffix(".rq")
    query.write_text(count, encoding="utf-8")
    code, out, err, peak = run_kb("--data", big_file, "sparql", query, "--format", "csv")
    assert code == 0, err
    assert int(out.splitlines()[1]) > 10_000
    assert peak < LIMIT_MIB


def test_large_file_validates(big_file):
    code, out, err, peak = run_kb("validate", big_file)
    assert code == 0, out + err
    assert out.startswith("OK: 1 file(s) conform")
    assert peak < LIMIT_MIB


def test_progress_is_shown_on_a_terminal(monkeypatch, tmp_path, capsys):
    class Terminal:
        def __init__(self, stream):
            self.stream = stream

        def isatty(self):
            return True

        def __getattr__(self, name):
            return getattr(self.stream, name)

    monkeypatch.setattr(sys, "stderr", Terminal(sys.stderr))
    monkeypatch.setattr(click.utils, "_default_text_stderr", lambda: sys.stderr, raising=False)
    advance = _load_progress(tmp_path / "big.ttl", 20 * 1024 * 1024)
    assert advance is not None
    advance(20 * 1024 * 1024)
    with Steps() as steps:
        steps("checking 1,000,000 triples against the shapes with turbo")
    err = capsys.readouterr().err
    assert "Loading big.ttl" in err
    assert "kb: checking 1,000,000 triples against the shapes with turbo ... 0 s" in err
    assert "kb: checking 1,000,000 triples against the shapes with turbo ... done in 0.0 s" in err


def test_no_progress_in_pipes_or_for_small_files(tmp_path):
    assert _load_progress(tmp_path / "small.ttl", 1000) is None
