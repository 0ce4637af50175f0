"""Where sources disagree: ``citygraph discrepancies``, ``/api/discrepancies``.

Every layer keeps its own claims; this report puts side by side what one source asserts and
another contradicts or leaves out. It reads only the built graph (curated data, imported
layers and their derived dates), so it answers for whatever ``citygraph build --layers``
loaded. Sections:

``policy_conflicts``
    twin links that an external layer records for a city whose own policy statement says it has
    no official twin cities (:data:`POLICIES_DENYING_TWINS`: Helsinki's "Helsingfors har inga
    officiella vänskapsstäder" against Wikidata's ten P190 links);
``ended_but_active_elsewhere``
    relationships the curated data shows ended whose counterpart in a layer is still active
    after that end (Helsinki–St Petersburg: ended February 2022, an active twin link in
    Wikidata);
``russia_after_2022``
    relationships in the layers with a party in Russia that are still active on 2022-03-01,
    when cooperation with Russian cities ended for Helsinki; those a source attested after
    February 2022 first;
``missing_reciprocal``
    twin links stated on one side only: a Wikidata P190 statement without the reverse one, a
    Wikipedia list entry whose partner has a list of its own that does not name it;
``dropped_between_sources``
    Wikidata (2016) twin links between two places that both have Wikipedia (2026) lists,
    neither of which names the other: possibly ended since 2016;
``snapshot_differences``
    memberships listed in some snapshots of a dataset and not in others (ClimActor September
    2020 vs December 2022; BaltMet 2002, 2009 and undated), with each network's coverage per
    snapshot so that a network's absence is not mistaken for a city's departure;
``curated_not_listed``
    curated memberships that an external member list covering the same network does not name.

Each section has ``count`` and ``items`` (``limit`` keeps the first items; the counts are
always complete). The "active" test is the one of :mod:`citygraph.temporal`, through the
derived ``cg:activeFrom``/``cg:activeUntil``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

from citygraph.layers.registry import by_graph
from citygraph.namespaces import CURATED_GRAPH, GRAPH, PREFIXES, compact

POLICY = PREFIXES["policy"]
#: curated policy statements that an external twin link contradicts, and how
POLICIES_DENYING_TWINS = {
    POLICY + "no-official-twin-cities": "the city states that it has no official twin cities",
}
RUSSIA_CUTOFF = "2022-03-01"


def _in(layer_graphs: list[str]) -> str:
    """``VALUES ?g { … }``: the imported layers' own graphs (not curated, not derived)."""
    return "VALUES ?g { " + " ".join(f"<{g}>" for g in layer_graphs) + " }"


def _rows(graph, sparql: str, **params: object) -> list[dict]:  # noqa: ANN001 (CityGraph)
    result = graph.query(sparql, params)
    return [dict(zip(result.variables, row)) for row in result.rows]


def _v(term: object) -> str | None:
    return None if term is None else term.value  # type: ignore[attr-defined]


class _Labels:
    """Labels (and IRIs in prefixed form) for the report: fetched in batches for the IRIs a
    section names (the graph-wide label index takes long to build with every layer loaded)."""

    CHUNK = 800

    def __init__(self, graph, lang: str) -> None:  # noqa: ANN001
        self.graph = graph
        self.lang = lang
        self._cache: dict[str, str] = {}

    def prefetch(self, iris: Iterable[str | None]) -> None:
        todo = sorted({i for i in iris if i and i not in self._cache and "://" in i})
        order = (self.lang, "en", "fi", "sv")
        for start in range(0, len(todo), self.CHUNK):
            chunk = todo[start:start + self.CHUNK]
            values = " ".join(f"<{i}>" for i in chunk)
            found: dict[str, list[tuple]] = defaultdict(list)
            for r in _rows(self.graph, f"""SELECT ?s ?l ?rank WHERE {{ VALUES ?s {{ {values} }}
                    {{ ?s skos:prefLabel ?l BIND(0 AS ?rank) }} UNION {{ ?s rdfs:label ?l BIND(1 AS ?rank) }} }}"""):
                lit = r["l"]
                lang = getattr(lit, "language", None) or ""
                found[_v(r["s"])].append((int(r["rank"].value), order.index(lang) if lang in order else 9,
                                          lit.value))
            for iri in chunk:
                options = sorted(found.get(iri, []))
                self._cache[iri] = options[0][2] if options else iri.rstrip("/").rsplit("/", 1)[-1]

    def ref(self, iri: str | None) -> dict | None:
        if iri is None:
            return None
        if iri not in self._cache:
            self.prefetch([iri])
        return {"iri": iri, "name": compact(iri), "label": self._cache[iri]}


