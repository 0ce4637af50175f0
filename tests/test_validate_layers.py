"""`citygraph validate --layers`: the real imported layers against shapes/layers.ttl, and a
broken copy of a real layer, each problem placed at the row of the imported file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from layers_support import imported, make_layered_home

from citygraph.layers.base import layer_path
from citygraph.validate import validate

G = "<https://w3id.org/citygraph/graph/baltic-networks>"
ID = "https://w3id.org/citygraph/id/"
CG = "https://w3id.org/citygraph/ontology#"
CLI = str(Path(sys.executable).parent / "citygraph")


def test_every_real_layer_conforms_to_the_layer_shapes() -> None:
    settings, metas = imported()
    report = validate(settings=settings, layers=["curated", "all"])
    assert report.layers == ["curated", "wikidata-p190", "climactor", "wikipedia-twin-towns",
                             "baltic-networks"]
    assert report.conforms, "\n".join(r.one_line() for r in report.results if r.severity == "violation")
    by_file: dict[str, int] = {}
    for r in report.results:
        by_file[r.file] = by_file.get(r.file, 0) + 1
    # Wikidata's 2016 crawl has neither countries nor coordinates: those cities are worth an Info
    infos = [r for r in report.results if r.file == "layers/wikidata-p190" and r.severity == "info"]
    assert len(infos) > 1000
    assert all(r.shape == "shape:LayerCity" for r in infos)
    # the Baltic Metropoles page is undated: a warning on its dataset, nothing else above Info
    warnings = [r for r in report.results if r.severity == "warning"]
    assert [(r.file, r.entity, r.property) for r in warnings] == [
        ("layers/baltic-networks", ID + "source/baltmet-members-undated", "dcterms:issued")]
    # the curated layer still has no finding at all
    assert not [r for r in report.results if r.file and r.file.startswith("data/")]
    assert metas  # every importer ran


def _broken_home():
    """A home whose baltic-networks layer is a real import with four injected errors."""
    settings, _metas = imported()
    home = make_layered_home()
    source = layer_path(settings, "baltic-networks")
    target = home.store_dir / "layers" / ".baltic-networks-broken"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, target)
    os.symlink(target.name, home.store_dir / "layers" / "baltic-networks")
    nq = target / "layer.nq"
    lines = nq.read_text(encoding="utf-8").splitlines()
    src = f"<{ID}source/ubc-members-2025>"
    tallinn = f"<{ID}membership/baltic-networks-tallinn-ubc>"
    row9 = f"<{ID}membership/baltic-networks-tallinn-ubc#ubc-members-2025-9>"
    kept = [line for line in lines
            if not line.startswith(f"{src} <http://purl.org/dc/terms/license>")   # no licence
            and not line.startswith(f"{row9} <{CG}sourceRecord>")]               # row without words
    kept += [
        f"{tallinn} <http://www.w3.org/ns/org#organization> <{ID}network/baltmet> {G} .",  # two networks
        f"<{ID}city/bn-pl-mielno> <{CG}country> <{ID}country/finland> {G} .",          # two countries
    ]
    nq.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return home


def test_a_broken_layer_is_reported_at_its_rows() -> None:
    home = _broken_home()
    report = validate(settings=home, layers=["baltic-networks"])
    assert not report.conforms
    found = {(r.entity.removeprefix(ID), r.property, r.file, r.line, r.node_line)
             for r in report.results if r.severity == "violation"}
    assert found == {
        ("source/ubc-members-2025", "dcterms:license", "layers/baltic-networks", None, None),
        ("membership/baltic-networks-tallinn-ubc", "org:organization", "layers/baltic-networks", 9, None),
        ("membership/baltic-networks-tallinn-ubc", "cg:sourceRecord", "layers/baltic-networks", 9, 9),
        ("city/bn-pl-mielno", "cg:country", "layers/baltic-networks", None, None),
    }, report.to_text("violation")
    messages = {r.property: r.message for r in report.results if r.severity == "violation"}
    assert "licence" in messages["dcterms:license"]
    assert "exactly one network" in messages["org:organization"]
    assert "country:finland" in messages["cg:country"] and "country:pl" in messages["cg:country"]


def test_validate_cli_with_layers(tmp_path: Path) -> None:
    home = _broken_home()
    env = {**os.environ, "CITYGRAPH_HOME": str(home.home), "CITYGRAPH_STORE_DIR": str(home.store_dir),
           "CITYGRAPH_SHARED_DIR": str(home.shared_dir), "CITYGRAPH_SEEDS_DIR": str(home.seeds_dir)}
    shapes_out = tmp_path / "layer-shapes.ttl"
    run = subprocess.run(
        [CLI, "validate", "--layers", "baltic-networks", "--format",
         "json", "--shapes-out", str(shapes_out)], capture_output=True, text=True, env=env, timeout=600)
    assert run.returncode == 1, run.stderr
    data = json.loads(run.stdout)
    assert data["layers"] == ["baltic-networks"]
    assert data["counts"]["violation"] == 4
    assert {e["file"] for e in data["entities"]} == {"layers/baltic-networks"}
    assert "shape:LayerCity" in shapes_out.read_text(encoding="utf-8").replace(
        "<https://w3id.org/citygraph/shapes#LayerCity>", "shape:LayerCity")
    bad = subprocess.run([CLI, "validate", "--layers", "no-such-layer"],
                         capture_output=True, text=True, env=env, timeout=600)
    assert bad.returncode == 2 and "not imported" in bad.stderr


def _gate_writer(party_twice: bool):
    """A tiny layer written by the importers' own writer: one partnership of Helsinki, whose
    evidence is row 2 of a dataset; ``party_twice`` makes the row name Helsinki twice."""
    from citygraph.layers.base import LayerWriter
    from citygraph.layers.registry import csv_layer

    w = LayerWriter(csv_layer("gate"))
    record = {"path": "gate.csv", "bytes": 10, "rows": 1, "retrieved": "2026-11-22", "sha256": "0" * 64}
    source = w.dataset(f"{ID}source/gate-2026", "Gate test rows (2026)", "2026", "a test file",
                       files=[(None, record)])
    helsinki = w.node(f"{ID}city/helsinki")
    other = helsinki if party_twice else w.node(f"{ID}city/tallinn")
    p = w.partnership(helsinki, other)
    w.add(p, CG + "status", w.node("https://w3id.org/citygraph/vocab/status/active"))
    w.attest(p, source, 2, "Helsinki,Tallinn", described_as="https://w3id.org/citygraph/vocab/partnership-kind/twin")
    w.describe_layer([source])
    return w


def test_import_refuses_a_layer_with_violations_and_keeps_the_old_one() -> None:
    from citygraph.validate import ConsistencyError

    home = make_layered_home()
    good = _gate_writer(party_twice=False).publish(home, {"counts": {"rows": 1}})
    meta = json.loads((good / "meta.json").read_text(encoding="utf-8"))
    assert meta["validation"]["conforms"] is True and meta["validation"]["counts"]["violation"] == 0
    with pytest.raises(ConsistencyError) as caught:
        _gate_writer(party_twice=True).publish(home, {"counts": {"rows": 1}})
    text = str(caught.value)
    assert "shapes/layers.ttl" in text and "--layers csv-gate" in text
    assert "layers/csv-gate:2" in text and "exactly two different parties" in text
    assert layer_path(home, "csv-gate") == good  # the conforming import is still the current one
    assert sorted(p.name for p in (home.store_dir / "layers").iterdir()) == [good.name, "csv-gate"]


def test_validation_api_with_layers_over_http() -> None:
    import requests
    from api_helpers import live_server
    from layers_support import built

    graph = built()  # the curated data with the wikidata-p190 and baltic-networks layers
    with live_server(graph) as base:
        plain = requests.get(f"{base}/api/validation", timeout=600).json()
        layered = requests.get(f"{base}/api/validation", params={"layers": "true", "min_severity": "warning"},
                               timeout=600).json()
    assert plain["layers"] == ["curated"] and plain["counts"]["info"] == 0
    assert layered["layers"] == ["curated", "wikidata-p190", "baltic-networks"]
    assert layered["conforms"] is True and layered["counts"]["violation"] == 0
    assert layered["counts"]["info"] > 1000  # Wikidata's cities without country or coordinates
    assert [(e["file"], e["name"]) for e in layered["entities"]] == [
        ("layers/baltic-networks", "source:baltmet-members-undated")]
