"""The derived graph of a build equals the one of the previous route, computed here on its own.

The reference is the route ``citygraph build`` took before it loaded files straight into the
store: every file parsed into Python quads (``parse_turtle``), added with ``Store.extend``, the
rule files run, then the dates computed row by row in Python with :mod:`citygraph.temporal`.
The build under test parses into an in-memory store, derives the dates in SPARQL and bulk-loads
the result on disk. Blank nodes (attestations) get other ids on each route, so both sides are
compared with every blank node replaced by what the curated graph says around it.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest

from citygraph import store as stores, temporal
from citygraph.canonical import parse_turtle
from citygraph.config import Settings
from citygraph.derive import run_rules
from citygraph.errors import DataFileError
from citygraph.graph import CityGraph
from citygraph.namespaces import CG, CURATED_GRAPH, DERIVED_GRAPH, ONTOLOGY_GRAPH, PREFIXES, XSD_DATE

from conftest import REPO, make_home

CURATED = ox.NamedNode(CURATED_GRAPH)
DERIVED = ox.NamedNode(DERIVED_GRAPH)

EDGE_CASES = """\
@prefix cg: <https://w3id.org/citygraph/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix status: <https://w3id.org/citygraph/vocab/status/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix id: <https://w3id.org/citygraph/id/> .

id:source-issued a cg:SourceDocument ; dcterms:issued "2020-05"^^xsd:gYearMonth ;
    cg:issuedNotAfter "2018"^^xsd:gYear .
id:source-not-after a cg:SourceDocument ; cg:issuedNotAfter "2019"^^xsd:gYear .
id:source-day a cg:SourceDocument ; dcterms:issued "2021-02-03"^^xsd:date .
id:source-undated a cg:SourceDocument .

id:city-a a cg:City . id:city-b a cg:City . id:city-c a cg:City .

id:p1 a cg:Partnership ; cg:party id:city-a, id:city-b ;
    cg:attestation [ cg:source id:source-issued ], [ cg:source id:source-not-after ] .
id:p2 a cg:Partnership ; cg:party id:city-a, id:city-c ; cg:status status:ended ;
    cg:attestation [ cg:source id:source-day ; cg:refersTo "2017"^^xsd:gYear ],
                   [ cg:source id:source-undated ] .
id:p3 a cg:Partnership ; cg:party id:city-b, id:city-c ; cg:startNotAfter "2016-02"^^xsd:gYearMonth ;
    cg:endNotAfter "2022"^^xsd:gYear ; cg:attestation [ cg:source id:source-day ] .
id:p4 a cg:Partnership ; cg:party id:city-a, id:city-b ; cg:startDate "2010"^^xsd:gYear ;
    cg:startNotAfter "2011"^^xsd:gYear ; cg:endDate "2024-02"^^xsd:gYearMonth ;
    cg:endNotAfter "2025"^^xsd:gYear ; cg:status status:ended .
id:p5 a cg:Partnership ; cg:party id:city-b, id:city-c ; cg:status status:ended ;
    cg:attestation [ cg:source id:source-day, id:source-issued ; cg:refersTo "2022"^^xsd:gYear ] .
