"""``/api/discrepancies`` and ``/api/layers``: the discrepancy report and the layer table as
JSON (the same data as ``citygraph discrepancies --format json`` and ``citygraph layers``).

The report reads the whole graph (tens of seconds with every layer loaded), so answers are
kept per build (the manifest's fingerprint), city, limit and language.
"""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from citygraph.api.deps import GraphDep, LangDep, http_error
from citygraph.api.routes.json_api import ERRORS
from citygraph.errors import AmbiguousNameError, NotFoundError, QueryError

router = APIRouter(prefix="/api", tags=["layers"])
_CACHE: dict[tuple, dict] = {}
_LOCK = threading.Lock()


@router.get("/discrepancies", responses=ERRORS, summary="Where sources disagree (twin links vs policy, ended vs "
                                      "active, Russian cities after February 2022, …)")
def discrepancies(graph: GraphDep, lang: LangDep,
                  city: Annotated[str | None, Query(description="Only disagreements involving this "
                                                                "city: IRI, prefixed name, slug or label.")] = None,
                  limit: Annotated[int | None, Query(ge=1, le=100_000, description="Items per section; "
                                                                                  "counts stay complete.")] = 100) -> dict:
    from citygraph.layers.discrepancies import cached_report

    try:
        iri = graph.resolve(city) if city else None
    except (NotFoundError, AmbiguousNameError) as exc:
        raise HTTPException(422, detail=f"city: {exc}") from exc
    key = (graph.manifest.get("fingerprint"), iri, limit, lang)
    with _LOCK:
        if key not in _CACHE:
            try:
                if len(_CACHE) > 32:
                    _CACHE.clear()
                _CACHE[key] = cached_report(graph, city=iri, limit=limit, lang=lang)
            except QueryError as exc:
                raise http_error(exc) from exc
        return _CACHE[key]


@router.get("/layers", summary="The named graphs: licence, origin, and the layers in this build")
def layers(graph: GraphDep) -> dict:
    from citygraph.layers.registry import licence_table

    return {"layers": graph.manifest.get("layers") or [],
            "imported": graph.manifest.get("layer_files") or {},
            "graphs": licence_table()}
