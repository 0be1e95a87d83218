"""The stored queries: one SPARQL file per statistic or table in ``queries/``, each opening with a
metadata header of ``#+ key: value`` comment lines (YAML, as in CLARIAH grlc), so the file stays
valid SPARQL.

Header keys: ``summary`` (one line), ``description``, ``figures`` (ids of the report figures the
query regenerates), ``params`` (a mapping of parameter name to ``type`` — ``string``, ``integer``
or ``code`` — ``description``, for codes the ``allowed`` values, a ``pattern`` the value must
match, ``upper: true`` to upper-case it first, and ``lang`` to bind it as text in that language),
``lists`` (columns holding
``; ``-separated lists, whose items are sorted so output is the same on every engine) and
``columns`` (a mapping of each result column to its meaning, shown by ``kb query NAME --describe``). A parameter ``x`` is the
query variable ``?x``; its value is bound as an RDF literal, never pasted into the query text.
Files named ``*-violation.rq`` are checks that must return no rows.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Mapping, Sequence

import pyoxigraph as ox

from .errors import BadParameter, KbError, UnknownQuery
from .resources import resource
from .store import XSD, Binding, Result, run, select, solution_rows, sort_lists

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
            folded = {a.casefold(): a for a in self.allowed}
            if value.casefold() not in folded:
                raise BadParameter(f"--param {self.name}={value}: not an allowed value; use one of {', '.join(self.allowed)}")
            value = folded[value.casefold()]
        return Binding(value, language=self.lang)

    def split(self, values: Sequence[str]) -> list[str]:
        """The values of repeated ``-p NAME=VALUE`` options, a code parameter's also split at
        commas (``status=named,active-june-2007``), without blanks and repeats, in the order given.
        An empty value is a blank too: no parameter matches the empty text."""
        items = [part.strip() for v in values for part in (v.split(",") if self.type == "code" else [v])]
        return list(dict.fromkeys(i for i in items if i))

    @property
    def example(self) -> str:
        """A value to show in a message: the first allowed one, else the "e.g." of the description."""
        if self.allowed:
            return self.allowed[0]
        shown = re.search(r"e\.g\. ([^)]+)\)", self.description or "")
        return shown.group(1) if shown else "..."

    def expand(self, values: Sequence[str], engine) -> list[str]:
        """The codes that ``values`` stand for. A code outside ``allowed`` that is the notation
        of a concept whose narrower concepts have allowed codes stands for those codes (``AN-AW``:
        ``AN`` and ``AW``, from ``skos:narrower`` in the knowledge base on ``engine``), and
        :data:`TOTAL_CODE` stands for every allowed code. Other values are returned as given."""
        if self.type != "code" or not self.allowed:
            return list(values)
        folded = {a.casefold() for a in self.allowed}
        out: list[str] = []
        for value in values:
            if value.casefold() in folded:
                out.append(value)
            elif value.casefold() == TOTAL_CODE.casefold():
                out.extend(self.allowed)
            else:
                narrower = _narrower_codes(engine, value)
                out.extend(narrower if narrower and {n.casefold() for n in narrower} <= folded else [value])
        return list(dict.fromkeys(out))

    def roll_ups(self, engine) -> dict[str, list[str]]:
        """Codes that stand for several allowed codes (see :meth:`expand`): code -> its codes."""
        if self.type != "code" or not self.allowed:
            return {}
        found = _narrower_codes(engine, None)
        folded = {a.casefold() for a in self.allowed}
        ups = {code: sorted(parts, key=list(self.allowed).index) for code, parts in sorted(found.items())
               if code.casefold() not in folded and {p.casefold() for p in parts} <= folded}
        ups[TOTAL_CODE] = list(self.allowed)
        return ups


LANGUAGES = ("en", "nl")
"""The languages of the labels (``--lang``): English (the default) and Dutch."""
_LABEL_LANGUAGE = re.compile(r'(\bLANG\s*\(\s*\?\w+\s*\)\s*=\s*)"en"', re.IGNORECASE)

TOTAL_CODE = "_T"
"""The code of the total (SDMX's ``_T``, as ``kb query countries`` prints it): as a code parameter's
value it stands for every allowed code."""

_NARROWER = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?code ?narrower WHERE { ?concept skos:notation ?code ; skos:narrower+/skos:notation ?narrower }"""


def _narrower_codes(engine, code: str | None):
    """The notations of the concepts narrower than the concept with notation ``code`` (a list), or
    for ``code`` None every such notation -> its narrower notations (a dict)."""
    if engine is None:
        return [] if code is not None else {}
    if isinstance(engine, ox.Store):
        result = select(engine, _NARROWER, origin="skos:narrower")
    else:
        result = engine.select(_NARROWER, origin="skos:narrower")
    found: dict[str, list[str]] = {}
    for broader, narrower in result.rows:
        found.setdefault(str(broader), []).append(str(narrower))
    if code is None:
        return found
    folded = {k.casefold(): v for k, v in found.items()}
    return sorted(set(folded.get(code.casefold(), [])))


def normalised(name: str) -> str:
    """A name as compared when matching: without accents, case, spaces and punctuation
    (``'s-Gravenhage`` and ``s-gravenhage`` -> ``sgravenhage``, ``Curaçao`` -> ``curacao``)."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c)).casefold()


_LABELS = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?name ?label WHERE {
  ?resource skos:prefLabel ?name ; skos:prefLabel|skos:altLabel|rdfs:label ?label .
}"""


def values_clause(bindings: Mapping[str, Sequence[Binding]]) -> str:
    """A trailing ``VALUES`` clause giving each variable one of its values (every combination),
    each value serialised as an RDF literal by pyoxigraph, so it is data, never query text."""
    names = sorted(bindings)
    rows = [()]
    for name in names:
        rows = [row + (b,) for row in rows for b in bindings[name]]
    body = " ".join("(" + " ".join(str(b.oxigraph()) for b in row) + ")" for row in rows)
    return f"VALUES ({' '.join('?' + n for n in names)}) {{ {body} }}\n"


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
    columns: Mapping[str, str] = field(default_factory=dict)

    def run(self, engine, given: Mapping[str, str | Sequence[str]] | None = None, warn=None,
            lang: str = "en") -> Result:
        """Run the query with the ``--param`` values ``given`` (name -> a text or a list of texts:
        several values match any of them) on ``engine``: an embedded Oxigraph store, or a remote
        :class:`stedenbanden.remote.Endpoint`.

        A code may be one that stands for several (see :meth:`Param.expand`). When no row matches
        a text parameter that names a result column (``municipality``), its value is compared
        with every name of the resources in that column, ignoring case, accents and punctuation
        (``vlissingen``, ``Den Haag``, ``s-Gravenhage``), and the query runs with the names
        found; a value that matches no name is reported to ``warn(message)`` (if given) with the
        closest names.

        ``lang`` (one of :data:`LANGUAGES`) chooses the language of the labels: the stored queries
        select English labels with ``LANG(?x) = "en"``, which ``lang="nl"`` turns into Dutch.
        Labels that are Dutch names in any language (``LANG(?x) = "nl"``: municipalities, links)
        stay Dutch.

        Returns the rows with list cells sorted (see :func:`stedenbanden.store.sort_lists`).
        Raises :class:`BadParameter` for undeclared or ill-typed parameters and the errors of
        :func:`stedenbanden.store.select` or :meth:`stedenbanden.remote.Endpoint.select`.
        """
        columns, rows = self.stream(engine, given, warn, lang)
        return Result(columns, tuple(rows))

    def stream(self, engine, given: Mapping[str, str | Sequence[str]] | None = None, warn=None,
               lang: str = "en") -> tuple[tuple[str, ...], Iterator[tuple]]:
        """:meth:`run`, giving the columns and an iterator of the rows: on an embedded store each
        row after the first is read from the engine only when asked for, so the first rows can be
        written before the last is computed (the query has run up to its first row when this
        returns: a query without rows is run again with the names found, as :meth:`run` says).
        Raises what :meth:`run` raises; iterating raises :class:`KbError` when the query fails
        while it runs."""
        if lang not in LANGUAGES:
            raise BadParameter(f"--lang {lang}: use one of {', '.join(LANGUAGES)}")
        self = self.in_language(lang)
        wanted = self._values(given or {}, engine)
        columns, rows = self._rows(engine, wanted)
        for first in rows:
            return columns, itertools.chain((first,), rows)
        names = [n for n in wanted if self.params[n].type == "string" and n in columns]
        if not names:
            return columns, iter(())
        everything = self._run(engine, {})
        resolved, unmatched = dict(wanted), []
        lookup = None
        for name in names:
            column = everything.columns.index(name)
            present = {r[column] for r in everything.rows if isinstance(r[column], str)}
            if all(v in present for v in wanted[name]):
                continue
            if lookup is None:
                lookup = self._names(engine)
            found = []
            for value in wanted[name]:
                hits = sorted(n for n in lookup.get(normalised(value), ()) if n in present)
                if value in present:
                    found.append(value)
                elif hits:
                    found.extend(hits)
                else:
                    unmatched.append((name, value, present))
            resolved[name] = list(dict.fromkeys(found))
        for name, value, present in unmatched:
            if warn is not None:
                warn(_no_match(name, value, present))
        if resolved == wanted or any(not v for v in resolved.values()):
            return columns, iter(())
        return self._rows(engine, resolved)

    def _values(self, given: Mapping[str, str | Sequence[str]], engine) -> dict[str, list[str]]:
        """The given values per declared parameter: split, expanded and checked (by binding them)."""
        wanted = {}
        for name, raw in given.items():
            if name not in self.params:
                declared = ", ".join(sorted(self.params)) or "none"
                raise BadParameter(f"query {self.name!r} has no parameter {name!r}; its parameters: {declared}")
            param = self.params[name]
            values = param.expand(param.split([raw] if isinstance(raw, str) else list(raw)), engine)
            if not values:
                raise BadParameter(f"--param {name}: give a value, e.g. --param {name}={param.example}")
            try:
                wanted[name] = list(dict.fromkeys(param.bind(v).lexical for v in values))
            except BadParameter as exc:
                ups = {c: p for c, p in param.roll_ups(engine).items() if c != TOTAL_CODE}
                if not ups or "not an allowed value" not in str(exc):
                    raise
                also = ", ".join(f"{c} (= {' + '.join(p)})" for c, p in ups.items())
                raise BadParameter(f"{exc}, or {also}") from None
        return wanted

    def _run(self, engine, wanted: Mapping[str, Sequence[str]]) -> Result:
        columns, rows = self._rows(engine, wanted)
        return Result(columns, tuple(rows))

    def _rows(self, engine, wanted: Mapping[str, Sequence[str]]):
        """The columns and an iterator of the rows (read lazily from an embedded store)."""
        bound = {name: [self.params[name].bind(v) for v in values] for name, values in wanted.items()}
        single = all(len(v) == 1 for v in bound.values())
        text = self.text if single else f"{self.text.rstrip()}\n{values_clause(bound)}"
        bindings = {name: values[0] for name, values in bound.items()} if single else {}
        if isinstance(engine, ox.Store):
            # on an on-disk index, the same query with the same bindings is answered from the
            # results kept the first time (stedenbanden.cache.query_results)
            from .cache import query_results

            solutions = query_results(engine, text, {n: b.oxigraph() for n, b in bindings.items()},
                                      lambda: run(engine, text, bindings, origin=str(self.path)))
            # sorts the list cells while reading the rows, each distinct cell once
            return solution_rows(solutions, str(self.path), self.lists)
        result = engine.select(text, bindings, origin=str(self.path))
        self._check_columns(result.columns, getattr(engine, "url", "the endpoint"))
        result = sort_lists(result, self.lists)
        return result.columns, iter(result.rows)

    def _check_columns(self, columns: Sequence[str], where: str) -> None:
        """Raise :class:`KbError` when an endpoint's answer lacks columns the query projects (an
        endpoint that rewrites queries or answers from elsewhere), rather than fail later on them."""
        missing = [c for c in self.result_columns() if c not in columns]
        if missing:
            raise KbError(f"{where}: the answer to the stored query {self.name} lacks the column(s) "
                          f"{', '.join(missing)} (it has: {', '.join(columns) or 'none'}); the endpoint may hold "
                          "other data than the knowledge base or not run the query as sent; check --endpoint and --graph")

    @staticmethod
    def _names(engine) -> dict[str, set[str]]:
        """Every name (prefLabel, altLabel or rdfs:label) of a labelled resource, normalised (see
        :func:`normalised`) -> that resource's preferred labels."""
        result = select(engine, _LABELS, origin="labels") if isinstance(engine, ox.Store) \
            else engine.select(_LABELS, origin="labels")
        names: dict[str, set[str]] = {}
        for name, label in result.rows:
            for key in (normalised(str(label)), normalised(str(name))):
                names.setdefault(key, set()).add(str(name))
        return names

    def in_language(self, lang: str) -> "StoredQuery":
        """This query with its English labels (``LANG(?x) = "en"``) chosen in ``lang`` instead."""
        if lang == "en":
            return self
        import dataclasses

        return dataclasses.replace(self, text=_LABEL_LANGUAGE.sub(lambda m: f'{m.group(1)}"{lang}"', self.text))

    def result_columns(self) -> tuple[str, ...]:
        """The names of the columns the query returns (its projected variables, without ``?``),
        read by parsing the query on an empty store."""
        return tuple(v.value for v in ox.Store().query(self.text).variables)

    @property
    def is_violation_check(self) -> bool:
        """True for ``*-violation`` queries, which must return no rows on valid data."""
        return self.name.endswith("-violation")

    def bindings(self, given: Mapping[str, str]) -> dict[str, Binding]:
        """Bind one ``--param`` value per name in ``given`` (name -> text) to this query's declared
        parameters (no expansion of codes; see :meth:`run` for several values).

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


def _no_match(name: str, value: str, present: set) -> str:
    """The warning for a parameter value that matches nothing, with the closest names."""
    by_key = {}
    for p in sorted(str(p) for p in present):
        by_key.setdefault(normalised(p), p)
    import difflib  # only for a value that matches nothing: not imported by every run

    close = difflib.get_close_matches(normalised(value), list(by_key), n=3, cutoff=0.5)
    hint = f"closest: {', '.join(by_key[c] for c in close)}" if close else \
        f"{len(by_key)} names to choose from, e.g. {', '.join(list(by_key.values())[:3])}"
    return f"--param {name}={value}: no {name} matches; {hint}"


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
        from .cache import sha256

        return sha256(source.encode("utf-8")).hexdigest()

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
            and isinstance(header.get("figures") or [], list) and isinstance(header.get("lists") or [], list)
            and isinstance(header.get("columns") or {}, dict))


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
    if not isinstance(header.get("columns") or {}, dict):
        raise KbError(f"{path}: 'columns:' in the '#+' header must map each result column to its meaning")
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
        columns={str(k): str(v).strip() for k, v in (header.get("columns") or {}).items()},
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
    import difflib

    close = difflib.get_close_matches(name, list(queries), n=3, cutoff=0.6)
    hint = f"did you mean {', '.join(close)}?" if close else f"stored queries: {', '.join(queries)}"
    raise UnknownQuery(f"no stored query named {name!r}; {hint} (kb query --list shows them all)")


def describe(query: StoredQuery, engine=None, width: int = 80) -> str:
    """What ``kb query NAME --describe`` prints: the query's summary and description, each
    parameter with its type, allowed values (and the codes that stand for several, found on
    ``engine`` when given) and description, and each result column with its meaning, all from the
    query's ``#+`` header; text wrapped to ``width`` characters."""
    import textwrap

    def para(text: str, indent: str = "") -> list[str]:
        return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent,
                             break_long_words=False, break_on_hyphens=False) or [indent.rstrip()]

    def entries(pairs: list[tuple[str, str]]) -> list[str]:
        label = min(max((len(n) for n, _ in pairs), default=0), 20)
        lines = []
        for name, text in pairs:
            first, *rest = textwrap.wrap(text, max(width - label - 4, 20), break_long_words=False,
                                         break_on_hyphens=False) or [""]
            lines.append(f"  {name.ljust(label)}  {first}" if len(name) <= label else f"  {name}")
            if len(name) > label:
                rest = [first, *rest]
            lines += [" " * (label + 4) + r for r in rest]
        return lines

    kind = "check (must return no rows)" if query.is_violation_check else "table"
    lines = para(f"{query.name}: {query.summary}") + [""] + para(query.description or "(no description)")
    lines += [""] + para(f"Kind: {kind}. Regenerates report figures: {', '.join(query.figures) or 'none'}.")
    lines += ["", "Parameters:" if query.params else "Parameters: none"]
    columns = query.result_columns()
    coded = [p for p in sorted(query.params.values(), key=lambda p: p.name) if p.allowed] or list(query.params.values())
    example = " ".join(f"-p {p.name}={','.join(p.allowed[:2]) if p.allowed else '...'}" for p in coded[:1])
    params = []
    for p in sorted(query.params.values(), key=lambda p: p.name):  # by name: the header cache keeps no order
        what = p.type
        if p.allowed:
            what += ": " + ", ".join(p.allowed)
            ups = p.roll_ups(engine) if engine is not None else {}
            if len(ups) > 1:  # a hierarchy of codes: name the codes that stand for several
                what += "".join(f"; {c} = {'all' if c == TOTAL_CODE else ' + '.join(v)}" for c, v in ups.items())
        elif p.pattern:
            what += f" matching {p.pattern}"
        if p.type == "string" and not p.pattern and p.name in columns:
            what += f"; any name of a {p.name} matches, ignoring case and accents"
        params.append((p.name, f"{p.description} ({what})" if p.description else f"({what})"))
    lines += entries(params)
    if query.params:
        lines += para(f"Give a value with -p NAME=VALUE; repeat -p (or separate codes with commas) for several "
                      f"values, which match any of them, e.g. kb query {query.name} {example}", "  ")
    lines += ["", "Columns:"]
    lines += entries([(c, query.columns.get(c, "(not described in the header)")
                       + (" (a list: items separated by '; ')" if c in query.lists and "(list)" not in query.columns.get(c, "") else ""))
                      for c in columns])
    return "\n".join(lines) + "\n"
