"""Network analysis on a tiny world (tests/fixtures/analysis/) with every number worked out by hand.

The world as of 2021-06-01, curated layer:

    N1 = {A, B, C}   N2 = {A, B, D}   N3 = {D, E}       (E joined N3 on 2020-12-31; F's
    partnerships A–E (2015-12-31 .. 2022-03-01), A–C    membership has no date at all)

City projection (weight = shared networks): A–B 2, A–C 1, B–C 1, A–D 1, B–D 1, D–E 1.
"""

from __future__ import annotations

import inspect
from datetime import date
from pathlib import Path

import networkx as nx
import pandas as pd
import pyoxigraph as ox
import pytest

from citygraph.analysis import (
    Ties, brokerage, brokerage_summary, centrality, communities, ego_network, network_overlap,
    network_sizes, redundancy, scores,
)
from citygraph.analysis.comparison import compare
from citygraph.analysis.reports import run
from citygraph.config import Settings
from citygraph.derive import derive_dates
from citygraph.errors import NotFoundError, QueryError
from citygraph.graph import CityGraph
from citygraph.namespaces import GRAPH

from conftest import FIXTURES, make_home

WORLD = FIXTURES / "analysis"
C = "https://w3id.org/citygraph/id/city/"
N = "https://w3id.org/citygraph/id/network/"
A, B, CC, D, E, F = (C + x for x in "abcdef")
N1, N2, N3 = (N + x for x in ("n1", "n2", "n3"))
DAY = date(2021, 6, 1)


def build_world(root: Path, with_layer: bool = True) -> CityGraph:
    home = make_home(root, WORLD / "data")
    graph = CityGraph.build(Settings.for_home(home), memory=True, notify=None)
    if with_layer:
        layer = ox.NamedNode(GRAPH + "extra")
        graph.store.extend(ox.Quad(t.subject, t.predicate, t.object, layer)
                           for t in ox.parse(path=str(WORLD / "layers" / "extra.ttl"),
                                             format=ox.RdfFormat.TURTLE))
        locate = lambda _t: ("layers/extra.ttl", None)  # noqa: E731
        if "source" in inspect.signature(derive_dates).parameters:  # layers derived on their own
            derive_dates(graph.store, locate, source=GRAPH + "extra", target=GRAPH + "extra-derived")
        else:
            derive_dates(graph.store, locate)
    return graph


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> CityGraph:
    return build_world(tmp_path_factory.mktemp("world") / "home")


@pytest.fixture(scope="module")
def ties(world) -> Ties:
    return Ties.load(world)


@pytest.fixture(scope="module")
def snap(ties):
    """2021-06-01, curated layer only (the layer 'extra' adds C to N3)."""
    return ties.snapshot(DAY, ["curated"])


def by_iri(table: pd.DataFrame, column: str) -> dict:
    return dict(zip(table["iri"], table[column]))


# ---------------------------------------------------------------------- loading and dates
def test_ties_read_kinds_layers_and_dates(ties):
    rels = ties.relationships.set_index("rel")
    assert ties.layers == ["curated", "extra"]
    assert rels.at["https://w3id.org/citygraph/id/membership/c-n3", "layers"] == ("extra",)
    assert rels.at["https://w3id.org/citygraph/id/partnership/a-e", "active_from"] == date(2015, 12, 31)
    assert rels.at["https://w3id.org/citygraph/id/partnership/a-e", "active_until"] == date(2022, 3, 1)
    assert rels.at["https://w3id.org/citygraph/id/membership/f-n1", "active_from"] is None
    kinds = ties.entities.set_index("iri")
    assert kinds.at[A, "kind"] == "city" and kinds.at[N1, "kind"] == "network"
    assert kinds.at[A, "label"] == "Aville"


def test_fixture_labels_in_other_language(world):
    assert Ties.load(world, "fi").entities.set_index("iri").at[A, "label"] == "Akylä"
    assert Ties.load(world, "fi").entities.set_index("iri").at[B, "label"] == "Bton"  # falls back to en


@pytest.mark.parametrize(("day", "expected"), [
    (date(2020, 12, 30), False),   # E joins N3 on the last day of 2020
    (date(2020, 12, 31), True),
    (None, True),
])
def test_membership_starts_on_last_day_of_its_year(ties, day, expected):
    members = set(ties.snapshot(day).memberships["member"])
    assert (E in members) == expected


