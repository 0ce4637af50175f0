"""Releases: what a publication is (``release.json``), and what changed since the last one.

``diff(old, new)`` compares two publication directories: triples and entities added and
removed per layer (from the sorted N-Triples dumps, whose blank-node labels come from content),
and, in human terms, the relationships whose status or dates changed, from the CSV tables
("Helsinki – Moscow partnership: active → ended, February 2022"). Each publication keeps the
history in ``changelog.json`` and writes it as ``CHANGELOG.md``.
"""

from __future__ import annotations

import calendar
import csv
import json
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from citygraph.errors import CityGraphError, NotFoundError
from citygraph.publish.dumps import DUMPS_DIR, dump_name
from citygraph.publish.tables import SEP, TABLES_DIR

RELEASE = "release.json"
CHANGELOG_JSON = "changelog.json"
CHANGELOG_MD = "CHANGELOG.md"
RELATIONSHIP_TABLES = {"partnerships": "partnership", "memberships": "membership",
                       "agreements": "agreement"}
_WATCHED = ("status", "start", "end", "active_from", "active_until")


class PublicationError(CityGraphError):
    """A publication directory is missing, incomplete or would be overwritten wrongly."""


def when(value: str) -> str:
    """``2022-02`` -> ``February 2022``; ``2023`` -> ``2023``; ``2022-03-01`` -> ``1 March 2022``."""
    try:
        if len(value) == 7:
            return f"{calendar.month_name[int(value[5:7])]} {value[:4]}"
        if len(value) == 10:
            d = date.fromisoformat(value)
            return f"{d.day} {calendar.month_name[d.month]} {d.year}"
    except ValueError:
        pass
    return value


@dataclass
class Snapshot:
    """What a diff needs from one publication, read into memory (so it may be overwritten)."""

    path: Path
    release: dict
    layers: dict[str, set[str]]                 # layer -> N-Triples lines
    relationships: dict[str, dict[str, dict]]   # table -> iri -> row
    changelog: list[dict]

    @classmethod
    def load(cls, path: Path) -> Snapshot:
        path = Path(path)
        manifest = path / RELEASE
        if not manifest.is_file():
            raise NotFoundError(f"{path} is not a citygraph publication (no {RELEASE}); "
                                "give the directory `citygraph publish` wrote")
        try:
            release = json.loads(manifest.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise PublicationError(f"{manifest} is not valid JSON ({exc}); publish again") from exc
        layers = {}
        for name in release.get("layers", {}):
            nt = path / DUMPS_DIR / f"{dump_name(name)}.nt"
            if not nt.is_file():
                raise PublicationError(f"{nt} is missing: the publication in {path} is incomplete")
            layers[name] = set(nt.read_text(encoding="utf-8").splitlines()) - {""}
        relationships: dict[str, dict[str, dict]] = {}
        for table in RELATIONSHIP_TABLES:
            file = path / TABLES_DIR / f"{table}.csv"
            rows = []
            if file.is_file():
                with file.open(encoding="utf-8", newline="") as fh:
                    rows = list(csv.DictReader(fh))
            relationships[table] = {row["iri"]: row for row in rows}
        log = path / CHANGELOG_JSON
        changelog = json.loads(log.read_text(encoding="utf-8")) if log.is_file() else []
        return cls(path, release, layers, relationships, changelog)


def _subjects(lines: set[str]) -> set[str]:
    return {line[1:line.index(">")] for line in lines if line.startswith("<")}


@dataclass
class LayerChange:
    layer: str
    triples_added: int
    triples_removed: int
    entities_added: list[str]
    entities_removed: list[str]
    status: str = "changed"        # changed, added (new layer), removed (layer gone)


@dataclass
class Diff:
    old_version: str
    new_version: str
    new_date: str
    layers: list[LayerChange] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)        # human sentences

    @property
    def empty(self) -> bool:
        return not self.changes and all(
            c.triples_added == 0 and c.triples_removed == 0 and c.status == "changed" for c in self.layers)

    def to_dict(self) -> dict:
        return asdict(self)

    def to_text(self) -> str:
        out = [f"{self.old_version} → {self.new_version} ({self.new_date})"]
        for c in self.layers:
            head = {"added": "new layer ", "removed": "layer removed: "}.get(c.status, "")
            out.append(f"  {head}{c.layer}: +{c.triples_added} −{c.triples_removed} triples, "
                       f"+{len(c.entities_added)} −{len(c.entities_removed)} entities")
        for sentence in self.changes:
            out.append(f"  • {sentence}")
        if self.empty:
            out.append("  no changes in the data")
        return "\n".join(out) + "\n"


