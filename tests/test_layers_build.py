"""Layers in a build: graphs and licences, dates by the one definition of "active on D", the
discrepancy report, and the curators' CSV import."""

from __future__ import annotations

from datetime import date

import pytest
from layers_support import REPO, built, imported, make_layered_home

from citygraph import store as stores
from citygraph.config import Settings
from citygraph.errors import CityGraphError
from citygraph.graph import CityGraph
from citygraph.layers import csvimport, discrepancies, select
from citygraph.layers.base import layer_path
from citygraph.layers.registry import derived_graph
from citygraph.namespaces import GRAPH, PREFIXES

CITY, P = PREFIXES["city"], PREFIXES["partnership"]


def values(graph: CityGraph, sparql: str) -> list[tuple]:
    return [tuple(t.value if t is not None else None for t in row) for row in graph.query(sparql).rows]


# ------------------------------------------------------------------------ building with layers

def test_curated_only_fingerprint_is_unchanged() -> None:
    settings = Settings.for_home(REPO)
    assert stores.fingerprint(settings) == stores.fingerprint(settings, [])


def test_select_layers() -> None:
    settings, _metas = imported()
    assert select(settings, "curated") == []
    assert select(settings, None) == []
    assert select(settings, "all") == ["wikidata-p190", "climactor", "wikipedia-twin-towns", "baltic-networks"]
    assert select(settings, "baltic-networks,curated") == ["baltic-networks"]
    with pytest.raises(CityGraphError, match="not imported"):
        select(settings, "wikidata")


def test_build_keeps_each_layer_in_its_graphs() -> None:
    graph = built()
    triples = graph.manifest["triples"]
    for name in ("wikidata-p190", "baltic-networks", "geonames"):
        assert triples[name] > 0 and triples[f"{name}-derived"] > 0
    assert "climactor" not in triples
    assert graph.manifest["layers"] == ["wikidata-p190", "baltic-networks"]
    graphs = graph.stats()["graphs"]
    assert f"<{GRAPH}wikidata-p190>" in graphs and f"<{GRAPH}geonames-derived>" in graphs
    # the curated graphs are exactly those of a curated-only build
    curated = CityGraph.build(graph.settings, memory=True, notify=None)
    for name in ("ontology", "curated", "derived"):
        assert triples[name] == curated.manifest["triples"][name]
    # nothing derived from a layer lands in the curated derived graph
    leaked = values(graph, f"SELECT ?s WHERE {{ GRAPH <{GRAPH}derived> {{ ?s ?p ?o }} "
                           f"FILTER(STRSTARTS(STR(?s), STR(partnership:wikidata-p190-))) }} LIMIT 1")
    assert leaked == []


def test_layer_dates_follow_the_one_definition() -> None:
    graph = built()
    rel = P + "wikidata-p190-helsinki-st-petersburg"
    rows = values(graph, f"SELECT ?from ?until ?last WHERE {{ GRAPH <{derived_graph(GRAPH + 'wikidata-p190')}> "
                         f"{{ <{rel}> cg:activeFrom ?from ; cg:lastAttested ?last }} "
                         f"OPTIONAL {{ <{rel}> cg:activeUntil ?until }} }}")
    assert rows == [("2016-09-30", None, "2016-09-30")]  # the crawl of September 2016; no end known
    oslo = values(graph, "SELECT ?from WHERE { ?m org:member city:oslo ; org:organization network:baltmet ; "
                         "cg:activeFrom ?from }")
    assert oslo == [("2009-12-31",)]  # first listed in the 2009 snapshot; the undated page dates nothing
    kaunas = values(graph, "SELECT ?from WHERE { ?m org:organization network:ubc ; cg:startDate ?s ; "
                           "cg:activeFrom ?from }")
    assert kaunas == [("1994-12-31",)]


def test_shortcut_edges_from_layers() -> None:
    graph = built()
    partners = {r[0] for r in values(graph, "SELECT ?p WHERE { city:helsinki cg:partnerOf ?p }")}
    assert {CITY + "oslo", CITY + "stockholm", CITY + "st-petersburg", CITY + "tallinn"} <= partners
    networks = {r[0] for r in values(graph, "SELECT ?n WHERE { city:kotka cg:memberOf ?n }")}
    assert PREFIXES["network"] + "ubc" in networks


