"""No outbound request, ever; a timeout that really stops work; one slow query never blocks others.

A canary HTTP listener on 127.0.0.1 counts every request it receives: queries naming it in
SERVICE, FROM, FROM NAMED, LOAD or the graph-uri parameters must leave the count at 0.
"""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from citygraph.api.app import create_app
from citygraph.api.executor import QueryTimeout, WorkerPool
from citygraph.api.worker import Job, Source
from citygraph.config import Settings
from citygraph.graph import CityGraph

CARTESIAN = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


class Canary:
    def __init__(self) -> None:
        self.hits: list[str] = []
        hits = self.hits

        class Handler(http.server.BaseHTTPRequestHandler):
            def _hit(self) -> None:
                hits.append(f"{self.command} {self.path}")
                body = b"<http://canary/s> <http://canary/p> <http://canary/o> .\n"
                self.send_response(200)
                self.send_header("Content-Type", "application/n-triples")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _hit

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def canary() -> Iterator[Canary]:
    listener = Canary()
    yield listener
    listener.close()


@pytest.fixture(scope="module")
def client(graph: CityGraph) -> Iterator[TestClient]:
    settings = Settings.for_home(graph.settings.home, sparql_timeout=2.0, sparql_update=True,
                                 admin_token="test-token")
    with TestClient(create_app(graph, settings)) as test_client:
        yield test_client


def test_canary_counts(canary: Canary) -> None:
    """The canary itself works: a direct request is counted."""
    import urllib.request

    with urllib.request.urlopen(canary.url + "/ping", timeout=5) as response:  # noqa: S310
        assert response.status == 200
    assert canary.hits == ["GET /ping"]


def test_no_outbound_request(client: TestClient, canary: Canary) -> None:
    url = canary.url
    attempts = [
        ({"query": f"SELECT * {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}"}, "SERVICE"),
        ({"query": f"SELECT * {{ SERVICE SILENT <{url}/sparql> {{ ?s ?p ?o }} }}"}, "SERVICE"),
        ({"query": f"PREFIX c: <{url}/> SELECT * {{ ?x ?y ?z SERVICE c:sparql {{ ?s ?p ?o }} }}"}, "SERVICE"),
        ({"query": f"SELECT * {{ BIND(<{url}/sparql> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}"}, "SERVICE"),
        ({"query": f"SELECT * FROM <{url}/data.nt> {{ ?s ?p ?o }}"}, "never fetches"),
        ({"query": f"SELECT * FROM NAMED <{url}/data.nt> {{ GRAPH ?g {{ ?s ?p ?o }} }}"}, "never fetches"),
        ({"query": f"LOAD <{url}/data.nt>"}, "queries only"),
        ({"query": "ASK { ?s ?p ?o }", "default-graph-uri": f"{url}/data.nt"}, "never fetches"),
        ({"query": "ASK { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": f"{url}/data.nt"}, "never fetches"),
    ]
    for params, reason in attempts:
        response = client.get("/sparql", params=params)
        assert response.status_code == 400, params
        assert reason in response.text, (params, response.text)
    headers = {"Authorization": "Bearer test-token", "Content-Type": "application/sparql-update"}
    for update in (f"LOAD <{url}/data.nt>", f"LOAD SILENT <{url}/data.nt> INTO GRAPH <http://g/>",
                   f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}"):
        response = client.post("/sparql/update", content=update, headers=headers)
        assert response.status_code == 400, update
        assert "never" in response.text
    assert canary.hits == []


def test_workers_have_no_network_even_past_the_screen(graph: CityGraph, canary: Canary) -> None:
    """Defence in depth: a SERVICE query sent straight to a worker (no screen) reaches nothing."""
    pool = WorkerPool(Source(nquads=b""), 1)
    try:
        if not pool.network_isolated:
            pytest.skip("this kernel does not let the worker unshare its network namespace")
        reply = pool.execute(Job(f"SELECT * {{ SERVICE <{canary.url}/sparql> {{ ?s ?p ?o }} }}"),
                             time.monotonic() + 30)
        assert reply[0] == "error"
        assert canary.hits == []
    finally:
        pool.kill_all()


