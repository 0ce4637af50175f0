"""Node positions for the network view: computed once over every relationship of all time, so
that nodes stay where they are while the date slider moves, and the browser and the slides
show the same picture.

A graph around one hub (the curated graph: Helsinki and everything tied to it) is radial: the
hub in the middle, its neighbours on a ring grouped by kind, the rest further out.

Otherwise, up to :data:`CORE` nodes, a force-directed layout places everything (NetworkX's Kamada-Kawai
per component up to :data:`KAMADA_KAWAI` nodes, else its spring layout; deterministic). Above that, the :data:`CORE` best-connected nodes are
laid out that way and every other node is put next to what it is tied to: a node tied to one
placed node goes on a ring around it (as members around their network), a node tied to several
at their centre. That keeps a graph of tens of thousands of nodes to a few seconds.

>>> pos = positions(["a", "b", "c"], [("a", "b"), ("a", "c")])
>>> sorted(pos) == ["a", "b", "c"] and all(-100 <= v <= 100 for p in pos.values() for v in p)
True
"""

from __future__ import annotations

import math
import zlib
from collections import defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence

import networkx as nx
import numpy as np

#: up to this many nodes get the force-directed layout; the others are placed by their ties
CORE = 300
#: components up to this size get Kamada-Kawai (balanced, but O(n^2)); larger ones spring layout
KAMADA_KAWAI = 120
#: a node tied to this share of all others makes the layout radial around it
HUB_SHARE = 0.4
#: the radial layout's ring is this many times wider than high
ASPECT = 1.7
#: the order of kinds around a ring
KIND_ORDER = ("city", "network", "organisation", "office", "unit", "country", "region", "other")
#: the layout is scaled into [-SCALE, SCALE]
SCALE = 100.0
_GOLDEN = math.pi * (3 - math.sqrt(5))


def _component(g: nx.Graph, seed: int) -> dict:
    n = g.number_of_nodes()
    if n == 1:
        return {next(iter(g)): np.zeros(2)}
    if n == 2:
        a, b = sorted(g)
        return {a: np.array([-0.5, 0.0]), b: np.array([0.5, 0.0])}
    if n > KAMADA_KAWAI:
        pos = nx.spring_layout(g, seed=seed, iterations=100)
    else:
        start = nx.circular_layout(sorted(g))  # deterministic start (the default uses randomness)
        pos = nx.kamada_kawai_layout(g, pos=start)
    return {k: np.asarray(v, dtype=float) for k, v in pos.items()}


def _force(g: nx.Graph, seed: int = 1) -> dict:
    """Kamada-Kawai per connected component (balanced, hubs in the middle of their spokes);
    the largest component in the middle, the others in a row below it, each scaled to its size."""
    comps = sorted((sorted(c) for c in nx.connected_components(g)), key=lambda c: (-len(c), c[0]))
    pos: dict = {}
    main = _component(g.subgraph(comps[0]), seed)
    pos.update(main)
    if len(comps) == 1:
        return pos
    arr = np.array(list(main.values()))
    lo, hi = arr.min(axis=0), arr.max(axis=0)
    x = lo[0]
    y = lo[1] - 0.25 * (hi[1] - lo[1] or 1)
    for comp in comps[1:]:
        sub = _component(g.subgraph(comp), seed)
        size = 0.12 * (hi[0] - lo[0] or 1) * math.sqrt(len(comp))
        sa = np.array(list(sub.values()))
        slo, shi = sa.min(axis=0), sa.max(axis=0)
        span = float(max(shi - slo)) or 1.0
        for k, v in sub.items():
            pos[k] = np.array([x + (v[0] - slo[0]) / span * size, y - (v[1] - slo[1]) / span * size])
        x += size + 0.05 * (hi[0] - lo[0] or 1)
        if x > hi[0]:
            x = lo[0]
            y -= size * 1.5
    return pos


def _normalise(pos: dict) -> dict[str, tuple[float, float]]:
    if not pos:
        return {}
    arr = np.array(list(pos.values()), dtype=float)
    centre = (arr.max(axis=0) + arr.min(axis=0)) / 2
    span = float(np.abs(arr - centre).max()) or 1.0
    return {n: (float((p[0] - centre[0]) / span * SCALE), float((p[1] - centre[1]) / span * SCALE))
            for n, p in pos.items()}


