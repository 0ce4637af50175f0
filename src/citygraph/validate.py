"""Consistency of the curated data: SHACL shapes -> a report a curator can act on.

``validate()`` checks Turtle files (by default all of ``data/``) against
``shapes/citygraph.ttl`` and returns a :class:`ValidationReport`: every result with its
severity, a message written for a curator, the entity's label and IRI, and the file and line
where the entity (and, for an attestation, the ``[`` that opens it) is written.

Two engines make one report, because pySHACL is slow where a constraint goes through
rdflib's SPARQL engine (it re-parses the query for every focus node: 32 s for the SHACL-SPARQL
constraints on data/ alone, against 0.3 s for all the core constraints):

* the **core** constraints are compiled to SPARQL (:mod:`citygraph.shacl_compile`) and run
  once each on Oxigraph, with the same results as pySHACL; whatever the compiler cannot
  translate runs in pySHACL, on an rdflib copy of the data plus the ontology, made only then
  (``engine="split"`` runs all core constraints in pySHACL);
* each **SHACL-SPARQL** constraint (``sh:sparql``: uniqueness, date comparisons, personal data)
  runs *once* on Oxigraph over the whole graph, with the shape's targets joined in, which gives
  the results SHACL defines (``engine="pyshacl"`` runs everything in pySHACL, to compare);
* two built-in checks that SHACL cannot target cover what no shape would see: a subject
  without ``rdf:type``, and a type that is not a class of the ontology.

The files are parsed once, by Oxigraph; the rdflib graph is made from the same triples, with
the same blank-node ids, so results of both engines point at the same nodes.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib
import rdflib.collection
from rdflib import BNode, Literal, URIRef

from citygraph.canonical import parse_turtle, turtle_files
from citygraph.config import Settings
from citygraph.errors import CityGraphError, NotFoundError
from citygraph.locations import SourceIndex
from citygraph.namespaces import (
    CG, CURATED_GRAPH, DCTERMS, GRAPH, ID, ONTOLOGY_GRAPH, ORG, OWL, PREFIXES, RDF, RDFS, SKOS, XSD_STRING,
    compact,
)

SH = "http://www.w3.org/ns/shacl#"
SHAPES_NS = "https://w3id.org/citygraph/shapes#"
SHAPES_RELPATH = Path("shapes") / "citygraph.ttl"
#: the lighter shapes for imported layers, used with citygraph.ttl's shapes minus their targets
LAYER_SHAPES_RELPATH = Path("shapes") / "layers.ttl"

#: most to least severe; ``--min-severity`` picks a cut-off in this order
SEVERITIES = ("violation", "warning", "info")
_SEVERITY_IRI = {SH + "Violation": "violation", SH + "Warning": "warning", SH + "Info": "info"}
_SEVERITY_OF = {v: k for k, v in _SEVERITY_IRI.items()}

#: built-in layers ``validate`` can check (the ontology is always loaded for the class
#: hierarchy); every imported layer (``citygraph import``) can be named too, or ``all``
LAYERS = ("curated", "ontology")
#: ``validate(engine=...)``: core constraints compiled to SPARQL (default), in pySHACL, or all
#: constraints in pySHACL (the reference)
ENGINES = ("compiled", "split", "pyshacl")
_TARGETS = ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf")

#: properties that name the parties of a relationship, for labels such as "Helsinki – Tallinn"
_PARTY_PROPERTIES = (CG + "party", ORG + "member", ORG + "organization", CG + "host",
                     CG + "hosted", CG + "operator", CG + "office", CG + "owner", CG + "owned",
                     CG + "policyOf")
_LANGS = ("en", "fi", "sv")
_MAX_VALUE = 90

Notify = Callable[[str], None]


class ConsistencyError(CityGraphError):
    """The data has SHACL violations; ``report`` has them all."""

    exit_code = 1

    def __init__(self, report: ValidationReport, limit: int = 10) -> None:
        self.report = report
        violations = [r for r in report.results if r.severity == "violation"]
        lines = [r.one_line() for r in violations[:limit]]
        more = len(violations) - len(lines)
        super().__init__(
            f"the data has {len(violations)} violation(s) of {self.shapes_name(report)}; fix them "
            f"(`citygraph validate{self.option(report)}` lists them all):\n  " + "\n  ".join(lines)
            + (f"\n  … and {more} more" if more > 0 else ""))

    @staticmethod
    def shapes_name(report: ValidationReport) -> str:
        imported = [layer for layer in report.layers if layer not in LAYERS]
        if not imported:
            return "shapes/citygraph.ttl"
        return "shapes/layers.ttl" + (" and shapes/citygraph.ttl" if "curated" in report.layers else "")

    @staticmethod
    def option(report: ValidationReport) -> str:
        return "" if report.layers in (["curated"], []) else " --layers " + ",".join(report.layers)


# ---------------------------------------------------------------------------------- results
@dataclass
class ValidationResult:
    """One finding, located and worded for a curator."""

    severity: str
    message: str
    entity: str | None
    focus: str
    focus_kind: str  # "entity", "attestation" or "blank node"
    path: str | None = None
    value: str | None = None
    shape: str | None = None
    constraint: str | None = None
    engine: str = "pyshacl"
    file: str | None = None
    line: int | None = None
    node_line: int | None = None
    label: str | None = None
    types: list[str] = field(default_factory=list)
    property: str | None = None  # the path as written: ``cg:party``, ``cg:attestation/cg:describedAs``
    value_term: object = field(default=None, repr=False, compare=False)  # the rdflib term
    node: str = field(default="", repr=False)  # the focus node's IRI or blank-node id

    def one_line(self) -> str:
        """``data/x.ttl:12: entity: property: message`` for logs and errors."""
        where = f"{self.file}:{self.node_line or self.line}" if self.file else "(unknown file)"
        name = compact(self.entity) if self.entity else self.focus
        prop = f" {self.property}:" if self.property else ""
        return f"{where}: {self.severity}: {name}:{prop} {self.message}"

    def key(self) -> tuple:
        """What makes two results the same finding."""
        return (self.node or self.focus, self.path, self.value, self.shape, self.message)


@dataclass
class ValidationReport:
    """All results of one validation, with what was validated and how long it took."""

    results: list[ValidationResult]
    files: list[str]
    layers: list[str]
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def conforms(self) -> bool:
        """No violations (warnings and infos allowed)."""
        return not any(r.severity == "violation" for r in self.results)

    def counts(self) -> dict[str, int]:
        """Number of results per severity, all severities present."""
        found = Counter(r.severity for r in self.results)
        return {s: found.get(s, 0) for s in SEVERITIES}

    def selected(self, min_severity: str = "info") -> list[ValidationResult]:
        """The results at ``min_severity`` or more severe."""
        cut = _severity_rank(min_severity)
        return [r for r in self.results if SEVERITIES.index(r.severity) <= cut]

    def entities(self, min_severity: str = "info") -> list[dict]:
        """Results grouped by entity (see :meth:`to_dict` for the structure)."""
        groups: dict[tuple, dict] = {}
        for r in self.selected(min_severity):
            key = (r.entity or r.focus,)
            group = groups.get(key)
            if group is None:
                group = groups[key] = {
                    "iri": r.entity,
                    "name": compact(r.entity) if r.entity else r.focus,
                    "label": r.label,
                    "types": r.types,
                    "file": r.file,
                    "line": r.line,
                    "results": [],
                }
            group["results"].append({
                "severity": r.severity,
                "message": r.message,
                "property": r.property,
                "property_iri": r.path,
                "value": r.value,
                "focus": r.focus_kind,
                "line": r.node_line or r.line,
                "shape": r.shape,
                "constraint": r.constraint,
                "engine": r.engine,
            })
        return sorted(groups.values(), key=lambda g: (g["file"] or "~", g["line"] or 0, g["name"]))

    def to_dict(self, min_severity: str = "info") -> dict:
        """The stable JSON structure (format version 1; documented in the README).

        ``{"format": "citygraph-validation", "version": 1, "conforms", "counts", "min_severity",
        "files", "layers", "entities": [{"iri", "name", "label", "types", "file", "line",
        "results": [{"severity", "message", "property", "property_iri", "value", "focus",
        "line", "shape", "constraint", "engine"}]}]}``. ``counts`` covers all results,
        ``entities`` only those at ``min_severity`` or above. No timings, so equal data gives
        equal output.
        """
        return {
            "format": "citygraph-validation",
            "version": 1,
            "conforms": self.conforms,
            "counts": self.counts(),
            "min_severity": min_severity,
            "files": self.files,
            "layers": self.layers,
            "entities": self.entities(min_severity),
        }

    def to_json(self, min_severity: str = "info") -> str:
        return json.dumps(self.to_dict(min_severity), indent=2, ensure_ascii=False)

    def to_text(self, min_severity: str = "warning") -> str:
        """Plain text grouped by entity: where, what, how bad, what to do."""
        out: list[str] = []
        for group in self.entities(min_severity):
            where = (f"{group['file']}:{group['line']}" if group["file"] and group["line"]
                     else group["file"] or "(not in the checked files)")
            label = f"  ({group['label']})" if group["label"] and group["label"] != group["name"] else ""
            out.append(f"{where}  {group['name']}{label}")
            for r in sorted(group["results"], key=lambda x: (SEVERITIES.index(x["severity"]),
                                                             x["line"] or 0, x["property"] or "")):
                bits = [f"  {r['severity'].upper():<9}"]
                if r["focus"] != "entity":
                    bits.append(f"[{r['focus']} at line {r['line']}]" if r["line"] else f"[{r['focus']}]")
                bits.append(r["property"] or "(the entity itself)")
                if r["value"] is not None:
                    bits.append(r["value"])
                out.append(" ".join(bits))
                out.append(f"             {r['message']}")
            out.append("")
        counts = self.counts()
        summary = ", ".join(f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}" for s in SEVERITIES)
        hidden = len(self.results) - len(self.selected(min_severity))
        tail = f" ({hidden} below {min_severity} not shown)" if hidden else ""
        total = self.seconds.get("total")
        timing = f" in {total:.2f} s" if total is not None else ""
        verdict = "conforms" if self.conforms else "does NOT conform"
        out.append(f"{len(self.files)} file(s) checked{timing}: {verdict}; {summary}{tail}.")
        return "\n".join(out)

    def to_turtle(self, min_severity: str = "info") -> str:
        """A standard ``sh:ValidationReport`` with each result's file and line added."""
        g = rdflib.Graph(bind_namespaces="none")
        g.bind("sh", SH)
        g.bind("shape", SHAPES_NS)
        for prefix, ns in PREFIXES.items():
            g.bind(prefix, ns)
        sh = rdflib.Namespace(SH)
        loc = rdflib.Namespace(SHAPES_NS)
        report = BNode()
        g.add((report, rdflib.RDF.type, sh.ValidationReport))
        g.add((report, sh.conforms, Literal(self.conforms)))
        for r in self.selected(min_severity):
            node = BNode()
            g.add((report, sh.result, node))
            g.add((node, rdflib.RDF.type, sh.ValidationResult))
            focus = URIRef(r.focus) if r.focus_kind == "entity" else BNode()
            g.add((node, sh.focusNode, focus))
            if r.entity:
                g.add((node, loc.entity, URIRef(r.entity)))
            if r.path:
                g.add((node, sh.resultPath, URIRef(r.path)))
            if isinstance(r.value_term, URIRef | Literal):
                g.add((node, sh.value, r.value_term))
            elif r.value is not None:
                g.add((node, sh.value, Literal(r.value)))
            g.add((node, sh.resultSeverity, URIRef(_SEVERITY_OF[r.severity])))
            g.add((node, sh.resultMessage, Literal(r.message, lang="en")))
            if r.shape:
                g.add((node, sh.sourceShape, URIRef(_expand_shape(r.shape))))
            if r.constraint:
                g.add((node, sh.sourceConstraintComponent, URIRef(SH + r.constraint.split(":", 1)[-1])))
            if r.file:
                g.add((node, loc.file, Literal(r.file)))
            if r.node_line or r.line:
                g.add((node, loc.line, Literal(r.node_line or r.line)))
        return g.serialize(format="turtle")


