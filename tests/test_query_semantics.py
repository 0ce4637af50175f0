"""The named queries rewritten for speed at 10^6 quads still say what they mean.

Each query's answer is worked out a second time in plain Python from the triples (the union of
all graphs, as ``CityGraph.query`` sees it) and the two are compared as multisets of rows, on the
curated data and on a synthetic S world (``bench/synthetic.py``), for many parameter values.
A GROUP_CONCAT column is compared as the set of names it joins (its order is the engine's).
"""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest

from citygraph.config import Settings
from citygraph.graph import CityGraph
from citygraph.namespaces import CG, SKOS
from citygraph.queries import load_queries

REPO = Path(__file__).resolve().parents[1]
QUERIES = load_queries(REPO / "queries")
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DCT_TITLE = "http://purl.org/dc/terms/title"
ORG = "http://www.w3.org/ns/org#"
ENDED = "https://w3id.org/citygraph/vocab/status/ended"


class Triples:
    """Plain lookups over the union of the graphs of a built store (a triple counts once)."""

    def __init__(self, graph: CityGraph) -> None:
        self.graph = graph
        self.sp: dict[tuple, set] = {}
        self.po: dict[tuple, set] = {}
        for quad in graph.store:
            s, p, o = quad.subject, quad.predicate.value, quad.object
            self.sp.setdefault((s, p), set()).add(o)
            self.po.setdefault((p, o), set()).add(s)

    def objects(self, s: object, p: str) -> set:
        return self.sp.get((s, p), set())

    def subjects(self, p: str, o: object) -> set:
        return self.po.get((p, o), set())

    def with_predicate(self, p: str) -> Iterable[tuple[object, object]]:
        for (s, pred), objects in self.sp.items():
            if pred == p:
                for o in objects:
                    yield s, o

    def en(self, thing: object) -> list[str]:
        """Every English skos:prefLabel (the queries' ``FILTER(lang(?l) = "en")``)."""
        return [o.value for o in self.objects(thing, SKOS + "prefLabel")
                if isinstance(o, ox.Literal) and o.language == "en"]

    def en_via(self, thing: object, p: str) -> list[str | None]:
        """OPTIONAL { thing p/skos:prefLabel ?l FILTER(lang(?l) = "en") }: the labels, or [None]."""
        found = [label for o in self.objects(thing, p) for label in self.en(o)]
        return found or [None]

    def optional(self, thing: object, p: str) -> list[object]:
        return list(self.objects(thing, p)) or [None]


