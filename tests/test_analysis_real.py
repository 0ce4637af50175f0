"""Network analysis on the real curated graph: the answers the source documents support."""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from citygraph.analysis import Ties, network_overlap, redundancy
from citygraph.analysis.comparison import compare
from citygraph.analysis.ego import ego_network
from citygraph.analysis.reports import run
from citygraph.config import Settings
from citygraph.graph import CityGraph

from conftest import REPO

CITY = "https://w3id.org/citygraph/id/city/"
NETWORK = "https://w3id.org/citygraph/id/network/"
HELSINKI = CITY + "helsinki"


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> CityGraph:
    settings = Settings.for_home(REPO, store_dir=tmp_path_factory.mktemp("store"))
    return CityGraph.build(settings, memory=True, notify=None)


@pytest.fixture(scope="module")
def ties(real) -> Ties:
    return Ties.load(real)


def ego(ties, day: str) -> set[str]:
    return set(ego_network(ties.snapshot(day), HELSINKI)["iri"])


def test_russian_partners_in_the_ego_network_in_2019_not_in_2023(ties):
    assert {CITY + "st-petersburg", CITY + "moscow"} <= ego(ties, "2019-06-01")
    assert not {CITY + "st-petersburg", CITY + "moscow"} & ego(ties, "2023-06-01")


def test_dnipro_only_from_its_active_from_date(ties):
    # both the partnership and the 2023 agreement count from the last day of 2023
    assert CITY + "dnipro" not in ego(ties, "2023-06-01")
    assert CITY + "dnipro" not in ego(ties, "2023-12-30")
    assert CITY + "dnipro" in ego(ties, "2023-12-31")
    assert CITY + "dnipro" in ego(ties, "2024-06-01")


def test_compare_2019_2024_names_the_ended_and_new_partnerships(ties):
    result = compare(ties, date(2019, 6, 1), date(2024, 6, 1), HELSINKI)
    rels = result.relationships
    partnerships = rels[rels["kind"] == "partnership"]
    ended = set(partnerships.loc[partnerships["status"] == "ended", "with"])
    added = set(partnerships.loc[partnerships["status"] == "added", "with"])
    assert ended == {"Moscow", "Saint Petersburg"}
    # the README's partners of 2024-06-01 that were not partners on 2019-06-01
    assert {"Amsterdam", "Barcelona", "Dnipro", "London"} <= added
    # Oslo, Tokyo and Québec count only from the minutes of 2024-12-02
    assert not {"Oslo", "Tokyo", "Québec"} & (added | ended)
    degree = result.ranks.set_index("measure").loc["degree"]
    assert degree["rank_from"] == 1 and degree["rank_to"] == 1
    assert degree["value_to"] > degree["value_from"]


def test_helsinki_is_the_most_central_city(real):
    table = run(real, "centrality", as_of="2024-06-01", graph_name="combined").table()
    assert table.iloc[0]["iri"] == HELSINKI
    assert table.iloc[0]["rank_betweenness"] == 1


def test_only_helsinki_has_memberships_so_networks_overlap_in_it_alone(ties):
    table = network_overlap(ties.snapshot("2024-06-01"))
    assert set(table["shared"]) == {1}
    assert set(table["shared_members"]) == {("Helsinki",)}


EXTRA_MEMBERS = """\
PREFIX cg: <https://w3id.org/citygraph/ontology#>
PREFIX city: <https://w3id.org/citygraph/id/city/>
PREFIX membership: <https://w3id.org/citygraph/id/membership/>
PREFIX network: <https://w3id.org/citygraph/id/network/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>

membership:test-tallinn-ubc a cg:Membership ; org:member city:tallinn ; org:organization network:ubc ;
    cg:startDate "2010"^^xsd:gYear .
membership:test-tallinn-eurocities a cg:Membership ; org:member city:tallinn ;
    org:organization network:eurocities ; cg:startDate "2010"^^xsd:gYear .
membership:test-stockholm-eurocities a cg:Membership ; org:member city:stockholm ;
    org:organization network:eurocities ; cg:startDate "2010"^^xsd:gYear .
"""


def test_overlap_on_a_copy_with_added_members(tmp_path):
    # made-up members, in a copy of data/ only: UBC {Helsinki, Tallinn},
    # Eurocities {Helsinki (twice: member, executive committee), Tallinn, Stockholm}
    home = tmp_path / "home"
    shutil.copytree(REPO / "ontology", home / "ontology")
    shutil.copytree(REPO / "data", home / "data")
    (home / "data" / "test-members.ttl").write_text(EXTRA_MEMBERS, encoding="utf-8")
    graph = CityGraph.build(Settings.for_home(home), memory=True, notify=None)
    snap = Ties.load(graph).snapshot("2024-06-01")
    pairs = network_overlap(snap)
    top = pairs.iloc[0]
    assert (top["label_a"], top["label_b"]) == ("Eurocities", "Union of the Baltic Cities")
    assert (top["size_a"], top["size_b"], top["shared"]) == (3, 2, 2)
    assert top["jaccard"] == pytest.approx(2 / 3) and top["overlap"] == pytest.approx(1.0)
    assert top["shared_members"] == ("Helsinki", "Tallinn")
    table = redundancy(snap, HELSINKI).set_index("network")
    assert table.at[NETWORK + "eurocities", "unique_members"] == ("Stockholm",)
    assert table.at[NETWORK + "ubc", "unique"] == 0 and table.at[NETWORK + "ubc", "redundant"] == 1.0
