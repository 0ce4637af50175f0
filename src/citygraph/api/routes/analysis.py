"""``/api/analysis/…``: the network analyses as JSON, the same reports as ``citygraph analyze``.

Each answer is ``{"analysis", "parameters", "notes", "tables": {name: [row, …]}}`` from
:func:`citygraph.analysis.reports.run`. Handlers are plain ``def``: the work blocks, so
FastAPI runs it in its thread pool.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from citygraph.api.deps import GraphDep, LangDep, http_error
from citygraph.errors import AmbiguousNameError, NotFoundError, QueryError

router = APIRouter(prefix="/api/analysis", tags=["analysis"])

AsOf = Annotated[str, Query(alias="as_of", description="Relationships active on this date "
                                                       "(YYYY-MM-DD), or 'all'. Default: today.")]
Layers = Annotated[list[str] | None, Query(description="Named graphs by name (curated, …); "
                                                       "repeat the parameter. Default: all.")]
City = Annotated[str | None, Query(description="A city: IRI, prefixed name, slug or label.")]


def _run(graph, analysis: str, **options) -> dict:
    from citygraph.analysis.reports import run

    try:
        return run(graph, analysis, **options).to_json()
    except (QueryError, NotFoundError, AmbiguousNameError, ValueError) as exc:
        raise http_error(exc) from exc


@router.get("/centrality", summary="Rank cities by six centrality measures")
def centrality(graph: GraphDep, lang: LangDep, as_of: AsOf = "today", layers: Layers = None,
               city: City = None,
               graph_name: Annotated[str, Query(alias="graph", description="cities, partnerships, "
                                                                            "combined or networks")] = "cities",
               kind: str = "city", by: str = "degree",
               samples: Annotated[str, Query(description="auto, exact or a number")] = "auto",
               seed: int = 0) -> dict:
    return _run(graph, "centrality", as_of=as_of, layers=layers, city=city, lang=lang,
                graph_name=graph_name, kind=kind, by=by, samples=samples, seed=seed)


@router.get("/overlap", summary="Network pairs with shared members; a city's redundancy")
def overlap(graph: GraphDep, lang: LangDep, as_of: AsOf = "today", layers: Layers = None,
            city: City = None, min_shared: Annotated[int, Query(ge=1)] = 1) -> dict:
    return _run(graph, "overlap", as_of=as_of, layers=layers, city=city, lang=lang,
                min_shared=min_shared)


@router.get("/ego", summary="A city's ego network and brokerage")
def ego(graph: GraphDep, lang: LangDep, city: Annotated[str, Query(description="A city.")],
        as_of: AsOf = "today", layers: Layers = None, radius: Annotated[int, Query(ge=1, le=5)] = 1,
        graph_name: Annotated[str, Query(alias="graph")] = "combined", kind: str = "city") -> dict:
    return _run(graph, "ego", as_of=as_of, layers=layers, city=city, lang=lang, radius=radius,
                graph_name=graph_name, kind=kind)


@router.get("/communities", summary="Louvain communities in a projection")
def communities(graph: GraphDep, lang: LangDep, as_of: AsOf = "today", layers: Layers = None,
                graph_name: Annotated[str, Query(alias="graph", description="cities or networks")] = "cities",
                resolution: Annotated[float, Query(gt=0)] = 1.0, seed: int = 0) -> dict:
    return _run(graph, "communities", as_of=as_of, layers=layers, lang=lang, graph_name=graph_name,
                resolution=resolution, seed=seed)


@router.get("/compare", summary="What changed between two dates")
def compare(graph: GraphDep, lang: LangDep,
            date_from: Annotated[str, Query(alias="from", description="The earlier date.")],
            date_to: Annotated[str, Query(alias="to", description="The later date.")],
            city: City = None, layers: Layers = None,
            graph_name: Annotated[str, Query(alias="graph")] = "combined",
            samples: str = "auto", seed: int = 0) -> dict:
    return _run(graph, "compare", date_from=date_from, date_to=date_to, city=city, layers=layers,
                lang=lang, graph_name=graph_name, samples=samples, seed=seed)
