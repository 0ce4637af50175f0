"""A city's ego network and its brokerage: through which networks it reaches whom.

The ego network is everything within ``radius`` ties of the city in the ``combined`` graph (all
relationship kinds) or any other graph. Brokerage asks, for each network the city belongs to,
which of its co-members the city has *no other tie to*: no shared other network, no
partnership, agreement, hosting, office or ownership. Those cities are what the membership
alone gives access to.
"""

from __future__ import annotations

import networkx as nx
import pandas as pd
from scipy.sparse import csgraph

from citygraph.errors import NotFoundError


def _when(snapshot) -> str:
    return f" on {snapshot.as_of}" if snapshot.as_of else ""


def ego_network(snapshot, city: str, radius: int = 1, graph: str = "combined") -> pd.DataFrame:
    """Everything within ``radius`` ties of ``city``: ``iri, label, kind, distance, kinds,
    relationships`` (the last two for direct neighbours: the kinds and IRIs of the ties).

    Sorted by distance, kind and label.
    """
    adj = snapshot.adjacency(graph)
    index = adj.index()
    if city not in index:
        raise NotFoundError(f"{snapshot.label(city)} has no ties in the {graph} graph{_when(snapshot)}")
    dist = csgraph.dijkstra(adj.matrix, directed=True, unweighted=True, indices=[index[city]],
                            limit=radius)[0]
    e = snapshot.edges
    direct = e[(e["a"] == city) | (e["b"] == city)]
    other = direct["b"].where(direct["a"] == city, direct["a"])
    ties: dict[str, tuple[set, set]] = {}
    for x, kind, rel in zip(other, direct["kind"], direct["rel"]):
        k, r = ties.setdefault(x, (set(), set()))
        k.add(kind)
        r.add(rel)
    rows = []
    for i, d in enumerate(dist):
        if 0 < d <= radius:
            iri = adj.nodes[i]
            kinds, rels = ties.get(iri, (set(), set())) if d == 1 else (set(), set())
            rows.append({"iri": iri, "label": snapshot.label(iri), "kind": snapshot.kind(iri),
                         "distance": int(d), "kinds": tuple(sorted(kinds)),
                         "relationships": tuple(sorted(rels))})
    out = pd.DataFrame(rows, columns=["iri", "label", "kind", "distance", "kinds", "relationships"])
    return out.sort_values(["distance", "kind", "label"]).reset_index(drop=True)


def ego_graph(snapshot, city: str, radius: int = 1, graph: str = "combined") -> nx.Graph:
    """The NetworkX ego graph (``networkx.ego_graph``) of ``city`` in ``graph``."""
    g = snapshot.graph(graph)
    if city not in g:
        raise NotFoundError(f"{snapshot.label(city)} has no ties in the {graph} graph{_when(snapshot)}")
    return nx.ego_graph(g, city, radius=radius)


def brokerage(snapshot, city: str, kinds: tuple[str, ...] | None = ("city",)) -> pd.DataFrame:
    """For each network of ``city``: the co-members (of ``kinds``; None for all) it reaches
    through that network only. One row per (network, member): ``network, network_label,
    iri, label, kind``. A member counts when the city shares no other network with it and has
    no direct tie of any kind to it.
    """
    m = snapshot.memberships.drop_duplicates(["member", "network"])
    mine = set(m.loc[m["member"] == city, "network"])
    if not mine:
        raise NotFoundError(f"{snapshot.label(city)} has no memberships{_when(snapshot)}")
    co = m[m["network"].isin(mine) & (m["member"] != city)]
    shared_count = co.groupby("member")["network"].nunique()
    e = snapshot.edges
    direct = e[((e["a"] == city) | (e["b"] == city)) & (e["kind"] != "membership")]
    tied = set(direct["a"]) | set(direct["b"])
    rows = []
    for net, member in zip(co["network"], co["member"]):
        kind = snapshot.kind(member)
        if shared_count[member] == 1 and member not in tied and (kinds is None or kind in kinds):
            rows.append({"network": net, "network_label": snapshot.label(net), "iri": member,
                         "label": snapshot.label(member), "kind": kind})
    out = pd.DataFrame(rows, columns=["network", "network_label", "iri", "label", "kind"])
    return out.sort_values(["network_label", "label"]).reset_index(drop=True)


def brokerage_summary(snapshot, city: str, kinds: tuple[str, ...] | None = ("city",)) -> pd.DataFrame:
    """Per network of ``city``: ``network, label, reaches`` (co-members of ``kinds``) and
    ``only_through`` (those reached through it alone, see :func:`brokerage`)."""
    m = snapshot.memberships.drop_duplicates(["member", "network"])
    mine = sorted(set(m.loc[m["member"] == city, "network"]), key=snapshot.label)
    detail = brokerage(snapshot, city, kinds)
    co = m[m["network"].isin(mine) & (m["member"] != city)]
    if kinds is not None:
        co = co[co["member"].map(snapshot.kind).isin(kinds)]
    reaches = co.groupby("network").size()
    only = detail.groupby("network").size()
    out = pd.DataFrame({"network": mine, "label": [snapshot.label(x) for x in mine],
                        "reaches": [int(reaches.get(x, 0)) for x in mine],
                        "only_through": [int(only.get(x, 0)) for x in mine]})
    return out.sort_values(["only_through", "label"], ascending=[False, True]).reset_index(drop=True)
