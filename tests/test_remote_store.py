"""The remote store: citygraph builds into, and answers from, a real `oxigraph serve` on 127.0.0.1."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import isomorphic
from typer.testing import CliRunner

from citygraph.cli import app
from citygraph.config import Settings
from citygraph.errors import CityGraphError, DataFileError, StoreError
from citygraph.graph import CityGraph
from citygraph.namespaces import CURATED_GRAPH
from citygraph.remote import GENID, RemoteStore
from conftest import REPO, make_home
from test_queries import partners, run

OXIGRAPH = Path(sys.executable).with_name("oxigraph")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`oxigraph serve --union-default-graph` on a free 127.0.0.1 port, data in ``location``."""

    def __init__(self, location: Path, union: bool = True) -> None:
        self.port = _free_port()
        args = [str(OXIGRAPH), "serve", "--location", str(location), "--bind", f"127.0.0.1:{self.port}"]
        self.process = subprocess.Popen(args + (["--union-default-graph"] if union else []),
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/query?query=ASK%7B%7D", timeout=2)
                break
            except (urllib.error.URLError, OSError):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("oxigraph serve did not start") from None
                time.sleep(0.05)

    @property
    def store(self) -> str:
        return f"sparql+http://127.0.0.1:{self.port}/query"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("oxigraph"))
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def remote(server: Server, tmp_path_factory: pytest.TempPathFactory) -> CityGraph:
    """The real curated data, built by citygraph into the server (upload by SPARQL Update)."""
    settings = Settings.for_home(REPO, store_dir=tmp_path_factory.mktemp("store"), store=server.store)
    return CityGraph.build(settings, notify=None)


@pytest.fixture(scope="module")
def embedded() -> CityGraph:
    return CityGraph.build(Settings.for_home(REPO), memory=True, notify=None)


def _count(graph: CityGraph, sparql: str = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") -> int:
    return int(graph.query(sparql).rows[0][0].value)


# ------------------------------------------------------------------ queries
def test_the_build_lives_on_the_server_and_the_manifest_stays_local(remote: CityGraph, server: Server,
                                                                     embedded: CityGraph) -> None:
    assert isinstance(remote.store, RemoteStore) and remote.remote and remote.location is None
    assert remote.manifest["store"] == server.store
    assert remote.manifest["triples"] == embedded.manifest["triples"]
    assert (remote.settings.store_dir / "remote-manifest.json").is_file()
    assert _count(remote) == _count(embedded)
    # blank nodes travel as genid IRIs but come back as blank nodes
    body = urllib.request.urlopen(f"http://127.0.0.1:{server.port}/query?query="
                                  "ASK%7B%3Fs%20%3Fp%20%3Fo%20FILTER(isBlank(%3Fs))%7D").read()
    assert b"false" in body
    assert _count(remote, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(isBlank(?s)) }") == \
        _count(embedded, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(isBlank(?s)) }") > 0
    assert _count(remote, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(isIRI(?s)) }") == \
        _count(embedded, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(isIRI(?s)) }")
    assert not any(GENID in str(t) for row in remote.query("SELECT * WHERE { ?s ?p ?o }").rows for t in row)


def test_named_queries_give_the_embedded_answers(remote: CityGraph, embedded: CityGraph) -> None:
    assert partners(run("active-partners", remote, date="2019-06-01")) == {
        "Beijing", "Berlin", "Moscow", "New York City", "Saint Petersburg", "Stockholm", "Tallinn"}
    assert partners(run("active-partners", remote, date="2024-06-01")) == {
        "Amsterdam", "Barcelona", "Beijing", "Berlin", "Dnipro", "London", "New York City",
        "Stockholm", "Tallinn"}
    for name in ("active-partners", "changes-between-dates", "city-networks", "facts-about"):
        assert _rows(run(name, remote)) == _rows(run(name, embedded)), name


def _rows(rows: list[dict]) -> list[str]:
    """Rows comparable across stores: GROUP_CONCAT's order is unspecified in SPARQL."""
    def cell(value: object) -> object:
        return ", ".join(sorted(value.split(", "))) if isinstance(value, str) else value
    return sorted(repr(sorted((k, cell(v)) for k, v in row.items())) for row in rows)


def _canon(data: object) -> object:
    """Lists made from unordered SPARQL solutions, sorted (the engines' order may differ)."""
    if isinstance(data, dict):
        return {k: _canon(v) for k, v in data.items()}
    if isinstance(data, list):
        return sorted((_canon(v) for v in data), key=repr)
    return data


def test_describe_follows_blank_node_attestations(remote: CityGraph, embedded: CityGraph) -> None:
    iri = "https://w3id.org/citygraph/id/city/helsinki"
    assert _canon(remote.describe(iri)) == _canon(embedded.describe(iri))
    assert remote.resolve("Helsingfors") == iri
    quotes = [a["quote"] for rels in remote.describe(iri)["relationships"].values()
              for rel in rels for a in rel["attestations"]]
    assert any(quotes)


