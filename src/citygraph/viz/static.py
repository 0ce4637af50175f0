"""Pictures for slides and reports (``citygraph map --format png|svg|pdf``): the network, a
city's ego network, the overlap of networks and the geographic map, each 16:9 with a title,
the as-of date, a legend and a source line, drawn with matplotlib.

The network view uses the positions of the interactive map (:mod:`citygraph.viz.layout`), the
geographic view the bundled Natural Earth outlines (:mod:`citygraph.viz.world`). The title is
also written into the file's metadata (PNG ``Title``, SVG ``<dc:title>``, PDF ``/Title``).
"""

from __future__ import annotations

import functools
import io
import math
import textwrap
import weakref
from collections.abc import Sequence
from datetime import date

import matplotlib

matplotlib.use("Agg", force=False)

from matplotlib.collections import LineCollection, PatchCollection, PolyCollection  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import PathPatch  # noqa: E402
from matplotlib.path import Path  # noqa: E402
import numpy as np  # noqa: E402

from citygraph.analysis.centralities import MEASURES, scores  # noqa: E402
from citygraph.analysis.ties import Ties  # noqa: E402
from citygraph.errors import NotFoundError, QueryError  # noqa: E402
from citygraph.graph import CityGraph  # noqa: E402
from citygraph.namespaces import GRAPH  # noqa: E402
from citygraph.viz import layout, payload, world, words  # noqa: E402
from citygraph.viz.scene import Scene  # noqa: E402

VIEWS = ("network", "ego", "overlap", "geo")
FORMATS = ("png", "svg", "pdf")
SIZE = (40 / 3, 7.5)  # inches: 16:9, 2000 x 1125 pixels at 150 dpi
DPI = 150
INK, MUTED, LINE = "#1d2329", "#5b6670", "#d9dee3"
NODE_COLOURS = {"city": "#1f6fb4", "network": "#e07b00", "organisation": "#2e9e4f", "office": "#8a5cc2",
                "unit": "#6b7785"}
EDGE_COLOURS = {"partnership": "#1f6fb4", "membership": "#e9a04a", "agreement": "#119c9c",
                "hosting": "#2e9e4f", "office-operation": "#8a5cc2", "ownership": "#8c6d3f"}
PALETTE = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6",
           "#9a6324", "#469990", "#800000", "#808000", "#000075"]
ADDED, ENDED = "#1a9641", "#d7191c"
#: behind labels: a light box rather than a stroke (a stroke turns SVG text into outlines)
HALO_BOX = {"boxstyle": "round,pad=0.12", "facecolor": "white", "edgecolor": "none", "alpha": 0.8}

matplotlib.rcParams.update({"svg.fonttype": "none", "pdf.fonttype": 42,
                            "font.family": "DejaVu Sans"})


def _pale(hex_colour: str, t: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(c + (255 - c) * t):02x}" for c in (r, g, b))


_read_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _read(graph: CityGraph, layers: Sequence[str] | None) -> tuple[Ties, tuple[str, ...] | None, dict]:
    """Relationships and payload of ``graph`` once per graph and layers (a built graph never
    changes; the server swaps in a new object on reload)."""
    per_graph = _read_cache.setdefault(graph, {})
    key = tuple(sorted(layers)) if layers else None
    if key not in per_graph:
        ties = Ties.load(graph)
        chosen = ties.check_layers(layers)
        per_graph[key] = (ties, chosen, payload.build(graph, chosen, with_centrality=False, ties=ties))
    return per_graph[key]


