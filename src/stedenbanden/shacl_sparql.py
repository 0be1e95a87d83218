"""The SHACL shapes run as SPARQL queries over the Oxigraph store itself (engine ``sparql``).

Why this exists (measured, 1 December 2026, two shared cores): ``kb import-csv`` of 10^5 rows
gives 1.7 million triples to validate. pyshacl-turbo first dumps the whole store to N-Quads and
copies it into its own graph (32 s and 1.8 GiB for one trivial shape, measured alone), then
checks each focus node; with the shipped shapes it took 29 s at 10^4 rows and 533 s and 4.6 GiB
at 10^5 rows on a busy machine. pySHACL (Python) is slower still. Here each constraint of each
shape becomes one SPARQL query that finds all of its violations at once, run by Oxigraph on the
store already loaded: no copy.

It is complete by construction or not used: :func:`compile_shapes` translates every constraint
component the shipped shapes use (listed in :data:`COMPONENTS`) and raises :class:`Unsupported`
for anything else (another component, a path other than a property or its inverse, a count other
than 0 or 1, SPARQL that uses ``$currentShape`` ...), so a shape added later that this module
cannot express is never skipped silently: :func:`stedenbanden.validate.shacl_violations` then
validates with pyshacl-turbo instead. ``tests/test_shapes.py`` checks that this engine reports
exactly what pySHACL reports (focus node, path, component and message) on every shape example.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pyoxigraph as ox

SH = "http://www.w3.org/ns/shacl#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"

COMPONENTS = ("minCount", "maxCount", "class", "datatype", "pattern", "nodeKind", "hasValue", "in", "languageIn",
              "uniqueLang", "minInclusive", "maxInclusive", "minLength", "node", "not", "or",
              "qualifiedValueShape", "disjoint", "sparql")
"""The SHACL constraint parameters translated here (sh:qualifiedMinCount goes with sh:qualifiedValueShape)."""

_IGNORED = {"path", "message", "name", "description", "order", "group", "targetClass", "targetNode",
            "targetSubjectsOf", "targetObjectsOf", "qualifiedMinCount", "severity"}
_COMPONENT_NAME = {"minCount": "MinCountConstraintComponent", "maxCount": "MaxCountConstraintComponent",
                   "class": "ClassConstraintComponent", "datatype": "DatatypeConstraintComponent",
                   "pattern": "PatternConstraintComponent", "nodeKind": "NodeKindConstraintComponent",
                   "hasValue": "HasValueConstraintComponent", "in": "InConstraintComponent",
                   "languageIn": "LanguageInConstraintComponent", "uniqueLang": "UniqueLangConstraintComponent",
                   "minInclusive": "MinInclusiveConstraintComponent",
                   "maxInclusive": "MaxInclusiveConstraintComponent", "minLength": "MinLengthConstraintComponent",
                   "node": "NodeConstraintComponent", "not": "NotConstraintComponent", "or": "OrConstraintComponent",
                   "qualifiedValueShape": "QualifiedMinCountConstraintComponent",
                   "disjoint": "DisjointConstraintComponent", "sparql": "SPARQLConstraintComponent"}
_LEXICAL = {  # lexical forms that sh:datatype accepts besides the datatype itself (XML Schema 1.1)
    "http://www.w3.org/2001/XMLSchema#integer": r"^[+-]?[0-9]+$",
    "http://www.w3.org/2001/XMLSchema#decimal": r"^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)$",
}
_PLAIN = ("http://www.w3.org/2001/XMLSchema#string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString")
_NODE_KINDS = {"IRI": "isIRI({v})", "BlankNode": "isBlank({v})", "Literal": "isLiteral({v})",
               "BlankNodeOrIRI": "(isBlank({v}) || isIRI({v}))", "BlankNodeOrLiteral": "(isBlank({v}) || isLiteral({v}))",
               "IRIOrLiteral": "(isIRI({v}) || isLiteral({v}))"}


class Unsupported(Exception):
    """A shape uses SHACL that this module does not translate; validate with a SHACL engine instead."""


@dataclass(frozen=True)
class Check:
    """One constraint as a query (``shape``: the IRI of the shape that holds it, ``shape`` for a
    blank-node property shape, as pySHACL names a result's source): ``where`` binds ``?this`` (and ``?value`` for value-based ones) for
    every violation once ``targets`` has bound ``?this``; ``path`` is the result path (or None),
    ``message`` the shape's message (with ``{?value}``-style placeholders for SPARQL constraints)."""

    shape: str
    component: str
    targets: tuple[tuple[str, str], ...]
    where: str
    path: str | None
    message: str
    prefixes: str = ""
    sparql: bool = False
    value: str | None = None


def _n3(term) -> str:
    import rdflib

    if isinstance(term, rdflib.URIRef):
        return f"<{term}>"
    if isinstance(term, rdflib.Literal):
        return term.n3()
    raise Unsupported(f"a blank node {term} as a constraint value")


def _message(shapes, node) -> str | None:
    messages = sorted(shapes.objects(node, _sh("message")), key=lambda m: (getattr(m, "language", None) != "en", str(m)))
    return str(messages[0]) if messages else None


def _sh(name: str):
    import rdflib

    return rdflib.URIRef(SH + name)


class _Compiler:
    def __init__(self, shapes):
        self.shapes = shapes
        self.fresh = itertools.count()
        self.depth = 0

    def var(self) -> str:
        return f"?v{next(self.fresh)}"

    def path(self, node) -> tuple[str, str | None]:
        """(SPARQL path, result path IRI or None) of the sh:path ``node``."""
        import rdflib

        if isinstance(node, rdflib.URIRef):
            return f"<{node}>", str(node)
        inverse = self.shapes.value(node, _sh("inversePath"))
        if isinstance(inverse, rdflib.URIRef) and len(set(self.shapes.predicate_objects(node))) == 1:
            return f"^<{inverse}>", None
        raise Unsupported(f"the property path {node} (only an IRI or sh:inversePath of one)")

    def constraints(self, shape, focus: str) -> list[tuple[str, str, str | None, object, str | None]]:
        """(parameter, pattern that matches when ``focus`` violates it, result path, shape holding it,
        the variable of the value node at fault or None) for each constraint of ``shape`` on the node
        ``focus``, including its property shapes."""
        import rdflib

        self.depth += 1
        if self.depth > 20:
            raise Unsupported("shapes nested more than 20 deep (recursive shapes?)")
        found = []
        path_node = self.shapes.value(shape, _sh("path"))
        if path_node is not None:
            sparql_path, result_path = self.path(path_node)
        else:
            sparql_path, result_path = None, None
        for predicate in sorted(set(self.shapes.predicates(shape, None))):
            if not str(predicate).startswith(SH):
                continue
            name = str(predicate)[len(SH):]
            if name in _IGNORED:
                continue
            if name == "property":
                if sparql_path is not None:
                    raise Unsupported("sh:property inside a property shape")
                for prop in sorted(self.shapes.objects(shape, predicate), key=str):
                    if str(self.shapes.value(prop, _sh("deactivated"))) == "true":
                        continue
                    found += self.constraints(prop, focus)
                continue
            if name == "deactivated":
                continue
            if name not in _COMPONENT_NAME:
                raise Unsupported(f"sh:{name} on {shape}")
            if name == "sparql":
                if self.depth > 1:
                    raise Unsupported("sh:sparql in a shape reached through sh:node, sh:not, sh:or or a property")
                continue
            for value in sorted(self.shapes.objects(shape, predicate), key=str):
                pattern, per_value = self.component(name, value, shape, focus, sparql_path)
                found.append((name, pattern, result_path, shape, per_value))
        self.depth -= 1
        return found

    def values(self, focus: str, sparql_path: str | None) -> tuple[str, str]:
        """(pattern binding the value nodes, their variable): the focus itself for a node shape."""
        if sparql_path is None:
            return "", focus
        v = self.var()
        return f"{focus} {sparql_path} {v} .", v

    def violation(self, shape, node: str) -> str:
        """A group pattern that matches (at least once) when ``node`` does not conform to ``shape``."""
        parts = [pattern for _, pattern, _, _, _ in self.constraints(shape, node)]
        if not parts:
            return "FILTER (false)"
        return " UNION ".join("{ " + p + " }" for p in parts)

    def component(self, name: str, value, shape, focus: str, sparql_path: str | None) -> tuple[str, str | None]:
        """(pattern matching each violation of the constraint ``name`` ``value``, the variable of the
        value node at fault when SHACL reports one result per value node, else None)."""
        pattern = self._component(name, value, shape, focus, sparql_path)
        per_value = name not in ("minCount", "maxCount", "hasValue", "uniqueLang", "qualifiedValueShape")
        return pattern, (self.last_value if per_value else None)

    def _component(self, name: str, value, shape, focus: str, sparql_path: str | None) -> str:
        import rdflib

        bind, v = self.values(focus, sparql_path)
        self.last_value = v
        if name in ("minCount", "maxCount", "qualifiedValueShape") and sparql_path is None:
            raise Unsupported(f"sh:{name} on a node shape")
        if name == "minCount":
            if int(value) == 0:
                return "FILTER (false)"
            if int(value) != 1:
                raise Unsupported(f"sh:minCount {value} (only 0 or 1)")
            return f"FILTER NOT EXISTS {{ {bind} }}"
        if name == "maxCount":
            if int(value) == 0:
                return bind
            if int(value) != 1:
                raise Unsupported(f"sh:maxCount {value} (only 0 or 1)")
            w = self.var()
            return f"{bind} {focus} {sparql_path} {w} . FILTER (!sameTerm({v}, {w}))"
        if name == "class":
            return f"{bind} FILTER NOT EXISTS {{ {v} <{RDF_TYPE}>/<{SUBCLASS}>* {_n3(value)} }}"
        if name == "datatype":
            test = f"!isLiteral({v}) || !sameTerm(DATATYPE({v}), {_n3(value)})"
            if str(value) in _LEXICAL:
                test += f' || !REGEX(STR({v}), "{_LEXICAL[str(value)]}")'
            elif str(value) not in _PLAIN:
                raise Unsupported(f"sh:datatype {value} (its lexical forms are not checked here)")
            return f"{bind} FILTER ({test})"
        if name == "pattern":
            if self.shapes.value(shape, _sh("flags")) is not None:
                raise Unsupported("sh:flags")
            return f"{bind} FILTER (isBlank({v}) || !REGEX(STR({v}), {rdflib.Literal(str(value)).n3()}))"
        if name == "nodeKind":
            kind = str(value)[len(SH):]
            if kind not in _NODE_KINDS:
                raise Unsupported(f"sh:nodeKind {value}")
            return f"{bind} FILTER (!{_NODE_KINDS[kind].format(v=v)})"
        if name == "hasValue":
            if sparql_path is None:
                return f"FILTER (!sameTerm({focus}, {_n3(value)}))"
            return f"FILTER NOT EXISTS {{ {focus} {sparql_path} {_n3(value)} }}"
        if name == "in":
            members = list(rdflib.collection.Collection(self.shapes, value))
            test = " || ".join(f"sameTerm({v}, {_n3(m)})" for m in members) or "false"
            return f"{bind} FILTER (!({test}))"
        if name == "languageIn":
            tags = list(rdflib.collection.Collection(self.shapes, value))
            test = " || ".join(f"langMatches(LANG({v}), {rdflib.Literal(str(t)).n3()})" for t in tags) or "false"
            return f"{bind} FILTER (!isLiteral({v}) || !({test}))"
        if name == "uniqueLang":
            if str(value) != "true":
                return "FILTER (false)"
            if sparql_path is None:
                raise Unsupported("sh:uniqueLang on a node shape")
            w = self.var()
            return (f"{bind} {focus} {sparql_path} {w} . FILTER (!sameTerm({v}, {w}) && LANG({v}) != \"\" "
                    f"&& LCASE(LANG({v})) = LCASE(LANG({w})))")
        if name in ("minInclusive", "maxInclusive"):
            op = ">=" if name == "minInclusive" else "<="
            return f"{bind} FILTER (!COALESCE({v} {op} {_n3(value)}, false))"
        if name == "minLength":
            return f"{bind} FILTER (isBlank({v}) || STRLEN(STR({v})) < {int(value)})"
        if name == "node":
            return f"{bind} FILTER EXISTS {{ {self.violation(value, v)} }}"
        if name == "not":
            return f"{bind} FILTER NOT EXISTS {{ {self.violation(value, v)} }}"
        if name == "or":
            members = list(rdflib.collection.Collection(self.shapes, value))
            test = " && ".join(f"EXISTS {{ {self.violation(m, v)} }}" for m in members) or "true"
            return f"{bind} FILTER ({test})"
        if name == "qualifiedValueShape":
            minimum = self.shapes.value(shape, _sh("qualifiedMinCount"))
            if (self.shapes.value(shape, _sh("qualifiedMaxCount")) is not None
                    or str(self.shapes.value(shape, _sh("qualifiedValueShapesDisjoint"))) == "true"):
                raise Unsupported("sh:qualifiedMaxCount or sh:qualifiedValueShapesDisjoint")
            if minimum is None or int(minimum) == 0:
                return "FILTER (false)"
            if int(minimum) != 1:
                raise Unsupported(f"sh:qualifiedMinCount {minimum} (only 0 or 1)")
            return f"FILTER NOT EXISTS {{ {bind} FILTER NOT EXISTS {{ {self.violation(value, v)} }} }}"
        if name == "disjoint":
            if sparql_path is None:
                return f"{focus} {_n3(value)} {focus} ."
            return f"{bind} {focus} {_n3(value)} {v} ."
        raise Unsupported(f"sh:{name}")  # pragma: no cover - COMPONENTS and the branches above agree


def _prefixes(shapes, constraint) -> str:
    lines = []
    for declaring in shapes.objects(constraint, _sh("prefixes")):
        for declaration in shapes.objects(declaring, _sh("declare")):
            prefix = shapes.value(declaration, _sh("prefix"))
            namespace = shapes.value(declaration, _sh("namespace"))
            lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(set(lines)))


