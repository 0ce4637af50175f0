"""Named-query headers and parameter binding."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from citygraph.errors import QueryError
from citygraph.queries import NamedQuery, Param, load_queries, parse_header

from conftest import BASIC

HEADER = """\
# title: Partners on a date
# description: First line,
# description: second line.
# param: date xsd:date 2024-06-01
# param: limit xsd:integer
# param: who iri city:helsinki
# param: name xsd:string
SELECT ?x ?date WHERE { ?x ?p ?date }
"""


def test_parse_header():
    title, description, params = parse_header(HEADER)
    assert title == "Partners on a date"
    assert description == "First line, second line."
    assert params == [Param("date", "xsd:date", "2024-06-01"), Param("limit", "xsd:integer"),
                      Param("who", "iri", "city:helsinki"), Param("name", "xsd:string")]


@pytest.mark.parametrize("line, message", [
    ("# param: date", "NAME TYPE"),
    ("# param: date xsd:dateTime", "use one of"),
    ("# param: 9x xsd:date", "not a SPARQL variable name"),
    ("# param: date xsd:date 2024-13-01", "not a date"),
])
def test_header_errors(line, message):
    with pytest.raises(QueryError, match=message):
        parse_header(line + "\nSELECT * {}")


def test_bind_types_and_defaults():
    query = NamedQuery("q", Path("q.rq"), HEADER, params=parse_header(HEADER)[2])
    bound = query.bind({"limit": "5", "name": "Oslo"})
    assert bound["date"] == ox.Literal("2024-06-01", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))
    assert bound["limit"] == ox.Literal("5", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    assert bound["who"] == ox.NamedNode("https://w3id.org/citygraph/id/city/helsinki")
    assert bound["name"] == ox.Literal("Oslo")


def test_bind_errors_name_the_parameter():
    query = NamedQuery("q", Path("q.rq"), HEADER, params=parse_header(HEADER)[2])
    with pytest.raises(QueryError, match="'date'.*YYYY-MM-DD"):
        query.bind({"date": "June 2019", "limit": "1", "name": "x"})
    with pytest.raises(QueryError, match="'limit'.*not an integer"):
        query.bind({"limit": "many", "name": "x"})
    with pytest.raises(QueryError, match=r"no parameter colour; its parameters: date \(xsd:date"):
        query.bind({"colour": "red"})
    with pytest.raises(QueryError, match="needs --param limit"):
        query.bind({"name": "x"})


def test_iri_param_uses_resolver():
    query = NamedQuery("q", Path("q.rq"), "", params=[Param("who", "iri")])
    assert query.bind({"who": "Helsingfors"}, resolve=lambda n: "urn:x:" + n)["who"] == ox.NamedNode("urn:x:Helsingfors")
    with pytest.raises(QueryError, match="not an IRI"):
        query.bind({"who": "Helsingfors"})


def test_load_queries_and_run(graph):
    queries = load_queries(BASIC / "queries")
    query = queries["active-partners"]
    assert query.title == "Active partners on a date"
    assert [p.name for p in query.params] == ["date", "city"]

    def partners(day: str) -> list[str]:
        result = graph.query(query.sparql, query.bind({"date": day}, resolve=graph.resolve))
        return [row[0].value.rsplit("/", 1)[-1] for row in result.rows]

    assert partners("2007-12-30") == []
    assert partners("2019-06-01") == ["tallinn"]
    assert partners("2019-12-06") == ["st-petersburg", "tallinn"]
    assert partners("2022-02-28") == ["st-petersburg", "tallinn"]
    assert partners("2022-03-01") == ["tallinn"]
