"""The ``citygraph`` command: parses options, calls the library, prints.

Exit codes: 0 ok, 1 data invalid (or ``fmt --check`` found files to fix), 2 usage or runtime
error. Library errors become one ``error: …`` line on stderr, in :class:`_Commands` only.
"""

from __future__ import annotations

import json
import re
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperGroup

from citygraph import __version__
from citygraph.api.i18n import Lang
from citygraph.canonical import FIX_HINT, format_paths
from citygraph.config import Settings
from citygraph.errors import CityGraphError, NotFoundError, QueryError
from citygraph.graph import CityGraph
from citygraph.queries import load_queries, parse_header, term_from_string
from citygraph.report import describe_text
from citygraph.results import display_term


class _Commands(TyperGroup):
    """Turns library errors into one line on stderr and the documented exit code."""

    def invoke(self, ctx):  # type: ignore[no-untyped-def]  # click's Context, vendored or not
        try:
            return super().invoke(ctx)
        except CityGraphError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None


app = typer.Typer(cls=_Commands, no_args_is_help=True, add_completion=False,
                  help="citygraph: a knowledge graph of cities' international relationships.")


class OutFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


class StatsFormat(str, Enum):
    table = "table"
    json = "json"


class DescribeFormat(str, Enum):
    text = "text"
    json = "json"


def _err() -> Console:
    return Console(stderr=True, soft_wrap=True)


def _out() -> Console:
    # piped output is not squeezed into 80 columns; a terminal keeps its own width
    return Console(soft_wrap=True, width=None if sys.stdout.isatty() else 240)


def _cell(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _open(settings: Settings) -> CityGraph:
    console = _err()
    with console.status("opening the store…") as status:
        return CityGraph.open(settings, notify=lambda m: console.print(m, highlight=False),
                              progress=lambda m: status.update(m))


def _version(value: bool) -> None:
    if value:
        typer.echo(f"citygraph {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[Optional[bool], typer.Option(
        "--version", callback=_version, is_eager=True, help="Show the version and exit.")] = None,
) -> None:
    """citygraph: a knowledge graph of cities' international relationships."""


@app.command()
def build(memory: Annotated[bool, typer.Option(
        "--memory", help="Build in memory only (check the data; nothing is written).")] = False,
          layers: Annotated[Optional[str], typer.Option(
        "--layers", help="Imported layers to load: all, curated (none) or name,name "
                         "(default: those of the current build).")] = None,
          validate: Annotated[bool, typer.Option(
        "--validate/--no-validate",
        help="Check data/ against shapes/citygraph.ttl first and refuse to build on violations "
             "(warnings are shown).")] = True) -> None:
    """Parse the ontology and data/*.ttl (and imported layers), derive, and store the graph."""
    from citygraph import layers as layer_package, remote as remotes, store as stores
    from citygraph.validate import check_for_build

    settings = Settings.from_env()
    console = _err()
    if validate:
        check_for_build(settings, stores.data_files(settings),
                        notify=lambda m: console.print(m, highlight=False))
    remote = remotes.endpoint(settings)
    if layers is None and remote is not None:
        chosen = list((stores.read_remote_manifest(settings, remote.name) or {}).get("layers") or [])
    elif layers is None:
        current = stores.current_build(settings)
        chosen = list(stores.read_manifest(current).get("layers") or []) if current else []
    else:
        chosen = layer_package.select(settings, layers)
    with console.status("building…") as status:
        graph = CityGraph.build(settings, memory=memory,
                                notify=lambda m: console.print(m, highlight=False),
                                progress=lambda m: status.update(m), layers=chosen)
    counts = graph.manifest["triples"]
    typer.echo("triples: " + ", ".join(f"{k} {v}" for k, v in counts.items())
               + f" (total {sum(counts.values())})")
    typer.echo(f"files: {len(graph.manifest['files'])}")
    if chosen:
        typer.echo(f"layers: {', '.join(chosen)}")
    if graph.remote:
        typer.echo(f"store: {graph.manifest['store']}")
    else:
        typer.echo(f"store: {graph.location}" if graph.location else "store: in memory (not saved)")


