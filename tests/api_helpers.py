"""Helpers for the JSON API, linked-data and page tests: graphs, apps and a live server.

The tiny graph is ``tests/fixtures/basic`` (answers worked out by hand in the tests); the real
one is the repository's ``data/`` built in memory (the on-disk store is never touched).
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import uvicorn
from fastapi.testclient import TestClient

from citygraph.api.app import create_app
from citygraph.config import Settings
from citygraph.graph import CityGraph
from conftest import REPO, make_home

ID = "https://w3id.org/citygraph/id/"


def tiny_graph(root: Path) -> CityGraph:
    """The basic fixture in memory, in a home that also has the SHACL shapes (for /api/validation)."""
    home = make_home(root / "home")
    shutil.copytree(REPO / "shapes", home / "shapes")
    return CityGraph.build(Settings.for_home(home), memory=True, notify=None)


def real_graph() -> CityGraph:
    return CityGraph.build(Settings.for_home(REPO), memory=True, notify=None)


@contextlib.contextmanager
def client(graph: CityGraph) -> Iterator[TestClient]:
    """A TestClient over ``create_app(graph)`` with one query worker, stopped at the end."""
    settings = Settings.for_home(graph.settings.home, access_log=False)
    with TestClient(create_app(graph, settings, workers=1)) as c:
        yield c


@contextlib.contextmanager
def live_server(graph: CityGraph) -> Iterator[str]:
    """uvicorn serving ``create_app(graph)`` on 127.0.0.1 (a free port); yields the base URL."""
    settings = Settings.for_home(graph.settings.home, access_log=False)
    app = create_app(graph, settings, workers=1)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