def _severity_rank(name: str) -> int:
    try:
        return SEVERITIES.index(name.lower())
    except ValueError:
        raise CityGraphError(f"unknown severity {name!r}; use one of {', '.join(SEVERITIES)}") from None


def _expand_shape(name: str) -> str:
    return SHAPES_NS + name[len("shape:"):] if name.startswith("shape:") else name.strip("<>")


# ---------------------------------------------------------------------------------- terms
def _to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> rdflib.term.Node:
    """pyoxigraph term -> rdflib term, keeping blank-node ids.

    Oxigraph types a plain literal as xsd:string; rdflib keeps it untyped, and only then do
    rdflib's comparisons with other plain literals hold (see DESIGN: do not mix the parsers).
    """
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    if datatype == XSD_STRING:
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(datatype))


def _to_ox(term: rdflib.term.Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def display(term: object) -> str:
    """A term as a curator would write it: ``city:helsinki``, ``"2022-02"^^xsd:gYearMonth``."""
    if term is None:
        return ""
    if isinstance(term, URIRef | ox.NamedNode):
        iri = str(term) if isinstance(term, URIRef) else term.value
        if iri.startswith(SHAPES_NS):
            return "shape:" + iri[len(SHAPES_NS):]
        if iri.startswith(SH):
            return "sh:" + iri[len(SH):]
        return compact(iri)
    if isinstance(term, BNode | ox.BlankNode):
        return "[blank node]"
    if isinstance(term, Literal):
        value, lang = str(term), term.language
        datatype = str(term.datatype) if term.datatype else None
    else:
        value, lang = term.value, term.language
        datatype = None if lang else term.datatype.value
    if len(value) > _MAX_VALUE:
        value = value[: _MAX_VALUE - 1] + "…"
    text = '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if lang:
        return f"{text}@{lang}"
    if datatype and datatype != XSD_STRING:
        return f"{text}^^{compact(datatype)}"
    return text


# ---------------------------------------------------------------------------------- loading
@dataclass
class _Loaded:
    store: ox.Store
    index: SourceIndex
    files: list[str]
    _data: rdflib.Graph | None = None

    @property
    def data(self) -> rdflib.Graph:
        """The rdflib copy of the store for pySHACL, made on first use (same blank-node ids)."""
        if self._data is None:
            self._data = _rdflib_of(self.store)
        return self._data


def _load(files: Sequence[Path], settings: Settings, layers: Sequence[str]) -> _Loaded:
    store = ox.Store()
    index = SourceIndex()
    curated = ox.NamedNode(CURATED_GRAPH)
    ontology = ox.NamedNode(ONTOLOGY_GRAPH)
    names: list[str] = []
    sources = [(p, curated) for p in files]
    onto_rel = settings.relative(settings.ontology)
    sources.append((settings.ontology, curated if "ontology" in layers else ontology))
    seen: set[Path] = set()
    for path, graph in sources:
        resolved = path.resolve()
        if resolved in seen:
            continue
        seen.add(resolved)
        rel = settings.relative(path)
        triples = parse_turtle(path, rel)
        store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
        if graph == curated:
            index.add_file(path, rel)
            names.append(rel)
    if "ontology" not in layers and onto_rel in names:
        names.remove(onto_rel)
    return _Loaded(store, index, names)


@dataclass
class _Layers:
    """Imported layers loaded beside the curated data, and where their entities come from."""

    names: list[str]
    graphs: dict[str, list[ox.NamedNode]]  # layer name -> the graphs its file holds
    files: list[str]
    _owners: dict = field(default_factory=dict)  # filled once every layer is loaded

    def owner(self, store: ox.Store, node: ox.NamedNode | ox.BlankNode) -> str | None:
        """The first layer whose graphs say something about ``node`` (None: no layer does);
        asked once per result to filter and again to place it, so remembered."""
        if node not in self._owners:
            self._owners[node] = next(
                (name for name in self.names for graph in self.graphs[name]
                 if next(store.quads_for_pattern(node, None, None, graph), None) is not None), None)
        return self._owners[node]


def _resolve_layers(settings: Settings, layers: Sequence[str]) -> list[str]:
    """``--layers`` names -> imported layer names (``all``: every one imported)."""
    from citygraph.layers import select

    wanted = [name for name in layers if name not in LAYERS]
    if not wanted:
        return []
    try:
        return select(settings, ",".join(wanted))
    except NotFoundError as exc:
        known = ", ".join((*LAYERS, "all"))
        raise CityGraphError(f"{exc} (validate also knows: {known})") from exc


def _load_layers(store: ox.Store, settings: Settings, names: Sequence[str],
                 notify: Notify | None = None, dirs: Mapping[str, Path] | None = None) -> _Layers:
    """Add each imported layer's N-Quads (its graph and the GeoNames places it refers to)."""
    from citygraph.layers.base import NQUADS, layer_path
    from citygraph.layers.registry import REGISTRY, get

    graphs: dict[str, list[ox.NamedNode]] = {}
    files: list[str] = []
    for name in names:
        folder = (dirs or {}).get(name) or layer_path(settings, name)
        if folder is None:
            raise CityGraphError(f"layer {name!r} is not imported; run `citygraph import {name}`")
        path = folder / NQUADS
        if notify:
            notify(f"loading layer {name}")
        try:
            store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
        except (OSError, SyntaxError, ValueError) as exc:
            raise CityGraphError(f"{settings.relative(path)}: cannot read layer {name!r} ({exc}); "
                                 f"import it again with `citygraph import {name}`") from exc
        graphs[name] = [ox.NamedNode(get(name).graph), ox.NamedNode(REGISTRY["geonames"].graph)]
        files.append(settings.relative(path))
    return _Layers(list(names), graphs, files)


def layer_shapes(settings: Settings, shapes: Path | None = None,
                 layer_file: Path | None = None) -> rdflib.Graph:
    """The shapes graph for imported layers: ``shapes/layers.ttl`` plus the shapes of
    ``shapes/citygraph.ttl`` without their targets (layers.ttl switches some back on)."""
    curated_path = shapes or default_shapes(settings)
    extra_path = layer_file or settings.home / LAYER_SHAPES_RELPATH
    curated = _load_shapes(curated_path, settings.relative(curated_path))
    extra = _load_shapes(extra_path, settings.relative(extra_path))
    out = rdflib.Graph()
    for prefix, ns in (*curated.namespaces(), *extra.namespaces()):
        out.bind(prefix, ns, override=False)
    targets = {URIRef(SH + t) for t in _TARGETS}
    for triple in curated:
        if triple[1] not in targets:
            out.add(triple)
    out += extra
    return out


# ---------------------------------------------------------------------------------- shapes
@dataclass
class _SparqlConstraint:
    shape: rdflib.term.Node
    node: rdflib.term.Node
    query: str
    message: str | None
    severity: str
    path: str | None


def _load_shapes(path: Path, relpath: str) -> rdflib.Graph:
    try:
        return rdflib.Graph().parse(path, format="turtle")
    except FileNotFoundError:
        raise CityGraphError(f"{relpath}: no such shapes file; restore it from git") from None
    except Exception as exc:  # rdflib raises several types for bad Turtle
        line = getattr(exc, "lines", None)
        raise CityGraphError(f"{relpath}:{line or '?'}: the shapes file is not valid Turtle: {exc}") from exc


def _core(shapes: rdflib.Graph) -> rdflib.Graph:
    """The shapes without their SHACL-SPARQL constraints (those run on Oxigraph)."""
    core = rdflib.Graph()
    for prefix, ns in shapes.namespaces():
        core.bind(prefix, ns)
    sparql = URIRef(SH + "sparql")
    for triple in shapes:
        if triple[1] != sparql:
            core.add(triple)
    return core


def _targets(shapes: rdflib.Graph, shape: rdflib.term.Node) -> str:
    """A SPARQL group binding ``?this`` to every focus node of ``shape``."""
    sh = rdflib.Namespace(SH)
    parts: list[str] = []
    for cls in shapes.objects(shape, sh.targetClass):
        parts.append(f"{{ ?this <{RDF}type>/<{RDFS}subClassOf>* <{cls}> }}")
    if (shape, rdflib.RDF.type, rdflib.RDFS.Class) in shapes:
        parts.append(f"{{ ?this <{RDF}type>/<{RDFS}subClassOf>* <{shape}> }}")
    for node in shapes.objects(shape, sh.targetNode):
        parts.append(f"{{ VALUES ?this {{ {_to_ox(node)} }} }}")
    for prop in shapes.objects(shape, sh.targetSubjectsOf):
        parts.append(f"{{ ?this <{prop}> ?_target }}")
    for prop in shapes.objects(shape, sh.targetObjectsOf):
        parts.append(f"{{ ?_target <{prop}> ?this }}")
    if not parts:
        return ""
    return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(parts) + " } }"


def _prefixes(shapes: rdflib.Graph, node: rdflib.term.Node) -> str:
    sh = rdflib.Namespace(SH)
    out = []
    for holder in shapes.objects(node, sh.prefixes):
        for decl in shapes.objects(holder, sh.declare):
            prefix = shapes.value(decl, sh.prefix)
            namespace = shapes.value(decl, sh.namespace)
            if prefix is not None and namespace is not None:
                out.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(out)


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def _sparql_constraints(shapes: rdflib.Graph) -> list[_SparqlConstraint]:
    sh = rdflib.Namespace(SH)
    found = []
    for shape, node in shapes.subject_objects(sh.sparql):
        if shapes.value(node, sh.deactivated) == Literal(True) or \
                shapes.value(shape, sh.deactivated) == Literal(True):
            continue
        select = shapes.value(node, sh.select)
        if select is None:
            continue
        targets = _targets(shapes, shape)
        if not targets:
            continue
        body = re.sub(r"\$this\b", "?this", str(select))
        match = _WHERE.search(body)
        if match is None:
            raise CityGraphError(f"the SPARQL constraint of {display(shape)} has no WHERE clause")
        query = (_prefixes(shapes, node) + "\n" + body[: match.end()] + "\n  " + targets
                 + "\n" + body[match.end():])
        severity = shapes.value(shape, sh.severity)  # severity is the shape's, as in SHACL
        path = shapes.value(shape, sh.path)
        found.append(_SparqlConstraint(
            shape=shape, node=node, query=query,
            message=_message(shapes, node) or _message(shapes, shape),
            severity=_SEVERITY_IRI.get(str(severity), "violation") if severity else "violation",
            path=str(path) if isinstance(path, URIRef) else None))
    return sorted(found, key=lambda c: str(c.shape))


def _message(shapes: rdflib.Graph, shape: rdflib.term.Node | None) -> str | None:
    if shape is None:
        return None
    messages = list(shapes.objects(shape, URIRef(SH + "message")))
    for lang in ("en", None):
        for m in messages:
            if isinstance(m, Literal) and (lang is None or m.language == lang):
                return str(m)
    return None


# ---------------------------------------------------------------------------------- engines
@dataclass
class _Raw:
    """A result before it is located and worded."""

    focus: rdflib.term.Node
    path: rdflib.term.Node | None
    value: rdflib.term.Node | None
    severity: str
    shape: rdflib.term.Node | None
    constraint: str | None
    template: str | None
    engine: str
    bindings: dict[str, object] = field(default_factory=dict)


def _run_pyshacl(data: rdflib.Graph, shapes: rdflib.Graph) -> list[_Raw]:
    import pyshacl

    conforms, results, _text = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", inplace=True, abort_on_first=False,
        allow_warnings=True, allow_infos=True, advanced=False, meta_shacl=False, debug=False)
    sh = rdflib.Namespace(SH)
    raws = []
    for node in results.objects(None, sh.result):
        shape = results.value(node, sh.sourceShape)
        severity = results.value(node, sh.resultSeverity)
        component = results.value(node, sh.sourceConstraintComponent)
        constraint = results.value(node, sh.sourceConstraint)
        template = _message(shapes, constraint) or _shape_message(shapes, shape)
        engine_message = results.value(node, sh.resultMessage)
        if constraint is not None and engine_message is not None:
            template = str(engine_message)  # pySHACL has filled in the {?var} of SPARQL messages
        raws.append(_Raw(
            focus=results.value(node, sh.focusNode),
            path=results.value(node, sh.resultPath),
            value=results.value(node, sh.value),
            severity=_SEVERITY_IRI.get(str(severity), "violation"),
            shape=shape,
            constraint=display(component) if component is not None else None,
            template=template or (str(engine_message) if engine_message else None),
            engine="pyshacl"))
    return raws