@pytest.mark.parametrize(("day", "expected"), [
    (date(2022, 2, 28), True),     # ended "2022-02": still active on its last day
    (date(2022, 3, 1), False),
    (date(2015, 12, 30), False),
])
def test_partnership_ends_after_its_month(ties, day, expected):
    edges = ties.snapshot(day).partnerships
    assert bool(((edges["a"] == A) & (edges["b"] == E)).any()) == expected


def test_undated_membership_counts_only_without_a_date(ties):
    assert F not in set(ties.snapshot(DAY).memberships["member"])
    assert F in set(ties.snapshot(None).memberships["member"])


def test_layers_select_named_graphs(ties):
    assert network_sizes(ties.snapshot(DAY, ["curated"])).set_index("network").at[N3, "members"] == 2
    assert network_sizes(ties.snapshot(DAY)).set_index("network").at[N3, "members"] == 3
    assert network_sizes(ties.snapshot(DAY, ["extra"])).set_index("network").at[N3, "members"] == 1
    assert network_sizes(ties.snapshot(DAY, [GRAPH + "curated"])).set_index("network").at[N3, "members"] == 2
    with pytest.raises(NotFoundError, match="no relationships in layer.*nosuch.*curated, extra"):
        ties.snapshot(DAY, ["nosuch"])


# ---------------------------------------------------------------------- graphs
def test_graphs_carry_iris_labels_kinds_dates_and_sources(snap):
    m = snap.membership_graph()
    assert nx.is_bipartite(m)
    assert {n for n, d in m.nodes(data=True) if d["bipartite"] == 1} == {N1, N2, N3}
    assert m.nodes[A] == {"bipartite": 0, "iri": A, "label": "Aville", "kind": "city"}
    edge = m.edges[B, N2]
    assert edge["relationships"] == ("https://w3id.org/citygraph/id/membership/b-n2",)
    assert edge["qualifiers"] == ("https://w3id.org/citygraph/vocab/role/member",)
    assert edge["active_from"] == date(2010, 12, 31) and edge["active_until"] is None
    assert edge["layers"] == ("curated",) and edge["sources"] == ()
    p = snap.partnership_graph()
    assert sorted(map(sorted, p.edges)) == sorted([[A, CC], [A, E]])
    assert p.edges[A, E]["active_until"] == date(2022, 3, 1)
    combined = snap.combined_graph()
    assert combined.number_of_nodes() == 8 and combined.number_of_edges() == 10
    assert combined.edges[A, E]["kinds"] == ("partnership",)


def test_city_projection_by_hand(snap):
    g = snap.city_projection()
    weights = {tuple(sorted((u, v))): d["weight"] for u, v, d in g.edges(data=True)}
    assert weights == {(A, B): 2, (A, CC): 1, (B, CC): 1, (A, D): 1, (B, D): 1, (D, E): 1}
    assert g.edges[A, B]["networks"] == (N1, N2)
    reference = nx.bipartite.weighted_projected_graph(snap.membership_graph(), [A, B, CC, D, E])
    assert {tuple(sorted((u, v))): w for u, v, w in reference.edges(data="weight")} == weights


def test_network_projection_by_hand(snap):
    g = snap.network_projection()
    assert {tuple(sorted((u, v))): d["weight"] for u, v, d in g.edges(data=True)} == {(N1, N2): 2, (N2, N3): 1}
    assert g.edges[N1, N2]["members"] == (A, B)


# ---------------------------------------------------------------------- centrality
def test_centrality_of_the_city_projection_by_hand(snap):
    table = scores(snap, "cities")
    assert by_iri(table, "degree") == {A: 3, B: 3, CC: 2, D: 3, E: 1}
    assert by_iri(table, "weighted_degree") == {A: 4, B: 4, CC: 2, D: 3, E: 1}
    # D lies on every shortest path to E (A–E, B–E, C–E: 3 of 6 pairs); A and B each carry
    # half of C–D and C–E; normalised by the 6 pairs without the node
    assert by_iri(table, "betweenness") == pytest.approx({A: 1 / 6, B: 1 / 6, CC: 0, D: 0.5, E: 0})
    # (reachable - 1) / total distance: A 4/5, C 4/7, E 4/8
    assert by_iri(table, "closeness") == pytest.approx({A: 0.8, B: 0.8, CC: 4 / 7, D: 0.8, E: 0.5})
    ev = by_iri(table, "eigenvector")
    assert ev[A] == pytest.approx(ev[B]) and ev[A] > ev[D] > ev[CC] > ev[E]


