"""Streamed output (issue 16, "Long listings"): the first rows of a long answer are written before
the last is computed, in the line formats (csv, tsv, json, the SPARQL results formats); a file
given with --output is still written completely or not at all.

No test here times anything: each shows the order of events (a row arrives while the query is
still running, or while the work that produces it waits for the reader to have seen it). How long
the first row takes is a figure of benchmarks/run.py."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from stedenbanden.bounded import run_streamed
from stedenbanden.cli import cli
from stedenbanden.formats import STREAMED, emit, render, render_lines
from stedenbanden.store import IRI

# 10^12 rows and no ORDER BY: Oxigraph hands out the first rows at once and never finishes
ENDLESS = "SELECT ?a ?b ?c WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }\n"
GUARD = 120  # seconds before a test gives up waiting for output that never comes (the old behaviour)


def test_the_reader_gets_the_first_piece_while_the_work_still_runs(tmp_path):
    """The child's work writes one piece and then waits until the parent has received it (the
    parent creates a file when it does): without streaming it would wait for ever (here: until
    the guard) and report that it never saw the reader get the first piece."""
    seen = tmp_path / "seen"
    received = []

    def work(out):
        out.write("first row\n")
        waited = time.monotonic() + GUARD
        while not seen.exists():
            if time.monotonic() > waited:
                return "the parent never got the first row while the work ran"
            time.sleep(0.01)
        out.note("a warning")
        out.write("second row\n")
        return "streamed"

    def write(text):
        received.append(("out", text))
        seen.touch()

    result = run_streamed(work, write, lambda text: received.append(("note", text)))
    assert result == "streamed"
    assert received == [("out", "first row\n"), ("note", "a warning"), ("out", "second row\n")]


def test_an_error_after_some_rows_keeps_the_rows_and_raises_the_error():
    from stedenbanden.errors import KbError

    received = []

    def work(out):
        out.write("row 1\n")
        raise KbError("q.rq: the query failed while running: the endpoint went away")

    with pytest.raises(KbError, match="the endpoint went away"):
        run_streamed(work, received.append)
    assert received == ["row 1\n"]


def test_a_large_answer_arrives_whole_and_in_order():
    rows = [f"row {i} é\n" for i in range(200_000)]  # several MiB: many batches and pipe reads
    received = []

    def work(out):
        for row in rows:
            out.write(row)
        return len(rows)

    assert run_streamed(work, received.append) == 200_000
    assert "".join(received) == "".join(rows)
    assert len(received) > 1  # batched, not one piece at the end


def _first_output(args, size):
    """Start ``kb ARGS``; return the first ``size`` bytes it writes, whether it was still running
    once they came, and its exit code after Ctrl-C."""
    process = subprocess.Popen([sys.executable, "-m", "stedenbanden", *map(str, args)], stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    got = []
    reader = threading.Thread(target=lambda: got.append(process.stdout.read(size)), daemon=True)
    reader.start()
    reader.join(GUARD)
    running = process.poll() is None
    process.send_signal(signal.SIGINT)
    try:
        process.communicate(timeout=30)
    except subprocess.TimeoutExpired:  # pragma: no cover - a defect, reported by the asserts below
        process.kill()
        process.communicate()
    return (got[0] if got else b""), running, process.returncode


@pytest.mark.parametrize("fmt, first", [
    ("csv", b"a,b,c\n"),
    ("tsv", b"a\tb\tc\n"),
    ("json", b"[\n"),
    ("sparql-csv", b"a,b,c\r\n"),
    ("sparql-tsv", b"?a\t?b\t?c\n"),
    ("sparql-json", b'{"head":{"vars":["a","b","c"]},"results":{"bindings":[{'),
])
def test_kb_sparql_writes_the_first_rows_of_a_query_that_has_not_finished(tmp_path, fmt, first):
    query = tmp_path / "endless.rq"
    query.write_text(ENDLESS, encoding="utf-8")
    start, running, code = _first_output(["sparql", query, "--format", fmt], len(first))
    assert start == first
    assert running, "the first line came only after the query ended"
    assert code == 130


def test_table_output_waits_for_every_row(tmp_path):
    # the table makes each column as wide as its longest cell: nothing before the last row
    query = tmp_path / "endless.rq"
    query.write_text(ENDLESS, encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "stedenbanden", "sparql", str(query), "--timeout", "3"],
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = process.communicate(timeout=GUARD)
    assert out == b""
    assert process.returncode == 1
    assert err.decode().strip() == f"Error: {query} did not finish within 3 s; raise --timeout or simplify the query"


def test_a_streamed_answer_that_times_out_leaves_the_output_file_as_it_was(tmp_path):
    query = tmp_path / "endless.rq"
    query.write_text(ENDLESS, encoding="utf-8")
    target = tmp_path / "rows.csv"
    emit("previous rows\n", target)  # an earlier output of kb (it replaces only its own files)
    result = CliRunner().invoke(cli, ["sparql", str(query), "--format", "csv", "--timeout", "2", "-o", str(target)])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {query} did not finish within 2 s; raise --timeout or simplify the query"
    assert target.read_text(encoding="utf-8") == "previous rows\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["endless.rq", "rows.csv"]


def test_a_streamed_answer_on_standard_output_keeps_the_rows_written_before_a_timeout(tmp_path):
    query = tmp_path / "endless.rq"
    query.write_text(ENDLESS, encoding="utf-8")
    result = CliRunner().invoke(cli, ["sparql", str(query), "--format", "csv", "--timeout", "2"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "a,b,c" and len(lines) > 1
    assert result.stderr.strip().endswith("did not finish within 2 s; raise --timeout or simplify the query")


def test_ctrl_c_stops_a_streamed_answer(tmp_path):
    query = tmp_path / "endless.rq"
    query.write_text(ENDLESS, encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "stedenbanden", "sparql", str(query), "--format", "csv"],
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout.readline() == b"a,b,c\n"
    kids = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert err.decode().strip() == "Interrupted."
    assert kids
    for pid in kids:
        with pytest.raises(ProcessLookupError):
            os.kill(int(pid), 0)


def test_a_reader_that_stops_early_ends_kb_quietly(tmp_path):
    query = tmp_path / "endless.rq"
    query.write_text(ENDLESS, encoding="utf-8")
    done = subprocess.run(f"{sys.executable} -m stedenbanden sparql {query} --format csv | head -3", shell=True,
                          capture_output=True, text=True, timeout=GUARD)
    assert done.stdout.splitlines()[0] == "a,b,c"
    assert len(done.stdout.splitlines()) == 3
    assert done.stderr == ""


# --- the stored queries: the same text streamed as before, warnings first -----------------------

@pytest.mark.parametrize("fmt", ["csv", "tsv", "json"])
def test_kb_query_streams_the_same_text_a_whole_render_gives(fmt):
    from stedenbanden.catalogue import catalogue, find
    from stedenbanden.store import knowledge_base_files, load
    from stedenbanden.entailment import materialise

    store = load(knowledge_base_files())
    materialise(store)
    result = find("countries", catalogue()).run(store)
    expected = render(result.columns, result.rows, fmt)
    out = CliRunner().invoke(cli, ["query", "countries", "--format", fmt])
    assert out.exit_code == 0
    assert out.stdout == expected
    if fmt == "csv":
        assert "TR,Turkey,13,33.3," in out.stdout  # NCDO 2008, section Aantal stedenbanden: 13 links with Turkey


def test_stored_query_rows_are_read_lazily():
    from stedenbanden.catalogue import catalogue, find
    from stedenbanden.store import knowledge_base_files, load
    from stedenbanden.entailment import materialise

    store = load(knowledge_base_files())
    materialise(store)
    query = find("countries", catalogue())
    columns, rows = query.stream(store)
    assert not isinstance(rows, (list, tuple))
    first = next(rows)
    assert columns[:2] == ("code", "country") and first[:3] == ("TR", "Turkey", 13)
    assert (first, *rows) == query.run(store).rows


def test_a_warning_comes_before_the_rows():
    result = CliRunner().invoke(cli, ["query", "links", "-p", "municipality=xyzzy", "--format", "csv"])
    assert result.exit_code == 0
    assert result.stderr.startswith("kb: --param municipality=xyzzy: no municipality matches")
    assert result.stdout.startswith("link,name,municipality,")


# --- the formats: pieces that join to exactly the whole text ------------------------------------

ROWS = [(IRI("https://w3id.org/stedenbanden/id/link/almelo-denizli"), "Almelo – Denizli", 13, None),
        ("=HYPERLINK(\"x\")", "two\nlines", -1, True),
        ("a\rb", "\"quoted\"", 2.5, False)]


@pytest.mark.parametrize("fmt", STREAMED)
@pytest.mark.parametrize("rows", [ROWS, []])
@pytest.mark.parametrize("bom", [False, True])
def test_render_lines_join_to_render(fmt, rows, bom):
    columns = ("link", "label", "n", "flag")
    pieces = list(render_lines(columns, iter(rows), fmt, bom=bom))
    assert "".join(pieces) == render(columns, rows, fmt, bom=bom)
    assert len(pieces) == len(rows) + 1
    if fmt == "json":
        assert json.loads("".join(pieces)) == [dict(zip(columns, r)) for r in rows]


def test_render_lines_reads_rows_only_as_asked():
    taken = []

    def rows():
        for i in range(3):
            taken.append(i)
            yield (i,)

    pieces = render_lines(("n",), rows(), "csv")
    assert next(pieces) == "n\n" and taken == []
    assert next(pieces) == "0\n" and taken == [0]


def test_render_lines_refuses_the_table_formats():
    with pytest.raises(ValueError, match="cannot be written row by row"):
        list(render_lines(("n",), [], "table"))