def _shape_message(shapes: rdflib.Graph, shape: rdflib.term.Node | None) -> str | None:
    """The shape's sh:message, else that of the node shape whose sh:property it is."""
    message = _message(shapes, shape)
    if message is None and shape is not None:
        for parent in shapes.subjects(URIRef(SH + "property"), shape):
            message = _message(shapes, parent)
            if message:
                break
    return message


def _run_oxigraph(store: ox.Store, constraints: Sequence[_SparqlConstraint]) -> list[_Raw]:
    raws = []
    for c in constraints:
        try:
            solutions = store.query(c.query, use_default_graph_as_union=True)
        except (SyntaxError, OSError, RuntimeError, ValueError) as exc:
            raise CityGraphError(f"the SPARQL constraint of {display(c.shape)} in shapes/citygraph.ttl "
                                 f"failed on Oxigraph: {exc}") from exc
        variables = [v.value for v in solutions.variables]
        for row in solutions:
            bindings = {name: row[name] for name in variables if row[name] is not None}
            focus = bindings.get("this")
            if focus is None:
                continue
            path = bindings.get("path")
            raws.append(_Raw(
                focus=_to_rdflib(focus),
                path=_to_rdflib(path) if path is not None else (URIRef(c.path) if c.path else None),
                value=_to_rdflib(bindings.get("value", focus)),
                severity=c.severity,
                shape=c.shape,
                constraint="sh:SPARQLConstraintComponent",
                template=c.message,
                engine="oxigraph",
                bindings=bindings))
    return raws


