"""``citygraph analyze``: the network analyses on the command line (a thin layer over
:func:`citygraph.analysis.reports.run`)."""

from __future__ import annotations

import json
import sys
from enum import Enum
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from citygraph.api.i18n import Lang
from citygraph.config import Settings
from citygraph.namespaces import compact

app = typer.Typer(no_args_is_help=True, add_completion=False,
                  help="Network analysis: centrality, overlap, ego, communities, compare.")

#: rows a table shows unless --top says otherwise
TABLE_ROWS = 50


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


AsOf = Annotated[str, typer.Option("--as-of", metavar="DATE",
                                   help="Relationships active on this date (YYYY-MM-DD); 'all' for "
                                        "every relationship whatever its dates. Default: today.")]
Layers = Annotated[Optional[list[str]], typer.Option(
    "--layers", metavar="LAYER", help="Named graphs to use, by name (curated, …); repeat or "
                                      "separate with commas. Default: all.")]
City = Annotated[Optional[str], typer.Option("--city", metavar="NAME", help="A city: IRI, slug or label.")]
Fmt = Annotated[Format, typer.Option("--format", help="table, csv or json")]
LangOpt = Annotated[Lang, typer.Option("--lang", help="Label language.")]
Save = Annotated[bool, typer.Option("--save", help="Also save the results as RDF for the analysis "
                                                   "graph (loaded by the next build).")]
TableName = Annotated[Optional[str], typer.Option("--table", help="With --format csv: which table "
                                                                   "(default: the first).")]
Top = Annotated[Optional[int], typer.Option("--top", min=1, help="Show only the first N rows of each table.")]
Samples = Annotated[str, typer.Option(
    "--samples", help="Betweenness sources: 'auto' (exact up to 5,000 nodes, else 1,000 sampled), "
                      "'exact', or a number.")]
Seed = Annotated[int, typer.Option("--seed", help="Random seed (sampling, Louvain).")]


def _layers(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def run(graph, analysis: str, **options):
    """:func:`citygraph.analysis.reports.run`, imported when a command runs (pandas, SciPy)."""
    from citygraph.analysis.reports import run as run_report

    return run_report(graph, analysis, **options)


def _open():
    from citygraph.graph import CityGraph

    settings = Settings.from_env()
    console = Console(stderr=True, soft_wrap=True)
    with console.status("opening the store…") as status:
        return CityGraph.open(settings, notify=lambda m: console.print(m, highlight=False),
                              progress=lambda m: status.update(m))


_HIDDEN = ("iri", "network", "network_a", "network_b")


def _cell(value) -> str:
    if isinstance(value, tuple):
        return "; ".join(compact(v) if isinstance(v, str) and "://" in v else str(v) for v in value)
    if isinstance(value, float):
        return "" if value != value else f"{value:.4f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.0f}"
    if value is None or str(value) == "<NA>":
        return ""
    if isinstance(value, str) and "://" in value:
        return compact(value)
    return str(value)


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _emit(report, fmt: Format, table: str | None, top: int | None, save: bool, graph) -> None:
    from citygraph.analysis.reports import Report

    if save:
        path = report.save(graph.settings, graph.manifest)
        typer.echo(f"saved {graph.settings.relative(path)}; the next build loads it into the analysis graph",
                   err=True)
    if fmt is Format.json:
        data = report.to_json()
        if top:
            data["tables"] = {k: v[:top] for k, v in data["tables"].items()}
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    if fmt is Format.csv:
        frame = report.table(table)
        if top:
            report = Report(report.analysis, report.parameters, {"t": frame.head(top)})
            table = None
        sys.stdout.write(report.to_csv(table))
        return
    out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 240)
    params = ", ".join(f"{k} {compact(v) if isinstance(v, str) and '://' in v else v}"
                       for k, v in report.parameters.items() if v not in (None, [], ""))
    out.print(f"{report.analysis}: {params}", style="bold", highlight=False)
    for name, frame in report.tables.items():
        limit = top or TABLE_ROWS
        columns = [c for c in frame.columns if c not in _HIDDEN or "label" not in frame.columns]
        if name == "centrality":
            columns = [c for c in columns if not c.startswith("rank_")]
        view = Table(title=name, title_justify="left")
        for c in columns:
            view.add_column(c, justify="right" if frame[c].dtype.kind in "if" else "left")
        for row in frame[columns].head(limit).itertuples(index=False, name=None):
            view.add_row(*(_short(_cell(v)) for v in row))
        out.print(view)
        more = len(frame) - limit
        out.print(f"{len(frame)} row(s)" + (f", first {limit} shown (--top N, or --format csv)" if more > 0 else ""),
                  style="dim")
    for note in report.notes:
        out.print(note, style="dim", highlight=False)