id:p6 a cg:Partnership ; cg:party id:city-a, id:city-c ; cg:status status:ended .
id:city-a cg:attestation [ cg:source id:source-issued ] .
"""


# ------------------------------------------------------------------ the previous route
def reference_dates(store: ox.Store, source: str = CURATED_GRAPH, target: str = DERIVED_GRAPH) -> None:
    """The date rule as the build computed it before: one Python step per row."""
    union = {"prefixes": PREFIXES, "use_default_graph_as_union": True}
    source_dates: dict = defaultdict(lambda: {"issued": [], "issuedNotAfter": []})
    for row in store.query(
            f"SELECT DISTINCT ?source ?property ?value WHERE {{ GRAPH <{source}> {{ ?att cg:source ?source }}"
            " VALUES ?property { dcterms:issued cg:issuedNotAfter } ?source ?property ?value . }", **union):
        key = "issuedNotAfter" if row["property"].value == CG + "issuedNotAfter" else "issued"
        source_dates[row["source"]][key].append(row["value"])
    rows = [(r["subject"], r["att"], r["source"], r["refersTo"]) for r in store.query(
        f"SELECT ?subject ?att ?source ?refersTo WHERE {{ GRAPH <{source}> {{ ?subject cg:attestation ?att ."
        " OPTIONAL { ?att cg:source ?source } OPTIONAL { ?att cg:refersTo ?refersTo } } }",
        prefixes=PREFIXES)]
    attested: dict = {}
    for _subject, att, src, refers in rows:
        dates = source_dates.get(src) if src is not None else None
        for issued in (dates["issued"] if dates and dates["issued"] else [None]):
            for not_after in (dates["issuedNotAfter"] if dates and dates["issuedNotAfter"] else [None]):
                day = temporal.attested_on(issued, not_after, refers)
                if day is not None and (att not in attested or day < attested[att]):
                    attested[att] = day
    by_subject: dict = defaultdict(set)
    for subject, att, _src, _refers in rows:
        if att in attested:
            by_subject[subject].add(attested[att])

    def literal(day: date) -> ox.Literal:
        return ox.Literal(day.isoformat(), datatype=ox.NamedNode(XSD_DATE))

    graph = ox.NamedNode(target)
    quads = [ox.Quad(att, ox.NamedNode(CG + "attestedOn"), literal(day), graph) for att, day in attested.items()]
    classes = " ".join(str(r["class"]) for r in store.query(
        "SELECT ?class WHERE { ?class rdfs:subClassOf* cg:Relationship }", **union))
    values: dict = defaultdict(lambda: defaultdict(set))
    for row in store.query(
            f"SELECT ?rel ?property ?value WHERE {{ VALUES ?class {{ {classes} }} GRAPH <{source}> {{ ?rel a ?class }}"
            " VALUES ?property { cg:startDate cg:startNotAfter cg:endDate cg:endNotAfter cg:status }"
            " OPTIONAL { ?rel ?property ?value } }", **union):
        entry = values[row["rel"]]
        if row["value"] is not None:
            entry[row["property"].value[len(CG):]].add(row["value"])
    for rel, props in values.items():
        single = {prop: next(iter(found)) for prop, found in props.items()}
        assert all(len(found) == 1 for found in props.values())
        days = sorted(by_subject.get(rel, ()))
        last = days[-1] if days else None
        status = single.get("status")
        start = temporal.active_from(single.get("startDate"), single.get("startNotAfter"), days)
        end = temporal.active_until(single.get("endDate"), single.get("endNotAfter"),
                                    status.value if status is not None else None, last)
        for prop, day in (("lastAttested", last), ("activeFrom", start), ("activeUntil", end)):
            if day is not None:
                quads.append(ox.Quad(rel, ox.NamedNode(CG + prop), literal(day), graph))
    store.extend(quads)


def reference_store(settings: Settings) -> ox.Store:
    store = ox.Store()
    inputs = [(settings.ontology, ONTOLOGY_GRAPH)] + [(p, CURATED_GRAPH) for p in stores.data_files(settings)]
    for path, graph in inputs:
        name = ox.NamedNode(graph)
        store.extend(ox.Quad(t.subject, t.predicate, t.object, name) for t in parse_turtle(path, path.name))
    run_rules(store)
    reference_dates(store)
    return store


# ------------------------------------------------------------------ comparing
def _keyed(store: ox.Store) -> Counter:
    """The derived triples, each blank node replaced by the curated triples around it."""
    around: dict = defaultdict(list)
    for q in store.quads_for_pattern(None, None, None, CURATED):
        if isinstance(q.subject, ox.BlankNode):
            around[q.subject].append(("out", str(q.predicate),
                                      "_" if isinstance(q.object, ox.BlankNode) else str(q.object)))
        if isinstance(q.object, ox.BlankNode):
            around[q.object].append(("in", str(q.subject), str(q.predicate)))

    def key(term: object) -> object:
        return tuple(sorted(around[term])) if isinstance(term, ox.BlankNode) else str(term)

    return Counter((key(q.subject), str(q.predicate), key(q.object))
                   for q in store.quads_for_pattern(None, None, None, DERIVED))


def assert_same_derived(settings: Settings) -> int:
    built = CityGraph.build(settings, notify=None)  # on disk: parsed, derived, bulk-loaded
    assert built.location is not None
    ours = _keyed(built.store)
    theirs = _keyed(reference_store(settings))
    assert sum(ours.values()) == built.manifest["triples"]["derived"]
    missing, extra = theirs - ours, ours - theirs
    assert not missing and not extra, (list(missing.items())[:5], list(extra.items())[:5])
    return sum(ours.values())


def test_curated_data_derives_as_before(tmp_path: Path):
    settings = Settings.for_home(make_home(tmp_path / "home", REPO / "data"))
    assert assert_same_derived(settings) > 500


def test_date_edge_cases_derive_as_before(tmp_path: Path):
    home = make_home(tmp_path / "home", data=None)
    (home / "data" / "edge.ttl").write_text(EDGE_CASES)
    settings = Settings.for_home(home)
    assert_same_derived(settings)
    graph = CityGraph.open(settings, notify=None)

    def dates(rel: str) -> dict[str, str]:
        rows = graph.query(f"SELECT ?p ?d WHERE {{ GRAPH <{DERIVED_GRAPH}> {{ <{rel}> ?p ?d }} "
                           "FILTER(DATATYPE(?d) = xsd:date) }")
        return {p.value[len(CG):]: d.value for p, d in rows.rows}

    rel = "https://w3id.org/citygraph/id/"
    # issued wins over issuedNotAfter; the undated source adds nothing; refersTo is earlier
    assert dates(rel + "p1") == {"lastAttested": "2020-05-31", "activeFrom": "2019-12-31"}
    assert dates(rel + "p2") == {"lastAttested": "2017-12-31", "activeFrom": "2017-12-31",
                                 "activeUntil": "2018-01-01"}
    assert dates(rel + "p3") == {"lastAttested": "2021-02-03", "activeFrom": "2016-02-29",
                                 "activeUntil": "2023-01-01"}
    assert dates(rel + "p4") == {"activeFrom": "2010-12-31", "activeUntil": "2024-03-01"}
    assert dates(rel + "p5") == {"lastAttested": "2020-05-31", "activeFrom": "2020-05-31",
                                 "activeUntil": "2020-06-01"}
    assert dates(rel + "p6") == {}


def _synthetic():
    spec = importlib.util.spec_from_file_location("synthetic", REPO / "bench" / "synthetic.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("synthetic", module)
    spec.loader.exec_module(module)
    return module


def test_synthetic_s_world_derives_as_before(tmp_path: Path):
    home = make_home(tmp_path / "home", data=None)
    shutil.rmtree(home / "data")
    _synthetic().generate(home / "data", triples=10_000, seed=1)
    assert assert_same_derived(Settings.for_home(home)) > 3000


@pytest.mark.parametrize("statement, message", [
    ('id:p1 cg:startDate "2019-13"^^xsd:gYearMonth .', r"a start or end date of .*p1.*2019-13"),
    ('id:p1 cg:endNotAfter "soon"^^xsd:gYear .', r"a start or end date of .*p1.*soon"),
    ('id:source-day dcterms:issued "2021-02-30"^^xsd:date .',
     r"a date of an attestation or its source of .*2021-02-30"),
    ('id:p2 cg:startDate "2001"^^xsd:gYear, "2002"^^xsd:gYear .', r"cg:startDate of .*p2.*: 2 values"),
])
def test_bad_dates_are_data_errors(tmp_path: Path, statement: str, message: str):
    home = make_home(tmp_path / "home", data=None)
    (home / "data" / "edge.ttl").write_text(EDGE_CASES + statement + "\n")
    with pytest.raises(DataFileError, match=message):
        CityGraph.build(Settings.for_home(home), memory=True, notify=None)


def test_unused_bad_dates_are_not_errors(tmp_path: Path):
    """As before: a source's issuedNotAfter is not read when it has dcterms:issued, nor a
    startNotAfter next to a startDate."""
    home = make_home(tmp_path / "home", data=None)
    (home / "data" / "edge.ttl").write_text(
        EDGE_CASES + 'id:source-day cg:issuedNotAfter "never"^^xsd:gYear .\n'
        'id:p1 cg:startDate "2012"^^xsd:gYear ; cg:startNotAfter "never"^^xsd:gYear .\n')
    graph = CityGraph.build(Settings.for_home(home), memory=True, notify=None)
    assert graph.manifest["triples"]["derived"] > 0