class Picture:
    """The data and words one picture needs: payload, scene, language, layers."""

    def __init__(self, graph: CityGraph, as_of: date, lang: str, layers: Sequence[str] | None,
                 compare: date | None = None) -> None:
        self.graph = graph
        self.lang = lang
        self.words = words.text(lang)
        self.ties, self.layers, self.data = _read(graph, layers)
        self.as_of = as_of
        self.compare = compare
        self.scene = Scene.of(self.data, as_of, compare)

    # ---------------------------------------------------------------- words
    def word(self, group: str, key: str) -> str:
        value = self.data["words"][group].get(key)
        if isinstance(value, dict):
            return value.get(self.lang) or value.get("en") or key
        return value or key

    def label(self, node: int) -> str:
        return self.scene.label(node, self.lang)

    def source_line(self, scene: Scene) -> str:
        layers = sorted({layer for r in scene.rels for layer in self.data["relationships"][r]["layers"]})
        licences = []
        try:
            from citygraph.layers.registry import by_graph  # noqa: PLC0415
        except ImportError:  # pragma: no cover
            by_graph = None
        for layer in layers:
            info = by_graph(GRAPH + layer) if by_graph else None
            label = info.licence_label if info is not None else "CC BY 4.0"
            if label not in licences:
                licences.append(label)
        line = self.words["source_line"].format(layers=", ".join(layers) or "—",
                                                n=len(scene.sources()),
                                                licence="; ".join(licences) or "CC BY 4.0")
        return f"{line} {self.words['generated']} {date.today().isoformat()}."

    def subtitle(self, extra: str = "") -> str:
        text = f"{self.words['as_of']} {self.as_of.isoformat()}"
        if self.compare and self.compare != self.as_of:
            a, b = sorted((self.compare, self.as_of))
            text += f" · {self.words['compare_with'].lower()} {a.isoformat()}"
            del b
        return text + (f" · {extra}" if extra else "")

    # ---------------------------------------------------------------- frame
    def figure(self, title: str, subtitle: str, scene: Scene) -> tuple[Figure, object, object]:
        fig = Figure(figsize=SIZE, dpi=DPI, facecolor="white")
        FigureCanvasAgg(fig)  # a renderer to measure labels with (savefig picks the format's own)
        fig.text(0.03, 0.955, title, fontsize=24, weight="bold", color=INK, va="top")
        fig.text(0.03, 0.885, subtitle, fontsize=13.5, color=MUTED, va="top")
        fig.text(0.03, 0.022, self.source_line(scene), fontsize=9, color=MUTED, va="bottom")
        ax = fig.add_axes((0.02, 0.07, 0.74, 0.79))
        ax.set_axis_off()
        legend_ax = fig.add_axes((0.765, 0.07, 0.22, 0.79))
        legend_ax.set_axis_off()
        fig._citygraph_title = title  # noqa: SLF001 - read back by save()
        return fig, ax, legend_ax

    def edge_style(self, rel: dict, change: str) -> tuple[str, float, str]:
        colour = EDGE_COLOURS.get(rel["kind"], "#888888")
        width = 2.2 if rel["kind"] in ("partnership", "agreement") else 1.2
        style = "-"
        if rel.get("status") == "ended":
            colour, style = _pale(colour, 0.35), (0, (4, 2))
        if change == "new":
            colour, width, style = ADDED, width + 1.2, "-"
        elif change == "gone":
            colour, width, style = ENDED, width + 0.6, (0, (4, 2))
        return colour, width, style

    def legend(self, ax, scene: Scene, nodes: bool = True, extra: Sequence = ()) -> None:  # noqa: ANN001
        handles = []
        if nodes:
            for kind in sorted({self.data["nodes"][i]["kind"] for i in scene.nodes}):
                ring = kind == "network"
                handles.append(Line2D([], [], linestyle="", marker="s" if kind in ("office", "unit") else "o",
                                      markersize=10, markerfacecolor="white" if ring else NODE_COLOURS.get(kind, "#9aa5b1"),
                                      markeredgecolor=NODE_COLOURS.get(kind, "#9aa5b1") if ring else "white",
                                      markeredgewidth=2.2 if ring else 1, label=self.word("node_kinds", kind)))
        kinds = sorted({self.data["relationships"][r]["kind"] for r in scene.rels})
        for kind in kinds:
            if kind == "membership" and not nodes:
                continue
            handles.append(Line2D([], [], color=EDGE_COLOURS.get(kind, "#888"), linewidth=2.5,
                                  label=self.word("kinds", kind)))
        if any(self.data["relationships"][r].get("status") == "ended" for r in scene.rels):
            handles.append(Line2D([], [], color=_pale(EDGE_COLOURS["partnership"], 0.35), linewidth=2.5,
                                  linestyle=(0, (4, 2)), label=self.words["ended_later"]))
        changes = set(scene.rels.values())
        if self.compare and self.compare != self.as_of:
            a, b = sorted((self.compare, self.as_of))
            added = sum(1 for c in scene.rels.values() if c == "new")
            ended = sum(1 for c in scene.rels.values() if c == "gone")
            between = {"a": a.isoformat(), "b": b.isoformat()}
            handles.append(Line2D([], [], color=ADDED, linewidth=3.5,
                                  label=self.words["added_between"].format(**between) + f" ({added})"))
            handles.append(Line2D([], [], color=ENDED, linewidth=3, linestyle=(0, (4, 2)),
                                  label=self.words["ended_between"].format(**between) + f" ({ended})"))
        del changes
        handles.extend(extra)
        for h in handles:
            h.set_label(textwrap.fill(h.get_label(), 27))
        leg = ax.legend(handles=handles, loc="upper left", frameon=False, fontsize=11.5,
                        title=self.words["legend"], title_fontsize=12.5, alignment="left",
                        handlelength=2.2, labelspacing=0.55, borderaxespad=0)
        leg.get_title().set_weight("bold")