def compile_shapes(shapes) -> list[Check]:
    """The :class:`Check` of every constraint of every targeted shape in the rdflib graph ``shapes``,
    in a deterministic order. Raises :class:`Unsupported` when any shape uses SHACL this module does
    not translate (see :data:`COMPONENTS`)."""
    import rdflib

    checks = []
    targets_of: dict = {}
    for kind in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf"):
        for shape, value in shapes.subject_objects(_sh(kind)):
            if not isinstance(value, rdflib.URIRef):
                raise Unsupported(f"sh:{kind} {value}")
            targets_of.setdefault(shape, set()).add((kind, str(value)))
    for shape in sorted(targets_of, key=str):
        if not isinstance(shape, rdflib.URIRef):
            raise Unsupported(f"a targeted blank-node shape {shape}")
        if str(shapes.value(shape, _sh("deactivated"))) == "true":
            continue
        if shapes.value(shape, _sh("target")) is not None:
            raise Unsupported("sh:target (SPARQL-based targets)")
        targets = tuple(sorted(targets_of[shape]))
        compiler = _Compiler(shapes)
        for name, pattern, path, holder, value in compiler.constraints(shape, "?this"):
            message = _message(shapes, holder) or _message(shapes, shape) or f"violates {name} of {shape}"
            source = str(holder) if isinstance(holder, rdflib.URIRef) else "shape"  # as pySHACL names it
            checks.append(Check(source, _COMPONENT_NAME[name], targets, pattern, path, message, value=value))
        for constraint in sorted(shapes.objects(shape, _sh("sparql")), key=str):
            select = shapes.value(constraint, _sh("select"))
            if select is None or shapes.value(constraint, _sh("ask")) is not None:
                raise Unsupported("a SPARQL constraint without sh:select")
            text = str(select)
            if any(name in text for name in ("$currentShape", "$shapesGraph", "?currentShape", "?shapesGraph")):
                raise Unsupported("$currentShape or $shapesGraph in a SPARQL constraint")
            message = _message(shapes, constraint) or _message(shapes, shape) or f"violates {shape}"
            checks.append(Check(str(shape), "SPARQLConstraintComponent", targets, text, None, message,
                                prefixes=_prefixes(shapes, constraint), sparql=True))
    return checks


