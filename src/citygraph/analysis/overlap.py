"""How networks overlap: sizes, shared members of every pair, and a city's redundancy.

Two networks overlap when they share members. For a pair with ``a`` and ``b`` members of which
``s`` are shared: Jaccard ``s / (a + b - s)`` (1 when the member lists are the same), overlap
coefficient ``s / min(a, b)`` (1 when the smaller network lies inside the larger one). The
all-pairs counts are one sparse product ``B.T @ B`` of the membership matrix.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from citygraph.analysis import algorithms
from citygraph.errors import NotFoundError


def network_sizes(snapshot) -> pd.DataFrame:
    """``network, label, members, cities`` per network, largest first."""
    m = snapshot.memberships.drop_duplicates(["member", "network"])
    kinds = m["member"].map(snapshot.kind)
    sizes = m.groupby("network").size().rename("members")
    cities = m[kinds == "city"].groupby("network").size().rename("cities")
    out = pd.concat([sizes, cities], axis=1).fillna(0).astype(int).reset_index(names="network")
    out.insert(1, "label", [snapshot.label(x) for x in out["network"]])
    return out.sort_values(["members", "label"], ascending=[False, True]).reset_index(drop=True)


def network_overlap(snapshot, min_shared: int = 1, with_members: bool = True) -> pd.DataFrame:
    """Every pair of networks sharing at least ``min_shared`` members.

    Columns: ``network_a, label_a, network_b, label_b, size_a, size_b, shared, jaccard,
    overlap`` (the overlap coefficient) and, with ``with_members``, ``shared_members``
    (their labels, sorted). Most shared first.
    """
    b, members, networks = snapshot.incidence()
    shared, sizes = algorithms.overlap(b)
    keep = shared.data >= max(1, min_shared)
    i, j, s = shared.row[keep], shared.col[keep], shared.data[keep]
    # a pair's labels in label order, so "A–B" reads the same whatever the IRIs are
    labels = np.array([snapshot.label(x) for x in networks], dtype=object)
    swap = labels[i] > labels[j]
    i, j = np.where(swap, j, i), np.where(swap, i, j)
    size_a, size_b = sizes[i], sizes[j]
    out = pd.DataFrame({
        "network_a": [networks[x] for x in i],
        "label_a": labels[i] if len(i) else [],
        "network_b": [networks[x] for x in j],
        "label_b": labels[j] if len(j) else [],
        "size_a": size_a.astype(int),
        "size_b": size_b.astype(int),
        "shared": s.astype(int),
        "jaccard": s / (size_a + size_b - s) if len(s) else [],
        "overlap": s / np.minimum(size_a, size_b) if len(s) else [],
    })
    if with_members:
        bt = b.T.tocsr()
        member_labels = [snapshot.label(x) for x in members]

        def common(x: int, y: int) -> tuple[str, ...]:
            rx = bt.indices[bt.indptr[x]:bt.indptr[x + 1]]
            ry = bt.indices[bt.indptr[y]:bt.indptr[y + 1]]
            return tuple(sorted(member_labels[k] for k in np.intersect1d(rx, ry)))

        out["shared_members"] = [common(x, y) for x, y in zip(i, j)]
    return out.sort_values(["shared", "jaccard", "label_a", "label_b"],
                           ascending=[False, False, True, True]).reset_index(drop=True)


def _networks_of(snapshot, city: str) -> pd.DataFrame:
    m = snapshot.memberships.drop_duplicates(["member", "network"])
    mine = set(m.loc[m["member"] == city, "network"])
    co = m[m["network"].isin(mine) & (m["member"] != city)]
    return co, sorted(mine, key=snapshot.label)


def redundancy(snapshot, city: str) -> pd.DataFrame:
    """What each of ``city``'s networks adds that its other networks do not.

    One row per network of the city: ``members`` (other than the city), ``unique`` (members
    the city meets in no other of its networks), ``redundant`` (``1 - unique / members``: the
    share it would still meet without this network) and ``unique_members`` (labels).
    """
    co, mine = _networks_of(snapshot, city)
    if not mine:
        raise NotFoundError(f"{snapshot.label(city)} has no memberships"
                            + (f" on {snapshot.as_of}" if snapshot.as_of else ""))
    reach = co.groupby("member")["network"].nunique()
    rows = []
    for net in mine:
        members = co.loc[co["network"] == net, "member"]
        unique = sorted((x for x in members if reach.get(x, 0) == 1), key=snapshot.label)
        rows.append({
            "network": net, "label": snapshot.label(net), "members": len(members),
            "unique": len(unique),
            "redundant": (1 - len(unique) / len(members)) if len(members) else float("nan"),
            "unique_members": tuple(snapshot.label(x) for x in unique),
        })
    return pd.DataFrame(rows).sort_values(["unique", "label"], ascending=[False, True]).reset_index(drop=True)
