"""The JSON API (/api/...): filters, "active on D", pagination, languages and error messages.

Answers on the tiny fixture (tests/fixtures/basic/data/world.ttl) are worked out by hand:
  * partnership helsinki–st-petersburg: first attested 2019-12-06 (sv-2019), ended 2022-02
    -> active from 2019-12-06 until 2022-03-01 (exclusive);
  * partnership helsinki–tallinn: attested by the undated 2008–2011 page about 2007 (refersTo)
    -> active from 2007-12-31, no end;
  * membership helsinki–eurocities: start "2023" -> active from 2023-12-31.
Answers on the real data come from the documents (README, "The question it answers first").
"""

from __future__ import annotations

import pytest

from api_helpers import ID, client, real_graph, tiny_graph
from citygraph.validate import validate


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    with client(tiny_graph(tmp_path_factory.mktemp("api-json"))) as c:
        yield c


@pytest.fixture(scope="module")
def real():
    with client(real_graph()) as c:
        yield c


def partners(c, city: str, as_of: str) -> set[str]:
    body = c.get("/api/relationships", params={"city": city, "kind": "partnership",
                                               "as_of": as_of, "limit": 1000}).json()
    assert body["total"] == len(body["items"])
    return {p["iri"].rsplit("/", 1)[-1] for rel in body["items"] for p in rel["others"]}


# ---------------------------------------------------------------------------- active on D

@pytest.mark.parametrize("as_of, expected", [
    ("2007-12-30", set()),
    ("2007-12-31", {"tallinn"}),
    ("2019-06-01", {"tallinn"}),
    ("2019-12-06", {"tallinn", "st-petersburg"}),
    ("2022-02-28", {"tallinn", "st-petersburg"}),
    ("2022-03-01", {"tallinn"}),
])
def test_as_of_on_the_tiny_graph(tiny, as_of, expected):
    assert partners(tiny, "helsinki", as_of) == expected


def test_as_of_membership_counts_a_year_from_its_last_day(tiny):
    def members(day: str) -> int:
        return tiny.get("/api/relationships", params={"kind": "membership", "as_of": day}).json()["total"]

    assert members("2023-12-30") == 0
    assert members("2023-12-31") == 1


def test_helsinki_partners_2019_and_2024_from_the_documents(real):
    in_2019 = partners(real, "helsinki", "2019-06-01")
    in_2024 = partners(real, "helsinki", "2024-06-01")
    assert {"st-petersburg", "moscow"} <= in_2019
    assert not {"st-petersburg", "moscow"} & in_2024
    assert in_2019 == {"beijing", "berlin", "moscow", "new-york", "st-petersburg",
                       "stockholm", "tallinn"}
    assert {"amsterdam", "barcelona", "dnipro", "london"} <= in_2024
    # "cooperation with Russian cities ended in February 2022": the reason is given
    body = real.get("/api/relationships", params={"city": "Pietari", "kind": "partnership"}).json()
    (rel,) = body["items"]
    assert rel["status"]["name"] == "status:ended"
    assert rel["active_until"] == "2022-03-01"
    assert rel["status_reason"]["text"]
    assert all(a["quote"] for a in rel["attestations"])


# ---------------------------------------------------------------------------- filters

def test_relationship_filters(tiny):
    def total(**params) -> int:
        return tiny.get("/api/relationships", params=params).json()["total"]

    assert total() == 3
    assert total(kind="partnership") == 2
    assert total(kind="membership") == 1
    assert total(status="ended") == 1
    assert total(status="active") == 1  # tallinn; the membership has no status
    assert total(city="tallinn") == 1
    assert total(network="eurocities") == 1
    assert total(city="helsinki", network="eurocities") == 1
    assert total(layer="curated") == 3
    assert total(layer="derived") == 0  # the derived layer adds edges, it states no relationship