def test_resolve_prefers_the_curated_entity() -> None:
    graph = built()
    assert graph.resolve("Helsingfors") == CITY + "helsinki"
    assert graph.resolve("Berlin") == CITY + "berlin"  # GeoNames has other places called Berlin


# ------------------------------------------------------------------------ discrepancies

@pytest.fixture(scope="module")
def report() -> dict:
    return discrepancies.report(built())


def test_helsinki_twin_links_contradict_its_policy(report: dict) -> None:
    section = report["sections"]["policy_conflicts"]
    helsinki = [i for i in section["items"] if i["city"]["iri"] == CITY + "helsinki"]
    assert len(helsinki) == 10
    assert {i["layer"] for i in helsinki} == {"wikidata-p190"}
    assert {i["statement"]["policy"]["name"] for i in helsinki} == {"policy:no-official-twin-cities"}
    quote = helsinki[0]["statement"]["quotes"][0]["quote"]
    assert quote.startswith("Helsingfors har inga officiella vänskapsstäder")
    labels = {i["partner"]["label"] for i in helsinki}
    assert {"Oslo", "Stockholm", "Saint Petersburg", "Copenhagen", "Prague"} <= labels
    stockholm = next(i for i in helsinki if i["partner"]["iri"] == CITY + "stockholm")
    assert stockholm["curated"]["name"] == "partnership:helsinki-stockholm"  # curated: a key partner, not a twin


def test_ended_curated_partnership_still_active_in_wikidata(report: dict) -> None:
    items = report["sections"]["ended_but_active_elsewhere"]["items"]
    spb = [i for i in items if {p["iri"] for p in i["parties"]} == {CITY + "helsinki", CITY + "st-petersburg"}]
    assert len(spb) == 1
    assert spb[0]["curated"]["active_until"] == "2022-03-01"
    assert spb[0]["external"]["layer"] == "wikidata-p190" and spb[0]["external"]["active_until"] is None


def test_russian_cities_after_february_2022(report: dict) -> None:
    section = report["sections"]["russia_after_2022"]
    items = section["items"]
    assert section["count"] == len(items) > 100
    assert all(i["active_until"] is None or i["active_until"] > "2022-03-01" for i in items)
    spb = {i["other_party"]["iri"] for i in items if i["russian_party"]["iri"] == CITY + "st-petersburg"}
    assert CITY + "helsinki" in spb  # the Wikidata twin link
    assert PREFIXES["network"] + "baltmet" in spb  # BaltMet lists St Petersburg (2002, 2009, undated)
    assert section["per_layer"]["baltic-networks"] == {"last attested before March 2022": 1}


def test_missing_reciprocal_links(report: dict) -> None:
    from layers_support import EXTERNAL, tsv_pairs

    section = report["sections"]["missing_reciprocal"]
    directed = set(tsv_pairs(EXTERNAL / "wikidata-p190-2016" / "relations.tsv"))
    stating = {a for a, _b in directed}
    # one-sided statements whose other item states P190 links of its own (else the crawl's edge)
    expected = {frozenset((a, b)) for a, b in directed if (b, a) not in directed and b in stating}
    assert section["per_layer"]["wikidata-p190"] == len(expected)
    assert all(i["stated_on"]["iri"] != i["missing_on"]["iri"] for i in section["items"])


def test_snapshot_differences_in_baltmet(report: dict) -> None:
    items = report["sections"]["snapshot_differences"]["items"]
    baltmet = {i["member"]["label"]: i for i in items if i["network"]["iri"] == PREFIXES["network"] + "baltmet"}
    assert sorted(baltmet["Copenhagen"]["not_listed_in"]) == ["source:baltmet-members-undated"]
    assert baltmet["Oslo"]["not_listed_in"] == ["source:baltmet-members-2002-10"]
    assert "Helsinki" not in baltmet  # listed in all three


def test_report_for_one_city_and_limit() -> None:
    data = discrepancies.report(built(), city=CITY + "helsinki", limit=3)
    policy = data["sections"]["policy_conflicts"]
    assert policy["count"] == 10 and len(policy["items"]) == 3
    assert all(CITY + "helsinki" in (i["russian_party"]["iri"], i["other_party"]["iri"])
               for i in data["sections"]["russia_after_2022"]["items"])


# ------------------------------------------------------------------------ curators' CSV

GOOD = csvimport.template()