# ------------------------------------------------------------------ network and ego views

def _draw_graph(pic: Picture, ax, scene: Scene, pos: dict[int, tuple[float, float]],  # noqa: ANN001
                sizes: dict[int, float], label_all: bool) -> None:
    data = pic.data
    groups: dict[tuple, list] = {}
    for r, a, b, change in scene.edges():
        if a not in pos or b not in pos:
            continue
        style = pic.edge_style(data["relationships"][r], change)
        groups.setdefault(style, []).append([pos[a], pos[b]])
    for (colour, width, style), segments in sorted(groups.items(), key=lambda kv: kv[0][0] in (ADDED, ENDED)):
        ax.add_collection(LineCollection(segments, colors=colour, linewidths=width, linestyles=[style],
                                         alpha=0.9, zorder=1, capstyle="round"))
    shown = [i for i in scene.nodes if i in pos]
    for kind in sorted({data["nodes"][i]["kind"] for i in shown}):
        members = [i for i in shown if data["nodes"][i]["kind"] == kind]
        xy = np.array([pos[i] for i in members])
        s = np.array([sizes.get(i, 6.0) ** 2 for i in members])
        colour = NODE_COLOURS.get(kind, "#9aa5b1")
        if kind == "network":
            ax.scatter(xy[:, 0], xy[:, 1], s=s, facecolors="white", edgecolors=colour, linewidths=2.6, zorder=3)
        else:
            ax.scatter(xy[:, 0], xy[:, 1], s=s, c=colour, marker="s" if kind in ("office", "unit") else "o",
                       edgecolors="white", linewidths=1.0, zorder=3)
    if not shown:
        return
    xs = [pos[i][0] for i in shown]
    middle = (min(xs) + max(xs)) / 2
    _fit(ax, [pos[i] for i in shown], margin_x=0.2, margin_y=0.06)
    ranked = sorted(shown, key=lambda i: -sizes.get(i, 0))
    named = ranked if label_all or len(ranked) <= 70 else ranked[:30]
    fontsize = 11 if len(named) <= 40 else 9.5 if len(named) <= 70 else 8.5
    marks = [(pos[i][0], pos[i][1], sizes.get(i, 6.0) / 2) for i in shown]
    place_labels(ax, [(pos[i][0], pos[i][1], _two_lines(pic.label(i)), sizes.get(i, 6.0) / 2,
                       pos[i][0] < middle - 1e-9) for i in named], marks, fontsize)


