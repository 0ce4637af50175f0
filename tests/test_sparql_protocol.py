"""/sparql: the SPARQL 1.1 Protocol (query operation) over the basic fixture, in process.

The ``w3c_*`` tests follow the W3C SPARQL 1.1 Protocol tests (w3c/rdf-tests,
sparql/sparql11/protocol) that apply to a read-only query service, with the test graphs
replaced by our layers: the facts used are worked out from ``tests/fixtures/basic``:
``city:tallinn a cg:City`` is in the curated graph, ``cg:City a owl:Class`` in the ontology
graph, ``partnership:helsinki-tallinn cg:involves city:tallinn`` in the derived graph.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Iterator

import pytest
import rdflib
from fastapi.testclient import TestClient
from rdflib.query import Result

from citygraph.api.app import create_app
from citygraph.config import Settings
from citygraph.graph import CityGraph

G = "https://w3id.org/citygraph/graph/"
CURATED, ONTOLOGY, DERIVED = G + "curated", G + "ontology", G + "derived"
CITY = "https://w3id.org/citygraph/id/city/"
CG = "https://w3id.org/citygraph/ontology#"
TALLINN_IS_A_CITY = f"<{CITY}tallinn> a <{CG}City>"
CITY_IS_A_CLASS = f"<{CG}City> a ?class"
INVOLVES_TALLINN = f"?rel <{CG}involves> <{CITY}tallinn>"
MAX_ROWS = 50


@pytest.fixture(scope="module")
def client(graph: CityGraph) -> Iterator[TestClient]:
    settings = Settings.for_home(graph.settings.home, sparql_max_rows=MAX_ROWS,
                                 max_request_bytes=20_000, sparql_timeout=60.0)
    with TestClient(create_app(graph, settings)) as test_client:
        yield test_client


def ask(response) -> bool:  # noqa: ANN001 - httpx response
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    return response.json()["boolean"]


# ---------------------------------------------------------------- W3C protocol tests
def test_w3c_query_get(client: TestClient) -> None:
    assert ask(client.get("/sparql", params={"query": "ASK {}"})) is True


def test_w3c_query_post_form(client: TestClient) -> None:
    response = client.post(f"/sparql?default-graph-uri={CURATED}", content=b"query=ASK%20%7B%7D",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert ask(response) is True


def test_w3c_query_post_direct(client: TestClient) -> None:
    response = client.post("/sparql", content="ASK {}",
                           headers={"Content-Type": "application/sparql-query"})
    assert ask(response) is True


def test_w3c_query_dataset_default_graphs_get(client: TestClient) -> None:
    query = f"ASK {{ {TALLINN_IS_A_CITY} . {CITY_IS_A_CLASS} }}"
    both = client.get("/sparql", params=[("query", query), ("default-graph-uri", CURATED),
                                         ("default-graph-uri", ONTOLOGY)])
    assert ask(both) is True
    only_curated = client.get("/sparql", params=[("query", query), ("default-graph-uri", CURATED)])
    assert ask(only_curated) is False


def test_w3c_query_dataset_default_graphs_post(client: TestClient) -> None:
    query = f"ASK {{ {TALLINN_IS_A_CITY} . {CITY_IS_A_CLASS} }}"
    response = client.post(f"/sparql?default-graph-uri={CURATED}&default-graph-uri={ONTOLOGY}",
                           content=query, headers={"Content-Type": "application/sparql-query"})
    assert ask(response) is True


NAMED_QUERY = f"ASK {{ GRAPH ?g1 {{ {TALLINN_IS_A_CITY} }} GRAPH ?g2 {{ {INVOLVES_TALLINN} }} }}"


def test_w3c_query_dataset_named_graphs_post(client: TestClient) -> None:
    response = client.post(f"/sparql?named-graph-uri={CURATED}&named-graph-uri={DERIVED}",
                           content=NAMED_QUERY, headers={"Content-Type": "application/sparql-query"})
    assert ask(response) is True
    # only the named graphs given: the derived one is missing, and the default graph is empty
    only_curated = client.post(f"/sparql?named-graph-uri={CURATED}", content=NAMED_QUERY,
                               headers={"Content-Type": "application/sparql-query"})
    assert ask(only_curated) is False
    empty_default = client.post(f"/sparql?named-graph-uri={CURATED}", content="ASK { ?s ?p ?o }",
                                headers={"Content-Type": "application/sparql-query"})
    assert ask(empty_default) is False


def test_w3c_query_dataset_named_graphs_get(client: TestClient) -> None:
    response = client.get("/sparql", params=[("query", NAMED_QUERY), ("named-graph-uri", CURATED),
                                             ("named-graph-uri", DERIVED)])
    assert ask(response) is True


def test_w3c_query_dataset_full(client: TestClient) -> None:
    query = (f"SELECT ?g1 ?g2 {{ {CITY_IS_A_CLASS} GRAPH ?g1 {{ {TALLINN_IS_A_CITY} }} "
             f"GRAPH ?g2 {{ {INVOLVES_TALLINN} }} }}")
    response = client.post(
        f"/sparql?default-graph-uri={ONTOLOGY}&named-graph-uri={CURATED}&named-graph-uri={DERIVED}",
        content=query, headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 200
    rows = response.json()["results"]["bindings"]
    assert [(r["g1"]["value"], r["g2"]["value"]) for r in rows] == [(CURATED, DERIVED)]


def test_w3c_query_multiple_dataset(client: TestClient) -> None:
    """Protocol parameters win over FROM in the query."""
    query = f"ASK FROM <{CURATED}> {{ {CITY_IS_A_CLASS} }}"
    assert ask(client.get("/sparql", params={"query": query})) is False  # FROM alone: curated
    response = client.post(f"/sparql?default-graph-uri={ONTOLOGY}", content=query,
                           headers={"Content-Type": "application/sparql-query"})
    assert ask(response) is True


def test_from_named_in_the_query(client: TestClient) -> None:
    query = f"SELECT ?g FROM NAMED <{DERIVED}> {{ GRAPH ?g {{ {INVOLVES_TALLINN} }} }}"
    rows = client.get("/sparql", params={"query": query}).json()["results"]["bindings"]
    assert [r["g"]["value"] for r in rows] == [DERIVED]
    query = f"SELECT ?g FROM NAMED <{CURATED}> {{ GRAPH ?g {{ {INVOLVES_TALLINN} }} }}"
    assert client.get("/sparql", params={"query": query}).json()["results"]["bindings"] == []


def test_default_graph_is_the_union_of_all_layers(client: TestClient) -> None:
    query = f"ASK {{ {TALLINN_IS_A_CITY} . {CITY_IS_A_CLASS} . {INVOLVES_TALLINN} }}"
    assert ask(client.get("/sparql", params={"query": query})) is True


def test_empty_graph_of_our_namespace_is_empty(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }",
                                             "default-graph-uri": G + "no-such-layer"})
    assert ask(response) is False


@pytest.mark.parametrize("accept, media_type", [
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
])
def test_w3c_query_content_type_select(client: TestClient, accept: str, media_type: str) -> None:
    response = client.post("/sparql", content="SELECT (1 AS ?value) {}",
                           headers={"Content-Type": "application/sparql-query", "Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert response.headers["vary"] == "Accept"


@pytest.mark.parametrize("accept", ["application/sparql-results+xml", "application/sparql-results+json"])
def test_w3c_query_content_type_ask(client: TestClient, accept: str) -> None:
    response = client.post("/sparql", content="ASK {}",
                           headers={"Content-Type": "application/sparql-query", "Accept": accept})
    assert response.headers["content-type"] == accept
    parsed = Result.parse(io.BytesIO(response.content), format="xml" if "xml" in accept else "json")
    assert parsed.askAnswer is True


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")  # rdflib's JSON-LD parser
@pytest.mark.parametrize("query", [f"DESCRIBE <{CITY}tallinn>",
                                   "CONSTRUCT { <http://example.org/s> <http://example.org/p> 1 } WHERE {}"])
@pytest.mark.parametrize("accept, rdflib_format", [
    ("text/turtle", "turtle"), ("application/n-triples", "nt"),
    ("application/rdf+xml", "xml"), ("application/ld+json", "json-ld"),
])
def test_w3c_query_content_type_describe_construct(client: TestClient, query: str, accept: str,
                                                   rdflib_format: str) -> None:
    response = client.post("/sparql", content=query,
                           headers={"Content-Type": "application/sparql-query", "Accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == accept
    parsed = rdflib.Graph().parse(data=response.content, format=rdflib_format)
    if query.startswith("DESCRIBE"):
        assert (rdflib.URIRef(CITY + "tallinn"), rdflib.RDF.type, rdflib.URIRef(CG + "City")) in parsed
    else:
        assert list(parsed) == [(rdflib.URIRef("http://example.org/s"), rdflib.URIRef("http://example.org/p"),
                                 rdflib.Literal(1))]


def test_w3c_bad_query_method(client: TestClient) -> None:
    response = client.put("/sparql?query=ASK%20%7B%7D")
    assert response.status_code == 405


def test_w3c_bad_multiple_queries(client: TestClient) -> None:
    response = client.get("/sparql?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D")
    assert response.status_code == 400
    assert "'query' is given 2 times" in response.text


def test_w3c_bad_query_wrong_media_type(client: TestClient) -> None:
    response = client.post("/sparql", content="ASK {}", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415
    assert "text/plain" in response.text


@pytest.mark.parametrize("body", [b"query=ASK%20%7B%7D", b"ASK {}"])
def test_w3c_bad_query_missing_form_or_direct_type(client: TestClient, body: bytes) -> None:
    response = client.post("/sparql", content=body)  # no Content-Type at all
    assert response.status_code == 400
    assert "Content-Type" in response.text


def test_w3c_bad_query_non_utf8(client: TestClient) -> None:
    response = client.post("/sparql", content="ASK {}".encode("utf-16"),
                           headers={"Content-Type": "application/sparql-query; charset=UTF-16"})
    assert response.status_code == 400
    assert "UTF-8" in response.text
    undeclared = client.post("/sparql", content="ASK {}".encode("utf-16"),
                             headers={"Content-Type": "application/sparql-query"})
    assert undeclared.status_code == 400
    assert "not valid UTF-8" in undeclared.text


def test_w3c_bad_query_syntax(client: TestClient) -> None:
    response = client.get("/sparql?query=ASK%20%7B")
    assert response.status_code == 400
    assert response.text.startswith("invalid SPARQL: error at 1:")


def test_w3c_bad_update_get(client: TestClient) -> None:
    response = client.get("/sparql", params={"update": "CLEAR ALL"})
    assert response.status_code == 400
    assert "answers queries only" in response.text


# ---------------------------------------------------------------- beyond the W3C tests
@pytest.mark.parametrize("raw, message", [
    (b"query=ASK%7", "bad percent-encoding"),
    (b"query=ASK%zz%7B%7D", "bad percent-encoding"),
    (b"query=ASK%20%7B%ff%7D", "not valid UTF-8"),
    (b"default-graph-uri=%C3%28&query=ASK%7B%7D", "not valid UTF-8"),
])
def test_bad_encoding_is_400_never_500(client: TestClient, raw: bytes, message: str) -> None:
    for response in (client.get("/sparql?" + raw.decode("latin-1")),
                     client.post("/sparql", content=raw,
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})):
        assert response.status_code == 400
        assert message in response.text


def test_raw_invalid_utf8_in_the_body(client: TestClient) -> None:
    response = client.post("/sparql", content=b"ASK { ?s ?p \"\xff\" }",
                           headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 400


def test_updates_are_refused_on_the_query_endpoint(client: TestClient) -> None:
    for response in (
        client.get("/sparql", params={"query": "INSERT DATA { <a:b> <a:c> <a:d> }"}),
        client.post("/sparql", content="DELETE WHERE { ?s ?p ?o }",
                    headers={"Content-Type": "application/sparql-update"}),
        client.post("/sparql", content=b"update=CLEAR%20ALL",
                    headers={"Content-Type": "application/x-www-form-urlencoded"}),
    ):
        assert response.status_code == 400
        assert "queries only" in response.text
    assert client.post("/sparql/update", content="CLEAR ALL",
                       headers={"Content-Type": "application/sparql-update"}).status_code == 404
    assert ask(client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})) is True


def test_not_acceptable(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT * {}"}, headers={"Accept": "text/turtle"})
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.text
    response = client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 406


def test_format_parameter(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT ?x { VALUES ?x { 1 2 } }", "format": "csv"},
                          headers={"Accept": "application/sparql-results+xml"})
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert list(csv.reader(io.StringIO(response.text))) == [["x"], ["1"], ["2"]]
    response = client.get("/sparql", params={"query": "ASK {}", "output": "xml"})
    assert response.headers["content-type"] == "application/sparql-results+xml"
    response = client.get("/sparql", params={"query": "ASK {}", "format": "png"})
    assert response.status_code == 400
    assert "unknown format 'png'" in response.text


def test_results_round_trip_through_rdflib(client: TestClient) -> None:
    """JSON, XML, CSV and TSV carry the same rows (typed and language-tagged literals)."""
    query = ('SELECT ?city ?label ?n { VALUES (?city ?label ?n) { '
             f'(<{CITY}tallinn> "Tallinna"@fi 3) (<{CITY}helsinki> "tab\\there" UNDEF) }} }}')
    parsed = {}
    for fmt in ("json", "xml", "csv", "tsv"):
        response = client.get("/sparql", params={"query": query, "format": fmt})
        parsed[fmt] = [tuple(row) for row in Result.parse(io.BytesIO(response.content), format=fmt)]
    tallinn = (rdflib.URIRef(CITY + "tallinn"), rdflib.Literal("Tallinna", lang="fi"), rdflib.Literal(3))
    helsinki = (rdflib.URIRef(CITY + "helsinki"), rdflib.Literal("tab\there"), None)
    assert parsed["json"] == parsed["xml"] == parsed["tsv"] == [tallinn, helsinki]
    assert [tuple(str(t) if t is not None else None for t in row) for row in parsed["csv"]] == \
        [(CITY + "tallinn", "Tallinna", "3"), (CITY + "helsinki", "tab\there", None)]


def test_project_prefixes_are_predeclared(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT ?l { city:tallinn skos:prefLabel ?l } ORDER BY ?l"})
    assert [b["l"]["value"] for b in response.json()["results"]["bindings"]] == ["Tallinn", "Tallinna"]


def test_row_cap_is_stated(client: TestClient, graph: CityGraph) -> None:
    total = len(graph.query("SELECT * { ?s ?p ?o }").rows)
    assert total > MAX_ROWS
    response = client.get("/sparql", params={"query": "SELECT * { ?s ?p ?o }"})
    assert response.headers["x-citygraph-truncated"] == "true"
    assert response.headers["x-citygraph-max-rows"] == str(MAX_ROWS)
    body = response.json()
    assert len(body["results"]["bindings"]) == MAX_ROWS
    assert body["citygraph"] == {"truncated": True, "max_rows": MAX_ROWS}
    construct = client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": "nt"})
    assert construct.headers["x-citygraph-truncated"] == "true"
    assert len(construct.text.strip().splitlines()) == MAX_ROWS
    small = client.get("/sparql", params={"query": "SELECT * { ?s ?p ?o } LIMIT 3"})
    assert "x-citygraph-truncated" not in small.headers
    assert "citygraph" not in small.json()


def test_request_size_caps(client: TestClient) -> None:
    big = "ASK {} #" + "x" * 25_000
    response = client.post("/sparql", content=big, headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 413
    assert "20000 bytes" in response.text
    assert client.get("/sparql", params={"query": big}).status_code == 414


def test_refused_graphs_name_the_iri(client: TestClient) -> None:
    for params in ({"query": "ASK {}", "default-graph-uri": "http://example.org/data.ttl"},
                   {"query": "ASK {}", "named-graph-uri": "http://example.org/data.ttl"},
                   {"query": "ASK FROM <http://example.org/data.ttl> {}"},
                   {"query": "ASK FROM NAMED <http://example.org/data.ttl> {}"}):
        response = client.get("/sparql", params=params)
        assert response.status_code == 400
        assert "<http://example.org/data.ttl>" in response.text
        assert "never fetches" in response.text
        assert f"<{CURATED}>" in response.text


def test_service_description(client: TestClient) -> None:
    response = client.get("/sparql")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    described = rdflib.Graph().parse(data=response.text, format="turtle")
    service = described.value(predicate=rdflib.RDF.type, object=sd.Service)
    assert described.value(service, sd.endpoint) == rdflib.URIRef("http://testserver/sparql")
    assert sd.SPARQL11Query in set(described.objects(service, sd.supportedLanguage))
    assert sd.SPARQL11Update not in set(described.objects(service, sd.supportedLanguage))
    names = {str(n) for n in described.objects(None, sd.name)}
    assert {CURATED, ONTOLOGY, DERIVED} <= names
    formats = {str(f).rsplit("/", 1)[-1] for f in described.objects(service, sd.resultFormat)}
    assert {"SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
            "Turtle", "N-Triples", "JSON-LD", "RDF_XML"} == formats
    as_nt = client.get("/sparql", headers={"Accept": "application/n-triples"})
    assert as_nt.headers["content-type"] == "application/n-triples"


def test_post_without_query(client: TestClient) -> None:
    response = client.post("/sparql", content=b"", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400
    assert "no query" in response.text


def test_access_log_is_one_json_line_without_the_query(client: TestClient,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    secret = "SELECT ?personal { BIND('someone@example.org' AS ?personal) }"
    with caplog.at_level(logging.INFO, logger="citygraph.access"):
        client.get("/sparql", params={"query": secret})
    records = [json.loads(r.getMessage()) for r in caplog.records if r.name == "citygraph.access"]
    assert len(records) == 1
    record = records[0]
    assert set(record) == {"time", "method", "path", "status", "duration_ms", "query_hash"}
    assert (record["method"], record["path"], record["status"]) == ("GET", "/sparql", 200)
    assert len(record["query_hash"]) == 16
    assert "example.org" not in caplog.text


def test_healthz(client: TestClient, graph: CityGraph) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["fingerprint"] == graph.manifest["fingerprint"]
    assert body["triples"]["curated"] == graph.manifest["triples"]["curated"]
    assert body["triples"]["total"] == sum(graph.manifest["triples"].values())
    assert body["workers"]["alive"] == body["workers"]["configured"] == 2
    assert body["uptime_seconds"] >= 0


def test_browsers_get_the_editor_and_clients_the_description(client: TestClient) -> None:
    browser = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert browser.status_code == 200
    assert browser.headers["content-type"].startswith("text/html")
    machine = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert machine.headers["content-type"] == "text/turtle; charset=utf-8"
    # a query from a browser's address bar is answered, not shown in the editor
    answered = client.get("/sparql", params={"query": "ASK {}"},
                          headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert answered.headers["content-type"] == "application/sparql-results+json"
