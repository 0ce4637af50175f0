"""The sparse algorithms give the same numbers as the plain NetworkX calls (small random graphs,
connected or not, weighted), so the faster path can stand in for NetworkX at scale."""

from __future__ import annotations

import random

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from citygraph.analysis import algorithms as al

SEEDS = range(6)


def weighted_graph(seed: int, n: int = 40, p: float = 0.08) -> nx.Graph:
    """A random graph (often disconnected, with isolated nodes) with integer weights 1-3."""
    g = nx.gnp_random_graph(n, p, seed=seed)
    rng = random.Random(seed)
    for u, v in g.edges:
        g.edges[u, v]["weight"] = rng.randint(1, 3)
    return g


def matrix(g: nx.Graph) -> sp.csr_array:
    return nx.to_scipy_sparse_array(g, nodelist=list(g), weight="weight", format="csr")


def as_list(values: dict, g: nx.Graph) -> list[float]:
    return [values[v] for v in g]


def bipartite(seed: int, rows: int = 30, cols: int = 8) -> tuple[nx.Graph, sp.csr_array]:
    rng = random.Random(seed)
    pairs = {(r, c) for r in range(rows) for c in range(cols) if rng.random() < 0.2}
    g = nx.Graph()
    g.add_nodes_from((f"r{r}" for r in range(rows)), bipartite=0)
    g.add_nodes_from((f"c{c}" for c in range(cols)), bipartite=1)
    g.add_edges_from((f"r{r}", f"c{c}") for r, c in pairs)
    b = al.incidence([r for r, _ in pairs], [c for _, c in pairs], (rows, cols))
    return g, b


@pytest.mark.parametrize("seed", SEEDS)
def test_projection_equals_weighted_projected_graph(seed):
    g, b = bipartite(seed)
    rows = [f"r{r}" for r in range(b.shape[0])]
    expected = nx.bipartite.weighted_projected_graph(g, rows)
    got = al.project(b).tocoo()
    edges = {(rows[i], rows[j]): w for i, j, w in zip(got.row, got.col, got.data) if i < j}
    assert edges == {tuple(sorted((u, v), key=rows.index)): w for u, v, w in expected.edges(data="weight")}


@pytest.mark.parametrize("seed", SEEDS)
def test_overlap_equals_networkx_jaccard_and_overlap_coefficient(seed):
    g, b = bipartite(seed)
    cols = [f"c{c}" for c in range(b.shape[1])]
    shared, sizes = al.overlap(b)
    jaccard = {(cols[i], cols[j]): s / (sizes[i] + sizes[j] - s) for i, j, s in zip(shared.row, shared.col, shared.data)}
    coefficient = {(cols[i], cols[j]): s / min(sizes[i], sizes[j])
                   for i, j, s in zip(shared.row, shared.col, shared.data)}
    expected_j = nx.bipartite.overlap_weighted_projected_graph(g, cols, jaccard=True)
    expected_o = nx.bipartite.overlap_weighted_projected_graph(g, cols, jaccard=False)
    key = cols.index
    assert jaccard == pytest.approx({tuple(sorted((u, v), key=key)): w for u, v, w in expected_j.edges(data="weight")})
    assert coefficient == pytest.approx({tuple(sorted((u, v), key=key)): w for u, v, w in expected_o.edges(data="weight")})
    # and Jaccard of the neighbourhoods as networkx.jaccard_coefficient computes it
    for u, v, value in nx.jaccard_coefficient(g, list(jaccard)):
        assert jaccard[(u, v)] == pytest.approx(value)


@pytest.mark.parametrize("seed", SEEDS)
def test_degrees_equal_networkx(seed):
    g = weighted_graph(seed)
    a = matrix(g)
    assert al.degree(a).tolist() == [d for _, d in g.degree]
    assert al.strength(a).tolist() == [d for _, d in g.degree(weight="weight")]


@pytest.mark.parametrize("seed", SEEDS)
def test_betweenness_equals_networkx(seed):
    g = weighted_graph(seed)
    got = al.betweenness(matrix(g), batch=7)  # several batches
    assert got.tolist() == pytest.approx(as_list(nx.betweenness_centrality(g), g), abs=1e-12)
    raw = al.betweenness(matrix(g), normalized=False)
    assert raw.tolist() == pytest.approx(as_list(nx.betweenness_centrality(g, normalized=False), g), abs=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
def test_sampled_betweenness_equals_networkx_with_the_same_seed(seed):
    g = weighted_graph(seed, n=50, p=0.1)
    got = al.betweenness(matrix(g), samples=12, seed=seed)
    expected = nx.betweenness_centrality(g, k=12, seed=seed)
    assert got.tolist() == pytest.approx(as_list(expected, g), abs=1e-12, nan_ok=True)


def test_sampling_error_bound():
    assert al.sampling_error(100, None) == 0.0
    assert al.sampling_error(100, 100) == 0.0
    # sqrt(ln(2 * 1000 / 0.05) / (2 * 500))
    assert al.sampling_error(1000, 500) == pytest.approx((np.log(40000) / 1000) ** 0.5)


@pytest.mark.parametrize("seed", SEEDS)
def test_closeness_equals_networkx(seed):
    g = weighted_graph(seed)
    got = al.closeness(matrix(g), batch=9)
    assert got.tolist() == pytest.approx(as_list(nx.closeness_centrality(g), g), abs=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_eigenvector_equals_networkx(seed):
    g = weighted_graph(seed)
    got = al.eigenvector(matrix(g))
    expected = nx.eigenvector_centrality(g, weight="weight", max_iter=1000)
    assert got.tolist() == pytest.approx(as_list(expected, g), abs=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
def test_pagerank_equals_networkx(seed):
    g = weighted_graph(seed)
    got = al.pagerank(matrix(g))
    assert got.tolist() == pytest.approx(as_list(nx.pagerank(g, weight="weight"), g), abs=1e-12)


def test_weighted_measures_leave_the_matrix_alone():
    g = weighted_graph(1)
    a = matrix(g)
    before = a.data.copy()
    for f in (al.betweenness, al.closeness, al.eigenvector, al.pagerank):
        f(a)
    assert np.array_equal(a.data, before)


def test_empty_and_single_node_graphs():
    empty = sp.csr_array((0, 0))
    assert al.pagerank(empty).size == 0 and al.eigenvector(empty).size == 0
    one = sp.csr_array((1, 1))
    assert al.betweenness(one).tolist() == [0.0]
    assert al.closeness(one).tolist() == [0.0]
    assert al.pagerank(one).tolist() == [1.0]