@app.command()
def stats(fmt: Annotated[StatsFormat, typer.Option("--format", help="table or json")] = StatsFormat.table) -> None:
    """Counts per class, per named graph and per source document."""
    data = _open(Settings.from_env()).stats()
    if fmt is StatsFormat.json:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    out = _out()
    for title, rows in (("named graph", data["graphs"].items()), ("class", data["classes"].items())):
        table = Table(title_justify="left")
        table.add_column(title)
        table.add_column("count", justify="right")
        for key, value in rows:
            table.add_row(key, str(value))
        out.print(table)
    if data.get("layers"):
        table = Table("layer", "licence", "imported", "quads")
        for layer in data["layers"]:
            table.add_row(layer["name"], layer["licence_label"] or "", (layer["imported"] or "")[:10],
                          str(layer["quads"] or ""))
        out.print(table)
    table = Table()
    for column in ("source", "title", "attestations", "relationships"):
        table.add_column(column, justify="right" if column in ("attestations", "relationships") else "left")
    for src in data["sources"]:
        table.add_row(src["name"], src["title"] or "", str(src["attestations"]), str(src["relationships"]))
    out.print(table)


def _parse_params(values: list[str]) -> dict[str, str]:
    params = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise QueryError(f"--param {item!r}: write it as name=value")
        params[name.strip().lstrip("?$")] = value
    return params


_SPARQL_START = re.compile(
    r"^\s*(?:#.*\n\s*)*(PREFIX|BASE|SELECT|ASK|CONSTRUCT|DESCRIBE)(?:\s|\{|\*|$)", re.IGNORECASE)


def _is_file(text: str) -> bool:
    try:
        return "\n" not in text and Path(text).is_file()
    except (OSError, ValueError):
        return False


@app.command()
def query(
    query_or_file: Annotated[str, typer.Argument(
        metavar="QUERY_OR_FILE", help="A named query (see `citygraph queries`), a .rq file, or SPARQL.")],
    fmt: Annotated[OutFormat, typer.Option("--format", help="table, csv or json")] = OutFormat.table,
    param: Annotated[Optional[list[str]], typer.Option(
        "--param", "-p", help="name=value, repeatable.")] = None,
) -> None:
    """Run a SPARQL query over the union of all graphs."""
    settings = Settings.from_env()
    raw = _parse_params(param or [])
    named = load_queries(settings.queries_dir)
    if query_or_file in named:
        graph = _open(settings)
        target = named[query_or_file]
        sparql, bound = target.sparql, target.bind(raw, resolve=graph.resolve)
    elif _is_file(query_or_file):
        graph = _open(settings)
        sparql = Path(query_or_file).read_text(encoding="utf-8")
        _title, _description, declared = parse_header(sparql, query_or_file)
        if declared:
            from citygraph.queries import NamedQuery

            bound = NamedQuery(Path(query_or_file).stem, Path(query_or_file), sparql,
                               params=declared).bind(raw, resolve=graph.resolve)
        else:
            bound = {k: term_from_string(v) for k, v in raw.items()}
    elif _SPARQL_START.match(query_or_file) or "{" in query_or_file:
        graph = _open(settings)
        sparql, bound = query_or_file, {k: term_from_string(v) for k, v in raw.items()}
    else:
        import difflib

        raise NotFoundError(
            f"{query_or_file!r} is not a named query, a file or SPARQL; "
            "`citygraph queries` lists the named ones",
            difflib.get_close_matches(query_or_file, list(named), n=3))
    result = graph.query(sparql, bound)
    if fmt is OutFormat.json:
        typer.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    elif fmt is OutFormat.csv:
        sys.stdout.write(result.to_csv())
    else:
        header, rows = result.table()
        table = Table(*header)
        for row in rows:
            table.add_row(*(_cell(display_term(t)) for t in row))
        out = _out()
        out.print(table)
        out.print(f"{len(rows)} row(s)", style="dim")


@app.command("queries")
def list_queries() -> None:
    """List the named queries with their titles and parameters."""
    settings = Settings.from_env()
    named = load_queries(settings.queries_dir)
    if not named:
        typer.echo(f"no named queries in {settings.relative(settings.queries_dir)}/")
        return
    table = Table("name", "title", "parameters")
    for name, q in named.items():
        table.add_row(name, q.title, ", ".join(str(p) for p in q.params))
    _out().print(table)


@app.command()
def describe(
    name_or_iri: Annotated[str, typer.Argument(metavar="NAME_OR_IRI",
                                               help="IRI, prefixed name, slug or label.")],
    lang: Annotated[Lang, typer.Option("--lang", help="Label language.")] = Lang.en,
    fmt: Annotated[DescribeFormat, typer.Option("--format", help="text or json")] = DescribeFormat.text,
) -> None:
    """Everything the graph knows about one entity, with dates, sources and quotes."""
    graph = _open(Settings.from_env())
    data = graph.describe(graph.resolve(name_or_iri), lang.value)
    if fmt is DescribeFormat.json:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        typer.echo(describe_text(data), nl=False)