def test_relationship_items_carry_dates_status_and_evidence(tiny):
    body = tiny.get("/api/relationships", params={"city": "st-petersburg"}).json()
    (rel,) = body["items"]
    assert rel["name"] == "partnership:helsinki-st-petersburg"
    assert rel["dates"]["end"] == {"value": "2022-02", "datatype": "xsd:gYearMonth",
                                   "precision": "precision:month"}
    assert (rel["active_from"], rel["active_until"]) == ("2019-12-06", "2022-03-01")
    assert [a["quote"] for a in rel["attestations"]] == ["S:t Petersburg är en partner"]
    assert rel["attestations"][0]["source"]["name"] == "source:sv-2019"
    assert {p["name"]: p["self"] for p in rel["parties"]} == {
        "city:helsinki": False, "city:st-petersburg": True}


def test_entity_lists_and_their_filters(tiny, real):
    names = [c["name"] for c in tiny.get("/api/cities").json()["items"]]
    assert names == ["city:helsinki", "city:st-petersburg", "city:tallinn"]
    assert [c["name"] for c in tiny.get("/api/cities", params={"q": "tall"}).json()["items"]] == ["city:tallinn"]
    # altLabels count for q: Pietari is St Petersburg's Finnish name
    assert [c["name"] for c in tiny.get("/api/cities", params={"q": "pietari"}).json()["items"]] == ["city:st-petersburg"]
    helsinki = tiny.get("/api/cities", params={"country": "fi"}).json()["items"]
    assert [c["name"] for c in helsinki] == ["city:helsinki"]
    assert helsinki[0]["wikidata"] == "Q1757" and helsinki[0]["coordinates"] == {"lat": 60.17, "long": 24.94}
    assert [n["name"] for n in tiny.get("/api/networks", params={"member": "helsinki"}).json()["items"]] == ["network:eurocities"]
    assert tiny.get("/api/networks", params={"member": "tallinn"}).json()["total"] == 0
    unis = real.get("/api/organisations", params={"type": "university"}).json()
    assert unis["total"] == 5
    partners_ever = real.get("/api/cities", params={"partner_of": "helsinki", "limit": 100}).json()
    assert "city:moscow" in {c["name"] for c in partners_ever["items"]}
    echa = real.get("/api/organisations", params={"related_to": "helsinki", "limit": 1000}).json()
    assert "organisation:echa" in {o["name"] for o in echa["items"]}


# ---------------------------------------------------------------------------- pagination

def test_pagination_walks_every_item_once(real):
    everything = real.get("/api/cities", params={"limit": 1000}).json()
    assert everything["next"] is None
    seen, url, pages = [], "/api/cities?limit=5", 0
    while url:
        page = real.get(url).json()
        assert page["total"] == everything["total"] == 18
        seen += [c["iri"] for c in page["items"]]
        url = page["next"]
        pages += 1
    assert pages == 4
    assert seen == [c["iri"] for c in everything["items"]]


def test_pagination_of_relationships_keeps_filters(real):
    first = real.get("/api/relationships", params={"city": "helsinki", "limit": 10}).json()
    assert first["total"] > 10 and len(first["items"]) == 10
    assert "city=helsinki" in first["next"] and "offset=10" in first["next"]
    second = real.get(first["next"]).json()
    assert not {r["iri"] for r in first["items"]} & {r["iri"] for r in second["items"]}


# ---------------------------------------------------------------------------- languages

def test_labels_follow_lang_then_accept_language_then_fallback(tiny):
    def labels(**kw) -> dict[str, str]:
        r = tiny.get("/api/cities", **kw)
        return {c["name"]: c["label"] for c in r.json()["items"]}

    assert labels()["city:helsinki"] == "Helsinki"
    assert labels(params={"lang": "sv"})["city:helsinki"] == "Helsingfors"
    assert labels(headers={"Accept-Language": "sv-FI,sv;q=0.9,en;q=0.5"})["city:helsinki"] == "Helsingfors"
    assert labels(params={"lang": "en"}, headers={"Accept-Language": "sv"})["city:helsinki"] == "Helsinki"
    assert labels(headers={"Accept-Language": "de"})["city:tallinn"] == "Tallinn"
    fi = labels(params={"lang": "fi"})
    assert fi["city:tallinn"] == "Tallinna"
    assert fi["city:st-petersburg"] == "St Petersburg"  # no Finnish prefLabel: falls back to en
    r = tiny.get("/api/cities", headers={"Accept-Language": "fi"})
    assert r.headers["content-language"] == "fi"


