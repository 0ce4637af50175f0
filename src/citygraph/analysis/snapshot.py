"""The graph as of one date, for chosen layers: NetworkX graphs and their sparse matrices.

Graph names used everywhere (CLI ``--graph``, API, RDF results):

``membership``
    bipartite: members (cities, organisations; ``bipartite=0``) and the organisations they
    belong to (networks; ``bipartite=1``).
``cities``
    the membership graph projected onto its cities: two cities are joined when they share a
    network, ``weight`` = how many, ``networks`` = which.
``networks``
    projected onto the networks: joined when they share a member, ``weight`` = how many.
``partnerships``
    cities (and the organisations some partnerships name) joined by their partnerships.
``combined``
    every relationship kind at once: memberships, partnerships, agreements, hostings, office
    operations and ownerships; ``weight`` = how many relationships join the pair.

Nodes are IRIs with ``label`` (in the chosen language) and ``kind`` (city, network,
organisation, office, unit, …). Edges of the direct graphs carry ``relationships``, ``kinds``,
``active_from`` (earliest), ``active_until`` (latest, None when one has none), ``sources``,
``layers`` and ``qualifiers`` (roles, partnership kinds).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from citygraph.analysis import algorithms

GRAPH_NAMES = ("membership", "cities", "networks", "partnerships", "combined")
#: the graphs whose nodes get centrality scores
CENTRALITY_GRAPHS = ("cities", "partnerships", "combined", "networks")


@dataclass
class Adjacency:
    """A graph as a symmetric sparse matrix over ``nodes`` (IRIs, in order)."""

    matrix: sp.csr_array
    nodes: list[str]

    def index(self) -> dict[str, int]:
        return {iri: i for i, iri in enumerate(self.nodes)}


class Snapshot:
    """Relationships active on one date in chosen layers; make it with ``Ties.snapshot``."""

    def __init__(self, ties, rels: pd.DataFrame, as_of: date | None, layers: tuple[str, ...] | None):
        self.ties = ties
        self.relationships = rels.reset_index(drop=True)
        self.as_of = as_of
        self.layers = layers
        self.lang = ties.lang

    # ------------------------------------------------------------------ tables
    @cached_property
    def edges(self) -> pd.DataFrame:
        """``rel, kind, a, b, role_a, role_b`` for every active relationship."""
        return self.ties.pairs(self.relationships)

    @cached_property
    def entity(self) -> pd.DataFrame:
        """Entities indexed by IRI: ``kind``, ``label``."""
        return self.ties.entities.set_index("iri")

    def label(self, iri: str) -> str:
        return str(self.entity.at[iri, "label"]) if iri in self.entity.index else iri

    def kind(self, iri: str) -> str:
        return str(self.entity.at[iri, "kind"]) if iri in self.entity.index else "other"

    @cached_property
    def memberships(self) -> pd.DataFrame:
        """``member, network, rel`` for every active membership."""
        m = self.edges[self.edges["kind"] == "membership"]
        return pd.DataFrame({"member": m["a"].to_numpy(), "network": m["b"].to_numpy(),
                             "rel": m["rel"].to_numpy()})

    @cached_property
    def partnerships(self) -> pd.DataFrame:
        return self.edges[self.edges["kind"] == "partnership"]

    # ------------------------------------------------------------------ matrices
    def incidence(self, member_kinds: tuple[str, ...] | None = None) -> tuple[sp.csr_array, list[str], list[str]]:
        """``(B, members, networks)``: B[i, j] = 1 when member i belongs to network j.

        ``member_kinds`` keeps only members of those kinds (``("city",)`` for the city projection).
        """
        m = self.memberships
        if member_kinds is not None:
            kinds = m["member"].map(self.kind)
            m = m[kinds.isin(member_kinds)]
        members = sorted(set(m["member"]))
        networks = sorted(set(self.memberships["network"]))
        mi = {x: i for i, x in enumerate(members)}
        ni = {x: i for i, x in enumerate(networks)}
        b = algorithms.incidence([mi[x] for x in m["member"]], [ni[x] for x in m["network"]],
                                 (len(members), len(networks)))
        return b, members, networks

    def _direct(self, kinds: tuple[str, ...] | None) -> Adjacency:
        e = self.edges if kinds is None else self.edges[self.edges["kind"].isin(kinds)]
        nodes = sorted(set(e["a"]) | set(e["b"]))
        idx = {x: i for i, x in enumerate(nodes)}
        pairs = e[["rel", "a", "b"]].drop_duplicates()
        ia = np.fromiter((idx[x] for x in pairs["a"]), dtype=np.int64, count=len(pairs))
        ib = np.fromiter((idx[x] for x in pairs["b"]), dtype=np.int64, count=len(pairs))
        n = len(nodes)
        upper = sp.coo_array((np.ones(len(pairs)), (np.minimum(ia, ib), np.maximum(ia, ib))),
                             shape=(n, n)).tocsr()
        upper.sum_duplicates()
        return Adjacency(sp.csr_array(upper + upper.T), nodes)

    @cached_property
    def _adjacency(self) -> dict[str, Adjacency]:
        return {}

    def adjacency(self, name: str) -> Adjacency:
        """The weighted adjacency of ``cities``, ``networks``, ``partnerships`` or ``combined``."""
        if name not in self._adjacency:
            if name == "cities":
                b, members, _ = self.incidence(("city",))
                adj = Adjacency(algorithms.project(b), members)
            elif name == "networks":
                b, _, networks = self.incidence()
                adj = Adjacency(algorithms.project(sp.csr_array(b.T)), networks)
            elif name == "partnerships":
                adj = self._direct(("partnership",))
            elif name == "combined":
                adj = self._direct(None)
            else:
                raise ValueError(f"no adjacency for graph {name!r}; use one of {CENTRALITY_GRAPHS}")
            self._adjacency[name] = adj
        return self._adjacency[name]

    # ------------------------------------------------------------------ NetworkX graphs
    def _node_attrs(self, iri: str) -> dict:
        return {"iri": iri, "label": self.label(iri), "kind": self.kind(iri)}

    def _edge_attrs(self, rels: list[str]) -> dict:
        rows = self.relationships.set_index("rel").loc[rels]
        froms = [d for d in rows["active_from"] if d is not None and not pd.isna(d)]
        untils = list(rows["active_until"])
        open_ended = any(d is None or pd.isna(d) for d in untils)
        return {
            "relationships": tuple(rels),
            "kinds": tuple(sorted(set(rows["kind"]))),
            "active_from": min(froms) if froms else None,
            "active_until": None if open_ended or not untils else max(untils),
            "sources": tuple(sorted({s for r in rels for s in self.ties.sources.get(r, ())})),
            "layers": tuple(sorted({x for ls in rows["layers"] for x in ls})),
            "qualifiers": tuple(sorted({q for r in rels for q in self.ties.qualifiers.get(r, ())})),
        }

    def _graph_from_edges(self, e: pd.DataFrame, nodes: list[str]) -> nx.Graph:
        g = nx.Graph(as_of=self.as_of, layers=self.layers)
        g.add_nodes_from((n, self._node_attrs(n)) for n in nodes)
        grouped: dict[tuple[str, str], list[str]] = {}
        for rel, a, b in zip(e["rel"], e["a"], e["b"]):
            key = (a, b) if a < b else (b, a)
            grouped.setdefault(key, [])
            if rel not in grouped[key]:
                grouped[key].append(rel)
        for (a, b), rels in grouped.items():
            g.add_edge(a, b, weight=len(rels), **self._edge_attrs(rels))
        return g

    def membership_graph(self) -> nx.Graph:
        """Bipartite member–network graph (``bipartite`` 0 for members, 1 for networks)."""
        m = self.memberships
        g = nx.Graph(as_of=self.as_of, layers=self.layers)
        networks = set(m["network"])
        for n in sorted(set(m["member"]) | networks):
            g.add_node(n, bipartite=1 if n in networks else 0, **self._node_attrs(n))
        e = m.rename(columns={"member": "a", "network": "b"})
        grouped: dict[tuple[str, str], list[str]] = {}
        for rel, a, b in zip(e["rel"], e["a"], e["b"]):
            grouped.setdefault((a, b), []).append(rel)
        for (a, b), rels in grouped.items():
            g.add_edge(a, b, weight=1, **self._edge_attrs(sorted(set(rels))))
        return g

    def _projection_graph(self, adj: Adjacency, b: sp.csr_array, other: list[str], key: str,
                          transpose: bool) -> nx.Graph:
        g = nx.Graph(as_of=self.as_of, layers=self.layers)
        g.add_nodes_from((n, self._node_attrs(n)) for n in adj.nodes)
        inc = sp.csr_array(b.T if transpose else b)
        upper = sp.triu(adj.matrix, k=1, format="coo")
        for i, j, w in zip(upper.row, upper.col, upper.data):
            ri = inc.indices[inc.indptr[i]:inc.indptr[i + 1]]
            rj = inc.indices[inc.indptr[j]:inc.indptr[j + 1]]
            shared = [other[k] for k in np.intersect1d(ri, rj)]
            g.add_edge(adj.nodes[i], adj.nodes[j], weight=int(w), **{key: tuple(shared)})
        return g

    def city_projection(self) -> nx.Graph:
        """Cities joined by the networks they share (``weight``, ``networks``)."""
        b, _, networks = self.incidence(("city",))
        return self._projection_graph(self.adjacency("cities"), b, networks, "networks", False)

    def network_projection(self) -> nx.Graph:
        """Networks joined by the members they share (``weight``, ``members``)."""
        b, members, _ = self.incidence()
        return self._projection_graph(self.adjacency("networks"), b, members, "members", True)

    def partnership_graph(self) -> nx.Graph:
        """Parties joined by their partnerships."""
        return self._graph_from_edges(self.partnerships, self.adjacency("partnerships").nodes)

    def combined_graph(self) -> nx.Graph:
        """Every relationship kind at once (``weight`` = relationships joining the pair)."""
        return self._graph_from_edges(self.edges, self.adjacency("combined").nodes)

    def graph(self, name: str) -> nx.Graph:
        """The NetworkX graph called ``name`` (see the module docstring)."""
        builders = {"membership": self.membership_graph, "cities": self.city_projection,
                    "networks": self.network_projection, "partnerships": self.partnership_graph,
                    "combined": self.combined_graph}
        if name not in builders:
            raise ValueError(f"unknown graph {name!r}; use one of {', '.join(GRAPH_NAMES)}")
        return builders[name]()