_TYPES_CHECK = f"""
SELECT ?this ?value WHERE {{
  GRAPH <{CURATED_GRAPH}> {{ ?this ?p ?o }}
  FILTER(isIRI(?this))
  OPTIONAL {{ GRAPH <{CURATED_GRAPH}> {{ ?this a ?value }} }}
  FILTER(!BOUND(?value) || NOT EXISTS {{ ?value a <{OWL}Class> }})
}}"""


def _run_builtin(store: ox.Store) -> list[_Raw]:
    """Subjects no shape would target: untyped, or typed with a class the ontology lacks."""
    raws = []
    seen = set()
    for row in store.query(_TYPES_CHECK, use_default_graph_as_union=True):
        this, value = row["this"], row["value"]
        if (this, value) in seen:
            continue
        seen.add((this, value))
        if value is None:
            template = ("This subject has no type, so no rule can check it: add `a cg:City` "
                        "(or cg:Partnership, cg:Membership, …) as its first line.")
        else:
            template = ("{$value} is not a class of the ontology (a typo?), so no rule can check "
                        "this entity: use one of the cg: classes of ontology/citygraph.ttl.")
        raws.append(_Raw(
            focus=_to_rdflib(this), path=rdflib.RDF.type,
            value=_to_rdflib(value) if value is not None else None, severity="violation",
            shape=URIRef(SHAPES_NS + "KnownClass"), constraint="sh:ClassConstraintComponent",
            template=template, engine="citygraph"))
    return raws