def test_sorting_follows_the_language(real):
    def first(lang: str) -> list[str]:
        return [c["label"] for c in real.get("/api/cities", params={"lang": lang, "limit": 4}).json()["items"]]

    assert first("en")[:4] == ["Amsterdam", "Barcelona", "Beijing", "Berlin"]
    assert first("fi")[2] == "Berliini"  # Peking sorts later in Finnish


# ---------------------------------------------------------------------------- errors

@pytest.mark.parametrize("url, status, message", [
    ("/api/relationships?city=helsinkki", 422, "city: no city 'helsinkki'; did you mean helsinki?"),
    ("/api/relationships?city=eurocities", 422, "city: 'eurocities' is network:eurocities, not a city"),
    ("/api/relationships?network=eurocitis", 422, "network: no network 'eurocitis'; did you mean eurocities?"),
    ("/api/relationships?layer=curatd", 422, "layer: unknown layer 'curatd'; did you mean curated?"),
    ("/api/cities?country=finlant", 422, "country: no country 'finlant'"),
    ("/api/entities/city/helsinkki", 404, "no city 'helsinkki'; did you mean helsinki?"),
    ("/api/entities/cty/helsinki", 404, "no kind of thing 'cty'"),
    ("/api/sources/sv-2018", 404, "no source 'sv-2018'; did you mean sv-2019?"),
    ("/api/resolve?name=Tallin", 404, "no entity 'Tallin'; did you mean"),
    ("/api/queries/active-partner", 404, "no named query 'active-partner'"),
    ("/api/queries/active-partners?date=2019-13-01", 422, "parameter 'date': '2019-13-01' is not a date"),
    ("/api/queries/active-partners?dat=2019-01-01", 422, "has no parameter dat"),
    ("/api/queries/active-partners?city=helsinkki", 422, "parameter 'city'"),
])
def test_error_messages_name_the_bad_input(tiny, url, status, message):
    r = tiny.get(url)
    assert r.status_code == status, r.text
    assert message in r.json()["detail"]


@pytest.mark.parametrize("url, param", [
    ("/api/relationships?as_of=2019-02-30", "as_of"),
    ("/api/relationships?kind=twinning", "kind"),
    ("/api/cities?lang=de", "lang"),
    ("/api/cities?limit=0", "limit"),
    ("/api/cities?offset=-1", "offset"),
])
def test_malformed_parameters_are_422_naming_them(tiny, url, param):
    r = tiny.get(url)
    assert r.status_code == 422
    assert [e["loc"] for e in r.json()["detail"]] == [["query", param]]


# ---------------------------------------------------------------------------- one entity, sources

def test_entity_has_relationships_dates_status_sources_and_quotes(tiny):
    body = tiny.get("/api/entities/city/tallinn", params={"lang": "fi"}).json()
    assert body["label"] == "Tallinna"
    assert body["labels"] == {"en": ["Tallinn"], "fi": ["Tallinna"]}
    rels = [r for group in body["relationships"].values() for r in group]
    assert [r["name"] for r in rels] == ["partnership:helsinki-tallinn"]
    quotes = {a["quote"] for a in rels[0]["attestations"]}
    assert quotes == {"Tallinna on keskeinen kumppani", "Tallinn is a closest partner city"}
    assert rels[0]["active_from"] == "2007-12-31"
    assert {s["name"] for s in body["sources"]} == {"source:fi-2024", "source:en-undated"}


def test_relationship_entity_has_its_own_parties(tiny):
    body = tiny.get("/api/entities/partnership/helsinki-st-petersburg").json()
    assert {p["name"] for p in body["relationship"]["parties"]} == {"city:helsinki", "city:st-petersburg"}
    assert body["relationship"]["status"]["name"] == "status:ended"


