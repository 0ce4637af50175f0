"""Data-driven tests of shapes/citygraph.ttl: one Turtle file per case under tests/shapes/.

Each case is validated together with ``tests/shapes/_base.ttl`` (two countries, two cities, a
network, three sources). Its header names the shapes under test and the results expected of
them::

    # shape: shape:Partnership
    # expect: violation shape:Partnership cg:party
    # expect: warning shape:Agreement dcterms:title city:helsinki

An expectation is ``severity shape [property [focus]]`` (no property: a result about the
entity itself, such as its IRI); ``# expect: conforms`` means the
shapes under test report nothing at all. Results of the shapes under test must match the
expectations exactly (as a multiset); other shapes must report no violation, so each
fixture breaks only what it means to break.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import rdflib

from citygraph.config import Settings
from citygraph.namespaces import compact
from citygraph.validate import SHAPES_NS, ValidationResult, validate

REPO = Path(__file__).resolve().parents[1]
CASES_DIR = Path(__file__).resolve().parent / "shapes"
BASE = CASES_DIR / "_base.ttl"
SHAPES = REPO / "shapes" / "citygraph.ttl"
SETTINGS = Settings.for_home(REPO)
CASES = sorted(p for p in CASES_DIR.glob("*.ttl") if not p.name.startswith("_"))
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
#: checks of citygraph.validate that are not in the shapes file (SHACL cannot target them)
BUILTIN_SHAPES = {"shape:KnownClass"}


def header(path: Path) -> tuple[set[str], list[tuple[str, ...]]]:
    shapes: set[str] = set()
    expects: list[tuple[str, ...]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        match = re.match(r"#\s*(shape|expect):\s*(.*)$", line)
        if match and match.group(1) == "shape":
            shapes.update(match.group(2).split())
        elif match:
            words = match.group(2).split()
            if words != ["conforms"]:
                expects.append(tuple(words))
    return shapes, expects


def _matches(expect: tuple[str, ...], result: ValidationResult) -> bool:
    severity, shape, *rest = expect
    if result.severity != severity or result.shape != shape:
        return False
    if (rest[0] if rest else None) != result.property:
        return False
    if len(rest) > 1 and (result.entity is None or compact(result.entity) != rest[1]):
        return False
    return True


def _describe(r: ValidationResult) -> str:
    path = r.property or "-"
    return f"{r.severity} {r.shape} {path} {compact(r.entity) if r.entity else r.focus}: {r.message}"


def check_case(case: Path, report) -> None:  # noqa: ANN001 (ValidationReport)
    """The results of the case's shapes are exactly its expectations; no other violation."""
    shapes, expects = header(case)
    assert shapes, f"{case.name}: add a '# shape: shape:Name' header line"
    mine = [r for r in report.results if r.shape in shapes]
    missing = []
    for expect in expects:
        hit = next((r for r in mine if _matches(expect, r)), None)
        if hit is None:
            missing.append(" ".join(expect))
        else:
            mine.remove(hit)
    assert not missing and not mine, (
        f"{case.name}:\n  expected but not reported: {missing}\n  reported but not expected:\n    "
        + "\n    ".join(_describe(r) for r in mine)
        + "\n  (all results:\n    " + "\n    ".join(_describe(r) for r in report.results) + ")")
    others = [r for r in report.results if r.shape not in shapes and r.severity == "violation"]
    assert not others, f"{case.name} also breaks other shapes:\n  " + "\n  ".join(map(_describe, others))


@pytest.mark.parametrize("case", CASES, ids=[p.stem for p in CASES])
def test_shape_case(case: Path) -> None:
    check_case(case, validate([BASE, case], settings=SETTINGS))


def test_base_conforms() -> None:
    report = validate([BASE], settings=SETTINGS)
    assert [_describe(r) for r in report.results] == []


def _name(node: rdflib.term.Node) -> str:
    return "shape:" + str(node)[len(SHAPES_NS):]


def _targeted_shapes(graph: rdflib.Graph) -> dict[rdflib.term.Node, list[rdflib.term.Node]]:
    """Node shapes with targets -> their property shapes."""
    targeted = {}
    for target in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
        for shape in graph.subjects(target, None):
            targeted[shape] = list(graph.objects(shape, SH.property))
    return targeted


def case_counts(cases: list[Path]) -> tuple[Counter, Counter]:
    """How many conforming cases name each shape, and how many expected results each has."""
    valid, invalid = Counter(), Counter()
    for case in cases:
        shapes, expects = header(case)
        if not expects:
            valid.update(shapes)
        for expect in expects:
            invalid[expect[1]] += 1
    return valid, invalid


def test_every_shape_has_a_valid_and_an_invalid_case() -> None:
    """Each targeted shape is named by a conforming case and failed by another (a node shape
    whose rules all live in named property shapes counts as failed when one of those is)."""
    graph = rdflib.Graph().parse(SHAPES)
    valid, invalid = case_counts(CASES)
    names = {_name(s): [_name(p) for p in props if isinstance(p, rdflib.URIRef)]
             for s, props in _targeted_shapes(graph).items()}
    names.update({b: [] for b in BUILTIN_SHAPES})
    for shape, props in sorted(names.items()):
        assert valid[shape], f"{shape} has no conforming case in tests/shapes/"
        assert invalid[shape] or any(invalid[p] for p in props), \
            f"{shape} has no failing case in tests/shapes/"
        for prop in props:
            assert invalid[prop], f"{prop} has no failing case in tests/shapes/"


_NOT_CONSTRAINTS = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf,
                    SH.property, SH.sparql, SH.message, SH.severity, SH.deactivated, SH.path,
                    SH.name, SH.description, rdflib.RDF.type, rdflib.RDFS.comment, rdflib.RDFS.label}


