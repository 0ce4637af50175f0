"""``citygraph map`` (pictures for slides, or the interactive map as one HTML file) and
``citygraph export`` (GEXF with time intervals, GraphML): options in, library calls, files out.
Errors are the library's; the CLI's one handler turns them into one line and an exit code.
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from citygraph.api.i18n import Lang
from citygraph.config import Settings
from citygraph.errors import QueryError


class View(str, Enum):
    network = "network"
    ego = "ego"
    overlap = "overlap"
    geo = "geo"
    timeline = "timeline"


class PictureFormat(str, Enum):
    png = "png"
    svg = "svg"
    pdf = "pdf"


class GraphFormat(str, Enum):
    gexf = "gexf"
    graphml = "graphml"


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise QueryError(f"{option} {value!r}: write the date as YYYY-MM-DD") from None


def _layers(value: str | None) -> list[str] | None:
    return [x.strip() for x in value.split(",") if x.strip()] if value else None


def _open():  # noqa: ANN202
    from citygraph.cli import _open as open_graph  # noqa: PLC0415 (one way to open, with progress)

    return open_graph(Settings.from_env())


def map_command(
    html: Annotated[Optional[Path], typer.Option(
        "--html", help="Write the interactive map as one self-contained HTML file (works offline).",
        dir_okay=False)] = None,
    fmt: Annotated[Optional[PictureFormat], typer.Option(
        "--format", help="Write a picture for slides: png, svg or pdf (16:9, title, legend, date, sources).")] = None,
    view: Annotated[View, typer.Option(
        help="network, ego (a city's ego network), overlap (shared members of networks) or geo; "
             "--html also takes timeline.")] = View.network,
    as_of: Annotated[Optional[str], typer.Option(
        "--as-of", help="The date shown (YYYY-MM-DD; default today). For --html: where the slider starts.")] = None,
    compare: Annotated[Optional[str], typer.Option(
        "--compare", help="Also show what was added or ended between this date and --as-of.")] = None,
    city: Annotated[Optional[str], typer.Option(
        help="The city of the ego view, by any name (default Helsinki).")] = None,
    lang: Annotated[Lang, typer.Option(help="Language of names and words: en, fi or sv.")] = Lang.en,
    layers: Annotated[Optional[str], typer.Option(
        help="Layers to include, comma-separated (curated, …); default all.")] = None,
    measure: Annotated[str, typer.Option(
        help="Node size: degree, weighted_degree, betweenness, closeness, eigenvector or pagerank.")] = "degree",
    output: Annotated[Optional[Path], typer.Option(
        "-o", "--output", help="Picture file (default citygraph-VIEW-DATE.FORMAT here).", dir_okay=False)] = None,
) -> None:
    """Network maps for slides and reports, or the interactive map as one HTML file."""
    if (html is None) == (fmt is None):
        raise QueryError("give either --html FILE (interactive map) or --format png|svg|pdf (picture)")
    day = _date(as_of, "--as-of") or date.today()
    since = _date(compare, "--compare")
    graph = _open()
    if html is not None:
        if view in (View.ego, View.overlap):
            raise QueryError("--html writes --view network (with its ego and overlap views), geo or timeline")
        from citygraph.viz import pages, payload  # noqa: PLC0415

        data = payload.build(graph, _layers(layers))
        data["defaults"]["date"] = day.isoformat()
        data["defaults"]["measure"] = measure
        if city:
            data["defaults"]["city"] = graph.resolve(city)
        html.write_text(pages.standalone(graph, view.value, lang.value, data=data), encoding="utf-8")
        typer.echo(f"wrote {html} ({html.stat().st_size // 1024} KiB): open it in a browser, no server needed")
        return
    if view == View.timeline:
        raise QueryError("the timeline is interactive only: use --html FILE --view timeline")
    from citygraph.viz import static  # noqa: PLC0415 (matplotlib on demand)

    assert fmt is not None
    data = static.render(graph, view.value, fmt.value, as_of=day, city=city, lang=lang.value,
                         layers=_layers(layers), compare=since, measure=measure)
    target = output or Path(f"citygraph-{view.value}-{day.isoformat()}.{fmt.value}")
    target.write_bytes(data)
    typer.echo(f"wrote {target} ({len(data) // 1024} KiB)")


def export_command(
    fmt: Annotated[GraphFormat, typer.Option(
        "--format", help="gexf (Gephi, with time intervals) or graphml.")] = GraphFormat.gexf,
    output: Annotated[Optional[Path], typer.Option(
        "-o", "--output", help="File to write (default citygraph.FORMAT here).", dir_okay=False)] = None,
    lang: Annotated[Lang, typer.Option(help="Language of the labels: en, fi or sv.")] = Lang.en,
    layers: Annotated[Optional[str], typer.Option(
        help="Layers to include, comma-separated; default all.")] = None,
) -> None:
    """The whole graph for Gephi (GEXF, dates as time intervals) or other tools (GraphML)."""
    from citygraph.viz import gephi  # noqa: PLC0415

    data = gephi.export(_open(), fmt.value, lang.value, _layers(layers))
    target = output or Path(f"citygraph.{fmt.value}")
    target.write_bytes(data)
    typer.echo(f"wrote {target} ({len(data) // 1024} KiB)")
