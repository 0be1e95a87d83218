"""Rendering rows in the output formats every listing command shares: ``table`` (aligned text for a
terminal), ``md`` (a Markdown table), ``csv``, ``tsv`` and ``json`` (a list of objects).

Values render the same whatever engine produced them: decimals without trailing zeros, booleans as
``true``/``false``, unbound values as empty cells (``null`` in JSON). Only IRI values (never
strings) are ever changed: ``table`` shortens them with the known prefixes
(:mod:`stedenbanden.prefixes`, ``link:almelo-denizli``) and lists the prefixes it used below the
table; ``md`` shows each IRI's label, for pasting into a paper; ``csv``, ``tsv`` and ``json``
keep full IRIs. On a terminal ``table`` fits the terminal's width (:func:`fit_table`); written to
a pipe or a file, prose cells longer than 48 characters wrap and nothing else changes.

``csv``, ``tsv`` and ``json`` can be written row by row as the rows come (:func:`render_lines`,
:data:`STREAMED`), ``table`` and ``md`` only once every row is in (each column is as wide as its
longest cell); :class:`open_output` takes the pieces, for standard output or ``--output``.

The two table layouts are drawn here rather than with a table library: importing one (tabulate)
took longer than loading the whole knowledge base and answering the query, and ``kb`` is run
many times a day. The layout is that of tabulate's ``simple`` and ``github`` formats.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
from decimal import Decimal
from pathlib import Path
from typing import Iterable, Iterator, Mapping, Sequence

import click

from .errors import KbError, KbUsageError
from .prefixes import ALL as ALL_PREFIXES, shorten
from .store import IRI, Value

FORMATS = ("table", "csv", "tsv", "json", "md")
WRAP = 48  # in `table` output written to a pipe or a file, longer prose cells wrap onto more lines
_LAYOUT = "stedenbanden.layout"  # key of the layout options in the Click context's meta


SPARQL_RESULTS = ("sparql-json", "sparql-csv", "sparql-tsv")
"""The W3C SPARQL 1.1 Query Results formats (JSON, CSV and TSV) that ``kb sparql`` also writes."""


class NonEmptyPath(click.Path):
    """``click.Path`` that refuses an empty name. ``Path("")`` is ``.``, the current folder, which
    someone who passed ``''`` (an unset shell variable, say) did not mean to read, check or write."""

    empty = ""
    """The message for an empty name; by default it asks for a file or folder name, as the type allows."""

    def convert(self, value, param, ctx):
        if isinstance(value, str) and not value:
            kind = " or ".join(k for k, ok in (("file", self.file_okay), ("folder", self.dir_okay)) if ok)
            self.fail(self.empty or f"the name is empty; give a {kind} name", param, ctx)
        return super().convert(value, param, ctx)


class OutputFile(NonEmptyPath):
    """The Click type of every ``--output FILE``: a file path (not a folder), where ``-`` means
    standard output (the value becomes None, as when ``--output`` is not given) and a path that
    ends with ``/`` but names no folder is refused, rather than written as a file of that name."""

    empty = "the file name is empty; give a file name, or - for standard output"

    def __init__(self):
        super().__init__(dir_okay=False, path_type=Path)

    def convert(self, value, param, ctx):
        if isinstance(value, str):
            if value == "-":
                return None
            if value.endswith(("/", os.sep)) and not os.path.isdir(value):
                self.fail(f"{value}: ends with '/', so it names a folder, and there is no such folder; "
                          f"give a file name (e.g. {value}out.csv) in an existing folder, or create it first", param, ctx)
        return super().convert(value, param, ctx)


OUTPUT_FILE = OutputFile()


def output_options(command=None, formats: Sequence[str] = FORMATS):
    """Click decorator adding the shared ``--format`` (one of ``formats``, default ``table``) and
    ``--output FILE``, and the layout options ``--width N``, ``--wide`` and ``--bom`` (read with
    :func:`layout`). Use it bare, or called with other ``formats``."""
    if command is None:
        return lambda command: output_options(command, formats)

    def remember(ctx, param, value):
        if value is not None:
            ctx.meta.setdefault(_LAYOUT, {})[param.name] = value
        return value

    command = click.option("--bom", is_flag=True, default=None, expose_value=False, callback=remember,
                           help="Start csv or tsv output with a UTF-8 byte-order mark, so that Excel reads the accents right.")(command)
    command = click.option("--wide", is_flag=True, default=None, expose_value=False, callback=remember,
                           help="Do not fit table output to the terminal: full-width columns, as in a pipe.")(command)
    command = click.option("--width", type=click.IntRange(min=20), default=None, expose_value=False, callback=remember,
                           metavar="N", help="Fit table output to N characters (default: the terminal's width on a terminal).")(command)
    command = click.option(
        "--output", "-o", "output", type=OUTPUT_FILE, metavar="FILE",
        help="Write to FILE (atomically: complete or not at all) instead of standard output (-).",
    )(command)
    return click.option(
        "--format", "fmt", type=click.Choice(formats), default="table", show_default=True,
        help="Output format.",
    )(command)


def layout(output: Path | None = None) -> dict:
    """The :func:`render` options that the layout options of the running command ask for:
    ``width`` (``--width N``; else the terminal's width when ``table`` output goes to a terminal,
    not with ``--wide``, ``--output`` or a pipe: then None) and ``bom`` (``--bom``)."""
    ctx = click.get_current_context(silent=True)
    chosen = ctx.meta.get(_LAYOUT, {}) if ctx is not None else {}
    width = chosen.get("width")
    if width is None and not chosen.get("wide") and output is None and _stdout_is_terminal():
        import shutil

        width = shutil.get_terminal_size().columns
    return {"width": width, "bom": bool(chosen.get("bom"))}


def _stdout_is_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def reading(*paths: Path) -> None:
    """Note that the running command reads ``paths`` (its data, query or spreadsheet; a folder
    stands for every file under it), so that :func:`emit` never writes its output over one of them. Kept on the Click context of the run;
    outside a command it does nothing."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.meta.setdefault("stedenbanden.inputs", []).extend(Path(p) for p in paths if str(p) != "-")


