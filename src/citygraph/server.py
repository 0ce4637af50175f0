"""``citygraph serve`` and ``citygraph reload``: run the web app, reload a running one.

Kept apart from ``cli.py`` (which registers these two commands) so that the CLI does not
import FastAPI and uvicorn until a server is asked for.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import urllib.error
import urllib.request
from typing import Annotated, Optional

import typer

from citygraph.config import Settings
from citygraph.errors import CityGraphError


class ServerError(CityGraphError):
    """The server cannot start, or a running server refused a call."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def serve(
    host: Annotated[Optional[str], typer.Option(help="Address to listen on (default CITYGRAPH_HOST or 127.0.0.1).")] = None,
    port: Annotated[Optional[int], typer.Option(help="Port (default CITYGRAPH_PORT or 8000).")] = None,
    workers: Annotated[Optional[int], typer.Option(
        help="Query worker processes (default CITYGRAPH_SPARQL_WORKERS or 2).")] = None,
) -> None:
    """Serve the SPARQL endpoint, JSON API and pages over the embedded store (Ctrl-C stops)."""
    import uvicorn  # noqa: PLC0415 - only when serving

    from citygraph.api.app import create_app  # noqa: PLC0415
    from citygraph.graph import CityGraph  # noqa: PLC0415

    settings = Settings.from_env()
    host = host or settings.host
    port = settings.port if port is None else port
    if workers is not None and workers < 1:
        raise ServerError(f"--workers {workers}: give at least 1")
    graph = CityGraph.open(settings, notify=lambda m: typer.echo(m, err=True))
    app = create_app(graph, settings, workers=workers)
    del graph  # the app serves its own snapshot of the build
    if settings.access_log:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        access = logging.getLogger("citygraph.access")
        access.addHandler(handler)
        access.setLevel(logging.INFO)
        access.propagate = False
    typer.echo(f"citygraph: SPARQL endpoint at http://{host}:{port}/sparql "
               f"({app.state.holder.workers} query workers, timeout {settings.sparql_timeout:g} s)",
               err=True)
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning",
                timeout_graceful_shutdown=5)


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
