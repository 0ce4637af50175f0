"""Files for Gephi and other network tools (``citygraph export --format gexf|graphml``).

Every relationship of all time is one edge (a multigraph: two cities can share a partnership
and an agreement), with its kind, status, layers, sources and the derived dates. In GEXF the
dates are Gephi time intervals (dynamic mode, ``timeformat="date"``): an edge's interval runs
from ``cg:activeFrom`` to the day before ``cg:activeUntil`` (GEXF intervals include both ends;
``activeUntil`` is the first day it is no longer active), open when nothing ended it; a node's
spells are the union of its relationships' intervals. A relationship without ``cg:activeFrom``
(no dated source) gets no interval and ``dated = false``: Gephi shows undated elements at every
time, the graph's definition never. Positions and colours are the network map's.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, timedelta

import networkx as nx

from citygraph.graph import CityGraph
from citygraph.viz import payload

FORMATS = ("gexf", "graphml")
COLOURS = {"city": (31, 111, 180), "network": (224, 123, 0), "organisation": (46, 158, 79),
           "office": (138, 92, 194), "unit": (107, 119, 133)}


def _word(labels: dict | None, lang: str) -> str | None:
    return (labels.get(lang) or labels.get("en")) if labels else None


def _last_day(until: str | None) -> str | None:
    return (date.fromisoformat(until) - timedelta(days=1)).isoformat() if until else None


def spells(intervals: Sequence[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
    """The union of closed intervals ``(start, end)`` (``end`` None = open), as sorted spells.

    >>> spells([("2019-01-01", "2019-12-31"), ("2019-06-01", None), ("2008-01-01", "2008-12-31")])
    [('2008-01-01', '2008-12-31'), ('2019-01-01', None)]
    >>> spells([("2019-01-01", "2019-12-31"), ("2020-01-01", "2020-06-30")])
    [('2019-01-01', '2020-06-30')]
    """
    out: list[list] = []
    for start, end in sorted(intervals, key=lambda s: s[0]):
        if out:
            last_end = out[-1][1]
            touching = last_end is None or date.fromisoformat(start) <= date.fromisoformat(last_end) + timedelta(days=1)
            if touching:
                if last_end is not None and (end is None or end > last_end):
                    out[-1][1] = end
                continue
        out.append([start, end])
    return [(s, e) for s, e in out]


def to_networkx(graph: CityGraph, lang: str = "en", layers: Sequence[str] | None = None,
                data: dict | None = None) -> nx.MultiGraph:
    """Every node and relationship as a NetworkX multigraph with Gephi's attributes."""
    data = data if data is not None else payload.build(graph, layers, with_centrality=False)
    g = nx.MultiGraph(mode="dynamic", name="citygraph")
    intervals: dict[int, list[tuple[str, str | None]]] = {}
    for r, a, b in data["edges"]:
        rel = data["relationships"][r]
        if rel["from"]:
            for node in (a, b):
                intervals.setdefault(node, []).append((rel["from"], _last_day(rel["until"])))
    for i, node in enumerate(data["nodes"]):
        attrs = {
            "label": node["label"].get(lang) or node["label"].get("en") or node["id"],
            "iri": node["id"], "kind": node["kind"],
            **{f"label_{code}": node["label"].get(code) or node["label"]["en"] for code in ("en", "fi", "sv")},
            "country": node["country"] or "",
            "viz": {"position": {"x": float(node["x"]), "y": float(node["y"]), "z": 0.0},
                    "color": dict(zip("rgb", COLOURS.get(node["kind"], (154, 165, 177))), a=1.0),
                    "size": 5.0},
        }
        if node["lat"] is not None:
            attrs["latitude"] = float(node["lat"])
            attrs["longitude"] = float(node["lon"])
        if i in intervals:
            attrs["spells"] = spells(intervals[i])
        g.add_node(node["id"], **attrs)
    for r, a, b in data["edges"]:
        if a == b:
            continue
        rel = data["relationships"][r]
        source_titles = [data["sources"][s]["title"] for s in rel["sources"]]
        attrs = {
            "label": _word(data["words"]["kinds"].get(rel["kind"]), lang) or rel["kind"],
            "iri": rel["id"], "kind": rel["kind"], "status": rel["status"] or "",
            "layers": " | ".join(rel["layers"]), "sources": " | ".join(source_titles),
            "activeFrom": rel["from"] or "", "activeUntil": rel["until"] or "",
            "dated": bool(rel["from"]),
        }
        if rel["from"]:
            attrs["start"] = rel["from"]
            end = _last_day(rel["until"])
            if end:
                attrs["end"] = end
        g.add_edge(data["nodes"][a]["id"], data["nodes"][b]["id"], key=rel["id"], **attrs)
    return g


def export(graph: CityGraph, fmt: str = "gexf", lang: str = "en",
           layers: Sequence[str] | None = None) -> bytes:
    """The graph as GEXF 1.2 (dynamic) or GraphML bytes."""
    from citygraph.errors import QueryError  # noqa: PLC0415

    if fmt not in FORMATS:
        raise QueryError(f"format {fmt!r}: use one of {', '.join(FORMATS)}")
    g = to_networkx(graph, lang, layers)
    buffer = io.BytesIO()
    if fmt == "gexf":
        nx.write_gexf(g, buffer, version="1.2draft")
    else:
        plain = nx.MultiGraph(name="citygraph")
        for node, attrs in g.nodes(data=True):
            plain.add_node(node, **{k: v for k, v in attrs.items() if k not in ("viz", "spells")},
                           x=attrs["viz"]["position"]["x"], y=attrs["viz"]["position"]["y"])
        for a, b, key, attrs in g.edges(keys=True, data=True):
            plain.add_edge(a, b, key=key, **{k: v for k, v in attrs.items() if k not in ("start", "end")})
        nx.write_graphml(plain, buffer)
    return buffer.getvalue()
