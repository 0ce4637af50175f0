"""Sparse-matrix versions of the NetworkX calls the analyses need, for graphs too big for them.

Each function takes a symmetric ``scipy.sparse`` adjacency (CSR, nodes ``0..n-1``, weights as
values, no self-loops) and returns a NumPy array in node order, with the same numbers as the
NetworkX call named in its docstring (``tests/test_analysis_algorithms.py`` proves it on small
graphs). Where the NetworkX function works on a Python dict per node, these work on whole
vectors: the projections and all-pairs overlaps are sparse matrix products, breadth-first search
advances all sources of a batch at once (a sparse times dense product per level), PageRank and
eigenvector centrality are sparse power iterations.

>>> import numpy as np, scipy.sparse as sp
>>> path = sp.csr_array(np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=float))
>>> betweenness(path).tolist()
[0.0, 1.0, 0.0]
>>> closeness(path).tolist()
[0.6666666666666666, 1.0, 0.6666666666666666]
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from scipy.sparse import csgraph

from citygraph.errors import CityGraphError

#: sources advanced together in one batch of the breadth-first searches
BATCH = 256


class ConvergenceError(CityGraphError):
    """A power iteration did not converge within its iteration limit."""


def _csr(matrix) -> sp.csr_array:
    out = sp.csr_array(matrix, dtype=float, copy=True)
    out.sum_duplicates()
    out.eliminate_zeros()
    return out


def incidence(rows: Sequence[int], cols: Sequence[int], shape: tuple[int, int]) -> sp.csr_array:
    """A 0/1 incidence matrix (duplicates count once)."""
    data = np.ones(len(rows), dtype=float)
    matrix = sp.coo_array((data, (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64))),
                          shape=shape).tocsr()
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix


def project(b: sp.csr_array) -> sp.csr_array:
    """Rows' projection of a 0/1 incidence matrix: ``w[i, j]`` = columns rows i and j share.

    Same edges and weights as ``networkx.bipartite.weighted_projected_graph(B, rows)``.

    >>> b = sp.csr_array(np.array([[1, 1], [1, 1], [0, 1]], dtype=float))
    >>> project(b).toarray().tolist()
    [[0.0, 2.0, 1.0], [2.0, 0.0, 1.0], [1.0, 1.0, 0.0]]
    """
    product = sp.csr_array(b @ b.T)
    product.setdiag(0)
    return _csr(product)


def overlap(b: sp.csr_array) -> tuple[sp.coo_array, np.ndarray]:
    """Columns' pairwise overlaps: ``(shared, sizes)`` with ``shared`` upper-triangular (i < j)
    holding how many rows columns i and j share, and ``sizes`` each column's row count.

    Jaccard is ``shared / (sizes[i] + sizes[j] - shared)``, the overlap coefficient
    ``shared / min(sizes[i], sizes[j])``.
    """
    sizes = np.asarray(b.sum(axis=0)).ravel()
    shared = sp.triu(sp.csr_array(b.T @ b), k=1, format="coo")
    return shared, sizes


def degree(a: sp.csr_array) -> np.ndarray:
    """Number of neighbours (``G.degree``)."""
    return np.diff(a.indptr).astype(float)


def strength(a: sp.csr_array) -> np.ndarray:
    """Sum of edge weights (``G.degree(weight="weight")``)."""
    return np.asarray(a.sum(axis=1)).ravel()


def _bfs_batch(a: sp.csr_array, sources: np.ndarray, with_sigma: bool):
    """Levels of a breadth-first search from each source (columns), and path counts."""
    n, s = a.shape[0], len(sources)
    cols = np.arange(s)
    frontier = np.zeros((n, s))
    frontier[sources, cols] = 1.0
    seen = frontier > 0
    sigma = frontier.copy() if with_sigma else None
    levels = [seen.copy()]
    while True:
        reached = a @ frontier
        new = (reached > 0) & ~seen
        if not new.any():
            break
        seen |= new
        levels.append(new)
        if with_sigma:
            frontier = np.where(new, reached, 0.0)
            sigma += frontier
        else:
            frontier = new.astype(float)
    return levels, sigma


def _sample(n: int, samples: int | None, seed: int | None) -> np.ndarray | None:
    if samples is None or samples >= n:
        return None
    # the same sources as networkx.betweenness_centrality(G, k=samples, seed=seed)
    return np.array(random.Random(seed).sample(range(n), samples), dtype=np.int64)


def betweenness(a: sp.csr_array, samples: int | None = None, seed: int | None = 0,
                normalized: bool = True, batch: int = BATCH) -> np.ndarray:
    """Shortest-path betweenness of every node, counting hops (weights are ignored).

    Brandes' algorithm, all sources of a batch at once. With ``samples=k`` only ``k`` sources
    (chosen as NetworkX chooses them for the same ``seed``) are used and the result is
    rescaled: the same numbers as ``networkx.betweenness_centrality(G, k=k, seed=seed)``, and
    with ``samples=None`` as ``networkx.betweenness_centrality(G)``. :func:`sampling_error`
    bounds the error of a sampled value.
    """
    a = _csr(a)
    a.data[:] = 1.0
    n = a.shape[0]
    chosen = _sample(n, samples, seed)
    sources = np.arange(n) if chosen is None else chosen
    scores = np.zeros(n)
    for start in range(0, len(sources), batch):
        src = sources[start:start + batch]
        levels, sigma = _bfs_batch(a, src, with_sigma=True)
        delta = np.zeros_like(sigma)
        for depth in range(len(levels) - 1, 1, -1):
            here = levels[depth]
            coef = np.zeros_like(sigma)
            np.divide(1.0 + delta, sigma, out=coef, where=here)
            back = a @ coef
            before = levels[depth - 1]
            delta[before] += (sigma * back)[before]
        scores += delta.sum(axis=1)
    return _rescale(scores, n, normalized, None if chosen is None else chosen)


def _rescale(scores: np.ndarray, n: int, normalized: bool, sampled: np.ndarray | None) -> np.ndarray:
    """NetworkX's rescaling of undirected betweenness without endpoints (networkx >= 3.5)."""
    big_n = n - 1
    if big_n < 2:
        return scores
    if sampled is None:
        k = big_n
        scale = 1 / (k * (big_n - 1)) if normalized else big_n / (k * 2)
        return scores * scale
    k = len(sampled)
    if normalized:
        scale_source = 1 / ((k - 1) * (big_n - 1)) if k > 1 else math.nan
        scale_other = 1 / (k * (big_n - 1))
    else:
        scale_source = big_n / ((k - 1) * 2) if k > 1 else math.nan
        scale_other = big_n / (k * 2)
    factor = np.full(n, scale_other)
    factor[sampled] = scale_source
    return scores * factor


