"""The web app factory: ``create_app(graph, settings)`` assembles routers over one graph.

Tests build apps over tiny graphs with ``TestClient(create_app(graph, settings))`` (use it as a
context manager so the query workers stop at the end); ``citygraph serve`` runs one with
uvicorn. Handlers reach the graph through ``request.app.state.holder``
(:class:`citygraph.api.executor.GraphHolder`).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timezone

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from citygraph import __version__
from citygraph.api.executor import GraphHolder, QueryTimeout, ServiceBusy, WorkerFailure
from citygraph.config import Settings
from citygraph.errors import QueryError
from citygraph.graph import CityGraph

access_log = logging.getLogger("citygraph.access")


def query_hash(sparql: str) -> str:
    """What the access log records of a query: 16 hex digits of its SHA-256, never the text."""
    return hashlib.sha256(sparql.encode("utf-8", "surrogatepass")).hexdigest()[:16]


class AccessLog:
    """One JSON line per request on the ``citygraph.access`` logger: time, method, path,
    status, duration and the query hash; no client address, no query string."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500
        state = scope.setdefault("state", {})  # shared with the handler's request.state

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            record = {
                "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "duration_ms": round((time.perf_counter() - start) * 1000, 2),
            }
            digest = state.get("query_hash")
            if digest:
                record["query_hash"] = digest
            access_log.info(json.dumps(record))


class SizeLimit:
    """413 for a body over ``limit`` bytes (declared or streamed), 414 for a longer query string."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if len(scope.get("query_string", b"")) > self.limit:
            await _plain(send, 414, f"the query string is over the limit of {self.limit} bytes")
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await _plain(send, 400, "Content-Length is not a number")
                    return
                if declared > self.limit:
                    await _plain(send, 413, f"the request body ({declared} bytes) is over the "
                                            f"limit of {self.limit} bytes")
                    return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge()
            return message

        async def track(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, track)
        except _TooLarge:
            if not started:
                await _plain(send, 413, f"the request body is over the limit of {self.limit} bytes")


class _TooLarge(Exception):
    pass


async def _plain(send: Send, status: int, text: str) -> None:
    body = (text + "\n").encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


# Routers of part B (JSON API, linked-data pages, editor): included when their modules exist,
# so either half of the app can land first. Each module exposes ``router``.
OPTIONAL_ROUTERS = (
    "citygraph.api.routes.json_api",
    "citygraph.api.routes.entities",
    "citygraph.api.routes.pages",
    "citygraph.api.routes.analysis",
    "citygraph.api.routes.maps",  # /map, /map/geo, /timeline, /api/map/graph (issue 7)
    "citygraph.api.routes.publication",  # /catalog, /.well-known/void, /dataset/ (issue 6)
    "citygraph.layers.api",  # /api/discrepancies, /api/layers (issue 8)
)


def create_app(graph: CityGraph, settings: Settings | None = None, *,
               workers: int | None = None, holder: GraphHolder | None = None) -> FastAPI:
    """The FastAPI app over ``graph``; starts ``workers`` query processes (default: setting),
    or serves the given ``holder`` (``citygraph serve`` starts its workers first). The app's
    lifespan closes the holder."""
    from citygraph.api.routes import ops, sparql  # noqa: PLC0415 - routes import this module

    settings = settings or graph.settings
    holder = holder or GraphHolder(graph, settings, workers)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        holder.close()

    app = FastAPI(
        title="citygraph",
        version=__version__,
        description="A knowledge graph of cities' international relationships: SPARQL 1.1 "
                    "endpoint, JSON API and linked-data pages.",
        lifespan=lifespan,
        docs_url=None,  # part B serves /docs offline
        redoc_url=None,
    )
    app.state.holder = holder
    app.state.settings = settings

    @app.exception_handler(QueryError)
    async def _bad_query(_request: Request, exc: QueryError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.exception_handler(QueryTimeout)
    @app.exception_handler(ServiceBusy)
    @app.exception_handler(WorkerFailure)
    async def _unavailable(_request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=503)

    # ---------------------------------------------------------------- routers (part A)
    app.include_router(sparql.router)
    if settings.sparql_update:
        app.include_router(sparql.update_router)
    app.include_router(ops.router)
    # ---------------------------------------------------------------- routers (part B)
    # Add a module name to OPTIONAL_ROUTERS (or one include_router line here) per router.
    for name in OPTIONAL_ROUTERS:
        if importlib.util.find_spec(name) is not None:
            module = importlib.import_module(name)
            if hasattr(module, "router"):
                app.include_router(module.router)
    # ---------------------------------------------------------------- end of routers

    app.add_middleware(SizeLimit, limit=settings.max_request_bytes)
    if settings.access_log:
        app.add_middleware(AccessLog)
    return app