@app.command()
def centrality(
    as_of: AsOf = "today", layers: Layers = None, city: City = None, fmt: Fmt = Format.table,
    graph_name: Annotated[str, typer.Option("--graph", help="cities (shared networks), partnerships, "
                                                            "combined (all kinds) or networks.")] = "cities",
    kind: Annotated[str, typer.Option("--kind", help="Rank nodes of this kind: city, network, "
                                                     "organisation, … or all.")] = "city",
    by: Annotated[str, typer.Option("--by", help="Sort by degree, weighted_degree, betweenness, "
                                                 "closeness, eigenvector or pagerank.")] = "degree",
    samples: Samples = "auto", seed: Seed = 0, lang: LangOpt = Lang.en, top: Top = None,
    table: TableName = None, save: Save = False,
) -> None:
    """Rank cities by degree, weighted degree, betweenness, closeness, eigenvector and PageRank."""
    graph = _open()
    report = run(graph, "centrality", as_of=as_of, layers=_layers(layers), city=city, lang=lang.value,
                 graph_name=graph_name, kind=kind, by=by, samples=samples, seed=seed)
    _emit(report, fmt, table, top, save, graph)


@app.command()
def overlap(
    as_of: AsOf = "today", layers: Layers = None, city: City = None, fmt: Fmt = Format.table,
    min_shared: Annotated[int, typer.Option("--min-shared", min=1, help="Only pairs sharing at least "
                                                                        "this many members.")] = 1,
    lang: LangOpt = Lang.en, top: Top = None, table: TableName = None, save: Save = False,
) -> None:
    """Network pairs with shared members, Jaccard and overlap coefficient; with --city, what each
    of the city's networks adds that its other networks do not."""
    graph = _open()
    report = run(graph, "overlap", as_of=as_of, layers=_layers(layers), city=city, lang=lang.value,
                 min_shared=min_shared)
    _emit(report, fmt, table, top, save, graph)


@app.command()
def ego(
    city: Annotated[str, typer.Option("--city", metavar="NAME", help="A city: IRI, slug or label.")],
    as_of: AsOf = "today", layers: Layers = None, fmt: Fmt = Format.table,
    radius: Annotated[int, typer.Option("--radius", min=1, help="Ties away from the city.")] = 1,
    graph_name: Annotated[str, typer.Option("--graph", help="combined, partnerships or cities.")] = "combined",
    kind: Annotated[str, typer.Option("--kind", help="Brokerage counts members of this kind (or all).")] = "city",
    lang: LangOpt = Lang.en, top: Top = None, table: TableName = None, save: Save = False,
) -> None:
    """A city's ego network, and which networks give it access to cities it has no other tie to."""
    graph = _open()
    report = run(graph, "ego", as_of=as_of, layers=_layers(layers), city=city, lang=lang.value,
                 graph_name=graph_name, radius=radius, kind=kind)
    _emit(report, fmt, table, top, save, graph)


@app.command()
def communities(
    as_of: AsOf = "today", layers: Layers = None, fmt: Fmt = Format.table,
    graph_name: Annotated[str, typer.Option("--graph", help="cities or networks.")] = "cities",
    resolution: Annotated[float, typer.Option("--resolution", min=0.0,
                                              help="Above 1: smaller communities; below 1: larger.")] = 1.0,
    seed: Seed = 0, lang: LangOpt = Lang.en, top: Top = None, table: TableName = None, save: Save = False,
) -> None:
    """Louvain communities in the city or network projection."""
    graph = _open()
    report = run(graph, "communities", as_of=as_of, layers=_layers(layers), lang=lang.value,
                 graph_name=graph_name, resolution=resolution, seed=seed)
    _emit(report, fmt, table, top, save, graph)


@app.command()
def compare(
    date_from: Annotated[str, typer.Option("--from", metavar="DATE", help="The earlier date.")],
    date_to: Annotated[str, typer.Option("--to", metavar="DATE", help="The later date.")],
    city: City = None, layers: Layers = None, fmt: Fmt = Format.table,
    graph_name: Annotated[str, typer.Option("--graph", help="Graph for the ranks: combined, "
                                                            "partnerships, cities or networks.")] = "combined",
    samples: Samples = "auto", seed: Seed = 0, lang: LangOpt = Lang.en, top: Top = None,
    table: TableName = None, save: Save = False,
) -> None:
    """Relationships added, ended and unchanged between two dates, and how ranks changed."""
    graph = _open()
    report = run(graph, "compare", date_from=date_from, date_to=date_to, city=city,
                 layers=_layers(layers), lang=lang.value, graph_name=graph_name, samples=samples, seed=seed)
    _emit(report, fmt, table, top, save, graph)