def sampling_error(n: int, samples: int | None, confidence: float = 0.95) -> float:
    """Half-width ``e`` such that, with probability ``confidence``, every normalized
    betweenness value estimated from ``samples`` sources lies within ``e`` of the exact value.

    Each source adds at most ``1`` (normalized) to a node's estimate, so Hoeffding's bound
    with a union bound over the ``n`` nodes gives ``sqrt(ln(2n / (1 - confidence)) / (2k))``.
    Exact results (``samples`` None or at least ``n``) have error 0.

    >>> round(sampling_error(8000, 1000), 3)
    0.075
    """
    if samples is None or samples >= n or n < 3:
        return 0.0
    return math.sqrt(math.log(2 * n / (1 - confidence)) / (2 * samples))


def closeness(a: sp.csr_array, wf_improved: bool = True, batch: int = 1024) -> np.ndarray:
    """Closeness of every node, counting hops: ``networkx.closeness_centrality(G)``.

    ``a`` must be symmetric (an undirected graph).

    ``(r - 1) / total distance`` to the ``r - 1`` nodes it reaches, times ``(r - 1) / (n - 1)``
    (``wf_improved``) so that a node in a small component does not look central.
    """
    a = _csr(a)
    n = a.shape[0]
    out = np.zeros(n)
    if n < 2:
        return out
    for start in range(0, n, batch):
        rows = np.arange(start, min(n, start + batch))
        dist = csgraph.shortest_path(a, method="D", directed=True, unweighted=True, indices=rows)
        finite = np.isfinite(dist)
        reach = finite.sum(axis=1) - 1.0
        total = np.where(finite, dist, 0.0).sum(axis=1)
        value = np.divide(reach, total, out=np.zeros(len(rows)), where=total > 0)
        if wf_improved:
            value *= reach / (n - 1)
        out[rows] = value
    return out


def eigenvector(a: sp.csr_array, max_iter: int = 1000, tol: float = 1.0e-6) -> np.ndarray:
    """Eigenvector centrality with weights: ``networkx.eigenvector_centrality(G, weight="weight")``.

    The same power iteration on ``A + I`` from a uniform start, so a graph with several
    components gets the same (well-defined) answer as NetworkX's.
    """
    a = _csr(a)
    n = a.shape[0]
    if n == 0:
        return np.zeros(0)
    x = np.full(n, 1.0 / n)
    at = sp.csr_array(a.T)
    for _ in range(max_iter):
        last = x
        x = last + at @ last
        norm = math.hypot(*x) if n < 64 else float(np.linalg.norm(x))
        x = x / (norm or 1.0)
        if np.abs(x - last).sum() < n * tol:
            return x
    raise ConvergenceError(f"eigenvector centrality did not converge in {max_iter} iterations")


def pagerank(a: sp.csr_array, alpha: float = 0.85, max_iter: int = 100,
             tol: float = 1.0e-6) -> np.ndarray:
    """PageRank with weights: ``networkx.pagerank(G, weight="weight")`` (its SciPy iteration)."""
    a = _csr(a)
    n = a.shape[0]
    if n == 0:
        return np.zeros(0)
    s = np.asarray(a.sum(axis=1)).ravel()
    nonzero = s != 0
    inv = np.zeros(n)
    inv[nonzero] = 1.0 / s[nonzero]
    m = sp.csr_array(sp.dia_array((inv[np.newaxis, :], [0]), shape=(n, n)) @ a)
    x = np.full(n, 1.0 / n)
    p = np.full(n, 1.0 / n)
    dangling = np.where(~nonzero)[0]
    for _ in range(max_iter):
        last = x
        x = alpha * (x @ m + sum(x[dangling]) * p) + (1 - alpha) * p
        if np.abs(x - last).sum() < n * tol:
            return x
    raise ConvergenceError(f"PageRank did not converge in {max_iter} iterations")


def components(a: sp.csr_array) -> np.ndarray:
    """Connected-component label of every node."""
    return csgraph.connected_components(a, directed=False)[1]
