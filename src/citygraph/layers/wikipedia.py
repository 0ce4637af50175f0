"""Wikipedia twin towns (February 2026): one partnership per pair, geocoded places.

Each row of ``twin_cities_geocoded.csv`` is a link listed in a "List of twin towns" page of
English Wikipedia under ``city1``, to ``city2``; both come with the country as written on the
page and coordinates from the scraper's geocoder. A pair becomes a ``cg:Partnership``
described as ``pkind:twin`` in this layer, with one attestation per row (the row's line number
and the verbatim line; ``dcterms:subject`` is ``city1``, the place whose list names the link).
Places are reconciled by name, country and coordinates (see :mod:`.reconcile`); a place that
matches no GeoNames entry with certainty becomes ``city:wp-<cc>-<name>`` (``-<hash>`` added
when two distinct published places would share that slug), with its GeoNames candidates.
"""

from __future__ import annotations

import csv
import hashlib
from collections import defaultdict
from pathlib import Path

from citygraph.config import Settings
from citygraph.layers.base import (
    SOURCE, CITY, LayerWriter, Timer, file_record, source_dir,
)
from citygraph.layers.reconcile import Gazetteer, Match, MatchLog, gazetteer_for, slugify
from citygraph.layers.registry import REGISTRY
from citygraph.namespaces import PREFIXES

INFO = REGISTRY["wikipedia-twin-towns"]
FILE = "twin_cities_geocoded.csv"
SOURCE_IRI = SOURCE + "wikipedia-twin-towns-2026-02"
ISSUED = "2026-02"
PREFIX = "wp"

Place = tuple[str, str, float, float]  # name, country as published, lat, lng


def read_rows(folder: Path) -> list[tuple[int, str, Place, Place]]:
    """``(line number, verbatim line, place1, place2)`` for every data row."""
    path = folder / FILE
    with path.open(encoding="utf-8", newline="") as fh:
        lines = fh.read().splitlines()
    rows = []
    for number, fields in enumerate(csv.reader(lines), start=1):
        if number == 1:
            if fields[:8] != ["city1", "country1", "lat1", "lng1", "city2", "country2", "lat2", "lng2"]:
                raise ValueError(f"{path}: unexpected header {fields}")
            continue
        c1, k1, la1, lo1, c2, k2, la2, lo2 = fields[:8]
        rows.append((number, lines[number - 1],
                     (c1.strip(), k1.strip(), float(la1), float(lo1)),
                     (c2.strip(), k2.strip(), float(la2), float(lo2))))
    return rows


_MEMO: dict[tuple[int, int], dict] = {}


def reconcile(rows, gazetteer: Gazetteer) -> dict[Place, Match]:  # noqa: ANN001
    """Every distinct published place -> its match (independent of the other layers); kept for
    the process, since the Wikidata importer reconciles the same rows to corroborate its own."""
    key = (id(gazetteer), hash(tuple(line for _n, line, _a, _b in rows)))
    if key in _MEMO:
        return _MEMO[key]
    places: dict[Place, Match] = {}
    for _n, _line, p1, p2 in rows:
        for place in (p1, p2):
            if place not in places:
                name, country, lat, lng = place
                places[place] = gazetteer.match(name, gazetteer.countries.code(country), lat, lng)
    _MEMO[key] = places
    return places


def local_iris(places: dict[Place, Match], gazetteer: Gazetteer, prefix: str = PREFIX) -> dict[Place, str]:
    """Stable IRIs for the places that stay unmatched: ``city:wp-<cc>-<slug>[-<hash>]``."""
    by_slug: dict[str, list[Place]] = defaultdict(list)
    for place, match in places.items():
        if not match.matched:
            cc = (gazetteer.countries.code(place[1]) or "xx").lower()
            by_slug[f"{prefix}-{cc}-{slugify(place[0])}"].append(place)
    iris = {}
    for slug, group in by_slug.items():
        for place in group:
            if len(group) == 1:
                iris[place] = CITY + slug
            else:
                digest = hashlib.sha1(repr(place).encode()).hexdigest()[:6]
                iris[place] = f"{CITY}{slug}-{digest}"
    return iris


def run(settings: Settings, source: str | Path | None = None, progress=None) -> dict:  # noqa: ANN001
    """Import the layer; returns its metadata (also written to ``meta.json``)."""
    step = progress or (lambda _m: None)
    timer = Timer()
    folder = source_dir(settings, INFO, source)
    step("reading the gazetteer")
    gazetteer = gazetteer_for(settings)
    timer.step("gazetteer")
    step(f"reading {FILE}")
    rows = read_rows(folder)
    timer.step("read")
    step("reconciling places")
    places = reconcile(rows, gazetteer)
    local = local_iris(places, gazetteer)
    timer.step("reconcile")

    w = LayerWriter(INFO)
    log = MatchLog(gazetteer)
    nodes = {}
    for place, match in places.items():
        name, country, lat, lng = place
        log.add({"name": name, "country": country, "lat": lat, "lng": lng}, match)
        if match.matched:
            node = w.geonames_place(match.geonameid, gazetteer)
            if name != gazetteer.places[match.geonameid]["name"]:
                w.published_name(node, name)
        else:
            node = w.local_place(local[place], name, gazetteer.countries.code(country), gazetteer,
                                 lat, lng, match.candidates)
        nodes[place] = node
    record = file_record(folder / FILE, len(rows), FILE)
    url = f"{INFO.origin.repository}/blob/{INFO.origin.commit}/{FILE}"
    source_node = w.dataset(
        SOURCE_IRI, "Twin towns listed on English Wikipedia (scraped February 2026)", ISSUED,
        f"GitHub Hekman/twincities @ {INFO.origin.commit}, {FILE}: pairs scraped from English "
        "Wikipedia's \"List of twin towns\" pages in February 2026 and geocoded by the scraper.",
        [(url, record)])
    w.describe_layer([source_node])
    twin = PREFIXES["pkind"] + "twin"
    active = w.node(PREFIXES["status"] + "active")
    self_pairs = 0
    partnerships = set()
    for number, line, p1, p2 in rows:
        a, b = nodes[p1], nodes[p2]
        if a == b:
            self_pairs += 1
            continue
        rel = w.partnership(a, b)
        partnerships.add(rel.value)
        w.add(rel, PREFIXES["cg"] + "status", active)
        w.attest(rel, source_node, number, line, twin, about=a)
    timer.step("graph")
    step("writing the layer")
    meta = {
        "files": [record],
        "sources": [{"iri": SOURCE_IRI, "issued": ISSUED}],
        "counts": {"rows": len(rows), "places": len(places), "partnerships": len(partnerships),
                   "rows_joining_a_place_to_itself": self_pairs},
        "reconciliation": log.summary(),
        "curated_identity": gazetteer.curated.identity_hash(),
    }
    w.publish(settings, {**meta, "seconds": {**timer.steps, "total": timer.total()}})
    return meta
