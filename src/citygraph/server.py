"""``citygraph serve`` and ``citygraph reload``: run the web app, reload a running one.

Kept apart from ``cli.py`` (which registers these two commands) so that the CLI does not
import FastAPI and uvicorn until a server is asked for.

Start-up is cheap whatever the size of the store: ``serve`` opens the build read-only, starts
the query workers (each opens the build on disk and reports ready in well under a second),
and listens at once; :class:`StartingApp` answers ``/healthz`` from then on and builds the
FastAPI app (routes, models: about a second of Python) in a thread meanwhile. Other requests
wait for the app (at most :data:`APP_WAIT` seconds), then for a ready worker (at most their
query timeout).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import Future
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from citygraph.config import Settings
from citygraph.errors import CityGraphError

if TYPE_CHECKING:
    from citygraph.api.executor import GraphHolder

log = logging.getLogger("citygraph.server")
APP_WAIT = 120.0  # seconds a request may wait for the app to be built at start-up


class ServerError(CityGraphError):
    """The server cannot start, or a running server refused a call."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class StartingApp:
    """The ASGI app ``citygraph serve`` runs: answers ``/healthz`` (``holder.health()``) from
    the moment the socket is up, builds the real app with ``build`` in a thread, and passes
    every request to it once built (requests that come earlier wait, up to :data:`APP_WAIT`).

    The workers and the build start once ``listening()`` says the socket is up (they would
    otherwise slow the server's own start: CPU, and the GIL for the thread). The real app's lifespan is entered as soon as
    it is built and left at shutdown (which closes the holder); if building fails,
    ``on_failure`` is called (the server stops) and the error is kept in ``error``.
    """

    def __init__(self, holder: GraphHolder, build: Callable[[], Any],
                 on_failure: Callable[[], None] | None = None,
                 listening: Callable[[], bool] | None = None) -> None:
        self.holder = holder
        self._listening = listening
        self.app: Any = None
        self.error: BaseException | None = None
        self._on_failure = on_failure
        self._build_app = build
        self._built: Future = Future()
        self._serving: asyncio.Event | None = None

    def start(self) -> None:
        """Start the holder's workers and building the real app (in a thread)."""
        self.holder.start_workers()
        threading.Thread(target=self._build, args=(self._build_app,), name="citygraph-app",
                         daemon=True).start()

    def _build(self, build: Callable[[], Any]) -> None:
        try:
            self._built.set_result(build())
        except BaseException as exc:  # noqa: BLE001 - reported; the server stops
            log.error("cannot build the web app: %s: %s", type(exc).__name__, exc)
            self.error = exc
            self._built.set_result(None)
            if self._on_failure:
                self._on_failure()

    def _event(self) -> asyncio.Event:
        if self._serving is None:
            self._serving = asyncio.Event()
        return self._serving

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        serving = self._event()
        if not serving.is_set():
            if scope["type"] == "http" and scope["path"] == "/healthz" and scope["method"] in ("GET", "HEAD"):
                await _json(send, 200, self.holder.health())
                return
            try:
                await asyncio.wait_for(serving.wait(), APP_WAIT)
            except asyncio.TimeoutError:
                pass
            if self.app is None or not serving.is_set():
                if scope["type"] == "http":
                    await _json(send, 503, {"detail": "the server is still starting; try again in a moment"
                                            if self.error is None else "the server failed to start"})
                return
        await self.app(scope, receive, send)

    async def _lifespan(self, receive: Callable, send: Callable) -> None:
        await receive()  # lifespan.startup: the socket may open now, before the app is built
        await send({"type": "lifespan.startup.complete"})
        shutdown = asyncio.ensure_future(receive())
        for _ in range(1000):  # at most 5 s
            if self._listening is None or self._listening() or shutdown.done():
                break
            await asyncio.sleep(0.005)
        self.start()
        built = asyncio.wrap_future(self._built)
        async with AsyncExitStack() as stack:
            await asyncio.wait({shutdown, built}, return_when=asyncio.FIRST_COMPLETED)
            if not shutdown.done():
                app = built.result()
                if app is not None:
                    self.app = app
                    await stack.enter_async_context(app.router.lifespan_context(app))
                    self._event().set()
            await shutdown
        app = await built  # stopped while building: wait for it, then close what it started
        if app is None or self.app is None:
            self.holder.close()
        await send({"type": "lifespan.shutdown.complete"})


