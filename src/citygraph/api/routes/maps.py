"""The map pages and their data: ``/map`` (network map and network overlap), ``/map/geo``,
``/timeline``, the JSON they read (``/api/map/graph``), slide pictures (``/map/export``) and the
vendored scripts and world outlines (``/map/static/…``).

The JSON holds every relationship with its derived ``cg:activeFrom``/``cg:activeUntil``, so the
pages move through time in the browser without asking again (:mod:`citygraph.viz.payload`). It
is built once per graph and choice of layers, in a worker thread.
"""

from __future__ import annotations

import gzip
import json
import mimetypes
import re
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from citygraph.api.routes.json_api import ERRORS, Problem

from citygraph.api.deps import current_graph
from citygraph.api.i18n import Lang, choose_lang
from citygraph.api.render import Links
from citygraph.errors import CityGraphError, NotFoundError
from citygraph.viz import STATIC

router = APIRouter()

_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


def _lang(request: Request) -> tuple[str, str | None]:
    explicit = request.query_params.get("lang")
    explicit = explicit if explicit in ("en", "fi", "sv") else None
    return choose_lang(explicit, request.headers.get("accept-language")), explicit


def _page(request: Request, view: str) -> HTMLResponse:
    from citygraph.viz import pages  # noqa: PLC0415 (templates on first use)

    lang, explicit = _lang(request)
    body = pages.page(current_graph(request), view, lang, Links(lang=explicit))
    return HTMLResponse(body, headers={"Content-Language": lang, "Vary": "Accept-Language"})


@router.get("/map", include_in_schema=False)
def network_map(request: Request) -> HTMLResponse:
    """The network map: cities, networks and organisations, filterable by date and more;
    ``?view=overlap`` opens the overlap of networks, ``?date=``, ``?ego=helsinki`` preset them."""
    return _page(request, "network")


@router.get("/map/geo", include_in_schema=False)
def geo_map(request: Request) -> HTMLResponse:
    """Cities at their coordinates on a world map, partnerships as arcs."""
    return _page(request, "geo")


@router.get("/timeline", include_in_schema=False)
def timeline(request: Request) -> HTMLResponse:
    """Every relationship as a bar from its start to its end, with its attestations."""
    return _page(request, "timeline")


@router.get("/map/static/{name}", include_in_schema=False)
def static_file(name: str) -> FileResponse:
    """The vendored libraries, the pages' scripts and styles, and the world outlines."""
    path = STATIC / name
    if not _NAME.match(name) or not path.is_file():
        raise HTTPException(404, detail=f"no file {name!r} under /map/static/")
    media = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if name.endswith(".js"):
        media = "text/javascript"
    return FileResponse(path, media_type=media, headers={"Cache-Control": "public, max-age=3600"})


#: how long a request for the map data waits for it to be built before answering 202
WAIT_SECONDS = 20.0
_builder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="citygraph-map-data")
_lock = threading.Lock()
_built: dict[tuple, dict] = {}  # (id(graph), layers) -> {"graph", "raw", "gzip"}
_pending: dict[tuple, Future] = {}


def _build(graph, layers: tuple[str, ...] | None) -> dict:  # noqa: ANN001
    from citygraph.viz import payload  # noqa: PLC0415

    data = payload.for_browser(payload.build(graph, layers))
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return {"graph": graph, "raw": raw, "gzip": gzip.compress(raw, 6)}


def payload_bytes(graph, layers: tuple[str, ...] | None, wait: float = WAIT_SECONDS) -> dict | None:  # noqa: ANN001
    """The map data of ``graph`` as JSON bytes (and gzipped), built once in a worker thread;
    None when it is still being built after ``wait`` seconds (the first time, on a big graph)."""
    key = (id(graph), layers)
    with _lock:
        held = _built.get(key)
        if held is not None and held["graph"] is graph:
            return held
        for old in [k for k, v in _built.items() if v["graph"] is not graph]:
            del _built[old]  # a reload swapped the graph: forget the old one's data
        future = _pending.get(key)
        if future is None:
            future = _pending[key] = _builder.submit(_build, graph, layers)
    try:
        result = future.result(timeout=wait)
    except FutureTimeout:
        return None
    except BaseException:
        with _lock:
            _pending.pop(key, None)
        raise
    with _lock:
        _built[key] = result
        _pending.pop(key, None)
    return result


@router.get("/api/map/graph", tags=["maps"], summary="Everything the map pages show",
            responses={422: ERRORS[422], 503: {"model": Problem, "description": "The graph could not be read."}})
def map_graph(request: Request, layers: Annotated[list[str] | None, Query(
        description="Layers (named graphs by name: curated, …) whose relationships to include; "
                    "repeat for several. Default: all.", max_length=50)] = None) -> Response:
    """Every relationship (parties, kind, status, dates, the derived `activeFrom`/`activeUntil`,
    layers, sources and quoted evidence), every node (labels in en/fi/sv, kind, country,
    coordinates, network-map position) and centralities per date. A page shows a relationship
    on D when `from <= D && (!until || D < until)`; see the README, "Time". The first request
    after a build of a big graph may answer 202 (being prepared): ask again after `Retry-After`."""
    chosen = tuple(sorted({x.strip() for x in layers if x.strip()})) if layers else None
    try:
        body = payload_bytes(current_graph(request), chosen or None)
    except NotFoundError as exc:
        raise HTTPException(422, detail=f"layers: {exc}") from None
    except CityGraphError as exc:
        raise HTTPException(503, detail=str(exc)) from None
    if body is None:
        return JSONResponse({"status": "preparing", "detail": "the map data is being prepared; "
                             "ask again in a few seconds"}, status_code=202, headers={"Retry-After": "5"})
    headers = {"Vary": "Accept-Encoding", "Cache-Control": "no-cache"}
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(body["gzip"], media_type="application/json",
                        headers={**headers, "Content-Encoding": "gzip"})
    return Response(body["raw"], media_type="application/json", headers=headers)


FORMATS = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}


@router.get("/map/export", include_in_schema=False)
def export(request: Request,
           view: Annotated[str, Query(pattern="^(network|ego|overlap|geo)$")] = "network",
           format: Annotated[str, Query(pattern="^(png|svg|pdf)$")] = "png",  # noqa: A002
           as_of: Annotated[date | None, Query()] = None,
           city: Annotated[str | None, Query(max_length=300)] = None,
           lang: Annotated[Lang | None, Query()] = None) -> Response:
    """The picture for slides that ``citygraph map --format …`` writes, for the view on screen."""
    from citygraph.viz import static  # noqa: PLC0415 (matplotlib on first use)

    chosen = choose_lang(lang.value if lang else None, request.headers.get("accept-language"))
    try:
        data = static.render(current_graph(request), view=view, fmt=format, as_of=as_of,
                             city=city, lang=chosen)
    except NotFoundError as exc:
        raise HTTPException(404, detail=str(exc)) from None
    except CityGraphError as exc:
        raise HTTPException(422, detail=str(exc)) from None
    name = f"citygraph-{view}-{(as_of or date.today()).isoformat()}.{format}"
    return Response(data, media_type=FORMATS[format],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