# ---------------------------------------------------------------------------------- wording
class _Describer:
    """Labels, types, parents and locations of nodes, looked up in the Oxigraph store."""

    def __init__(self, store: ox.Store, index: SourceIndex, layers: _Layers | None = None) -> None:
        self.store = store
        self.index = index
        self.layers = layers
        self._labels: dict[str, str] = {}

    def objects(self, node: object, prop: str) -> list:
        return [q.object for q in self.store.quads_for_pattern(node, ox.NamedNode(prop), None)]

    def label(self, iri: str) -> str:
        if iri in self._labels:
            return self._labels[iri]
        node = ox.NamedNode(iri)
        text = self._text(node, SKOS + "prefLabel") or self._text(node, DCTERMS + "title")
        if text is None:
            parties = []
            for prop in _PARTY_PROPERTIES:
                for party in self.objects(node, prop):
                    if isinstance(party, ox.NamedNode):
                        parties.append(self._text(party, SKOS + "prefLabel") or compact(party.value))
            text = " – ".join(sorted(dict.fromkeys(parties))) if parties else compact(iri)
        self._labels[iri] = text
        return text

    def _text(self, node: object, prop: str) -> str | None:
        values = [o for o in self.objects(node, prop) if isinstance(o, ox.Literal)]
        for lang in (*_LANGS, None):
            for v in values:
                if lang is None or v.language == lang:
                    return v.value
        return None

    def types(self, iri: str) -> list[str]:
        return sorted(compact(t.value) for t in self.objects(ox.NamedNode(iri), RDF + "type")
                      if isinstance(t, ox.NamedNode))

    def parent(self, node: ox.BlankNode) -> tuple[ox.NamedNode | ox.BlankNode, str] | None:
        for quad in self.store.quads_for_pattern(None, None, node):
            return quad.subject, quad.predicate.value
        return None

    def _rows(self, node: ox.NamedNode | ox.BlankNode) -> list[int]:
        """The rows of the imported file (cg:sourceRow) that state ``node``'s facts."""
        rows = []
        for holder in [node, *self.objects(node, CG + "attestation")]:
            for row in self.objects(holder, CG + "sourceRow"):
                if isinstance(row, ox.Literal) and row.value.isdigit():
                    rows.append(int(row.value))
        return sorted(rows)

    def _in_layer(self, entity: str, node: ox.NamedNode | ox.BlankNode | None = None) -> dict:
        """``{file: layers/NAME, line: first row}`` for an entity an imported layer states."""
        if self.layers is None:
            return {}
        owner = self.layers.owner(self.store, ox.NamedNode(entity))
        if owner is None:
            return {}
        where = self.index.subject(entity)  # a layer given as a Turtle file: its own lines
        if where is not None:
            found: dict = {"file": where.file, "line": where.line}
        else:
            found = {"file": f"layers/{owner}"}
            rows = self._rows(ox.NamedNode(entity))
            if rows:
                found["line"] = rows[0]
        if node is not None:
            own = self._rows(node)
            if own:
                found["node_line"] = own[0]
        return found

    def locate(self, focus: rdflib.term.Node) -> tuple[str | None, str, dict]:
        """(entity IRI, focus kind, {file, line, node_line}); for an imported layer's entity
        the file is ``layers/NAME`` and the lines are rows of the imported file."""
        if isinstance(focus, URIRef):
            node = ox.NamedNode(str(focus))
            owner = next(self.store.quads_for_pattern(None, ox.NamedNode(CG + "attestation"), node), None)
            if owner is not None and isinstance(owner.subject, ox.NamedNode):  # a layer's evidence
                entity = owner.subject.value
                where, own = self.index.subject(entity), self.index.subject(str(focus))
                if where is None:
                    return entity, "attestation", self._in_layer(entity, node)
                found = {"file": where.file, "line": where.line}
                if own is not None:
                    found["node_line"] = own.line
                return entity, "attestation", found
            where = self.index.subject(str(focus))
            if where is None and self.layers is not None:
                return str(focus), "entity", self._in_layer(str(focus))
            return str(focus), "entity", ({"file": where.file, "line": where.line} if where else {})
        if not isinstance(focus, BNode):  # a literal focus node: cannot be placed
            return None, "value", {}
        node: ox.NamedNode | ox.BlankNode = ox.BlankNode(str(focus))
        chain = []
        for _ in range(10):
            up = self.parent(node)
            if up is None:
                return None, "blank node", {}
            chain.append((node, up[1]))
            node = up[0]
            if isinstance(node, ox.NamedNode):
                break
        if not isinstance(node, ox.NamedNode):
            return None, "blank node", {}
        entity = node.value
        where = self.index.subject(entity)
        found = {"file": where.file, "line": where.line} if where else self._in_layer(entity)
        first, predicate = chain[-1]
        kind = "attestation" if predicate == CG + "attestation" else "blank node"
        quotes = [o.value for o in self.objects(first, CG + "quote") if isinstance(o, ox.Literal)]
        sources = [o.value for o in self.objects(first, CG + "source") if isinstance(o, ox.NamedNode)]
        block = self.index.blank(entity, predicate, quotes, sources)
        if block is not None:
            found["node_line"] = block.line
            found.setdefault("file", block.file)
        return entity, kind, found


