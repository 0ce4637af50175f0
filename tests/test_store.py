"""On-disk builds: atomic switch, fingerprints, read-only reopening, empty data/."""

from __future__ import annotations

import json
import shutil

import pytest

from citygraph import store as stores
from citygraph.config import Settings
from citygraph.errors import DataFileError
from citygraph.graph import CityGraph, source_map

from conftest import FIXTURES, make_home

COUNT_CITIES = "SELECT (COUNT(?c) AS ?n) WHERE { ?c a cg:City }"


def count(graph: CityGraph) -> int:
    return int(graph.query(COUNT_CITIES).rows[0][0].value)


def test_build_publishes_current_with_manifest(settings: Settings):
    graph = CityGraph.build(settings, notify=None)
    current = stores.current_build(settings)
    assert current == graph.location and current.name.startswith("build-")
    assert (settings.store_dir / "current").is_symlink()
    manifest = json.loads((current / "manifest.json").read_text())
    assert manifest["fingerprint"] == stores.fingerprint(settings)
    assert manifest["triples"]["curated"] > 0 and manifest["triples"]["derived"] > 0
    assert manifest["source_map"]["https://w3id.org/citygraph/id/city/helsinki"]["file"] == "data/world.ttl"
    assert count(graph) == 3


def test_rebuild_removes_older_builds(settings: Settings):
    first = CityGraph.build(settings, notify=None).location
    second = CityGraph.build(settings, notify=None).location
    assert first != second and not first.exists() and second.exists()


def test_open_reuses_then_rebuilds_on_change(settings: Settings):
    notes: list[str] = []
    built = CityGraph.build(settings, notify=None)
    opened = CityGraph.open(settings, notify=notes.append)
    assert opened.location == built.location and notes == []
    (settings.data_dir / "extra.ttl").write_text(
        "@prefix cg: <https://w3id.org/citygraph/ontology#> .\n"
        "<https://w3id.org/citygraph/id/city/oslo> a cg:City .\n")
    reopened = CityGraph.open(settings, notify=notes.append)
    assert reopened.location != built.location
    assert any("rebuilding" in n for n in notes)
    assert count(reopened) == 4


def test_open_builds_when_missing(settings: Settings):
    notes: list[str] = []
    graph = CityGraph.open(settings, notify=notes.append)
    assert count(graph) == 3 and any("building" in n for n in notes)


def test_two_readers_at_once(settings: Settings):
    CityGraph.build(settings, notify=None)
    a, b = CityGraph.open(settings, notify=None), CityGraph.open(settings, notify=None)
    assert count(a) == count(b) == 3


def test_blank_nodes_survive_on_disk(settings: Settings):
    CityGraph.build(settings, notify=None)
    graph = CityGraph.open(settings, notify=None)
    rows = graph.query("SELECT ?att ?on WHERE { ?s cg:attestation ?att . ?att cg:attestedOn ?on }").rows
    assert len(rows) == 4


def test_malformed_file_names_file_and_line_and_keeps_old_store(settings: Settings):
    good = CityGraph.build(settings, notify=None)
    shutil.copy(FIXTURES / "malformed.ttl", settings.data_dir / "zz-bad.ttl")
    with pytest.raises(DataFileError) as info:
        CityGraph.build(settings, notify=None)
    err = info.value
    assert err.path == "data/zz-bad.ttl" and err.line == 7
    assert str(err).startswith("data/zz-bad.ttl:7:")
    assert "nope" in str(err)
    # the failed build left nothing behind and `current` still answers
    assert stores.current_build(settings) == good.location
    assert [p.name for p in settings.store_dir.glob("build-*")] == [good.location.name]
    assert count(CityGraph(stores.open_read_only(good.location), settings, {})) == 3


def test_bad_date_is_a_data_error_with_location(settings: Settings):
    (settings.data_dir / "dates.ttl").write_text(
        "@prefix cg: <https://w3id.org/citygraph/ontology#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "\n"
        "<https://w3id.org/citygraph/id/partnership/x> a cg:Partnership ;\n"
        '    cg:startDate "2019-13"^^xsd:gYearMonth .\n')
    with pytest.raises(DataFileError, match=r"^data/dates.ttl:4:1: .*2019-13"):
        CityGraph.build(settings, memory=True, notify=None)


def test_empty_data_dir_builds_from_ontology(tmp_path):
    settings = Settings.for_home(make_home(tmp_path / "empty", data=None))
    notes: list[str] = []
    graph = CityGraph.build(settings, notify=notes.append)
    assert graph.manifest["triples"]["curated"] == 0
    assert graph.manifest["triples"]["ontology"] > 0
    assert any("no *.ttl files" in n for n in notes)


def test_fingerprint_changes_with_data(settings: Settings):
    before = stores.fingerprint(settings)
    (settings.data_dir / "world.ttl").write_text((settings.data_dir / "world.ttl").read_text() + "\n")
    assert stores.fingerprint(settings) != before


def test_source_map_of_canonical_file():
    found = source_map(FIXTURES / "basic" / "data" / "world.ttl", "data/world.ttl")
    lines = (FIXTURES / "basic" / "data" / "world.ttl").read_text().splitlines()
    where = found["https://w3id.org/citygraph/id/city/helsinki"]
    assert lines[where["line"] - 1] == "city:helsinki"
