"""A real ``citygraph serve`` on 127.0.0.1 over an on-disk store: real clients, timeout, reload.

The server runs as a subprocess on a free port (started and stopped by the fixture), over a
temporary home built from ``tests/fixtures/basic``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper

from conftest import FIXTURES, make_home

TOKEN = "server-test-token"
CITY = "https://w3id.org/citygraph/id/city/"
CARTESIAN = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
OSLO = """PREFIX cg: <https://w3id.org/citygraph/ontology#>
PREFIX city: <https://w3id.org/citygraph/id/city/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>

city:oslo
    a cg:City ;
    skos:prefLabel "Oslo"@en ;
.
"""


@dataclass
class Served:
    url: str
    home: Path
    process: subprocess.Popen
    log: Path
    env: dict[str, str]

    def get(self, path: str, **params: str) -> dict:
        query = urllib.parse.urlencode(params)
        with urllib.request.urlopen(f"{self.url}{path}?{query}", timeout=60) as response:  # noqa: S310
            return json.loads(response.read())

    def ask(self, query: str) -> bool:
        return self.get("/sparql", query=query)["boolean"]

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "citygraph.cli", *args], env=self.env,
                              capture_output=True, text=True, timeout=300, check=False)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    home = make_home(tmp_path_factory.mktemp("served") / "home")
    port = _free_port()
    env = {**os.environ, "CITYGRAPH_HOME": str(home), "CITYGRAPH_PORT": str(port),
           "CITYGRAPH_SPARQL_TIMEOUT": "2", "CITYGRAPH_ADMIN_TOKEN": TOKEN,
           "CITYGRAPH_SPARQL_WORKERS": "2"}
    env = {k: v for k, v in env.items() if not k.startswith("CITYGRAPH_") or k in (
        "CITYGRAPH_HOME", "CITYGRAPH_PORT", "CITYGRAPH_SPARQL_TIMEOUT", "CITYGRAPH_ADMIN_TOKEN",
        "CITYGRAPH_SPARQL_WORKERS")}
    log = home / "server.log"
    with log.open("w") as stderr:
        process = subprocess.Popen([sys.executable, "-m", "citygraph.cli", "serve"], env=env,
                                   stdout=subprocess.DEVNULL, stderr=stderr, cwd=home)
    served = Served(f"http://127.0.0.1:{port}", home, process, log, env)
    deadline = time.monotonic() + 120
    while True:
        try:  # /healthz answers at once; wait until every query worker is up too
            if served.get("/healthz")["workers"]["starting"] == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"the server did not start:\n{log.read_text()}")
            time.sleep(0.2)
    yield served
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()


def test_sparqlwrapper_select_ask_construct(served: Served) -> None:
    client = SPARQLWrapper(served.url + "/sparql")
    client.setQuery("SELECT ?label WHERE { city:tallinn skos:prefLabel ?label } ORDER BY ?label")
    client.setReturnFormat(JSON)
    rows = client.query().convert()["results"]["bindings"]
    assert [(r["label"]["value"], r["label"]["xml:lang"]) for r in rows] == [("Tallinn", "en"), ("Tallinna", "fi")]
    client.setMethod(POST)
    client.setQuery("ASK { city:helsinki ?p ?o }")
    assert client.query().convert()["boolean"] is True
    client.setQuery("CONSTRUCT { city:tallinn a ?t } WHERE { city:tallinn a ?t }")
    client.setReturnFormat(TURTLE)
    graph = rdflib.Graph().parse(data=client.query().convert(), format="turtle")
    assert (rdflib.URIRef(CITY + "tallinn"), rdflib.RDF.type,
            rdflib.URIRef("https://w3id.org/citygraph/ontology#City")) in graph


def test_rdflib_sparqlstore(served: Served) -> None:
    graph = rdflib.Graph(store=SPARQLStore(query_endpoint=served.url + "/sparql", returnFormat="xml"))
    rows = graph.query("SELECT ?other WHERE { ?p <https://w3id.org/citygraph/ontology#party> "
                       f"<{CITY}helsinki>, ?other FILTER(?other != <{CITY}helsinki>) }} ORDER BY ?other")
    assert [str(r[0]) for r in rows] == [CITY + "st-petersburg", CITY + "tallinn"]
    assert graph.query("ASK { ?s ?p ?o FILTER(false) }").askAnswer is False


def test_large_results_arrive_whole(served: Served) -> None:
    """Replies longer than a socket buffer (regression: uvloop left the pipe non-blocking)."""
    query = 'SELECT ?s ?p ?o ?pad { ?s ?p ?o BIND(CONCAT(STR(?s), "-padding-padding-padding") AS ?pad) }'
    sizes = {len(served.get("/sparql", query=query)["results"]["bindings"]) for _ in range(6)}
    assert len(sizes) == 1 and sizes.pop() > 1000


def test_health_and_access_log(served: Served) -> None:
    health = served.get("/healthz")
    assert health["status"] == "ok" and health["workers"]["alive"] == 2
    assert health["workers"]["network_isolated"] in (True, False)
    served.get("/sparql", query="SELECT ?secret { BIND('private-words' AS ?secret) }")
    time.sleep(0.2)
    lines = [json.loads(line) for line in served.log.read_text().splitlines() if line.startswith("{")]
    assert any(r["path"] == "/sparql" and r["status"] == 200 and len(r.get("query_hash", "")) == 16
               for r in lines)
    assert "private-words" not in served.log.read_text()


def test_expensive_query_is_cut_off_while_others_are_answered(served: Served) -> None:
    slow: dict = {}

    def run_slow() -> None:
        try:
            served.get("/sparql", query=CARTESIAN)
        except urllib.error.HTTPError as exc:
            with exc:
                slow["status"], slow["text"] = exc.code, exc.read().decode()

    thread = threading.Thread(target=run_slow)
    thread.start()
    time.sleep(0.3)
    answered = served.ask("ASK { city:tallinn a cg:City }")
    still_running = thread.is_alive()
    thread.join(60)
    assert answered is True
    assert still_running, "the cheap query waited for the expensive one"
    assert slow["status"] == 503 and "time limit" in slow["text"]
    assert served.ask("ASK {}") is True


def test_build_elsewhere_does_not_disturb_the_server(served: Served) -> None:
    """`citygraph build` deletes older build directories; the server reads its own snapshot."""
    (served.home / "data" / "oslo.ttl").write_text(OSLO)
    try:
        result = served.cli("build")
        assert result.returncode == 0, result.stderr
        builds = list((served.home / ".citygraph").glob("build-*"))
        assert len(builds) == 1  # the build the server started from is gone
        assert served.ask("ASK { city:oslo a cg:City }") is False  # still the old graph
        assert served.ask("ASK { city:tallinn a cg:City }") is True
    finally:
        (served.home / "data" / "oslo.ttl").unlink()


def test_reload_with_bad_data_keeps_the_old_graph_then_a_good_reload_swaps(served: Served) -> None:
    before = served.get("/healthz")["fingerprint"]
    shutil.copy(FIXTURES / "malformed.ttl", served.home / "data" / "malformed.ttl")
    result = served.cli("reload")
    assert result.returncode == 1, result.stderr
    assert "data/malformed.ttl:" in result.stderr
    assert "old graph keeps serving" in result.stderr
    assert served.ask("ASK { city:tallinn a cg:City }") is True
    health = served.get("/healthz")
    assert health["fingerprint"] == before
    assert health["last_reload"]["status"] == "failed"
    assert "malformed.ttl" in health["last_reload"]["error"]

    (served.home / "data" / "malformed.ttl").unlink()
    (served.home / "data" / "oslo.ttl").write_text(OSLO)
    answers: list[bool] = []
    errors: list[str] = []
    stop = threading.Event()

    def keep_asking() -> None:
        while not stop.is_set():
            try:
                answers.append(served.ask("ASK { city:oslo a cg:City . city:tallinn a cg:City }"))
            except OSError as exc:
                errors.append(str(exc))

    reader = threading.Thread(target=keep_asking)
    reader.start()
    try:
        result = served.cli("reload")
    finally:
        time.sleep(0.3)
        stop.set()
        reader.join(30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("reloaded: fingerprint ")
    assert errors == []
    # readers saw the old graph, then the new one; never a mix, never back
    assert answers and answers[-1] is True
    assert answers == sorted(answers)
    assert served.get("/healthz")["fingerprint"] != before
    again = served.cli("reload")
    assert again.returncode == 0 and again.stdout.startswith("unchanged")


def test_admin_reload_needs_the_token(served: Served) -> None:
    for headers, status in (({}, 401), ({"Authorization": "Bearer wrong"}, 403)):
        request = urllib.request.Request(served.url + "/admin/reload", method="POST", data=b"",
                                         headers=headers)
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(request, timeout=30)  # noqa: S310
        caught.value.close()
        assert caught.value.code == status


def test_shutdown_removes_the_snapshot(served: Served) -> None:
    store_dir = served.home / ".citygraph"
    assert list(store_dir.glob("serve-*"))
    served.process.send_signal(signal.SIGINT)
    assert served.process.wait(30) == 0
    assert list(store_dir.glob("serve-*")) == []