def _prefetch(labels: _Labels, rows: list[dict], *names: str) -> None:
    labels.prefetch(_v(r[n]) for r in rows for n in names if r.get(n) is not None)


def _layer(graph_iri: str | None) -> str | None:
    info = by_graph(graph_iri) if graph_iri else None
    return info.name if info else graph_iri


def _section(items: list[dict], limit: int | None, **extra: object) -> dict:
    return {"count": len(items), **extra, "items": items if limit is None else items[:limit]}


# --------------------------------------------------------------------------- sections

def policy_conflicts(graph, labels: _Labels, city: str | None, layer_graphs: list[str]) -> list[dict]:  # noqa: ANN001
    items = []
    for policy, why in POLICIES_DENYING_TWINS.items():
        rows = _rows(graph, """
            SELECT ?city ?quote ?source ?issued WHERE {
              ?policy cg:policyOf ?city .
              OPTIONAL { ?policy cg:attestation ?pa . ?pa cg:quote ?quote ; cg:source ?source .
                         OPTIONAL { ?pa cg:attestedOn ?issued } }
            }""", policy=ox.NamedNode(policy))
        if not rows:
            continue
        owner = _v(rows[0]["city"])
        if city and owner != city:
            continue
        statement = {"policy": labels.ref(policy), "why": why,
                     "quotes": [{"quote": _v(r["quote"]), "source": labels.ref(_v(r["source"])),
                                 "attested_on": _v(r["issued"])} for r in rows if r["quote"]]}
        links = _rows(graph, f"""
            SELECT ?rel ?g ?partner ?source ?on ?row ?record ?about WHERE {{
              GRAPH ?g {{ ?rel a cg:Partnership ; cg:party ?city, ?partner ;
                               cg:attestation ?a . ?a cg:describedAs pkind:twin ; cg:source ?source .
                         OPTIONAL {{ ?a cg:sourceRow ?row }} OPTIONAL {{ ?a cg:sourceRecord ?record }}
                         OPTIONAL {{ ?a dcterms:subject ?about }} }}
              {_in(layer_graphs)}
              FILTER(?partner != ?city)
              OPTIONAL {{ ?a cg:attestedOn ?on }}
            }} ORDER BY ?partner ?row""", city=ox.NamedNode(owner))
        _prefetch(labels, links, "rel", "partner", "source", "about")
        by_rel: dict[str, dict] = {}
        for r in links:
            rel = _v(r["rel"])
            entry = by_rel.setdefault(rel, {
                "kind": "policy_conflict", "city": labels.ref(owner), "partner": labels.ref(_v(r["partner"])),
                "relationship": labels.ref(rel), "layer": _layer(_v(r["g"])), "statement": statement,
                "evidence": [], "curated": _curated_partnership(graph, labels, owner, _v(r["partner"]))})
            entry["evidence"].append({"source": labels.ref(_v(r["source"])), "attested_on": _v(r["on"]),
                                      "row": int(r["row"].value) if r["row"] else None,
                                      "record": _v(r["record"]), "stated_on": labels.ref(_v(r["about"]))})
        items.extend(sorted(by_rel.values(), key=lambda e: (e["layer"] or "", e["partner"]["label"])))
    return items