def test_star_partnership_graph_by_hand(snap):
    # a star with centre A and two leaves: PageRank of the centre (1 + 2a) / (3 (1 + a)),
    # eigenvector centre 1/sqrt(2), leaves 1/2
    table = scores(snap, "partnerships")
    assert by_iri(table, "pagerank") == pytest.approx(
        {A: 2.7 / 5.55, CC: (1 - 2.7 / 5.55) / 2, E: (1 - 2.7 / 5.55) / 2}, abs=1e-6)
    assert by_iri(table, "eigenvector") == pytest.approx({A: 2 ** -0.5, CC: 0.5, E: 0.5}, abs=1e-5)
    assert by_iri(table, "betweenness") == pytest.approx({A: 1.0, CC: 0.0, E: 0.0})


def test_rank_table(snap):
    table = centrality(snap, "cities", by="betweenness")
    assert list(table["label"]) == ["Dstad", "Aville", "Bton", "Cburg", "Eport"]
    assert list(table["rank"]) == [1, 2, 3, 4, 5]
    assert list(table["rank_betweenness"]) == [1, 2, 2, 4, 4]
    networks = centrality(snap, "networks", kinds=None)
    assert list(networks["label"]) == ["Network Two", "Network One", "Network Three"]
    with pytest.raises(ValueError, match="cannot sort by"):
        centrality(snap, by="fame")


def test_sampled_betweenness_states_its_error(snap):
    table = scores(snap, "cities", samples=3, seed=1)
    assert table.attrs["samples"] == 3
    assert 0 < table.attrs["betweenness_error"] < 2
    assert scores(snap, "cities", samples=100).attrs["samples"] is None  # more than the nodes: exact


# ---------------------------------------------------------------------- overlap
def test_network_overlap_by_hand(snap):
    table = network_overlap(snap)
    rows = {(r.network_a, r.network_b): r for r in table.itertuples()}
    # labels order the pair: "Network One" < "Network Two", "Network Three" < "Network Two"
    assert set(rows) == {(N1, N2), (N3, N2)}
    one_two = rows[(N1, N2)]
    assert (one_two.size_a, one_two.size_b, one_two.shared) == (3, 3, 2)
    assert one_two.jaccard == pytest.approx(2 / 4) and one_two.overlap == pytest.approx(2 / 3)
    assert one_two.shared_members == ("Aville", "Bton")
    three_two = rows[(N3, N2)]
    assert three_two.jaccard == pytest.approx(1 / 4) and three_two.overlap == pytest.approx(1 / 2)
    assert list(table["shared"]) == [2, 1]
    assert len(network_overlap(snap, min_shared=2)) == 1


def test_network_sizes(snap):
    sizes = network_sizes(snap).set_index("network")
    assert sizes["members"].to_dict() == {N1: 3, N2: 3, N3: 2}


def test_redundancy_by_hand(snap):
    table = redundancy(snap, A).set_index("network")
    # A meets B in both networks; C only through N1, D only through N2
    assert table.loc[N1, ["members", "unique"]].tolist() == [2, 1]
    assert table.at[N1, "unique_members"] == ("Cburg",)
    assert table.at[N2, "unique_members"] == ("Dstad",)
    assert table.at[N2, "redundant"] == pytest.approx(0.5)
    with pytest.raises(NotFoundError, match="no memberships"):
        redundancy(snap, C + "nowhere")


# ---------------------------------------------------------------------- ego and brokerage
def test_ego_network_changes_with_the_date(ties):
    before = ego_network(ties.snapshot(DAY, ["curated"]), A)
    assert set(before["iri"]) == {N1, N2, CC, E}
    assert by_iri(before, "kinds")[E] == ("partnership",)
    after = ego_network(ties.snapshot(date(2023, 6, 1), ["curated"]), A)
    assert set(after["iri"]) == {N1, N2, CC}
    two = ego_network(ties.snapshot(DAY, ["curated"]), A, radius=2)
    assert by_iri(two, "distance") == {N1: 1, N2: 1, CC: 1, E: 1, B: 2, D: 2, N3: 2}


