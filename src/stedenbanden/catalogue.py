"""The stored queries: one SPARQL file per statistic or table in ``queries/``, each opening with a
metadata header of ``#+ key: value`` comment lines (YAML, as in CLARIAH grlc), so the file stays
valid SPARQL.

Header keys: ``summary`` (one line), ``description``, ``figures`` (ids of the report figures the
query regenerates), ``params`` (a mapping of parameter name to ``type`` — ``string``, ``integer``
or ``code`` — ``description``, for codes the ``allowed`` values, a ``pattern`` the value must
match, ``upper: true`` to upper-case it first, and ``lang`` to bind it as text in that language),
``lists`` (columns holding
``; ``-separated lists, whose items are sorted so output is the same on every engine). A parameter ``x`` is the
query variable ``?x``; its value is bound as an RDF literal, never pasted into the query text.
Files named ``*-violation.rq`` are checks that must return no rows.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import pyoxigraph as ox

from .errors import BadParameter, KbError, UnknownQuery
from .resources import resource
from .store import XSD, Binding, Result, select, sort_lists

PARAM_TYPES = ("string", "integer", "code")


@dataclass(frozen=True)
class Param:
    """A declared query parameter: bound to the variable ``?name`` as a literal of ``type``."""

    name: str
    type: str = "string"
    description: str = ""
    allowed: tuple[str, ...] = ()
    pattern: str | None = None
    upper: bool = False
    lang: str | None = None

    def bind(self, value: str) -> Binding:
        """Check ``value`` and return it as a literal binding.

        Raises :class:`BadParameter` for a non-integer value of an integer parameter, a value that
        does not match ``pattern``, or a code outside ``allowed`` (the message lists them).
        """
        if self.type == "integer":
            try:
                return Binding(str(int(value.strip())), XSD + "integer")
            except ValueError:
                raise BadParameter(f"--param {self.name}={value}: expected a whole number") from None
        if self.upper:
            value = value.upper()
        if self.pattern and not re.fullmatch(self.pattern, value):
            raise BadParameter(f"--param {self.name}={value}: expected {self.description or self.pattern}")
        if self.allowed and value not in self.allowed:
            raise BadParameter(f"--param {self.name}={value}: not an allowed value; use one of {', '.join(self.allowed)}")
        return Binding(value, language=self.lang)


@dataclass(frozen=True)
class StoredQuery:
    """A stored query: its ``name`` (the file stem), file ``path``, full ``text`` and header fields."""

    name: str
    path: Path
    text: str
    summary: str
    description: str = ""
    figures: tuple[str, ...] = ()
    params: Mapping[str, Param] = field(default_factory=dict)
    lists: tuple[str, ...] = ()

    def run(self, engine, given: Mapping[str, str] | None = None) -> Result:
        """Run the query with the ``--param`` values ``given`` (name -> text) on ``engine``: an
        embedded Oxigraph store, or a remote :class:`stedenbanden.remote.Endpoint`.

        Returns the rows with list cells sorted (see :func:`stedenbanden.store.sort_lists`).
        Raises :class:`BadParameter` for undeclared or ill-typed parameters and the errors of
        :func:`stedenbanden.store.select` or :meth:`stedenbanden.remote.Endpoint.select`.
        """
        bindings = self.bindings(given or {})
        if isinstance(engine, ox.Store):
            # sorts the list cells while reading the rows, each distinct cell once
            return select(engine, self.text, bindings, origin=str(self.path), lists=self.lists)
        result = engine.select(self.text, bindings, origin=str(self.path))
        return sort_lists(result, self.lists)

    @property
    def is_violation_check(self) -> bool:
        """True for ``*-violation`` queries, which must return no rows on valid data."""
        return self.name.endswith("-violation")

    def bindings(self, given: Mapping[str, str]) -> dict[str, Binding]:
        """Bind the ``--param`` values ``given`` (name -> text) to this query's declared parameters.

        Raises :class:`BadParameter` for a name the query does not declare (listing those it does)
        or a value of the wrong type.
        """
        bound = {}
        for name, value in given.items():
            if name not in self.params:
                declared = ", ".join(sorted(self.params)) or "none"
                raise BadParameter(f"query {self.name!r} has no parameter {name!r}; its parameters: {declared}")
            bound[name] = self.params[name].bind(value)
        return bound


class _HeaderCache:
    """Parsed ``#+`` headers kept between runs, keyed by the header text's SHA-256, in
    ``$XDG_CACHE_HOME/stedenbanden/query-headers.json`` (default ``~/.cache``; a relative
    ``XDG_CACHE_HOME`` is ignored, as the XDG specification says, and nothing is cached when the
    home folder does not exist).

    Importing PyYAML costs about 40 ms, a fifth of a ``kb query`` run; a header seen before is
    read from this JSON file instead. Only headers that survive a JSON round trip unchanged are
    kept, a header whose text changes gets a new key, and an entry that is not a well-formed header
    (or was written by another version of kb) is parsed anew, so the cache never changes a result.
    A cache that cannot be read or written is ignored.
    """

    VERSION = 2

    def __init__(self):
        base = os.environ.get("XDG_CACHE_HOME", "")
        if not os.path.isabs(base):
            home = os.path.expanduser("~")
            base = os.path.join(home, ".cache") if os.path.isabs(home) and os.path.isdir(home) else ""
        self.path = Path(base) / "stedenbanden" / "query-headers.json" if base else None
        self._entries: dict | None = None

    def _load(self) -> dict:
        if self._entries is None:
            self._entries = {}
            try:
                stored = json.loads(self.path.read_text(encoding="utf-8")) if self.path else None
            except (OSError, ValueError):
                stored = None
            if isinstance(stored, dict) and stored.get("version") == self.VERSION and isinstance(stored.get("headers"), dict):
                self._entries = stored["headers"]
        return self._entries

    @staticmethod
    def _digest(source: str) -> str:
        import hashlib

        return hashlib.sha256(source.encode("utf-8")).hexdigest()

    @classmethod
    def _check(cls, digest: str, header: dict) -> str:
        return cls._digest(digest + "\n" + json.dumps(header, sort_keys=True, ensure_ascii=False))

    def get(self, key: str) -> dict | None:
        """The cached header for the header text ``key``, or None if there is none fit to use.

        Entries are keyed by the SHA-256 of the header text and carry a checksum of that key and
        the parsed header, so an entry that was edited by hand (or belongs to other text) is
        ignored and the header parsed anew."""
        digest = self._digest(key)
        entry = self._load().get(digest)
        if not isinstance(entry, dict) or not _well_formed(entry.get("header")):
            return None
        header = entry["header"]
        return header if entry.get("check") == self._check(digest, header) else None

    def put(self, key: str, header: dict) -> None:
        """Keep ``header`` under ``key`` and rewrite the cache file (atomically; errors ignored)."""
        try:
            if json.loads(json.dumps(header)) != header:
                return
        except (TypeError, ValueError):
            return
        entries = self._load()
        digest = self._digest(key)
        entries[digest] = {"header": header, "check": self._check(digest, header)}
        if self.path is None:
            return
        import tempfile

        temporary = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=self.path.parent, delete=False,
                                             suffix=".tmp") as handle:
                temporary = handle.name
                json.dump({"version": self.VERSION, "headers": entries}, handle, sort_keys=True)
            os.replace(temporary, self.path)
            temporary = None
        except OSError:
            pass
        finally:
            if temporary is not None:
                try:
                    os.unlink(temporary)
                except OSError:
                    pass


def _well_formed(header) -> bool:
    """Whether a header mapping has the shapes :func:`read_query` relies on."""
    return (isinstance(header, dict) and isinstance(header.get("summary"), str) and bool(header["summary"])
            and isinstance(header.get("description", ""), str)
            and isinstance(header.get("params") or {}, dict)
            and all(isinstance(spec or {}, dict) for spec in (header.get("params") or {}).values())
            and isinstance(header.get("figures") or [], list) and isinstance(header.get("lists") or [], list))


_HEADERS = _HeaderCache()


def parse_header(text: str, origin: str) -> dict:
    """Return the YAML mapping held in the ``#+`` lines at the top of a query (parsed with
    PyYAML, or taken from :class:`_HeaderCache` when this exact header was parsed before).

    Raises :class:`KbError` naming ``origin`` when the header is not valid YAML or lacks a summary.
    """
    lines = []
    for line in text.splitlines():
        if line.startswith("#+"):
            lines.append(line[3:] if line.startswith("#+ ") else line[2:])
        elif line.strip() and not line.startswith("#"):
            break
    source = "\n".join(lines)
    header = _HEADERS.get(source)
    if header is None:
        import yaml

        try:
            header = yaml.load(source, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
        except yaml.YAMLError as exc:
            raise KbError(f"{origin}: the '#+' header is not valid YAML: {exc}") from None
        if _well_formed(header):
            _HEADERS.put(source, header)
    if not isinstance(header, dict) or not header.get("summary"):
        raise KbError(f"{origin}: the '#+' header needs at least a 'summary:' line")
    return header


def read_query(path: Path) -> StoredQuery:
    """Read one ``.rq`` file with its header. Raises :class:`KbError` for a malformed header."""
    text = path.read_text(encoding="utf-8")
    header = parse_header(text, str(path))
    params = {}
    declared = header.get("params") or {}
    if not isinstance(declared, dict):
        raise KbError(f"{path}: 'params:' in the '#+' header must map each parameter name to its settings")
    for name, spec in declared.items():
        spec = spec or {}
        if not isinstance(spec, dict):
            raise KbError(f"{path}: parameter {name!r} needs settings such as 'type: string' in the '#+' header")
        kind = spec.get("type", "string")
        if kind not in PARAM_TYPES:
            raise KbError(f"{path}: parameter {name!r} has type {kind!r}; use one of {', '.join(PARAM_TYPES)}")
        params[name] = Param(name, kind, spec.get("description", ""), tuple(str(v) for v in spec.get("allowed", ())),
                             spec.get("pattern"), bool(spec.get("upper", False)), spec.get("lang"))
    return StoredQuery(
        name=path.stem,
        path=path,
        text=text,
        summary=str(header["summary"]).strip(),
        description=str(header.get("description", "")).strip(),
        figures=tuple(header.get("figures") or ()),
        params=params,
        lists=tuple(header.get("lists") or ()),
    )


class Catalogue(Mapping[str, StoredQuery]):
    """The stored queries of a folder by name, in name order; each file is read and its header
    parsed only when that query is first asked for (``kb query themes`` reads one file)."""

    def __init__(self, folder: Path):
        self._paths = {p.stem: p for p in sorted(folder.glob("*.rq"))}
        self._read: dict[str, StoredQuery] = {}

    def __getitem__(self, name: str) -> StoredQuery:
        if name not in self._read:
            self._read[name] = read_query(self._paths[name])
        return self._read[name]

    def __iter__(self):
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)


def catalogue(folder: Path | None = None) -> Catalogue:
    """All stored queries in ``folder`` (default: the shipped ``queries/``), by name, sorted."""
    return Catalogue(folder or resource("queries"))


def find(name: str, queries: Mapping[str, StoredQuery] | None = None) -> StoredQuery:
    """The stored query called ``name``.

    Raises :class:`UnknownQuery`, listing close matches or else every name.
    """
    queries = queries if queries is not None else catalogue()
    if name in queries:
        return queries[name]
    close = difflib.get_close_matches(name, list(queries), n=3, cutoff=0.6)
    hint = f"did you mean {', '.join(close)}?" if close else f"stored queries: {', '.join(queries)}"
    raise UnknownQuery(f"no stored query named {name!r}; {hint} (kb query --list shows them all)")