def refuse_an_input(output: Path) -> None:
    """Raise :class:`KbUsageError` when ``output`` is a file this run reads (see :func:`reading`)."""
    ctx = click.get_current_context(silent=True)
    for path in (ctx.meta.get("stedenbanden.inputs", []) if ctx is not None else []):
        if _is_or_is_under(output, path):
            raise KbUsageError(f"{output}: is also an input of this command ({path}); write the output to "
                               "another file, so that the input is not replaced")


def _is_or_is_under(output: Path, path: Path) -> bool:
    """Whether ``output`` is the file ``path``, or (``path`` a folder) would be a file under it."""
    try:
        if os.path.samefile(output, path):
            return True
    except OSError:
        pass
    try:
        if not path.is_dir():
            return False
        folder = Path(os.path.realpath(path))
        target = Path(os.path.realpath(output))
    except OSError:
        return False
    return folder in target.parents


def emit(text_out: str, output: Path | None = None) -> None:
    """Write ``text_out`` to standard output, or to the file ``output``.

    A file is written to a temporary file beside it and renamed into place, so it is never left
    half-written (on an error, a full disk or Ctrl-C the previous file, if any, stays as it was).
    Raises :class:`KbUsageError` when the folder does not exist or ``output`` is one of the
    command's inputs (:func:`reading`), and :class:`KbError` when the file cannot be written.
    """
    with open_output(output) as out:
        out.write(text_out)


class _Stdout:
    """Standard output, written chunk by chunk and flushed after each, so a streamed answer
    shows as it comes (see :class:`Output`)."""

    def write(self, text_out: str) -> None:
        try:
            # color=True: Click would otherwise strip what looks like ANSI styling (ESC [ ... m, ESC [2J)
            # from output that is not a terminal, changing the data of a csv piped on; the table and
            # md formats have escaped every control character already (_one_line)
            click.echo(text_out, nl=False, color=True)
            sys.stdout.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise KbError(f"cannot write the output: {exc.strerror or exc}") from None