def silent_shapes(graph: rdflib.Graph) -> list[str]:
    """What can report a result without an English sh:message, on itself or its node shape."""

    def message(node: rdflib.term.Node) -> bool:
        return any(m.language == "en" for m in graph.objects(node, SH.message))

    silent = []
    for shape, props in _targeted_shapes(graph).items():
        own = {p for p in graph.predicates(shape, None)} - _NOT_CONSTRAINTS
        if own and not message(shape):
            silent.append(f"{_name(shape)} (its own constraints)")
        for prop in props:
            if not message(prop) and not message(shape):
                silent.append(f"{_name(shape)} property {graph.value(prop, SH.path)}")
        for constraint in graph.objects(shape, SH.sparql):
            if not message(constraint) and not message(shape):
                silent.append(f"{_name(shape)} SPARQL constraint")
    return silent


def test_every_message_is_written_for_a_curator() -> None:
    """Whatever can report a result has an English sh:message, on itself or on its node shape."""
    assert silent_shapes(rdflib.Graph().parse(SHAPES)) == []


def keyset(report) -> Counter:  # noqa: ANN001 (ValidationReport)
    """Results as engines must agree on them (pySHACL fills SPARQL messages with full IRIs:
    compare the other messages only)."""
    return Counter((r.severity, r.shape, r.property, r.entity, r.node_line, r.value,
                    r.message if r.constraint != "sh:SPARQLConstraintComponent" else None)
                   for r in report.results)


def test_split_engine_agrees_with_pyshacl_on_every_case() -> None:
    """The SHACL-SPARQL constraints give the same results on Oxigraph as in pySHACL (on the
    failing cases of the shapes that have them: pySHACL runs them slowly)."""
    graph = rdflib.Graph().parse(SHAPES)
    sparql_shapes = {_name(shape) for shape in graph.subjects(SH.sparql, None)}
    failing = [c for c in CASES if header(c)[1] and header(c)[0] & sparql_shapes]
    paths = [BASE, *failing]
    fast = validate(paths, settings=SETTINGS)
    slow = validate(paths, settings=SETTINGS, engine="pyshacl")
    assert keyset(fast) == keyset(slow)


# ---------------------------------------------------------------------------------- layers
# shapes/layers.ttl, the lighter shapes for imported layers: each case under tests/shapes/layers/
# is checked as an imported layer (with _layer.ttl, a small conforming layer) beside the curated
# _base.ttl, with the same header format as above.
LAYER_CASES_DIR = CASES_DIR / "layers"
LAYER_BASE = LAYER_CASES_DIR / "_layer.ttl"
LAYER_SHAPES = REPO / "shapes" / "layers.ttl"
LAYER_CASES = sorted(p for p in LAYER_CASES_DIR.glob("*.ttl") if not p.name.startswith("_"))


def _layer_report(*cases: Path):
    return validate([BASE], settings=SETTINGS, layer_files=[LAYER_BASE, *cases])


@pytest.mark.parametrize("case", LAYER_CASES, ids=[p.stem for p in LAYER_CASES])
def test_layer_shape_case(case: Path) -> None:
    report = _layer_report(case)
    check_case(case, report)
    for r in report.results:  # every result is placed in the case's file (or the base layer's)
        assert r.file in {SETTINGS.relative(case), SETTINGS.relative(LAYER_BASE)}, _describe(r)
        assert r.line, _describe(r)


def test_layer_base_conforms_and_curated_shapes_stay_off() -> None:
    """The small layer conforms, with no result at all; the curated shapes' own targets are
    not in force for it (its names have no fi/sv labels, its datasets no seed file)."""
    report = _layer_report()
    assert [_describe(r) for r in report.results] == []
    strict = validate([BASE, LAYER_BASE], settings=SETTINGS)  # the same data as curated: fails
    shapes = {r.shape for r in strict.results if r.severity == "violation"}
    assert {"shape:Attestation", "shape:SourceDocument"} <= shapes


def test_every_layer_shape_has_a_valid_and_an_invalid_case() -> None:
    graph = rdflib.Graph().parse(LAYER_SHAPES)
    declared = {_name(s) for s in graph.subjects(rdflib.RDF.type, SH.NodeShape)}
    valid, invalid = case_counts(LAYER_CASES)
    assert declared
    for shape in sorted(declared):
        assert valid[shape], f"{shape} has no conforming case in tests/shapes/layers/"
        assert invalid[shape], f"{shape} has no failing case in tests/shapes/layers/"


def test_layer_shapes_switch_on_only_what_they_name() -> None:
    """The composed shapes graph: layers.ttl's shapes, plus citygraph.ttl's without targets
    except where layers.ttl gives one back."""
    from citygraph.validate import layer_shapes

    composed = layer_shapes(SETTINGS)
    targeted = {_name(s) for s in _targeted_shapes(composed)}
    assert {"shape:Relationship", "shape:UniqueIdentifiers", "shape:LayerCity"} <= targeted
    assert not {"shape:City", "shape:Attestation", "shape:SourceDocument", "shape:Labels-fi",
                "shape:NoPersonalData"} & targeted


def test_layer_messages_are_written_for_a_curator() -> None:
    assert silent_shapes(rdflib.Graph().parse(LAYER_SHAPES)) == []


def test_layer_engines_agree() -> None:
    """Compiled, split and all-pySHACL runs give the same results on every layer case."""
    reports = {engine: validate([BASE], settings=SETTINGS, engine=engine,
                                layer_files=[LAYER_BASE, *LAYER_CASES])
               for engine in ("compiled", "split", "pyshacl")}
    assert keyset(reports["compiled"]) == keyset(reports["split"]) == keyset(reports["pyshacl"])
    assert sum(keyset(reports["compiled"]).values()) > 40
