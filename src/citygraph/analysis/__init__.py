"""Network analysis of the graph with NetworkX: who is central, how networks overlap, through
which networks a city reaches whom, and what changed between two dates.

>>> from citygraph.analysis import Ties           # doctest: +SKIP
>>> ties = Ties.load(graph)                        # doctest: +SKIP
>>> snap = ties.snapshot("2024-06-01")             # doctest: +SKIP
>>> centrality(snap, "combined").head()            # doctest: +SKIP
"""

from citygraph.analysis.centrality import MEASURES, centrality, rank_table, scores
from citygraph.analysis.communities import communities
from citygraph.analysis.ego import brokerage, brokerage_summary, ego_graph, ego_network
from citygraph.analysis.overlap import network_overlap, network_sizes, redundancy
from citygraph.analysis.snapshot import GRAPH_NAMES, Snapshot
from citygraph.analysis.ties import Ties, parse_date

__all__ = [
    "GRAPH_NAMES", "MEASURES", "Snapshot", "Ties", "brokerage", "brokerage_summary", "centrality",
    "communities", "ego_graph", "ego_network", "network_overlap", "network_sizes", "parse_date",
    "rank_table", "redundancy", "scores",
]
