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
    """One constraint (``shape``: the IRI of the shape that holds it, ``shape`` for a blank-node
    property shape, as pySHACL names a result's source). Once ``targets`` has bound ``?this``, the
    pattern ``where`` (empty, or binding ``?value`` to each value node) followed by FILTER
    (``test``) matches each violation; for a SPARQL constraint ``where`` is its SELECT query and
    ``test`` is empty. ``path`` is the result path (or None), ``message`` the shape's message (with
    ``{?value}``-style placeholders for SPARQL constraints)."""

    shape: str
    component: str
    targets: tuple[tuple[str, str], ...]
    where: str
    test: str
    path: str | None
    message: str
    prefixes: str = ""
    sparql: bool = False
    witness: str = ""
    """A group pattern, without targets, that binds ``?this`` to every focus node that can violate
    this check (a superset); empty when there is none (see :func:`run`)."""


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
        self.witnesses: dict[str, str] = {}  # test -> its Check.witness, for the checks of the top level

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

    def constraints(self, shape, focus: str) -> list[tuple[str, tuple[str, str], str | None, object]]:
        """(parameter, (``bind``, ``test``) as :meth:`component` gives them, result path, shape
        holding it) for each constraint of ``shape`` on the node ``focus``, including its property
        shapes."""
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
                found.append((name, self.component(name, value, shape, focus, sparql_path), result_path, shape))
        self.depth -= 1
        return found

    def values(self, focus: str, sparql_path: str | None) -> tuple[str, str]:
        """(pattern binding the value nodes, their variable): the focus itself for a node shape. At
        the top level the variable is ``?value`` (so that checks on one path share one query)."""
        if sparql_path is None:
            return "", focus
        v = "?value" if focus == "?this" else self.var()
        return f"{focus} {sparql_path} {v} .", v

    def violation(self, shape, node: str) -> str:
        """A group pattern that matches (at least once) when ``node`` does not conform to ``shape``."""
        if str(self.shapes.value(shape, _sh("deactivated"))) == "true":
            return "FILTER (false)"  # a deactivated shape is conformed to by every node
        parts = [f"{bind} FILTER ({test})" for _, (bind, test), _, _ in self.constraints(shape, node)]
        if not parts:
            return "FILTER (false)"
        return " UNION ".join("{ " + p + " }" for p in parts)

    def component(self, name: str, value, shape, focus: str, sparql_path: str | None) -> tuple[str, str]:
        """(``bind``, ``test``) for the constraint ``name`` ``value``: the pattern ``bind`` followed by
        FILTER (``test``) matches each violation. ``bind`` binds each value node when SHACL reports
        one result per value node; it is empty for the constraints on the set of values (counts,
        sh:hasValue, sh:uniqueLang, qualified counts) and for node shapes."""
        import rdflib

        if name in ("minCount", "maxCount", "qualifiedValueShape", "uniqueLang") and sparql_path is None:
            raise Unsupported(f"sh:{name} on a node shape")
        if name in ("minCount", "maxCount", "hasValue", "uniqueLang", "qualifiedValueShape"):
            # about the set of values: one result per focus node
            a, b = self.var(), self.var()
            some = f"{focus} {sparql_path} {a} ."
            if name == "minCount":
                if int(value) == 0:
                    return "", "false"
                if int(value) != 1:
                    raise Unsupported(f"sh:minCount {value} (only 0 or 1)")
                return "", f"NOT EXISTS {{ {some} }}"
            if name == "maxCount":
                if int(value) == 0:
                    self.witnesses[f"EXISTS {{ {some} }}"] = some
                    return "", f"EXISTS {{ {some} }}"
                if int(value) != 1:
                    raise Unsupported(f"sh:maxCount {value} (only 0 or 1)")
                test = f"EXISTS {{ {some} {focus} {sparql_path} {b} . FILTER (!sameTerm({a}, {b})) }}"
                # the nodes with two values or more, all at once: GROUP BY took half the time of the
                # pairs of values (0.13 s against 0.24-0.26 s for sb:dutchMunicipality at 10^5 rows)
                self.witnesses[test] = (f"{{ SELECT {focus} WHERE {{ {some} }} GROUP BY {focus} "
                                        f"HAVING (COUNT(DISTINCT {a}) > 1) }}")
                return "", test
            if name == "hasValue":
                if sparql_path is None:
                    return "", f"!sameTerm({focus}, {_n3(value)})"
                return "", f"NOT EXISTS {{ {focus} {sparql_path} {_n3(value)} }}"
            if name == "uniqueLang":
                if str(value) != "true":
                    return "", "false"
                pairs = (f"{some} {focus} {sparql_path} {b} . FILTER (!sameTerm({a}, {b}) "
                         f"&& LANG({a}) != \"\" && LCASE(LANG({a})) = LCASE(LANG({b})))")
                # the nodes with two values in one language, grouped: 0.63 s for the pairs of skos:prefLabel
                # values at 10^5 rows
                self.witnesses[f"EXISTS {{ {pairs} }}"] = (
                    f"{{ SELECT {focus} WHERE {{ {some} FILTER (LANG({a}) != \"\") }} "
                    f"GROUP BY {focus} (LCASE(LANG({a})) AS {b}) HAVING (COUNT(DISTINCT {a}) > 1) }}")
                return "", f"EXISTS {{ {pairs} }}"
            minimum = self.shapes.value(shape, _sh("qualifiedMinCount"))
            if (self.shapes.value(shape, _sh("qualifiedMaxCount")) is not None
                    or str(self.shapes.value(shape, _sh("qualifiedValueShapesDisjoint"))) == "true"):
                raise Unsupported("sh:qualifiedMaxCount or sh:qualifiedValueShapesDisjoint")
            if minimum is None or int(minimum) == 0:
                return "", "false"
            if int(minimum) != 1:
                raise Unsupported(f"sh:qualifiedMinCount {minimum} (only 0 or 1)")
            return "", f"NOT EXISTS {{ {some} FILTER NOT EXISTS {{ {self.violation(value, a)} }} }}"

        bind, v = self.values(focus, sparql_path)
        if name == "class":
            return bind, f"NOT EXISTS {{ {v} <{RDF_TYPE}>/<{SUBCLASS}>* {_n3(value)} }}"
        if name == "datatype":
            test = f"!isLiteral({v}) || !sameTerm(DATATYPE({v}), {_n3(value)})"
            if str(value) in _LEXICAL:
                test += f' || !REGEX(STR({v}), "{_LEXICAL[str(value)]}")'
            elif str(value) not in _PLAIN:
                raise Unsupported(f"sh:datatype {value} (its lexical forms are not checked here)")
            return bind, test
        if name == "pattern":
            if self.shapes.value(shape, _sh("flags")) is not None:
                raise Unsupported("sh:flags")
            return bind, f"isBlank({v}) || !REGEX(STR({v}), {rdflib.Literal(str(value)).n3()})"
        if name == "nodeKind":
            kind = str(value)[len(SH):]
            if kind not in _NODE_KINDS:
                raise Unsupported(f"sh:nodeKind {value}")
            return bind, f"!{_NODE_KINDS[kind].format(v=v)}"
        if name == "in":
            members = list(rdflib.collection.Collection(self.shapes, value))
            test = " || ".join(f"sameTerm({v}, {_n3(m)})" for m in members) or "false"
            return bind, f"!({test})"
        if name == "languageIn":
            tags = list(rdflib.collection.Collection(self.shapes, value))
            test = " || ".join(f"langMatches(LANG({v}), {rdflib.Literal(str(t)).n3()})" for t in tags) or "false"
            return bind, f"!isLiteral({v}) || !({test})"
        if name in ("minInclusive", "maxInclusive"):
            op = ">=" if name == "minInclusive" else "<="
            return bind, f"!COALESCE({v} {op} {_n3(value)}, false)"
        if name == "minLength":
            return bind, f"isBlank({v}) || STRLEN(STR({v})) < {int(value)}"
        if name == "node":
            return bind, f"EXISTS {{ {self.violation(value, v)} }}"
        if name == "not":
            return bind, f"NOT EXISTS {{ {self.violation(value, v)} }}"
        if name == "or":
            members = list(rdflib.collection.Collection(self.shapes, value))
            return bind, " && ".join(f"EXISTS {{ {self.violation(m, v)} }}" for m in members) or "true"
        if name == "disjoint":
            return bind, f"EXISTS {{ {focus} {_n3(value)} {v} }}"
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
        for name, (bind, test), path, holder in compiler.constraints(shape, "?this"):
            message = _message(shapes, holder) or _message(shapes, shape) or f"violates {name} of {shape}"
            source = str(holder) if isinstance(holder, rdflib.URIRef) else "shape"  # as pySHACL names it
            checks.append(Check(source, _COMPONENT_NAME[name], targets, bind, test, path, message,
                                witness=compiler.witnesses.get(test, "") if not bind else ""))
        for constraint in sorted(shapes.objects(shape, _sh("sparql")), key=str):
            select = shapes.value(constraint, _sh("select"))
            if select is None or shapes.value(constraint, _sh("ask")) is not None:
                raise Unsupported("a SPARQL constraint without sh:select")
            text = str(select)
            if any(name in text for name in ("$currentShape", "$shapesGraph", "?currentShape", "?shapesGraph")):
                raise Unsupported("$currentShape or $shapesGraph in a SPARQL constraint")
            message = _message(shapes, constraint) or _message(shapes, shape) or f"violates {shape}"
            checks.append(Check(str(shape), "SPARQLConstraintComponent", targets, text, "", None, message,
                                prefixes=_prefixes(shapes, constraint), sparql=True))
    return checks


