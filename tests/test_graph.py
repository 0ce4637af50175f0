"""Build the basic fixture and check derived edges against hand-worked answers."""

from __future__ import annotations

import pytest

from citygraph.errors import AmbiguousNameError, NotFoundError, QueryError
from citygraph.namespaces import PREFIXES

CITY = PREFIXES["city"]
P = PREFIXES["partnership"]
M = PREFIXES["membership"]


def pairs(graph, sparql):
    return {tuple(t.value for t in row) for row in graph.query(sparql).rows}


def derived_value(graph, subject, prop):
    rows = graph.query(
        f"SELECT ?v WHERE {{ GRAPH <https://w3id.org/citygraph/graph/derived> {{ <{subject}> {prop} ?v }} }}"
    ).rows
    return sorted(r[0].value for r in rows)


def test_partner_of_both_ways(graph):
    assert pairs(graph, "SELECT ?a ?b WHERE { ?a cg:partnerOf ?b }") == {
        (CITY + "helsinki", CITY + "tallinn"), (CITY + "tallinn", CITY + "helsinki"),
        (CITY + "helsinki", CITY + "st-petersburg"), (CITY + "st-petersburg", CITY + "helsinki"),
    }


def test_member_of_and_has_member(graph):
    net = PREFIXES["network"] + "eurocities"
    assert pairs(graph, "SELECT ?a ?b WHERE { ?a cg:memberOf ?b }") == {(CITY + "helsinki", net)}
    assert pairs(graph, "SELECT ?a ?b WHERE { ?a cg:hasMember ?b }") == {(net, CITY + "helsinki")}


def test_ended_partnership_dates(graph):
    rel = P + "helsinki-st-petersburg"
    assert derived_value(graph, rel, "cg:activeFrom") == ["2019-12-06"]
    assert derived_value(graph, rel, "cg:activeUntil") == ["2022-03-01"]
    assert derived_value(graph, rel, "cg:endPrecision") == [PREFIXES["precision"] + "month"]
    assert derived_value(graph, rel, "cg:lastAttested") == ["2019-12-06"]


def test_membership_year_start(graph):
    rel = M + "helsinki-eurocities"
    assert derived_value(graph, rel, "cg:activeFrom") == ["2023-12-31"]
    assert derived_value(graph, rel, "cg:activeUntil") == []
    assert derived_value(graph, rel, "cg:startPrecision") == [PREFIXES["precision"] + "year"]


def test_undated_source_with_refers_to(graph):
    """Tallinn: earliest attestation is the undated page (not after 2011) about 2007."""
    rel = P + "helsinki-tallinn"
    assert derived_value(graph, rel, "cg:activeFrom") == ["2007-12-31"]
    assert derived_value(graph, rel, "cg:lastAttested") == ["2024-12-02"]
    assert derived_value(graph, rel, "cg:partnershipKind") == sorted(
        [PREFIXES["pkind"] + "closest", PREFIXES["pkind"] + "key"])


def test_attested_on_lands_on_the_curated_blank_nodes(graph):
    rows = graph.query(
        "SELECT ?att ?on WHERE { GRAPH <https://w3id.org/citygraph/graph/curated> "
        "{ ?s cg:attestation ?att } GRAPH <https://w3id.org/citygraph/graph/derived> "
        "{ ?att cg:attestedOn ?on } }").rows
    assert len(rows) == 4
    assert sorted(r[1].value for r in rows) == ["2007-12-31", "2019-12-06", "2019-12-06", "2024-12-02"]


def test_other_derived_edges(graph):
    helsinki = CITY + "helsinki"
    assert derived_value(graph, helsinki, "owl:sameAs") == [
        "http://www.wikidata.org/entity/Q1757", "https://sws.geonames.org/658225/"]
    assert "Helsingfors" in derived_value(graph, helsinki, "rdfs:label")
    rel = P + "helsinki-st-petersburg"
    assert derived_value(graph, rel, "cg:involves") == [CITY + "helsinki", CITY + "st-petersburg"]
    assert derived_value(graph, rel, "cg:relationshipKind") == [PREFIXES["rkind"] + "partnership"]
    assert derived_value(graph, rel, "prov:wasDerivedFrom") == [PREFIXES["source"] + "sv-2019"]
    assert derived_value(graph, rel, "cg:focusArea") == [PREFIXES["focus"] + "culture"]


