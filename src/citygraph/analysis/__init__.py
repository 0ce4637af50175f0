"""Network analysis of the graph with NetworkX: who is central, how networks overlap, through
which networks a city reaches whom, and what changed between two dates.

For notebooks, every analysis is a function returning a pandas DataFrame::

    from citygraph.analysis import Ties, centrality, network_overlap
    ties = Ties.load(graph)                 # graph = CityGraph.open(Settings.from_env())
    snap = ties.snapshot("2024-06-01")      # active on that date, all layers
    centrality(snap, "combined")            # rank table
    network_overlap(snap)                   # pairs of networks and what they share
    snap.graph("cities")                    # the NetworkX graph itself

Names are imported on first use, so ``citygraph --help`` does not load pandas or SciPy.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "MEASURES": "centralities", "centrality": "centralities", "rank_table": "centralities",
    "scores": "centralities",
    "communities": "community",
    "Comparison": "comparison", "compare": "comparison", "rank_changes": "comparison",
    "relationship_changes": "comparison",
    "brokerage": "ego", "brokerage_summary": "ego", "ego_graph": "ego", "ego_network": "ego",
    "network_overlap": "overlap", "network_sizes": "overlap", "redundancy": "overlap",
    "ANALYSES": "reports", "Report": "reports", "run": "reports", "ties_for": "reports",
    "GRAPH_NAMES": "snapshot", "Snapshot": "snapshot",
    "Ties": "ties", "parse_date": "ties",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        module = importlib.import_module(f"citygraph.analysis.{_EXPORTS[name]}")
        return getattr(module, name)
    raise AttributeError(f"module 'citygraph.analysis' has no attribute {name!r}")