class _File:
    """An open ``--output`` file (see :class:`Output`): text goes to ``handle`` (binary) as UTF-8; ``commit``
    makes it the file, ``discard`` removes what was written when the run fails."""

    def __init__(self, output: Path, handle, tmp: str | None, target: Path, mode: int | None):
        self.output, self.handle, self.tmp, self.target, self.mode = output, handle, tmp, target, mode
        from .cache import sha256  # not hashlib, whose import costs every kb run milliseconds

        self.size = 0
        self.digest = sha256()  # of what is written, for the record of files kb wrote

    def write(self, text_out: str) -> None:
        data = text_out.encode("utf-8")  # encoded once, for the file and for its checksum
        try:
            self.handle.write(data)
        except OSError as exc:
            raise self._error(exc) from None
        if self.tmp is not None:
            self.size += len(data)
            self.digest.update(data)

    def _error(self, exc: OSError) -> KbError:
        if self.tmp is None:
            return KbError(f"{self.output}: cannot write to it ({exc.strerror or exc})")
        return KbError(f"{self.output}: cannot write the file ({exc.strerror or exc}); check the folder's "
                       "permissions and free space")

    def commit(self) -> None:
        try:
            if self.tmp is None:
                self.handle.close()
                return
            self.handle.flush()
            os.fsync(self.handle.fileno())
            self.handle.close()
            os.chmod(self.tmp, self.mode)  # mkstemp makes files private (0600); keep the file's mode or give the usual one
            os.replace(self.tmp, self.target)
            self.tmp = None
        except OSError as exc:
            raise self._error(exc) from None
        from .written import record

        record(self.target, self.size, self.digest.hexdigest())

    def discard(self) -> None:
        try:
            self.handle.close()
        except OSError:
            pass
        if self.tmp is not None and os.path.exists(self.tmp):
            os.unlink(self.tmp)
        self.tmp = None


class Sink:
    """Where a streamed answer goes: ``write(text)`` takes a piece of the answer (for standard
    output or ``--output``: :class:`open_output`), ``note(text)`` a line for standard error (a
    warning; dropped when ``note`` is None). The child process of :mod:`stedenbanden.bounded`
    hands its pieces to the same two methods over a pipe."""

    def __init__(self, write, note=None):
        self.write = write
        self.note = note if note is not None else (lambda text: None)


class open_output:  # noqa: N801 - used as a function: ``with open_output(path) as out``
    """Where a command writes its answer, chunk by chunk: ``with open_output(output) as out:
    out.write(text)``.

    Standard output (``output`` None) gets each chunk at once, so the first rows of a long
    listing show before the last is computed; when the command fails half-way, what was written
    stays written (the error follows on standard error). A file is written to a temporary file
    beside it and renamed into place only when the ``with`` block ends without an error, so it is
    never left half-written: on an error, a full disk or Ctrl-C the previous file, if any, stays
    as it was. A device or a FIFO is written into, never replaced.

    Entering raises :class:`KbUsageError` when the folder does not exist, ``output`` is a folder
    or is one of the command's inputs (:func:`reading`), and :class:`KbError` when the file cannot
    be written (also from ``write`` and on leaving).
    """

    def __init__(self, output: Path | None = None):
        self.output = output
        self.sink = None

    def __enter__(self):
        output = self.output
        if output is None:
            self.sink = _Stdout()
            return self.sink
        refuse_an_input(output)
        target, mode = _output_target(output)
        if mode is None:  # a device, a FIFO, a terminal: write into it, never replace it
            try:
                handle = open(target, "wb")
            except OSError as exc:
                raise KbError(f"{output}: cannot write to it ({exc.strerror or exc})") from None
            self.sink = _File(output, handle, None, target, None)
            return self.sink
        folder = target.parent if str(target.parent) else Path(".")
        if not folder.is_dir():
            raise KbUsageError(f"{output}: the folder {folder} does not exist; create it or choose another path")
        if target.exists():
            from .written import may_replace

            if not may_replace(target):
                raise KbUsageError(f"{output}: the file exists and kb did not write it (or it changed since); "
                                   "kb replaces only its own output: remove or rename the file, or choose another name")
        import tempfile

        tmp = None
        try:
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
            handle = os.fdopen(fd, "wb")
        except OSError as exc:
            if tmp is not None and os.path.exists(tmp):
                os.unlink(tmp)
            raise KbError(f"{output}: cannot write the file ({exc.strerror or exc}); check the folder's permissions and free space") from None
        self.sink = _File(output, handle, tmp, target, mode)
        return self.sink

    def __exit__(self, kind, exc, tb):
        if isinstance(self.sink, _File):
            if kind is None:
                try:
                    self.sink.commit()
                finally:
                    self.sink.discard()
            else:
                self.sink.discard()
        return False


