"""citygraph.shacl_compile: core SHACL constraints compiled to SPARQL give pySHACL's results.

Every comparison runs both engines on the same Oxigraph store: pySHACL on the rdflib copy that
``validate`` would make (``_rdflib_of``), the compiler on the store, and compares the sets of
(focus, path, value, severity, source shape, component, message template). Blank nodes keep
their ids in the rdflib copy, so they compare as they are.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import URIRef

from citygraph import validate as V
from citygraph.config import Settings
from citygraph.shacl_compile import compile_shapes, path_sparql, run_compiled

REPO = Path(__file__).resolve().parents[1]
SETTINGS = Settings.for_home(REPO)
CASES_DIR = Path(__file__).resolve().parent / "shapes"
BASE = CASES_DIR / "_base.ttl"
CASES = sorted(p for p in CASES_DIR.glob("*.ttl") if not p.name.startswith("_"))
SHAPES_FILE = REPO / "shapes" / "citygraph.ttl"


def _key(raw, shapes: rdflib.Graph) -> tuple:
    """What must be equal; the message template only where the shapes give one (without,
    pySHACL words its own and the report says which component failed)."""
    path = raw.path if isinstance(raw.path, URIRef) or raw.path is None else "(complex path)"
    template = raw.template if V._shape_message(shapes, raw.shape) else None
    return (raw.focus, path, raw.value, raw.severity, raw.shape, raw.constraint, template)


def _keys(raws, shapes: rdflib.Graph) -> set:
    return {_key(raw, shapes) for raw in raws}


def _both(store: ox.Store, shapes: rdflib.Graph) -> tuple[set, set]:
    """(pySHACL's results, the compiler's results) as sets of keys."""
    compiled = compile_shapes(shapes)
    assert compiled.leftovers is None, f"not compiled: {compiled.skipped}"
    reference = V._run_pyshacl(V._rdflib_of(store), shapes)
    mine = run_compiled(store, compiled, shapes)
    return _keys(reference, shapes), _keys(mine, shapes)


def _assert_same(reference: set, mine: set) -> None:
    def show(keys: set) -> str:
        return "\n    ".join(sorted(str(k[:6]) for k in keys))

    assert mine == reference, (f"\n  only pySHACL:\n    {show(reference - mine)}"
                               f"\n  only compiled:\n    {show(mine - reference)}")


@pytest.fixture(scope="module")
def core_shapes() -> rdflib.Graph:
    return V._core(V._load_shapes(SHAPES_FILE, "shapes/citygraph.ttl"))


def _store_of(files: list[Path], settings: Settings = SETTINGS) -> ox.Store:
    return V._load(files, settings, ("curated",)).store


# ---------------------------------------------------------------------------------- citygraph.ttl
def test_every_core_constraint_of_the_shapes_file_compiles(core_shapes) -> None:
    compiled = compile_shapes(core_shapes)
    assert compiled.leftovers is None, compiled.skipped
    assert compiled.skipped == []
    components = {c.component for c in compiled.constraints}
    assert {"sh:OrConstraintComponent", "sh:NodeConstraintComponent", "sh:ClassConstraintComponent",
            "sh:DatatypeConstraintComponent", "sh:UniqueLangConstraintComponent",
            "sh:DisjointConstraintComponent", "sh:PatternConstraintComponent"} <= components


@pytest.mark.parametrize("case", CASES, ids=[p.stem for p in CASES])
def test_shape_case_same_as_pyshacl(case: Path, core_shapes) -> None:
    reference, mine = _both(_store_of([BASE, case]), core_shapes)
    _assert_same(reference, mine)


def test_the_shape_cases_are_not_all_conforming(core_shapes) -> None:
    """The comparisons above compare real results: together the cases fail many components."""
    components = set()
    for case in CASES:
        reference, _mine = _both(_store_of([BASE, case]), core_shapes)
        components |= {k[5] for k in reference}
    assert len(components) >= 10, components


def test_curated_data_same_as_pyshacl(core_shapes) -> None:
    reference, mine = _both(_store_of(V.turtle_files([REPO / "data"])), core_shapes)
    _assert_same(reference, mine)


#: (file, text to find, text to put in its place) for a broken copy of data/
_BREAKS = [
    ("places.ttl", 'geo:lat "60.16952"^^xsd:decimal', 'geo:lat "abc"^^xsd:decimal'),
    ("places.ttl", 'cg:isoCode "FI"', 'cg:isoCode "fi", "FIN"'),
    ("places.ttl", 'cg:wikidataId "Q1757"', 'cg:wikidataId "Q1757"@en, "Q01757"'),
]


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n" + text, encoding="utf-8")


@pytest.fixture(scope="module")
def broken_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("compile-broken") / "data"
    shutil.copytree(REPO / "data", data)
    for name, old, new in _BREAKS:
        text = (data / name).read_text(encoding="utf-8")
        if old in text:
            (data / name).write_text(text.replace(old, new, 1), encoding="utf-8")
    _append(data / "partnerships.ttl", """