def test_query_cli_with_citygraph_store_set(remote: CityGraph, server: Server,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITYGRAPH_HOME", str(REPO))
    monkeypatch.setenv("CITYGRAPH_STORE_DIR", str(remote.settings.store_dir))
    monkeypatch.setenv("CITYGRAPH_STORE", server.store)
    result = CliRunner().invoke(app, ["query", "active-partners", "--param", "date=2019-06-01",
                                      "--format", "csv"])
    assert result.exit_code == 0, result.output
    for city in ("Moscow", "Saint Petersburg", "Tallinn"):
        assert city in result.stdout
    assert "building" not in result.output  # the manifest matched: nothing was rebuilt


def test_the_api_answers_over_the_remote_store(remote: CityGraph, embedded: CityGraph) -> None:
    from api_helpers import client

    with client(remote) as c:
        response = c.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s a cg:Partnership }"},
                         headers={"Accept": "application/sparql-results+json"})
        assert response.status_code == 200, response.text
        n = int(response.json()["results"]["bindings"][0]["n"]["value"])
        assert n == _count(embedded, "SELECT (COUNT(*) AS ?n) WHERE { ?s a cg:Partnership }") > 0
        here = c.get("/api/relationships", params={"as_of": "2019-06-01"})
        assert here.status_code == 200, here.text
    with client(embedded) as c:
        there = c.get("/api/relationships", params={"as_of": "2019-06-01"})
    # the order of the parties in a label follows the (unspecified) order of the solutions
    for body in (here_json := here.json(), there_json := there.json()):
        for item in body["items"]:
            kind, _, parties = item["label"].partition(": ")
            item["label"] = (kind, sorted(parties.split(" – ")))
    assert _canon(here_json) == _canon(there_json)


def test_analysis_reads_the_remote_store(remote: CityGraph, embedded: CityGraph) -> None:
    from citygraph.analysis import Ties, centrality

    a, b = Ties.load(remote), Ties.load(embedded)
    assert len(a.relationships) == len(b.relationships) > 0
    ra = centrality(a.snapshot("2024-06-01"), "combined")
    rb = centrality(b.snapshot("2024-06-01"), "combined")
    assert ra.to_dict("records") == rb.to_dict("records")


def test_publication_from_the_remote_store_is_the_same_graph(remote: CityGraph, embedded: CityGraph,
                                                             tmp_path: Path) -> None:
    import pyoxigraph as ox

    from citygraph.publish import publish
    from citygraph.publish.layers import plan, quads
    from publish_helpers import options

    publish(remote, tmp_path / "remote", options(), check=False)
    a = rdflib.Graph().parse(tmp_path / "remote" / "dumps" / "citygraph.nt", format="nt")
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in quads(embedded, plan(embedded).combined)}
    b = rdflib.Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    assert len(a) == len(b) > 0
    assert isomorphic(a, b)


# ------------------------------------------------------------------ replacing the data
def test_rebuild_replaces_and_a_failing_build_leaves_the_data(tmp_path: Path) -> None:
    srv = Server(tmp_path / "oxigraph")
    try:
        home = make_home(tmp_path / "home")
        settings = Settings.for_home(home, store=srv.store, store_gsp=f"http://127.0.0.1:{srv.port}/store")
        first = CityGraph.build(settings, notify=None)
        total = _count(first)
        assert total == sum(first.manifest["triples"].values())
        again = CityGraph.build(settings, notify=None)
        assert _count(again) == total  # replaced, not added
        assert not [g for g in again.store.named_graphs() if "staging" in g.value]
        # a file that does not parse: the build fails before the server is touched
        (home / "data" / "broken.ttl").write_text("this is not turtle .\n")
        with pytest.raises(DataFileError):
            CityGraph.build(settings, notify=None)
        assert _count(again) == total
        # a removed file: its triples disappear on the server
        (home / "data" / "broken.ttl").unlink()
        removed = sorted((home / "data").glob("*.ttl"))[0]
        removed.unlink()
        opened = CityGraph.open(settings, notify=None)  # fingerprint changed -> rebuilt
        assert _count(opened) == sum(opened.manifest["triples"].values()) < total
        assert opened.manifest["triples"]["curated"] < first.manifest["triples"]["curated"]
    finally:
        srv.stop()


def test_a_server_without_the_union_default_graph_is_refused(tmp_path: Path) -> None:
    srv = Server(tmp_path / "oxigraph", union=False)
    try:
        settings = Settings.for_home(make_home(tmp_path / "home"), store=srv.store)
        with pytest.raises(StoreError, match="union"):
            CityGraph.build(settings, notify=None)
    finally:
        srv.stop()


def test_a_server_that_is_down_names_the_url(tmp_path: Path) -> None:
    url = f"sparql+http://127.0.0.1:{_free_port()}/query"
    settings = Settings.for_home(make_home(tmp_path / "home"), store=url)
    with pytest.raises(StoreError, match=r"cannot reach the SPARQL server http://127\.0\.0\.1:\d+/(query|update)"):
        CityGraph.build(settings, notify=None)
    with pytest.raises(CityGraphError, match="cannot reach"):
        CityGraph.open(settings, notify=None)


def test_store_settings_from_the_environment(tmp_path: Path) -> None:
    from citygraph.remote import endpoint

    env = {"CITYGRAPH_HOME": str(REPO), "CITYGRAPH_STORE": "sparql+https://db.example.org/ds/query",
           "CITYGRAPH_STORE_TOKEN": "s3cret"}
    settings = Settings.from_env(env)
    where = endpoint(settings)
    assert where is not None
    assert (where.query, where.update) == ("https://db.example.org/ds/query", "https://db.example.org/ds/update")
    assert "s3cret" not in repr(settings) and "s3cret" not in repr(where)
    assert endpoint(Settings.from_env({"CITYGRAPH_HOME": str(REPO)})) is None
    with pytest.raises(CityGraphError, match="CITYGRAPH_STORE_UPDATE"):
        endpoint(Settings.from_env({**env, "CITYGRAPH_STORE": "sparql+http://h/sparql"}))
    with pytest.raises(CityGraphError, match="embedded"):
        endpoint(Settings.from_env({**env, "CITYGRAPH_STORE": "postgres://h/db"}))