def test_query_kinds_and_errors(graph):
    assert graph.query("ASK { city:helsinki a cg:City }").boolean is True
    built = graph.query("CONSTRUCT { ?a cg:partnerOf ?b } WHERE { ?a cg:partnerOf ?b }")
    assert built.kind == "graph" and len(built.triples) == 4
    with pytest.raises(QueryError, match="invalid SPARQL"):
        graph.query("SELEC ?x WHERE { ?x ?y ?z }")


def test_params_projected_and_not_projected(graph):
    projected = graph.query("SELECT ?x ?c WHERE { ?x cg:partnerOf ?c }", {"c": "city:tallinn"})
    assert [r[0].value for r in projected.rows] == [CITY + "helsinki"]
    hidden = graph.query("SELECT ?x WHERE { ?x cg:partnerOf ?c }", {"c": "city:tallinn"})
    assert [r[0].value for r in hidden.rows] == [CITY + "helsinki"]


@pytest.mark.parametrize("name", [
    "helsinki", "city:helsinki", "Helsingfors", "HELSINKI", CITY + "helsinki", f"<{CITY}helsinki>",
])
def test_resolve(graph, name):
    assert graph.resolve(name) == CITY + "helsinki"


def test_resolve_alt_label(graph):
    assert graph.resolve("pietari") == CITY + "st-petersburg"


def test_resolve_not_found_suggests(graph):
    with pytest.raises(NotFoundError, match="did you mean.*city:helsinki"):
        graph.resolve("helsinky")
    with pytest.raises(NotFoundError):
        graph.resolve("city:nowhere")


def test_resolve_ambiguous(graph):
    # "member" is both role:member and (as label "member") ... in vocabularies only
    with pytest.raises(AmbiguousNameError) as info:
        graph.resolve("collaboration partner")
    assert "pkind:collaboration-partner" in info.value.candidates
    assert "role:partner" in info.value.candidates


def test_label_fallback(graph):
    assert graph.label(CITY + "helsinki", "sv") == "Helsingfors"
    assert graph.label(CITY + "st-petersburg", "sv") == "St Petersburg"  # falls back to en
    assert graph.label(CITY + "tallinn", "fi") == "Tallinna"
    assert graph.label(CITY + "nowhere", "en") == "nowhere"


def test_describe(graph):
    data = graph.describe(CITY + "helsinki", "en")
    assert data["label"] == "Helsinki"
    assert data["identifiers"]["wikidata"] == "Q1757"
    assert data["identifiers"]["country"]["name"] == "country:fi"
    partnerships = data["relationships"]["partnership"]
    spb = next(r for r in partnerships if r["name"] == "partnership:helsinki-st-petersburg")
    assert spb["others"][0]["name"] == "city:st-petersburg"
    assert spb["dates"]["end"] == {"value": "2022-02", "datatype": "xsd:gYearMonth",
                                   "precision": "precision:month"}
    assert spb["active_until"] == "2022-03-01"
    assert spb["status"]["name"] == "status:ended"
    att = spb["attestations"][0]
    assert att["quote_lang"] == "sv" and att["source"]["date"] == "2019-12-06"
    assert att["source"]["title"] == "Internationell verksamhet"
    assert data["relationships"]["membership"][0]["roles"][0]["name"] == "role:member"


def test_stats(graph):
    stats = graph.stats()
    assert stats["classes"]["cg:City"] == 3
    assert set(stats["graphs"]) == {f"<https://w3id.org/citygraph/graph/{g}>"
                                    for g in ("ontology", "curated", "derived")}
    by_source = {s["name"]: s for s in stats["sources"]}
    assert by_source["source:sv-2019"]["attestations"] == 2
    assert by_source["source:sv-2019"]["relationships"] == 2
