"""Dependencies shared by the JSON API and the pages: the current graph, the language, paging.

Named ``Annotated`` aliases, so a handler's signature says what it uses::

    def cities(graph: GraphDep, lang: LangDep, page: PagingDep) -> ...
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request, Response

from citygraph.api.i18n import Lang, choose_lang
from citygraph.api.lookups import BadParameter
from citygraph.errors import AmbiguousNameError, NotFoundError
from citygraph.graph import CityGraph

MAX_LIMIT = 1000


def current_graph(request: Request) -> CityGraph:
    """The graph being served now (read per request: a reload may have swapped it)."""
    return request.app.state.holder.graph


def language(request: Request, response: Response,
             lang: Annotated[Lang | None, Query(
                 description="Language of labels and page text (en, fi, sv). Without it, "
                             "`Accept-Language` decides; labels missing in that language fall "
                             "back to en, fi, sv.")] = None) -> str:
    chosen = choose_lang(lang.value if lang else None, request.headers.get("accept-language"))
    response.headers["Content-Language"] = chosen
    response.headers["Vary"] = "Accept, Accept-Language"
    return chosen


@dataclass(frozen=True)
class Paging:
    limit: int
    offset: int


def paging(limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")] = 50,
           offset: Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip.")] = 0) -> Paging:
    return Paging(limit, offset)


GraphDep = Annotated[CityGraph, Depends(current_graph)]
LangDep = Annotated[str, Depends(language)]
PagingDep = Annotated[Paging, Depends(paging)]


def next_link(request: Request, paging: Paging, total: int) -> str | None:
    """The URL of the next page, or None on the last one."""
    if paging.offset + paging.limit >= total:
        return None
    return str(request.url.include_query_params(offset=paging.offset + paging.limit,
                                                limit=paging.limit))


def http_error(exc: Exception) -> HTTPException:
    """Library errors -> HTTP: a bad parameter or ambiguous name is 422, a missing thing 404."""
    if isinstance(exc, BadParameter | AmbiguousNameError):
        return HTTPException(422, detail=str(exc))
    if isinstance(exc, NotFoundError):
        return HTTPException(404, detail=str(exc))
    return HTTPException(400, detail=str(exc))


__all__ = ["GraphDep", "LangDep", "MAX_LIMIT", "Paging", "PagingDep", "current_graph",
           "http_error", "language", "next_link", "paging"]