def test_brokerage_by_hand(snap):
    # through N1 A meets B (also in N2) and C (a partner): nothing only through N1;
    # through N2 it meets B (also in N1) and D (no other tie): D
    detail = brokerage(snap, A)
    assert list(zip(detail["network"], detail["iri"])) == [(N2, D)]
    summary = brokerage_summary(snap, A).set_index("network")
    assert summary["reaches"].to_dict() == {N1: 2, N2: 2}
    assert summary["only_through"].to_dict() == {N1: 0, N2: 1}
    # D: N2 gives A and B (no other tie), N3 gives E
    assert sorted(brokerage(snap, D)["iri"]) == sorted([A, B, E])


# ---------------------------------------------------------------------- communities
def test_louvain_communities_by_hand(snap):
    # {A, B, C} and {D, E}: modularity 4/7 - (10/14)^2 + 1/7 - (4/14)^2 = 6/49
    table = communities(snap, "cities")
    groups = table.groupby("community")["iri"].agg(frozenset).to_dict()
    assert groups == {1: frozenset({A, B, CC}), 2: frozenset({D, E})}
    assert table.attrs["modularity"] == pytest.approx(6 / 49)


# ---------------------------------------------------------------------- comparison
def test_compare_two_dates_by_hand(ties):
    result = compare(ties, date(2019, 6, 1), date(2023, 6, 1), layers=["curated"])
    status = dict(zip(result.relationships["rel"].str.rsplit("/", n=1).str[-1], result.relationships["status"]))
    assert status == {"a-e": "ended", "e-n3": "added", "b-e": "added", "a-c": "unchanged",
                      "a-n1": "unchanged", "a-n2": "unchanged", "b-n1": "unchanged", "b-n2": "unchanged",
                      "c-n1": "unchanged", "d-n2": "unchanged", "d-n3": "unchanged"}
    mine = compare(ties, date(2019, 6, 1), date(2023, 6, 1), city=A, layers=["curated"])
    ended = mine.relationships[mine.relationships["status"] == "ended"]
    assert list(ended["with"]) == ["Eport"]
    ranks = mine.ranks.set_index("measure")
    # combined graph: A has N1, N2, C, E in 2019 (degree 4) and N1, N2, C in 2023 (degree 3)
    assert ranks.at["degree", "value_from"] == 4 and ranks.at["degree", "value_to"] == 3
    # in 2019 A ranks first by degree; in 2023 B (N1, N2, E) ties with A: both rank 1
    assert ranks.at["degree", "rank_from"] == 1 and ranks.at["degree", "rank_to"] == 1


def test_run_reports_and_errors(world):
    report = run(world, "overlap", as_of="2021-06-01", layers=["curated"], city="Aville")
    assert list(report.tables) == ["redundancy", "overlap", "sizes"]
    data = report.to_json()
    assert data["parameters"] == {"as_of": "2021-06-01", "layers": ["curated"], "lang": "en",
                                  "city": A, "min_shared": 1}
    assert data["tables"]["overlap"][0]["shared_members"] == ["Aville", "Bton"]
    with pytest.raises(QueryError, match="ego needs a city"):
        run(world, "ego", as_of="2021-06-01")
    with pytest.raises(QueryError, match="YYYY-MM-DD"):
        run(world, "centrality", as_of="1 June 2021")
    with pytest.raises(QueryError, match="two dates"):
        run(world, "compare", date_from="2019-01-01")
    with pytest.raises(NotFoundError):
        run(world, "ego", as_of="2021-06-01", city="Atlantis")
    empty = run(world, "ego", as_of="2021-06-01", city="Eport", layers=["curated"])
    assert set(empty.tables) == {"ego", "brokerage", "brokerage_members"}


def test_report_as_rdf_round_trips(world):
    report = run(world, "centrality", as_of="2021-06-01", layers=["curated"])
    store = ox.Store()
    store.load(report.to_turtle({"fingerprint": "abc", "built": "now"}).encode(), format=ox.RdfFormat.TURTLE)
    rows = list(store.query(
        "PREFIX cg: <https://w3id.org/citygraph/ontology#> SELECT ?value ?rank WHERE {"
        " ?run a cg:AnalysisRun ; cg:asOf ?day ; cg:layer ?layer ; cg:observation ?o ."
        " ?o cg:about <https://w3id.org/citygraph/id/city/d> ; cg:measure 'betweenness' ;"
        " cg:value ?value ; cg:rank ?rank }"))
    assert len(rows) == 1
    assert float(rows[0]["value"].value) == pytest.approx(0.5) and rows[0]["rank"].value == "1"
