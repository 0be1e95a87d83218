"""The dumps of a release: the knowledge base as Turtle, N-Triples and JSON-LD (``dumps/``)."""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from ..errors import KbError
from ..store import rdf_format_of
from .common import canonical_bnodes, file_header, json_text, sha256_hex, write_file

@dataclass(frozen=True)
class Dump:
    """One file of the release that the description lists as a ``dcat:Distribution``: its
    ``path`` in the release, titles, media type, EU file type, size in bytes, SHA-256 checksum
    (lower-case hex) and descriptions (default: the titles). ``rdf`` is True for a dump of the
    whole knowledge base (also a ``void:dataDump``), False for a table of a stored query."""

    key: str
    path: str
    title_en: str
    title_nl: str
    media_type: str
    file_type: str
    size: int
    sha256: str
    description_en: str = ""
    description_nl: str = ""
    rdf: bool = True

# --------------------------------------------------------------------------------------------
# The knowledge base as an rdflib graph, and its dumps
# --------------------------------------------------------------------------------------------

def read_knowledge_base(files: Iterable[Path]):
    """The knowledge base in the RDF ``files`` (ontology and data; the format by the extension, as :func:`stedenbanden.store.rdf_format_of` says): an rdflib Graph of their
    triples, each once, and the namespace prefixes the files declare (prefix -> namespace IRI; a
    prefix or namespace keeps its first declaration, files read in the order given).

    The files are read rather than the Oxigraph store because the store keeps numbers in
    canonical form (``"50.0"^^xsd:decimal`` comes back as ``"50"``), and the dumps must hold the
    knowledge base's own terms. Blank nodes get stable labels (rdflib's canonical labelling), so
    that dumps of the same knowledge base are byte-identical from run to run. Raises
    :class:`KbError` for a file that cannot be read or parsed.
    """
    import pyoxigraph as ox
    import rdflib

    triples: dict[str, tuple] = {}  # N-Triples line -> the triple: each triple once
    prefixes: dict[str, str] = {}
    for path in map(Path, files):
        try:
            data = path.read_bytes().removeprefix(b"\xef\xbb\xbf")
            rdf_format = rdf_format_of(path)  # as kb reads it everywhere: by the extension
            parser = ox.parse(data, format=rdf_format, base_iri=path.resolve().as_uri())
            for triple in parser:
                triples.setdefault(f"{triple.subject} {triple.predicate} {triple.object} .\n", triple)
        except OSError as exc:
            raise KbError(f"{path}: cannot read the file ({exc.strerror})") from None
        except SyntaxError as exc:
            raise KbError(f"{path}: {rdf_format.name} syntax error: {exc}") from None
        for prefix, namespace in sorted(parser.prefixes.items()):
            if prefix not in prefixes and namespace not in prefixes.values():
                prefixes[prefix] = namespace
    # The triples go into the graph in the order of their sorted N-Triples lines, as terms made
    # from pyoxigraph's (the same terms rdflib's N-Triples parser makes of those lines, which
    # took about 15 s at 2 x 10^5 triples; a test compares the two).
    graph = rdflib.Graph(bind_namespaces="none")
    term = _rdflib_term()
    add = graph.add
    for line in sorted(triples):
        triple = triples[line]
        add((term(triple.subject), term(triple.predicate), term(triple.object)))
    return canonical_bnodes(graph), prefixes


def _rdflib_term():
    """A function from a pyoxigraph term to the rdflib term rdflib's own parsers make of it (a
    literal's lexical form kept; ``xsd:string`` literals plain, as in N-Triples), with the named
    nodes each made once."""
    import pyoxigraph as ox
    import rdflib

    URIRef, BNode, Literal, NamedNode, BlankNode = rdflib.URIRef, rdflib.BNode, rdflib.Literal, ox.NamedNode, ox.BlankNode
    named: dict[str, object] = {}
    datatypes: dict[str, object] = {}

    def term(node):
        if isinstance(node, NamedNode):
            iri = node.value
            found = named.get(iri)
            if found is None:
                found = named[iri] = URIRef(iri)
            return found
        if isinstance(node, BlankNode):
            return BNode(node.value)
        if node.language:
            return Literal(node.value, lang=node.language)
        datatype = node.datatype.value
        if datatype == _XSD_STRING:
            return Literal(node.value)
        found = datatypes.get(datatype)
        if found is None:
            found = datatypes[datatype] = URIRef(datatype)
        return Literal(node.value, datatype=found)

    return term