def _target_parts(targets, classes) -> list[str]:
    """One group pattern per target of ``targets``, each binding ``?this`` to its focus nodes."""
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
    return parts


def _target_pattern(targets, classes) -> str:
    """A group pattern binding ``?this`` once to each focus node of ``targets`` (a DISTINCT
    subquery; without it, leaving the duplicates to the outer DISTINCT, was not faster)."""
    return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(_target_parts(targets, classes)) + " } }"


def _target_test(targets, classes) -> str:
    """A FILTER expression that is true when the bound ``?this`` is a focus node of ``targets``
    (the same nodes as :func:`_target_pattern`, tested one by one instead of listed)."""
    return " || ".join(f"EXISTS {part}" for part in _target_parts(targets, classes))


CANDIDATES_AT_MOST = 10_000
"""At most this many candidate terms go into a ``VALUES`` clause (see :func:`run`); more, and the
full query runs instead."""


def _values(variable: str, terms: list) -> str | None:
    """``VALUES ?variable { ... }`` of ``terms`` (Oxigraph terms, written as N-Triples, which is
    SPARQL syntax); None when a term cannot be written there (a blank node) or there are more than
    :data:`CANDIDATES_AT_MOST`."""
    if len(terms) > CANDIDATES_AT_MOST or not all(isinstance(t, (ox.NamedNode, ox.Literal)) for t in terms):
        return None
    return f"VALUES {variable} {{ {' '.join(sorted(set(str(t) for t in terms)))} }}"