def test_timeout_stops_the_query_and_frees_the_worker(client: TestClient) -> None:
    """The cartesian product is cut off; another request is answered meanwhile; then all is normal."""
    slow: dict = {}

    def run_slow() -> None:
        slow["response"] = client.get("/sparql", params={"query": CARTESIAN})

    thread = threading.Thread(target=run_slow)
    thread.start()
    time.sleep(0.3)  # let the slow query reach a worker
    quick = client.get("/sparql", params={"query": "ASK { city:tallinn a cg:City }"})
    still_running = thread.is_alive()
    thread.join(60)
    assert quick.status_code == 200 and quick.json()["boolean"] is True
    assert still_running, "the quick query was answered only after the slow one"
    assert slow["response"].status_code == 503
    assert "ran past the time limit" in slow["response"].text
    assert "2 s" in slow["response"].text
    # the killed worker is replaced, and the server answers normally afterwards
    deadline = time.monotonic() + 30
    while client.get("/healthz").json()["workers"]["alive"] < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert client.get("/healthz").json()["workers"]["alive"] == 2
    for _ in range(4):
        assert client.get("/sparql", params={"query": "ASK {}"}).json()["boolean"] is True


def test_holder_run_for_part_b(client: TestClient) -> None:
    """``holder.run_sync``/``run``: QueryResult, typed parameters, QueryError and QueryTimeout."""
    import asyncio

    from citygraph.errors import QueryError

    holder = client.app.state.holder
    result = holder.run_sync("SELECT ?l { ?city skos:prefLabel ?l FILTER(LANG(?l) = 'fi') }",
                             {"city": "city:tallinn"})
    assert [row[0].value for row in result.rows] == ["Tallinna"]
    assert result.truncated is False
    with pytest.raises(QueryError, match="invalid SPARQL"):
        holder.run_sync("SELECT ?x {")
    with pytest.raises(QueryTimeout):
        asyncio.run(holder.run(CARTESIAN, timeout=0.5))
    capped = asyncio.run(holder.run("SELECT * { ?s ?p ?o }", max_rows=5))
    assert len(capped.rows) == 5 and capped.truncated is True


def test_update_endpoint_needs_the_token(client: TestClient) -> None:
    update = "INSERT DATA { GRAPH <https://w3id.org/citygraph/graph/curated> { city:oslo a cg:City } }"
    headers = {"Content-Type": "application/sparql-update"}
    assert client.post("/sparql/update", content=update, headers=headers).status_code == 401
    wrong = client.post("/sparql/update", content=update, headers={**headers, "Authorization": "Bearer nope"})
    assert wrong.status_code == 403
    ask = {"query": "ASK { city:oslo a cg:City }"}
    assert client.get("/sparql", params=ask).json()["boolean"] is False
    done = client.post("/sparql/update", content=update, headers={**headers, "Authorization": "Bearer test-token"})
    assert done.status_code == 204, done.text
    assert client.get("/sparql", params=ask).json()["boolean"] is True
    bad = client.post("/sparql/update", content="INSERT DATA {", headers={**headers, "Authorization": "Bearer test-token"})
    assert bad.status_code == 400 and "invalid SPARQL Update" in bad.text
    query = client.post("/sparql/update", content="ASK {}", headers={**headers, "Authorization": "Bearer test-token"})
    assert query.status_code == 400


def test_requests_racing_a_reload_are_all_answered(client: TestClient) -> None:
    """Requests that arrive while the pool is swapped go to the new pool, never get a 503."""
    from concurrent.futures import ThreadPoolExecutor

    stop = threading.Event()
    statuses: list[int] = []

    def ask_until_stopped() -> None:
        while not stop.is_set():
            statuses.append(client.get("/sparql", params={"query": "ASK { city:tallinn a cg:City }"}).status_code)

    with ThreadPoolExecutor(6) as readers:
        futures = [readers.submit(ask_until_stopped) for _ in range(6)]
        for _ in range(3):
            reloaded = client.post("/admin/reload", headers={"Authorization": "Bearer test-token"})
            assert reloaded.status_code == 200, reloaded.text
        stop.set()
        for future in futures:
            future.result()
    assert statuses and set(statuses) == {200}