def place_labels(ax, items, marks, fontsize: float, inside_axes: bool = False) -> None:  # noqa: ANN001
    """Labels next to their points without running into each other or into other points.

    ``items``: ``(x, y, text, radius in points, on the left)``, most important first; ``marks``:
    ``(x, y, radius in points)`` of everything drawn. Each label tries its outer side, then a
    little above or below it, then above, below and the inner side; one that fits nowhere goes
    to its outer side all the same (the rare crowded corner), or, with ``inside_axes`` (labels
    must stay on the map), is left out.
    """
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    scale = fig.dpi / 72
    to_px = ax.transData.transform
    blocked = []
    for x, y, r in marks:
        px, py = to_px((x, y))
        rr = r * scale
        blocked.append((px - rr, py - rr, px + rr, py + rr))
    taken: list[tuple[float, float, float, float]] = []
    fig_box = ax.bbox if inside_axes else fig.bbox
    for x, y, text, radius, left in items:
        pad = radius + 3.5
        side = -1 if left else 1
        ha_out, ha_in = ("right", "left") if left else ("left", "right")
        candidates = [(side * pad, 0, ha_out, "center"), (side * pad, fontsize * 0.9, ha_out, "center"),
                      (side * pad, -fontsize * 0.9, ha_out, "center"), (0, pad, "center", "bottom"),
                      (0, -pad, "center", "top"), (-side * pad, 0, ha_in, "center"),
                      (side * pad, fontsize * 1.8, ha_out, "center"), (side * pad, -fontsize * 1.8, ha_out, "center")]
        chosen = None
        for dx, dy, ha, va in candidates:
            label = ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                                fontsize=fontsize, color=INK, bbox=HALO_BOX, zorder=4, annotation_clip=False)
            box = label.get_window_extent(renderer)
            b = (box.x0 - 2, box.y0 - 1, box.x1 + 2, box.y1 + 1)
            own = to_px((x, y))
            inside = fig_box.x0 <= b[0] and b[2] <= fig_box.x1 and fig_box.y0 <= b[1] and b[3] <= fig_box.y1
            clash = any(b[0] < o[2] and b[2] > o[0] and b[1] < o[3] and b[3] > o[1] for o in taken) or any(
                b[0] < o[2] and b[2] > o[0] and b[1] < o[3] and b[3] > o[1]
                and not (o[0] <= own[0] <= o[2] and o[1] <= own[1] <= o[3]) for o in blocked)
            if inside and not clash:
                chosen = b
                break
            label.remove()
        if chosen is None and inside_axes:
            continue
        if chosen is None:
            dx, dy, ha, va = candidates[0]
            label = ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                                fontsize=fontsize, color=INK, bbox=HALO_BOX, zorder=4, annotation_clip=False)
            box = label.get_window_extent(renderer)
            chosen = (box.x0, box.y0, box.x1, box.y1)
        taken.append(chosen)


def _two_lines(label: str, width: int = 26) -> str:
    """A long name on two lines (slides have no room for 50 characters on one)."""
    if len(label) <= width + 4:
        return label
    lines = textwrap.wrap(label, width)
    return lines[0] + ("\n" + " ".join(lines[1:]) if len(lines) > 1 else "")


def _fit(ax, points, margin_x: float, margin_y: float) -> None:  # noqa: ANN001
    arr = np.array(points, dtype=float)
    x0, y0 = arr.min(axis=0)
    x1, y1 = arr.max(axis=0)
    w = max(x1 - x0, 1e-6)
    h = max(y1 - y0, 1e-6)
    ax.set_xlim(x0 - w * margin_x, x1 + w * margin_x)
    ax.set_ylim(y0 - h * margin_y, y1 + h * margin_y)


def _sizes(pic: Picture, scene: Scene, measure: str, nodes: Sequence[int]) -> tuple[dict[int, float], dict[int, float]]:
    """Marker sizes (points) by ``measure`` on the scene's date, and the raw values."""
    if measure not in MEASURES:
        raise QueryError(f"measure {measure!r}: use one of {', '.join(MEASURES)}")
    snap = pic.ties.snapshot(pic.as_of, pic.layers)
    values: dict[int, float] = {}
    if len(snap.relationships):
        table = scores(snap, "combined")
        index = {n["id"]: i for i, n in enumerate(pic.data["nodes"])}
        values = {index[iri]: float(v) for iri, v in zip(table["iri"], table[measure]) if iri in index}
    top = max([values.get(i, 0.0) for i in nodes] or [0.0]) or 1.0
    return {i: 7 + 26 * math.sqrt(values.get(i, 0.0) / top) for i in nodes}, values