def _output_target(output: Path) -> tuple[Path, int | None]:
    """Where ``--output`` really writes and with which mode: a symbolic link is followed to its
    target; an existing regular file keeps its permission bits; a new file gets 0666 minus the
    umask; ``None`` for anything that is not a regular file (a device, a FIFO), which is written
    into rather than replaced. Raises :class:`KbError` for a looping link or a folder."""
    import stat

    try:
        # a link to a pipe or a terminal (/dev/stdout -> /proc/self/fd/1 -> "pipe:[...]") is written
        # through the link: its resolved name is no path that can be opened
        if output.is_symlink() and not stat.S_ISREG(output.stat().st_mode) and not output.is_dir():
            return output, None
    except OSError:
        pass  # a dangling or looping link: named below
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


def text(value: Value) -> str:
    """One value as text: ``''`` for None, ``true``/``false`` for booleans, decimals in plain
    notation without trailing zeros (``Decimal('50.0')`` -> ``50``), anything else as it is."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return _decimal_text(value)
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


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""The control characters other than tab and line feed (C0, DEL and C1): in a terminal, ESC and
its kin start sequences that move the cursor, clear the screen or set the window title."""


def _one_line(cell: str) -> str:
    """A cell on one line and inert in a terminal: line breaks shown as ``\\n`` and ``\\r``, a tab
    as ``\\t``, any other control character as ``\\xNN``, so that data can neither break a table's
    layout nor send the terminal an escape sequence."""
    cell = cell.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", cell)


def _decimal_text(value: Decimal) -> str:
    plain = format(value.normalize(), "f")
    return plain if plain not in ("-0",) else "0"


def _json_value(value: Value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(_decimal_text(value))
    return value


TABLE_LIST_ITEMS = 25
"""In ``table``, a list cell (see :func:`render`'s ``lists``) shows at most this many items and
then how many more there are; the stored queries' lists on the shipped KB have at most 16. A
table is for reading at a terminal: on 10^6 triples the ``links`` cell of ``kb query themes`` has
over 10,000 items (4 MB), which csv, tsv, json and md give whole."""


def _shortened_list(cell: str, separator: str = "; ") -> str:
    """A list cell cut after :data:`TABLE_LIST_ITEMS` items, saying how many are left out."""
    items = cell.split(separator, TABLE_LIST_ITEMS)
    if len(items) <= TABLE_LIST_ITEMS:
        return cell
    more = cell.count(separator) + 1 - TABLE_LIST_ITEMS
    return separator.join(items[:TABLE_LIST_ITEMS]) + f"{separator}… and {more:,} more (--format csv or json lists all)"


def render(columns: Sequence[str], rows: Sequence[Sequence[Value]], fmt: str = "table",
           width: int | None = None, labels: Mapping[str, str] | None = None, bom: bool = False,
           lists: Sequence[str] = ()) -> str:
    """Render rows in ``fmt`` (one of :data:`FORMATS`) and return the text, ending in a newline.

    ``table`` shortens IRI values (:class:`stedenbanden.store.IRI`, never strings) with the known
    prefixes and lists the prefixes it used below the table. With ``width`` (in characters) the
    table fits that width (see :func:`fit_table`); without it, the layout does not depend on any
    terminal. ``md`` shows an IRI as its label from ``labels`` (IRI -> text), else in full.
    ``bom`` starts ``csv`` and ``tsv`` output with a UTF-8 byte-order mark, for Excel. ``lists``
    names the columns whose cells are ``"; "``-separated lists: ``table`` shows at most
    :data:`TABLE_LIST_ITEMS` items of each and says how many more there are.

    Raises ``ValueError`` for an unknown format.
    """
    if fmt in STREAMED:
        return "".join(render_lines(columns, rows, fmt, bom=bom))
    if fmt == "md":
        labels = labels or {}
        cells = [[_one_line(labels.get(v, v) if isinstance(v, IRI) else text(v)).replace("|", "\\|") for v in row]
                 for row in rows]
        widths = _widths(columns, cells)
        lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(columns, widths)) + " |",
                 "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
        lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |" for row in cells]
        return "\n".join(lines) + "\n"
    if fmt == "table":
        used: set[str] = set()
        cells = [[_one_line(_table_text(v, used)) for v in row] for row in rows]
        for i in [i for i, c in enumerate(columns) if c in lists]:
            for row in cells:
                row[i] = _shortened_list(row[i])
        body = fit_table(columns, cells, width) if width else _plain_table(columns, cells)
        return body + _legend(used, width)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