def _curated_partnership(graph, labels: _Labels, a: str, b: str) -> dict | None:  # noqa: ANN001
    rows = _rows(graph, f"""
        SELECT ?rel ?status ?until (GROUP_CONCAT(DISTINCT STR(?kind); separator=" ") AS ?kinds) WHERE {{
          GRAPH <{CURATED_GRAPH}> {{ ?rel a cg:Partnership ; cg:party ?a, ?b . OPTIONAL {{ ?rel cg:status ?status }} }}
          OPTIONAL {{ ?rel cg:partnershipKind ?kind }} OPTIONAL {{ ?rel cg:activeUntil ?until }}
        }} GROUP BY ?rel ?status ?until""", a=ox.NamedNode(a), b=ox.NamedNode(b))
    if not rows or rows[0]["rel"] is None:
        return None
    r = rows[0]
    return {**labels.ref(_v(r["rel"])), "status": compact(_v(r["status"])) if r["status"] else None,
            "active_until": _v(r["until"]),
            "described_as": [compact(k) for k in (_v(r["kinds"]) or "").split() if k]}


def ended_but_active_elsewhere(graph, labels: _Labels, city: str | None, layer_graphs: list[str]) -> list[dict]:  # noqa: ANN001
    rows = _rows(graph, f"""
        SELECT DISTINCT ?c ?x ?g ?a ?b ?end ?reason ?from ?until ?last WHERE {{
          GRAPH <{CURATED_GRAPH}> {{ ?c a ?class . }}
          VALUES ?class {{ cg:Partnership cg:Membership }}
          ?c cg:activeUntil ?end .
          {{ ?c cg:party ?a, ?b FILTER(STR(?a) < STR(?b)) }} UNION {{ ?c org:member ?a ; org:organization ?b }}
          GRAPH ?g {{ ?x a ?class }}
          {_in(layer_graphs)}
          {{ ?x cg:party ?a, ?b }} UNION {{ ?x org:member ?a ; org:organization ?b }}
          ?x cg:activeFrom ?from .
          OPTIONAL {{ ?x cg:activeUntil ?until }}
          OPTIONAL {{ ?x cg:lastAttested ?last }}
          OPTIONAL {{ ?c cg:statusReason ?reason FILTER(LANG(?reason) = "en") }}
          FILTER(!BOUND(?until) || ?until > ?end)
        }} ORDER BY ?a ?b ?g""")
    _prefetch(labels, rows, "a", "b", "c", "x")
    items = []
    for r in rows:
        if city and city not in (_v(r["a"]), _v(r["b"])):
            continue
        items.append({
            "kind": "ended_but_active_elsewhere", "parties": [labels.ref(_v(r["a"])), labels.ref(_v(r["b"]))],
            "curated": {**labels.ref(_v(r["c"])), "active_until": _v(r["end"]), "reason": _v(r["reason"])},
            "external": {**labels.ref(_v(r["x"])), "layer": _layer(_v(r["g"])), "active_from": _v(r["from"]),
                         "active_until": _v(r["until"]), "last_attested": _v(r["last"])},
        })
    return items


