"""The command line through typer's CliRunner: exit codes, formats, one-line errors."""

from __future__ import annotations

import csv
import io
import json
import shutil

import pytest
from typer.testing import CliRunner

from citygraph import __version__
from citygraph.cli import app

from conftest import FIXTURES


@pytest.fixture
def run(home, monkeypatch):
    monkeypatch.setenv("CITYGRAPH_HOME", str(home))
    monkeypatch.chdir(home)
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, list(args))

    return invoke


def test_version(run):
    result = run("--version")
    assert result.exit_code == 0 and __version__ in result.output


def test_build_and_stats_json(run, home):
    result = run("build")
    assert result.exit_code == 0, result.output
    assert "curated" in result.stdout and str(home / ".citygraph") in result.stdout
    stats = json.loads(run("stats", "--format", "json").stdout)
    assert stats["classes"]["cg:City"] == 3


def test_build_memory_writes_nothing(run, home):
    assert run("build", "--memory").exit_code == 0
    assert not (home / ".citygraph").exists()


def test_named_query_csv_and_json(run):
    result = run("query", "active-partners", "--format", "csv", "--param", "date=2022-02-28")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["partner"] for r in rows] == [
        "https://w3id.org/citygraph/id/city/st-petersburg", "https://w3id.org/citygraph/id/city/tallinn"]
    assert rows[0]["activeUntil"] == "2022-03-01"
    data = json.loads(run("query", "active-partners", "--format", "json", "-p", "date=2022-03-01").stdout)
    assert data["head"]["vars"] == ["partner", "activeFrom", "activeUntil"]
    [binding] = data["results"]["bindings"]
    assert binding["partner"] == {"type": "uri", "value": "https://w3id.org/citygraph/id/city/tallinn"}
    assert binding["activeFrom"]["datatype"] == "http://www.w3.org/2001/XMLSchema#date"


def test_query_string_file_and_table(run, home):
    result = run("query", "SELECT ?c WHERE { ?c a cg:City } ORDER BY ?c")
    assert result.exit_code == 0, result.output
    assert "city:helsinki" in result.stdout and "3 row(s)" in result.stdout
    (home / "ask.rq").write_text("ASK { city:helsinki cg:partnerOf city:tallinn }\n")
    data = json.loads(run("query", "ask.rq", "--format", "json").stdout)
    assert data == {"head": {}, "boolean": True}


def test_bad_query_exits_2_with_parser_message(run):
    result = run("query", "SELECT ?x WHERE { ?x ?y }")
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith("error: invalid SPARQL: error at 1:")


def test_bad_param_exits_2(run):
    result = run("query", "active-partners", "--param", "day=2020-01-01")
    assert result.exit_code == 2
    assert "no parameter day" in result.stderr and "date (xsd:date" in result.stderr


def test_unknown_query_name_exits_2(run):
    result = run("query", "active-partner")
    assert result.exit_code == 2 and "active-partners" in result.stderr


def test_queries_list(run):
    result = run("queries")
    assert result.exit_code == 0 and "active-partners" in result.stdout


def test_describe_text_and_json(run):
    result = run("describe", "Helsingfors", "--lang", "sv")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Helsingfors  <https://w3id.org/citygraph/id/city/helsinki>")
    assert "2022-03-01" in result.stdout and '"S:t Petersburg är en partner" [sv]' in result.stdout
    data = json.loads(run("describe", "city:tallinn", "--format", "json").stdout)
    assert data["label"] == "Tallinn"


def test_describe_unknown_exits_2(run):
    result = run("describe", "atlantis")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1].startswith("error: no entity named 'atlantis'")


def test_malformed_data_exits_1(run, home):
    shutil.copy(FIXTURES / "malformed.ttl", home / "data" / "bad.ttl")
    result = run("build")
    assert result.exit_code == 1
    assert "error: data/bad.ttl:7:" in result.stderr


def test_fmt_check_and_fix(run, home):
    shutil.copy(FIXTURES / "noncanonical.ttl", home / "data" / "nc.ttl")
    result = run("fmt", "--check")
    assert result.exit_code == 1
    assert "nc.ttl" in result.stderr and "citygraph fmt data/" in result.stderr
    assert run("fmt").exit_code == 0
    assert run("fmt", "--check").exit_code == 0
    assert run("fmt", "data/").stdout.startswith("reformatted 0 file(s)")