def _focus(term) -> str:
    return "[blank node]" if isinstance(term, ox.BlankNode) else term.value


def _fill(message: str, row: dict) -> str:
    for name, term in row.items():
        text = term.value if isinstance(term, (ox.NamedNode, ox.Literal, ox.BlankNode)) else str(term)
        message = message.replace("{?" + name + "}", text).replace("{$" + name + "}", text)
    return message


PREFILTER_ABOVE = 1_000
PREFILTER_SHARE = 50
"""Targets with more focus nodes than :data:`PREFILTER_ABOVE` and than 1/:data:`PREFILTER_SHARE` of
the store's triples are first searched for candidate violations without the targets (see
:func:`run`). That search goes through every match of the path in the store, at most
PREFILTER_SHARE times as many as the focus nodes; with fewer focus nodes the targeted query alone is
cheaper (measured at 10^5 rows: the 10^4 partners' checks took 0.12 s targeted and 1.2 s searched
through the 2 x 10^5 labels and countries of all nodes)."""


def run(store: ox.Store, checks: list[Check], done=None, triples: int | None = None) -> list[tuple[str, str | None, str, str, str]]:
    """Run ``checks`` on the default graph of ``store``: (focus node, result path or None, message,
    shape IRI, component local name) of every violation, one per value node where SHACL reports one
    per value node; a blank-node focus is ``[blank node]``. ``done(finished, total)``, if given, is
    told after each check or group of checks. ``triples`` is ``len(store)`` if the caller has it
    (counting takes 0.2 s at 1.7 million triples).

    The queries run one after the other. Two threads (Oxigraph evaluates without the GIL) were
    measured at 1.7 million triples on two cores that other work also used: 34 s in one thread,
    98 s in two (23 s of it in the kernel, the threads contending), so one it is.

    Where the targets have many focus nodes (:data:`PREFILTER_SHARE`), each group is first
    searched without them, for the terms that can violate it at all: the values of the path that
    fail the value tests (each distinct value tested once), the nodes that match a maxCount or
    uniqueLang check's :attr:`Check.witness`, or whether a SPARQL constraint has any solution.
    Only when there are such candidates does the targeted query run, limited to them (``VALUES``)
    where it can be. This finds exactly what the targeted query alone finds: every violation is a
    solution of the search without the targets (the targets only bind ``?this``, which the path,
    the witness or the constraint binds as well). Measured on a 10^5-row import (1.7 million
    triples, 2 shared cores, 2 December 2026): the shape queries took 17-23 s with the targeted
    queries alone and take 8.2-8.7 s so; pyshacl-turbo, the library, took 533 s on the same
    import (see the module's docstring), so it stays the fallback only.
    """
    cache: dict[str, list[str]] = {}
    sizes: dict = {} if triples is None else {"triples": triples}

    def classes(iri: str) -> list[str]:  # a target class and its subclasses, each asked once
        if iri not in cache:
            rows = store.query(f"SELECT DISTINCT ?c WHERE {{ ?c <{SUBCLASS}>* <{iri}> }}")
            cache[iri] = sorted({r["c"].value for r in rows if isinstance(r["c"], ox.NamedNode)} | {iri})
        return cache[iri]

    def many(targets) -> bool:  # asked once for each set of targets
        if targets not in sizes:
            if "triples" not in sizes:
                sizes["triples"] = len(store)
            least = max(PREFILTER_ABOVE, sizes["triples"] // PREFILTER_SHARE)
            query = f"SELECT ?this WHERE {{ {_target_pattern(targets, classes)} }} OFFSET {least} LIMIT 1"
            sizes[targets] = any(True for _ in store.query(query))
        return sizes[targets]

    def sparql(check: Check) -> list:
        found = []
        if many(check.targets) and not store.query(f"{check.prefixes}\nASK {{ {{ {check.where} }} }}"):
            return found
        targets = _target_pattern(check.targets, classes)
        query = f"{check.prefixes}\nSELECT * WHERE {{ {targets} {{ {check.where} }} }}"
        solutions = store.query(query)
        names = {v.value for v in solutions.variables}
        for solution in solutions:
            bound = {n: solution[n] for n in ("this", "value", "path") if n in names and solution[n] is not None}
            path = bound["path"].value if isinstance(bound.get("path"), ox.NamedNode) else check.path
            found.append((_focus(solution["this"]), path, _fill(check.message, bound), check.shape, check.component))
        return found

    def tests(members: list[Check]) -> tuple[str, str]:
        binds = " ".join(f"BIND (COALESCE({m.test}, false) AS ?c{i})" for i, m in enumerate(members))
        return binds, " || ".join(f"?c{i}" for i in range(len(members)))

    # The checks of one target and one path share a query: the focus nodes and their values are
    # found once, each check is one column. Measured at 1.7 million triples (a 10^5-row import, busy
    # machine): one query per check took 44-50 s, one per target and path 25 s (one per target, with
    # a UNION branch per path, was no faster). ``only`` (a VALUES clause) limits the query to
    # candidate values or focus nodes, which are then tested against the targets one by one.
    def grouped(targets, where: str, members: list[Check], only: str | None = None) -> list:
        found = []
        columns = " ".join(f"?c{i}" for i in range(len(members)))
        binds, any_column = tests(members)
        value = "?value" if where else ""
        scope = (_target_pattern(targets, classes) if only is None
                 else f"{only} {where} FILTER ({_target_test(targets, classes)})")
        query = (f"SELECT DISTINCT ?this {value} {columns} WHERE {{ {scope} "
                 f"{where if only is None else ''} {binds} FILTER ({any_column}) }}")
        for solution in store.query(query):
            focus = _focus(solution["this"])
            for i, check in enumerate(members):
                term = solution[f"c{i}"]
                if term is not None and term.value == "true":
                    found.append((focus, check.path, check.message, check.shape, check.component))
        return found

    def prefiltered(targets, where: str, members: list[Check]) -> list:
        if not many(targets):
            return grouped(targets, where, members)
        binds, any_column = tests(members)
        if where and not any("?this" in m.test for m in members):  # tests of the value alone
            bad = [s["value"] for s in store.query(
                f"SELECT ?value WHERE {{ {{ SELECT DISTINCT ?value WHERE {{ {where} }} }} {binds} FILTER ({any_column}) }}")]
            return grouped(targets, where, members, _values("?value", bad)) if bad else []
        if where:
            return grouped(targets, where, members) if store.query(f"ASK {{ {where} {binds} FILTER ({any_column}) }}") else []
        searched = [m for m in members if m.witness]
        rest = [m for m in members if m not in searched]
        found = grouped(targets, where, rest) if rest else []
        for member in searched:
            bad = [s["this"] for s in store.query(f"SELECT DISTINCT ?this WHERE {{ {member.witness} }}")]
            if bad:
                found += grouped(targets, where, [member], _values("?this", bad))
        return found

    own = [check for check in checks if check.sparql]
    groups: dict[tuple, list[Check]] = {}
    for check in checks:
        if not check.sparql:
            groups.setdefault((check.targets, check.where), []).append(check)
    parts = itertools.chain((sparql(check) for check in own),
                            (prefiltered(targets, where, members) for (targets, where), members in groups.items()))
    found = []
    for finished, part in enumerate(parts, start=1):
        found += part
        if done is not None:
            done(finished, len(own) + len(groups))
    return found