def russia_after_2022(graph, labels: _Labels, city: str | None, layer_graphs: list[str]) -> tuple[list[dict], dict]:  # noqa: ANN001
    russian = [_v(r["ru"]) for r in _rows(graph, 'SELECT DISTINCT ?ru WHERE { ?ru cg:country/cg:isoCode "RU" }')]
    if city:
        russian = [city] if city in russian else russian
    rows: list[dict] = []
    for start in range(0, len(russian), 500):
        values = " ".join(f"<{i}>" for i in russian[start:start + 500])
        other = f"VALUES ?other {{ <{city}> }}" if city and city not in russian else ""
        rows += _rows(graph, f"""
            SELECT ?rel ?g ?class ?ru ?other ?from ?until ?last WHERE {{
              VALUES ?ru {{ {values} }} {other}
              {{ GRAPH ?g {{ ?rel cg:party ?ru ; cg:party ?other ; a ?class }} FILTER(?other != ?ru) }}
              UNION {{ GRAPH ?g {{ ?rel org:member ?ru ; org:organization ?other ; a ?class }} }}
              {_in(layer_graphs)}
              ?rel cg:activeFrom ?from .
              OPTIONAL {{ ?rel cg:activeUntil ?until }}
              OPTIONAL {{ ?rel cg:lastAttested ?last }}
              FILTER(!BOUND(?until) || ?until > "{RUSSIA_CUTOFF}"^^xsd:date)
            }}""")
    _prefetch(labels, rows, "ru", "other", "rel")
    items = []
    per_layer: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    seen = set()
    for r in rows:
        key = _v(r["rel"])
        if key in seen:
            continue
        seen.add(key)
        if city and city not in (_v(r["ru"]), _v(r["other"])):
            continue
        last = _v(r["last"])
        after = bool(last and last >= RUSSIA_CUTOFF)
        layer = _layer(_v(r["g"]))
        per_layer[layer]["attested after February 2022" if after else "last attested before March 2022"] += 1
        items.append({
            "kind": "russia_after_2022", "relationship": labels.ref(key), "layer": layer,
            "type": compact(_v(r["class"])), "russian_party": labels.ref(_v(r["ru"])),
            "other_party": labels.ref(_v(r["other"])), "active_from": _v(r["from"]),
            "active_until": _v(r["until"]), "last_attested": last, "attested_after_cutoff": after,
        })
    curated_first = {iri for iri in _curated_iris(graph)}
    items.sort(key=lambda e: (not (e["other_party"]["iri"] in curated_first or e["russian_party"]["iri"] in curated_first),
                              not e["attested_after_cutoff"], e["layer"] or "", e["russian_party"]["label"],
                              e["other_party"]["label"]))
    return items, {k: dict(v) for k, v in sorted(per_layer.items())}


def _curated_iris(graph) -> Iterable[str]:  # noqa: ANN001
    return [_v(r["c"]) for r in _rows(graph, f"SELECT ?c WHERE {{ GRAPH <{CURATED_GRAPH}> {{ ?c a cg:City }} }}")]


_DIRECTIONAL: dict[tuple, tuple[dict, dict]] = {}


def _directional(graph, layer_graphs: list[str]) -> tuple[dict, dict]:  # noqa: ANN001
    """Per partnership of the layers: its parties, and its attestations that name the side they
    are stated on (``dcterms:subject``) -> ``{rel: {"g", "parties"}}``, ``{rel: [attestations]}``."""
    key = (id(graph), graph.manifest.get("fingerprint"), tuple(layer_graphs))
    if key in _DIRECTIONAL:
        return _DIRECTIONAL[key]
    values = " ".join(f"<{g}>" for g in layer_graphs)
    parties: dict[str, dict] = {}
    for r in _rows(graph, f"""SELECT ?g ?rel ?party WHERE {{ VALUES ?g {{ {values} }}
                               GRAPH ?g {{ ?rel a cg:Partnership ; cg:party ?party }} }}"""):
        parties.setdefault(_v(r["rel"]), {"g": _v(r["g"]), "parties": set()})["parties"].add(_v(r["party"]))
    stated: dict[str, list[dict]] = defaultdict(list)
    for r in _rows(graph, f"""SELECT ?rel ?source ?about ?row WHERE {{ VALUES ?g {{ {values} }}
                               GRAPH ?g {{ ?rel cg:attestation ?a . ?a dcterms:subject ?about ; cg:source ?source ;
                                          cg:sourceRow ?row }} }}"""):
        stated[_v(r["rel"])].append({"source": _v(r["source"]), "about": _v(r["about"]),
                                     "row": int(r["row"].value)})
    _DIRECTIONAL.clear()
    _DIRECTIONAL[key] = (parties, stated)
    return parties, stated