def network_figure(pic: Picture, measure: str = "degree") -> Figure:
    scene = pic.scene
    pos = {i: (n["x"], n["y"]) for i, n in enumerate(pic.data["nodes"])}
    sizes, _ = _sizes(pic, scene, measure, list(scene.nodes))
    w = pic.words
    fig, ax, legend_ax = pic.figure(w["network_title"], pic.subtitle(
        f"{len(scene.nodes)} {w['nodes']}, {sum(1 for c in scene.rels.values() if c != 'gone')} "
        f"{w['relationships_active']}"), scene)
    _draw_graph(pic, ax, scene, pos, sizes, label_all=False)
    pic.legend(legend_ax, scene, extra=[Line2D([], [], linestyle="", label=f"{w['size_by']}: {w['measure_' + measure]}")])
    return fig


def ego_figure(pic: Picture, city: str, measure: str = "degree") -> Figure:
    index = {n["id"]: i for i, n in enumerate(pic.data["nodes"])}
    iri = pic.graph.resolve(city)
    if iri not in index:
        raise NotFoundError(f"{city!r} has no relationships in the chosen layers")
    centre = index[iri]
    scene = Scene.of(pic.data, pic.as_of, pic.compare, ego=centre)
    import networkx as nx  # noqa: PLC0415

    g = nx.Graph()
    g.add_nodes_from(str(i) for i in scene.nodes)
    g.add_edges_from((str(a), str(b)) for _r, a, b, _c in scene.edges())
    kinds = {str(i): pic.data["nodes"][i]["kind"] for i in scene.nodes}
    radial = layout.radial(g, str(centre), kinds)
    pos = {int(k): (float(v[0]), float(v[1])) for k, v in radial.items()}
    sizes, _ = _sizes(pic, scene, measure, list(scene.nodes))
    w = pic.words
    title = w["ego_title"].format(city=pic.label(centre))
    fig, ax, legend_ax = pic.figure(title, pic.subtitle(
        f"{len(scene.nodes) - 1} {w['nodes']}, {sum(1 for c in scene.rels.values() if c != 'gone')} "
        f"{w['relationships_active']}"), scene)
    _draw_graph(pic, ax, scene, pos, sizes, label_all=True)
    pic.legend(legend_ax, scene, extra=[Line2D([], [], linestyle="", label=f"{w['size_by']}: {w['measure_' + measure]}")])
    return fig


# ------------------------------------------------------------------ overlap

def overlap_figure(pic: Picture, limit: int = 25) -> Figure:
    scene = pic.scene
    members = scene.memberships()
    nets = sorted(members, key=lambda n: (-len(members[n]), pic.label(n)))[:limit]
    w = pic.words
    fig, ax, legend_ax = pic.figure(w["overlap_title"], pic.subtitle(
        f"{w['networks_word']}: {len(nets)}, {w['members_word']}: "
        f"{len(set().union(*members.values())) if members else 0}"), scene)
    ax.set_axis_on()
    if not nets:
        ax.text(0.5, 0.5, w["no_memberships"], ha="center", va="center", fontsize=14, color=MUTED,
                transform=ax.transAxes)
        ax.set_axis_off()
        return fig
    n = len(nets)
    shared = np.array([[len(members[a] & members[b]) for b in nets] for a in nets], dtype=float)
    off = shared.copy()
    np.fill_diagonal(off, np.nan)
    top = np.nanmax(off) if n > 1 and not np.all(np.isnan(off)) else 1.0
    ax.imshow(np.ma.masked_invalid(off), cmap="Blues", vmin=0, vmax=max(top, 1.0), aspect="auto")
    ax.imshow(np.ma.masked_where(~np.eye(n, dtype=bool), np.ones((n, n))), cmap="Greys", vmin=0,
              vmax=5, aspect="auto")
    fontsize = 11 if n <= 12 else 9 if n <= 20 else 7.5
    for i in range(n):
        for j in range(n):
            value = int(shared[i, j])
            dark = i != j and top and value / top > 0.6
            ax.text(j, i, str(value), ha="center", va="center", fontsize=fontsize,
                    color="white" if dark else INK, weight="bold" if i == j else "normal")
    labels = [pic.label(x) for x in nets]
    short = [x if len(x) <= 24 else x[:23] + "…" for x in labels]
    ax.set_xticks(range(n), labels=short, rotation=40, ha="right", rotation_mode="anchor", fontsize=fontsize)
    ax.set_yticks(range(n), labels=labels, fontsize=fontsize)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_position((0.33, 0.24, 0.40, 0.62) if n > 8 else (0.33, 0.30, 0.36, 0.55))
    legend_ax.text(0, 1, textwrap.fill(w["overlap_help"], 30), va="top", fontsize=11.5, color=INK)
    return fig