async def _json(send: Callable, status: int, body: dict) -> None:
    data = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(data)).encode())]})
    await send({"type": "http.response.body", "body": data})


def serve(
    host: Annotated[Optional[str], typer.Option(help="Address to listen on (default CITYGRAPH_HOST or 127.0.0.1).")] = None,
    port: Annotated[Optional[int], typer.Option(help="Port (default CITYGRAPH_PORT or 8000).")] = None,
    workers: Annotated[Optional[int], typer.Option(
        help="Query worker processes (default CITYGRAPH_SPARQL_WORKERS or 2).")] = None,
) -> None:
    """Serve the SPARQL endpoint, JSON API and pages over the embedded store (Ctrl-C stops)."""
    import uvicorn  # noqa: PLC0415 - only when serving

    from citygraph.api.executor import GraphHolder  # noqa: PLC0415
    from citygraph.graph import CityGraph  # noqa: PLC0415

    settings = Settings.from_env()
    host = host or settings.host
    port = settings.port if port is None else port
    if workers is not None and workers < 1:
        raise ServerError(f"--workers {workers}: give at least 1")
    graph = CityGraph.open(settings, notify=lambda m: typer.echo(m, err=True))
    # the workers start once the server listens (spawning them earlier slows the listening)
    holder = GraphHolder(graph, settings, workers, wait=False, start=False)
    del graph  # the app serves its own snapshot of the build
    if settings.access_log:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        access = logging.getLogger("citygraph.access")
        access.addHandler(handler)
        access.setLevel(logging.INFO)
        access.propagate = False

    def build() -> Any:
        from citygraph.api.app import create_app  # noqa: PLC0415 - FastAPI: in the thread

        return create_app(holder.graph, settings, holder=holder)

    def stop() -> None:
        server.should_exit = True

    app = StartingApp(holder, build, on_failure=stop, listening=lambda: server.started)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, access_log=False,
                                           log_level="warning", timeout_graceful_shutdown=5,
                                           lifespan="on"))
    typer.echo(f"citygraph: SPARQL endpoint at http://{host}:{port}/sparql "
               f"({holder.workers} query workers starting"
               f"{', copying the build into memory' if holder.pool.source.memory else ''}; "
               f"timeout {settings.sparql_timeout:g} s)", err=True)
    try:
        server.run()
    except KeyboardInterrupt:  # Ctrl-C: uvicorn re-raises it after a clean shutdown
        pass
    if app.error is not None:
        raise ServerError(f"the web app failed to start: {type(app.error).__name__}: {app.error}")


def reload(
    url: Annotated[str, typer.Option(help="Base URL of the running server.")] = "",
) -> None:
    """Ask a running server to rebuild from the data files and swap the new graph in.

    Needs CITYGRAPH_ADMIN_TOKEN (the same token the server was started with). Exit 1 when the
    data is invalid (the server keeps serving the old graph and the message says why).
    """
    settings = Settings.from_env()
    base = (url or f"http://{settings.host}:{settings.port}").rstrip("/")
    token = os.environ.get("CITYGRAPH_ADMIN_TOKEN", settings.admin_token)
    if not token:
        raise ServerError("set CITYGRAPH_ADMIN_TOKEN to the server's admin token")
    request = urllib.request.Request(base + "/admin/reload", method="POST", data=b"",
                                     headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=600) as response:  # noqa: S310 - our server
            result = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        body = exc.read().decode("utf-8", "replace")
        try:
            message = json.loads(body).get("error", body)
        except ValueError:
            message = body.strip()
        raise ServerError(f"reload refused ({exc.code}): {message}", 1 if exc.code == 422 else 2) from None
    except (urllib.error.URLError, OSError) as exc:
        raise ServerError(f"cannot reach the server at {base} ({getattr(exc, 'reason', exc)}); "
                          "is `citygraph serve` running?") from None
    typer.echo(f"{result.get('status')}: fingerprint {str(result.get('fingerprint'))[:16]}"
               + (f", triples {result['triples']}" if result.get("triples") else ""))
