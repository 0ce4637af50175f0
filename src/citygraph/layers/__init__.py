"""External open-data layers: one importer per dataset, each writing its own named graph.

``citygraph import NAME`` reads a dataset from the external-data directory (or ``--from``),
reconciles its places with the curated cities and GeoNames (:mod:`.reconcile`) and writes the
layer as N-Quads with its DCAT/PROV metadata under ``STORE_DIR/layers/`` (:mod:`.base`);
``citygraph build --layers all`` loads the chosen layers into the build. :data:`REGISTRY`
(name, graph IRI, title, licence, origin of every layer) is the licence table publication
uses; :func:`registry.by_graph` finds the entry for any graph IRI.
"""

from __future__ import annotations

from citygraph.layers.registry import IMPORTABLE, REGISTRY, LayerInfo, by_graph, licence_table

__all__ = ["REGISTRY", "IMPORTABLE", "LayerInfo", "by_graph", "licence_table", "select"]


def select(settings, spec: str | None) -> list[str]:  # noqa: ANN001 (Settings)
    """``--layers`` value -> layer names: ``curated`` (none), ``all`` (every imported layer) or
    ``a,b`` (names, checked against what is imported)."""
    from citygraph.errors import NotFoundError
    from citygraph.layers.base import imported

    if spec is None:
        return []
    names = [part.strip() for part in spec.split(",") if part.strip()]
    present = imported(settings)
    if not names or names == ["curated"]:
        return []
    if "all" in names:
        return sorted(present, key=lambda n: (IMPORTABLE.index(n) if n in IMPORTABLE else len(IMPORTABLE), n))
    out = []
    for name in names:
        if name == "curated":
            continue
        if name not in present:
            import difflib

            known = sorted(set(present) | set(IMPORTABLE))
            raise NotFoundError(
                f"layer {name!r} is not imported (imported: {', '.join(present) or 'none'}); "
                f"run `citygraph import {name}`", difflib.get_close_matches(name, known, n=3))
        out.append(name)
    return out
