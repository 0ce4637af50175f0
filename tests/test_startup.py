"""Start-up without waiting: workers open the build on disk and start in the background,
``/healthz`` answers before they are ready, early queries wait for a worker instead of failing,
and the in-memory copy made after start-up answers like the disk store.

Real worker processes, a real on-disk build, a real ``citygraph serve`` on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest

from citygraph import store as stores
from citygraph.api.executor import GraphHolder, WorkerFailure, WorkerPool, fits_in_memory
from citygraph.api.worker import Job, Source, copy_into_memory
from citygraph.config import Settings
from citygraph.errors import ConfigError, StoreError
from citygraph.graph import CityGraph

from conftest import make_home

TALLINN = "ASK { <https://w3id.org/citygraph/id/city/tallinn> a cg:City }"
EVERYTHING = "SELECT ?s ?p ?o ?g { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture(scope="module")
def disk_graph(tmp_path_factory: pytest.TempPathFactory) -> CityGraph:
    """The basic fixture built on disk (a published build under STORE_DIR)."""
    home = make_home(tmp_path_factory.mktemp("startup") / "home")
    return CityGraph.build(Settings.for_home(home, access_log=False), notify=None)


def _rows(reply: tuple) -> set:
    assert reply[0] == "result", reply
    return set(reply[1].rows)


def test_memory_copy_has_the_same_quads_and_blank_nodes(disk_graph: CityGraph) -> None:
    disk = ox.Store.read_only(str(disk_graph.location / stores.OXIGRAPH_DIR))
    copy = copy_into_memory(disk)
    quads = set(disk.quads_for_pattern(None, None, None, None))
    assert quads and set(copy.quads_for_pattern(None, None, None, None)) == quads
    blank = [q for q in quads if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)]
    assert all(q in set(copy.quads_for_pattern(q.subject, None, None, None)) for q in blank)


def test_background_pool_reports_starting_then_ready(disk_graph: CityGraph) -> None:
    source = Source(path=str(disk_graph.location / stores.OXIGRAPH_DIR), memory=True)
    pool = WorkerPool(source, 2, wait=False)
    try:
        assert pool.alive + pool.starting == 2
        assert pool.wait_ready(60) == 2 and pool.starting == 0
        assert pool.network_isolated in (True, False)
        expected = set(disk_graph.query(EVERYTHING).rows)
        # answers from disk first, from the memory copy later: the same rows either way
        deadline = time.monotonic() + 60
        while pool.in_memory < 2 and time.monotonic() < deadline:
            assert _rows(pool.execute(Job(EVERYTHING, max_rows=None), time.monotonic() + 30)) == expected
            time.sleep(0.05)
        assert pool.in_memory == 2  # both said so on their event pipe
        for _ in range(4):
            assert _rows(pool.execute(Job(EVERYTHING, max_rows=None), time.monotonic() + 30)) == expected
    finally:
        pool.kill_all()


def test_a_store_that_cannot_open_fails_fast(tmp_path: Path) -> None:
    pool = WorkerPool(Source(path=str(tmp_path / "missing")), 1, wait=False)
    try:
        pool.wait_ready(60)
        assert pool.alive == 0 and pool.starting == 0 and pool.error
        started = time.monotonic()
        with pytest.raises(WorkerFailure, match="no query worker could start"):
            pool.execute(Job("ASK {}"), time.monotonic() + 30)
        assert time.monotonic() - started < 10  # not the 30 s deadline
    finally:
        pool.kill_all()
    with pytest.raises(StoreError):
        WorkerPool(Source(path=str(tmp_path / "missing")), 1)  # wait=True raises at once


def test_holder_queries_wait_for_start_up_not_on_the_query_clock(disk_graph: CityGraph) -> None:
    """A query sent before any worker is ready is answered; its short timeout counts from the
    moment a worker is there."""
    settings = Settings.for_home(disk_graph.settings.home, sparql_timeout=0.5, access_log=False)
    holder = GraphHolder(disk_graph, settings, workers=1, wait=False)
    try:
        health = holder.health()
        assert health["status"] in ("starting", "ok")
        assert health["ready"] == (health["status"] == "ok")
        assert health["workers"]["configured"] == 1
        assert asyncio.run(holder.run(TALLINN)).boolean is True
        assert holder.run_sync(TALLINN).boolean is True
        health = holder.health()
        assert health["status"] == "ok" and health["ready"] is True
        assert health["workers"]["alive"] == 1 and health["workers"]["starting"] == 0
        assert health["workers"]["memory"] is True  # auto: a small build is copied
    finally:
        holder.close()


def test_memory_setting_auto_true_false(home: Path) -> None:
    base = {"CITYGRAPH_HOME": str(home)}
    assert Settings.from_env(base).sparql_memory is None  # auto
    assert Settings.from_env({**base, "CITYGRAPH_SPARQL_MEMORY": "auto"}).sparql_memory is None
    assert Settings.from_env({**base, "CITYGRAPH_SPARQL_MEMORY": "false"}).sparql_memory is False
    assert Settings.from_env({**base, "CITYGRAPH_SPARQL_MEMORY": "yes"}).sparql_memory is True
    with pytest.raises(ConfigError, match="or auto"):
        Settings.from_env({**base, "CITYGRAPH_SPARQL_MEMORY": "maybe"})
    assert fits_in_memory(1_100_000, 2)  # the L world
    assert not fits_in_memory(10_000_000, 2)  # XL: served from disk


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_answers_healthz_and_queries_from_the_first_connection(tmp_path: Path) -> None:
    """No readiness wait on the client side: the first request that connects is answered."""
    home = make_home(tmp_path / "home")
    CityGraph.build(Settings.for_home(home), notify=None)  # the server opens it, no rebuild
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITYGRAPH_")}
    env.update(CITYGRAPH_HOME=str(home), CITYGRAPH_PORT=str(port), CITYGRAPH_SPARQL_TIMEOUT="2",
               CITYGRAPH_ACCESS_LOG="false")
    log = tmp_path / "server.log"
    with log.open("w") as stderr:
        process = subprocess.Popen([sys.executable, "-m", "citygraph.cli", "serve"], env=env,
                                   stdout=subprocess.DEVNULL, stderr=stderr, cwd=home)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=60) as response:  # noqa: S310
                    health = json.loads(response.read())
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the server did not start:\n{log.read_text()}")
                time.sleep(0.05)
        assert health["status"] in ("starting", "ok") and health["ready"] == (health["status"] == "ok")
        assert health["workers"]["configured"] == 2
        assert health["fingerprint"] and health["triples"]["total"] > 0
        query = urllib.parse.urlencode({"query": TALLINN})
        with urllib.request.urlopen(f"{base}/sparql?{query}", timeout=60) as response:  # noqa: S310
            assert json.loads(response.read())["boolean"] is True
        with urllib.request.urlopen(base + "/healthz", timeout=60) as response:  # noqa: S310
            health = json.loads(response.read())
        assert health["status"] == "ok" and health["workers"]["alive"] >= 1
    finally:
        process.send_signal(signal.SIGINT)
        try:
            assert process.wait(30) == 0, log.read_text()
        finally:
            if process.poll() is None:
                process.kill()
    assert not list((home / ".citygraph").glob("serve-*"))  # the snapshot went with the server


def test_the_command_serves_without_the_full_cli() -> None:
    """``citygraph serve`` goes through ``citygraph.__main__`` (not importing every command);
    errors keep the CLI's one-line form and exit code; other commands reach the full CLI."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITYGRAPH_")}
    bad = subprocess.run([sys.executable, "-m", "citygraph", "serve", "--workers", "0"], env=env,
                         capture_output=True, text=True, timeout=120, check=False)
    assert bad.returncode == 2 and "error: --workers 0: give at least 1" in bad.stderr
    probe = ("import sys, runpy; sys.argv = ['citygraph', 'serve', '--help']\n"
             "try:\n    runpy.run_module('citygraph', run_name='__main__')\nexcept SystemExit:\n    pass\n"
             "print('citygraph.cli' in sys.modules, file=sys.stderr)")
    helped = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True,
                            timeout=120, check=False)
    assert "--workers" in helped.stdout and helped.stderr.strip().endswith("False")
    version = subprocess.run([sys.executable, "-m", "citygraph", "--version"], env=env,
                             capture_output=True, text=True, timeout=120, check=False)
    assert version.returncode == 0 and version.stdout.startswith("citygraph ")
