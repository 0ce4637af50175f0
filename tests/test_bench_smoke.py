"""The benchmark orchestrator (bench/run.py) in smoke mode: S only, one repetition, the parts
that need no other engine than the bench extra's `oxigraph` CLI. Asserts the structure of what
it writes, never a wall-clock limit."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OXIGRAPH = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")

pytestmark = pytest.mark.skipif(OXIGRAPH is None, reason="the oxigraph CLI (pip install -e '.[bench]')")


def _positive(value: object) -> bool:
    return isinstance(value, int | float) and value > 0


def test_smoke_run_writes_summary_and_figures(tmp_path: Path) -> None:
    out = tmp_path / "results"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--smoke", "--parts", "load,queries,startup",
         "--no-rdflib", "--out", str(out), "--cache", str(tmp_path / "cache")],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]

    summary = (out / "SUMMARY.md").read_text(encoding="utf-8")
    assert "## Targets" in summary and "| target | figure | met | what would be needed |" in summary
    assert "**Machine:**" in summary and "cores" in summary and "Python" in summary
    table = summary.split("## Targets", 1)[1].strip().split("\n\n", 1)[0].splitlines()[2:]
    assert len(table) >= 9
    for line in table:
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert cells[2] in ("met", "**not met**", "not measured"), line

    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["results"]["_crashed"] == {}
    (load,) = run["results"]["load"]["rows"]
    assert load["size"] == "S"
    for key in ("citygraph_s", "oxigraph_s", "citygraph_peak_mb", "oxigraph_peak_mb", "time_ratio",
                "store_quads", "input_quads"):
        assert _positive(load[key]), key
    (queries,) = run["results"]["queries"]["rows"]
    assert len(queries["queries"]) >= 10
    for entry in queries["queries"]:
        for engine in ("citygraph", "pyoxigraph", "pyoxigraph-disk"):
            assert _positive(entry[engine]["median_s"]), (entry["query"], engine)
        assert _positive(entry["ratio_pyoxigraph"])
    (startup,) = run["results"]["startup"]["rows"]
    assert _positive(startup["citygraph_s"]) and _positive(startup["oxigraph_s"])
    for part in ("load", "queries", "startup"):
        assert json.loads((out / f"{part}.json").read_text())["rows"]
