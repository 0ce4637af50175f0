"""`citygraph build` refuses data with SHACL violations (issue 3), naming file, line and message."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from citygraph.cli import app
from citygraph.config import Settings

BAD = (
    "@prefix cg: <https://w3id.org/citygraph/ontology#> .\n"
    "<https://w3id.org/citygraph/id/partnership/oslo-alone> a cg:Partnership ;\n"
    "  cg:party <https://w3id.org/citygraph/id/city/oslo> .\n"
)


def test_build_refuses_violations_and_names_file_and_line(tmp_path: Path, monkeypatch) -> None:
    data = tmp_path / "data"
    shutil.copytree(Settings.from_env().data_dir, data)
    (data / "zz-bad.ttl").write_text(BAD, encoding="utf-8")
    monkeypatch.setenv("CITYGRAPH_DATA_DIR", str(data))
    monkeypatch.setenv("CITYGRAPH_STORE_DIR", str(tmp_path / "store"))
    runner = CliRunner()

    refused = runner.invoke(app, ["build", "--layers", "curated"])
    assert refused.exit_code == 1
    assert "zz-bad.ttl:2: violation: partnership:oslo-alone: cg:party" in refused.output
    assert "exactly two different parties" in refused.output
    assert not (tmp_path / "store").exists(), "nothing may be written for refused data"

    forced = runner.invoke(app, ["build", "--layers", "curated", "--no-validate", "--memory"])
    assert forced.exit_code == 0, forced.output