# ------------------------------------------------------------------ geographic

def _arc(a: tuple[float, float], b: tuple[float, float]) -> Path:
    (x0, y0), (x1, y1) = a, b
    dx, dy = x1 - x0, y1 - y0
    length = math.hypot(dx, dy) or 1.0
    nx_, ny_ = -dy / length, dx / length
    if ny_ < 0:  # bend towards the top
        nx_, ny_ = -nx_, -ny_
    bend = 0.22 * length
    control = ((x0 + x1) / 2 + nx_ * bend, (y0 + y1) / 2 + ny_ * bend)
    return Path([a, control, b], [Path.MOVETO, Path.CURVE3, Path.CURVE3])


@functools.lru_cache(maxsize=2)
def _world_rings(scale: str) -> list[np.ndarray]:
    """Country rings, projected; rings that cross the antimeridian are unwrapped (east of 180°)."""
    rings = []
    for _name, country in world.countries(scale):
        for ring in country:
            lon = ring[:, 0]
            if np.any(np.abs(np.diff(lon)) > 180):
                lon = np.where(lon < 0, lon + 360, lon)
            x, y = world.natural_earth(lon, ring[:, 1])
            rings.append(np.column_stack([x, y]))
    return rings


class _GeoLayer:
    """What the geographic view draws (once for the map, once for an inset)."""

    def __init__(self, pic: Picture, scene: Scene) -> None:
        data = pic.data
        self.pic = pic
        placed = [i for i in scene.nodes if data["nodes"][i]["lat"] is not None]
        px, py = world.natural_earth([data["nodes"][i]["lon"] for i in placed],
                                     [data["nodes"][i]["lat"] for i in placed])
        self.pos = {i: (float(x), float(y)) for i, x, y in zip(placed, np.atleast_1d(px), np.atleast_1d(py))}
        self.degree: dict[int, int] = {}
        self.memberships: dict[int, list[int]] = {}
        self.arcs: dict[tuple, list[tuple[int, int]]] = {}
        for r, a, b, change in scene.edges():
            rel = data["relationships"][r]
            self.degree[a] = self.degree.get(a, 0) + 1
            self.degree[b] = self.degree.get(b, 0) + 1
            if rel["kind"] == "membership":
                nets = self.memberships.setdefault(a, [])
                if change != "gone" and b not in nets:  # one dot per network, however many roles
                    nets.append(b)
                continue
            if a in self.pos and b in self.pos:
                self.arcs.setdefault(pic.edge_style(rel, change), []).append((a, b))
        self.sizes: dict[int, int] = {}
        for nets in self.memberships.values():
            for n in nets:
                self.sizes[n] = self.sizes.get(n, 0) + 1
        self.ranked = sorted(self.sizes, key=lambda n: (-self.sizes[n], pic.label(n)))
        self.colour = {n: PALETTE[k] for k, n in enumerate(self.ranked[:len(PALETTE)])}

    def radius(self, i: int) -> float:
        """Marker radius in points."""
        return 3.0 + 1.5 * math.sqrt(self.degree.get(i, 1))

    def draw(self, ax, extent: tuple[float, float, float, float], fontsize: float) -> None:  # noqa: ANN001
        x0, x1, y0, y1 = extent
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal", adjustable="datalim")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_facecolor("#eaf2f8")
        for spine in ax.spines.values():
            spine.set_color("#b8c2cc")
        scale = "110m" if x1 - x0 > 1.2 else "50m"  # continents: the coarse outlines look the same
        ax.add_collection(PolyCollection(_world_rings(scale), facecolors="#f3efe6", edgecolors="#c9c0ad",
                                         linewidths=0.5, zorder=0))
        bbox = ax.get_window_extent()
        unit = (x1 - x0) / (bbox.width * 72 / ax.figure.dpi)  # data units per point
        for (colour, width, style), pairs in self.arcs.items():
            paths = [PathPatch(_arc(self.pos[a], self.pos[b])) for a, b in pairs]
            ax.add_collection(PatchCollection(paths, facecolors="none", edgecolors=colour, linewidths=width,
                                              linestyles=[style], alpha=0.9, zorder=1))
        for i in sorted(self.pos, key=lambda i: self.degree.get(i, 0)):
            x, y = self.pos[i]
            r = self.radius(i)
            nets = sorted(self.memberships.get(i, []), key=self.ranked.index)
            ring = (r + 4.5) * unit
            for k, n in enumerate(nets):
                angle = -math.pi / 2 + 2 * math.pi * k / len(nets)
                ax.scatter([x + ring * math.cos(angle)], [y + ring * math.sin(angle)], s=14,
                           c=self.colour.get(n, "#8e99a4"), zorder=2, linewidths=0)
            kind = self.pic.data["nodes"][i]["kind"]
            ax.scatter([x], [y], s=(2 * r) ** 2, c=NODE_COLOURS.get(kind, "#9aa5b1"),
                       marker="o" if kind == "city" else "s", edgecolors="white", linewidths=1.1, zorder=3)
        self.labels(ax, unit, fontsize)

    def labels(self, ax, unit: float, fontsize: float) -> None:  # noqa: ANN001
        """Labels where they fit, most-tied places first (those outside the view get none)."""
        del unit
        xlim, ylim = ax.get_xlim(), ax.get_ylim()
        inside = [i for i, (x, y) in self.pos.items() if xlim[0] <= x <= xlim[1] and ylim[0] <= y <= ylim[1]]
        reach = {i: self.radius(i) + (7 if self.memberships.get(i) else 1) for i in inside}
        marks = [(*self.pos[i], reach[i]) for i in inside]
        order = sorted(inside, key=lambda i: (-self.degree.get(i, 0), self.pic.label(i)))
        place_labels(ax, [(*self.pos[i], self.pic.label(i), reach[i], False) for i in order], marks, fontsize,
                     inside_axes=True)