STREAMED = ("csv", "tsv", "json")
"""The formats written row by row as the rows come (:func:`render_lines`); ``table`` and ``md``
need every row first, to make the columns as wide as their longest cell."""


def render_lines(columns: Sequence[str], rows: Iterable[Sequence[Value]], fmt: str, bom: bool = False) -> Iterator[str]:
    """The text of :func:`render` for a format in :data:`STREAMED`, in pieces: the header, then
    one piece per row, taken from ``rows`` (any iterable, read once) only as the pieces are asked
    for, so that a caller can write the first rows of a long answer before the last is computed.
    The pieces joined are exactly what :func:`render` returns. Raises ``ValueError`` for a format
    that cannot be streamed."""
    if fmt == "json":
        # the same text as json.dumps(list_of_objects, indent=2), one object at a time: each
        # object's lines indented one level more (strings never hold a raw line break)
        start = "[\n  "
        for row in rows:
            obj = json.dumps({c: _json_value(v) for c, v in zip(columns, row)}, ensure_ascii=False, indent=2)
            yield start + obj.replace("\n", "\n  ")
            start = ",\n  "
        yield "[]\n" if start == "[\n  " else "\n]\n"
        return
    if fmt not in ("csv", "tsv"):
        raise ValueError(f"the format {fmt!r} cannot be written row by row; use one of {', '.join(STREAMED)}")
    out = io.StringIO()
    if bom:
        out.write("\ufeff")
    delimiter = "," if fmt == "csv" else "\t"
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    # the csv module does not quote a lone carriage return; such rows are quoted in full
    quoted = csv.writer(out, delimiter=delimiter, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(columns)
    yield out.getvalue()
    for row in rows:
        out.seek(0)
        out.truncate()
        cells = [spreadsheet_safe(v) for v in row]
        (quoted if any("\r" in c for c in cells) else writer).writerow(cells)
        yield out.getvalue()


def _table_text(value: Value, used: set[str]) -> str:
    """A value's text for ``table``: an IRI shortened with a known prefix (added to ``used``)."""
    if isinstance(value, IRI):
        short, prefix = shorten(value)
        if prefix:
            used.add(prefix)
        return short
    return text(value)


def _legend(used: set[str], width: int | None) -> str:
    """The lines below a table that say what each prefix used in it stands for."""
    if not used:
        return ""
    entries = [f"{p}: <{ALL_PREFIXES[p]}>" for p in sorted(used)]
    lines = ["Prefixes:"]
    for entry in entries:  # several to a line, as far as the width (or 100 characters) allows
        if len(lines[-1]) + 2 + len(entry) > (width or 100) and lines[-1] != "Prefixes:":
            lines.append("        ")
        lines[-1] += ("  " if lines[-1].strip() != "Prefixes:" else " ") + entry
    return "\n".join(lines) + "\n"


def _plain_table(columns: Sequence[str], cells: list[list[str]]) -> str:
    """The layout for pipes and files: prose cells longer than :data:`WRAP` wrap, nothing else."""
    import textwrap

    # wrap long prose, never an IRI or a path (cells without spaces)
    wrap = [any(len(row[i]) > WRAP and " " in row[i] for row in cells) for i in range(len(columns))]
    wrapped = [[textwrap.wrap(c, WRAP) or [""] if wrap[i] else [c] for i, c in enumerate(row)] for row in cells]
    widths = [max([len(h) + 2] + [len(line) for row in wrapped for line in row[i]])
              for i, h in enumerate(columns)]
    return _draw(columns, wrapped, widths)


def _draw(columns: Sequence[str], wrapped: list[list[list[str]]], widths: list[int], fit: bool = False) -> str:
    """The aligned lines of a table; with ``fit``, a header wider than its column wraps after an
    underscore (``published_`` / ``links``)."""
    heads = [_header_lines(h, w) if fit else [h] for h, w in zip(columns, widths)]
    lines = ["  ".join((head[k] if k < len(head) else "").ljust(w) for head, w in zip(heads, widths)).rstrip()
             for k in range(max((len(h) for h in heads), default=1))]
    lines.append("  ".join("-" * w for w in widths))
    for row in wrapped:
        for k in range(max(len(cell) for cell in row) if row else 0):
            lines.append("  ".join((cell[k] if k < len(cell) else "").ljust(w)
                                   for cell, w in zip(row, widths)).rstrip())
    return "\n".join(lines) + "\n"


def _header_parts(header: str) -> list[str]:
    """A column name cut after each underscore: the places where its header may wrap."""
    return re.findall(r"[^_]*_|[^_]+$", header) or [header]


def _header_lines(header: str, width: int) -> list[str]:
    lines = [""]
    for part in _header_parts(header):
        if lines[-1] and len(lines[-1]) + len(part) > width:
            lines.append("")
        lines[-1] += part
    return lines


MIN_PROSE = 12
COMFORTABLE = 24
"""In a fitted table a prose column is not made narrower than this (or its longest word), and
not narrower than COMFORTABLE while a long header can wrap instead."""


def _wrap(cell: str, width: int) -> list[str]:
    """``cell`` wrapped at spaces into lines of at most ``width``; a word is broken only when it
    is longer than a whole line."""
    import textwrap

    return textwrap.wrap(cell, width, break_on_hyphens=False) or [""]


def fit_table(columns: Sequence[str], cells: list[list[str]], width: int) -> str:
    """A table of one-line ``cells`` that is at most ``width`` characters wide.

    Columns keep their natural width when the table fits. Otherwise prose columns (cells with
    spaces) shrink, the widest first, and their cells wrap at spaces; keys (codes, IRIs, numbers:
    cells without spaces) never wrap. When even that cannot fit, every row is shown as a record,
    one ``column  value`` line per column, with values wrapped at spaces (a single word longer
    than the line, such as a long web address, is the only thing ever broken).
    """
    n = len(columns)
    gaps = 2 * (n - 1)
    natural = [max([len(h)] + [len(row[i]) for row in cells]) for i, h in enumerate(columns)]
    prose = [any(" " in row[i] for row in cells) for i in range(n)]
    head = [max(len(p) for p in _header_parts(h)) for h in columns]
    longest = [max([len(row[i]) for row in cells], default=0) for i in range(n)]
    minimum = [max([head[i], min(natural[i], MIN_PROSE)] + [len(w) for row in cells for w in row[i].split()])
               if prose[i] else max(head[i], longest[i]) for i in range(n)]
    if sum(natural) + gaps <= width:
        return _draw(columns, [[[c] for c in row] for row in cells], natural)
    if sum(minimum) + gaps <= width:
        widths = list(natural)
        excess = sum(widths) + gaps - width
        # one character at a time from the widest column that may give it: first prose columns
        # down to COMFORTABLE, then long headers (which wrap after an underscore), then prose again
        floors = ([max(minimum[i], COMFORTABLE) if prose[i] else widths[i] for i in range(n)],
                  [minimum[i] if not prose[i] else max(minimum[i], COMFORTABLE) for i in range(n)],
                  minimum)
        for floor in floors:
            while excess > 0:
                shrinkable = [i for i in range(n) if widths[i] > floor[i]]
                if not shrinkable:
                    break
                i = max(shrinkable, key=lambda i: (widths[i], -i))
                widths[i] -= 1
                excess -= 1
        wrapped = [[_wrap(c, widths[i]) if prose[i] else [c] for i, c in enumerate(row)] for row in cells]
        return _draw(columns, wrapped, widths, fit=True)
    return _records(columns, cells, width)


def _records(columns: Sequence[str], cells: list[list[str]], width: int) -> str:
    """Each row as a block of ``column  value`` lines under a ``-- row K of N --`` rule."""
    label = max((len(c) for c in columns), default=0)
    room = max(width - label - 2, 20)
    lines = []
    for k, row in enumerate(cells, 1):
        lines.append(f"-- row {k} of {len(cells)} ".ljust(width, "-"))
        for column, cell in zip(columns, row):
            for j, part in enumerate(_wrap(cell, room)):
                lines.append(((column if j == 0 else "").ljust(label) + "  " + part).rstrip())
    if not cells:
        lines += _wrap("(no rows; columns: " + ", ".join(columns) + ")", width)
    return "\n".join(lines) + "\n"
