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
import json
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Iterable

import pyoxigraph as ox

from .errors import KbError, KbUsageError
from .store import IRI, Binding, Result, check_read_only, literal_value, query_form

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
        if self.graph is not None:
            try:
                ox.NamedNode(self.graph)
            except ValueError:
                raise KbUsageError(f"--graph {self.graph!r}: not an IRI; give the graph's full IRI, "
                                   "e.g. https://w3id.org/stedenbanden/graph/kb") from None
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

        class Wrapper(SPARQLWrapper):
            def _createRequest(self):  # noqa: N802 - SPARQLWrapper's name
                # SPARQLWrapper sets the credentials as an ordinary header, which urllib copies
                # onto a redirected request, to whatever host the redirect names; as an
                # "unredirected" header they go to the endpoint given and nowhere else
                request = super()._createRequest()
                authorization = request.headers.pop("Authorization", None)
                if authorization is not None:
                    request.add_unredirected_header("Authorization", authorization)
                return request

        wrapper = Wrapper(self.url)
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
        """Send one write request. With ``user``, the password is given only when the store asks
        for it (HTTP 401 with a Basic or Digest challenge: Virtuoso's ``-auth`` endpoints use
        Digest), through urllib's own authentication handlers."""
        request = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": content_type})
        handlers = []
        if self.user is not None:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            passwords.add_password(None, url, self.user, self.password or "")
            digest = urllib.request.HTTPDigestAuthHandler(passwords)
            handlers = [digest, urllib.request.HTTPBasicAuthHandler(passwords)]
            self._answer_digest_challenge(request, digest)
        opener = urllib.request.build_opener(*handlers)

        def send():
            with opener.open(request, timeout=self.timeout) as response:
                response.read()

        try:
            within(self.timeout, send, url)
        except (urllib.error.HTTPError, KbError):
            raise
        except Exception as exc:  # noqa: BLE001
            if _broken_pipe(exc):
                # the store answered before reading the whole body and closed the connection
                # (Virtuoso refusing a write to a graph it has no place for): ask the same URL with
                # GET, which changes nothing, to learn its answer, and raise that answer
                self._raise_refusal(opener, url)
            raise _transport_error(exc, url, self.timeout) from None

    def _raise_refusal(self, opener, url: str) -> None:
        """Raise the HTTPError a GET of ``url`` gets, if it gets one; return otherwise."""
        def probe():
            with opener.open(urllib.request.Request(url, method="GET"), timeout=self.timeout) as response:
                response.read()

        try:
            within(self.timeout, probe, url)
        except urllib.error.HTTPError:
            raise
        except Exception:  # noqa: BLE001 - no answer to learn from: the caller reports the broken pipe
            return

    def _answer_digest_challenge(self, request: urllib.request.Request, digest: urllib.request.HTTPDigestAuthHandler) -> None:
        """Give ``request`` its Digest ``Authorization`` before its body is sent, when the store asks
        for Digest. A store that answers the unauthenticated write with 401 stops reading a large
        body (Virtuoso does), so the client would see a broken pipe instead of the challenge: ask
        for it first with a HEAD request, which changes nothing, and answer it with urllib's own
        Digest code. Any other answer to the HEAD leaves ``request`` as it is."""
        probe = urllib.request.Request(request.full_url, method="HEAD")
        try:
            with urllib.request.urlopen(probe, timeout=self.timeout):
                return
        except urllib.error.HTTPError as exc:
            challenge = exc.headers.get("WWW-Authenticate", "") if exc.code == 401 else ""
        except Exception:  # noqa: BLE001 - the write itself will report what is wrong
            return
        scheme, _, rest = challenge.partition(" ")
        if scheme.lower() != "digest":
            return
        fields = urllib.request.parse_keqv_list(filter(None, urllib.request.parse_http_list(rest)))
        # the credentials are tried on the HEAD first: a wrong password is then an HTTP 401 here,
        # not a broken pipe in the middle of the body
        authorization = digest.get_authorization(probe, fields)
        if not authorization:
            return
        probe.add_unredirected_header("Authorization", f"Digest {authorization}")
        try:
            with urllib.request.urlopen(probe, timeout=self.timeout):
                pass
        except urllib.error.HTTPError as exc:
            if exc.code == 401:
                raise exc
        except Exception:  # noqa: BLE001 - the write itself will report what is wrong
            return
        authorization = digest.get_authorization(request, fields)
        if authorization:
            request.add_unredirected_header("Authorization", f"Digest {authorization}")

    def _write_refused(self, url: str, exc: urllib.error.HTTPError) -> KbError:
        """The error for a write the store answered with an HTTP error, with what to do about it."""
        message = _server_message(exc.read())
        hint = ""
        if not self.graph and "default graph" in message.lower():
            hint = ("; this store has no writable default graph: load into a named graph with --graph IRI "
                    "and query it with the same --graph")
        elif exc.code == 403 and "read-only" in message.lower():
            hint = ("; the server was started read-only (kb serve: start it with --writable; Oxigraph: "
                    "`oxigraph serve`, not `serve-read-only`), or load into another store")
        elif exc.code in (401, 403):
            hint = ("; the store does not let this user write: give --user (password in KB_ENDPOINT_PASSWORD) "
                    "of an account allowed to update (Virtuoso: a user with the SPARQL_UPDATE role; with --user "
                    "kb load writes through its .../sparql-graph-crud-auth; see the README, \"Stores tested\")")
        return KbError(f"{url} answered HTTP {exc.code}: {message}{hint}")

    def store_urls(self) -> list[str]:
        """The Graph Store HTTP Protocol URLs to try, in order: Virtuoso's ``/sparql-graph-crud``
        (``-auth`` with a user) beside a ``.../sparql`` query URL, then ``.../store`` (Oxigraph)."""
        base, _, last = self.url.rstrip("/").rpartition("/")
        virtuoso = [f"{base}/sparql-graph-crud-auth" if self.user is not None else f"{base}/sparql-graph-crud"]
        return [*(virtuoso if last == "sparql" else []), self.sibling("store")]

    def update_urls(self) -> list[str]:
        """The SPARQL Update URLs to try: ``.../update`` (Oxigraph), and beside a ``.../sparql``
        query URL the query URL itself (Virtuoso; ``.../sparql-auth`` with a user)."""
        base, _, last = self.url.rstrip("/").rpartition("/")
        virtuoso = [f"{base}/sparql-auth" if self.user is not None else self.url]
        return [self.sibling("update"), *(virtuoso if last == "sparql" else [])]

    def replace_graph(self, triples: bytes, store_url: str | None = None, update_url: str | None = None) -> str:
        """Replace the endpoint's target graph (``graph``, or the default graph) with ``triples``
        (N-Triples) so that a failed load leaves the previous content in place.

        Tries the Graph Store HTTP Protocol (one PUT; blank nodes stay blank nodes) at ``store_url``
        or :meth:`store_urls` first, then SPARQL Update (see :meth:`_replace_by_update`; blank
        nodes skolemised, see :func:`skolemise`) at ``update_url`` or
        :meth:`update_urls` when the store has no Graph Store support (HTTP 404, 405 or 501).
        Returns the method used. Raises :class:`KbError` when the store refuses the write (with a
        hint to use ``--graph`` when it has no writable default graph, or to give a user allowed
        to write) or when neither protocol is there.
        """
        target = urllib.parse.urlencode({"graph": self.graph}) if self.graph else "default"
        tried = []
        for url in [store_url] if store_url else self.store_urls():
            try:
                self._request(f"{url}?{target}", "PUT", triples, NTRIPLES)
                return "Graph Store HTTP Protocol"
            except urllib.error.HTTPError as exc:
                if exc.code not in (404, 405, 501):
                    raise self._write_refused(url, exc) from None
                tried.append((url, exc.code, _server_message(exc.read())))
        lines = skolemise(triples).decode("utf-8").splitlines(keepends=True)
        for url in [update_url] if update_url else self.update_urls():
            try:
                self._replace_by_update(url, lines)
                return "SPARQL Update"
            except urllib.error.HTTPError as exc:
                if exc.code not in (404, 405, 501):
                    raise self._write_refused(url, exc) from None
                tried.append((url, exc.code, _server_message(exc.read())))
        _, code, message = tried[-1]
        raise KbError(f"{self.url}: the store accepts neither the Graph Store HTTP Protocol nor SPARQL Update "
                      f"at the URLs tried ({', '.join(u for u, _, _ in tried)}; last: HTTP {code}: {message}); "
                      "give the right URLs with --store-endpoint or --update-endpoint")

    def _replace_by_update(self, url: str, lines: list[str]) -> None:
        """Replace the target graph with the N-Triples ``lines`` through SPARQL Update at ``url``.

        Up to :data:`UPDATE_CHUNK` triples go in one request (``DROP SILENT`` + ``INSERT DATA``).
        More are first inserted, :data:`UPDATE_CHUNK` at a time, into a staging graph of their own,
        which one ``MOVE`` then puts in the target's place: Virtuoso 7.2's SPARQL compiler runs out
        of memory on one ``INSERT DATA`` of about 5,000 triples, and a failed load must still leave
        the previous content as it was (a failed chunk drops only the staging graph). Raises
        urllib's ``HTTPError`` for a refused request and :class:`KbError` for a transport error.
        """
        target = f"GRAPH <{self.graph}>" if self.graph else "DEFAULT"

        def post(update: str) -> None:
            self._request(url, "POST", update.encode("utf-8"), "application/sparql-update")

        if len(lines) <= UPDATE_CHUNK:
            inner = "".join(lines)
            post(f"DROP SILENT {target} ;\nINSERT DATA {{ GRAPH <{self.graph}> {{\n{inner}}} }}" if self.graph
                 else f"DROP SILENT {target} ;\nINSERT DATA {{\n{inner}}}")
            return
        import secrets

        staging = f"{STAGING_BASE}{secrets.token_hex(8)}"
        try:
            for start in range(0, len(lines), UPDATE_CHUNK):
                post(f"INSERT DATA {{ GRAPH <{staging}> {{\n{''.join(lines[start:start + UPDATE_CHUNK])}}} }}")
            post(f"MOVE SILENT GRAPH <{staging}> TO {target}")
        except BaseException:
            try:
                post(f"DROP SILENT GRAPH <{staging}>")
            except Exception:  # noqa: BLE001 - the first error is the one to report
                pass
            raise

    def count_triples(self) -> int:
        """The number of triples in the target graph (``graph``, or the default graph), by a query."""
        if self.graph:
            query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{self.graph}> {{ ?s ?p ?o }} }}"
            rows = Endpoint(self.url, None, self.timeout, self.user, self.password).select(query).rows
        else:
            rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows
        return int(rows[0][0])


