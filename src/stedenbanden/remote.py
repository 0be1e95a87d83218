"""Remote SPARQL 1.1 endpoints: running queries through SPARQLWrapper, loading the knowledge base
with the Graph Store HTTP Protocol (or SPARQL Update where that is all a store offers), and the
errors a user meets (endpoint down, timeout, HTTP errors, an HTML page instead of results), each
turned into one clear :class:`KbError`.

Parameters are bound on the remote side with a trailing ``VALUES`` clause whose values are RDF
literals serialised by pyoxigraph, so a value can never change the query's structure. Like the
embedded engine's substitution, it constrains projected variables only.
"""

from __future__ import annotations

import ast
import base64
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Iterable

import pyoxigraph as ox

from .errors import KbError, KbUsageError
from .store import Binding, Result, check_read_only, literal_value, query_form

from . import DEFAULT_TIMEOUT  # noqa: E402  (re-exported)
NTRIPLES = "application/n-triples"


@dataclass(frozen=True)
class Endpoint:
    """A SPARQL endpoint: its query ``url``, the ``graph`` to use as default graph (None: the
    store's own default graph), a ``timeout`` in seconds and optional HTTP basic credentials."""

    url: str
    graph: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    user: str | None = None
    password: str | None = None

    def __post_init__(self):
        try:
            parts = urllib.parse.urlsplit(self.url)
            parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        except ValueError:
            raise KbUsageError(f"--endpoint {redacted(self.url)}: not a well-formed URL; give the query URL, "
                               "e.g. http://127.0.0.1:7878/query") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise KbUsageError(f"--endpoint {redacted(self.url)}: not an http(s) URL; give the query URL, e.g. http://127.0.0.1:7878/query")
        if parts.username is not None or parts.password is not None:
            # credentials written into the URL are used like --user/--password and never printed
            if self.user is None:
                object.__setattr__(self, "user", urllib.parse.unquote(parts.username or ""))
                object.__setattr__(self, "password", urllib.parse.unquote(parts.password or ""))
            object.__setattr__(self, "url", redacted(self.url, keep_user=False))

    def sibling(self, name: str) -> str:
        """The URL beside the query URL for ``name`` (``store`` or ``update``), following the
        Oxigraph server's layout: ``.../query`` -> ``.../store``."""
        base, _, last = self.url.rstrip("/").rpartition("/")
        return f"{base}/{name}" if last in ("query", "sparql") else f"{self.url.rstrip('/')}/{name}"

    def _wrapper(self, query: str, return_format: str):
        from SPARQLWrapper import POST, SPARQLWrapper

        wrapper = SPARQLWrapper(self.url)
        wrapper.setQuery(query)
        # SPARQLWrapper guesses the form from keywords and can be misled by comments ("add up"
        # reads as ADD); the KB refuses updates itself, so say what the query is.
        wrapper.queryType = query_form(query)
        wrapper.setMethod(POST)
        wrapper.setReturnFormat(return_format)
        wrapper.timeout = self.timeout  # setTimeout() would truncate to whole seconds (0.5 -> none)
        if self.user is not None:
            wrapper.setCredentials(self.user, self.password or "")
        if self.graph:
            wrapper.addDefaultGraph(self.graph)
        return wrapper

    def _fetch(self, query: str, return_format: str) -> bytes:
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        def answer():
            response = self._wrapper(query, return_format).query().response
            return response.read(), response.headers.get("Content-Type", "")

        try:
            body, content_type = within(self.timeout, answer, self.url)
        except SPARQLWrapperException as exc:
            status = {"QueryBadFormed": 400, "Unauthorized": 401, "EndPointNotFound": 404,
                      "URITooLong": 414, "EndPointInternalError": 500}.get(type(exc).__name__, "error")
            raise KbError(f"{self.url} answered HTTP {status}: {_server_message(_response_of(exc))}") from None
        except KbError:
            raise
        except Exception as exc:  # noqa: BLE001 - every transport failure becomes one line
            raise _transport_error(exc, self.url, self.timeout) from None
        if "html" in content_type.lower() or body.lstrip()[:1] == b"<" and b"<html" in body[:2000].lower():
            raise KbError(f"{self.url} answered with an HTML page, not SPARQL results; "
                          "check that --endpoint is the store's SPARQL query URL")
        return body

    def select(self, query: str, bindings: dict[str, Binding] | None = None, origin: str = "query") -> Result:
        """Run a SELECT query remotely with ``bindings`` as a trailing VALUES clause.

        Returns the rows like :func:`stedenbanden.store.select`. Raises :class:`KbError` for an
        update request, a transport or HTTP error, or an answer that is not SPARQL JSON results.
        """
        check_read_only(query, origin)
        body = self._fetch(with_values(query, bindings), "json")
        try:
            data = json.loads(body)
            columns = tuple(data["head"]["vars"])
            rows = tuple(tuple(_json_value(b.get(c)) for c in columns) for b in data["results"]["bindings"])
        except (ValueError, KeyError, TypeError):
            raise KbError(f"{self.url} did not answer with SPARQL JSON results; is this a SELECT query and a SPARQL endpoint?") from None
        return Result(columns, rows)

    def ask(self, query: str, origin: str = "query") -> bool:
        """Run an ASK query remotely and return its answer."""
        check_read_only(query, origin)
        try:
            return bool(json.loads(self._fetch(query, "json"))["boolean"])
        except (ValueError, KeyError, TypeError):
            raise KbError(f"{self.url} did not answer an ASK query with a SPARQL JSON boolean") from None

    def construct(self, query: str, origin: str = "query") -> list[ox.Triple]:
        """Run a CONSTRUCT or DESCRIBE query remotely and return its triples."""
        check_read_only(query, origin)
        body = self._fetch(query, "turtle")
        try:
            return list(ox.parse(body, format=ox.RdfFormat.TURTLE))
        except SyntaxError as exc:
            raise KbError(f"{self.url} did not answer a CONSTRUCT query with Turtle: {exc}") from None

    def _request(self, url: str, method: str, body: bytes, content_type: str) -> None:
        request = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": content_type})
        if self.user is not None:
            token = base64.b64encode(f"{self.user}:{self.password or ''}".encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        def send():
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()

        try:
            within(self.timeout, send, url)
        except (urllib.error.HTTPError, KbError):
            raise
        except Exception as exc:  # noqa: BLE001
            raise _transport_error(exc, url, self.timeout) from None

    def replace_graph(self, triples: bytes, store_url: str | None = None, update_url: str | None = None) -> str:
        """Replace the endpoint's target graph (``graph``, or the default graph) with ``triples``
        (N-Triples) in one request, so a failed load leaves the previous content in place.

        Tries the Graph Store HTTP Protocol (PUT) first, then SPARQL Update (``DROP SILENT`` +
        ``INSERT DATA`` in one request) when the store has no Graph Store support. Returns the
        method used. Raises :class:`KbError` when neither works.
        """
        store_url = store_url or self.sibling("store")
        target = urllib.parse.urlencode({"graph": self.graph}) if self.graph else "default"
        try:
            self._request(f"{store_url}?{target}", "PUT", triples, NTRIPLES)
            return "Graph Store HTTP Protocol"
        except urllib.error.HTTPError as exc:
            if exc.code not in (404, 405, 501):
                raise KbError(f"{store_url} answered HTTP {exc.code}: {_server_message(exc.read())}") from None
        update_url = update_url or self.sibling("update")
        graph = f"GRAPH <{self.graph}>" if self.graph else "DEFAULT"
        inner = triples.decode("utf-8")
        update = (f"DROP SILENT {graph} ;\nINSERT DATA {{ GRAPH <{self.graph}> {{\n{inner}}} }}" if self.graph
                  else f"DROP SILENT {graph} ;\nINSERT DATA {{\n{inner}}}")
        try:
            self._request(update_url, "POST", update.encode("utf-8"), "application/sparql-update")
            return "SPARQL Update"
        except urllib.error.HTTPError as exc:
            raise KbError(f"{self.url}: the store accepts neither the Graph Store HTTP Protocol at {store_url} "
                          f"nor SPARQL Update at {update_url} (HTTP {exc.code}: {_server_message(exc.read())}); "
                          "give the right URLs with --store-endpoint or --update-endpoint") from None


def redacted(url: str, keep_user: bool = True) -> str:
    """``url`` without the password written into it (``http://alice:secret@host/`` ->
    ``http://alice:***@host/``; with ``keep_user=False``, ``http://host/``), fit to print."""
    head, sep, rest = url.partition("://")
    if not sep:
        return url
    authority, slash, path = rest.partition("/")
    userinfo, at, hostport = authority.rpartition("@")
    if not at:
        return url
    if not keep_user:
        return f"{head}://{hostport}{slash}{path}"
    user = userinfo.partition(":")[0]
    return f"{head}://{user}{':***' if ':' in userinfo else ''}@{hostport}{slash}{path}"


def within(seconds: float, work, url: str):
    """Return ``work()`` if it finishes within ``seconds``, else raise :class:`KbError` saying
    that ``url`` did not answer in time: a deadline for the whole answer, so a server that
    trickles a byte at a time cannot hold ``kb`` beyond it (the socket timeout alone bounds each
    read). The abandoned request ends with the process (a daemon thread). Exceptions of ``work``
    are raised here."""
    import threading

    box: dict = {}

    def target():
        try:
            box["value"] = work()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise KbError(f"{url} did not answer within {seconds:g} s; raise --timeout or check the endpoint")
    if "error" in box:
        raise box["error"]
    return box["value"]


def with_values(query: str, bindings: dict[str, Binding] | None) -> str:
    """The query with a trailing ``VALUES`` clause binding ``bindings`` (none: unchanged).

    Each value is serialised as an RDF literal by pyoxigraph (quotes, braces and newlines are
    escaped), so it is data, never query text.
    """
    if not bindings:
        return query
    names = sorted(bindings)
    terms = " ".join(str(bindings[n].oxigraph()) for n in names)
    return f"{query.rstrip()}\nVALUES ({' '.join('?' + n for n in names)}) {{ ({terms}) }}\n"


def _json_value(binding: dict | None):
    if binding is None:
        return None
    if binding["type"] in ("literal", "typed-literal"):
        return literal_value(binding["value"], binding.get("datatype"))
    if binding["type"] == "bnode":
        return "_:" + binding["value"]
    return binding["value"]


def _response_of(exc: Exception) -> bytes:
    """The server's answer that SPARQLWrapper keeps (as a bytes repr) inside its exception text."""
    marker = "Response:\n"
    text = str(exc)
    if marker not in text:
        return b""
    try:
        body = ast.literal_eval(text.split(marker, 1)[1].strip())
    except (ValueError, SyntaxError):
        return text.split(marker, 1)[1].encode("utf-8")
    return body if isinstance(body, bytes) else str(body).encode("utf-8")


def _server_message(body) -> str:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body or "")
    if text.lstrip()[:1] == "<" and ("<html" in text[:3000].lower() or "<!doctype" in text[:3000].lower()):
        return _html_message(text)
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    message = lines[0] if lines else "(no message)"
    return message[:300]