def _extent(points: list[tuple[float, float]], aspect: float, pad: float = 0.58,
            minimum: float = 0.35) -> tuple[float, float, float, float]:
    arr = np.array(points)
    x0, y0 = arr.min(axis=0)
    x1, y1 = arr.max(axis=0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half_w = max((x1 - x0) * pad, (y1 - y0) * pad * aspect, minimum / 2)
    half_h = half_w / aspect
    return cx - half_w, cx + half_w, cy - half_h, cy + half_h


def geo_figure(pic: Picture) -> Figure:
    scene = pic.scene
    data = pic.data
    w = pic.words
    layer = _GeoLayer(pic, scene)
    pos = layer.pos
    missing = sum(1 for i in scene.nodes if data["nodes"][i]["kind"] == "city" and data["nodes"][i]["lat"] is None)
    extra = f"{len(pos)} {w['places_shown']}" + (f", {missing} {w['not_placed']}" if missing else "")
    fig, ax, legend_ax = pic.figure(w["geo_title"], pic.subtitle(extra), scene)
    ax.set_axis_on()
    box = ax.get_position()
    aspect = (box.width * SIZE[0]) / (box.height * SIZE[1])
    extent = _extent(list(pos.values()), aspect) if pos else (-2.9, 2.9, -2.9 / aspect, 2.9 / aspect)
    layer.draw(ax, extent, 11)
    # an inset for the busiest place when its neighbours crowd it on the big map
    if len(pos) >= 3:
        hub = max(pos, key=lambda i: (layer.degree.get(i, 0), -i))
        hx, hy = pos[hub]
        span = extent[1] - extent[0]
        near = [p for p in pos.values() if abs(p[0] - hx) < span * 0.03 and abs(p[1] - hy) < span * 0.03]
        if len(near) >= 3 and span > 0.6:
            inner = _extent(near, 0.36 * aspect / 0.46, pad=0.95, minimum=0.12)

            def covered(corner: tuple[float, float, float, float]) -> int:
                """Places (and the inset's own area) under an inset at ``corner`` (axes fractions)."""
                fx0, fy0, fw, fh = corner
                count = 0
                for x, y in pos.values():
                    u = (x - extent[0]) / (extent[1] - extent[0])
                    v = (y - extent[2]) / (extent[3] - extent[2])
                    count += fx0 <= u <= fx0 + fw and fy0 <= v <= fy0 + fh
                u = ((inner[0] + inner[1]) / 2 - extent[0]) / (extent[1] - extent[0])
                v = ((inner[2] + inner[3]) / 2 - extent[2]) / (extent[3] - extent[2])
                return count + 100 * (fx0 <= u <= fx0 + fw and fy0 <= v <= fy0 + fh)

            corners = [(0.005, 0.01, 0.36, 0.46), (0.635, 0.01, 0.36, 0.46),
                       (0.005, 0.53, 0.36, 0.46), (0.635, 0.53, 0.36, 0.46)]
            inset = ax.inset_axes(min(corners, key=covered))
            layer.draw(inset, inner, 10)
            inset.patch.set_alpha(1.0)
            for spine in inset.spines.values():
                spine.set_color(MUTED)
                spine.set_linewidth(1.2)
            ax.indicate_inset((inner[0], inner[2], inner[1] - inner[0], inner[3] - inner[2]), inset,
                              edgecolor=MUTED, linewidth=1.0, alpha=0.9)
    extra_handles = []
    if layer.ranked:
        extra_handles.append(Line2D([], [], linestyle="", label=w["network_members"]))
        for n in layer.ranked[:len(PALETTE)]:
            extra_handles.append(Line2D([], [], linestyle="", marker="o", markersize=7,
                                        markerfacecolor=layer.colour[n], markeredgewidth=0,
                                        label=f"{pic.label(n)} ({layer.sizes[n]})"))
        if len(layer.ranked) > len(PALETTE):
            extra_handles.append(Line2D([], [], linestyle="", marker="o", markersize=7, markerfacecolor="#8e99a4",
                                        markeredgewidth=0,
                                        label=f"{w['more_networks']} ({len(layer.ranked) - len(PALETTE)})"))
    geo_scene = Scene(data, scene.as_of, scene.compare, None,
                      {r: c for r, c in scene.rels.items() if data["relationships"][r]["kind"] != "membership"},
                      set(pos))
    pic.legend(legend_ax, geo_scene, nodes=False, extra=extra_handles)
    return fig


# ------------------------------------------------------------------ files

def save(fig: Figure, fmt: str) -> bytes:
    """The figure as PNG, SVG or PDF bytes, its title in the file's metadata."""
    if fmt not in FORMATS:
        raise QueryError(f"format {fmt!r}: use one of {', '.join(FORMATS)}")
    title = getattr(fig, "_citygraph_title", "citygraph")
    meta = {"png": {"Title": title, "Software": "citygraph (matplotlib)"},
            "svg": {"Title": title, "Creator": "citygraph (matplotlib)"},
            "pdf": {"Title": title, "Creator": "citygraph (matplotlib)"}}[fmt]
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=DPI, metadata=meta, facecolor="white")
    return buffer.getvalue()


