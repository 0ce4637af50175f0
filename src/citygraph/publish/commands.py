"""``citygraph publish`` and ``citygraph diff``: parse options, call the library, print."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from citygraph.config import Settings
from citygraph.graph import CityGraph
from citygraph.publish import publish
from citygraph.publish.options import PublishOptions, parse_date
from citygraph.publish.release import Snapshot, diff


class DiffFormat(str, Enum):
    text = "text"
    json = "json"


def publish_command(
    out_dir: Annotated[Path, typer.Argument(metavar="OUT_DIR", help="Directory to write (empty, new, or an earlier publication).")],
    base_url: Annotated[Optional[str], typer.Option(
        "--base-url", help="Where OUT_DIR will be served from [env CITYGRAPH_PUBLISH_BASE_URL; default https://w3id.org/citygraph/].")] = None,
    sparql_url: Annotated[Optional[str], typer.Option(
        "--sparql-url", help="The SPARQL endpoint [env CITYGRAPH_PUBLISH_SPARQL_URL; default BASE_URL/sparql].")] = None,
    version: Annotated[Optional[str], typer.Option(
        "--version", help="Release version [env CITYGRAPH_PUBLISH_VERSION; default the date].")] = None,
    day: Annotated[Optional[str], typer.Option(
        "--date", help="Release date YYYY-MM-DD [env CITYGRAPH_PUBLISH_DATE; default today].")] = None,
    previous: Annotated[Optional[Path], typer.Option(
        "--previous", help="Publication to compare with for the changelog (default: what OUT_DIR holds).")] = None,
    langs: Annotated[str, typer.Option("--langs", help="Languages of the site's pages, comma-separated.")] = "en,fi,sv",
    include_restricted: Annotated[bool, typer.Option(
        "--include-restricted", help="Also publish layers whose licence forbids combining (non-commercial, unknown), each on its own.")] = False,
) -> None:
    """Publish the open data: dumps, CSV, DCAT-AP catalogue, VoID and a static linked-data site."""
    settings = Settings.from_env()
    options = PublishOptions.from_env(
        base_url=base_url, sparql_url=sparql_url, version=version,
        date=parse_date(day, "--date") if day else None,
        include_restricted=include_restricted or None)
    console = Console(stderr=True, soft_wrap=True)
    chosen = [code.strip() for code in langs.split(",") if code.strip()]
    with console.status("publishing…") as status:
        graph = CityGraph.open(settings, notify=lambda m: console.print(m, highlight=False),
                               progress=lambda m: status.update(m))
        result = publish(graph, out_dir, options, previous=previous, langs=chosen,
                         notify=lambda m: console.print(m, highlight=False),
                         progress=lambda m: status.update(m))
    typer.echo(result.summary())
    for change in result.changes[:20]:
        typer.echo(f"  • {change}")


def diff_command(
    old: Annotated[Path, typer.Argument(metavar="OLD", help="The earlier publication directory.")],
    new: Annotated[Path, typer.Argument(metavar="NEW", help="The later publication directory.")],
    fmt: Annotated[DiffFormat, typer.Option("--format", help="text or json")] = DiffFormat.text,
) -> None:
    """What changed between two publications: triples and entities per layer, relationships in words."""
    result = diff(Snapshot.load(old), Snapshot.load(new))
    if fmt is DiffFormat.json:
        typer.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        typer.echo(result.to_text(), nl=False)


__all__ = ["diff_command", "publish_command"]