def _ring_angles(weights: Sequence[float], start: float) -> list[tuple[float, float]]:
    """Wedges around a ring for items of ``weights``: wider near the top and bottom, where
    horizontal labels of neighbours would run into each other, narrower at the sides where
    they stack. Returns ``(lo, hi)`` angles, counter-clockwise from ``start``."""
    grid = np.linspace(0.0, 2 * math.pi, 721)
    density = 1.0 + 3.0 * np.sin(grid + start) ** 2
    cdf = np.concatenate([[0.0], np.cumsum((density[1:] + density[:-1]) / 2 * np.diff(grid))])
    cdf /= cdf[-1]
    bounds = np.concatenate([[0.0], np.cumsum(weights)]) / (sum(weights) or 1.0)
    angles = start + np.interp(bounds, cdf, grid)
    return [(float(angles[i]), float(angles[i + 1])) for i in range(len(weights))]


def _stagger(i: int, n: int, crowded: int) -> float:
    """How much further out the i-th of n nodes on a ring sits: nothing on a quiet ring, two
    alternating distances on a crowded one, three on a very crowded one."""
    if n <= crowded:
        return 0.0
    levels = 3 if n > 2 * crowded else 2
    return 0.25 * (i % levels)


def radial(g: nx.Graph, centre: str, kinds: Mapping[str, str] | None = None) -> dict:
    """``centre`` in the middle, its neighbours on a ring grouped by kind (cities, networks,
    organisations, …), everything further out in the wedge of the neighbour it is reached
    through. The ring is an ellipse :data:`ASPECT` times wider than high (slides are wide);
    on a crowded ring every other node sits a little further out, so labels do not collide.

    Only the component of ``centre`` is placed.
    """
    kinds = kinds or {}
    rank = {k: i for i, k in enumerate(KIND_ORDER)}

    def order(n: str) -> tuple:
        return (rank.get(kinds.get(n, "other"), len(rank)), n)

    children: dict[str, list[str]] = defaultdict(list)
    seen = {centre}
    frontier = [centre]
    while frontier:
        nxt = []
        for p in frontier:
            for c in sorted(g[p], key=order):
                if c not in seen:
                    seen.add(c)
                    children[p].append(c)
                    nxt.append(c)
        frontier = nxt
    weight: dict[str, float] = {}

    def weigh(n: str) -> float:
        weight[n] = 1.0 + 0.5 * sum(weigh(c) for c in children[n])
        return weight[n]

    weigh(centre)
    pos = {centre: np.zeros(2)}
    ring = children[centre]

    def put(n: str, angle: float, radius: float) -> None:
        pos[n] = np.array([ASPECT * radius * math.cos(angle), radius * math.sin(angle)])

    def place(n: str, lo: float, hi: float, depth: int) -> None:
        kids = children[n]
        if not kids:
            return
        # the children fan out over a wedge at least wide enough for them
        angle = (lo + hi) / 2
        span = max(hi - lo, min(len(kids) * 0.09, math.pi * 0.6))
        start = angle - span / 2
        total = sum(weight[c] for c in kids)
        for i, c in enumerate(kids):
            width = span * weight[c] / total
            put(c, start + width / 2, depth + 0.95 + _stagger(i, len(kids), 8))
            place(c, start, start + width, depth + 1)
            start += width

    wedges = _ring_angles([weight[n] for n in ring], -math.pi / 2)
    for i, (n, (lo, hi)) in enumerate(zip(ring, wedges)):
        put(n, (lo + hi) / 2, 1.0 + _stagger(i, len(ring), 14))
        place(n, lo, hi, 1)
    return pos


def find_hub(g: nx.Graph) -> str | None:
    """The node tied to at least :data:`HUB_SHARE` of all others in a graph of at most
    :data:`CORE` nodes (Helsinki in its own curated graph), or None."""
    n = g.number_of_nodes()
    if n < 4 or n > CORE:
        return None
    best = max(g, key=lambda x: (g.degree(x), x))
    return best if g.degree(best) >= HUB_SHARE * (n - 1) else None