def _fill(template: str, raw: _Raw, d: _Describer, entity: str | None) -> str:
    """Fill ``{$this} {$path} {$value} {n} {values} {?var}`` in a shape's message."""
    values: list = []
    if raw.path is not None and isinstance(raw.path, URIRef) and not isinstance(raw.focus, Literal):
        values = d.objects(_to_ox(raw.focus), str(raw.path))

    def repl(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "$this":
            return d.label(entity) if entity else display(raw.focus)
        if name == "$path":
            return display(raw.path) if isinstance(raw.path, URIRef) else "the property"
        if name == "$value":
            return display(raw.value) if raw.value is not None else "(none)"
        if name == "n":
            return str(len(values))
        if name == "values":
            return ", ".join(sorted(display(v) for v in values)) or "none"
        if name.startswith("?"):
            bound = raw.bindings.get(name[1:])
            if bound is None:
                return ""
            if isinstance(bound, ox.NamedNode) and bound.value.startswith(ID):
                return f"{d.label(bound.value)} ({display(bound)})"  # an entity: name it
            return bound.value if isinstance(bound, ox.Literal) else display(bound)
        return match.group(0)

    return re.sub(r"\{(\$this|\$path|\$value|n|values|\?[A-Za-z_][A-Za-z0-9_]*)\}", repl, template)


def _shape_name(shape: rdflib.term.Node | None, owners: dict) -> str | None:
    """A named shape as ``shape:Name``; a blank property shape by the named shape that owns it."""
    for _ in range(5):
        if shape is None or isinstance(shape, URIRef):
            break
        shape = owners.get(shape)
    return display(shape) if isinstance(shape, URIRef) else None


def _path_text(raw: _Raw, shapes: rdflib.Graph) -> str | None:
    """A result's path as a curator writes it; sequence paths as ``a/b`` (from the shape)."""
    if isinstance(raw.path, URIRef):
        return display(raw.path)
    path = shapes.value(raw.shape, URIRef(SH + "path")) if raw.shape is not None else None
    if isinstance(path, URIRef):
        return display(path)
    if isinstance(path, BNode):
        try:
            steps = list(rdflib.collection.Collection(shapes, path))
        except Exception:  # not a list: an inverse or alternative path
            return None
        if all(isinstance(step, URIRef) for step in steps):
            return "/".join(display(step) for step in steps)
    return None


def _word(raws: Iterable[_Raw], d: _Describer, shapes: rdflib.Graph) -> list[ValidationResult]:
    owners = {prop: node for node, prop in shapes.subject_objects(URIRef(SH + "property"))}
    results: dict[tuple, ValidationResult] = {}
    for raw in raws:
        entity, kind, where = d.locate(raw.focus)
        template = raw.template or f"fails {raw.constraint or 'a constraint'}"
        message = _fill(template, raw, d, entity)
        focus = str(raw.focus) if isinstance(raw.focus, URIRef) else display(raw.focus)
        result = ValidationResult(
            severity=raw.severity, message=message, entity=entity, focus=focus, focus_kind=kind,
            path=str(raw.path) if isinstance(raw.path, URIRef) else None,
            value=display(raw.value) if raw.value is not None and raw.value != raw.focus else None,
            shape=_shape_name(raw.shape, owners),
            constraint=raw.constraint, engine=raw.engine,
            file=where.get("file"), line=where.get("line"), node_line=where.get("node_line"),
            label=d.label(entity) if entity else None,
            types=d.types(entity) if entity else [],
            property=_path_text(raw, shapes),
            value_term=raw.value if raw.value is not None and raw.value != raw.focus else None,
            node=str(raw.focus))
        results.setdefault(result.key(), result)
    return sorted(results.values(), key=lambda r: (
        r.file or "~", r.line or 0, r.entity or r.focus, SEVERITIES.index(r.severity),
        r.node_line or 0, r.property or "", r.message))


# ---------------------------------------------------------------------------------- entry points
def default_shapes(settings: Settings) -> Path:
    """``shapes/citygraph.ttl`` under the project home."""
    return settings.home / SHAPES_RELPATH


def validate(paths: Sequence[str | Path] | None = None, *, settings: Settings | None = None,
             shapes: Path | None = None, layers: Sequence[str] = ("curated",),
             engine: str = "compiled", layer_shapes_file: Path | None = None,
             layer_files: Sequence[Path] = (), layer_dirs: Mapping[str, Path] | None = None,
             notify: Notify | None = None) -> ValidationReport:
    """Validate Turtle files (default: all of ``data/``) and imported layers against the shapes.

    ``layers`` names what to check: ``curated`` (the Turtle files, against
    ``shapes/citygraph.ttl``), ``ontology``, and imported layers by name or ``all`` (each
    against :func:`layer_shapes`, on the merged graph of the curated data and those layers;
    results are kept for the entities a layer states something about). ``layer_files`` are
    Turtle files to check as imported layers (an importer's output, or a test case), each in a
    graph of its own. ``layer_dirs`` checks layers written but not yet switched in (``citygraph
    import`` does, before the new import replaces the old): layer name -> its directory.

    ``engine="compiled"`` (default) runs core constraints compiled to SPARQL
    (:mod:`citygraph.shacl_compile`; what it cannot translate stays in pySHACL) and
    SHACL-SPARQL constraints, each once on Oxigraph; ``engine="split"`` runs the core
    constraints in pySHACL instead; ``engine="pyshacl"`` runs all of them in pySHACL (slow, the
    reference). Raises :class:`~citygraph.errors.DataFileError` for a file that cannot be
    parsed and :class:`~citygraph.errors.CityGraphError` for bad arguments or shapes.
    """
    settings = settings or Settings.from_env()
    if engine not in ENGINES:
        raise CityGraphError(f"unknown engine {engine!r}; use {', '.join(ENGINES)}")
    imported = _resolve_layers(settings, layers)
    imported += [name for name in (layer_dirs or {}) if name not in imported]
    builtin = [layer for layer in layers if layer in LAYERS]
    started = time.perf_counter()
    wanted = "curated" in builtin or imported or layer_files  # layers refer to curated entities
    files = turtle_files(paths if paths else [settings.data_dir]) if wanted else []
    shapes_path = shapes or default_shapes(settings)
    shape_graph = _load_shapes(shapes_path, settings.relative(shapes_path))
    loaded = _load(files, settings, builtin)
    parsed = time.perf_counter()

    raws: list[_Raw] = []
    if builtin:
        raws += _run_builtin(loaded.store)
        if engine != "pyshacl":
            raws += _run_core(loaded.store, lambda: loaded.data, _core(shape_graph), engine)
            core_done = time.perf_counter()
            raws += _run_oxigraph(loaded.store, _sparql_constraints(shape_graph))
        else:
            raws += _run_pyshacl(loaded.data, shape_graph)
            core_done = time.perf_counter()
    else:
        core_done = parsed
    checked = time.perf_counter()

    found: _Layers | None = None
    wording_shapes = shape_graph
    if imported or layer_files:
        found = _load_layers(loaded.store, settings, imported, notify, layer_dirs)
        for path in layer_files:
            rel = settings.relative(Path(path))
            graph = ox.NamedNode(f"{GRAPH}file-{len(found.names)}")
            triples = parse_turtle(Path(path), rel)
            loaded.store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
            loaded.index.add_file(Path(path), rel)
            found.names.append(rel)
            found.graphs[rel] = [graph]
            found.files.append(rel)
        light = layer_shapes(settings, shapes_path, layer_shapes_file)
        if notify:
            notify(f"checking {len(imported)} layer(s) against {LAYER_SHAPES_RELPATH}")
        if engine != "pyshacl":
            extra = _run_core(loaded.store, lambda: _rdflib_of(loaded.store), _core(light), engine)
            extra += _run_oxigraph(loaded.store, _sparql_constraints(light))
        else:
            extra = _run_pyshacl(_rdflib_of(loaded.store), light)
        raws += [raw for raw in extra if _stated_by_layer(raw.focus, loaded.store, found)]
        wording_shapes = shape_graph + light
    layered = time.perf_counter()
    results = _word(raws, _Describer(loaded.store, loaded.index, found), wording_shapes)
    done = time.perf_counter()
    seconds = {"load": parsed - started, "pyshacl": core_done - parsed,
               "oxigraph": checked - core_done, "report": done - layered, "total": done - started}
    if found is not None:
        seconds["layers"] = layered - checked
    return ValidationReport(
        results=results, files=loaded.files + (found.files if found else []),
        layers=[*builtin, *imported], seconds=seconds)


def _run_core(store: ox.Store, data: Callable[[], rdflib.Graph], shapes: rdflib.Graph,
              engine: str = "compiled") -> list[_Raw]:
    """The core (non-SPARQL) constraints of ``shapes`` over the data; ``data()`` makes the
    rdflib copy pySHACL needs, only when it is needed (``compiled``: only for leftovers)."""
    if engine == "split":
        return _run_pyshacl(data(), shapes)
    from citygraph.shacl_compile import run_core

    return run_core(store, shapes, data)


def _rdflib_of(store: ox.Store) -> rdflib.Graph:
    """Every quad of the store as one rdflib graph (the union of its graphs)."""
    graph = rdflib.Graph()
    add = graph.add
    for quad in store:
        add((_to_rdflib(quad.subject), _to_rdflib(quad.predicate), _to_rdflib(quad.object)))
    return graph


def _stated_by_layer(focus: rdflib.term.Node, store: ox.Store, found: _Layers) -> bool:
    """Whether an imported layer says something about the focus node (or, for evidence, about
    the relationship it belongs to)."""
    if isinstance(focus, Literal):
        return False
    node = _to_ox(focus)
    if found.owner(store, node) is not None:
        return True
    parent = next(store.quads_for_pattern(None, ox.NamedNode(CG + "attestation"), node), None)
    return parent is not None and found.owner(store, parent.subject) is not None


def check_for_build(settings: Settings, files: Sequence[Path], notify: Notify | None = None,
                    layers: Sequence[str] = (), layer_dirs: Mapping[str, Path] | None = None,
                    ) -> ValidationReport | None:
    """The gate of build, import and publish: raise :class:`ConsistencyError` on violations,
    show warnings. ``files`` are curated Turtle files (checked against citygraph.ttl);
    ``layers`` / ``layer_dirs`` imported layers (checked against layers.ttl).

    Skipped (with a note) when the home has no ``shapes/citygraph.ttl``.
    """
    shapes_path = default_shapes(settings)
    if not shapes_path.is_file():
        if notify:
            notify(f"note: no {SHAPES_RELPATH} under {settings.home}; the data is not validated")
        return None
    imported = [*layers, *(layer_dirs or {})]
    if imported and not (settings.home / LAYER_SHAPES_RELPATH).is_file():
        if notify:
            notify(f"note: no {LAYER_SHAPES_RELPATH} under {settings.home}; the layers are not validated")
        imported, layers, layer_dirs = [], (), None
    if not files and not imported:
        return None
    report = validate(list(files), settings=settings, shapes=shapes_path,
                      layers=(["curated"] if files else []) + list(layers), layer_dirs=layer_dirs)
    if not report.conforms:
        raise ConsistencyError(report)
    warnings = [r for r in report.results if r.severity == "warning"]
    if warnings and notify:
        notify(f"{len(warnings)} warning(s) from {ConsistencyError.shapes_name(report)} (it goes on):")
        for r in warnings[:20]:
            notify("  " + r.one_line())
        if len(warnings) > 20:
            notify(f"  … and {len(warnings) - 20} more (`citygraph validate"
                   f"{ConsistencyError.option(report)}` lists them all)")
    return report


__all__ = [
    "ConsistencyError", "LAYERS", "layer_shapes", "SEVERITIES", "ValidationReport", "ValidationResult",
    "check_for_build", "default_shapes", "display", "turtle_files", "validate",
]