UPDATE_CHUNK = 2000
"""Triples per ``INSERT DATA`` request of a load through SPARQL Update (see
:meth:`Endpoint._replace_by_update`)."""

STAGING_BASE = "https://w3id.org/stedenbanden/graph/kb-load-staging/"
"""Where a load through SPARQL Update stages its triples before one ``MOVE`` replaces the target."""

SKOLEM_BASE = "https://w3id.org/stedenbanden/.well-known/genid/"
"""Where blank nodes are skolemised when the KB goes to a store through SPARQL Update (RDF 1.1
Concepts, section 3.5: IRIs under a ``/.well-known/genid/`` path stand for blank nodes), because
``INSERT DATA`` may not hold blank nodes on every store (Virtuoso: "Blank node ... is not allowed
in a constant clause")."""


def skolemise(triples: bytes) -> bytes:
    """N-Triples with every blank node ``_:label`` replaced by the IRI :data:`SKOLEM_BASE` + ``label``
    (the same label, the same IRI), parsed and written by pyoxigraph. Sorted lines."""
    def term(t):
        return ox.NamedNode(SKOLEM_BASE + t.value) if isinstance(t, ox.BlankNode) else t

    lines = sorted({f"{term(t.subject)} {t.predicate} {term(t.object)} .\n"
                    for t in ox.parse(triples, format=ox.RdfFormat.N_TRIPLES)})
    return "".join(lines).encode("utf-8")


