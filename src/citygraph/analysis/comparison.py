"""What changed between two dates: relationships added, ended and unchanged, and rank changes.

A relationship is *added* when it is active on the later date and not on the earlier one,
*ended* when the reverse, *unchanged* when active on both (the one definition of "active on
D", :func:`citygraph.temporal.is_active`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from citygraph.analysis.centralities import MEASURES, scores
from citygraph.errors import QueryError

STATUS_ORDER = {"ended": 0, "added": 1, "unchanged": 2}


@dataclass
class Comparison:
    """``relationships``: ``status, kind, with, rel, active_from, active_until``;
    ``ranks``: ``iri, label, measure, value_from, value_to, rank_from, rank_to, rank_change``
    (positive = moved up); ``attrs``-like metadata in ``parameters``."""

    relationships: pd.DataFrame
    ranks: pd.DataFrame
    parameters: dict


def relationship_changes(ties, date_from: date, date_to: date, city: str | None = None,
                         layers=None) -> pd.DataFrame:
    """Relationships active on either date, with their ``status`` between them.

    With ``city``, only the city's relationships, and ``with`` names its counterparts;
    otherwise ``with`` names every participant.
    """
    before = ties.active(date_from, layers)
    after = ties.active(date_to, layers)
    rels = ties.relationships.assign(before=before.to_numpy(), after=after.to_numpy())
    rels = rels[rels["before"] | rels["after"]]
    parts = ties.participants[ties.participants["rel"].isin(set(rels["rel"]))]
    if city is not None:
        mine = set(parts.loc[parts["iri"] == city, "rel"])
        rels = rels[rels["rel"].isin(mine)]
        parts = parts[(parts["rel"].isin(mine)) & (parts["iri"] != city)]
    labels = ties.entities.set_index("iri")["label"]
    named = parts.assign(name=parts["iri"].map(labels)).groupby("rel")["name"].agg(
        lambda x: ", ".join(sorted(dict.fromkeys(x))))
    status = np.where(rels["before"] & rels["after"], "unchanged",
                      np.where(rels["after"], "added", "ended"))
    out = pd.DataFrame({
        "status": status,
        "kind": rels["kind"].to_numpy(),
        "with": rels["rel"].map(named).fillna("").to_numpy(),
        "rel": rels["rel"].to_numpy(),
        "active_from": rels["active_from"].to_numpy(),
        "active_until": rels["active_until"].to_numpy(),
    })
    out["_order"] = out["status"].map(STATUS_ORDER)
    return out.sort_values(["_order", "kind", "with", "rel"]).drop(columns="_order").reset_index(drop=True)


def rank_changes(ties, date_from: date, date_to: date, city: str | None = None, layers=None,
                 graph: str = "combined", kinds: tuple[str, ...] | None = ("city",),
                 samples="auto", seed: int = 0) -> pd.DataFrame:
    """Every centrality measure of ``graph`` on both dates, with each node's rank among the
    nodes of ``kinds`` (1 = highest); a node absent on one date has no value or rank there."""
    frames = []
    for day in (date_from, date_to):
        table = scores(ties.snapshot(day, layers), graph, samples, seed)
        if kinds is not None:
            table = table[table["kind"].isin(kinds)]
        long = table.melt(id_vars=["iri", "label", "kind"], value_vars=list(MEASURES),
                          var_name="measure", value_name="value")
        long["rank"] = long.groupby("measure")["value"].rank(method="min", ascending=False)
        frames.append(long)
    merged = frames[0].merge(frames[1], on=["iri", "measure"], how="outer", suffixes=("_from", "_to"))
    merged["label"] = merged["label_to"].fillna(merged["label_from"])
    merged["kind"] = merged["kind_to"].fillna(merged["kind_from"])
    merged["rank_change"] = merged["rank_from"] - merged["rank_to"]
    if city is not None:
        merged = merged[merged["iri"] == city]
    merged["_m"] = merged["measure"].map({m: i for i, m in enumerate(MEASURES)})
    out = merged.sort_values(["label", "iri", "_m"])[
        ["iri", "label", "kind", "measure", "value_from", "value_to", "rank_from", "rank_to", "rank_change"]]
    for column in ("rank_from", "rank_to", "rank_change"):
        out[column] = out[column].astype("Int64")
    return out.reset_index(drop=True)


def compare(ties, date_from: date, date_to: date, city: str | None = None, layers=None,
            graph: str = "combined", samples="auto", seed: int = 0) -> Comparison:
    """:func:`relationship_changes` and :func:`rank_changes` between ``date_from`` and ``date_to``."""
    if date_from is None or date_to is None:
        raise QueryError("compare needs two dates: --from YYYY-MM-DD --to YYYY-MM-DD")
    layers = ties.check_layers(layers)
    return Comparison(
        relationship_changes(ties, date_from, date_to, city, layers),
        rank_changes(ties, date_from, date_to, city, layers, graph, samples=samples, seed=seed),
        {"from": date_from, "to": date_to, "city": city, "layers": layers, "graph": graph},
    )