def test_csv_bad_rows_are_rejected_with_row_and_column(tmp_path) -> None:
    settings = make_layered_home()
    path = tmp_path / "bulk.csv"
    path.write_text(GOOD + "membership,Helsingfors,Tallin,role:member,active,2019-13,,,"
                           "source:economic-development-subcommittee-2024-12-02-31,x,fi\n", encoding="utf-8")
    with pytest.raises(csvimport.CsvImportError) as caught:
        csvimport.run(settings, path, "bulk")
    errors = {(row, col) for row, col, _msg in caught.value.errors}
    assert errors == {(3, "partner"), (3, "start")}
    assert "did you mean city:tallinn" in str(caught.value)
    assert layer_path(settings, "csv-bulk") is None  # nothing written


def test_csv_rows_failing_the_shapes_name_row_and_column(tmp_path) -> None:
    settings = make_layered_home()
    path = tmp_path / "bulk.csv"
    path.write_text(GOOD + "membership,helsinki,tallinn,role:member,active,,,,"
                           "source:economic-development-subcommittee-2024-12-02-31,x,fi\n"
                           "partnership,helsinki,berlin,pkind:key,active,2024,2020,,"
                           "source:economic-development-subcommittee-2024-12-02-31,y,fi\n", encoding="utf-8")
    with pytest.raises(csvimport.CsvImportError) as caught:
        csvimport.run(settings, path, "bulk")
    errors = {(row, col) for row, col, _msg in caught.value.errors}
    assert (3, "partner") in errors  # a city is not a network: shape:Membership
    assert (4, "end") in errors  # ends before it starts: shape:Relationship-dates
    assert all(row in (3, 4) for row, _c in errors)
    assert layer_path(settings, "csv-bulk") is None


def test_csv_good_file_becomes_a_layer(tmp_path) -> None:
    settings = make_layered_home()
    path = tmp_path / "bulk.csv"
    path.write_text(GOOD, encoding="utf-8")
    meta = csvimport.run(settings, path, "bulk")
    assert meta["counts"]["rows"] == 1
    graph = CityGraph.build(settings, memory=True, notify=None, layers=["csv-bulk"])
    rows = values(graph, f"SELECT ?rel ?from WHERE {{ GRAPH <{GRAPH}csv-bulk> {{ ?rel cg:party city:tallinn }} "
                         "?rel cg:activeFrom ?from }")
    assert rows == [(P + "csv-bulk-helsinki-tallinn", "2024-12-02")]  # the minutes' date, from curated data
    assert graph.manifest["triples"]["csv-bulk-derived"] > 0


def test_csv_template_round_trip() -> None:
    assert GOOD.splitlines()[0].split(",") == list(csvimport.COLUMNS)
    assert date.fromisoformat("2024-12-02")  # the example quote's document date (see the template)


def test_json_routes(tmp_path) -> None:
    from api_helpers import client, tiny_graph

    with client(tiny_graph(tmp_path)) as c:
        response = c.get("/api/discrepancies")
        assert response.status_code == 200
        data = response.json()
        assert data["layers"] == [] and "citygraph import all" in data["note"]
        assert set(data["sections"]) == {"policy_conflicts", "ended_but_active_elsewhere", "russia_after_2022",
                                         "missing_reciprocal", "dropped_between_sources", "snapshot_differences",
                                         "curated_not_listed"}
        assert c.get("/api/discrepancies", params={"city": "nowhere-at-all"}).status_code == 422
        graphs = {g["name"]: g for g in c.get("/api/layers").json()["graphs"]}
        assert graphs["climactor"]["open"] is False and graphs["wikidata-p190"]["open"] is True


def test_describe_shows_the_row_evidence() -> None:
    from layers_support import EXTERNAL

    lines = (EXTERNAL / "wikidata-p190-2016" / "relations.tsv").read_text(encoding="utf-8").splitlines()
    expected = {(n, line) for n, line in enumerate(lines, start=1) if line in ("Q1757\tQ656", "Q656\tQ1757")}
    graph = built()
    rel = graph.relationship(P + "wikidata-p190-helsinki-st-petersburg", entity=CITY + "helsinki")
    assert {(a["source_row"], a["source_record"]) for a in rel["attestations"]} == expected
    assert len(expected) == 2
    assert all(a["source"]["date"] == "2016-09" for a in rel["attestations"])
