"""The README's examples show real output: every ``$ kb ...`` line in a ``console`` block is run and
its standard output compared with the lines that follow it. ``sparql`` and ``turtle`` blocks whose
first line is a comment naming a file (``# name.rq: ...``) are written to that file first."""

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from stedenbanden.cli import cli

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.DOTALL)


def blocks():
    """(language, text) of every fenced block in the README, in order."""
    return BLOCK.findall(README.read_text(encoding="utf-8"))


def examples():
    """(command, expected stdout) for every ``$ kb`` line of a console block."""
    found = []
    for language, text in blocks():
        if language == "console":
            lines = text.splitlines()
            assert lines[0].startswith("$ kb "), lines[0]
            found.append((lines[0][2:], "\n".join(lines[1:]) + "\n"))
    return found


def test_readme_has_examples():
    assert len(examples()) >= 5


@pytest.mark.parametrize("command, expected", examples(), ids=[c for c, _ in examples()])
def test_readme_example_output(command, expected, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for language, text in blocks():
        named = re.match(r"# ([\w.-]+\.(?:rq|ttl)):", text)
        if language in ("sparql", "turtle") and named:
            Path(named.group(1)).write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, shlex.split(command)[1:])
    assert result.stdout == expected
