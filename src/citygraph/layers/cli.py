"""``citygraph import …``, ``citygraph layers`` and ``citygraph discrepancies``.

Registered in :mod:`citygraph.cli`; library errors become one line there (exit 1 for invalid
data, 2 otherwise).
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Callable, Optional

import typer
from rich.console import Console
from rich.table import Table

from citygraph.config import Settings
from citygraph.layers import baltic, climactor, wikidata, wikipedia
from citygraph.layers.base import imported, layers_dir, read_meta, remove
from citygraph.layers.registry import IMPORTABLE, REGISTRY

IMPORTERS: dict[str, Callable[..., dict]] = {
    "wikidata-p190": wikidata.run,
    "climactor": climactor.run,
    "wikipedia-twin-towns": wikipedia.run,
    "baltic-networks": baltic.run,
}

app = typer.Typer(no_args_is_help=True, add_completion=False,
                  help="Import an external open-data layer (or a curator's CSV) into STORE_DIR/layers/.")


def _err() -> Console:
    return Console(stderr=True, soft_wrap=True)


def _out() -> Console:
    return Console(soft_wrap=True, width=None if sys.stdout.isatty() else 240)


def _summary(name: str, meta: dict) -> str:
    counts = meta.get("counts", {})
    rec = meta.get("reconciliation") or {}
    parts = [f"{k.replace('_', ' ')} {v:,}" for k, v in counts.items() if isinstance(v, int)]
    if rec.get("places"):
        parts.append(f"places matched {rec['matched']:,}/{rec['places']:,} ({100 * rec['match_rate']:.1f}%), "
                     f"ambiguous {rec['ambiguous']:,}, unmatched {rec['unmatched']:,}")
    seconds = (meta.get("seconds") or {}).get("total")
    checked = meta.get("validation") or {}
    if checked.get("counts"):
        c = checked["counts"]
        parts.append(f"shapes/layers.ttl: {c.get('violation', 0)} violations, {c.get('warning', 0):,} "
                     f"warnings, {c.get('info', 0):,} infos (`citygraph validate --layers {name}`)")
    return f"{name}: " + "; ".join(parts) + (f" [{seconds:.1f} s]" if seconds else "")


def _run(name: str, source: Optional[str]) -> None:
    settings = Settings.from_env()
    console = _err()
    with console.status(f"importing {name}…") as status:
        IMPORTERS[name](settings, source, progress=lambda m: status.update(f"{name}: {m}"))
    typer.echo(_summary(name, read_meta(imported(settings)[name])))
    typer.echo(f"written: {settings.relative(layers_dir(settings))}/{name} "
               "(load it with: citygraph build --layers all)")


_FROM = typer.Option("--from", help="Folder (or http(s)/file URL of the folder) holding the dataset's "
                                    "files; default: $CITYGRAPH_SHARED_DIR/external/<folder>.")


def _command(name: str) -> None:
    info = REGISTRY[name]

    def command(source: Annotated[Optional[str], _FROM] = None) -> None:
        _run(name, source)

    command.__doc__ = f"{info.title}. Licence: {info.licence_label}."
    app.command(name)(command)


for _name in IMPORTABLE:
    _command(_name)


@app.command("all")
def import_all() -> None:
    """Import every external dataset from the external-data directory, one layer each."""
    for name in IMPORTABLE:
        _run(name, None)


@app.command("csv")
def import_csv(
    file: Annotated[Path, typer.Argument(help="CSV file in the template's columns (`citygraph import template`).")],
    layer: Annotated[str, typer.Option("--layer", help="Layer name (graph …/graph/csv-NAME).")],
    check: Annotated[bool, typer.Option("--check", help="Validate only; write nothing.")] = False,
) -> None:
    """A curator's CSV of partnerships and memberships, validated before anything is written."""
    from citygraph.layers import csvimport

    settings = Settings.from_env()
    meta = csvimport.run(settings, file, layer, check=check)
    verb = "valid (nothing written)" if check else f"written: layer {meta['name']}"
    typer.echo(f"{file}: {meta['counts']['rows']} row(s) {verb}")


@app.command("template")
def template() -> None:
    """Print the CSV template for `citygraph import csv` (header, a comment row per column)."""
    from citygraph.layers import csvimport

    sys.stdout.write(csvimport.template())


@app.command("remove")
def remove_layer(name: Annotated[str, typer.Argument(help="Layer name.")]) -> None:
    """Forget an imported layer (the next `build --layers all` leaves it out)."""
    settings = Settings.from_env()
    typer.echo(f"removed {name}" if remove(settings, name) else f"{name} was not imported")