def _html_message(page: str) -> str:
    """What an HTML error page says, in one line: its title (or first text) without markup."""
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self):
            super().__init__()
            self.title, self.texts, self._in = [], [], None

        def handle_starttag(self, tag, attrs):
            self._in = tag

        def handle_data(self, data):
            if self._in in ("script", "style"):
                return
            (self.title if self._in == "title" else self.texts).append(data.strip())

    parser = Text()
    try:
        parser.feed(page)
    except Exception:  # noqa: BLE001 - a broken page still gets a line
        pass
    said = " ".join(t for t in parser.title if t) or " ".join(t for t in parser.texts if t)
    return f"an HTML page: {' '.join(said.split())[:300] or '(no text)'}"


def _transport_error(exc: Exception, url: str, timeout: float) -> KbError:
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, (socket.timeout, TimeoutError)) or "timed out" in str(reason):
        return KbError(f"{url} did not answer within {timeout:g} s; raise --timeout or check the endpoint")
    if isinstance(reason, ConnectionRefusedError):
        return KbError(f"cannot connect to {url}: connection refused; is the endpoint running?")
    if isinstance(reason, socket.gaierror):
        return KbError(f"cannot connect to {url}: unknown host; check the URL")
    if isinstance(exc, urllib.error.HTTPError):
        return KbError(f"{url} answered HTTP {exc.code}: {_server_message(exc.read())}")
    return KbError(f"cannot reach {url}: {reason}")


def ntriples(store: ox.Store) -> tuple[bytes, int]:
    """All triples of a local store (the union of its graphs, without duplicates) as sorted
    N-Triples, and their number."""
    lines = sorted({f"{q.subject} {q.predicate} {q.object} .\n" for q in store})
    return "".join(lines).encode("utf-8"), len(lines)


def triples_lines(triples: Iterable[ox.Triple]) -> list[str]:
    """Triples as sorted N-Triples lines (without line ends)."""
    return sorted(f"{t.subject} {t.predicate} {t.object} ." for t in triples)
