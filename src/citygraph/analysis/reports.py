"""One entry point for every surface: :func:`run` an analysis by name and get a :class:`Report`
(parameters, notes, named pandas tables) that the CLI prints, the API returns as JSON, and
``--save`` writes as RDF for the analysis named graph.

Saving: builds are immutable, so a saved report is a Turtle file in ``STORE_DIR/analysis/``
that the *next* build loads into ``https://w3id.org/citygraph/graph/analysis`` (the CLI rebuilds
on its next command, as it does when a data file changes). Each run records the date, layers and
parameters it was computed for, and the fingerprint and time of the build it was computed
from; running the same analysis with the same parameters again replaces its file.
"""

from __future__ import annotations

import hashlib
import json
import math
import weakref
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import pandas as pd

from citygraph.analysis import centralities as _centrality
from citygraph.analysis.community import communities as _communities
from citygraph.analysis.comparison import compare as _compare
from citygraph.analysis.ego import brokerage, brokerage_summary, ego_network
from citygraph.analysis.overlap import network_overlap, network_sizes, redundancy
from citygraph.analysis.snapshot import CENTRALITY_GRAPHS
from citygraph.analysis.ties import Ties, parse_date
from citygraph.errors import QueryError
from citygraph.namespaces import ANALYSIS_GRAPH, CG, ID, PROV, XSD
from citygraph.store import ANALYSIS_DIR

ANALYSES = ("centrality", "overlap", "ego", "communities", "compare")
#: columns holding IRIs of what a row is about (the others are labels or values)
IRI_COLUMNS = ("iri", "network", "network_a", "network_b", "rel")
ANALYSIS_ID = ID + "analysis/"

_ties: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def ties_for(graph, lang: str = "en") -> Ties:
    """:meth:`Ties.load` once per graph object and language (the graph is read-only)."""
    per_graph = _ties.setdefault(graph, {})
    if lang not in per_graph:
        per_graph[lang] = Ties.load(graph, lang)
    return per_graph[lang]


@dataclass
class Report:
    """What an analysis found: ``tables`` (name -> DataFrame, the first is the main one)."""

    analysis: str
    parameters: dict
    tables: dict[str, pd.DataFrame]
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        """``{"analysis", "parameters", "notes", "tables": {name: [row, …]}}``, JSON-ready."""
        return {"analysis": self.analysis, "parameters": self.parameters, "notes": self.notes,
                "tables": {name: records(t) for name, t in self.tables.items()}}

    def table(self, name: str | None = None) -> pd.DataFrame:
        """The table called ``name`` (default: the main one)."""
        if name is None:
            return next(iter(self.tables.values()))
        if name not in self.tables:
            raise QueryError(f"no table {name!r} in the {self.analysis} report; "
                             f"tables: {', '.join(self.tables)}")
        return self.tables[name]

    def to_csv(self, name: str | None = None) -> str:
        """One table as CSV (tuples joined with ``; ``)."""
        frame = self.table(name).map(lambda v: "; ".join(map(str, v)) if isinstance(v, tuple) else v)
        return frame.to_csv(index=False, lineterminator="\r\n")

    # ------------------------------------------------------------------ RDF
    @property
    def run_iri(self) -> str:
        key = json.dumps([self.analysis, self.parameters], sort_keys=True, default=str)
        return f"{ANALYSIS_ID}{self.analysis}-{hashlib.sha256(key.encode()).hexdigest()[:16]}"

    def to_turtle(self, build: dict | None = None) -> str:
        """The report as Turtle: one ``cg:AnalysisRun`` with its parameters and one
        ``cg:Observation`` per (row, value); ``build`` is the manifest it was computed from."""
        p = self.parameters
        lines = [f"@prefix cg: <{CG}> .", f"@prefix prov: <{PROV}> .", f"@prefix xsd: <{XSD}> .", "",
                 f"<{self.run_iri}> a cg:AnalysisRun ;",
                 f"    cg:analysis {_lit(self.analysis)} ;",
                 f"    cg:parameters {_lit(json.dumps(p, sort_keys=True, default=str))} ;",
                 f"    prov:generatedAtTime {_lit(datetime.now(timezone.utc).isoformat(timespec='seconds'), XSD + 'dateTime')} ;"]
        for key in ("as_of", "from", "to"):
            if p.get(key):
                lines.append(f"    cg:asOf {_lit(str(p[key]), XSD + 'date')} ;")
        for layer in p.get("layers") or ():
            lines.append(f"    cg:layer <{layer if '://' in layer else ANALYSIS_GRAPH.rsplit('/', 1)[0] + '/' + layer}> ;")
        if build:
            lines.append(f"    prov:wasDerivedFrom {_lit('build ' + str(build.get('fingerprint', ''))[:16] + ' of ' + str(build.get('built', '')))} ;")
        observations = [obs for name, t in self.tables.items() for obs in _observations(t)]
        for about, measure, value, rank in observations:
            parts = [f"cg:about {', '.join(f'<{a}>' for a in about)}"] if about else []
            parts.append(f"cg:measure {_lit(measure)}")
            parts.append(f"cg:value {_value(value)}")
            if rank is not None:
                parts.append(f"cg:rank {int(rank)}")
            lines.append(f"    cg:observation [ {' ; '.join(parts)} ] ;")
        lines[-1] = lines[-1][:-2] + " ."
        return "\n".join(lines) + "\n"

    def save(self, settings, build: dict | None = None) -> Path:
        """Write :meth:`to_turtle` to ``STORE_DIR/analysis/`` for the next build to load."""
        folder = settings.store_dir / ANALYSIS_DIR
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / (self.run_iri.rsplit("/", 1)[-1] + ".ttl")
        tmp = path.with_suffix(".tmp")
        tmp.write_text(self.to_turtle(build), encoding="utf-8")
        tmp.replace(path)
        return path