@app.command()
def fmt(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Files or folders (default data/).")] = None,
    check: Annotated[bool, typer.Option("--check", help="Only report files that are not canonical.")] = False,
) -> None:
    """Rewrite Turtle files in canonical form (rdflib longturtle, project prefixes)."""
    settings = Settings.from_env()
    changed = format_paths(paths or [settings.data_dir], check=check)
    if check and changed:
        for path in changed:
            typer.echo(f"not canonical: {path}", err=True)
        typer.echo(FIX_HINT, err=True)
        raise typer.Exit(1)
    verb = "would reformat" if check else "reformatted"
    typer.echo(f"{verb} {len(changed)} file(s)" + (": " + ", ".join(map(str, changed)) if changed else ""))


# ---------------------------------------------------------------------- validate (issue 3)
class ValidateFormat(str, Enum):
    text = "text"
    json = "json"
    ttl = "ttl"


class MinSeverity(str, Enum):
    violation = "violation"
    warning = "warning"
    info = "info"


@app.command()
def validate(
    paths: Annotated[Optional[list[Path]], typer.Argument(
        help="Turtle files or folders to check (default data/).")] = None,
    layers: Annotated[str, typer.Option(
        "--layers", help="Comma-separated layers to check: curated (default), ontology, an "
        "imported layer's name (see `citygraph layers`), or all (curated and every imported "
        "layer).")] = "curated",
    fmt: Annotated[ValidateFormat, typer.Option("--format", help="text, json or ttl")] = ValidateFormat.text,
    min_severity: Annotated[MinSeverity, typer.Option(
        "--min-severity", help="Show results at this severity or worse.")] = MinSeverity.warning,
    shapes_out: Annotated[Optional[Path], typer.Option(
        "--shapes-out", help="Also write the shapes graph used for imported layers (layers.ttl "
        "with citygraph.ttl's shapes, minus their targets) to this Turtle file, for another "
        "SHACL engine.")] = None,
) -> None:
    """Check the data against shapes/citygraph.ttl, and imported layers against the lighter
    shapes/layers.ttl. Exit 0 conforms (warnings allowed), 1 violations, 2 could not run (such
    as a Turtle syntax error)."""
    from citygraph.validate import layer_shapes, validate as run_validation

    chosen = [x.strip() for x in layers.split(",") if x.strip()]
    if "all" in chosen and "curated" not in chosen:
        chosen.insert(0, "curated")
    settings = Settings.from_env()
    try:
        if shapes_out is not None:
            layer_shapes(settings).serialize(destination=str(shapes_out), format="turtle")
        with _err().status("validating…") as status:
            report = run_validation(paths, settings=settings, layers=chosen,
                                    notify=lambda m: status.update(m))
    except CityGraphError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    level = min_severity.value
    if fmt is ValidateFormat.json:
        typer.echo(report.to_json(level))
    elif fmt is ValidateFormat.ttl:
        typer.echo(report.to_turtle(level))
    else:
        typer.echo(report.to_text(level))
    raise typer.Exit(0 if report.conforms else 1)


# web server (citygraph.server imports FastAPI/uvicorn only when a command runs)
from citygraph import server as _server  # noqa: E402

app.command("serve")(_server.serve)
app.command("reload")(_server.reload)

from citygraph.analysis.cli import app as _analyze  # noqa: E402  (network analysis, issue 4)

app.add_typer(_analyze, name="analyze")

from citygraph.publish import commands as _publish  # noqa: E402  (open-data publication, issue 6)

app.command("publish")(_publish.publish_command)
app.command("diff")(_publish.diff_command)

from citygraph.viz import cli as _viz  # noqa: E402  (maps and Gephi files, issue 7)

app.command("map")(_viz.map_command)
app.command("export")(_viz.export_command)

from citygraph.layers import cli as _layers  # noqa: E402  (external open-data layers, issue 8)

app.add_typer(_layers.app, name="import")
app.command("layers")(_layers.layers)
app.command("discrepancies")(_layers.discrepancies)

from citygraph.bench import bench_command as _bench  # noqa: E402  (benchmarks, issue 9)
app.command("bench")(_bench)


if __name__ == "__main__":  # pragma: no cover
    app()
