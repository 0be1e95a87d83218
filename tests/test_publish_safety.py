"""`kb publish` into a folder that holds more than a release (issue 10): it replaces only the files
a previous release of kb wrote (its manifest), keeps everything else, refuses a folder that only
looks like a release, works in the current folder, refuses URLs that are no IRIs with one line,
and a Ctrl-C at the very end gives no traceback and a non-zero exit."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from stedenbanden import publish
from stedenbanden.cli import cli
from stedenbanden.errors import KbUsageError

DATE = dt.date(2026, 1, 15)


@pytest.fixture(scope="module")
def first(tmp_path_factory, kb, kb_files) -> Path:
    """A release of the shipped knowledge base, to copy into the tests' folders."""
    out = tmp_path_factory.mktemp("first") / "site"
    publish.publish(kb, kb_files, out, date=DATE)
    return out


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def user_files(folder: Path) -> dict[str, bytes]:
    """Files that are the user's, not kb's: a git repository, a CNAME, a README."""
    (folder / ".git" / "objects").mkdir(parents=True)
    (folder / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    (folder / ".git" / "objects" / "ab").write_bytes(b"\x00\x01packed")
    (folder / "CNAME").write_text("stedenbanden.example.org\n")
    (folder / "README").write_text("My notes on this site.\n")
    (folder / "doc" / "my-notes.html").write_text("<p>mine</p>\n")
    return {k: v for k, v in snapshot(folder).items()
            if k.startswith(".git/") or k in ("CNAME", "README", "doc/my-notes.html")}


def test_a_new_release_replaces_only_the_files_of_the_previous_one(first, tmp_path, kb, kb_files):
    target = tmp_path / "site"
    shutil.copytree(first, target)
    mine = user_files(target)
    # A file that the previous release wrote and the new one does not: it goes, and so does its folder.
    stale = target / "old-part" / "stale.svg"
    stale.parent.mkdir()
    stale.write_text("<svg/>")
    manifest = json.loads((target / publish.MANIFEST).read_text())
    manifest["files"]["old-part/stale.svg"] = hashlib.sha256(b"<svg/>").hexdigest()
    (target / publish.MANIFEST).write_text(json.dumps(manifest))

    result = publish.publish(kb, kb_files, target, version="9.9.9", date=DATE)

    after = snapshot(target)
    assert {k: after.get(k) for k in mine} == mine, "the user's files are as they were"
    assert not stale.exists() and not stale.parent.exists()
    assert "Release 9.9.9, issued 2026-01-15" in (target / "index.html").read_text(encoding="utf-8")
    assert sorted(result.files) == sorted(set(after) - set(mine))
    new_manifest = json.loads((target / publish.MANIFEST).read_text())
    assert set(new_manifest["files"]) == set(result.files) - {publish.MANIFEST}
    assert [p.name for p in target.iterdir() if p.name.startswith(".kb-publish")] == [], "no temporary folder left"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_folder_that_only_looks_like_a_release_is_refused(first, tmp_path, kb, kb_files):
    target = tmp_path / "site"
    shutil.copytree(first, target)
    (target / publish.MANIFEST).unlink()
    (target / "CNAME").write_text("example.org\n")
    before = snapshot(target)
    with pytest.raises(KbUsageError, match="looks like a release but has no manifest"):
        publish.publish(kb, kb_files, target)
    assert snapshot(target) == before


def test_a_manifest_kb_did_not_write_is_refused(first, tmp_path, kb, kb_files):
    target = tmp_path / "site"
    shutil.copytree(first, target)
    (target / publish.MANIFEST).write_text('{"generator": "me", "files": {"../../etc/passwd": "x"}}')
    before = snapshot(target)
    with pytest.raises(KbUsageError, match="is not a manifest written by kb publish"):
        publish.publish(kb, kb_files, target)
    assert snapshot(target) == before


def test_a_release_file_changed_by_the_user_is_not_overwritten(first, tmp_path, kb, kb_files):
    target = tmp_path / "site"
    shutil.copytree(first, target)
    (target / "index.html").write_text("<p>my own landing page</p>\n")
    before = snapshot(target)
    with pytest.raises(KbUsageError, match=r"changed since kb wrote them \(index\.html\)"):
        publish.publish(kb, kb_files, target)
    assert snapshot(target) == before


def test_a_new_file_never_takes_the_place_of_a_users_file(first, tmp_path, kb, kb_files):
    target = tmp_path / "site"
    shutil.copytree(first, target)
    manifest = json.loads((target / publish.MANIFEST).read_text())
    del manifest["files"]["browse.html"]  # as if the previous release had no browse.html ...
    (target / publish.MANIFEST).write_text(json.dumps(manifest))
    (target / "browse.html").write_text("<p>mine</p>\n")  # ... and this one is the user's
    before = snapshot(target)
    with pytest.raises(KbUsageError, match="would write browse.html, which kb did not write before"):
        publish.publish(kb, kb_files, target)
    assert snapshot(target) == before
    assert [p.name for p in target.iterdir() if p.name.startswith(".kb-publish")] == []


def test_a_release_folder_replaced_by_a_users_file_is_refused_before_anything_moves(first, tmp_path, kb, kb_files):
    target = tmp_path / "site"
    shutil.copytree(first, target)
    shutil.rmtree(target / "charts")
    (target / "charts").write_text("mine, where the release had a folder\n")
    before = snapshot(target)
    with pytest.raises(KbUsageError, match=r"changed since kb wrote them \(charts/"):
        publish.publish(kb, kb_files, target)
    assert snapshot(target) == before


@pytest.mark.parametrize("option", ["--endpoint-url", "--base-url"])
def test_urls_with_credentials_are_not_published(tmp_path, option):
    done = CliRunner().invoke(cli, ["publish", str(tmp_path / "out"), option, "https://u:secretpw@example.org/sparql"])
    assert done.exit_code == 2, done.output
    assert "holds a user name or password" in done.stderr and "secretpw" not in done.output
    assert not (tmp_path / "out").exists()


def test_publish_into_the_current_folder(tmp_path, monkeypatch):
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    done = CliRunner().invoke(cli, ["publish", ".", "--date", "2026-01-15"])
    assert done.exit_code == 0, done.output
    assert (here / "index.html").is_file() and (here / publish.MANIFEST).is_file()
    again = CliRunner().invoke(cli, ["publish", ".", "--version", "2.0"])
    assert again.exit_code == 0, again.output
    assert "Release 2.0" in (here / "index.html").read_text(encoding="utf-8")


def test_publish_into_a_current_folder_of_other_files_refuses_before_building(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("keep me")
    done = CliRunner().invoke(cli, ["publish", "."])
    assert done.exit_code == 2
    assert "not empty and holds no previous release" in done.stderr
    assert "[1/7]" not in done.stderr, "refused before building"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


@pytest.mark.parametrize("option", ["--endpoint-url", "--base-url"])
@pytest.mark.parametrize("char", ['"', "{", "|", "<", "\\"])
def test_urls_that_are_no_iris_are_refused_with_one_line(tmp_path, option, char):
    url = f"https://example.org/a{char}b/"
    done = CliRunner().invoke(cli, ["publish", str(tmp_path / "out"), option, url])
    assert done.exit_code == 2, done.output
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and option in lines[0] and "percent-encode" in lines[0], done.stderr
    assert "Traceback" not in done.output
    assert not (tmp_path / "out").exists()


INTERRUPTED = """
import atexit, os, signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)
import click
from stedenbanden.cli import main
from stedenbanden.publish import release

def ctrl_c():
    os.kill(os.getpid(), signal.SIGINT)

when = sys.argv[2]
if when == "during-move":
    move = release._move_into_place
    def interrupted_move(*args):
        ctrl_c()
        return move(*args)
    release._move_into_place = interrupted_move
elif when == "last-line":
    echo = click.echo
    def interrupted_echo(message=None, *args, **kwargs):
        echo(message, *args, **kwargs)
        if str(message).startswith("Browse it"):
            ctrl_c()
    click.echo = interrupted_echo
elif when == "at-exit":
    atexit.register(ctrl_c)
sys.argv = ["kb", "publish", sys.argv[1], "--date", "2026-01-15", "--version", "9.9.9"]
main()
"""


@pytest.mark.parametrize("when", ["during-move", "last-line", "at-exit"])
def test_ctrl_c_at_the_very_end_gives_no_traceback_and_a_non_zero_exit(first, tmp_path, when):
    """Ctrl-C (SIGINT) while the release is moved into place, when the command prints its last
    line, or while the interpreter shuts down: no traceback, a non-zero exit, and the folder holds
    the complete new release (the move is finished before the interrupt is acted on)."""
    target = tmp_path / "site"
    shutil.copytree(first, target)
    (target / "CNAME").write_text("example.org\n")
    done = subprocess.run([sys.executable, "-c", INTERRUPTED, str(target), when], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr, done.stderr
    assert done.returncode in (130, -signal.SIGINT), (done.returncode, done.stderr)
    if when != "at-exit":
        assert "kb publish: interrupted; the new release at" in done.stderr
    assert (target / "CNAME").read_text() == "example.org\n"
    assert "Release 9.9.9" in (target / "index.html").read_text(encoding="utf-8")
    check = subprocess.run(["sha256sum", "--quiet", "-c", "SHA256SUMS"], cwd=target, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert publish.is_release(target)
    assert [p.name for p in target.iterdir() if p.name.startswith(".kb-publish")] == []


def test_a_fresh_github_pages_checkout_takes_a_first_release(tmp_path, kb, kb_files):
    site = tmp_path / "site"
    (site / ".git" / "objects").mkdir(parents=True)
    (site / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    (site / "CNAME").write_text("stedenbanden.example.org\n")
    mine = snapshot(site)
    publish.publish(kb, kb_files, site, date=DATE)
    assert (site / "index.html").is_file() and (site / publish.MANIFEST).is_file()
    assert {k: v for k, v in snapshot(site).items() if k in mine} == mine
    listed = json.loads((site / publish.MANIFEST).read_text())
    assert not [p for p in json.dumps(listed).split('"') if p.startswith(".git/") or p == "CNAME"]


@pytest.mark.parametrize("other", ["README", "notes.txt"])
def test_a_checkout_with_other_files_is_still_refused(tmp_path, kb, kb_files, other):
    site = tmp_path / "site"
    (site / ".git").mkdir(parents=True)
    (site / "CNAME").write_text("stedenbanden.example.org\n")
    (site / other).write_text("mine\n")
    with pytest.raises(KbUsageError, match="folder is not empty and holds no previous release"):
        publish.publish(kb, kb_files, site, date=DATE)
    assert sorted(p.name for p in site.iterdir()) == sorted([".git", "CNAME", other])


@pytest.mark.parametrize("option", ["--extra-data", "--data"])
def test_data_inside_the_release_folder_is_refused_before_anything_changes(first, tmp_path, option):
    # `kb publish site --extra-data site/dumps/stedenbanden.ttl` used to rewrite its own input
    site = tmp_path / "site"
    shutil.copytree(first, site)
    before = snapshot(site)
    dump = site / "dumps" / "stedenbanden.ttl"
    result = CliRunner().invoke(cli, [option, str(dump), "publish", str(site), "--date", DATE.isoformat()])
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"Error: {dump}: lies in {site}, which kb publish replaces with the new release; "
                                     "copy the file out of that folder and give the copy")
    assert snapshot(site) == before


@pytest.mark.parametrize("name, rdf_format", [("links.jsonld", "JSON_LD"), ("links.rdf", "RDF_XML")])
def test_extra_data_in_other_rdf_formats_is_read_by_its_extension(tmp_path, name, rdf_format):
    # kb publish parsed every file as Turtle, while kb query and kb validate read these fine
    import pyoxigraph as ox

    store = ox.Store()
    link = ox.NamedNode("https://example.org/test-link")
    store.add(ox.Quad(link, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment"), ox.Literal("from " + name)))
    extra = tmp_path / name
    extra.write_bytes(store.dump(format=getattr(ox.RdfFormat, rdf_format), from_graph=ox.DefaultGraph()))
    result = CliRunner().invoke(cli, ["--extra-data", str(extra), "publish", str(tmp_path / "site"), "--date", DATE.isoformat()])
    assert result.exit_code == 0, result.stderr
    assert f'"from {name}"' in (tmp_path / "site" / "dumps" / "stedenbanden.nt").read_text(encoding="utf-8")
