"""``/api/analysis/…`` over the tiny analysis world: the same reports as the CLI, as JSON."""

from __future__ import annotations

import pytest

from api_helpers import client
from test_analysis import build_world


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    with client(build_world(tmp_path_factory.mktemp("api") / "home")) as c:
        yield c


def test_overlap_json(api):
    r = api.get("/api/analysis/overlap", params={"as_of": "2021-06-01", "layers": "curated"})
    assert r.status_code == 200, r.text
    first = r.json()["tables"]["overlap"][0]
    assert (first["label_a"], first["label_b"], first["shared"], first["jaccard"]) == (
        "Network One", "Network Two", 2, 0.5)


def test_centrality_ego_communities_compare(api):
    c = api.get("/api/analysis/centrality", params={"as_of": "2021-06-01", "layers": "curated",
                                                    "by": "betweenness"}).json()
    assert c["tables"]["centrality"][0]["label"] == "Dstad"
    e = api.get("/api/analysis/ego", params={"city": "Aville", "as_of": "2021-06-01", "layers": "curated"}).json()
    assert [(r["network_label"], r["label"]) for r in e["tables"]["brokerage_members"]] == [("Network Two", "Dstad")]
    k = api.get("/api/analysis/communities", params={"as_of": "2021-06-01", "layers": "curated"}).json()
    assert {r["community"] for r in k["tables"]["communities"]} == {1, 2}
    d = api.get("/api/analysis/compare", params={"from": "2019-06-01", "to": "2023-06-01", "city": "a",
                                                 "layers": "curated"}).json()
    assert [r["with"] for r in d["tables"]["relationships"] if r["status"] == "ended"] == ["Eport"]


@pytest.mark.parametrize(("path", "params", "status"), [
    ("/api/analysis/centrality", {"as_of": "June"}, 400),
    ("/api/analysis/centrality", {"layers": "nosuch"}, 404),
    ("/api/analysis/ego", {"city": "Atlantis"}, 404),
    ("/api/analysis/ego", {}, 422),
    ("/api/analysis/compare", {"from": "2019-06-01"}, 422),
])
def test_errors(api, path, params, status):
    r = api.get(path, params=params)
    assert r.status_code == status, r.text
    assert r.json()["detail"]
