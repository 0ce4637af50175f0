"""Linked data under /id/: content negotiation, suffix twins, 404/406, parsed back with rdflib.

What the server sends for an entity must be isomorphic to what the store holds for it: the
expected graph is computed here by an independent CONSTRUCT over the store (the entity's own
triples, its relationship and policy nodes, and their attestation blank nodes, from all graphs).
"""

from __future__ import annotations

import warnings

import pytest
import rdflib
from rdflib.compare import isomorphic

from api_helpers import ID, client, real_graph, tiny_graph
from citygraph.api.routes.entities import negotiate

CG = rdflib.Namespace("https://w3id.org/citygraph/ontology#")
SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")

EXPECTED = """
CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  {{ BIND(<{iri}> AS ?s) ?s ?p ?o }}
  UNION {{ ?s cg:involves <{iri}> . ?s ?p ?o }}
  UNION {{ ?s cg:policyOf <{iri}> . ?s ?p ?o }}
  UNION {{ <{iri}> cg:attestation ?s . ?s ?p ?o }}
  UNION {{ ?r cg:involves|cg:policyOf <{iri}> . ?r cg:attestation ?s . ?s ?p ?o }}
}}
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    with client(tiny_graph(tmp_path_factory.mktemp("ld"))) as c:
        yield c


@pytest.fixture(scope="module")
def real():
    with client(real_graph()) as c:
        yield c


def stored(c, iri: str) -> rdflib.Graph:
    """The oracle: what the store holds for ``iri``, as an rdflib graph."""
    import pyoxigraph as ox

    graph = c.app.state.holder.graph
    result = graph.store.query(EXPECTED.format(iri=iri), prefixes={"cg": str(CG)},
                               use_default_graph_as_union=True)
    return rdflib.Graph().parse(data=ox.serialize(result, format=ox.RdfFormat.N_TRIPLES).decode(),
                                format="nt")


def parsed(response, fmt: str) -> rdflib.Graph:
    assert response.status_code == 200, response.text
    with warnings.catch_warnings():
        # rdflib's JSON-LD parser goes through its own deprecated ConjunctiveGraph API
        warnings.simplefilter("ignore", DeprecationWarning)
        return rdflib.Graph().parse(data=response.text, format=fmt)


FORMATS = [("text/turtle", "turtle", "ttl"), ("application/ld+json", "json-ld", "jsonld"),
           ("application/n-triples", "nt", "nt")]


@pytest.mark.parametrize("accept, fmt, ext", FORMATS)
@pytest.mark.parametrize("path", ["city/tallinn", "city/helsinki", "partnership/helsinki-tallinn",
                                  "source/sv-2019", "network/eurocities"])
def test_negotiated_rdf_is_what_the_store_holds(tiny, path, accept, fmt, ext):
    r = tiny.get(f"/id/{path}", headers={"Accept": accept})
    assert r.headers["content-type"].split(";")[0] == accept
    assert "Accept" in r.headers["vary"]
    got = parsed(r, fmt)
    assert len(got) > 0
    assert isomorphic(got, stored(tiny, ID + path))
    twin = parsed(tiny.get(f"/id/{path}.{ext}"), fmt)
    assert isomorphic(twin, got)


def test_tallinn_turtle_holds_worked_out_facts(tiny):
    g = parsed(tiny.get("/id/city/tallinn", headers={"Accept": "text/turtle"}), "turtle")
    tallinn = rdflib.URIRef(ID + "city/tallinn")
    rel = rdflib.URIRef(ID + "partnership/helsinki-tallinn")
    assert (tallinn, SKOS.prefLabel, rdflib.Literal("Tallinna", lang="fi")) in g
    assert (rel, CG.party, tallinn) in g
    assert (rel, CG.activeFrom, rdflib.Literal("2007-12-31", datatype=rdflib.XSD.date)) in g  # derived layer
    quotes = {str(q) for q in g.objects(None, CG.quote)}
    assert quotes == {"Tallinna on keskeinen kumppani", "Tallinn is a closest partner city"}
    attestations = list(g.objects(rel, CG.attestation))
    assert len(attestations) == 2 and all(isinstance(a, rdflib.BNode) for a in attestations)


def test_real_entity_is_isomorphic_too(real):
    for path in ("city/tallinn", "network/eurocities", "organisation/echa"):
        got = parsed(real.get(f"/id/{path}", headers={"Accept": "text/turtle"}), "turtle")
        assert isomorphic(got, stored(real, ID + path)), path


def test_json_twin_is_the_api_entity(tiny):
    twin = tiny.get("/id/city/tallinn.json", params={"lang": "fi"})
    api = tiny.get("/api/entities/city/tallinn", params={"lang": "fi"})
    assert twin.status_code == api.status_code == 200
    assert twin.json() == api.json()
    negotiated = tiny.get("/id/city/tallinn", params={"lang": "fi"}, headers={"Accept": "application/json"})
    assert negotiated.json() == api.json()
    assert tiny.get("/id/source/sv-2019.json").json() == tiny.get("/api/sources/sv-2019").json()


@pytest.mark.parametrize("accept, expected", [
    (None, "html"),
    ("*/*", "html"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html"),
    ("text/turtle", "ttl"),
    ("application/x-turtle", "ttl"),
    ("text/turtle;q=0.5, application/ld+json;q=0.9", "jsonld"),
    ("application/n-triples, text/turtle", "nt"),
    ("text/*", "html"),
    ("application/*", "jsonld"),
    ("application/json", "json"),
    ("text/turtle;q=0, */*;q=0.1", "html"),
])
def test_negotiation(accept, expected):
    assert negotiate(accept) == expected


def test_nothing_acceptable_is_406(tiny):
    r = tiny.get("/id/city/tallinn", headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert "text/turtle" in r.text and "application/ld+json" in r.text


def test_browsers_get_a_page_with_links_to_the_twins(tiny):
    r = tiny.get("/id/city/tallinn", headers={"Accept": "text/html"})
    assert r.headers["content-type"].startswith("text/html")
    assert '</id/city/tallinn.ttl>; rel="alternate"; type="text/turtle"' in r.headers["link"]
    assert 'href="/id/city/tallinn.jsonld"' in r.text


def test_unknown_iri_is_a_helpful_404(tiny):
    page = tiny.get("/id/city/tallin", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert "no city &#39;tallin&#39;" in page.text
    assert 'href="/id/city/tallinn"' in page.text  # the suggestion links to the page
    machine = tiny.get("/id/city/tallin", headers={"Accept": "text/turtle"})
    assert machine.status_code == 404 and machine.headers["content-type"].startswith("text/plain")
    assert "did you mean tallinn?" in machine.text
    assert tiny.get("/id/city/tallin.json").json() == {"detail": "no city 'tallin'; did you mean tallinn?"}
    assert tiny.get("/id/spaceship/tallinn").status_code == 404


def test_ontology_is_served_as_page_and_turtle(tiny):
    page = tiny.get("/ontology")
    assert page.status_code == 200 and "cg:Partnership" in page.text
    g = parsed(tiny.get("/ontology", headers={"Accept": "text/turtle"}), "turtle")
    assert (CG.Partnership, rdflib.RDF.type, rdflib.OWL.Class) in g
    assert isomorphic(g, parsed(tiny.get("/ontology.ttl"), "turtle"))
    assert tiny.get("/ontology.xyz").status_code == 404


def test_vocabulary_concepts_dereference(tiny):
    ended = "https://w3id.org/citygraph/vocab/status/ended"
    g = parsed(tiny.get("/vocab/status/ended", headers={"Accept": "text/turtle"}), "turtle")
    assert (rdflib.URIRef(ended), SKOS.prefLabel, rdflib.Literal("ended", lang="en")) in g
    r = tiny.get("/vocab/status/ended", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/ontology#status-ended"
    assert tiny.get("/vocab/status/finished", headers={"Accept": "text/turtle"}).status_code == 404