def _name(row: dict, table: str) -> str:
    if table == "partnerships":
        parties = [row.get("city_1", ""), row.get("city_2", "")]
        if "Helsinki" in parties:  # the city whose graph this is first
            parties.sort(key=lambda p: p != "Helsinki")
        return " – ".join(p for p in parties if p)
    if table == "memberships":
        return f"{row.get('member', '')} in {row.get('organisation', '')}"
    return row.get("title") or " – ".join(row.get("parties", "").split(SEP))


def _human(old: dict[str, dict[str, dict]], new: dict[str, dict[str, dict]]) -> list[str]:
    out = []
    for table, kind in RELATIONSHIP_TABLES.items():
        before, after = old.get(table, {}), new.get(table, {})
        for iri in sorted(after.keys() - before.keys()):
            row = after[iri]
            since = f", active from {when(row['active_from'])}" if row.get("active_from") else ""
            out.append(f"{_name(row, table)} {kind}: new ({row.get('status') or 'no status'}{since})")
        for iri in sorted(before.keys() - after.keys()):
            out.append(f"{_name(before[iri], table)} {kind}: removed")
        for iri in sorted(after.keys() & before.keys()):
            a, b = before[iri], after[iri]
            if all(a.get(k, "") == b.get(k, "") for k in _WATCHED):
                continue
            parts = []
            if a.get("status") != b.get("status"):
                part = f"{a.get('status') or '?'} → {b.get('status') or '?'}"
                if b.get("end") and a.get("end") != b.get("end"):
                    part += f", {when(b['end'])}"
                parts.append(part)
            elif a.get("end") != b.get("end"):
                parts.append(f"end {when(a.get('end', '')) or 'none'} → {when(b.get('end', '')) or 'none'}")
            if a.get("start") != b.get("start"):
                parts.append(f"start {when(a.get('start', '')) or 'none'} → {when(b.get('start', '')) or 'none'}")
            if not parts:
                for key in ("active_from", "active_until"):
                    if a.get(key) != b.get(key):
                        parts.append(f"{key.replace('_', ' ')} {a.get(key) or 'none'} → {b.get(key) or 'none'}")
            out.append(f"{_name(b, table)} {kind}: " + "; ".join(parts))
    return out


def diff(old: Snapshot, new: Snapshot) -> Diff:
    """What changed from ``old`` to ``new`` (two publications)."""
    result = Diff(old.release.get("version", "?"), new.release.get("version", "?"),
                  new.release.get("date", ""))
    for name in list(new.layers) + [n for n in old.layers if n not in new.layers]:
        a, b = old.layers.get(name), new.layers.get(name)
        lines_a, lines_b = a or set(), b or set()
        subj_a, subj_b = _subjects(lines_a), _subjects(lines_b)
        result.layers.append(LayerChange(
            name, len(lines_b - lines_a), len(lines_a - lines_b),
            sorted(subj_b - subj_a), sorted(subj_a - subj_b),
            "added" if a is None else "removed" if b is None else "changed"))
    result.changes = _human(old.relationships, new.relationships)
    return result


def changelog_entry(d: Diff | None, version: str, day: str) -> dict:
    if d is None:
        return {"version": version, "date": day, "previous": None, "first": True,
                "layers": [], "changes": []}
    return {"version": version, "date": day, "previous": d.old_version, "first": False,
            "layers": [asdict(c) for c in d.layers], "changes": d.changes}


def changelog_markdown(entries: list[dict]) -> str:
    out = ["# Data changelog", "",
           "What changed in the published data, newest release first (`citygraph diff OLD NEW` "
           "shows the same for any two publications).", ""]
    for e in entries:
        out.append(f"## {e['version']} — {e['date']}")
        out.append("")
        if e.get("first"):
            out.append("First publication.")
            out.append("")
            continue
        out.append(f"Compared with {e['previous']}.")
        out.append("")
        if e["layers"]:
            out.append("| layer | triples added | triples removed | entities added | entities removed |")
            out.append("|---|---:|---:|---:|---:|")
            for c in e["layers"]:
                name = c["layer"] + {"added": " (new)", "removed": " (removed)"}.get(c["status"], "")
                out.append(f"| {name} | {c['triples_added']} | {c['triples_removed']} | "
                           f"{len(c['entities_added'])} | {len(c['entities_removed'])} |")
            out.append("")
        for sentence in e["changes"]:
            out.append(f"- {sentence}")
        if not e["changes"] and all(c["triples_added"] == 0 and c["triples_removed"] == 0
                                    for c in e["layers"]):
            out.append("No changes in the data.")
        out.append("")
    return "\n".join(out)


__all__ = ["CHANGELOG_JSON", "CHANGELOG_MD", "Diff", "LayerChange", "PublicationError", "RELEASE",
           "Snapshot", "changelog_entry", "changelog_markdown", "diff", "when"]
