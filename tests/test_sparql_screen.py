"""The lexical screen that runs before a query reaches pyoxigraph (which would federate SERVICE)."""

from __future__ import annotations

import pytest

from citygraph.api.formats import NotAcceptable, negotiate, parse_accept
from citygraph.api.screen import screen, tokens


@pytest.mark.parametrize("query, expected", [
    ("SELECT * { SERVICE <http://x/sparql> { ?s ?p ?o } }", ["http://x/sparql"]),
    ("select * { service silent <http://x/> { ?s ?p ?o } }", ["http://x/"]),
    ("SELECT * { SERVICE ?endpoint { ?s ?p ?o } }", ["?endpoint"]),
    ("PREFIX ex: <http://ex.org/> SELECT * { SeRvIcE ex:sparql { ?s ?p ?o } }", ["http://ex.org/sparql"]),
    ("SELECT * {?s ?p ?o}SERVICE<http://x/>{?a ?b ?c}", ["http://x/"]),
    ("SELECT * { ?s ?p ?o # a comment\n SERVICE <http://x/> { } }", ["http://x/"]),
    ("SELECT * { ?s ?p 'it''s' . SERVICE <http://x/> {} }", ["http://x/"]),
    ("SELECT * { FILTER(?a<?b) SERVICE <http://x/> {} }", ["http://x/"]),
])
def test_service_is_found(query: str, expected: list[str]) -> None:
    assert screen(query).service == expected


@pytest.mark.parametrize("query", [
    'SELECT * { ?s ?p "SERVICE <http://x/> { }" }',
    "SELECT * { ?s ?p '''\nSERVICE <http://x/> {}\n''' }",
    "SELECT * { ?s ?p ?o } # SERVICE <http://x/> { }",
    "SELECT * { <http://x/#SERVICE> ?p ?o }",
    "PREFIX SERVICE: <http://x/> SELECT * { SERVICE:a ?p ?o }",
    "PREFIX ex: <http://x/> SELECT * { ?s ex:SERVICE ?o }",
    "SELECT ?service { ?service ?p $SERVICE }",
    'SELECT * { ?s ?p "a \\" SERVICE <http://x/> {}" }',
])
def test_service_in_strings_comments_iris_and_names_does_not_count(query: str) -> None:
    assert screen(query).service == []


def test_from_clauses_are_resolved_against_the_prologue() -> None:
    found = screen("BASE <http://b.org/dir/> PREFIX ex: <http://ex.org/> "
                   "SELECT * FROM <g1> FROM ex:g2 FROM NAMED <http://n/> FROM named ex:n2 { }")
    assert found.from_graphs == ["http://b.org/dir/g1", "http://ex.org/g2"]
    assert found.from_named_graphs == ["http://n/", "http://ex.org/n2"]


def test_project_prefixes_are_predeclared() -> None:
    assert screen("SELECT * FROM city:helsinki { }").from_graphs == [
        "https://w3id.org/citygraph/id/city/helsinki"]


@pytest.mark.parametrize("text, form, update", [
    ("SELECT * {}", "SELECT", False),
    ("PREFIX insert: <http://x/> ASK { insert:a ?p ?o }", "ASK", False),
    ("# comment\nCONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT", False),
    ("DESCRIBE <http://x/>", "DESCRIBE", False),
    ("INSERT DATA { <a> <b> <c> }", "INSERT", True),
    ("PREFIX ex: <http://x/> DELETE WHERE { ?s ?p ?o }", "DELETE", True),
    ("load <http://x/data.ttl>", "LOAD", True),
    ("WITH <http://g/> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH", True),
    ("CLEAR ALL", "CLEAR", True),
])
def test_query_form_and_updates(text: str, form: str, update: bool) -> None:
    found = screen(text)
    assert (found.form, found.is_update) == (form, update)


def test_tokens_never_raise_on_garbage() -> None:
    assert [t.kind for t in tokens('"unterminated')] == ["string"]
    assert [t.text for t in tokens("SELECT \x00 ∞")] == ["SELECT", "\x00", "∞"]


# ------------------------------------------------------------------ content negotiation
@pytest.mark.parametrize("accept, kind, expected", [
    (None, "select", "json"),
    ("*/*", "graph", "turtle"),
    ("application/sparql-results+xml", "select", "xml"),
    ("text/csv;q=0.5, text/tab-separated-values", "select", "tsv"),
    ("application/sparql-results+xml;q=0.9, application/sparql-results+json", "ask", "json"),
    ("application/xml, application/json", "select", "xml"),  # client's order on equal q
    ("text/*", "select", "csv"),
    ("text/*", "graph", "turtle"),
    ("application/n-triples, */*;q=0.1", "graph", "ntriples"),
    ("application/ld+json", "graph", "jsonld"),
    ("application/rdf+xml", "graph", "rdfxml"),
    ("application/json", "graph", "jsonld"),
    ("text/turtle;q=0, */*;q=0.5", "graph", "ntriples"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "select", "xml"),
])
def test_negotiation(accept: str | None, kind: str, expected: str) -> None:
    assert negotiate(kind, parse_accept(accept)).key == expected


@pytest.mark.parametrize("accept, kind", [
    ("text/turtle", "select"),
    ("application/sparql-results+json", "graph"),
    ("image/png", "ask"),
    ("*/*;q=0", "select"),
])
def test_not_acceptable(accept: str, kind: str) -> None:
    with pytest.raises(NotAcceptable, match="available: "):
        negotiate(kind, parse_accept(accept))


def test_format_override_wins_over_accept() -> None:
    assert negotiate("select", parse_accept("text/csv"), "json").key == "json"
    assert negotiate("graph", parse_accept(None), "application/n-triples").key == "ntriples"
    with pytest.raises(NotAcceptable):
        negotiate("graph", parse_accept(None), "csv")
