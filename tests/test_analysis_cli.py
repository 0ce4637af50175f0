"""``citygraph analyze`` through typer's CliRunner, on the tiny analysis world (curated layer)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from citygraph.cli import app

from conftest import FIXTURES, make_home


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    home = make_home(tmp_path_factory.mktemp("cli") / "home", FIXTURES / "analysis" / "data")
    runner = CliRunner()
    mp = pytest.MonkeyPatch()
    mp.setenv("CITYGRAPH_HOME", str(home))
    mp.chdir(home)

    def invoke(*args: str):
        return runner.invoke(app, ["analyze", *args])

    yield invoke
    mp.undo()


def rows(result) -> list[dict]:
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_overlap_json_lists_pairs_with_jaccard(run):
    result = run("overlap", "--as-of", "2021-06-01", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["analysis"] == "overlap" and data["parameters"]["as_of"] == "2021-06-01"
    first = data["tables"]["overlap"][0]
    assert (first["label_a"], first["label_b"], first["shared"]) == ("Network One", "Network Two", 2)
    assert first["jaccard"] == 0.5 and first["shared_members"] == ["Aville", "Bton"]


def test_overlap_table_for_a_city(run):
    result = run("overlap", "--as-of", "2021-06-01", "--city", "Aville")
    assert result.exit_code == 0, result.output
    assert "redundancy" in result.stdout and "Cburg" in result.stdout and "Dstad" in result.stdout


def test_centrality_csv(run):
    result = run("centrality", "--as-of", "2021-06-01", "--by", "betweenness", "--format", "csv")
    assert result.exit_code == 0, result.output
    table = rows(result)
    assert [r["label"] for r in table][:1] == ["Dstad"]
    assert float(table[0]["betweenness"]) == 0.5 and table[0]["degree"] == "3"


def test_centrality_layers_and_graph_options(run):
    ok = run("centrality", "--as-of", "2021-06-01", "--layers", "curated", "--graph", "partnerships",
             "--format", "csv")
    assert ok.exit_code == 0 and [r["label"] for r in rows(ok)][0] == "Aville"
    bad = run("centrality", "--layers", "nosuch")
    assert bad.exit_code == 2
    assert bad.output.strip().splitlines()[-1].startswith("error: no relationships in layer(s) nosuch")


def test_ego_and_brokerage(run):
    result = run("ego", "--city", "Aville", "--as-of", "2021-06-01", "--format", "csv",
                 "--table", "brokerage_members")
    assert result.exit_code == 0, result.output
    assert [(r["network_label"], r["label"]) for r in rows(result)] == [("Network Two", "Dstad")]
    later = run("ego", "--city", "Aville", "--as-of", "2023-06-01", "--format", "json")
    assert "Eport" not in {r["label"] for r in json.loads(later.stdout)["tables"]["ego"]}


def test_communities(run):
    result = run("communities", "--as-of", "2021-06-01", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["notes"] == ["2 communities, modularity 0.122"]


def test_compare_names_what_ended(run):
    result = run("compare", "--from", "2019-06-01", "--to", "2023-06-01", "--city", "Aville")
    assert result.exit_code == 0, result.output
    line = next(x for x in result.stdout.splitlines() if "ended" in x and "partnership" in x)
    assert "Eport" in line
    assert "0 added, 1 ended, 3 unchanged" in result.stdout


@pytest.mark.parametrize(("args", "message"), [
    (("ego", "--as-of", "2021-06-01"), "Missing option '--city'"),
    (("centrality", "--as-of", "2021-13-01"), "error: date '2021-13-01': write it as YYYY-MM-DD"),
    (("compare", "--from", "2019-06-01", "--to", "soon"), "error: date 'soon'"),
    (("ego", "--city", "Atlantis"), "error: no entity named 'Atlantis'"),
    (("communities", "--graph", "combined"), "error: --graph combined"),
])
def test_usage_errors_exit_2(run, args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.output


def test_save_writes_results_that_sparql_sees_after_the_next_build(run):
    result = run("centrality", "--as-of", "2021-06-01", "--save")
    assert result.exit_code == 0, result.output
    assert "saved .citygraph/analysis/centrality-" in result.output
    runner = CliRunner()
    query = runner.invoke(app, ["query", "--format", "csv",
                                "SELECT ?value WHERE { GRAPH <https://w3id.org/citygraph/graph/analysis> {"
                                " ?run cg:asOf \"2021-06-01\"^^xsd:date ; cg:observation ?o ."
                                " ?o cg:about city:d ; cg:measure \"betweenness\" ; cg:value ?value } }"])
    assert query.exit_code == 0, query.output
    assert [float(r["value"]) for r in rows(query)] == [0.5]