def render(graph: CityGraph, view: str = "network", fmt: str = "png", as_of: date | None = None,
           city: str | None = None, lang: str = "en", layers: Sequence[str] | None = None,
           compare: date | None = None, measure: str = "degree") -> bytes:
    """One picture as bytes: ``view`` network, ego (``city``, default Helsinki), overlap or geo."""
    if view not in VIEWS:
        raise QueryError(f"view {view!r}: use one of {', '.join(VIEWS)}")
    if fmt not in FORMATS:
        raise QueryError(f"format {fmt!r}: use one of {', '.join(FORMATS)}")
    pic = Picture(graph, as_of or date.today(), lang, layers, compare)
    if view == "network":
        fig = network_figure(pic, measure)
    elif view == "ego":
        fig = ego_figure(pic, city or "Helsinki", measure)
    elif view == "overlap":
        fig = overlap_figure(pic)
    else:
        fig = geo_figure(pic)
    return save(fig, fmt)


def title_of(view: str, lang: str = "en", city: str | None = None) -> str:
    """The title a picture of ``view`` carries (for tests and file names)."""
    w = words.text(lang)
    if view == "ego":
        return w["ego_title"].format(city=city or "Helsinki")
    return w[{"network": "network_title", "overlap": "overlap_title", "geo": "geo_title"}[view]]
