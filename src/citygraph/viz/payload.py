"""The data behind the map pages: one JSON-ready dict with the whole history of the graph.

Every relationship is there once, with its derived ``cg:activeFrom``/``cg:activeUntil`` (the one
definition of "active on D", :mod:`citygraph.temporal`), so a page moves its date slider without
asking the server again: the browser shows a relationship on D when
``from <= D && (!until || D < until)``.

Shape (lists are indexed by position to keep thousands of relationships small)::

    {"version", "generated", "period": {"min", "max"}, "defaults": {"date", "city", "measure"},
     "words": {"kinds"|"node_kinds"|"statuses"|"focus"|"layers"|"roles": {id: {en, fi, sv}}},
     "nodes": [{"id", "path", "kind", "label": {en, fi, sv}, "country", "lat", "lon", "x", "y"}],
     "relationships": [{"id", "path", "kind", "parties": [node index], "from", "until",
                        "status", "reason", "start", "end", "last", "layers", "sources",
                        "focus", "roles", "evidence": [{"source", "on", "quote", "lang",
                        "record", "described", "focus"}]}],
     "edges": [[relationship index, node index, node index]],
     "sources": [{"id", "path", "title", "date"}],
     "countries": {iri: {en, fi, sv}},
     "centrality": {"graph": "combined", "dates": [...], "exact": bool,
                    "measures": {name: [[value per node] per date]}}}

Nodes and relationships come from :class:`citygraph.analysis.Ties` (the analysis module's one
reader of relationships); centralities from :func:`citygraph.analysis.centralities.scores` on the
``combined`` graph at every date on which the set of active relationships changes (or at the
start of every year when there are more than :data:`MAX_SNAPSHOTS` such dates).
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timezone

import pyoxigraph as ox

from citygraph import temporal
from citygraph.analysis import algorithms
from citygraph.analysis.centralities import MEASURES, scores
from citygraph.analysis.ties import Ties
from citygraph.api.lookups import local_path
from citygraph.graph import CityGraph
from citygraph.namespaces import CG, GRAPH, ID, PREFIXES, VOCAB, compact

LANGS = ("en", "fi", "sv")
#: the slider covers at least this period (and any earlier or later date in the data)
PERIOD_START = date(2008, 1, 1)
PERIOD_END = date(2025, 12, 31)
#: more change dates than this: centralities at the start of each year instead
MAX_SNAPSHOTS = 60
#: graphs up to this many nodes get all six centralities per date; bigger ones the cheap three
#: (betweenness, closeness and eigenvector take minutes on tens of thousands of nodes; use
#: ``citygraph analyze centrality`` for those)
ALL_MEASURES_UP_TO = 3000
CHEAP_MEASURES = ("degree", "weighted_degree", "pagerank")
#: above this many relationships, evidence rows from data files (``cg:sourceRecord``) stay on
#: the linked-data pages; quotes from documents, sources and dates are always in the payload
RECORDS_UP_TO = 5000
DEFAULT_CITY = ID + "city/helsinki"
DEFAULT_MEASURE = "degree"

#: node kinds (``Ties.entities.kind``) -> the class whose label names them
NODE_KIND_CLASSES = {
    "city": CG + "City",
    "network": CG + "CityNetwork",
    "organisation": CG + "Organization",
    "office": CG + "Office",
    "unit": CG + "OrganizationalUnit",
    "country": CG + "Country",
    "region": CG + "Region",
}

_ROLES = "org:member org:organization cg:party cg:host cg:hosted cg:operator cg:office cg:owner cg:owned"

_NODE_FACTS = """
SELECT DISTINCT ?x ?country ?lat ?long WHERE {
  VALUES ?role { %s }
  ?rel ?role ?x . FILTER(isIRI(?x))
  OPTIONAL { ?x cg:country ?country }
  OPTIONAL { ?x geo:lat ?lat ; geo:long ?long }
}""" % _ROLES

_PLACED = """
SELECT DISTINCT ?x ?lat ?long WHERE {
  VALUES ?role { %s }
  ?rel ?role ?x . FILTER(isIRI(?x))
  FILTER NOT EXISTS { ?x geo:lat ?own }
  ?x cg:locatedIn ?place . ?place geo:lat ?lat ; geo:long ?long .
}""" % _ROLES

_REL_FACTS = """
SELECT ?rel ?p ?o WHERE {
  VALUES ?p { cg:status cg:statusReason cg:startDate cg:endDate cg:startNotBefore cg:startNotAfter
              cg:endNotBefore cg:endNotAfter cg:lastAttested cg:focusArea cg:partnershipKind
              org:role cg:signed }
  ?rel cg:relationshipKind ?kind ; ?p ?o .
}"""

_EVIDENCE = """
SELECT ?rel ?att ?source ?quote ?record ?on ?described ?focus WHERE {
  ?rel cg:relationshipKind ?kind ; cg:attestation ?att .
  OPTIONAL { ?att cg:source ?source }
  OPTIONAL { ?att cg:quote ?quote }
  OPTIONAL { ?att cg:sourceRecord ?record }
  OPTIONAL { ?att cg:attestedOn ?on }
  OPTIONAL { ?att cg:describedAs ?described }
  OPTIONAL { ?att cg:focusArea ?focus }
}"""

_SOURCES = """
SELECT ?s ?title ?issued ?notBefore ?notAfter WHERE {
  { SELECT DISTINCT ?s WHERE { ?rel cg:relationshipKind ?k .
      { ?rel cg:attestation/cg:source ?s } UNION { ?rel prov:wasDerivedFrom ?s } } }
  OPTIONAL { ?s dcterms:title ?title }
  OPTIONAL { ?s dcterms:issued ?issued }
  OPTIONAL { ?s cg:issuedNotBefore ?notBefore }
  OPTIONAL { ?s cg:issuedNotAfter ?notAfter }
}"""

_CONCEPTS = """
SELECT DISTINCT ?c WHERE { VALUES ?scheme { %s } ?c skos:inScheme ?scheme }"""


def _select(graph: CityGraph, sparql: str) -> list[tuple]:
    result = graph.store.query(sparql, prefixes=PREFIXES, use_default_graph_as_union=True)
    return [tuple(solution) for solution in result]


def _value(term: object) -> str | None:
    return None if term is None else term.value


def _labels(graph: CityGraph, iri: str) -> dict[str, str]:
    """Names in en, fi and sv; just ``{"en": …}`` when the three are the same (readers fall back
    to English)."""
    labels = {lang: graph.label(iri, lang) for lang in LANGS}
    return {"en": labels["en"]} if len(set(labels.values())) == 1 else labels


def _slug(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _dated(term: object) -> dict | None:
    """A start or end date as stored: ``{"value": "2022-02", "precision": "month"}``."""
    if term is None or not isinstance(term, ox.Literal):
        return None
    try:
        prec = temporal.precision(term).rsplit("/", 1)[-1]
    except ValueError:
        prec = ""
    return {"value": term.value, "precision": prec}


def _text(terms: list) -> dict[str, str] | None:
    """Literals by language (``""`` for none); None when there are none."""
    out: dict[str, str] = {}
    for term in terms:
        if isinstance(term, ox.Literal):
            out.setdefault(term.language or "", term.value)
    return out or None


def _source_date(issued: object, lo: object, hi: object) -> str | None:
    if issued is not None:
        return issued.value
    if lo is not None or hi is not None:
        return f"{lo.value if lo is not None else '…'} – {hi.value if hi is not None else '…'}"
    return None


def change_dates(ties: Ties) -> list[date]:
    """Every date on which the set of active relationships changes, sorted."""
    dates = set(d for d in ties.relationships["active_from"] if d is not None)
    dates |= set(d for d in ties.relationships["active_until"] if d is not None)
    return sorted(dates)


def snapshot_dates(ties: Ties, start: date, end: date) -> tuple[list[date], bool]:
    """Dates to compute centralities on, and whether they are exact (every change date).

    The value for a date D is the one of the latest snapshot date on or before D; with every
    change date that is exact, else it is the value at the start of D's year.
    """
    changes = [d for d in change_dates(ties) if d <= end]
    first = [start] if not changes or changes[0] > start else []
    exact = first + [d for d in changes if d >= start]
    if len(exact) <= MAX_SNAPSHOTS:
        return exact, True
    return [date(y, 1, 1) for y in range(start.year, end.year + 1)], False


def centralities(ties: Ties, node_index: dict[str, int], dates: Sequence[date],
                 layers: Sequence[str] | None = None,
                 measures: Sequence[str] = MEASURES) -> dict[str, list[list[float]]]:
    """``measures`` on the ``combined`` graph, per date and node (a node absent scores 0).

    All of :data:`MEASURES` come from :func:`~citygraph.analysis.centralities.scores`; the cheap
    ones alone (:data:`CHEAP_MEASURES`, for big graphs) from the same sparse algorithms of
    :mod:`citygraph.analysis.algorithms` directly. Values keep 4 significant digits.
    """
    out: dict[str, list[list[float]]] = {m: [] for m in measures}
    n = len(node_index)
    everything = set(measures) - set(CHEAP_MEASURES)
    for day in dates:
        snap = ties.snapshot(day, layers)
        rows = {m: [0] * n for m in measures}
        if len(snap.relationships):
            if everything:
                table = scores(snap, "combined")
                iris, values = list(table["iri"]), {m: table[m].tolist() for m in measures}
            else:
                adj = snap.adjacency("combined")
                iris = adj.nodes
                compute = {"degree": algorithms.degree, "weighted_degree": algorithms.strength,
                           "pagerank": algorithms.pagerank}
                values = {m: compute[m](adj.matrix).tolist() for m in measures}
            idx = [node_index.get(iri) for iri in iris]
            for m in measures:
                column = rows[m]
                for i, value in zip(idx, values[m]):
                    if i is not None:
                        column[i] = _compact(value)
        for m in measures:
            out[m].append(rows[m])
    return out


def _compact(value: float) -> float | int:
    """4 significant digits; whole numbers as integers (short JSON)."""
    rounded = float(f"{value:.4g}")
    return int(rounded) if rounded.is_integer() else rounded


def build(graph: CityGraph, layers: Sequence[str] | None = None, today: date | None = None,
          with_centrality: bool = True, ties: Ties | None = None) -> dict:
    """The whole payload for ``graph`` (relationships of ``layers``, all when None).

    ``ties`` reuses relationships already read with :meth:`Ties.load`; ``with_centrality=False``
    leaves out the centralities (a static picture computes them for its one date).
    """
    from citygraph.viz.layout import positions  # noqa: PLC0415 (networkx layout, on demand)

    today = today or date.today()
    ties = ties if ties is not None else Ties.load(graph)
    chosen = ties.check_layers(layers)
    rels = ties.relationships[ties.active(None, chosen)].reset_index(drop=True)
    edges = ties.pairs(rels)
    parts = ties.participants[ties.participants["rel"].isin(set(rels["rel"]))]

    # ---------------------------------------------------------------- nodes
    entity = ties.entities.set_index("iri")
    iris = sorted(set(parts["iri"]))
    node_index = {iri: i for i, iri in enumerate(iris)}
    facts: dict[str, dict] = defaultdict(dict)
    for x, country, lat, long in _select(graph, _NODE_FACTS):
        f = facts[x.value]
        if country is not None:
            f.setdefault("country", country.value)
        if lat is not None and long is not None:
            try:
                f.setdefault("coords", (float(lat.value), float(long.value)))
            except ValueError:
                pass
    for x, lat, long in _select(graph, _PLACED):
        try:
            facts[x.value].setdefault("coords", (float(lat.value), float(long.value)))
        except ValueError:
            pass
    kinds = {iri: str(entity.at[iri, "kind"]) for iri in iris if iri in entity.index}
    pos = positions(iris, [(a, b) for a, b in zip(edges["a"], edges["b"])], kinds=kinds)
    nodes = []
    for iri in iris:
        f = facts.get(iri, {})
        lat, lon = f.get("coords", (None, None))
        x, y = pos[iri]
        nodes.append({
            "id": iri, "path": local_path(iri),
            "kind": str(entity.at[iri, "kind"]) if iri in entity.index else "other",
            "label": _labels(graph, iri),
            "country": f.get("country"),
            "lat": lat, "lon": lon,
            "x": round(x, 2), "y": round(y, 2),
        })
    countries = {c: _labels(graph, c) for c in sorted({n["country"] for n in nodes if n["country"]})}

    # ---------------------------------------------------------------- relationships
    rel_index = {iri: i for i, iri in enumerate(rels["rel"])}
    props: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for rel, p, o in _select(graph, _REL_FACTS):
        if rel.value in rel_index:
            values = props[rel.value][p.value]
            if o not in values:
                values.append(o)
    evidence: dict[str, dict] = defaultdict(dict)
    for rel, att, source, quote, record, on, described, focus in _select(graph, _EVIDENCE):
        if rel.value not in rel_index:
            continue
        key = str(att)
        e = evidence[rel.value].setdefault(key, {
            "source": _value(source), "on": _value(on),
            "quote": _value(quote), "lang": quote.language if quote is not None else None,
            "record": _value(record), "described": [], "focus": []})
        if described is not None and described.value not in e["described"]:
            e["described"].append(described.value)
        if focus is not None and focus.value not in e["focus"]:
            e["focus"].append(focus.value)

    source_rows: dict[str, dict] = {}
    for s, title, issued, lo, hi in _select(graph, _SOURCES):
        row = source_rows.setdefault(s.value, {"titles": [], "date": _source_date(issued, lo, hi)})
        if title is not None:
            row["titles"].append(title)
    source_ids = sorted(source_rows)
    source_index = {iri: i for i, iri in enumerate(source_ids)}
    sources = []
    for iri in source_ids:
        titles = _text(source_rows[iri]["titles"]) or {}
        title = next((titles[lang] for lang in ("en", "fi", "sv", "") if lang in titles), None)
        sources.append({"id": iri, "path": local_path(iri),
                        "title": title or graph.label(iri), "date": source_rows[iri]["date"]})

    keep_records = len(rels) <= RECORDS_UP_TO
    relationships = []
    used_vocab: set[str] = set()
    for row in rels.itertuples(index=False):
        p = props.get(row.rel, {})
        atts = sorted(evidence.get(row.rel, {}).values(), key=lambda e: (e["on"] or "", e["quote"] or ""))
        focus = sorted({f.value for f in p.get(CG + "focusArea", [])}
                       | {f for e in atts for f in e["focus"]})
        roles = sorted({r.value for r in p.get(PREFIXES["org"] + "role", [])}
                       | {r.value for r in p.get(CG + "partnershipKind", [])}
                       | {d for e in atts for d in e["described"]})
        used_vocab.update(focus, roles)
        status = p.get(CG + "status", [])
        src = sorted({source_index[e["source"]] for e in atts if e["source"] in source_index})
        for e in atts:
            e["source"] = source_index.get(e["source"])
            if not keep_records:
                e["record"] = None
            for k in ("quote", "lang", "record", "on"):
                if e[k] is None:
                    del e[k]
            for k in ("described", "focus"):
                if not e[k]:
                    del e[k]
        relationships.append({
            "id": row.rel, "path": local_path(row.rel), "kind": row.kind,
            "from": row.active_from.isoformat() if row.active_from else None,
            "until": row.active_until.isoformat() if row.active_until else None,
            "status": _slug(status[0].value) if status else None,
            "reason": _text(p.get(CG + "statusReason", [])),
            "start": _dated((p.get(CG + "startDate") or p.get(CG + "startNotAfter") or [None])[0]),
            "end": _dated((p.get(CG + "endDate") or p.get(CG + "endNotAfter") or [None])[0]),
            "signed": _dated((p.get(CG + "signed") or [None])[0]),
            "last": _value((p.get(CG + "lastAttested") or [None])[0]),
            "layers": list(row.layers),
            "sources": src,
            "focus": focus,
            "roles": roles,
            "evidence": atts,
            "parties": [],
        })
    for rel, group in parts.groupby("rel"):
        relationships[rel_index[rel]]["parties"] = sorted({node_index[x] for x in group["iri"]})
    edge_rows = [[rel_index[r], node_index[a], node_index[b]]
                 for r, a, b in zip(edges["rel"], edges["a"], edges["b"])]

    # ---------------------------------------------------------------- words and period
    words = {
        "kinds": {k: _labels(graph, PREFIXES["rkind"] + k) for k in sorted(set(rels["kind"]))},
        "node_kinds": {k: _labels(graph, NODE_KIND_CLASSES[k]) if k in NODE_KIND_CLASSES
                       else {lang: k for lang in LANGS} for k in sorted({n["kind"] for n in nodes})},
        "statuses": {s: _labels(graph, PREFIXES["status"] + s)
                     for s in sorted({r["status"] for r in relationships if r["status"]})},
        "vocab": {iri: _labels(graph, iri) for iri in sorted(used_vocab)},
        "layers": {name: _layer_title(name) for name in ties.layers if chosen is None or name in chosen},
    }
    dates = [d for d in list(rels["active_from"]) + list(rels["active_until"]) if d is not None]
    start = min([PERIOD_START, *dates])
    end = max([PERIOD_END, today, *dates])

    out = {
        "version": 1,
        "generated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "period": {"min": start.isoformat(), "max": end.isoformat()},
        "defaults": {"date": min(today, end).isoformat(),
                     "city": DEFAULT_CITY if DEFAULT_CITY in node_index else _busiest(edge_rows, iris),
                     "measure": DEFAULT_MEASURE},
        "words": words,
        "nodes": nodes,
        "relationships": relationships,
        "edges": edge_rows,
        "sources": sources,
        "countries": countries,
        "layers": list(chosen) if chosen else None,
    }
    if with_centrality:
        snaps, exact = snapshot_dates(ties, start, end)
        measures = MEASURES if len(nodes) <= ALL_MEASURES_UP_TO else CHEAP_MEASURES
        out["centrality"] = {
            "graph": "combined", "exact": exact,
            "dates": [d.isoformat() for d in snaps],
            "measures": centralities(ties, node_index, snaps, chosen, measures),
        }
    return out


def _busiest(edge_rows: list[list[int]], iris: list[str]) -> str | None:
    counts: dict[int, int] = defaultdict(int)
    for _r, a, b in edge_rows:
        counts[a] += 1
        counts[b] += 1
    return iris[max(counts, key=counts.__getitem__)] if counts else None


def _layer_title(name: str) -> str:
    try:
        from citygraph.layers.registry import by_graph  # noqa: PLC0415
    except ImportError:  # pragma: no cover - the layers package is optional
        return name
    info = by_graph(GRAPH + name)
    return info.title if info is not None else name


def for_browser(data: dict) -> dict:
    """A smaller copy of a payload for the pages (``common.js`` ``CG.prepare`` undoes it):

    * an ``id`` that is ``https://w3id.org/citygraph/id/`` + ``path`` is left out;
    * vocabulary and country IRIs are compact names (``role:participant``, ``country:spain``);
    * empty values (None, ``[]``) are left out; layers are indexes into ``layer_names``;
    * above :data:`ALL_MEASURES_UP_TO` nodes, centralities are thousandths of each date's largest
      value (``centrality.scale`` holds those largest values).

    For the curated graph that is about half the size; for tens of thousands of relationships the
    difference between a page that opens and one that does not.
    """
    layer_names = sorted({layer for r in data["relationships"] for layer in r["layers"]})
    layer_index = {name: i for i, name in enumerate(layer_names)}

    def lean(item: dict) -> dict:
        out = {k: v for k, v in item.items() if v is not None and v != []}
        if out.get("path") and out.get("id") == ID + out["path"]:
            del out["id"]
        return out

    nodes = []
    for n in data["nodes"]:
        m = lean(n)
        if "country" in m:
            m["country"] = compact(m["country"])
        nodes.append(m)
    rels = []
    for r in data["relationships"]:
        m = lean(r)
        for key in ("roles", "focus"):
            if key in m:
                m[key] = [compact(x) for x in m[key]]
        m["layers"] = [layer_index[x] for x in r["layers"]]
        if "evidence" in m:
            m["evidence"] = [{**e, **{k: [compact(x) for x in e[k]] for k in ("described", "focus") if k in e}}
                             for e in m["evidence"]]
        rels.append(m)
    words = {**data["words"], "vocab": {compact(k): v for k, v in data["words"]["vocab"].items()}}
    out = {**data, "nodes": nodes, "relationships": rels, "words": words, "layer_names": layer_names,
           "countries": {compact(k): v for k, v in data["countries"].items()}, "id_base": ID}
    cent = data.get("centrality")
    if cent and len(data["nodes"]) > ALL_MEASURES_UP_TO:
        scale = {m: [max(row) if row else 0 for row in rows] for m, rows in cent["measures"].items()}
        out["centrality"] = {**cent, "scale": scale, "measures": {
            m: [[round(1000 * v / top) if top else 0 for v in row] for row, top in zip(rows, scale[m])]
            for m, rows in cent["measures"].items()}}
    return out


_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def cached(graph: CityGraph, layers: Sequence[str] | None = None) -> dict:
    """:func:`build` once per graph and choice of layers (a graph is immutable once built)."""
    per_graph = _cache.setdefault(graph, {})
    key = tuple(sorted(layers)) if layers else None
    if key not in per_graph:
        per_graph[key] = build(graph, key)
    return per_graph[key]


__all__ = ["LANGS", "MEASURES", "build", "cached", "centralities", "change_dates", "for_browser",
           "snapshot_dates"]
