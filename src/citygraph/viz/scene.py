"""What a picture shows on a date: the relationships active on it (the one definition,
:func:`citygraph.temporal.is_active`, on the payload's ``from``/``until``), optionally compared
with a second date, and the nodes they join. The browser does the same in ``common.js``
(``CG.visible``).

With a comparison date, each relationship shown is ``"same"`` (active on both dates), ``"new"``
(active on the later date only: added between them) or ``"gone"`` (active on the earlier date
only: ended between them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from citygraph import temporal


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@dataclass
class Scene:
    """``rels``: relationship index -> change; ``nodes``: node indexes; over ``data`` (a payload)."""

    data: dict
    as_of: date
    compare: date | None = None
    ego: int | None = None
    rels: dict[int, str] = field(default_factory=dict)
    nodes: set[int] = field(default_factory=set)

    @classmethod
    def of(cls, data: dict, as_of: date, compare: date | None = None, ego: int | None = None) -> Scene:
        scene = cls(data, as_of, compare, ego)
        early, late = sorted((as_of, compare)) if compare and compare != as_of else (None, None)
        for i, rel in enumerate(data["relationships"]):
            start, until = _day(rel["from"]), _day(rel["until"])
            if early is not None:
                before = temporal.is_active(start, until, early)
                after = temporal.is_active(start, until, late)
                if before or after:
                    scene.rels[i] = "same" if before and after else "new" if after else "gone"
            elif temporal.is_active(start, until, as_of):
                scene.rels[i] = "same"
        if ego is not None:
            around = {ego}
            for i in scene.rels:
                parties = data["relationships"][i]["parties"]
                if ego in parties:
                    around.update(parties)
            scene.rels = {i: c for i, c in scene.rels.items()
                          if set(data["relationships"][i]["parties"]) <= around}
            scene.nodes.add(ego)
        for r, a, b in data["edges"]:
            if r in scene.rels:
                scene.nodes.update((a, b))
        return scene

    def edges(self) -> list[tuple[int, int, int, str]]:
        """``(relationship, a, b, change)`` for every edge shown."""
        return [(r, a, b, self.rels[r]) for r, a, b in self.data["edges"] if r in self.rels and a != b]

    def label(self, node: int, lang: str) -> str:
        labels = self.data["nodes"][node]["label"]
        return labels.get(lang) or labels.get("en") or next(iter(labels.values()))

    def memberships(self) -> dict[int, set[int]]:
        """Network index -> member indexes, for memberships active on the date (not "gone")."""
        out: dict[int, set[int]] = {}
        for r, a, b, change in self.edges():
            if self.data["relationships"][r]["kind"] == "membership" and change != "gone":
                out.setdefault(b, set()).add(a)
        return out

    def sources(self) -> set[int]:
        """The source documents of the relationships shown."""
        return {s for r in self.rels for s in self.data["relationships"][r]["sources"]}
