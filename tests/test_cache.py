"""The on-disk index of large data (``stedenbanden.cache``): built once, opened read-only after,
never stale, never half-trusted, safe with several processes, harmless without a cache folder.

``KB_INDEX_ABOVE=0`` makes the shipped KB itself count as large, so the tests run on real data
in a second; each test has its own ``XDG_CACHE_HOME``."""

import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from stedenbanden import cache, catalogue, store
from stedenbanden.cli import build_index, cli

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    home = tmp_path / "cache-home"
    home.mkdir()
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.setenv("KB_INDEX_ABOVE", "0")
    monkeypatch.delenv("KB_NO_CACHE", raising=False)
    return home


def stores(home: Path) -> list[str]:
    folder = home / "stedenbanden" / "stores"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def run(*args, **kwargs):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False, **kwargs)
    return result


def build(s, paths):
    """The index as kb builds it: parsed, with the ontology's RDFS entailments materialised."""
    build_index(s, paths)


def test_small_data_is_not_indexed_on_disk_but_snapshotted(tmp_path, monkeypatch):
    # small data stays in memory (no on-disk Oxigraph store), read from a snapshot after the first run
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("KB_INDEX_ABOVE", raising=False)
    result = run("query", "countries", "--format", "csv")
    assert result.exit_code == 0
    assert "TR,Turkey,13," in result.output
    [key] = stores(tmp_path)
    assert sorted(p.name for p in (tmp_path / "stedenbanden" / "stores" / key).iterdir()) == ["index.json", "quads.nq"]


# --- the snapshot of small data (cache.open_snapshot) -------------------------------------------

@pytest.fixture
def snapshot_home(tmp_path, monkeypatch):
    home = tmp_path / "cache-home"
    home.mkdir()
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv("KB_INDEX_ABOVE", raising=False)
    monkeypatch.delenv("KB_NO_CACHE", raising=False)
    return home


def _fail_to_parse(monkeypatch):
    monkeypatch.setattr(store, "load", lambda *a, **k: pytest.fail("parsed again"))


def test_second_run_reads_the_snapshot_and_answers_the_same(snapshot_home, monkeypatch):
    first = run("query", "countries", "--format", "csv")
    assert first.exit_code == 0 and "TR,Turkey,13," in first.output
    [key] = stores(snapshot_home)
    _fail_to_parse(monkeypatch)
    second = run("query", "countries", "--format", "csv")
    assert second.output == first.output
    assert stores(snapshot_home) == [key]
    shown = run("cache", "--format", "csv")
    assert shown.output.splitlines()[1].startswith(f"{key[:12]},10274,")  # the shipped KB with its entailments


def test_every_stored_query_gives_the_same_rows_from_the_snapshot(snapshot_home, kb, kb_files):
    from stedenbanden.cli import State

    assert run("query", "countries").exit_code == 0  # writes the snapshot
    state = State()
    snap = state.store()
    assert snap is not kb and len(snap) == len(kb)
    for query in catalogue.catalogue().values():
        assert query.run(snap) == query.run(kb), query.name