def positions(nodes: Sequence[str], pairs: Iterable[tuple[str, str]], seed: int = 1,
              kinds: Mapping[str, str] | None = None) -> dict[str, tuple[float, float]]:
    """``{node: (x, y)}`` in ``[-SCALE, SCALE]`` for ``nodes`` joined by ``pairs``.

    A graph around one hub (:func:`find_hub`) gets the :func:`radial` layout around it (``kinds``
    groups the ring); other graphs a force-directed one.
    """
    g = nx.Graph()
    g.add_nodes_from(sorted(nodes))
    g.add_edges_from((a, b) for a, b in pairs if a != b)
    if g.number_of_nodes() == 0:
        return {}
    centre = find_hub(g)
    if centre is not None:
        pos = radial(g, centre, kinds)
        rest = [n for n in g if n not in pos]
        if rest:
            _beside(g, pos, rest, seed, 1.0)
        return _normalise(pos)
    if g.number_of_nodes() <= CORE:
        return _normalise(_force(g, seed))
    degree = dict(g.degree())
    core = sorted(g, key=lambda n: (-degree[n], n))[:CORE]
    pos = _force(g.subgraph(core), seed)
    # spread of the core: the typical distance between tied core nodes sets the ring sizes
    lengths = [np.linalg.norm(pos[a] - pos[b]) for a, b in g.subgraph(core).edges()]
    unit = float(np.median(lengths)) if lengths else 1.0
    rings: dict[str, int] = defaultdict(int)
    queue = deque(sorted(core, key=lambda n: (-degree[n], n)))
    placed = set(core)
    while queue:
        hub = queue.popleft()
        for n in sorted(g[hub], key=lambda n: (-degree[n], n)):
            if n in placed:
                continue
            anchors = [pos[m] for m in g[n] if m in placed]
            if len(anchors) == 1:  # on a golden-angle spiral around its one placed neighbour
                k = rings[hub]
                rings[hub] += 1
                r = unit * (0.35 + 0.12 * math.sqrt(k))
                turn = k * _GOLDEN + zlib.crc32(hub.encode()) % 628 / 100  # each hub's own phase
                pos[n] = pos[hub] + r * np.array([math.cos(turn), math.sin(turn)])
            else:
                angle = zlib.crc32(n.encode()) % 360 * math.pi / 180  # stable, unlike hash()
                pos[n] = np.mean(anchors, axis=0) + unit * 0.15 * np.array([math.cos(angle), math.sin(angle)])
            placed.add(n)
            queue.append(n)
    rest = [n for n in g if n not in placed]
    if rest:  # components not reached from the core: their own layout, beside it
        _beside(g, pos, rest, seed, unit)
    return _normalise(pos)


def _beside(g: nx.Graph, pos: dict, rest: list[str], seed: int, unit: float) -> None:
    """Lay out the nodes ``rest`` (components apart from the main one) to the right of ``pos``:
    each component on its own, packed in rows (often thousands of isolated pairs of twin towns)."""
    arr = np.array(list(pos.values()))
    x0 = arr[:, 0].max() + unit * 2
    height = float(arr[:, 1].max() - arr[:, 1].min()) or unit * 4
    width = max(height, unit * 4)
    y_top = float(arr[:, 1].max())
    comps = sorted((sorted(c) for c in nx.connected_components(g.subgraph(rest))), key=lambda c: (-len(c), c[0]))
    x, y, row = x0, y_top, 0.0
    for comp in comps:
        size = unit * 0.8 * math.sqrt(len(comp))
        if x + size > x0 + width and x > x0:
            x, y, row = x0, y - row - unit * 0.4, 0.0
        if len(comp) <= 12:
            local = {n: np.asarray(p, dtype=float) for n, p in nx.circular_layout(comp).items()}
        else:
            local = _force(g.subgraph(comp), seed)
        pts = np.array(list(local.values()))
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        span = float(max(hi - lo)) or 1.0
        for n, p in local.items():
            pos[n] = np.array([x + (p[0] - lo[0]) / span * size, y - (p[1] - lo[1]) / span * size])
        x += size + unit * 0.4
        row = max(row, size)