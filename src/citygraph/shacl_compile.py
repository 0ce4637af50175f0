"""SHACL core constraints compiled to SPARQL and run once each over the whole store on Oxigraph.

pySHACL evaluates core constraints focus node by focus node in Python, on an rdflib copy of the
data: about ten minutes and 2 GB at 10^6 triples, most of it in ``sh:or`` and ``sh:node``.
Here each constraint of a targeted shape becomes **one** SPARQL query that finds every
violating (focus node, value) pair at once, with the shape's targets joined in
(:func:`citygraph.validate._targets`), and the rows become the same results pySHACL reports:
same focus node, result path, value, severity, source shape (the node of the shapes graph, so
the message lookup finds the same ``sh:message``) and constraint component.

:func:`compile_shapes` splits a shapes graph into compiled constraints and the leftovers it
cannot translate (``sh:closed``, qualified value shapes, …), which stay in pySHACL;
:func:`run_core` runs both and builds the rdflib copy of the data only when something is left.

What compiles: ``sh:minCount maxCount datatype class nodeKind pattern flags minInclusive
maxInclusive minExclusive maxExclusive minLength maxLength uniqueLang languageIn hasValue in
disjoint equals lessThan lessThanOrEquals`` on property shapes, the value constraints also on
node shapes (the focus node is the value), and ``sh:node sh:or sh:and sh:not sh:xone`` when
every shape they name compiles to a condition on the value node. Paths: IRIs, sequences,
``sh:inversePath``, ``sh:alternativePath``, ``sh:zeroOrMorePath``, ``sh:oneOrMorePath``,
``sh:zeroOrOnePath`` (SPARQL property paths express all of them).

Where the two engines see different terms: Oxigraph stores valid typed literals in canonical
form (``"+60.10"^^xsd:decimal`` comes back as ``"60.1"``, language tags in lower case), so a
reported value, and ``sh:minLength``/``sh:maxLength`` of a non-canonical typed literal, can
differ from pySHACL's, which sees the lexical form as written. Ill-typed literals
(``"abc"^^xsd:decimal``) are kept as written and are judged by rdflib, as in pySHACL.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from dataclasses import dataclass, field
from itertools import count

import pyoxigraph as ox
import rdflib
import rdflib.collection
from rdflib import BNode, Literal, URIRef

from citygraph.errors import CityGraphError
from citygraph.namespaces import RDF, RDFS

SH = "http://www.w3.org/ns/shacl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
_sh = rdflib.Namespace(SH)
_RDF_TYPE = rdflib.RDF.type

#: predicates of a shape that are not constraints (pySHACL ignores them when validating)
_NOT_CONSTRAINTS = {
    _RDF_TYPE, rdflib.RDFS.label, rdflib.RDFS.comment, rdflib.RDFS.seeAlso, rdflib.RDFS.isDefinedBy,
    _sh.path, _sh.property, _sh.targetClass, _sh.targetNode, _sh.targetSubjectsOf,
    _sh.targetObjectsOf, _sh.message, _sh.severity, _sh.deactivated, _sh.name, _sh.description,
    _sh.order, _sh.group, _sh.defaultValue, _sh.sparql, _sh.flags, _sh.prefixes, _sh.declare,
}
#: value-node constraints: a condition on each value node, one result per failing value
_VALUE_PARAMS = {
    _sh["class"]: "ClassConstraintComponent", _sh.datatype: "DatatypeConstraintComponent",
    _sh.nodeKind: "NodeKindConstraintComponent", _sh.pattern: "PatternConstraintComponent",
    _sh.minInclusive: "MinInclusiveConstraintComponent",
    _sh.maxInclusive: "MaxInclusiveConstraintComponent",
    _sh.minExclusive: "MinExclusiveConstraintComponent",
    _sh.maxExclusive: "MaxExclusiveConstraintComponent",
    _sh.minLength: "MinLengthConstraintComponent", _sh.maxLength: "MaxLengthConstraintComponent",
    _sh["in"]: "InConstraintComponent", _sh.languageIn: "LanguageInConstraintComponent",
    _sh.node: "NodeConstraintComponent", _sh["or"]: "OrConstraintComponent",
    _sh["and"]: "AndConstraintComponent", _sh["not"]: "NotConstraintComponent",
    _sh.xone: "XoneConstraintComponent",
}
#: constraints on the set of value nodes of a property shape: one result per focus node
_SET_PARAMS = {
    _sh.minCount: "MinCountConstraintComponent", _sh.maxCount: "MaxCountConstraintComponent",
    _sh.uniqueLang: "UniqueLangConstraintComponent", _sh.hasValue: "HasValueConstraintComponent",
    _sh.disjoint: "DisjointConstraintComponent", _sh.equals: "EqualsConstraintComponent",
    _sh.lessThan: "LessThanConstraintComponent",
    _sh.lessThanOrEquals: "LessThanOrEqualsConstraintComponent",
}
_NODE_KINDS = {
    _sh.IRI: "isIRI({v})", _sh.BlankNode: "isBLANK({v})", _sh.Literal: "isLITERAL({v})",
    _sh.BlankNodeOrIRI: "(isBLANK({v}) || isIRI({v}))",
    _sh.BlankNodeOrLiteral: "(isBLANK({v}) || isLITERAL({v}))",
    _sh.IRIOrLiteral: "(isIRI({v}) || isLITERAL({v}))",
}
_COMPARE = {_sh.minInclusive: ">=", _sh.maxInclusive: "<=", _sh.minExclusive: ">",
            _sh.maxExclusive: "<"}
#: datatypes whose values rdflib never judges ill-typed (no scan of the store needed)
_ALWAYS_WELL_TYPED = {XSD + "string", RDF + "langString"}
_ILL = re.compile(r"%%ILL <([^>]*)> (\?[A-Za-z0-9_]+)%%")


class NotCompilable(Exception):
    """A constraint (or a shape it names) that the compiler leaves to pySHACL."""


@dataclass
class CompiledConstraint:
    """One constraint of one shape as one SPARQL query (``?this``, and ``?value`` or ``?lang``)."""

    shape: rdflib.term.Node
    component: str  # display form: "sh:MinCountConstraintComponent"
    severity: str
    path: rdflib.term.Node | None  # the sh:path node of the shapes graph (None on a node shape)
    query: str
    node_level: bool  # the value is the focus node itself
    with_value: bool  # the result carries ?value as sh:value
    datatypes: set[str] = field(default_factory=set)  # ill-typed literals of these are looked up


@dataclass
class CompiledShapes:
    constraints: list[CompiledConstraint]
    leftovers: rdflib.Graph | None  # what pySHACL still has to run; None when nothing is left
    skipped: list[str] = field(default_factory=list)  # "shape param: why", for the curious


# ---------------------------------------------------------------------------------- terms
def _term(node: rdflib.term.Node) -> str:
    """A shapes-graph term as SPARQL text."""
    if isinstance(node, BNode):
        raise NotCompilable("a blank node as a constant")
    from citygraph.validate import _to_ox

    return str(_to_ox(node))


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


def _items(shapes: rdflib.Graph, node: rdflib.term.Node) -> list:
    if node == rdflib.RDF.nil:
        return []
    if not isinstance(node, BNode) or shapes.value(node, rdflib.RDF.first) is None:
        raise NotCompilable("not an RDF list")
    return list(rdflib.collection.Collection(shapes, node))


def path_sparql(shapes: rdflib.Graph, path: rdflib.term.Node) -> str:
    """A SHACL property path as a SPARQL property path."""
    if isinstance(path, URIRef):
        return f"<{path}>"
    if not isinstance(path, BNode):
        raise NotCompilable("a path that is not an IRI or a blank node")
    if shapes.value(path, rdflib.RDF.first) is not None:
        steps = _items(shapes, path)
        if len(steps) < 2:
            raise NotCompilable("a sequence path of fewer than two steps")
        return "(" + "/".join(path_sparql(shapes, s) for s in steps) + ")"
    for prop, fmt in ((_sh.inversePath, "^{}"), (_sh.zeroOrMorePath, "{}*"),
                      (_sh.oneOrMorePath, "{}+"), (_sh.zeroOrOnePath, "{}?")):
        inner = shapes.value(path, prop)
        if inner is not None:
            text = path_sparql(shapes, inner)
            return "(" + fmt.format(text if text.startswith(("(", "<")) else f"({text})") + ")"
    alternatives = shapes.value(path, _sh.alternativePath)
    if alternatives is not None:
        options = _items(shapes, alternatives)
        if len(options) < 2:
            raise NotCompilable("an alternative path of fewer than two options")
        return "(" + "|".join(path_sparql(shapes, o) for o in options) + ")"
    raise NotCompilable("an unknown kind of path")


# ---------------------------------------------------------------------------------- conditions
class _Compiler:
    """Turns shapes into SPARQL boolean conditions on a variable (two-valued: errors are false)."""

    def __init__(self, shapes: rdflib.Graph) -> None:
        self.shapes = shapes
        self.fresh = count()
        self.datatypes: set[str] = set()

    def var(self) -> str:
        return f"?_v{next(self.fresh)}"

    def one(self, shape: rdflib.term.Node, param: URIRef) -> rdflib.term.Node:
        values = list(self.shapes.objects(shape, param))
        if len(values) != 1:
            raise NotCompilable(f"{len(values)} values of {param}")
        return values[0]

    def integer(self, node: rdflib.term.Node) -> int:
        if not isinstance(node, Literal) or not isinstance(node.value, int) or isinstance(node.value, bool):
            raise NotCompilable("not an integer")
        return node.value

    # --- value conditions: "the node in variable v satisfies this constraint"
    def value_condition(self, shape: rdflib.term.Node, param: URIRef, arg: rdflib.term.Node,
                        v: str, stack: tuple) -> str:
        if param == _sh["class"]:
            return f"EXISTS {{ {v} <{RDF}type>/<{RDFS}subClassOf>* {_term(arg)} }}"
        if param == _sh.datatype:
            if not isinstance(arg, URIRef):
                raise NotCompilable("sh:datatype is not an IRI")
            dt = str(arg)
            if dt == RDFS + "Literal":
                return f"isLITERAL({v})"
            if dt not in _ALWAYS_WELL_TYPED:
                self.datatypes.add(dt)
                return (f"(isLITERAL({v}) && COALESCE(DATATYPE({v}) = <{dt}>, false)"
                        f" && !(%%ILL <{dt}> {v}%%))")
            return f"(isLITERAL({v}) && COALESCE(DATATYPE({v}) = <{dt}>, false))"
        if param == _sh.nodeKind:
            if arg not in _NODE_KINDS:
                raise NotCompilable("an unknown node kind")
            return _NODE_KINDS[arg].format(v=v)
        if param == _sh.pattern:
            flags = self.shapes.value(shape, _sh.flags)
            kept = "".join(f for f in "im" if flags is not None and f in str(flags).lower())
            if len(list(self.shapes.objects(shape, _sh.flags))) > 1:
                raise NotCompilable("several sh:flags")
            args = f", {_string(kept)}" if kept else ""
            return f"(!isBLANK({v}) && COALESCE(REGEX(STR({v}), {_string(str(arg))}{args}), false))"
        if param in _COMPARE:
            if not isinstance(arg, Literal):
                raise NotCompilable("a bound that is not a literal")
            bound = _term(arg)
            op = _COMPARE[param]
            bound_is_string = isinstance(arg.value, str)
            same_kind = (f"({_is_string_literal(v)})" if bound_is_string
                         else f"!({_is_string_literal(v)})")
            return f"(isLITERAL({v}) && {same_kind} && COALESCE({v} {op} {bound}, false))"
        if param in (_sh.minLength, _sh.maxLength):
            n = self.integer(arg)
            if param == _sh.minLength and n == 0:
                return "true"
            op = ">=" if param == _sh.minLength else "<="
            return f"(!isBLANK({v}) && COALESCE(STRLEN(STR({v})) {op} {n}, false))"
        if param == _sh["in"]:
            members = _items(self.shapes, arg)
            if not members:
                return "false"
            return "(" + " || ".join(f"sameTerm({v}, {_term(m)})" for m in members) + ")"
        if param == _sh.languageIn:
            tags = [str(t).lower() for t in _items(self.shapes, arg)]
            if not tags:
                return "false"
            listed = ", ".join(_string(t) for t in tags)
            return (f"(isLITERAL({v}) && LANG({v}) != \"\" && (LCASE(LANG({v})) IN ({listed})"
                    f" || LCASE(STRBEFORE(LANG({v}), \"-\")) IN ({listed})))")
        if param == _sh.hasValue:  # on a node shape: the node is that value
            return f"sameTerm({v}, {_term(arg)})"
        if param == _sh.node:
            return self.conforms(arg, v, stack)
        if param == _sh["not"]:
            return f"!({self.conforms(arg, v, stack)})"
        if param in (_sh["or"], _sh["and"], _sh.xone):
            members = [self.conforms(m, v, stack) for m in _items(self.shapes, arg)]
            if param == _sh["or"]:
                return "(" + " || ".join(members) + ")" if members else "false"
            if param == _sh["and"]:
                return "(" + " && ".join(members) + ")" if members else "true"
            if not members:
                return "false"
            return "((" + " + ".join(f"IF({m}, 1, 0)" for m in members) + ") = 1)"
        raise NotCompilable(f"{param} is not compiled")

    # --- set conditions: "the values of path from v satisfy this constraint"
    def set_condition(self, shape: rdflib.term.Node, param: URIRef, arg: rdflib.term.Node,
                      v: str, path: str, stack: tuple) -> str:
        if param in (_sh.minCount, _sh.maxCount):
            n = self.integer(arg)
            if param == _sh.minCount:
                return "true" if n <= 0 else f"EXISTS {{ {self.distinct(v, path, n)} }}"
            return f"NOT EXISTS {{ {self.distinct(v, path, n + 1)} }}"
        if param == _sh.hasValue:
            y = self.var()
            return f"EXISTS {{ {v} {path} {y} FILTER(sameTerm({y}, {_term(arg)})) }}"
        if param == _sh.uniqueLang:
            if arg != Literal(True):
                return "true"
            a, b = self.var(), self.var()
            return f"NOT EXISTS {{ {v} {path} {a} . {v} {path} {b} {_same_lang(a, b)} }}"
        if param == _sh.disjoint:
            y = self.var()
            return f"NOT EXISTS {{ {v} {path} {y} . {v} {_iri_path(arg)} {y} }}"
        if param == _sh.equals:
            y, other = self.var(), _iri_path(arg)
            return (f"(NOT EXISTS {{ {v} {path} {y} FILTER NOT EXISTS {{ {v} {other} {y} }} }}"
                    f" && NOT EXISTS {{ {v} {other} {y} FILTER NOT EXISTS {{ {v} {path} {y} }} }})")
        if param in (_sh.lessThan, _sh.lessThanOrEquals):
            a, b = self.var(), self.var()
            test = _less(a, b, param == _sh.lessThanOrEquals)
            return f"NOT EXISTS {{ {v} {path} {a} . {v} {_iri_path(arg)} {b} FILTER(!({test})) }}"
        y = self.var()
        return f"NOT EXISTS {{ {v} {path} {y} FILTER(!({self.value_condition(shape, param, arg, y, stack)})) }}"

    def distinct(self, v: str, path: str, n: int) -> str:
        names = [self.var() for _ in range(n)]
        triples = " . ".join(f"{v} {path} {x}" for x in names)
        different = [f"!sameTerm({a}, {b})" for i, a in enumerate(names) for b in names[i + 1:]]
        return triples + (f" FILTER({' && '.join(different)})" if different else "")

    # --- whole shapes
    def conforms(self, shape: rdflib.term.Node, v: str, stack: tuple) -> str:
        """``v`` conforms to ``shape``: every constraint of it and of its property shapes holds."""
        if shape in stack:
            raise NotCompilable("a recursive shape")
        if self.shapes.value(shape, _sh.deactivated) == Literal(True):
            return "true"
        stack = (*stack, shape)
        parts = []
        path_node = self.shapes.value(shape, _sh.path)
        path = path_sparql(self.shapes, path_node) if path_node is not None else None
        for param, arg in self.shapes.predicate_objects(shape):
            if param in _NOT_CONSTRAINTS and param not in (_sh.property, _sh.sparql):
                continue
            if param == _sh.sparql:
                raise NotCompilable("a SPARQL constraint in a nested shape")
            if param == _sh.property:
                parts.append(self.conforms(arg, v, stack) if path is None else _raise(
                    "sh:property on a property shape"))
            elif path is None and param in _VALUE_PARAMS:
                parts.append(self.value_condition(shape, param, arg, v, stack))
            elif path is None and param == _sh.hasValue:
                parts.append(self.value_condition(shape, param, arg, v, stack))
            elif path is not None and (param in _VALUE_PARAMS or param in _SET_PARAMS):
                parts.append(self.set_condition(shape, param, arg, v, path, stack))
            elif str(param).startswith(SH) or param in (_sh.closed,):
                raise NotCompilable(f"{param} is not compiled")
        return "(" + " && ".join(parts) + ")" if parts else "true"


def _raise(why: str) -> str:
    raise NotCompilable(why)


def _iri_path(node: rdflib.term.Node) -> str:
    if not isinstance(node, URIRef):
        raise NotCompilable("a property pair constraint with a non-IRI property")
    return f"<{node}>"


def _is_string_literal(v: str) -> str:
    """What pySHACL counts as a string (its rdflib value is a str): plain and tagged literals."""
    return f"(isLITERAL({v}) && (LANG({v}) != \"\" || DATATYPE({v}) = <{XSD}string>))"


def _same_lang(a: str, b: str) -> str:
    return (f"FILTER(isLITERAL({a}) && isLITERAL({b}) && LANG({a}) != \"\" && !sameTerm({a}, {b})"
            f" && LCASE(LANG({a})) = LCASE(LANG({b})))")


def _less(a: str, b: str, or_equal: bool) -> str:
    """pySHACL's order for sh:lessThan: IRIs and string literals compare as text, other literals
    by value; a string against a non-string, or a blank node, never passes."""
    op = "<=" if or_equal else "<"
    text_a = f"(isIRI({a}) || {_is_string_literal(a)})"
    text_b = f"(isIRI({b}) || {_is_string_literal(b)})"
    return (f"(!isBLANK({a}) && !isBLANK({b}) && (({text_a} && {text_b} && STR({a}) {op} STR({b}))"
            f" || (!{text_a} && !{text_b} && COALESCE({a} {op} {b}, false))))")


# ---------------------------------------------------------------------------------- top level
#: up to this many different values, sh:minCount/sh:maxCount look for them in one join (3x
#: faster than GROUP BY at 10^6 triples); above it they count
_JOIN_COUNT = 3
_HEADS = {"value": "SELECT DISTINCT ?this ?value WHERE {", "focus": "SELECT DISTINCT ?this WHERE {"}


def _shape_severity(shapes: rdflib.Graph, shape: rdflib.term.Node) -> str:
    from citygraph.validate import _SEVERITY_IRI

    severity = shapes.value(shape, _sh.severity)
    return _SEVERITY_IRI.get(str(severity), "violation") if severity is not None else "violation"


def _top_queries(c: _Compiler, shape: rdflib.term.Node, param: URIRef, arg: rdflib.term.Node,
                 targets: str, path_node: rdflib.term.Node | None) -> tuple[str, bool, bool]:
    """(query, node_level, with_value) for one constraint of a targeted shape."""
    if path_node is None:  # node shape: the focus node is the value node
        if param == _sh.hasValue:
            cond = c.value_condition(shape, param, arg, "?this", ())
            return f"{_HEADS['focus']}\n  {targets}\n  FILTER(!({cond}))\n}}", True, False
        if param not in _VALUE_PARAMS:
            raise NotCompilable(f"{param} on a node shape")
        cond = c.value_condition(shape, param, arg, "?this", ())
        return f"{_HEADS['focus']}\n  {targets}\n  FILTER(!({cond}))\n}}", True, True
    path = path_sparql(c.shapes, path_node)
    if param in _VALUE_PARAMS:
        cond = c.value_condition(shape, param, arg, "?value", ())
        return (f"{_HEADS['value']}\n  {targets}\n  ?this {path} ?value .\n  FILTER(!({cond}))\n}}",
                False, True)
    if param == _sh.minCount:
        n = c.integer(arg)
        if n <= 0:
            raise NotCompilable("sh:minCount 0 never fails")  # nothing to run; pySHACL agrees
        if n <= _JOIN_COUNT:  # n different values, looked for in a join: faster than grouping
            return (f"{_HEADS['focus']}\n  {targets}\n  FILTER NOT EXISTS {{ {c.distinct('?this', path, n)} }}\n}}",
                    False, False)
        return (f"SELECT ?this WHERE {{\n  {targets}\n  OPTIONAL {{ ?this {path} ?_v }}\n}}"
                f" GROUP BY ?this HAVING (COUNT(DISTINCT ?_v) < {n})", False, False)
    if param == _sh.maxCount:
        n = c.integer(arg)
        if n + 1 <= _JOIN_COUNT:
            return f"{_HEADS['focus']}\n  {targets}\n  {c.distinct('?this', path, n + 1)}\n}}", False, False
        return (f"SELECT ?this WHERE {{\n  {targets}\n  ?this {path} ?_v .\n}}"
                f" GROUP BY ?this HAVING (COUNT(DISTINCT ?_v) > {n})", False, False)
    if param == _sh.hasValue:
        return (f"{_HEADS['focus']}\n  {targets}\n  FILTER NOT EXISTS {{ ?this {path} ?_v "
                f"FILTER(sameTerm(?_v, {_term(arg)})) }}\n}}", False, False)
    if param == _sh.uniqueLang:
        if arg != Literal(True):
            raise NotCompilable("sh:uniqueLang false never fails")
        return (f"SELECT DISTINCT ?this ?lang WHERE {{\n  {targets}\n  ?this {path} ?_a . ?this {path} ?_b .\n"
                f"  {_same_lang('?_a', '?_b')}\n  BIND(LCASE(LANG(?_a)) AS ?lang)\n}}", False, False)
    if param == _sh.disjoint:
        return (f"{_HEADS['value']}\n  {targets}\n  ?this {path} ?value . ?this {_iri_path(arg)} ?value .\n}}",
                False, True)
    if param == _sh.equals:
        other = _iri_path(arg)
        return (f"{_HEADS['value']}\n  {targets}\n  {{ ?this {path} ?value FILTER NOT EXISTS {{ ?this {other} ?value }} }}"
                f"\n  UNION {{ ?this {other} ?value FILTER NOT EXISTS {{ ?this {path} ?value }} }}\n}}", False, True)
    if param in (_sh.lessThan, _sh.lessThanOrEquals):
        test = _less("?value", "?_b", param == _sh.lessThanOrEquals)
        return (f"{_HEADS['value']}\n  {targets}\n  ?this {path} ?value . ?this {_iri_path(arg)} ?_b .\n"
                f"  FILTER(!({test}))\n}}", False, True)
    raise NotCompilable(f"{param} is not compiled")


def _inner_shapes(shapes: rdflib.Graph) -> set:
    """Shapes named from inside other shapes (sh:node, sh:not, lists of sh:or/and/xone, …)."""
    inner: set = set()
    for param in (_sh.node, _sh["not"], _sh.qualifiedValueShape):
        inner.update(shapes.objects(None, param))
    for param in (_sh["or"], _sh["and"], _sh.xone):
        for head in shapes.objects(None, param):
            try:
                inner.update(_items(shapes, head))
            except NotCompilable:
                pass
    return inner


def compile_shapes(shapes: rdflib.Graph) -> CompiledShapes:
    """Compile the core constraints of every targeted shape; the rest is left for pySHACL.

    ``shapes`` should hold no ``sh:sparql`` constraints that matter (they run elsewhere):
    ``sh:sparql`` triples are kept as they are in the leftovers.
    """
    from citygraph.validate import _targets

    leftovers = rdflib.Graph()
    for prefix, ns in shapes.namespaces():
        leftovers.bind(prefix, ns)
    for triple in shapes:
        leftovers.add(triple)
    compiled: list[CompiledConstraint] = []
    skipped: list[str] = []
    if any(shapes.subjects(_RDF_TYPE, _sh.ConstraintComponent)):  # custom components: pySHACL
        return CompiledShapes([], leftovers, ["the shapes define their own constraint components"])
    inner = _inner_shapes(shapes)
    targeted = set()
    for target in (_sh.targetClass, _sh.targetNode, _sh.targetSubjectsOf, _sh.targetObjectsOf):
        targeted.update(shapes.subjects(target, None))
    targeted.update(s for s in shapes.subjects(_RDF_TYPE, rdflib.RDFS.Class)
                    if (s, _RDF_TYPE, _sh.NodeShape) in shapes or (s, _RDF_TYPE, _sh.PropertyShape) in shapes)

    def compile_one(shape: rdflib.term.Node, targets: str) -> None:
        """Compile each constraint of ``shape`` (evaluated on the focus nodes of ``targets``)."""
        if shapes.value(shape, _sh.deactivated) == Literal(True):  # reports nothing: drop it
            for param, arg in list(shapes.predicate_objects(shape)):
                if str(param).startswith(SH) and param not in _NOT_CONSTRAINTS:
                    leftovers.remove((shape, param, arg))
            return
        path_node = shapes.value(shape, _sh.path)
        for param, arg in list(shapes.predicate_objects(shape)):
            if param in _NOT_CONSTRAINTS or not str(param).startswith(SH):
                continue
            c = _Compiler(shapes)
            try:
                query, node_level, with_value = _top_queries(c, shape, param, arg, targets, path_node)
            except NotCompilable as why:
                if param == _sh.minCount and isinstance(arg, Literal) and arg.value == 0 or \
                        param == _sh.uniqueLang and arg != Literal(True):
                    leftovers.remove((shape, param, arg))  # never fails
                    continue
                skipped.append(f"{shape} {param}: {why}")
                continue
            name = _VALUE_PARAMS.get(param) or _SET_PARAMS.get(param)
            compiled.append(CompiledConstraint(
                shape=shape, component="sh:" + name, severity=_shape_severity(shapes, shape),
                path=path_node, query=query, node_level=node_level, with_value=with_value,
                datatypes=set(c.datatypes)))
            leftovers.remove((shape, param, arg))
        if not any(leftovers.objects(shape, _sh.pattern)):  # sh:flags goes with the last pattern
            leftovers.remove((shape, _sh.flags, None))

    for shape in sorted(targeted, key=str):
        if shape in inner:
            skipped.append(f"{shape}: also used inside other shapes; left to pySHACL")
            continue
        if shapes.value(shape, _sh.deactivated) == Literal(True):
            for target in (_sh.targetClass, _sh.targetNode, _sh.targetSubjectsOf, _sh.targetObjectsOf):
                leftovers.remove((shape, target, None))
            continue
        targets = _targets(shapes, shape)
        if not targets:
            continue
        compile_one(shape, targets)
        if shapes.value(shape, _sh.path) is not None:
            continue  # a property shape's own sh:property: left to pySHACL
        for prop in list(shapes.objects(shape, _sh.property)):
            if prop in inner or prop in targeted or any(shapes.objects(prop, _sh.property)):
                skipped.append(f"{prop}: shared or nested property shape; left to pySHACL")
                continue
            if shapes.value(prop, _sh.path) is None:
                skipped.append(f"{prop}: a property shape without sh:path")
                continue
            owners = set(shapes.subjects(_sh.property, prop))
            if len(owners) > 1:
                skipped.append(f"{prop}: property shape of several node shapes; left to pySHACL")
                continue
            compile_one(prop, targets)
            if not _has_constraints(leftovers, prop):
                leftovers.remove((shape, _sh.property, prop))
    for shape in targeted:  # nothing left to check on a shape: pySHACL need not visit it
        if not _has_constraints(leftovers, shape) and not any(leftovers.objects(shape, _sh.property)):
            for target in (_sh.targetClass, _sh.targetNode, _sh.targetSubjectsOf, _sh.targetObjectsOf):
                leftovers.remove((shape, target, None))
    remaining = any(True for t in (_sh.targetClass, _sh.targetNode, _sh.targetSubjectsOf,
                                   _sh.targetObjectsOf) for _ in leftovers.subjects(t, None))
    remaining = remaining or any(
        s for s in leftovers.subjects(_RDF_TYPE, rdflib.RDFS.Class)
        if (s, _RDF_TYPE, _sh.NodeShape) in leftovers and _has_constraints(leftovers, s))
    return CompiledShapes(compiled, leftovers if remaining else None, skipped)


def _has_constraints(graph: rdflib.Graph, shape: rdflib.term.Node) -> bool:
    return any(str(p).startswith(SH) and p not in _NOT_CONSTRAINTS for p in graph.predicates(shape, None))


# ---------------------------------------------------------------------------------- running
#: the Python type rdflib gives a well-typed value of these datatypes (pySHACL checks it)
_VALUE_TYPES = {XSD + "integer": int, XSD + "float": float, XSD + "decimal": Decimal,
                XSD + "boolean": bool, XSD + "date": date, XSD + "time": time, XSD + "dateTime": datetime}


def _well_typed(literal: Literal, datatype: str) -> bool:
    """pySHACL's test of a literal whose datatype is ``datatype``: not ill-typed for rdflib,
    and for the datatypes it knows, a value of the right Python type."""
    if getattr(literal, "ill_typed", None) is True:
        return False
    expected = _VALUE_TYPES.get(datatype)
    return expected is None or isinstance(literal.value, expected)


def _ill_typed(store: ox.Store, datatypes: set[str]) -> dict[str, list[ox.Literal]]:
    """Literals of these datatypes that pySHACL would not accept as such (rdflib's judgement)."""
    found: dict[str, list[ox.Literal]] = {dt: [] for dt in datatypes}
    if not datatypes:
        return found
    listed = ", ".join(f"<{dt}>" for dt in sorted(datatypes))
    query = f"SELECT DISTINCT ?o WHERE {{ ?s ?p ?o FILTER(isLITERAL(?o) && DATATYPE(?o) IN ({listed})) }}"
    for row in store.query(query, use_default_graph_as_union=True):
        o = row["o"]
        dt = o.datatype.value
        if not _well_typed(Literal(o.value, datatype=URIRef(dt)), dt):
            found[dt].append(o)
    return found


def _with_ill_typed(query: str, ill: dict[str, list[ox.Literal]]) -> str:
    def repl(match: re.Match[str]) -> str:
        values = ill.get(match.group(1)) or []
        if not values:
            return "false"
        return "(" + " || ".join(f"sameTerm({match.group(2)}, {v})" for v in values) + ")"

    return _ILL.sub(repl, query)


def run_compiled(store: ox.Store, compiled: CompiledShapes, shapes: rdflib.Graph) -> list:
    """Run every compiled constraint once; results as :class:`citygraph.validate._Raw`."""
    from citygraph.validate import _Raw, _shape_message, _to_rdflib, display

    ill = _ill_typed(store, set().union(*(c.datatypes for c in compiled.constraints)))
    raws = []
    for c in compiled.constraints:
        query = _with_ill_typed(c.query, ill)
        try:
            solutions = store.query(query, use_default_graph_as_union=True)
        except (SyntaxError, OSError, RuntimeError, ValueError) as exc:
            raise CityGraphError(f"the compiled {c.component} of {display(c.shape)} failed on "
                                 f"Oxigraph: {exc}\n{query}") from exc
        template = _shape_message(shapes, c.shape)
        for row in solutions:
            this = row["this"]
            if this is None:
                continue
            focus = _to_rdflib(this)
            if c.node_level:
                value = focus if c.with_value else None
            elif c.with_value:
                value = _to_rdflib(row["value"])
            else:
                value = None
            raws.append(_Raw(focus=focus, path=c.path, value=value, severity=c.severity,
                             shape=c.shape, constraint=c.component, template=template,
                             engine="oxigraph"))
    return raws


def run_core(store: ox.Store, shapes: rdflib.Graph,
             data_factory: Callable[[], rdflib.Graph]) -> list:
    """The core constraints of ``shapes``: compiled ones on Oxigraph, the rest in pySHACL.

    ``data_factory`` makes the rdflib copy of the data; it is called only when some constraint
    could not be compiled.
    """
    from citygraph.validate import _run_pyshacl

    compiled = compile_shapes(shapes)
    raws = run_compiled(store, compiled, shapes)
    if compiled.leftovers is not None:
        raws += _run_pyshacl(data_factory(), compiled.leftovers)
    return raws


__all__ = ["CompiledConstraint", "CompiledShapes", "NotCompilable", "compile_shapes", "path_sparql",
           "run_compiled", "run_core"]
