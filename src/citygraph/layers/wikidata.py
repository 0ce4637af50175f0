"""Wikidata "twinned administrative body" (P190), crawl of September 2016.

``relations.tsv`` holds one statement per line, ``QID_from TAB QID_to``, as stated on the
*from* item; ``names.tsv`` a label per QID (German where Wikidata had one, else en/fr/it/es).
There are no countries, coordinates or dates, so a label alone could name many places. Places
are therefore reconciled only by evidence beyond the name:

1. **QID**: a curated city with that ``cg:wikidataId`` is that place;
2. **name + shared twin (corroborated by Wikipedia)**: when the Wikipedia twin-towns file is
   there, a place Q linked in Wikidata to an already reconciled place N is the GeoNames place E
   if Wikipedia lists E as a twin of N, E carries Q's label as a name or alternate name, every
   reconciled neighbour of Q that proposes a place proposes E alone, and no other QID claims E.
   Repeated until nothing changes, starting from the curated cities.

Everything else becomes ``city:wd-q<number>`` (the QID in lower case) with its label. A pair of places is one
``cg:Partnership`` (``pkind:twin``); each statement is an attestation (line number, the verbatim
line, ``dcterms:subject`` = the item it is stated on), so a link stated on one side only has one
attestation: the missing reciprocal links of the discrepancy report.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from citygraph.config import Settings
from citygraph.layers import wikipedia
from citygraph.layers.base import CITY, SOURCE, LayerWriter, Timer, file_record, source_dir
from citygraph.layers.reconcile import Gazetteer, Match, MatchLog, gazetteer_for, variants
from citygraph.layers.registry import REGISTRY
from citygraph.namespaces import CG, PREFIXES, SKOS

INFO = REGISTRY["wikidata-p190"]
RELATIONS, NAMES = "relations.tsv", "names.tsv"
SOURCE_IRI = SOURCE + "wikidata-p190-2016-09"
ISSUED = "2016-09"
CORROBORATED = "name+shared twin (corroborated by Wikipedia)"


def read(folder: Path) -> tuple[list[tuple[int, str, str, str]], dict[str, str]]:
    """``[(line, verbatim line, from, to)]`` and ``{QID: label}``."""
    names: dict[str, str] = {}
    with (folder / NAMES).open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            qid, sep, label = line.rstrip("\n").partition("\t")
            if not sep or not qid.startswith("Q"):
                raise ValueError(f"{folder / NAMES}:{number}: expected QID TAB label")
            names[qid] = label.strip()
    rows = []
    with (folder / RELATIONS).open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            line = line.rstrip("\n")
            a, sep, b = line.partition("\t")
            if not sep or not a.startswith("Q") or not b.startswith("Q"):
                raise ValueError(f"{folder / RELATIONS}:{number}: expected QID TAB QID")
            rows.append((number, line, a, b.strip()))
    return rows, names


def _wikipedia_links(settings: Settings, gazetteer: Gazetteer,
                     folder: Path | None) -> tuple[dict[int, set[int]], dict | None]:
    """GeoNames id -> GeoNames ids Wikipedia lists as its twins (reconciled places only)."""
    if folder is None:
        folder = settings.shared_dir / "external" / (REGISTRY["wikipedia-twin-towns"].folder or "")
    path = folder / wikipedia.FILE
    if not path.is_file():
        return {}, None
    rows = wikipedia.read_rows(folder)
    places = wikipedia.reconcile(rows, gazetteer)
    links: dict[int, set[int]] = defaultdict(set)
    for _n, _line, p1, p2 in rows:
        m1, m2 = places[p1], places[p2]
        if m1.matched and m2.matched and m1.geonameid != m2.geonameid:
            links[m1.geonameid].add(m2.geonameid)
            links[m2.geonameid].add(m1.geonameid)
    return links, file_record(path, len(rows), wikipedia.FILE)


def reconcile(rows, names: dict[str, str], gazetteer: Gazetteer,  # noqa: ANN001
              links: dict[int, set[int]]) -> dict[str, Match]:
    """QID -> match, by QID and then by corroboration (see the module docstring)."""
    matches: dict[str, Match] = {}
    found: dict[str, int] = {}
    for qid in names:
        iri = gazetteer.qid(qid)
        if iri is not None:
            gid = gazetteer.curated.cities[iri]["geonames"]
            matches[qid] = Match("matched", "QID", int(gid) if gid else None, iri)
            if gid:
                found[qid] = int(gid)
    neighbours: dict[str, set[str]] = defaultdict(set)
    for _n, _line, a, b in rows:
        neighbours[a].add(b)
        neighbours[b].add(a)

    def carries(gid: int, label: str) -> bool:
        cc = gazetteer.places[gid]["countrycode"]
        return any(gid in gazetteer._index.get((cc, v), ()) for v in variants(label))

    changed = bool(links)
    while changed:
        changed = False
        proposed: dict[str, int] = {}
        for qid, label in names.items():
            if qid in found or not label:
                continue
            offers = set()
            clash = False
            for nb in neighbours[qid]:
                if nb in found:
                    cands = {c for c in links.get(found[nb], ()) if carries(c, label)}
                    if len(cands) > 1:
                        clash = True
                    offers |= cands
            if len(offers) == 1 and not clash:
                proposed[qid] = next(iter(offers))
        taken = set(found.values())
        claims = Counter(proposed.values())
        for qid, gid in proposed.items():
            if claims[gid] == 1 and gid not in taken:
                found[qid] = gid
                matches[qid] = Match("matched", CORROBORATED, gid, gazetteer.iri(gid), (gid,))
                changed = True
    for qid in names:
        matches.setdefault(qid, Match("unmatched", "label only (no country or coordinates)"))
    return matches


def run(settings: Settings, source: str | Path | None = None, progress=None,  # noqa: ANN001
        corroborate_with: Path | None = None) -> dict:
    step = progress or (lambda _m: None)
    timer = Timer()
    folder = source_dir(settings, INFO, source)
    step("reading the gazetteer")
    gazetteer = gazetteer_for(settings)
    timer.step("gazetteer")
    rows, names = read(folder)
    timer.step("read")
    step("reconciling with Wikipedia's twin towns")
    links, wp_record = _wikipedia_links(settings, gazetteer, corroborate_with)
    matches = reconcile(rows, names, gazetteer, links)
    timer.step("reconcile")

    w = LayerWriter(INFO)
    log = MatchLog(gazetteer)
    nodes = {}
    for qid in sorted(names, key=lambda q: int(q[1:])):
        match = matches[qid]
        log.add({"qid": qid, "label": names[qid]}, match)
        if match.matched:
            if match.geonameid is not None and not gazetteer.is_curated(match.iri):
                node = w.geonames_place(match.geonameid, gazetteer)
            else:
                node = w.node(match.iri)
            if not gazetteer.is_curated(match.iri):
                w.add(node, CG + "wikidataId", w.text(qid))
            w.published_name(node, names[qid])
        else:
            node = w.node(f"{CITY}wd-{qid.lower()}")
            w.a(node, CG + "City")
            w.add(node, CG + "wikidataId", w.text(qid))
            if names[qid]:
                w.add(node, SKOS + "prefLabel", w.text(names[qid]))
        nodes[qid] = node
    files = [file_record(folder / RELATIONS, len(rows), RELATIONS),
             file_record(folder / NAMES, len(names), NAMES)]
    base = f"{INFO.origin.repository}/blob/{INFO.origin.commit}/"
    source_node = w.dataset(
        SOURCE_IRI, "Wikidata P190 twin links (crawl of September 2016)", ISSUED,
        f"GitHub L3viathan/sister-cities @ {INFO.origin.commit}, {RELATIONS} and {NAMES}: a "
        "breadth-first crawl of Wikidata's P190 (twinned administrative body) statements, "
        "September 2016; not all of Wikidata.",
        [(base + name, record) for name, record in zip((RELATIONS, NAMES), files)])
    w.describe_layer([source_node])
    twin = PREFIXES["pkind"] + "twin"
    active = w.node(PREFIXES["status"] + "active")
    pairs = set()
    one_sided = 0
    directed = {(a, b) for _n, _l, a, b in rows}
    for number, line, a, b in rows:
        rel = w.partnership(nodes[a], nodes[b])
        pairs.add(rel.value)
        w.add(rel, CG + "status", active)
        w.attest(rel, source_node, number, line, twin, about=nodes[a])
        if (b, a) not in directed:
            one_sided += 1
    timer.step("graph")
    step("writing the layer")
    summary = log.summary()
    summary["corroborated_with"] = wp_record
    meta = {
        "files": files,
        "sources": [{"iri": SOURCE_IRI, "issued": ISSUED}],
        "counts": {"rows": len(rows), "distinct_statements": len(directed), "places": len(names),
                   "partnerships": len(pairs), "statements_without_reciprocal": one_sided},
        "reconciliation": summary,
        "curated_identity": gazetteer.curated.identity_hash(),
    }
    w.publish(settings, {**meta, "seconds": {**timer.steps, "total": timer.total()}})
    return meta
