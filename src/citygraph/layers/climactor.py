"""ClimActor: cities in climate networks and initiatives, two snapshots (Sept 2020, Dec 2022).

Non-commercial use only (its own graph and licence, never merged into an open dump).

* ``subnational_contextuals_database_initcols_Sept2020.csv`` (UTF-8): one 0/1 column per
  network or initiative label;
* ``subnational_contextuals_database_Dec2022.csv`` (**cp1252**): the labels in
  ``initiatives_committed``, separated by ``;;`` (sometimes ``;``).

Both give the actor's name, ISO3 country, coordinates and type; only actors of type City are
imported (regions, such as the Under2 Coalition's states, are counted and left out). Labels
carry years and spellings that differ between snapshots ("C40Cities2019", "C40Cities2022",
"GCoM2022", "GlobalCovenantofMayors2019"); :data:`NETWORKS` harmonises them into one entity
per network, reusing the curated ones (C40, ICLEI, Eurocities, UBC); some columns combine
several names ("Klimatkommunerna,Covenant of Mayors,EuroCities,…") and are split; labels that
name no organisation ("NA", addresses of web pages) or that cannot be told apart from a typo
("Union of Baltic States") are skipped and listed in the metadata.

A city in a network becomes one ``cg:Membership`` with an attestation per snapshot row (the
row's line number; the record names the actor and the labels that state it). Memberships of
real networks have ``role:member``; platforms, campaigns and reporting (CDP, NAZCA, Race to
Zero, carbonn) have ``role:participant``. A membership found only in December 2022 is active
from then; one listed in September 2020 and missing in December 2022 is **not** ended: the
snapshots cover the networks unevenly (NAZCA lists 9,296 cities in 2020 and a few hundred in
2022), so absence does not show that a membership ended; its ``cg:lastAttested`` stays
2020-09-30 and the discrepancy report lists it. Places are reconciled by name, country and
coordinates; the others become ``city:ca-<cc>-<name>``.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections import defaultdict
from pathlib import Path

from citygraph.config import Settings
from citygraph.layers.base import CITY, SOURCE, LayerWriter, Timer, file_record, source_dir
from citygraph.layers.reconcile import Gazetteer, Match, MatchLog, distance_km, gazetteer_for, slugify
from citygraph.layers.registry import REGISTRY
from citygraph.namespaces import CG, PREFIXES, SKOS

INFO = REGISTRY["climactor"]
SEPT2020 = "subnational_contextuals_database_initcols_Sept2020.csv"
DEC2022 = "subnational_contextuals_database_Dec2022.csv"
SNAPSHOTS = (
    (SEPT2020, "utf-8", "2020-09", SOURCE + "climactor-2020-09", "September 2020"),
    (DEC2022, "cp1252", "2022-12", SOURCE + "climactor-2022-12", "December 2022"),
)
NETWORK = PREFIXES["network"]
MEMBER, PARTICIPANT = PREFIXES["role"] + "member", PREFIXES["role"] + "participant"
FIRST_COLUMN = 14  # the 0/1 columns of the September 2020 file start after admin_1

#: key -> (IRI slug in network:, English name, kind); curated slugs are the curated entities
NETWORKS: dict[str, tuple[str, str, str]] = {
    "c40": ("c40", "C40", "network"),
    "iclei": ("iclei", "ICLEI - Local Governments for Sustainability", "network"),
    "eurocities": ("eurocities", "Eurocities", "network"),
    "ubc": ("ubc", "Union of the Baltic Cities", "network"),
    "gcom": ("global-covenant-of-mayors", "Global Covenant of Mayors for Climate & Energy", "network"),
    "eucom": ("eu-covenant-of-mayors", "EU Covenant of Mayors for Climate & Energy", "network"),
    "climate-alliance": ("climate-alliance", "Climate Alliance", "network"),
    "under2": ("under2-coalition", "Under2 Coalition", "network"),
    "cnca": ("carbon-neutral-cities-alliance", "Carbon Neutral Cities Alliance", "network"),
    "climate-mayors": ("climate-mayors", "Climate Mayors", "network"),
    "appc": ("alliance-of-peaking-pioneer-cities", "Alliance of Peaking Pioneer Cities", "network"),
    "klimatkommunerna": ("klimatkommunerna", "Klimatkommunerna", "network"),
    "ekokommuner": ("sveriges-ekokommuner", "Sveriges Ekokommuner", "network"),
    "fossilfritt": ("fossilfritt-sverige", "Fossilfritt Sverige", "initiative"),
    "carbonn": ("carbonn-climate-registry", "carbonn Climate Registry (ICLEI)", "initiative"),
    "cdp": ("cdp", "CDP (disclosure by cities, states and regions)", "initiative"),
    "nazca": ("nazca", "Global Climate Action portal (NAZCA, UNFCCC)", "initiative"),
    "race-to-zero": ("race-to-zero", "Race to Zero", "initiative"),
    "we-are-still-in": ("we-are-still-in", "We Are Still In", "initiative"),
    "compact": ("compact-of-states-and-regions", "Compact of States and Regions", "initiative"),
    "japan-zero-carbon": ("japan-zero-carbon-cities", "Zero Carbon Cities (Japan, Ministry of the Environment)", "initiative"),
    "igdp": ("igdp", "Institute for Global Decarbonization Progress city targets (China)", "initiative"),
    "wwf-opcc": ("wwf-one-planet-city-challenge", "WWF One Planet City Challenge", "initiative"),
    "ddl-net-zero": ("ddl-net-zero-targets", "Net-zero targets (Data-Driven EnviroLab database)", "initiative"),
}

#: label without its year suffix -> key in NETWORKS
LABELS: dict[str, str] = {
    "C40": "c40", "C40Cities": "c40",
    "ICLEI": "iclei", "ICLEI - Local Governments for Sustainability": "iclei",
    "EuroCities": "eurocities", "Union of the Baltic Cities": "ubc",
    "GlobalCovenantofMayors": "gcom", "GCoM": "gcom", "GCoMCDP": "gcom", "GCoMHarmonized": "gcom",
    "GCoMEuropeanCommission": "gcom",
    "EUCovenantofMayors": "eucom", "Covenant of Mayors": "eucom",
    "ClimateAlliance": "climate-alliance",
    "Under2Coalition": "under2", "Under2 Coalition": "under2",
    "Carbon Neutral Cities Alliance": "cnca", "Carbon Neutral Cities Alliance (CNCA)": "cnca",
    "ClimateMayors": "climate-mayors", "APPC": "appc",
    "Klimatkommunerna": "klimatkommunerna", "Sveriges Ekokommuner": "ekokommuner",
    "Fossilfritt Sverige": "fossilfritt",
    "Carbonn": "carbonn",
    "CDP Cities": "cdp", "CDPCities": "cdp", "CDPStates&Regions": "cdp", "CDPJRC": "cdp",
    "NAZCA": "nazca",
    "Race to Zero": "race-to-zero", "RacetoZero": "race-to-zero",
    "WeAreStillIn": "we-are-still-in",
    "CompactofStatesRegions": "compact",
    "JapanMOEZeroCarbonCities": "japan-zero-carbon",
    "IGDP": "igdp", "IGDPDDL": "igdp",
    "WWF": "wwf-opcc", "WWF’s One Planet City Challenge": "wwf-opcc",
    "DDLNetZeroDB": "ddl-net-zero",
}
#: labels that name no organisation, or garbled ones that could be more than one
SKIPPED = {"NA", "<NA>", "Region", "Union of Baltic States",
           "WWF's One Planet city Challenge 2019 - Unconfirmed countries"}
_YEAR = re.compile(r"20\d\d(?:-(?:20)?\d\d)?$")
_YEAR_ZCA = re.compile(r"(?:20\d\d)?ZCA(?:20\d\d)?$")


def network_key(label: str) -> str | None:
    """A label as ClimActor writes it -> key of :data:`NETWORKS` (or a generic key), None to skip."""
    label = label.strip()
    if not label or label in SKIPPED or "://" in label:
        return None
    if label in LABELS:
        return LABELS[label]
    for pattern in (_YEAR, _YEAR_ZCA):
        base = pattern.sub("", label).strip()
        if base in LABELS:
            return LABELS[base]
    return "x:" + label  # an initiative of its own, named as ClimActor names it


def fix_mojibake(text: str) -> str:
    """Undo UTF-8 that was once read as cp1252 (both files carry a few such names, and the
    December 2022 file mixes encodings): ``"Å\xa0empeter"`` -> ``"Šempeter"``; text that is not
    such a misreading is returned as it is."""
    if text.isascii():
        return text
    try:
        fixed = text.encode("cp1252").decode("utf-8")
    except UnicodeError:
        return text
    return fixed


def labels_of(row: dict, snapshot: str, columns: list[str]) -> list[str]:
    """The network labels a row states, split where one column names several."""
    if snapshot == SEPT2020:
        raw = [c for c in columns if (row.get(c) or "").strip() == "1"]
    else:
        raw = [x for x in (row.get("initiatives_committed") or "").split(";")]
    out = []
    for label in raw:
        for part in (label.split(",") if "," in label and label not in LABELS else [label]):
            if part.strip():
                out.append(part.strip())
    return out


def _float(text: str | None) -> float | None:
    try:
        value = float(text) if text not in (None, "", "NA") else None
    except ValueError:
        return None
    return value if value is not None and value == value else None


def read(folder: Path) -> dict[str, list[tuple[int, dict]]]:
    """snapshot file -> [(line number, row)] for every data row (both files)."""
    out = {}
    for name, encoding, *_rest in SNAPSHOTS:
        with (folder / name).open(encoding=encoding, newline="") as fh:
            reader = csv.DictReader(fh)
            rows = []
            for row in reader:
                row = {k: fix_mojibake(v) if isinstance(v, str) else v for k, v in row.items()}
                rows.append((reader.line_num, row))
            out[name] = rows
        out[name + ":columns"] = list(reader.fieldnames or [])[FIRST_COLUMN:]  # type: ignore[assignment]
    return out


def run(settings: Settings, source: str | Path | None = None, progress=None) -> dict:  # noqa: ANN001
    step = progress or (lambda _m: None)
    timer = Timer()
    folder = source_dir(settings, INFO, source)
    step("reading the gazetteer")
    gazetteer = gazetteer_for(settings)
    timer.step("gazetteer")
    step("reading both snapshots")
    data = read(folder)
    timer.step("read")
    w = LayerWriter(INFO)
    log = MatchLog(gazetteer)
    counts: dict[str, int] = defaultdict(int)
    skipped_labels: dict[str, int] = defaultdict(int)
    generic: dict[str, str] = {}

    # ---- places: one match per (name, country, coordinates) across both snapshots
    step("reconciling places")
    places: dict[tuple, Match] = {}
    for name, *_ in SNAPSHOTS:
        for _n, row in data[name]:
            if (row.get("entity_type") or "").strip().lower() != "city":
                continue
            key = (row["name"].strip(), row["iso"].strip(), _float(row.get("lat")), _float(row.get("lng")))
            if key not in places:
                iso2 = gazetteer.countries.iso3.get(key[1]) or gazetteer.countries.code(key[1])
                places[key] = gazetteer.match(key[0], iso2, key[2], key[3])
                log.add({"name": key[0], "iso": key[1], "lat": key[2], "lng": key[3]}, places[key])
    local = _local_iris(places, gazetteer)
    timer.step("reconcile")

    nodes = {}
    for key, match in places.items():
        if match.matched:
            node = w.geonames_place(match.geonameid, gazetteer)
            if key[0] != gazetteer.places[match.geonameid]["name"]:
                w.published_name(node, key[0])
        else:
            iso2 = gazetteer.countries.iso3.get(key[1]) or gazetteer.countries.code(key[1])
            node = w.local_place(local[key], key[0], iso2, gazetteer, key[2], key[3], match.candidates)
        nodes[key] = node

    records = []
    sources = {}
    for name, _enc, issued, iri, when in SNAPSHOTS:
        record = file_record(folder / name, len(data[name]), name)
        records.append(record)
        url = f"{INFO.origin.repository}/blob/{INFO.origin.commit}/data-raw/{name}"
        sources[name] = w.dataset(
            iri, f"ClimActor harmonised climate-network participation, {when}", issued,
            f"GitHub datadrivenenvirolab/ClimActor @ {INFO.origin.commit}, data-raw/{name}"
            + (" (read as cp1252)" if _enc == "cp1252" else "") + ". Non-commercial use only; cite "
            "Hsu et al. (2020), Sci Data 7, 374.", [(url, record)])
    w.describe_layer(sources.values())

    # ---- memberships with one attestation per snapshot row
    seen: dict[tuple, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    in_snapshot: dict[str, set] = defaultdict(set)  # snapshot -> entities listed
    networks_in: dict[str, set] = defaultdict(set)  # snapshot -> network keys listed
    for name, *_ in SNAPSHOTS:
        columns = data[name + ":columns"]
        for number, row in data[name]:
            kind = (row.get("entity_type") or "").strip().lower()
            if kind != "city":
                counts[f"rows_skipped_{kind or 'untyped'}"] += 1
                continue
            key = (row["name"].strip(), row["iso"].strip(), _float(row.get("lat")), _float(row.get("lng")))
            node = nodes[key]
            in_snapshot[name].add(node.value)
            by_key: dict[str, list[str]] = defaultdict(list)
            for label in labels_of(row, name, columns):
                nkey = network_key(label)
                if nkey is None:
                    skipped_labels[label] += 1
                    continue
                by_key[nkey].append(label)
            for nkey, labels in by_key.items():
                networks_in[name].add(nkey)
                seen[(node.value, nkey)][name].append((number, f"{key[0]} ({key[1]}): {'; '.join(labels)}", labels))
    timer.step("rows")

    active = w.node(PREFIXES["status"] + "active")
    first, last = SNAPSHOTS[0][0], SNAPSHOTS[-1][0]
    changes = defaultdict(int)
    for (entity, nkey), by_snapshot in sorted(seen.items()):
        network = _network(w, gazetteer, nkey, generic)
        role = MEMBER if NETWORKS.get(nkey, ("", "", "initiative"))[2] == "network" else PARTICIPANT
        rel = w.membership(w.node(entity), network, role)
        for snapshot, rows in by_snapshot.items():
            for number, record, labels in rows:
                w.attest(rel, sources[snapshot], number, record, role)
                for label in labels:
                    w.add(network, SKOS + "hiddenLabel", w.text(label))
        w.add(rel, CG + "status", active)
        if first in by_snapshot and last in by_snapshot:
            changes["in both snapshots"] += 1
        elif first in by_snapshot:
            listed = entity in in_snapshot[last]
            changes["only Sept 2020 (city listed in Dec 2022)" if listed
                    else "only Sept 2020 (city not in Dec 2022)"] += 1
        else:
            changes["new in Dec 2022"] += 1
        counts["memberships"] += 1
    timer.step("graph")
    step("writing the layer")
    meta = {
        "files": records,
        "sources": [{"iri": iri, "issued": issued} for _n, _e, issued, iri, _w in SNAPSHOTS],
        "counts": {**dict(counts), "rows_sept2020": len(data[SEPT2020]), "rows_dec2022": len(data[DEC2022]),
                   "places": len(places), "networks": len({k for _e, k in seen})},
        "membership_changes": dict(changes),
        "labels_skipped": dict(sorted(skipped_labels.items())),
        "networks_generic": dict(sorted(generic.items())),
        "reconciliation": log.summary(),
        "curated_identity": gazetteer.curated.identity_hash(),
    }
    w.publish(settings, {**meta, "seconds": {**timer.steps, "total": timer.total()}})
    return meta


def _network(w: LayerWriter, gazetteer: Gazetteer, key: str, generic: dict[str, str]):  # noqa: ANN202
    """The network entity for a key: a curated one, one of :data:`NETWORKS`, or a generic
    initiative named after its label (``network:climactor-<label>``)."""
    if key.startswith("x:"):
        label = key[2:]
        slug, name, kind = f"climactor-{slugify(label)}", label, "initiative"
        generic[label] = slug
    else:
        slug, name, kind = NETWORKS[key]
    iri = NETWORK + slug
    node = w.node(iri)
    if iri not in gazetteer.curated.networks and iri not in w._described:
        w._described.add(iri)
        w.a(node, CG + ("CityNetwork" if kind == "network" else "Organization"))
        w.add(node, SKOS + "prefLabel", w.text(name, "en"))
    return node


def _local_iris(places: dict[tuple, Match], gazetteer: Gazetteer) -> dict[tuple, str]:
    """``city:ca-<cc>-<slug>`` for unmatched places; rows of one name and country more than
    25 km apart are different places and get ``-<hash>`` suffixes."""
    groups: dict[str, list[tuple]] = defaultdict(list)
    for key, match in places.items():
        if not match.matched:
            iso2 = gazetteer.countries.iso3.get(key[1]) or gazetteer.countries.code(key[1]) or "xx"
            groups[f"ca-{iso2.lower()}-{slugify(key[0])}"].append(key)
    out = {}
    for slug, keys in groups.items():
        clusters: list[list[tuple]] = []
        for key in sorted(keys, key=lambda k: (k[2] is None, k[2] or 0, k[3] or 0)):
            for cluster in clusters:
                head = cluster[0]
                if None in (key[2], key[3], head[2], head[3]) or \
                        distance_km(key[2], key[3], head[2], head[3]) <= 25:
                    cluster.append(key)
                    break
            else:
                clusters.append([key])
        for i, cluster in enumerate(clusters):
            suffix = "" if i == 0 else "-" + hashlib.sha1(repr(cluster[0]).encode()).hexdigest()[:6]
            for key in cluster:
                out[key] = CITY + slug + suffix
    return out
