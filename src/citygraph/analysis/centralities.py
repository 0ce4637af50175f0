"""Who is central: degree, weighted degree, betweenness, closeness, eigenvector, PageRank.

All six are computed on one of the graphs of :mod:`citygraph.analysis.snapshot` (``cities``,
``partnerships``, ``combined`` or ``networks``) by the sparse versions in
:mod:`citygraph.analysis.algorithms`, which give the same numbers as NetworkX. Betweenness and
closeness count hops (a tie's weight says how strong it is, not how long); eigenvector and
PageRank use the weights.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from citygraph.analysis import algorithms

MEASURES = ("degree", "weighted_degree", "betweenness", "closeness", "eigenvector", "pagerank")
#: up to this many nodes betweenness is exact; above it, ``AUTO_SAMPLES`` sources are sampled
AUTO_EXACT = 5000
AUTO_SAMPLES = 1000


def resolve_samples(n: int, samples: int | str | None) -> int | None:
    """``"auto"`` -> None (exact) up to :data:`AUTO_EXACT` nodes, else :data:`AUTO_SAMPLES`;
    ``0``/None -> exact; a number -> that many sampled sources."""
    if samples == "auto":
        return None if n <= AUTO_EXACT else AUTO_SAMPLES
    if samples in (None, 0, "0", "exact"):
        return None
    value = int(samples)
    return None if value >= n else value


def scores(snapshot, graph: str = "cities", samples: int | str | None = "auto",
           seed: int = 0) -> pd.DataFrame:
    """Every measure for every node of ``graph``: ``iri, label, kind`` and one column per measure.

    ``attrs`` holds ``graph``, ``samples`` (betweenness sources, None = exact) and
    ``betweenness_error`` (95 % bound on the sampling error, 0 when exact).
    """
    adj = snapshot.adjacency(graph)
    a = adj.matrix
    n = len(adj.nodes)
    k = resolve_samples(n, samples)
    table = pd.DataFrame({
        "iri": adj.nodes,
        "label": [snapshot.label(x) for x in adj.nodes],
        "kind": [snapshot.kind(x) for x in adj.nodes],
        "degree": algorithms.degree(a).astype(int),
        "weighted_degree": algorithms.strength(a),
        "betweenness": algorithms.betweenness(a, samples=k, seed=seed),
        "closeness": algorithms.closeness(a),
        "eigenvector": algorithms.eigenvector(a),
        "pagerank": algorithms.pagerank(a),
    })
    table.attrs.update(graph=graph, samples=k, seed=seed,
                       betweenness_error=algorithms.sampling_error(n, k))
    return table


def rank_table(table: pd.DataFrame, kinds: tuple[str, ...] | None = ("city",),
               by: str = "degree") -> pd.DataFrame:
    """Rows of ``kinds`` (None: all), a ``rank_<measure>`` column per measure (1 = highest,
    ties share the better rank), sorted by ``by`` then the other measures and the label."""
    if by not in MEASURES:
        raise ValueError(f"cannot sort by {by!r}; use one of {', '.join(MEASURES)}")
    rows = table if kinds is None else table[table["kind"].isin(kinds)]
    rows = rows.copy()
    for m in MEASURES:
        rows[f"rank_{m}"] = rows[m].rank(method="min", ascending=False).astype(int) if len(rows) else []
    order = [by] + [m for m in MEASURES if m != by]
    rows = rows.sort_values(order + ["label"], ascending=[False] * len(order) + [True], kind="stable")
    rows = rows.reset_index(drop=True)
    rows.insert(0, "rank", np.arange(1, len(rows) + 1))
    rows.attrs.update(table.attrs, by=by, kinds=kinds)
    return rows


def centrality(snapshot, graph: str = "cities", kinds: tuple[str, ...] | None = ("city",),
               by: str = "degree", samples: int | str | None = "auto", seed: int = 0) -> pd.DataFrame:
    """The rank table of ``graph`` as of the snapshot's date: :func:`scores` then :func:`rank_table`."""
    return rank_table(scores(snapshot, graph, samples, seed), kinds, by)