def test_changed_content_is_not_answered_from_the_old_snapshot(snapshot_home, tmp_path):
    data = tmp_path / "mine.ttl"
    data.write_text("@prefix ex: <https://example.org/> .\nex:a ex:b 1 .\n", encoding="utf-8")
    query = tmp_path / "q.rq"
    query.write_text("SELECT ?o WHERE { <https://example.org/a> <https://example.org/b> ?o }\n", encoding="utf-8")
    assert run("--extra-data", str(data), "sparql", str(query), "--format", "csv").output == "o\n1\n"
    stat = data.stat()
    data.write_text("@prefix ex: <https://example.org/> .\nex:a ex:b 2 .\n", encoding="utf-8")
    os.utime(data, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size and modification time
    assert run("--extra-data", str(data), "sparql", str(query), "--format", "csv").output == "o\n2\n"
    assert len(stores(snapshot_home)) == 2


@pytest.mark.parametrize("damage", ["truncate", "drop-lines", "no-meta", "edit-same-size"])
def test_a_damaged_snapshot_is_rebuilt_never_trusted(snapshot_home, damage):
    first = run("query", "countries", "--format", "csv")
    [key] = stores(snapshot_home)
    folder = snapshot_home / "stedenbanden" / "stores" / key
    quads = folder / "quads.nq"
    lines = quads.read_bytes().splitlines(keepends=True)
    if damage == "truncate":
        quads.write_bytes(b"".join(lines)[:-100])
    elif damage == "drop-lines":  # same size, fewer triples: the count catches it
        kept = b"".join(lines[:-50])
        quads.write_bytes(kept + b"#" * (quads.stat().st_size - len(kept) - 1) + b"\n")
    elif damage == "edit-same-size":  # a fresh user's edit: Turkey's 13 links made 14, size kept
        whole = b"".join(lines)
        where = whole.index(b'"13"^^<http://www.w3.org/2001/XMLSchema#integer>')
        quads.write_bytes(whole[:where] + b'"14"' + whole[where + 4:])
        assert quads.stat().st_size == len(whole)
    else:
        (folder / "index.json").unlink()
    again = run("query", "countries", "--format", "csv")
    assert again.exit_code == 0 and again.output == first.output
    assert stores(snapshot_home) == [key]
    assert len(quads.read_bytes().splitlines()) == len(lines)


@pytest.mark.parametrize("kind", ["index", "snapshot"])
def test_a_file_changed_while_it_is_read_is_kept_under_no_key(cache_home, tmp_path, monkeypatch, kind):
    """A fresh user changed a data file while the first run indexed it: the index held the new
    content under the old content's key and gave the wrong counts ever after. Now the files are
    hashed again after reading; a change is an error naming the file, and nothing is kept."""
    if kind == "snapshot":
        monkeypatch.delenv("KB_INDEX_ABOVE")
    mine = tmp_path / "mine.ttl"
    mine.write_text("@prefix ex: <https://example.org/> .\nex:a ex:b 1 .\n", encoding="utf-8")
    real = store.bulk_load if kind == "index" else store.load

    def read_then_change(*args, **kwargs):
        done = real(*args, **kwargs)
        mine.write_text("@prefix ex: <https://example.org/> .\nex:a ex:b 2 .\n", encoding="utf-8")
        return done

    monkeypatch.setattr(store, "bulk_load" if kind == "index" else "load", read_then_change)
    query = "SELECT ?o WHERE { <https://example.org/a> <https://example.org/b> ?o }\n"
    changed = run("sparql", "-", "--extra-data", str(mine), "--format", "csv", input=query)
    assert changed.exit_code == 1
    assert f"{mine}: the file changed while kb read it" in changed.output and "run the command again" in changed.output
    assert stores(cache_home) == []
    monkeypatch.setattr(store, "bulk_load" if kind == "index" else "load", real)
    assert run("sparql", "-", "--extra-data", str(mine), "--format", "csv", input=query).output == "o\n2\n"
    assert len(stores(cache_home)) == 1


def test_no_snapshot_with_no_cache(snapshot_home, monkeypatch):
    assert run("query", "countries", "--no-cache").exit_code == 0
    assert stores(snapshot_home) == []


def test_first_run_builds_second_opens(cache_home, monkeypatch):
    first = run("query", "countries", "--format", "csv")
    assert first.exit_code == 0 and "TR,Turkey,13," in first.output
    [key] = stores(cache_home)
    assert len(key) == 64
    # the second run must open the index, not parse: parsing is made to fail
    monkeypatch.setattr(store, "bulk_load", lambda *a, **k: pytest.fail("parsed again"))
    second = run("query", "countries", "--format", "csv")
    assert second.output == first.output
    assert stores(cache_home) == [key]
    shown = run("cache", "--format", "csv")
    assert shown.exit_code == 0
    assert shown.output.splitlines()[1].startswith(key[:12] + ",")


def test_every_stored_query_gives_the_same_rows_from_the_index(cache_home, kb, kb_files):
    indexed = cache.open_store(kb_files, build)
    assert indexed is not None
    for name, query in catalogue.catalogue().items():
        computed = query.run(indexed).rows
        assert computed == query.run(kb).rows, name
        assert query.run(indexed).rows == computed, name  # the second time from the kept results
    kept, _ = cache.list_results()
    assert sum(count for count, _size in kept.values()) == len(catalogue.catalogue())


# --- the kept results of stored queries on an index (cache.query_results) ---------------------

def results(home: Path) -> list[Path]:
    folder = home / "stedenbanden" / "results"
    return sorted(folder.rglob("*.tsv")) if folder.is_dir() else []


def test_the_second_run_of_a_stored_query_reads_its_kept_result(cache_home, monkeypatch):
    first = run("query", "countries", "--format", "csv")
    assert first.exit_code == 0 and "TR,Turkey,13," in first.output
    [kept] = results(cache_home)
    assert kept.parent.name == stores(cache_home)[0]  # under its index's key
    assert kept.read_bytes().startswith(b"kb-query-results ")
    # the second run must not run the query: running it is made to fail
    real = catalogue.run
    monkeypatch.setattr(catalogue, "run", lambda *a, **k: pytest.fail("the query ran again"))
    second = run("query", "countries", "--format", "csv")
    assert second.exit_code == 0 and second.output == first.output
    monkeypatch.setattr(catalogue, "run", real)
    for fmt in ("json", "table"):
        assert run("query", "countries", "--format", fmt).output == run("query", "countries", "--format", fmt, "--no-cache").output


def test_other_parameters_are_other_results(cache_home):
    ghana = run("query", "links", "-p", "country=GH", "--format", "csv").output
    morocco = run("query", "links", "-p", "country=MA", "--format", "csv").output
    assert "Almere – Kumasi" in ghana and "Almere – Kumasi" not in morocco
    assert ",MA," in morocco.splitlines()[1] and ",GH," in ghana.splitlines()[1]
    assert len(results(cache_home)) == 2
    assert run("query", "links", "-p", "country=GH", "--format", "csv").output == ghana
    assert run("query", "links", "-p", "country=GH", "--format", "csv", "--no-cache").output == ghana


@pytest.mark.parametrize("damage", ["truncate", "flip", "header", "empty"])
def test_a_damaged_kept_result_is_computed_again_never_trusted(cache_home, damage):
    expected = run("query", "countries", "--format", "csv", "--no-cache").output
    run("query", "countries", "--format", "csv")
    [kept] = results(cache_home)
    whole = kept.read_bytes()
    if damage == "truncate":
        kept.write_bytes(whole[: len(whole) * 2 // 3])
    elif damage == "flip":
        where = whole.rindex(b"Turkey")
        kept.write_bytes(whole[:where] + b"Turkez" + whole[where + 6:])
    elif damage == "header":
        kept.write_bytes(b"kb-query-results 00 12\n" + whole.partition(b"\n")[2])
    else:
        kept.write_bytes(b"")
    again = run("query", "countries", "--format", "csv")
    assert again.exit_code == 0 and again.output == expected
    assert kept.read_bytes() == whole  # computed and kept again


def test_no_kept_results_without_the_cache_or_for_small_data(cache_home, monkeypatch):
    assert run("query", "countries", "--no-cache").exit_code == 0
    assert results(cache_home) == []
    monkeypatch.delenv("KB_INDEX_ABOVE")  # the shipped KB alone: a snapshot in memory, no index
    assert run("query", "countries").exit_code == 0
    assert results(cache_home) == []


def test_cache_lists_and_clears_kept_results_and_nothing_else(cache_home):
    run("query", "countries")
    run("query", "themes")
    shown = run("cache", "--format", "csv")
    assert shown.output.splitlines()[0] == "index,triples,size_mb,query_results,files"
    assert shown.output.splitlines()[1].split(",")[3] == "2"
    [key] = stores(cache_home)
    folder = cache_home / "stedenbanden" / "results" / key
    (folder / "my-notes.txt").write_text("mine\n", encoding="utf-8")
    (folder / ("." + "c" * 64 + ".tsv.x1.part")).write_bytes(b"half")
    cleared = run("cache", "--clear")
    assert cleared.exit_code == 0
    assert "and 3 kept query results" in cleared.output
    assert results(cache_home) == [] and sorted(p.name for p in folder.iterdir()) == ["my-notes.txt"]


SUPERCLASSES = ("SELECT (COUNT(DISTINCT ?l) AS ?collaborations) (COUNT(DISTINCT ?p) AS ?partner_governments) "
                "(COUNT(DISTINCT ?m) AS ?members) WHERE { { ?l a org:OrganizationalCollaboration } "
                "UNION { ?p a sb:PartnerGovernment } UNION { ?x org:hasMember ?m } }")


def test_the_index_holds_the_rdfs_entailments(cache_home):
    """kb sparql from the on-disk index finds the instances of superclasses and super-properties as
    the in-memory store does: the 31 recorded links as org:OrganizationalCollaboration, 26
    partners as sb:PartnerGovernment, 43 members (17 Dutch municipalities and 26 partners)."""
    indexed = run("sparql", "-", "--format", "csv", input=SUPERCLASSES)
    assert len(stores(cache_home)) == 1  # answered from an index
    plain = run("sparql", "-", "--format", "csv", "--no-cache", input=SUPERCLASSES)
    assert indexed.output.splitlines() == plain.output.splitlines() == [
        "collaborations,partner_governments,members", "31,26,43"]


def test_changed_content_with_the_same_mtime_is_not_answered_from_the_old_index(cache_home, tmp_path):
    mine = tmp_path / "mine.ttl"
    source = (FIXTURES / "ghana-two-more-candidates.ttl").read_text(encoding="utf-8")
    mine.write_text(source, encoding="utf-8")
    stamp = os.stat(mine).st_mtime_ns
    before = run("query", "coverage", "--extra-data", str(mine), "--format", "csv")
    ghana = [line for line in before.output.splitlines() if line.startswith("GH,")]
    # the same file emptied of its links (a comment only would hold no triples), mtime kept
    mine.write_text("@prefix ex: <https://example.org/> .\nex:a ex:b ex:c .\n", encoding="utf-8")
    os.utime(mine, ns=(stamp, stamp))
    after = run("query", "coverage", "--extra-data", str(mine), "--format", "csv")
    plain = run("query", "coverage", "--format", "csv", "--no-cache")
    assert [line for line in after.output.splitlines() if line.startswith("GH,")] == \
        [line for line in plain.output.splitlines() if line.startswith("GH,")] != ghana
    assert len(stores(cache_home)) == 2


@pytest.mark.parametrize("damage", ["truncate", "delete", "meta", "flip"])
def test_a_damaged_index_is_rebuilt_never_trusted(cache_home, damage):
    """``flip``: bytes changed all through the store's files, sizes kept, as a fresh user did; the
    links query then made Oxigraph run out of memory ("stopped without an answer")."""
    expected = run("query", "links", "--format", "csv", "--no-cache").output
    run("query", "links", "--format", "csv")
    for kept in (cache_home / "stedenbanden" / "results").rglob("*.tsv"):
        kept.unlink()  # the query must read the index, not its kept result
    [key] = stores(cache_home)
    folder = cache_home / "stedenbanden" / "stores" / key
    sst = sorted(folder.rglob("*.sst")) or sorted(p for p in folder.iterdir() if p.is_file() and p.name != "index.json")
    if damage == "truncate":
        with sst[0].open("r+b") as handle:
            handle.truncate(max(1, sst[0].stat().st_size // 2))
    elif damage == "delete":
        sst[0].unlink()
    elif damage == "flip":
        for path in sst:
            data = bytearray(path.read_bytes())
            for offset in range(1000, len(data) - 1000, 99_991):
                data[offset] ^= 0xFF
            path.write_bytes(bytes(data))
    else:
        (folder / "index.json").write_text('{"format": 1, "key": "0000", "files": [], "triples": 1}', encoding="utf-8")
    again = run("query", "links", "--format", "csv")
    assert again.exit_code == 0
    assert again.output == expected
    assert stores(cache_home) == [key]
    assert (folder / "index.json").read_text(encoding="utf-8").count(key) == 1


def test_a_syntax_error_is_reported_as_without_the_cache_and_leaves_nothing(cache_home):
    broken = str(FIXTURES / "broken-unterminated-string.ttl")
    cached = CliRunner().invoke(cli, ["query", "countries", "--extra-data", broken])
    plain = CliRunner().invoke(cli, ["query", "countries", "--extra-data", broken, "--no-cache"])
    assert cached.exit_code == plain.exit_code == 1
    assert cached.output == plain.output
    assert "broken-unterminated-string.ttl, line" in cached.output
    assert stores(cache_home) == []


def test_two_processes_at_once_build_one_index(cache_home):
    env = {**os.environ}
    command = [sys.executable, "-m", "stedenbanden", "query", "countries", "--format", "csv"]
    procs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(3)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outputs
    assert len({out for out, _ in outputs}) == 1
    assert b"TR,Turkey,13," in outputs[0][0]
    names = stores(cache_home)
    assert len(names) == 1 and len(names[0]) == 64  # no .build-* folder left behind


def test_no_usable_cache_folder_loads_into_memory(tmp_path, monkeypatch):
    monkeypatch.setenv("KB_INDEX_ABOVE", "0")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be\n", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    result = run("query", "countries", "--format", "csv")
    assert result.exit_code == 0 and "TR,Turkey,13," in result.output
    assert blocker.read_text(encoding="utf-8") == "a file where the cache folder would be\n"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")
    monkeypatch.setenv("HOME", str(tmp_path / "no-such-home"))
    result = run("query", "countries", "--format", "csv")
    assert result.exit_code == 0 and "TR,Turkey,13," in result.output
    assert not Path("relative").exists()


def test_no_cache_flag_and_environment(cache_home, monkeypatch):
    assert run("query", "countries", "--no-cache").exit_code == 0
    assert stores(cache_home) == []
    monkeypatch.setenv("KB_NO_CACHE", "1")
    assert run("query", "countries").exit_code == 0
    assert stores(cache_home) == []


def test_clear_removes_only_indexes(cache_home):
    run("query", "countries")
    folder = cache_home / "stedenbanden" / "stores"
    (folder / "notes.txt").write_text("mine\n", encoding="utf-8")
    (folder / (".build-" + "a" * 64 + "-x1")).mkdir()
    (cache_home / "stedenbanden" / "other.json").write_text("{}", encoding="utf-8")
    theirs = folder / ("b" * 64)  # a folder of the user's that only has an index's name
    theirs.mkdir()
    (theirs / "my-own-file.txt").write_text("mine\n", encoding="utf-8")
    shown = run("cache", "--format", "csv")
    assert "incomplete or damaged" in shown.output and "b" * 12 not in shown.output
    cleared = run("cache", "--clear")
    assert cleared.exit_code == 0
    assert cleared.output.startswith("Removed 2 cached indexes and 1 kept query result (")
    assert stores(cache_home) == ["b" * 64, "notes.txt"]
    assert (theirs / "my-own-file.txt").read_text(encoding="utf-8") == "mine\n"
    assert (cache_home / "stedenbanden" / "other.json").exists()


def test_an_index_that_rocksdb_reports_damaged_is_removed_with_a_message(cache_home, kb_files):
    """A damaged block that the checks at opening miss is found by RocksDB when it is read
    ("Corruption: block checksum mismatch ..."): kb then removes that index and its kept results
    and says so, and the next run builds it again."""
    indexed = cache.open_store(kb_files, build)
    catalogue.catalogue()["countries"].run(indexed)  # a kept result
    [key] = stores(cache_home)
    assert cache.forget_damaged("the query failed while running: timeout") == ""
    hint = cache.forget_damaged("the query links stopped without an answer (out of memory?)")
    assert "`kb cache --clear` removes it" in hint and stores(cache_home) == [key]
    said = cache.forget_damaged("the query failed while running: Corruption: block checksum mismatch in 000081.sst")
    assert said == (f" The cached index {cache_home / 'stedenbanden' / 'stores' / key} is damaged; kb removed it: "
                    "run the command again to build it anew.")
    assert stores(cache_home) == [] and results(cache_home) == []


def test_clear_leaves_a_build_in_progress_alone(cache_home, kb_files):
    """A fresh user ran `kb cache --clear` while another run built its first index: the build's
    files vanished under it ("cannot read the file ... check its permissions", blaming the data)
    and the clear itself failed. A build whose store another process holds open is left alone."""
    folder = cache_home / "stedenbanden" / "stores"
    folder.mkdir(parents=True)
    building = folder / (".build-" + "d" * 64 + "-abc123")
    script = ("import pyoxigraph as ox, sys; s = ox.Store(sys.argv[1]); print('open', flush=True); sys.stdin.read()")
    holder = subprocess.Popen([sys.executable, "-c", script, str(building)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "open\n"
        assert cache.being_built(building)
        assert cache.list_indexes()[1] == []
        cleared = run("cache", "--clear")
        assert cleared.exit_code == 0 and building.is_dir()
    finally:
        holder.communicate("")
    assert not cache.being_built(building)
    assert cache.list_indexes()[1] == [building]  # ended without finishing: a leftover now
    assert run("cache", "--clear").exit_code == 0 and not building.exists()


def test_an_unusable_cache_folder_is_said_not_silent(tmp_path, monkeypatch, kb_files):
    """A fresh user's XDG_CACHE_HOME was a file: every run parsed again without a word (8.5 s
    instead of 0.2 s), and `kb cache` said "0 indexes in" a path that cannot exist. A person at a
    terminal is now told once per run, and `kb cache` names the file in the way."""
    monkeypatch.setenv("KB_INDEX_ABOVE", "0")
    monkeypatch.delenv("KB_NO_CACHE", raising=False)
    blocker = tmp_path / "a-file"
    blocker.write_text("mine\n", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    told: list[str] = []
    assert cache.open_store(kb_files, build, announce=told.append) is None
    assert told == [f"kb: cannot keep an index in {blocker / 'stedenbanden' / 'stores'} (a file stands in its way), "
                    "so the files are parsed on every run; set XDG_CACHE_HOME to a writable folder to index them once"]
    shown = run("cache")
    assert shown.exit_code == 1
    assert f"{blocker} is not a folder, so kb can keep no cache there" in shown.output
    assert blocker.read_text(encoding="utf-8") == "mine\n"
    monkeypatch.setenv("XDG_CACHE_HOME", "")
    monkeypatch.setenv("HOME", str(tmp_path / "no-such-home"))
    shown = run("cache")
    assert shown.exit_code == 1
    assert f"XDG_CACHE_HOME is not set and the home folder {tmp_path / 'no-such-home'} does not exist" in shown.output


def test_a_successful_build_removes_builds_abandoned_long_ago(cache_home, kb_files):
    """A `kb` run killed while it built an index leaves its `.build-*` folder (hundreds of MB at
    10^6 triples); only `kb cache --clear` removed it, so the cache grew with every such kill. The
    next successful build removes leftovers older than :data:`cache.ABANDONED_AFTER` seconds,
    and leaves alone a recent one (a build that may not have opened its store yet), one that
    another process holds open, and everything that is not kb's."""
    folder = cache_home / "stedenbanden" / "stores"
    folder.mkdir(parents=True)
    old = folder / (".build-" + "e" * 64 + "-old1")
    recent = folder / (".build-" + "f" * 64 + "-new1")
    for leftover in (old, recent):
        s = ox.Store(str(leftover))  # an interrupted build: a RocksDB store, no index.json
        del s
    theirs = folder / (".build-" + "a" * 64 + "-mine")
    theirs.mkdir()
    (theirs / "notes.txt").write_text("mine\n", encoding="utf-8")
    long_ago = os.stat(old).st_mtime - 2 * cache.ABANDONED_AFTER
    for path in (old, theirs):
        os.utime(path, (long_ago, long_ago))
    assert cache.list_indexes()[1] == [old, recent]
    assert cache.open_store(kb_files, build) is not None
    assert not old.exists()
    assert recent.is_dir() and (theirs / "notes.txt").read_text(encoding="utf-8") == "mine\n"
