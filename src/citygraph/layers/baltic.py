"""Baltic city networks: Union of the Baltic Cities (about 2025) and Baltic Metropoles.

``ubc_members_ubc-sustainable-net.csv`` lists UBC's members as its page published them
(``city_as_published``, ``country_as_published``, a ``note``); ``baltmet_members.csv`` the
members of Baltic Metropoles (BaltMet) in three snapshots, each row with its page's address:
October 2002 (the Copenhagen Resolution), 2009 (UBC Bulletin 1/09) and an undated page of the
City of Malmö. Each snapshot is a source of its own, so the one definition of "active on D"
dates each membership by the earliest list that names it; the undated page dates nothing.

Members become ``cg:Membership`` nodes of the curated networks ``network:ubc`` and
``network:baltmet``. UBC members are reconciled by name and country (unique in GeoNames);
BaltMet lists name only cities, all metropolises around the Baltic Sea, so a name is matched
only when exactly one place of 100,000 people or more in the region's countries carries it.
A UBC member "since YYYY" (the page's note) gets that year as its start; a row the page lists
as a partner rather than a member gets the role ``role:partner``.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from citygraph.config import Settings
from citygraph.layers.base import CITY, SOURCE, LayerWriter, Timer, file_record, source_dir
from citygraph.layers.reconcile import Gazetteer, Match, MatchLog, gazetteer_for, slugify
from citygraph.layers.registry import REGISTRY
from citygraph.namespaces import CG, PREFIXES, SKOS

INFO = REGISTRY["baltic-networks"]
UBC_FILE = "ubc_members_ubc-sustainable-net.csv"
BALTMET_FILE = "baltmet_members.csv"
UBC = PREFIXES["network"] + "ubc"
BALTMET = PREFIXES["network"] + "baltmet"
UBC_SOURCE = SOURCE + "ubc-members-2025"
UBC_PAGE = "https://ubc-sustainable.net/"
#: the Baltic Sea region's countries (UBC/CBSS members and Norway), for BaltMet's bare names
REGION = ("DK", "EE", "FI", "DE", "IS", "LV", "LT", "NO", "PL", "RU", "SE")
ROLE = PREFIXES["role"]
_SINCE = re.compile(r"since (\d{4})")


def _snapshot(label: str) -> tuple[str, str | None, str]:
    """``"2002-10 (Copenhagen Resolution)"`` -> (slug, issued, title)."""
    head, _, rest = label.partition(" ")
    what = rest.strip().strip("()") or head
    if re.fullmatch(r"\d{4}(-\d{2})?", head):
        return head, head, f"Baltic Metropoles members, {what} ({head})"
    return "undated", None, f"Baltic Metropoles members, {what} (undated)"


def read_csv(path: Path) -> list[tuple[int, str, dict]]:
    with path.open(encoding="utf-8", newline="") as fh:
        lines = fh.read().splitlines()
    header = next(csv.reader(lines[:1]))
    return [(number, lines[number - 1], dict(zip(header, fields)))
            for number, fields in enumerate(csv.reader(lines), start=1) if number > 1 and fields]


def _local(writer: LayerWriter, gazetteer: Gazetteer, name: str, iso2: str | None,
           match: Match) -> object:
    iri = f"{CITY}bn-{(iso2 or 'xx').lower()}-{slugify(name)}"
    return writer.local_place(iri, name, iso2, gazetteer, candidates=match.candidates)


def run(settings: Settings, source: str | Path | None = None, progress=None) -> dict:  # noqa: ANN001
    step = progress or (lambda _m: None)
    timer = Timer()
    folder = source_dir(settings, INFO, source)
    step("reading the gazetteer")
    gazetteer = gazetteer_for(settings)
    timer.step("gazetteer")
    ubc_rows = read_csv(folder / UBC_FILE)
    baltmet_rows = read_csv(folder / BALTMET_FILE)
    timer.step("read")
    w = LayerWriter(INFO)
    log = MatchLog(gazetteer)
    records = [file_record(folder / UBC_FILE, len(ubc_rows), UBC_FILE),
               file_record(folder / BALTMET_FILE, len(baltmet_rows), BALTMET_FILE)]
    for network in (UBC, BALTMET):
        if network not in gazetteer.curated.networks:  # a data/ without them (tests, forks)
            w.a(w.node(network), CG + "CityNetwork")
            w.add(w.node(network), SKOS + "prefLabel",
                  w.text("Union of the Baltic Cities" if network == UBC else "Baltic Metropoles Network", "en"))
    active = w.node(PREFIXES["status"] + "active")
    sources = []

    ubc_source = w.dataset(
        UBC_SOURCE, "Union of the Baltic Cities: member cities (web page, about 2025)", "2025",
        "Member list transcribed from the Union of the Baltic Cities' page on ubc-sustainable.net "
        "(about 2025); countries as the page names them.",
        [(None, records[0])], page=UBC_PAGE, repository=None,
        description="The page is undated; the transcription dates it to about 2025, recorded as the year 2025.")
    sources.append(ubc_source)
    counts = {"ubc_rows": len(ubc_rows), "baltmet_rows": len(baltmet_rows), "ubc_memberships": 0,
              "baltmet_memberships": 0}
    for number, line, row in ubc_rows:
        name, country, note = row["city_as_published"].strip(), row["country_as_published"].strip(), row.get("note", "")
        partner = "(partner)" in name or "partner not member" in note
        clean = name.replace("(partner)", "").strip()
        iso2 = gazetteer.countries.code(country)
        match = gazetteer.match(clean, iso2)
        log.add({"name": name, "country": country, "list": "UBC"}, match)
        node = w.geonames_place(match.geonameid, gazetteer) if match.matched else _local(w, gazetteer, clean, iso2, match)
        if match.matched and clean != gazetteer.places[match.geonameid]["name"]:
            w.published_name(node, clean)
        role = ROLE + ("partner" if partner else "member")
        rel = w.membership(node, w.node(UBC), role)
        w.add(rel, CG + "status", active)
        since = _SINCE.search(note or "")
        if since:
            w.add(rel, CG + "startDate", w.date(since.group(1)))
        w.attest(rel, ubc_source, number, line, role)

    snapshots = {}
    for number, line, row in baltmet_rows:
        label = row["snapshot"].strip()
        if label not in snapshots:
            slug, issued, title = _snapshot(label)
            snapshots[label] = w.dataset(
                f"{SOURCE}baltmet-members-{slug}", title, issued,
                f"BaltMet member list as published at {row['source_url']} ({label}), transcribed "
                "into baltmet_members.csv.",
                [(None, records[1])], page=row["source_url"], repository=None)
            sources.append(snapshots[label])
        name = row["city_as_published"].strip()
        match = gazetteer.match_in_region(name, REGION)
        log.add({"name": name, "list": f"BaltMet {label}"}, match)
        node = (w.geonames_place(match.geonameid, gazetteer) if match.matched
                else _local(w, gazetteer, name, None, match))
        if match.matched and name != gazetteer.places[match.geonameid]["name"]:
            w.published_name(node, name)
        rel = w.membership(node, w.node(BALTMET), ROLE + "member")
        w.add(rel, CG + "status", active)
        w.attest(rel, snapshots[label], number, line, ROLE + "member")
    w.describe_layer(sources)
    timer.step("graph")
    for network, key in ((BALTMET, "baltmet_memberships"), (UBC, "ubc_memberships")):
        counts[key] = len({q.subject for q in w.quads
                           if q.predicate.value == PREFIXES["org"] + "organization" and q.object.value == network})
    meta = {
        "files": records,
        "sources": [{"iri": s.value} for s in sources],
        "counts": counts,
        "reconciliation": log.summary(),
        "curated_identity": gazetteer.curated.identity_hash(),
    }
    step("writing the layer")
    w.publish(settings, {**meta, "seconds": {**timer.steps, "total": timer.total()}})
    return meta