def _bound(graph, prefixes: Mapping[str, str]):
    """``graph`` with exactly ``prefixes`` bound, plus generated prefixes for other namespaces of
    properties and classes, made in sorted order so that they are stable. A graph with no
    prefixes bound yet (as :func:`read_knowledge_base` and the description make them) gets them
    in place; any other is copied first. (The copy of 2 x 10^5 triples took about 6 s.)"""
    import rdflib

    if next(iter(graph.namespaces()), None) is None:
        bound = graph
    else:
        bound = rdflib.Graph(bind_namespaces="none")
        for triple in graph:
            bound.add(triple)
    for prefix, namespace in sorted(prefixes.items()):
        bound.bind(prefix, namespace, override=True, replace=True)
    needed = sorted({str(p) for p in graph.predicates()} | {str(o) for o in graph.objects(None, rdflib.RDF.type)
                                                            if isinstance(o, rdflib.URIRef)})
    for iri in needed:
        try:
            bound.namespace_manager.compute_qname(iri, generate=True)
        except (ValueError, KeyError):
            pass
    return bound


def turtle_text(graph, prefixes: Mapping[str, str], header: str = "") -> str:
    """``graph`` as rdflib's "long" Turtle (subjects sorted, one property per line, blank nodes
    inline), keeping every literal's lexical form (see :func:`_exact_longturtle`)."""
    out = io.BytesIO()
    _exact_longturtle()(_bound(graph, prefixes)).serialize(out, encoding="utf-8")
    return header + "\n" + out.getvalue().decode("utf-8")


def _exact_longturtle(speedups: bool = True):
    """rdflib's long-Turtle serializer, except that a typed literal is written in Turtle's short
    form (``39``, ``28.2``, ``true``) only when that keeps its lexical form: rdflib would write
    ``"5000"^^xsd:decimal`` as ``5000.0``, another RDF term, and the dump would no longer be the
    knowledge base. Uses rdflib's ``Literal._literal_n3``, the method the serializer itself calls."""
    from rdflib import Literal
    from rdflib.plugins.serializers.longturtle import _GEN_QNAME_FOR_DT, LongTurtleSerializer

    class ExactLongTurtle(LongTurtleSerializer):
        # Speed (the same bytes as the library's own serializer; a test compares them): each
        # subject's statements are gathered in the pass over the graph that preprocess makes
        # anyway, instead of one store lookup per subject, and a name that has a prefixed form
        # is worked out once. Without these rdflib took about 13 s for 2 x 10^5 triples.
        def preprocess(self):
            self._by_subject = {}
            super().preprocess()

        def preprocessTriple(self, triple):
            super().preprocessTriple(triple)
            s, p, o = triple
            self._by_subject.setdefault(s, {}).setdefault(p, []).append(o)

        def buildPredicateHash(self, subject):
            return {p: list(objects) for p, objects in self._by_subject.get(subject, {}).items()}

        def get_pname(self, uri, gen_prefix=True):
            # only a found name is kept: one not found may be found once a prefix is generated
            key = (uri, gen_prefix)
            found = self._pnames.get(key)
            if found is None:
                found = super().get_pname(uri, gen_prefix)
                if found is not None:
                    self._pnames[key] = found
            return found

        def reset(self):
            self._pnames = {}
            super().reset()

        def label(self, node, position):
            if isinstance(node, Literal) and node.datatype is not None and node.language is None:
                def pname(datatype):
                    return self.get_pname(datatype, _GEN_QNAME_FOR_DT)

                short = node._literal_n3(use_plain=True, qname_callback=pname)
                if not short.startswith('"') and short != str(node):
                    return node._literal_n3(use_plain=False, qname_callback=pname)
            return super().label(node, position)

    if not speedups:  # the library's own way of doing the same (the tests compare the two)
        for name in ("preprocess", "preprocessTriple", "buildPredicateHash", "get_pname", "reset"):
            delattr(ExactLongTurtle, name)
    return ExactLongTurtle