def _lit(text: str, datatype: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"' + (f"^^<{datatype}>" if datatype else "")


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _lit(repr(value), XSD + "double")
    if isinstance(value, date):
        return _lit(value.isoformat(), XSD + "date")
    return _lit(str(value))


def _plain(value):
    """A cell as a JSON/RDF-ready Python value (NaN and NA -> None)."""
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return _plain(value.item())
    if isinstance(value, date):
        return value.isoformat()
    return value


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts of plain values (tuples as lists, NaN as None, dates as ISO strings)."""
    columns = list(frame.columns)
    return [{c: _plain(v) for c, v in zip(columns, row)} for row in frame.itertuples(index=False, name=None)]


def _observations(frame: pd.DataFrame):
    about_cols = [c for c in IRI_COLUMNS if c in frame.columns]
    value_cols = [c for c in frame.columns
                  if c not in about_cols and c != "measure" and not c.startswith("rank")
                  and (pd.api.types.is_numeric_dtype(frame[c]) or c == "status")]
    has_measure = "measure" in frame.columns
    for row in frame.to_dict("records"):
        about = [row[c] for c in about_cols if isinstance(row[c], str) and "://" in row[c]]
        for column in value_cols:
            value = _plain(row[column])
            if value is None:
                continue
            measure = f"{row['measure']} {column}" if has_measure else column
            rank = _plain(row.get(f"rank_{column}"))
            yield about, measure, value, rank


# ---------------------------------------------------------------------- running
def _dates(as_of) -> date | None:
    if as_of == "today":
        return date.today()
    return parse_date(as_of)


def run(graph, analysis: str, *, as_of="today", date_from=None, date_to=None, city: str | None = None,
        layers=None, lang: str = "en", graph_name: str | None = None, kind: str = "city",
        by: str = "degree", samples="auto", seed: int = 0, radius: int = 1,
        resolution: float = 1.0, min_shared: int = 1) -> Report:
    """Run ``analysis`` (one of :data:`ANALYSES`) over ``graph`` (a CityGraph).

    ``as_of`` is a date, ``YYYY-MM-DD``, ``"today"`` or None/``"all"`` (every relationship
    whatever its dates); ``city`` a name :meth:`CityGraph.resolve` understands; ``layers``
    layer names (default: all). The other options belong to single analyses (see the CLI).
    """
    if analysis not in ANALYSES:
        raise QueryError(f"unknown analysis {analysis!r}; use one of {', '.join(ANALYSES)}")
    ties = ties_for(graph, lang)
    chosen = ties.check_layers(layers)
    city_iri = graph.resolve(city) if city else None
    day = _dates(as_of)
    params: dict = {"as_of": day.isoformat() if day else None, "layers": list(chosen) if chosen else None,
                    "lang": lang}
    if city_iri:
        params["city"] = city_iri
    notes: list[str] = []
    kinds = None if kind == "all" else (kind,)

    if analysis == "centrality":
        name = graph_name or "cities"
        if name not in CENTRALITY_GRAPHS:
            raise QueryError(f"--graph {name}: centrality is computed on {', '.join(CENTRALITY_GRAPHS)}")
        if name == "networks" and kind == "city":
            kinds = None
        snap = ties.snapshot(day, chosen)
        table = _centrality.centrality(snap, name, kinds, by, samples, seed)
        if city_iri:
            table = table[table["iri"] == city_iri].reset_index(drop=True)
        params.update(graph=name, kind=kind, by=by, samples=table.attrs.get("samples"), seed=seed)
        if table.attrs.get("samples"):
            notes.append(f"betweenness from {table.attrs['samples']} sampled sources (seed {seed}): "
                         f"every value within ±{table.attrs['betweenness_error']:.3f} of the exact one "
                         "with 95 % probability")
        return Report(analysis, params, {"centrality": table}, notes)

    if analysis == "overlap":
        snap = ties.snapshot(day, chosen)
        params.update(min_shared=min_shared)
        pairs = network_overlap(snap, min_shared)
        tables: dict[str, pd.DataFrame] = {}
        if city_iri:
            tables["redundancy"] = redundancy(snap, city_iri)
            mine = set(tables["redundancy"]["network"])
            pairs = pairs[pairs["network_a"].isin(mine) & pairs["network_b"].isin(mine)].reset_index(drop=True)
        tables["overlap"] = pairs
        tables["sizes"] = network_sizes(snap)
        return Report(analysis, params, tables, notes)

    if analysis == "ego":
        if not city_iri:
            raise QueryError("ego needs a city: --city NAME")
        snap = ties.snapshot(day, chosen)
        name = graph_name or "combined"
        params.update(graph=name, radius=radius, kind=kind)
        tables = {"ego": ego_network(snap, city_iri, radius, name)}
        has_networks = (snap.memberships["member"] == city_iri).any()
        if has_networks:
            tables["brokerage"] = brokerage_summary(snap, city_iri, kinds)
            tables["brokerage_members"] = brokerage(snap, city_iri, kinds)
        else:
            notes.append(f"{snap.label(city_iri)} has no memberships"
                         + (f" on {day}" if day else "") + ": no brokerage through networks")
        return Report(analysis, params, tables, notes)

    if analysis == "communities":
        name = graph_name or "cities"
        if name not in ("cities", "networks"):
            raise QueryError(f"--graph {name}: communities are found in the cities or networks projection")
        snap = ties.snapshot(day, chosen)
        table = _communities(snap, name, resolution, seed)
        params.update(graph=name, resolution=resolution, seed=seed)
        notes.append(f"{table.attrs['communities']} communities, modularity {table.attrs['modularity']:.3f}")
        return Report(analysis, params, {"communities": table}, notes)

    # compare
    start, end = parse_date(date_from), parse_date(date_to)
    if start is None or end is None:
        raise QueryError("compare needs two dates: --from YYYY-MM-DD --to YYYY-MM-DD")
    name = graph_name or "combined"
    if name not in CENTRALITY_GRAPHS:
        raise QueryError(f"--graph {name}: ranks are computed on {', '.join(CENTRALITY_GRAPHS)}")
    params.pop("as_of")
    params.update({"from": start.isoformat(), "to": end.isoformat(), "graph": name})
    result = _compare(ties, start, end, city_iri, chosen, name, samples, seed)
    counts = result.relationships["status"].value_counts()
    notes.append(", ".join(f"{counts.get(s, 0)} {s}" for s in ("added", "ended", "unchanged")))
    return Report(analysis, params, {"relationships": result.relationships, "ranks": result.ranks}, notes)