# ------------------------------------------------------------------------------ top-level commands

class Format(str, Enum):
    table = "table"
    json = "json"


def layers(fmt: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table) -> None:
    """The external layers: licence, origin, whether imported, counts and match rates."""
    settings = Settings.from_env()
    present = imported(settings)
    rows = []
    for name in [*IMPORTABLE, *(n for n in present if n not in IMPORTABLE)]:
        info = REGISTRY.get(name)
        meta = read_meta(present[name]) if name in present else {}
        rec = meta.get("reconciliation") or {}
        rows.append({
            "name": name, "graph": meta.get("graph") or (info.graph if info else None),
            "title": meta.get("title") or (info.title if info else None),
            "licence": meta.get("licence") or (info.licence if info else None),
            "licence_label": meta.get("licence_label") or (info.licence_label if info else None),
            "open_licence": meta.get("open_licence", info.open_licence if info else None),
            "origin": str(info.origin) if info and info.origin else None,
            "imported": meta.get("imported"), "quads": meta.get("quads"), "counts": meta.get("counts"),
            "match_rate": rec.get("match_rate"), "places": rec.get("places"),
            "ambiguous": rec.get("ambiguous"), "unmatched": rec.get("unmatched"),
        })
    if fmt is Format.json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = Table("layer", "licence", "imported", "quads", "places matched", "origin")
    for r in rows:
        rate = f"{100 * r['match_rate']:.1f}% of {r['places']:,}" if r["match_rate"] is not None else ""
        table.add_row(r["name"], r["licence_label"] or "", (r["imported"] or "no")[:10],
                      f"{r['quads']:,}" if r["quads"] else "", rate, r["origin"] or "")
    _out().print(table)


def discrepancies(
    city: Annotated[Optional[str], typer.Option("--city", help="Only disagreements involving this city.")] = None,
    limit: Annotated[Optional[int], typer.Option("--limit", help="Items per section (counts stay complete).")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
) -> None:
    """Where sources disagree: twin links against "no official twin cities", ended vs still
    active, Russian cities after February 2022, missing reciprocal links, snapshot changes."""
    from citygraph.graph import CityGraph
    from citygraph.layers.discrepancies import cached_report

    settings = Settings.from_env()
    console = _err()
    with console.status("opening the store…") as status:
        graph = CityGraph.open(settings, notify=lambda m: console.print(m, highlight=False),
                               progress=lambda m: status.update(m))
        status.update("comparing sources…")
        data = cached_report(graph, city=graph.resolve(city) if city else None,
                             limit=limit if fmt is Format.json else (limit or 10))
    if fmt is Format.json:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    out = _out()
    if data.get("note"):
        out.print(data["note"])
    for name, section in data["sections"].items():
        out.print(f"\n[bold]{name.replace('_', ' ')}[/bold]: {section['count']:,}"
                  + (f" (per layer: {section['per_layer']})" if section.get("per_layer") else ""))
        for item in section["items"]:
            out.print("  " + _line(item), highlight=False)


def _line(item: dict) -> str:
    kind = item["kind"]
    if kind == "policy_conflict":
        return (f"{item['city']['label']} – {item['partner']['label']}: twin link in {item['layer']} "
                f"({len(item['evidence'])} statement(s)) vs {item['statement']['policy']['name']}")
    if kind == "ended_but_active_elsewhere":
        a, b = item["parties"]
        return (f"{a['label']} – {b['label']}: ended {item['curated']['active_until']} (curated), "
                f"active in {item['external']['layer']} from {item['external']['active_from']}")
    if kind == "russia_after_2022":
        return (f"{item['russian_party']['label']} – {item['other_party']['label']} ({item['layer']}, "
                f"last attested {item['last_attested']})")
    if kind == "missing_reciprocal":
        return f"{item['stated_on']['label']} → {item['missing_on']['label']} ({item['layer']}, row {item['row']})"
    if kind == "dropped_between_sources":
        a, b = item["parties"]
        return f"{a['label']} – {b['label']} ({'/'.join(item['countries'])}): in Wikidata 2016, not in Wikipedia 2026"
    if kind == "snapshot_difference":
        return (f"{item['member']['label']} in {item['network']['label']}: listed in {', '.join(item['listed_in'])}, "
                f"not in {', '.join(item['not_listed_in'])}")
    if kind == "curated_not_listed":
        return (f"{item['member']['label']} in {item['network']['label']} (curated): not among the "
                f"{item['members_the_layer_lists']} members {item['layer']} lists")
    return json.dumps(item, ensure_ascii=False)
