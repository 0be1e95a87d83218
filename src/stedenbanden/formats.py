"""Rendering rows in the output formats every listing command shares: ``table`` (aligned text for a
terminal), ``md`` (a Markdown table), ``csv``, ``tsv`` and ``json`` (a list of objects).

Values render the same whatever engine produced them: decimals without trailing zeros, booleans as
``true``/``false``, unbound values as empty cells (``null`` in JSON). In ``table`` and ``md`` the
project's IRIs are shortened (``sbid:link/almelo-denizli``, ``tooi:gm0141``); ``csv``, ``tsv`` and
``json`` keep full IRIs. In ``table``, prose cells longer than 48 characters wrap.

The two table layouts are drawn here rather than with a table library: importing one (tabulate)
took longer than loading the whole knowledge base and answering the query, and ``kb`` is run
many times a day. The layout is that of tabulate's ``simple`` and ``github`` formats.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from decimal import Decimal
from pathlib import Path
from typing import Sequence

import click

from .errors import KbError, KbUsageError
from .store import Value

FORMATS = ("table", "csv", "tsv", "json", "md")
WRAP = 48  # in `table` output, longer cells wrap onto more lines
SHORT_IRIS = (
    ("https://w3id.org/stedenbanden/id/", "sbid:"),
    ("https://w3id.org/stedenbanden/def#", "sb:"),
    ("https://identifier.overheid.nl/tooi/id/gemeente/", "tooi:"),
    ("http://purl.org/dc/terms/", "dcterms:"),
    ("http://www.w3.org/2004/02/skos/core#", "skos:"),
    ("http://www.w3.org/2000/01/rdf-schema#", "rdfs:"),
    ("http://purl.org/linked-data/cube#", "qb:"),
    ("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdf:"),
)


def output_options(command):
    """Click decorator adding the shared ``--format`` (default ``table``) and ``--output FILE``."""
    command = click.option(
        "--output", "-o", "output", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
        help="Write to FILE (atomically: complete or not at all) instead of standard output.",
    )(command)
    return click.option(
        "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
        help="Output format.",
    )(command)


def emit(text_out: str, output: Path | None = None) -> None:
    """Write ``text_out`` to standard output, or to the file ``output``.

    A file is written to a temporary file beside it and renamed into place, so it is never left
    half-written (on an error, a full disk or Ctrl-C the previous file, if any, stays as it was).
    Raises :class:`KbUsageError` when the folder does not exist and :class:`KbError` when the
    file cannot be written.
    """
    if output is None:
        try:
            click.echo(text_out, nl=False)
            sys.stdout.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise KbError(f"cannot write the output: {exc.strerror or exc}") from None
        return
    target, mode = _output_target(output)
    if mode is None:  # a device, a FIFO, a terminal: write into it, never replace it
        try:
            with open(target, "w", encoding="utf-8", newline="") as handle:
                handle.write(text_out)
        except OSError as exc:
            raise KbError(f"{output}: cannot write to it ({exc.strerror or exc})") from None
        return
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise KbUsageError(f"{output}: the folder {folder} does not exist; create it or choose another path")
    tmp = None
    try:
        import tempfile

        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text_out)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)  # mkstemp makes files private (0600); keep the file's mode or give the usual one
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        raise KbError(f"{output}: cannot write the file ({exc.strerror or exc}); check the folder's permissions and free space") from None
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)


def _output_target(output: Path) -> tuple[Path, int | None]:
    """Where ``--output`` really writes and with which mode: a symbolic link is followed to its
    target; an existing regular file keeps its permission bits; a new file gets 0666 minus the
    umask; ``None`` for anything that is not a regular file (a device, a FIFO), which is written
    into rather than replaced. Raises :class:`KbError` for a looping link or a folder."""
    import stat

    try:
        target = Path(os.path.realpath(output, strict=False)) if output.is_symlink() else output
    except OSError as exc:
        raise KbError(f"{output}: cannot follow the symbolic link ({exc.strerror or exc}); fix the link or choose another path") from None
    try:
        info = target.stat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        if exc.errno == 40:  # ELOOP
            raise KbError(f"{output}: symbolic link loop; fix the link or choose another path") from None
        raise KbError(f"{output}: cannot write to it ({exc.strerror or exc})") from None
    if info is None:
        umask = os.umask(0)
        os.umask(umask)
        return target, 0o666 & ~umask
    if stat.S_ISDIR(info.st_mode):
        raise KbUsageError(f"{output}: is a folder; give a file name")
    if not stat.S_ISREG(info.st_mode):
        return target, None
    return target, stat.S_IMODE(info.st_mode)


def text(value: Value, shorten: bool = False) -> str:
    """One value as text: ``''`` for None, ``true``/``false`` for booleans, decimals in plain
    notation without trailing zeros (``Decimal('50.0')`` -> ``50``), IRIs optionally shortened."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return _decimal_text(value)
    if isinstance(value, str) and shorten:
        for long, short in SHORT_IRIS:
            if value.startswith(long):
                return short + value[len(long):]
    return str(value)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet run a cell as a formula (CSV injection, OWASP)."""


def spreadsheet_safe(value: Value) -> str:
    """A CSV/TSV cell that a spreadsheet shows rather than runs: text starting with ``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return gets a leading ``'``; numbers, and a lone ``-`` (the
    placeholder for "none"), stay as they are."""
    cell = text(value)
    if isinstance(value, str) and len(cell) > 1 and cell.startswith(FORMULA_START):
        return "'" + cell
    return cell


def _widths(columns, cells) -> list[int]:
    """Column widths: the longest cell, and at least the header plus two spaces."""
    return [max([len(h) + 2] + [len(row[i]) for row in cells]) for i, h in enumerate(columns)]


def _one_line(cell: str) -> str:
    """A cell on one line: line breaks shown as ``\\n`` so they cannot break a table's layout."""
    return cell.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\r")