partnership:helsinki-nowhere a cg:Partnership ;
    cg:party city:helsinki , city:nowhere , "Tallinn" ;
    cg:status status:active , cg:Partnership ;
    cg:startDate "2023-13"^^xsd:gYearMonth , "2020" ;
    cg:topic "no language" ;
    cg:attestation [ cg:source city:helsinki ; cg:quote "untagged" , ""@fi ;
                     cg:describedAs city:helsinki ; cg:refersTo "2020-02-30"^^xsd:date ] .

<https://w3id.org/citygraph/id/partnership/Bad_Slug> a cg:Partnership ;
    cg:party city:helsinki ; cg:status status:active .
""")
    _append(data / "memberships.ttl", """
[] a cg:Membership ; org:member city:helsinki ; org:organization city:helsinki ;
   org:role status:active ; cg:status status:active .
""")
    _append(data / "places.ttl", """
city:nowhere a cg:City ;
    skos:prefLabel "Nowhere"@en , "Ei missään"@fi , "Nowhere"@en-GB , "Again"@en ;
    skos:altLabel "no tag" ;
    cg:country city:helsinki , country:finland ;
    geo:lat 95.0 , "60.1"^^xsd:decimal ; geo:long "x" ;
    cg:geonamesId "0123" .
""")
    return data


def test_broken_copy_same_as_pyshacl(broken_data: Path, core_shapes) -> None:
    settings = Settings.for_home(REPO, data_dir=broken_data)
    store = _store_of(V.turtle_files([broken_data]), settings)
    reference, mine = _both(store, core_shapes)
    _assert_same(reference, mine)
    components = {k[5] for k in reference}
    assert {"sh:DatatypeConstraintComponent", "sh:MaxCountConstraintComponent",
            "sh:NodeConstraintComponent", "sh:OrConstraintComponent", "sh:ClassConstraintComponent",
            "sh:PatternConstraintComponent", "sh:UniqueLangConstraintComponent",
            "sh:MaxInclusiveConstraintComponent", "sh:DisjointConstraintComponent",
            "sh:NodeKindConstraintComponent", "sh:MinLengthConstraintComponent"} <= components, components


def test_broken_copy_reports_equal_in_every_engine(broken_data: Path) -> None:
    """The whole report (messages, places) of the default engine equals the split one's (the
    report keeps one result per entity, path, value and message, whichever component came
    first, so components are compared above, not here)."""
    settings = Settings.for_home(REPO, data_dir=broken_data)
    compiled = V.validate(settings=settings)
    split = V.validate(settings=settings, engine="split")

    def keys(report):
        return sorted(str((r.focus if r.focus_kind == "entity" else r.focus_kind, r.entity, r.path,
                           r.value, r.shape, r.message, r.severity, r.file, r.line,
                           r.node_line)) for r in report.results)  # blank nodes differ per parse

    assert keys(compiled) == keys(split)
    assert len(compiled.results) > 20


def _world_module():
    spec = importlib.util.spec_from_file_location("validation_world", REPO / "bench" / "validation_world.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("validation_world", module)
    spec.loader.exec_module(module)
    return module


def test_synthetic_world_same_as_pyshacl(tmp_path: Path, core_shapes) -> None:
    world = _world_module()
    path = tmp_path / "world.ttl"
    injected = world.write(path, 4000)
    reference, mine = _both(_store_of([path]), core_shapes)
    _assert_same(reference, mine)
    # the core-constraint error the world injects (a latitude out of range) is among them
    out_of_range = [i for i in injected if i.kind == "latitude-out-of-range"]
    assert out_of_range
    found = {(str(k[0]), k[5]) for k in mine}
    for i in out_of_range:
        assert (i.entity, "sh:MaxInclusiveConstraintComponent") in found or \
               (i.entity, "sh:MinInclusiveConstraintComponent") in found


# ---------------------------------------------------------------------------------- components
PREFIXES = """
PREFIX sh: <http://www.w3.org/ns/shacl#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX ex: <http://example.org/>
"""


def _compare(shapes_ttl: str, data_ttl: str) -> set:
    shapes = rdflib.Graph().parse(data=PREFIXES + shapes_ttl, format="turtle")
    store = ox.Store()
    store.load(PREFIXES + data_ttl, format=ox.RdfFormat.TURTLE)
    reference, mine = _both(store, shapes)
    _assert_same(reference, mine)
    return mine


def _case(prop: str, valid: str, invalid: str, path: str = "ex:p") -> tuple[str, str, str]:
    shape = f"ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:property [ sh:path {path} ; {prop} ] ."
    return shape, valid, invalid


_COMPONENTS = {
    "minCount1": _case("sh:minCount 1", "ex:a a ex:T ; ex:p 1 .", "ex:a a ex:T . ex:b a ex:T ; ex:q 1 ."),
    "minCount2": _case("sh:minCount 2", "ex:a a ex:T ; ex:p 1, 2 .", "ex:a a ex:T ; ex:p 1 . ex:b a ex:T ."),
    "minCount3-maxCount2": _case(
        "sh:minCount 3 ; sh:maxCount 2", "",
        "ex:a a ex:T ; ex:p 1, 2, 3 . ex:b a ex:T ; ex:p 1, 2 . ex:c a ex:T ; ex:p 1 ."),
    "minCount4-maxCount3-counted": _case(
        "sh:minCount 4 ; sh:maxCount 5", "ex:a a ex:T ; ex:p 1, 2, 3, 4 .",
        "ex:a a ex:T ; ex:p 1, 2, 3 . ex:b a ex:T ; ex:p 1, 2, 3, 4, 5, 6 . ex:c a ex:T ."),
    "maxCount0": _case("sh:maxCount 0", "ex:a a ex:T .", "ex:a a ex:T ; ex:p 1 ."),
    "maxCount1": _case("sh:maxCount 1", "ex:a a ex:T ; ex:p 1 .", "ex:a a ex:T ; ex:p 1, 2 ; ex:q 3 ."),
    "datatype-decimal": _case(
        "sh:datatype xsd:decimal", 'ex:a a ex:T ; ex:p 1.5, "-0.25"^^xsd:decimal .',
        'ex:a a ex:T ; ex:p "abc"^^xsd:decimal, 1, "1.5", ex:x, "1e3"^^xsd:decimal, 2.5 .'),
    "datatype-integer": _case(
        "sh:datatype xsd:integer", "ex:a a ex:T ; ex:p 1, -7 .",
        'ex:a a ex:T ; ex:p "1.5"^^xsd:integer, 1.0, "x"@en .'),
    "datatype-date": _case(
        "sh:datatype xsd:date", 'ex:a a ex:T ; ex:p "2024-02-29"^^xsd:date .',
        'ex:a a ex:T ; ex:p "2023-02-30"^^xsd:date, "2023"^^xsd:gYear, "2023-01-01" .'),
    "datatype-boolean": _case(
        "sh:datatype xsd:boolean", 'ex:a a ex:T ; ex:p true, "0"^^xsd:boolean .',
        'ex:a a ex:T ; ex:p "yes"^^xsd:boolean, "true" .'),
    "datatype-float-dateTime": _case(
        "sh:or ( [ sh:datatype xsd:float ] [ sh:datatype xsd:dateTime ] )",
        'ex:a a ex:T ; ex:p "1.5e3"^^xsd:float, "2023-01-01T10:00:00"^^xsd:dateTime .',
        'ex:a a ex:T ; ex:p "abc"^^xsd:float, "2023-01-01"^^xsd:dateTime, 1.5e3 .'),
    "datatype-langString": _case(
        "sh:datatype rdf:langString", 'ex:a a ex:T ; ex:p "x"@en, "y"@fi-FI .',
        'ex:a a ex:T ; ex:p "x", "y"^^xsd:string, ex:z, [] .'),
    "datatype-string": _case(
        "sh:datatype xsd:string", 'ex:a a ex:T ; ex:p "x", "y"^^xsd:string .',
        'ex:a a ex:T ; ex:p "x"@en, 1, ex:z .'),
    "class": _case(
        "sh:class ex:C", "ex:a a ex:T ; ex:p ex:c1, ex:c2 . ex:c1 a ex:C . ex:c2 a ex:D . ex:D rdfs:subClassOf ex:C .",
        'ex:a a ex:T ; ex:p ex:u, "lit", ex:e . ex:e a ex:E .'),
    "nodeKind-IRI": _case("sh:nodeKind sh:IRI", "ex:a a ex:T ; ex:p ex:x .", 'ex:a a ex:T ; ex:p [], "l" .'),
    "nodeKind-BlankNodeOrLiteral": _case(
        "sh:nodeKind sh:BlankNodeOrLiteral", 'ex:a a ex:T ; ex:p [], "l" .', "ex:a a ex:T ; ex:p ex:x ."),
    "nodeKind-Literal": _case("sh:nodeKind sh:Literal", 'ex:a a ex:T ; ex:p "l", 2 .', "ex:a a ex:T ; ex:p ex:x, [] ."),
    "pattern": _case(
        'sh:pattern "^ab+c$"', 'ex:a a ex:T ; ex:p "abbc", "abc"@en .',
        'ex:a a ex:T ; ex:p "ABC", "xabc", [], <http://example.org/abc> .'),
    "pattern-flags": _case(
        'sh:pattern "^ab+c$" ; sh:flags "i"', 'ex:a a ex:T ; ex:p "ABBC", "abc" .',
        'ex:a a ex:T ; ex:p "ABD", 12 .'),
    "pattern-on-iri": _case(
        'sh:pattern "^http://example.org/ok"', "ex:a a ex:T ; ex:p ex:ok1 .", "ex:a a ex:T ; ex:p ex:bad ."),
    "minInclusive": _case(
        "sh:minInclusive -90", 'ex:a a ex:T ; ex:p -90, 0.5, "12"^^xsd:decimal .',
        'ex:a a ex:T ; ex:p -90.5, "abc"^^xsd:decimal, "5", ex:x, -91 .'),
    "maxInclusive": _case("sh:maxInclusive 90", "ex:a a ex:T ; ex:p 90, 1 .", 'ex:a a ex:T ; ex:p 90.01, "x"@en .'),
    "minExclusive": _case("sh:minExclusive 0", "ex:a a ex:T ; ex:p 0.1 .", "ex:a a ex:T ; ex:p 0, -1 ."),
    "maxExclusive-date": _case(
        'sh:maxExclusive "2024-01-01"^^xsd:date', 'ex:a a ex:T ; ex:p "2023-12-31"^^xsd:date .',
        'ex:a a ex:T ; ex:p "2024-01-01"^^xsd:date, "2025-06-01"^^xsd:date .'),
    "minInclusive-string": _case('sh:minInclusive "m"', 'ex:a a ex:T ; ex:p "n", "m" .', 'ex:a a ex:T ; ex:p "a", 5 .'),
    "minLength": _case(
        "sh:minLength 3", 'ex:a a ex:T ; ex:p "abc", "abcd"@en, ex:long .',
        'ex:a a ex:T ; ex:p "ab", ""@fi, [], 12 .'),
    "minLength0": _case("sh:minLength 0 ; sh:minCount 1", 'ex:a a ex:T ; ex:p "", [] .', "ex:a a ex:T ."),
    "maxLength": _case("sh:maxLength 2", 'ex:a a ex:T ; ex:p "ab", 12 .', 'ex:a a ex:T ; ex:p "abc", ex:long, [], 123 .'),
    "uniqueLang": _case(
        "sh:uniqueLang true", 'ex:a a ex:T ; ex:p "a"@en, "b"@fi, "c", "d" .',
        'ex:a a ex:T ; ex:p "a"@en, "b"@en, "c"@fi, "d"@fi, "e"@sv . ex:b a ex:T ; ex:p "x"@en, "y"@EN .'),
    "hasValue": _case("sh:hasValue ex:v", "ex:a a ex:T ; ex:p ex:v, ex:w .", "ex:a a ex:T ; ex:p ex:w . ex:b a ex:T ."),
    "hasValue-literal": _case('sh:hasValue "v"', 'ex:a a ex:T ; ex:p "v" .', 'ex:a a ex:T ; ex:p "v"@en, "w" .'),
    "in": _case('sh:in ( ex:x "y" 3 )', 'ex:a a ex:T ; ex:p ex:x, "y", 3 .', 'ex:a a ex:T ; ex:p ex:z, "y"@en, 4, "3" .'),
    "languageIn": _case(
        'sh:languageIn ( "en" "fi" )', 'ex:a a ex:T ; ex:p "a"@en, "b"@fi, "c"@en-GB .',
        'ex:a a ex:T ; ex:p "a"@sv, "b", ex:x .'),
    "disjoint": _case("sh:disjoint ex:q", "ex:a a ex:T ; ex:p ex:x ; ex:q ex:y .", "ex:a a ex:T ; ex:p ex:x, ex:y ; ex:q ex:y, ex:z ."),
    "equals": _case("sh:equals ex:q", "ex:a a ex:T ; ex:p ex:x ; ex:q ex:x .", "ex:a a ex:T ; ex:p ex:x, ex:y ; ex:q ex:x, ex:z ."),
    "lessThan": _case(
        "sh:lessThan ex:q", 'ex:a a ex:T ; ex:p 1, 2 ; ex:q 3 . ex:b a ex:T ; ex:p "a" ; ex:q "b" .',
        'ex:a a ex:T ; ex:p 1, 3, 5 ; ex:q 3 . ex:b a ex:T ; ex:p "b", 1 ; ex:q "a" .'),
    "lessThanOrEquals": _case(
        "sh:lessThanOrEquals ex:q", 'ex:a a ex:T ; ex:p "2020-01-01"^^xsd:date ; ex:q "2020-01-01"^^xsd:date .',
        'ex:a a ex:T ; ex:p "2021-01-01"^^xsd:date ; ex:q "2020-01-01"^^xsd:date .'),
    "node": (
        """ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:property [ sh:path ex:p ; sh:node ex:Inner ] .
           ex:Inner a sh:NodeShape ; sh:property [ sh:path ex:scheme ; sh:hasValue ex:Scheme ] .""",
        "ex:a a ex:T ; ex:p ex:x . ex:x ex:scheme ex:Scheme, ex:Other .",
        'ex:a a ex:T ; ex:p ex:y, "lit", [ ex:scheme ex:Other ] . ex:y ex:scheme ex:Other .'),
    "or-datatypes": _case(
        "sh:or ( [ sh:datatype xsd:date ] [ sh:datatype xsd:gYearMonth ] [ sh:datatype xsd:gYear ] )",
        'ex:a a ex:T ; ex:p "2023-12-05"^^xsd:date, "2023-12"^^xsd:gYearMonth, "2023"^^xsd:gYear .',
        'ex:a a ex:T ; ex:p "2023-12-05", "2023-13"^^xsd:gYearMonth, "20x3"^^xsd:gYear, ex:d .'),
    "or-classes": (
        """ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:property [ sh:path ex:p ; sh:node ex:CityOrOrg ] .
           ex:CityOrOrg a sh:NodeShape ; sh:or ( [ sh:class ex:City ] [ sh:class ex:Org ] ) .""",
        "ex:a a ex:T ; ex:p ex:c, ex:n . ex:c a ex:City . ex:n a ex:Net . ex:Net rdfs:subClassOf ex:Org .",
        'ex:a a ex:T ; ex:p ex:x, "City" . ex:x a ex:Country .'),
    "and-not-xone": _case(
        """sh:and ( [ sh:nodeKind sh:Literal ] [ sh:not [ sh:datatype xsd:integer ] ] ) ;
           sh:xone ( [ sh:datatype xsd:string ] [ sh:minLength 2 ] )""",
        'ex:a a ex:T ; ex:p "a", 2.5 .',
        'ex:a a ex:T ; ex:p "ab", 3, ex:x, "z"@en .'),
    "or-of-property-shapes": (
        """ex:S a sh:NodeShape ; sh:targetClass ex:T ;
             sh:or ( [ sh:path ex:issued ; sh:minCount 1 ]
                     [ sh:and ( [ sh:path ex:from ; sh:minCount 1 ] [ sh:path ex:to ; sh:minCount 1 ; sh:maxCount 1 ] ) ] ) .""",
        "ex:a a ex:T ; ex:issued 1 . ex:b a ex:T ; ex:from 1 ; ex:to 2 .",
        "ex:a a ex:T ; ex:from 1 . ex:b a ex:T ; ex:from 1 ; ex:to 2, 3 . ex:c a ex:T ."),
    "nested-property-constraints": (
        """ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:property [ sh:path ex:p ; sh:node ex:Inner ] .
           ex:Inner a sh:NodeShape ; sh:property [ sh:path ex:q ; sh:minCount 2 ; sh:maxCount 2 ;
             sh:datatype xsd:integer ; sh:uniqueLang true ] ,
             [ sh:path ex:r ; sh:disjoint ex:q ; sh:lessThan ex:s ; sh:in ( 1 2 3 ) ] ,
             [ sh:path ex:s ; sh:equals ex:s2 ] .""",
        "ex:a a ex:T ; ex:p ex:x . ex:x ex:q 1, 2 ; ex:r 3 ; ex:s 5 ; ex:s2 5 .",
        """ex:a a ex:T ; ex:p ex:x1, ex:x2, ex:x3, ex:x4, ex:x5 .
           ex:x1 ex:q 1 . ex:x2 ex:q 1, 2, 3 . ex:x3 ex:q 1, 2 ; ex:r 2 ; ex:s 1 ; ex:s2 1 .
           ex:x4 ex:q 1, 2 ; ex:r 1, 2 ; ex:s 5 ; ex:s2 5 . ex:x5 ex:q 1, 2 ; ex:s 5 ; ex:s2 6 ."""),
    "node-level": (
        """ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:nodeKind sh:IRI ;
             sh:pattern "^http://example.org/ok" ; sh:class ex:T ; sh:in ( ex:ok1 ex:ok2 ex:bad ) .""",
        "ex:ok1 a ex:T . ex:ok2 a ex:T .",
        "ex:bad a ex:T . [] a ex:T . ex:ok3 a ex:T ."),
    "node-level-hasValue": (
        "ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:p ; sh:hasValue ex:a .",
        "ex:a ex:p 1 .", "ex:a ex:p 1 . ex:b ex:p 2 ."),
    "severity-and-targets": (
        """ex:S a sh:NodeShape ; sh:targetNode ex:n ; sh:targetObjectsOf ex:link ; sh:targetSubjectsOf ex:q ;
             sh:severity sh:Warning ; sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:severity sh:Info ] ;
             sh:nodeKind sh:IRI ; sh:message "node"@en .""",
        "ex:n ex:p 1 . ex:a ex:link ex:b . ex:b ex:p 2 .",
        'ex:m ex:link ex:n , [ ex:p 3 ], "lit" . ex:z ex:q 1 .'),
    "deactivated": (
        """ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:property [ sh:path ex:p ; sh:minCount 1 ] ,
             [ sh:path ex:q ; sh:minCount 1 ; sh:deactivated true ] .
           ex:Off a sh:NodeShape ; sh:targetClass ex:T ; sh:deactivated true ; sh:nodeKind sh:Literal .""",
        "ex:a a ex:T ; ex:p 1 .", "ex:a a ex:T ; ex:q 1 ."),
    "implicit-class-target": (
        "ex:T a rdfs:Class, sh:NodeShape ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .",
        "ex:a a ex:T ; ex:p 1 .", "ex:a a ex:T . ex:b a ex:U . ex:U rdfs:subClassOf ex:T ."),
}

_PATHS = {
    "sequence": "( ex:p ex:q )",
    "inverse": "[ sh:inversePath ex:p ]",
    "alternative": "[ sh:alternativePath ( ex:p ex:q ) ]",
    "zeroOrMore": "[ sh:zeroOrMorePath ex:p ]",
    "oneOrMore": "[ sh:oneOrMorePath ex:p ]",
    "zeroOrOne": "[ sh:zeroOrOnePath ex:p ]",
    "inverse-sequence": "( [ sh:inversePath ex:p ] ex:q )",
}
_PATH_DATA = """ex:a a ex:T ; ex:p ex:b . ex:b ex:p ex:c ; ex:q ex:d . ex:c a ex:C ; ex:q ex:e .
ex:x ex:p ex:a . ex:e a ex:T . ex:d a ex:C ."""


@pytest.mark.parametrize("name", list(_COMPONENTS))
def test_component_same_as_pyshacl(name: str) -> None:
    shape, valid, invalid = _COMPONENTS[name]
    assert _compare(shape, valid) == set(), f"{name}: the valid data fails"
    found = _compare(shape, invalid)
    assert found, f"{name}: the invalid data passes"


@pytest.mark.parametrize("name", list(_PATHS))
@pytest.mark.parametrize("constraint", ["sh:class ex:C", "sh:minCount 2", "sh:maxCount 1", "sh:nodeKind sh:Literal"])
def test_path_same_as_pyshacl(name: str, constraint: str) -> None:
    shape = f"ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:property [ sh:path {_PATHS[name]} ; {constraint} ] ."
    _compare(shape, _PATH_DATA)


def test_paths_translate_to_sparql_property_paths() -> None:
    g = rdflib.Graph().parse(data=PREFIXES + """
        ex:s sh:path ( [ sh:inversePath ex:p ] [ sh:alternativePath ( ex:q [ sh:zeroOrMorePath ex:r ] ) ] ) .""",
        format="turtle")
    path = g.value(URIRef("http://example.org/s"), URIRef(V.SH + "path"))
    assert path_sparql(g, path) == ("((^<http://example.org/p>)/(<http://example.org/q>|"
                                    "(<http://example.org/r>*)))")


def test_what_does_not_compile_stays_in_pyshacl() -> None:
    shapes = rdflib.Graph().parse(data=PREFIXES + """
        ex:S a sh:NodeShape ; sh:targetClass ex:T ; sh:closed true ; sh:ignoredProperties ( rdf:type ) ;
          sh:property [ sh:path ex:p ; sh:minCount 1 ;
                        sh:qualifiedValueShape [ sh:class ex:C ] ; sh:qualifiedMinCount 1 ] .""",
        format="turtle")
    compiled = compile_shapes(shapes)
    assert [c.component for c in compiled.constraints] == ["sh:MinCountConstraintComponent"]
    left = compiled.leftovers
    assert left is not None
    assert (None, URIRef(V.SH + "minCount"), None) not in left
    assert (None, URIRef(V.SH + "closed"), None) in left
    assert (None, URIRef(V.SH + "qualifiedMinCount"), None) in left
    store = ox.Store()
    store.load(PREFIXES + "ex:a a ex:T ; ex:q 1 . ex:b a ex:T ; ex:p ex:c . ex:c a ex:C .",
               format=ox.RdfFormat.TURTLE)
    built = []

    def data():
        built.append(True)
        return V._rdflib_of(store)

    from citygraph.shacl_compile import run_core

    mixed = _keys(run_core(store, shapes, data), shapes)
    reference = _keys(V._run_pyshacl(V._rdflib_of(store), shapes), shapes)
    assert built == [True]
    _assert_same(reference, mixed)
    assert {k[5] for k in mixed} >= {"sh:MinCountConstraintComponent", "sh:ClosedConstraintComponent",
                                     "sh:QualifiedMinCountConstraintComponent"}


def test_nothing_left_means_no_rdflib_copy(core_shapes) -> None:
    from citygraph.shacl_compile import run_core

    store = _store_of([BASE, CASES_DIR / "city-invalid.ttl"])

    def data():
        raise AssertionError("the rdflib copy was made although everything compiled")

    assert run_core(store, core_shapes, data)


def test_unknown_engine_is_refused() -> None:
    from citygraph.errors import CityGraphError

    with pytest.raises(CityGraphError, match="compiled"):
        V.validate([BASE], settings=SETTINGS, engine="fast")