def _target_pattern(targets, classes) -> str:
    parts = []
    for kind, value in targets:
        if kind == "targetClass":
            values = " ".join(f"<{c}>" for c in classes(value))
            parts.append(f"{{ VALUES ?class {{ {values} }} ?this a ?class }}")
        elif kind == "targetNode":
            parts.append(f"{{ VALUES ?this {{ <{value}> }} }}")
        elif kind == "targetSubjectsOf":
            parts.append(f"{{ ?this <{value}> ?any }}")
        else:
            parts.append(f"{{ ?any <{value}> ?this }}")
    return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(parts) + " } }"


def _fill(message: str, row: dict) -> str:
    for name, term in row.items():
        text = term.value if isinstance(term, (ox.NamedNode, ox.Literal, ox.BlankNode)) else str(term)
        message = message.replace("{?" + name + "}", text).replace("{$" + name + "}", text)
    return message


def run(store: ox.Store, checks: list[Check]) -> list[tuple[str, str | None, str, str, str]]:
    """Run ``checks`` on the default graph of ``store``: (focus node, result path or None, message,
    shape IRI, component local name) of every violation, one per value node where SHACL reports one
    per value node; a blank-node focus is ``[blank node]``."""
    cache: dict[str, list[str]] = {}

    def classes(iri: str) -> list[str]:
        if iri not in cache:
            rows = store.query(f"SELECT DISTINCT ?c WHERE {{ ?c <{SUBCLASS}>* <{iri}> }}")
            cache[iri] = sorted({r["c"].value for r in rows if isinstance(r["c"], ox.NamedNode)} | {iri})
        return cache[iri]

    found = []
    for check in checks:
        targets = _target_pattern(check.targets, classes)
        if check.sparql:
            query = f"{check.prefixes}\nSELECT * WHERE {{ {targets} {{ {check.where} }} }}"
        else:
            projected = "?this" + (f" {check.value}" if check.value and check.value != "?this" else "")
            query = f"SELECT DISTINCT {projected} WHERE {{ {targets} {check.where} }}"
        solutions = store.query(query)
        names = {v.value for v in solutions.variables}
        for solution in solutions:
            this = solution["this"]
            focus = "[blank node]" if isinstance(this, ox.BlankNode) else this.value
            path = check.path
            message = check.message
            if check.sparql:
                bound = {n: solution[n] for n in ("this", "value", "path") if n in names and solution[n] is not None}
                if isinstance(bound.get("path"), ox.NamedNode):
                    path = bound["path"].value
                message = _fill(message, bound)
            found.append((focus, path, message, check.shape, check.component))
    return found