def _decimal_text(value: Decimal) -> str:
    plain = format(value.normalize(), "f")
    return plain if plain not in ("-0",) else "0"


def _json_value(value: Value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(_decimal_text(value))
    return value


def render(columns: Sequence[str], rows: Sequence[Sequence[Value]], fmt: str = "table") -> str:
    """Render rows in ``fmt`` (one of :data:`FORMATS`) and return the text, ending in a newline.

    Raises ``ValueError`` for an unknown format.
    """
    if fmt == "json":
        objects = [{c: _json_value(v) for c, v in zip(columns, row)} for row in rows]
        return json.dumps(objects, ensure_ascii=False, indent=2) + "\n"
    if fmt in ("csv", "tsv"):
        out = io.StringIO()
        delimiter = "," if fmt == "csv" else "\t"
        writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
        # the csv module does not quote a lone carriage return; such rows are quoted in full
        quoted = csv.writer(out, delimiter=delimiter, lineterminator="\n", quoting=csv.QUOTE_ALL)
        writer.writerow(columns)
        for row in rows:
            cells = [spreadsheet_safe(v) for v in row]
            (quoted if any("\r" in c for c in cells) else writer).writerow(cells)
        return out.getvalue()
    if fmt == "md":
        cells = [[_one_line(text(v, shorten=True)).replace("|", "\\|") for v in row] for row in rows]
        widths = _widths(columns, cells)
        lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(columns, widths)) + " |",
                 "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
        lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |" for row in cells]
        return "\n".join(lines) + "\n"
    if fmt == "table":
        import textwrap

        cells = [[_one_line(text(v, shorten=True)) for v in row] for row in rows]
        # wrap long prose, never an IRI or a path (cells without spaces)
        wrap = [any(len(row[i]) > WRAP and " " in row[i] for row in cells) for i in range(len(columns))]
        wrapped = [[textwrap.wrap(c, WRAP) or [""] if wrap[i] else [c] for i, c in enumerate(row)] for row in cells]
        widths = [max([len(h) + 2] + [len(line) for row in wrapped for line in row[i]])
                  for i, h in enumerate(columns)]
        lines = ["  ".join(h.ljust(w) for h, w in zip(columns, widths)).rstrip(),
                 "  ".join("-" * w for w in widths)]
        for row in wrapped:
            for k in range(max(len(cell) for cell in row) if row else 0):
                lines.append("  ".join((cell[k] if k < len(cell) else "").ljust(w)
                                       for cell, w in zip(row, widths)).rstrip())
        return "\n".join(lines) + "\n"
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