def missing_reciprocal(graph, labels: _Labels, city: str | None,  # noqa: ANN001
                       layer_graphs: list[str]) -> tuple[list[dict], dict]:
    """Links a directional source states on one side only, where the other side has entries of
    its own in that source (a Wikidata item with P190 statements, a city with its own list)."""
    parties, stated = _directional(graph, layer_graphs)
    has_entries: dict[str, set[str]] = defaultdict(set)  # source -> entities it states links on
    for atts in stated.values():
        for a in atts:
            has_entries[a["source"]].add(a["about"])
    items, counts = [], defaultdict(int)
    found = []
    for rel in sorted(stated):
        atts = stated[rel]
        info = parties.get(rel)
        if info is None or len(info["parties"]) != 2:
            continue
        for source in sorted({a["source"] for a in atts}):
            sides = {a["about"] for a in atts if a["source"] == source}
            if len(sides) != 1:
                continue
            (side,) = sides
            other = next(iter(info["parties"] - {side}))
            if other not in has_entries[source]:
                continue
            if city and city not in (side, other):
                continue
            found.append((rel, info, source, side, other, next(a for a in atts if a["source"] == source)))
    labels.prefetch(x for rel, _i, source, side, other, _a in found for x in (rel, source, side, other))
    for rel, info, source, side, other, first in found:
        layer = _layer(info["g"])
        counts[layer] += 1
        items.append({"kind": "missing_reciprocal", "relationship": labels.ref(rel), "layer": layer,
                      "source": labels.ref(source), "stated_on": labels.ref(side),
                      "missing_on": labels.ref(other), "row": first["row"]})
    items.sort(key=lambda e: (e["layer"] or "", e["stated_on"]["label"], e["missing_on"]["label"]))
    return items, dict(sorted(counts.items()))


def dropped_between_sources(graph, labels: _Labels, city: str | None,  # noqa: ANN001
                            layer_graphs: list[str]) -> list[dict]:
    wd, wp = GRAPH + "wikidata-p190", GRAPH + "wikipedia-twin-towns"
    if wd not in layer_graphs or wp not in layer_graphs:
        return []
    parties, stated = _directional(graph, layer_graphs)
    wp_pairs = {frozenset(i["parties"]) for i in parties.values() if i["g"] == wp}
    with_lists = {a["about"] for rel, atts in stated.items() if parties.get(rel, {}).get("g") == wp for a in atts}
    candidates = []
    for rel, info in parties.items():
        if info["g"] != wd or len(info["parties"]) != 2:
            continue
        a, b = sorted(info["parties"])
        if a in with_lists and b in with_lists and frozenset((a, b)) not in wp_pairs:
            if city and city not in (a, b):
                continue
            candidates.append((rel, a, b))
    country = {_v(r["e"]): _v(r["iso"]) for r in _rows(
        graph, "SELECT ?e ?iso WHERE { ?e a cg:City ; cg:country/cg:isoCode ?iso }")}
    labels.prefetch(x for c in candidates for x in c)
    items = []
    for rel, a, b in candidates:
        countries = sorted(c for c in (country.get(a), country.get(b)) if c)
        items.append({"kind": "dropped_between_sources", "relationship": labels.ref(rel),
                      "parties": [labels.ref(a), labels.ref(b)], "countries": countries,
                      "asserted_by": "wikidata-p190", "absent_from": "wikipedia-twin-towns",
                      "involves_russia": "RU" in countries})
    items.sort(key=lambda e: (not e["involves_russia"], e["parties"][0]["label"], e["parties"][1]["label"]))
    return items