def _world_module():
    spec = importlib.util.spec_from_file_location("synthetic", REPO / "bench" / "synthetic.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("synthetic", module)
    spec.loader.exec_module(module)
    return module


@cache
def curated() -> tuple[CityGraph, Triples]:
    graph = CityGraph.build(Settings.for_home(REPO), memory=True, notify=None)
    return graph, Triples(graph)


@cache
def synthetic_s(tmp: Path) -> tuple[CityGraph, Triples]:
    _world_module().generate(tmp / "data", triples=10_000, seed=1)
    settings = Settings.from_env(environ={"CITYGRAPH_DATA_DIR": str(tmp / "data"),
                                          "CITYGRAPH_STORE_DIR": str(tmp / "store")}, cwd=REPO)
    graph = CityGraph.build(settings, memory=True, notify=None)
    return graph, Triples(graph)


@pytest.fixture(scope="module", params=["curated", "synthetic-S"])
def world(request, tmp_path_factory) -> tuple[CityGraph, Triples]:
    if request.param == "curated":
        return curated()
    return synthetic_s(tmp_path_factory.mktemp("world-S"))


def _plain(term: object) -> object:
    return None if term is None else term.value if not isinstance(term, ox.BlankNode) else term


def run(graph: CityGraph, name: str, concat: dict[str, str] | None = None, **params: object) -> Counter:
    """Rows of a named query as a multiset; ``concat`` names GROUP_CONCAT columns and separators."""
    query = QUERIES[name]
    bound = query.bind({k: v for k, v in params.items() if isinstance(v, str)}, graph.resolve)
    bound.update({k: v for k, v in params.items() if not isinstance(v, str)})
    result = graph.query(query.sparql, bound)
    concat = concat or {}
    rows = []
    for row in result.rows:
        values = []
        for variable, term in zip(result.variables, row):
            v = _plain(term)
            if variable in concat and v is not None:
                v = frozenset(v.split(concat[variable]))
            values.append(v)
        rows.append(tuple(values))
    return Counter(rows)


def names(labels: Iterable[str], separator: str) -> frozenset[str] | None:
    """The set a GROUP_CONCAT of ``labels`` splits back into (None when there are none)."""
    labels = list(dict.fromkeys(labels))
    return frozenset(separator.join(labels).split(separator)) if labels else None


def check(expected: Counter, actual: Counter) -> None:
    assert actual == expected, (f"only in the query: {list((actual - expected).elements())[:3]}; "
                                f"only expected: {list((expected - actual).elements())[:3]}")


def _cities_with_partnerships(t: Triples) -> list[object]:
    cities = {party for p in t.subjects(RDF_TYPE, ox.NamedNode(CG + "Partnership"))
              for party in t.objects(p, CG + "party")}
    helsinki = ox.NamedNode("https://w3id.org/citygraph/id/city/helsinki")
    ordered = sorted(cities - {helsinki}, key=str)
    return [helsinki, *ordered[:: max(1, len(ordered) // 12)]]


# ---------------------------------------------------------------------------------- the queries
def expected_partnership_descriptions(t: Triples, city: object) -> Counter:
    rows = Counter()
    for p in t.subjects(CG + "party", city):
        if ox.NamedNode(CG + "Partnership") not in t.objects(p, RDF_TYPE):
            continue
        for partner in t.objects(p, CG + "party") - {city}:
            for partner_label in t.en(partner):
                for a in t.objects(p, CG + "attestation"):
                    for source in t.objects(a, CG + "source"):
                        for quote in t.objects(a, CG + "quote"):
                            for day in t.objects(a, CG + "attestedOn"):
                                for title in t.objects(source, DCT_TITLE):
                                    for described in t.en_via(a, CG + "describedAs"):
                                        rows[(partner_label, day.value, described, title.value,
                                              quote.value, p.value)] += 1
    return rows


def test_partnership_descriptions(world) -> None:
    graph, t = world
    nonempty = 0
    for city in _cities_with_partnerships(t):
        expected = expected_partnership_descriptions(t, city)
        check(expected, run(graph, "partnership-descriptions", city=city))
        nonempty += bool(expected)
    assert nonempty >= 2


def _active(active_from: str, active_until: str | None, day: str) -> bool:
    return active_from <= day and (active_until is None or day < active_until)


def expected_changes(t: Triples, city: object, start: str, end: str) -> Counter:
    rows = Counter()
    for rel in t.subjects(CG + "involves", city):
        others = [label for other in t.objects(rel, CG + "involves") - {city} for label in t.en(other)]
        other_label = names(others, ", ")
        if other_label is None:
            continue
        for kind in t.objects(rel, CG + "relationshipKind"):
            for kind_label in t.en(kind):
                for active_from in t.objects(rel, CG + "activeFrom"):
                    for until in t.optional(rel, CG + "activeUntil"):
                        u = None if until is None else until.value
                        at_from, at_to = _active(active_from.value, u, start), _active(active_from.value, u, end)
                        if at_from == at_to:
                            continue
                        for status in t.en_via(rel, CG + "status"):
                            for reason in t.optional(rel, CG + "statusReason"):
                                for role in t.en_via(rel, ORG + "role"):
                                    rows[("added" if at_to else "ended", kind_label, other_label, role,
                                          status, _plain(reason), active_from.value, u, rel.value)] += 1
    return rows


@pytest.mark.parametrize("start, end", [("2019-06-01", "2024-06-01"), ("2000-01-01", "2022-03-01"),
                                        ("2024-06-01", "2010-01-01")])
def test_changes_between_dates(world, start, end) -> None:
    graph, t = world
    nonempty = 0
    for city in _cities_with_partnerships(t):
        expected = expected_changes(t, city, start, end)
        check(expected, run(graph, "changes-between-dates", {"otherLabel": ", "},
                            city=city, **{"from": start, "to": end}))
        nonempty += bool(expected)
    assert nonempty >= 1


def expected_source_facts(t: Triples, source: object) -> Counter:
    rows = Counter()
    for a in t.subjects(CG + "source", source):
        for subject in t.subjects(CG + "attestation", a):
            policy = ox.NamedNode(CG + "PolicyStatement") in t.objects(subject, RDF_TYPE)
            involved = names((label for i in t.objects(subject, CG + "involves") for label in t.en(i)), " – ")
            for quote in t.objects(a, CG + "quote"):
                for described in t.en_via(a, CG + "describedAs"):
                    for rk in t.en_via(subject, CG + "relationshipKind"):
                        kind = rk or ("policy statement" if policy else "entity")
                        for own in t.en(subject) or [None]:
                            label = names([own], " – ") if own is not None else involved
                            rows[(label, kind, described, quote.value, _plain(subject))] += 1
    return rows


def test_source_facts(world) -> None:
    graph, t = world
    sources = sorted({s for _a, s in t.with_predicate(CG + "source")}, key=str)
    assert sources
    for source in sources:
        check(expected_source_facts(t, source),
              run(graph, "source-facts", {"subjectLabel": " – "}, source=source))


def expected_ended(t: Triples) -> Counter:
    rows = Counter()
    for rel in t.subjects(CG + "status", ox.NamedNode(ENDED)):
        involved = names((label for x in t.objects(rel, CG + "involves") for label in t.en(x)), ", ")
        if involved is None:
            continue
        for kind_label in t.en_via(rel, CG + "relationshipKind"):
            if kind_label is None:
                continue
            for end in t.optional(rel, CG + "endDate"):
                for nb in t.optional(rel, CG + "endNotBefore"):
                    for na in t.optional(rel, CG + "endNotAfter"):
                        for reason in t.optional(rel, CG + "statusReason"):
                            for until in t.optional(rel, CG + "activeUntil"):
                                rows[(kind_label, involved, _plain(end), _plain(nb), _plain(na),
                                      _plain(reason), _plain(until), rel.value)] += 1
    return rows


def test_ended_relationships(world) -> None:
    graph, t = world
    expected = expected_ended(t)
    assert expected
    check(expected, run(graph, "ended-relationships", {"involvedLabels": ", "}))


def expected_focus_areas(t: Triples) -> Counter:
    rows = Counter()
    for a, focus in t.with_predicate(CG + "focusArea"):
        for rel in t.subjects(CG + "attestation", a):
            involved = names((label for x in t.objects(rel, CG + "involves") for label in t.en(x)), ", ")
            if involved is None:
                continue
            for quote in t.objects(a, CG + "quote"):
                for focus_label in t.en(focus):
                    for group in t.objects(focus, SKOS + "broader"):
                        for group_label in t.en(group):
                            rows[(focus_label, group_label, involved, quote.value, _plain(rel))] += 1
    return rows


def test_focus_areas(world) -> None:
    graph, t = world
    expected = expected_focus_areas(t)
    assert expected
    check(expected, run(graph, "focus-areas", {"involvedLabels": ", "}))


MISSING_WIKIDATA_TYPES = ("City", "Country", "CityNetwork", "Organization", "Agency", "Company",
                          "University", "RegionalCouncil", "Foundation", "Office")


def expected_missing_wikidata(t: Triples) -> Counter:
    rows = Counter()
    for name in MISSING_WIKIDATA_TYPES:
        for entity in t.subjects(RDF_TYPE, ox.NamedNode(CG + name)):
            if t.objects(entity, CG + "wikidataId"):
                continue
            for label in t.en(entity) or [None]:
                rows[(label, name, _plain(entity))] += 1
    return rows


def test_missing_wikidata(world) -> None:
    graph, t = world
    expected = expected_missing_wikidata(t)
    assert expected
    check(expected, run(graph, "missing-wikidata"))
