"""Network analysis at scale: citygraph's suite against python-igraph on the same graphs.

Worlds of about 10^4, 10^5 and 10^6 store quads come from ``bench/synthetic.py`` (built with
``CityGraph.build`` into ``--cache``, reused while the generator and the ontology are
unchanged). For each world:

1. *extract*: ``Ties.load`` (six SPARQL queries read as CSV into pandas) and one snapshot with
   every relationship (``as_of=None``): the input both suites start from. Not part of the ratio.
2. *citygraph suite*, the work ``citygraph analyze`` does: city and network projections
   (sparse products), degree, weighted degree, betweenness (exact up to 5,000 cities, else 1,000
   sampled sources), closeness, eigenvector centrality and PageRank of the city projection, all
   network pairs' shared members / Jaccard / overlap coefficient, and Louvain in both projections.
3. *igraph suite*, the same numbers with python-igraph: a bipartite graph from the same
   integer membership pairs (prepared outside the timing), ``bipartite_projection`` with
   multiplicities as weights, ``degree``, ``strength``, ``betweenness(sources=…)`` with the same
   sampled sources, ``closeness``, ``eigenvector_centrality``, ``pagerank``, Jaccard and overlap
   from the network projection, ``community_multilevel`` on both projections.
4. *plain NetworkX* (``--networkx``, 10^4 and 10^5 only): the plain calls the sparse versions
   stand in for, for the record.

Each step is timed ``--repeat`` times; the medians and the ratio citygraph / igraph per step and
for the whole suite go to ``bench/results/analysis.{json,md}``. The numbers are checked to
agree (degrees, weights, betweenness, Jaccard) before anything is timed.

Usage::

    python bench/analysis.py                      # 10^4, 10^5, 10^6
    python bench/analysis.py --sizes 10000 --repeat 1 --out /tmp/bench
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import shutil
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from synthetic import generate  # noqa: E402

from citygraph.analysis import algorithms as al  # noqa: E402
from citygraph.analysis.centralities import resolve_samples  # noqa: E402
from citygraph.analysis.community import communities  # noqa: E402
from citygraph.analysis.overlap import network_overlap  # noqa: E402
from citygraph.analysis.ties import Ties  # noqa: E402
from citygraph.config import Settings  # noqa: E402
from citygraph.graph import CityGraph  # noqa: E402


def world(size: int, cache: Path) -> CityGraph:
    root = cache / f"world-{size}"
    settings = Settings.for_home(REPO, data_dir=root / "data", store_dir=root / "store")
    stamp = root / "generator.txt"
    source = (HERE / "synthetic.py").read_text(encoding="utf-8")
    if not stamp.exists() or stamp.read_text(encoding="utf-8") != source:
        shutil.rmtree(root, ignore_errors=True)
        generate(root / "data", size)
        stamp.write_text(source, encoding="utf-8")
    started = time.perf_counter()
    graph = CityGraph.open(settings, notify=None)
    print(f"  world {size}: store ready in {time.perf_counter() - started:.1f} s "
          f"({sum(graph.manifest['triples'].values())} quads)", flush=True)
    return graph


def timed(fn, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def citygraph_steps(ties: Ties, samples: int | None, seed: int) -> dict:
    """Step name -> callable; each starts from a fresh snapshot so nothing is cached."""
    state: dict = {}

    def fresh():
        state["snap"] = ties.snapshot(None)
        return state["snap"]

    def projections():
        snap = fresh()
        return snap.adjacency("cities"), snap.adjacency("networks")

    def city_matrix():
        return state["snap"].adjacency("cities").matrix

    return {
        "projections": projections,
        "degree": lambda: (al.degree(city_matrix()), al.strength(city_matrix())),
        "betweenness": lambda: al.betweenness(city_matrix(), samples=samples, seed=seed),
        "closeness": lambda: al.closeness(city_matrix()),
        "eigenvector": lambda: al.eigenvector(city_matrix()),
        "pagerank": lambda: al.pagerank(city_matrix()),
        "overlap": lambda: network_overlap(state["snap"], with_members=False),
        "louvain": lambda: (communities(state["snap"], "cities", seed=seed),
                            communities(state["snap"], "networks", seed=seed)),
    }


def igraph_steps(pairs: np.ndarray, n_members: int, n_networks: int, city_rows: np.ndarray,
                 sources: list[int] | None, seed: int) -> dict:
    import igraph as ig

    state: dict = {}

    def projections():
        # cities only for the city projection (as citygraph), all members for the networks one
        city_pairs = pairs[np.isin(pairs[:, 0], city_rows)]
        b = ig.Graph.Bipartite([False] * n_members + [True] * n_networks,
                               np.column_stack([city_pairs[:, 0], city_pairs[:, 1] + n_members]).tolist())
        cities, _ = b.bipartite_projection(multiplicity=True)
        full = ig.Graph.Bipartite([False] * n_members + [True] * n_networks,
                                  np.column_stack([pairs[:, 0], pairs[:, 1] + n_members]).tolist())
        _, networks = full.bipartite_projection(multiplicity=True)
        cities = cities.induced_subgraph(city_rows.tolist())
        state.update(cities=cities, networks=networks, full=full)
        return cities, networks

    def overlap():
        net = state["networks"]
        sizes = np.array(state["full"].degree(range(n_members, n_members + n_networks)), dtype=float)
        edges = np.array(net.get_edgelist()).reshape(-1, 2)
        shared = np.array(net.es["weight"], dtype=float)
        a, b = sizes[edges[:, 0]], sizes[edges[:, 1]]
        return shared / (a + b - shared), shared / np.minimum(a, b)

    c = lambda: state["cities"]  # noqa: E731
    return {
        "projections": projections,
        "degree": lambda: (c().degree(), c().strength(weights="weight")),
        "betweenness": lambda: c().betweenness(sources=sources, directed=False),
        "closeness": lambda: c().closeness(),
        "eigenvector": lambda: c().eigenvector_centrality(weights="weight"),
        "pagerank": lambda: c().pagerank(weights="weight"),
        "overlap": overlap,
        "louvain": lambda: (c().community_multilevel(weights="weight"),
                            state["networks"].community_multilevel(weights="weight")),
    }


def networkx_steps(snap, samples: int | None, seed: int) -> dict:
    import networkx as nx

    state: dict = {}

    def projections():
        b = snap.membership_graph()
        cities = [n for n, d in b.nodes(data=True) if d["bipartite"] == 0 and d["kind"] == "city"]
        networks = [n for n, d in b.nodes(data=True) if d["bipartite"] == 1]
        state["b"] = b
        state["networks"] = networks
        state["cities"] = nx.bipartite.weighted_projected_graph(b.subgraph(cities + networks), cities)
        return state["cities"]

    g = lambda: state["cities"]  # noqa: E731
    return {
        "projections": projections,
        "degree": lambda: (dict(g().degree), dict(g().degree(weight="weight"))),
        "betweenness": lambda: nx.betweenness_centrality(g(), k=samples, seed=seed),
        "closeness": lambda: nx.closeness_centrality(g()),
        "eigenvector": lambda: nx.eigenvector_centrality(g(), weight="weight", max_iter=1000),
        "pagerank": lambda: nx.pagerank(g(), weight="weight"),
        "overlap": lambda: nx.bipartite.overlap_weighted_projected_graph(state["b"], state["networks"]),
        "louvain": lambda: nx.community.louvain_communities(g(), weight="weight", seed=seed),
    }


def check(ours: dict, theirs: dict, samples: int | None) -> None:
    """The two suites agree before anything is timed."""
    cities, _ = ours["projections"]()
    ig_cities, _ = theirs["projections"]()
    a = cities.matrix
    assert a.shape[0] == ig_cities.vcount(), "city counts differ"
    assert sorted(al.degree(a).astype(int)) == sorted(ig_cities.degree()), "degrees differ"
    assert sorted(al.strength(a)) == sorted(ig_cities.strength(weights="weight")), "weights differ"
    if samples is None:
        ours_b = sorted(al.betweenness(a, normalized=False))
        theirs_b = sorted(ig_cities.betweenness(directed=False))
        assert np.allclose(ours_b, theirs_b, rtol=1e-9, atol=1e-9), "betweenness differs"
    ours_p = sorted(al.pagerank(a))
    theirs_p = sorted(ig_cities.pagerank(weights="weight"))
    assert np.allclose(ours_p, theirs_p, atol=1e-5), "PageRank differs"


def run_size(size: int, args) -> dict:
    graph = world(size, args.cache)
    t_load, ties = timed(lambda: Ties.load(graph), 1)
    snap = ties.snapshot(None)
    t_edges, _ = timed(lambda: snap.edges, 1)
    b, members, networks = snap.incidence()
    kinds = np.array([snap.kind(m) for m in members])
    city_rows = np.where(kinds == "city")[0]
    coo = b.tocoo()
    pairs = np.column_stack([coo.row, coo.col]).astype(np.int64)
    n_cities = len(city_rows)
    samples = resolve_samples(n_cities, "auto")
    sources = None if samples is None else random.Random(args.seed).sample(range(n_cities), samples)
    ours = citygraph_steps(ties, samples, args.seed)
    theirs = igraph_steps(pairs, len(members), len(networks), city_rows, sources, args.seed)
    check(ours, theirs, samples)
    row = {"size": size, "quads": sum(graph.manifest["triples"].values()), "cities": n_cities,
           "networks": len(networks), "memberships": int(len(pairs)),
           "city_projection_edges": int(snap.adjacency("cities").matrix.nnz // 2),
           "betweenness_samples": samples,
           "betweenness_error": al.sampling_error(n_cities, samples),
           "extract_s": t_load + t_edges, "steps": {}}
    plain = networkx_steps(ties.snapshot(None), samples, args.seed) if args.networkx and size <= 100_000 else None
    for step in ours:
        t_ours, _ = timed(ours[step], args.repeat)
        t_theirs, _ = timed(theirs[step], args.repeat)
        entry = {"citygraph_s": t_ours, "igraph_s": t_theirs, "ratio": t_ours / t_theirs}
        if plain is not None:
            entry["networkx_s"], _ = timed(plain[step], 1)
        row["steps"][step] = entry
        print(f"  {step:12s} citygraph {t_ours:8.3f} s  igraph {t_theirs:8.3f} s  "
              f"ratio {t_ours / t_theirs:6.2f}"
              + (f"  networkx {entry['networkx_s']:8.3f} s" if plain is not None else ""), flush=True)
    row["citygraph_s"] = sum(s["citygraph_s"] for s in row["steps"].values())
    row["igraph_s"] = sum(s["igraph_s"] for s in row["steps"].values())
    row["ratio"] = row["citygraph_s"] / row["igraph_s"]
    if plain is not None:
        row["networkx_s"] = sum(s["networkx_s"] for s in row["steps"].values())
    print(f"  suite: citygraph {row['citygraph_s']:.2f} s, igraph {row['igraph_s']:.2f} s, "
          f"ratio {row['ratio']:.2f}; extraction {row['extract_s']:.2f} s", flush=True)
    return row


def markdown(rows: list[dict], repeat: int) -> str:
    out = ["# Network analysis: citygraph (NetworkX + SciPy sparse) against igraph", "",
           f"Medians of {repeat} run(s); machine: {platform.machine()}, Python {platform.python_version()}. "
           "Ratio = citygraph / igraph (lower is better; the target is ≤ 3 for the whole suite).", "",
           "| quads | cities | networks | city-projection edges | betweenness | extraction s | citygraph s | igraph s | ratio | plain NetworkX s |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        bc = "exact" if r["betweenness_samples"] is None else (
            f"{r['betweenness_samples']} samples, ±{r['betweenness_error']:.3f}")
        nx_s = f"{r['networkx_s']:.2f}" if "networkx_s" in r else "–"
        out.append(f"| {r['quads']:,} | {r['cities']:,} | {r['networks']} | {r['city_projection_edges']:,} | {bc} | "
                   f"{r['extract_s']:.2f} | {r['citygraph_s']:.2f} | {r['igraph_s']:.2f} | {r['ratio']:.2f} | {nx_s} |")
    for r in rows:
        out += ["", f"## {r['quads']:,} quads, per step", "", "| step | citygraph s | igraph s | ratio | plain NetworkX s |",
                "|---|---|---|---|---|"]
        for step, s in r["steps"].items():
            nx_s = f"{s['networkx_s']:.3f}" if "networkx_s" in s else "–"
            out.append(f"| {step} | {s['citygraph_s']:.3f} | {s['igraph_s']:.3f} | {s['ratio']:.2f} | {nx_s} |")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--networkx", action=argparse.BooleanOptionalAction, default=True,
                        help="also time the plain NetworkX calls (10^4 and 10^5 only)")
    parser.add_argument("--cache", type=Path, default=HERE / ".cache")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    try:
        import igraph  # noqa: F401
    except ImportError:
        print("python-igraph is missing: pip install -e '.[bench]'", file=sys.stderr)
        return 2
    rows = []
    for size in args.sizes:
        print(f"world of about {size:,} quads", flush=True)
        rows.append(run_size(size, args))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "analysis.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    (args.out / "analysis.md").write_text(markdown(rows, args.repeat), encoding="utf-8")
    print(f"wrote {args.out / 'analysis.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