def snapshot_differences(graph, labels: _Labels, city: str | None, layer_graphs: list[str]) -> tuple[list[dict], list[dict]]:  # noqa: ANN001
    """Memberships not listed in every snapshot of their dataset (layers with several sources)."""
    rows = _rows(graph, f"""
        SELECT ?g ?rel ?member ?net ?source ?issued WHERE {{
          GRAPH ?g {{ ?rel a cg:Membership ; org:member ?member ; org:organization ?net ;
                             cg:attestation ?a . ?a cg:source ?source }}
          {_in(layer_graphs)}
          OPTIONAL {{ ?source dcterms:issued ?issued }}
        }}""")
    _prefetch(labels, rows, "net")
    snapshots: dict[tuple[str, str], dict[str, str | None]] = defaultdict(dict)  # (layer, network) -> sources
    members: dict[tuple[str, str], set[str]] = defaultdict(set)  # (layer, source) -> members listed
    rels: dict[str, dict] = {}
    for r in rows:
        layer, net, source = _layer(_v(r["g"])), _v(r["net"]), _v(r["source"])
        snapshots[(layer, net)][source] = _v(r["issued"])
        members[(layer, source)].add(_v(r["member"]))
        entry = rels.setdefault(_v(r["rel"]), {"layer": layer, "member": _v(r["member"]), "network": net,
                                               "sources": set()})
        entry["sources"].add(source)
    # a network counts as covered by a snapshot when that snapshot lists any member of it
    coverage = []
    for (layer, net), sources in sorted(snapshots.items()):
        if len({s for (lay, _n), ss in snapshots.items() if lay == layer for s in ss}) < 2:
            continue
        counts = {compact(s): len({e["member"] for e in rels.values()
                                   if e["network"] == net and s in e["sources"]}) for s in sources}
        coverage.append({"layer": layer, "network": labels.ref(net), "members_per_snapshot": counts})
    items = []
    layer_sources: dict[str, set[str]] = defaultdict(set)
    for (layer, _net), sources in snapshots.items():
        layer_sources[layer] |= set(sources)
    found = []
    for rel, e in rels.items():
        all_sources = layer_sources[e["layer"]]
        if len(all_sources) < 2 or e["sources"] == all_sources:
            continue
        if city and city != e["member"]:
            continue
        covering = {s for s in all_sources if s in snapshots[(e["layer"], e["network"])]}
        missing = sorted(covering - e["sources"])
        if missing:
            found.append((rel, e, missing))
    labels.prefetch(x for rel, e, _m in found for x in (rel, e["member"]))
    for rel, e, missing in found:
        items.append({
            "kind": "snapshot_difference", "relationship": labels.ref(rel), "layer": e["layer"],
            "member": labels.ref(e["member"]), "network": labels.ref(e["network"]),
            "listed_in": sorted(compact(s) for s in e["sources"]),
            "not_listed_in": [compact(s) for s in missing],
            "member_in_those_snapshots": [compact(s) for s in missing if e["member"] in members[(e["layer"], s)]],
        })
    items.sort(key=lambda i: (i["layer"], i["network"]["label"], i["member"]["label"]))
    return items, coverage


def curated_not_listed(graph, labels: _Labels, city: str | None,  # noqa: ANN001
                       layer_graphs: list[str]) -> list[dict]:
    """Curated memberships that a layer listing other members of the same network leaves out."""
    curated = _rows(graph, f"""SELECT ?c ?member ?net WHERE {{
        GRAPH <{CURATED_GRAPH}> {{ ?c a cg:Membership ; org:member ?member ; org:organization ?net }} }}""")
    nets = {_v(r["net"]) for r in curated}
    listed: dict[tuple[str, str], set[str]] = defaultdict(set)
    if nets:
        for r in _rows(graph, f"""SELECT ?g ?net ?member WHERE {{ {_in(layer_graphs)}
                VALUES ?net {{ {" ".join(f"<{n}>" for n in sorted(nets))} }}
                GRAPH ?g {{ ?x a cg:Membership ; org:organization ?net ; org:member ?member }} }}"""):
            listed[(_v(r["g"]), _v(r["net"]))].add(_v(r["member"]))
    items = []
    seen = set()
    for r in sorted(curated, key=lambda r: (_v(r["member"]), _v(r["net"]), _v(r["c"]))):
        member, net = _v(r["member"]), _v(r["net"])
        if city and city != member:
            continue
        for (g, n), members in sorted(listed.items()):
            if n != net or member in members or (member, net, g) in seen:
                continue
            seen.add((member, net, g))
            items.append({"kind": "curated_not_listed", "curated": labels.ref(_v(r["c"])),
                          "member": labels.ref(member), "network": labels.ref(net),
                          "layer": _layer(g), "members_the_layer_lists": len(members)})
    return items


