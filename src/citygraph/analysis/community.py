"""Communities in the projected graphs: groups of cities (or networks) tied more densely
among themselves than to the rest, found by Louvain modularity optimisation."""

from __future__ import annotations

import networkx as nx
import pandas as pd



def communities(snapshot, graph: str = "cities", resolution: float = 1.0, seed: int = 0) -> pd.DataFrame:
    """Louvain communities of ``graph`` (``cities`` or ``networks``, weighted by what they share).

    Columns ``community`` (1 = largest), ``size``, ``iri``, ``label``, ``kind``; ``attrs`` holds
    the partition's ``modularity``. The same communities as
    ``networkx.community.louvain_communities(G, weight="weight", resolution=resolution, seed=seed)``
    on the graph with nodes in IRI order. A node without ties is a community of its own.
    """
    adj = snapshot.adjacency(graph)
    g = nx.from_scipy_sparse_array(adj.matrix)
    parts = nx.community.louvain_communities(g, weight="weight", resolution=resolution, seed=seed)
    modularity = nx.community.modularity(g, parts, weight="weight", resolution=resolution) if g.number_of_edges() else 0.0
    ordered = sorted(parts, key=lambda c: (-len(c), min(snapshot.label(adj.nodes[i]) for i in c)))
    rows = [{"community": number, "size": len(members), "iri": adj.nodes[i],
             "label": snapshot.label(adj.nodes[i]), "kind": snapshot.kind(adj.nodes[i])}
            for number, members in enumerate(ordered, start=1) for i in members]
    out = pd.DataFrame(rows, columns=["community", "size", "iri", "label", "kind"])
    out = out.sort_values(["community", "label"]).reset_index(drop=True)
    out.attrs.update(graph=graph, resolution=resolution, seed=seed, modularity=modularity,
                     communities=len(parts))
    return out