def redacted(url: str, keep_user: bool = True) -> str:
    """``url`` without the password written into it (``http://alice:secret@host/`` ->
    ``http://alice:***@host/``; with ``keep_user=False``, ``http://host/``), fit to print."""
    # the credentials are everything up to the last "@" before any query or fragment: a password
    # may hold "/" or ":" (then the URL is not well-formed, and must still not be printed), and a
    # URL without a scheme ("bob:secret@host/query") is redacted too
    match = re.match(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)?(?P<userinfo>[^?#]*)@(?P<rest>[^@]*)$", url)
    if match is None:
        return url
    head, userinfo, rest = match.group("scheme") or "", match.group("userinfo"), match.group("rest")
    if not keep_user:
        return f"{head}{rest}"
    user = userinfo.partition(":")[0]
    return f"{head}{user}{':***' if ':' in userinfo else ''}@{rest}"


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
    return IRI(binding["value"])


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
    """What an HTML error page says, in one line: the message of a Virtuoso error page (its
    ``<xmp>`` block), else the page's title (or first text), without markup."""
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self):
            super().__init__()
            self.title, self.texts, self.xmp, self._in = [], [], [], None

        def handle_starttag(self, tag, attrs):
            self._in = tag

        def handle_data(self, data):
            if self._in in ("script", "style"):
                return
            {"title": self.title, "xmp": self.xmp}.get(self._in, self.texts).append(data.strip())

    parser = Text()
    try:
        parser.feed(page)
    except Exception:  # noqa: BLE001 - a broken page still gets a line
        pass
    if any(parser.xmp):
        return " ".join(" ".join(parser.xmp).split())[:300]
    said = " ".join(t for t in parser.title if t) or " ".join(t for t in parser.texts if t)
    return f"an HTML page: {' '.join(said.split())[:300] or '(no text)'}"


def _broken_pipe(exc: BaseException) -> bool:
    """Whether ``exc`` (or the reason of a URLError) is a connection the server closed while the
    body was being sent."""
    reason = getattr(exc, "reason", exc)
    return isinstance(reason, (BrokenPipeError, ConnectionResetError))


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