def test_resolve_by_any_name(tiny):
    body = tiny.get("/api/resolve", params={"name": "Helsingfors"}).json()
    assert body["iri"] == ID + "city/helsinki" and body["path"] == "city/helsinki"
    assert tiny.get("/api/resolve", params={"name": "Pietari"}).json()["name"] == "city:st-petersburg"


def test_sources_list_and_what_one_attests(tiny):
    body = tiny.get("/api/sources").json()
    assert {s["name"]: s["attestations"] for s in body["items"]} == {
        "source:en-undated": 1, "source:fi-2024": 1, "source:sv-2019": 2}
    undated = next(s for s in body["items"] if s["name"] == "source:en-undated")
    assert (undated["issued"], undated["issued_not_before"], undated["issued_not_after"]) == (None, "2008", "2011")
    one = tiny.get("/api/sources/sv-2019").json()
    assert one["title"] == "Internationell verksamhet" and one["issued"]["value"] == "2019-12-06"
    assert {(a["subject"]["name"], a["quote"]) for a in one["attests"]} == {
        ("membership:helsinki-eurocities", "Helsinki är medlem i Eurocities"),
        ("partnership:helsinki-st-petersburg", "S:t Petersburg är en partner"),
    }


# ---------------------------------------------------------------------------- named queries

def test_named_queries_listed_with_their_parameters(tiny):
    body = tiny.get("/api/queries").json()
    (q,) = body["items"]
    assert q["name"] == "active-partners"
    assert [(p["name"], p["type"]) for p in q["params"]] == [("date", "xsd:date"), ("city", "iri")]


def test_named_query_runs_in_a_worker_with_parameters(tiny):
    rows = tiny.get("/api/queries/active-partners", params={"date": "2020-01-01"}).json()
    assert rows["params"]["date"] == "2020-01-01"
    assert {r["partner"] for r in rows["rows"]} == {ID + "city/st-petersburg", ID + "city/tallinn"}
    rows = tiny.get("/api/queries/active-partners", params={"date": "2019-06-01", "city": "Helsingfors"}).json()
    assert {r["partner"] for r in rows["rows"]} == {ID + "city/tallinn"}


def test_named_query_as_sparql_json(tiny):
    r = tiny.get("/api/queries/active-partners", params={"date": "2023-01-01", "format": "sparql-json"})
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    bindings = r.json()["results"]["bindings"]
    assert {b["partner"]["value"] for b in bindings} == {ID + "city/tallinn"}
    r2 = tiny.get("/api/queries/active-partners", params={"date": "2023-01-01"},
                  headers={"Accept": "application/sparql-results+json"})
    assert r2.json() == r.json()


def test_helsinki_active_partners_query_over_http(real):
    rows = real.get("/api/queries/active-partners", params={"date": "2024-06-01"}).json()["rows"]
    labels = {r["partnerLabel"] for r in rows}
    assert "Saint Petersburg" not in labels and "Moscow" not in labels
    assert {"Amsterdam", "Barcelona", "Dnipro", "London"} <= labels


# ---------------------------------------------------------------------------- validation, index

def test_validation_report_is_the_validate_report(tiny, real):
    body = real.get("/api/validation").json()
    assert body["format"] == "citygraph-validation" and body["conforms"] is True
    assert body["counts"] == {"violation": 0, "warning": 0, "info": 0}
    graph = tiny.app.state.holder.graph
    expected = validate(settings=graph.settings).to_dict("warning")
    assert tiny.get("/api/validation", params={"min_severity": "warning"}).json() == expected


def test_index_lists_filters_values(tiny):
    body = tiny.get("/api").json()
    assert {layer["name"] for layer in body["layers"]} == {"ontology", "curated", "derived"}
    assert "partnership" in body["relationship_kinds"]
    for link in ("cities", "relationships", "sources", "queries"):
        assert tiny.get(body["links"][link]).status_code == 200