def _ntriples(graph) -> str:
    lines = [line for line in graph.serialize(format="nt").splitlines() if line.strip()]
    return "".join(line + "\n" for line in sorted(set(lines)))


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def jsonld_nodes(triples, context: Mapping[str, str]) -> list:
    """The rdflib ``triples`` (an rdflib Graph or a list of triples) as compacted JSON-LD node objects (one per subject, sorted by
    ``@id``; values sorted), IRIs written as compact IRIs ``prefix:local`` of ``context``
    (prefix -> namespace) where the namespace ends in ``/`` or ``#`` and the local part is a
    plain name, blank nodes as ``_:label``; ``rdf:type`` as ``@type``.

    Written here, not by rdflib, for speed: rdflib's JSON-LD serializer took about 4 ms per
    resource page (3 minutes for 44,119 pages) and 30 s for the dump of 2 x 10^5 triples; this
    is a few microseconds per resource. The tests read the result back with rdflib, pyoxigraph
    and pyld. It is JSON-LD 1.1 compaction of node objects with a prefix-only context, nothing else."""
    import rdflib

    namespaces = sorted(((ns, prefix) for prefix, ns in context.items() if ns.endswith(("/", "#"))),
                        key=lambda kv: (-len(kv[0]), kv[1]))
    cache: dict[str, str] = {}

    def compact(iri: str) -> str:
        if iri in cache:
            return cache[iri]
        shown = iri
        for ns, prefix in namespaces:
            if iri.startswith(ns) and _LOCAL.fullmatch(iri[len(ns):]):
                shown = f"{prefix}:{iri[len(ns):]}"
                break
        cache[iri] = shown
        return shown

    def node_id(term) -> str:
        return f"_:{term}" if isinstance(term, rdflib.BNode) else compact(str(term))

    def value(term):
        if isinstance(term, rdflib.Literal):
            if term.language:
                return {"@language": term.language, "@value": str(term)}
            if term.datatype is None or str(term.datatype) == _XSD_STRING:
                return str(term)
            return {"@type": compact(str(term.datatype)), "@value": str(term)}
        return {"@id": node_id(term)}

    nodes: dict = {}
    for s, p, o in triples:
        node = nodes.setdefault(node_id(s), {"@id": node_id(s)})
        if str(p) == _RDF_TYPE and not isinstance(o, rdflib.Literal):
            node.setdefault("@type", []).append(node_id(o))
        else:
            node.setdefault(compact(str(p)), []).append(value(o))

    def key(item):  # a string sorts before a value object; value objects by their sorted items
        return ("", item) if isinstance(item, str) else ("~", *sorted(item.items()))

    for node in nodes.values():
        for name, values in node.items():
            if isinstance(values, list):
                values = sorted({key(v): v for v in values}.values(), key=key)
                node[name] = values[0] if len(values) == 1 else values
    return sorted(nodes.values(), key=lambda n: n["@id"])


_LOCAL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


DUMP_KEYS = ("turtle", "n-triples", "json-ld")
"""The dumps of a release, in the order the description lists them."""

_DUMPS = {  # key -> (path in the release, format name, media type, EU file type)
    "turtle": ("dumps/stedenbanden.ttl", "Turtle", "text/turtle", "RDF_TURTLE"),
    "n-triples": ("dumps/stedenbanden.nt", "N-Triples", "application/n-triples", "RDF_N_TRIPLES"),
    "json-ld": ("dumps/stedenbanden.jsonld", "JSON-LD", "application/ld+json", "JSON_LD"),
}


def write_dumps(graph, prefixes: Mapping[str, str], folder: Path, version: str) -> list[Dump]:
    """Write the knowledge base as Turtle, N-Triples and JSON-LD (its context embedded, so that the
    file stands alone: a reader needs no other file or network access) into
    ``folder/dumps`` and return the dumps with their sizes and checksums."""
    return [write_dump(key, graph, prefixes, folder, version) for key in DUMP_KEYS]


def write_dump(key: str, graph, prefixes: Mapping[str, str], folder: Path, version: str) -> Dump:
    """Write the dump ``key`` (one of :data:`DUMP_KEYS`) of the knowledge base into
    ``folder/dumps`` and return it with its size and checksum (see :func:`write_dumps`)."""
    if key == "turtle":
        header = file_header(f"The stedenbanden knowledge base (ontology and data), release {version}.")
        text = turtle_text(graph, prefixes, header)
    elif key == "n-triples":
        text = _ntriples(graph)
    else:
        context = {p: ns for p, ns in sorted(prefixes.items()) if p}
        text = json_text({"@context": context, "@graph": jsonld_nodes(graph, context)})
    data = text.encode("utf-8")
    write_file(folder / _DUMPS[key][0], data)
    return _dump(key, data)


def written_dump(key: str, folder: Path) -> Dump:
    """The dump ``key`` that :func:`write_dump` wrote into ``folder`` (in another process), with
    its size and checksum read from the file."""
    return _dump(key, (folder / _DUMPS[key][0]).read_bytes())


def _dump(key: str, data: bytes) -> Dump:
    path, name, media, file_type = _DUMPS[key]
    return Dump(key, path, f"The knowledge base as {name}", f"De kennisbank als {name}", media, file_type,
                len(data), sha256_hex(data))