# --------------------------------------------------------------------------- the report

def report(graph, city: str | None = None, limit: int | None = None, lang: str = "en") -> dict:  # noqa: ANN001
    """The whole discrepancy report as plain data (JSON-ready). ``city`` (an IRI) keeps the
    disagreements that involve it; ``limit`` caps each section's ``items``."""
    labels = _Labels(graph, lang)
    layers = list(graph.manifest.get("layers") or [])
    files = graph.manifest.get("layer_files") or {}
    layer_graphs = [files[name]["graph"] for name in layers if name in files] or [GRAPH + "none"]
    russia, russia_counts = russia_after_2022(graph, labels, city, layer_graphs)
    reciprocal, reciprocal_counts = missing_reciprocal(graph, labels, city, layer_graphs)
    snapshots, coverage = snapshot_differences(graph, labels, city, layer_graphs)
    return {
        "city": labels.ref(city) if city else None,
        "layers": layers,
        "note": None if layers else "the build has no external layers: run `citygraph import all` "
                                    "and `citygraph build --layers all`",
        "sections": {
            "policy_conflicts": _section(policy_conflicts(graph, labels, city, layer_graphs), limit),
            "ended_but_active_elsewhere": _section(
                ended_but_active_elsewhere(graph, labels, city, layer_graphs), limit),
            "russia_after_2022": _section(russia, limit, cutoff=RUSSIA_CUTOFF, per_layer=russia_counts),
            "missing_reciprocal": _section(reciprocal, limit, per_layer=reciprocal_counts),
            "dropped_between_sources": _section(dropped_between_sources(graph, labels, city, layer_graphs), limit),
            "snapshot_differences": _section(snapshots, limit, coverage=coverage),
            "curated_not_listed": _section(curated_not_listed(graph, labels, city, layer_graphs), limit),
        },
    }


def cached_report(graph, city: str | None = None, limit: int | None = None,  # noqa: ANN001
                  lang: str = "en") -> dict:
    """:func:`report`, computed once per build, city and language and kept as JSON in
    ``STORE_DIR/cache/`` (the full report takes tens of seconds with every layer loaded);
    ``limit`` is applied to the kept report."""
    import hashlib
    import json
    import os

    fingerprint = graph.manifest.get("fingerprint")
    folder = graph.settings.store_dir / "cache"
    path = None
    if fingerprint and graph.location is not None:
        key = hashlib.sha256(f"{city}|{lang}".encode()).hexdigest()[:12]
        path = folder / f"discrepancies-{fingerprint[:16]}-{key}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = None
    else:
        data = None
    if data is None:
        data = report(graph, city=city, limit=None, lang=lang)
        if path is not None:
            try:
                folder.mkdir(parents=True, exist_ok=True)
                for old in folder.glob("discrepancies-*.json"):  # reports of older builds
                    if not old.name.startswith(f"discrepancies-{fingerprint[:16]}-"):
                        old.unlink(missing_ok=True)
                tmp = path.with_suffix(f".{os.getpid()}.tmp")
                tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
                os.replace(tmp, path)
            except OSError:
                pass
    if limit is not None:
        data = {**data, "sections": {name: {**section, "items": section["items"][:limit]}
                                     for name, section in data["sections"].items()}}
    return data
