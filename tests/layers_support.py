"""Shared by tests/test_layers*.py: one temporary home with the real curated data and the
real external files, whose layers are imported once per test session (they take ~1 minute)."""

from __future__ import annotations

import atexit
import csv
import shutil
import tempfile
from functools import cache
from pathlib import Path

from citygraph.config import Settings

REPO = Path(__file__).resolve().parents[1]
SHARED = Settings.for_home(REPO).shared_dir
EXTERNAL = SHARED / "external"


def make_layered_home() -> Settings:
    """A fresh home (ontology, real data/ and queries/) with its own empty store."""
    root = Path(tempfile.mkdtemp(prefix="citygraph-layers-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    home = root / "home"
    home.mkdir()
    for folder in ("ontology", "data", "queries", "shapes"):
        if (REPO / folder).is_dir():
            shutil.copytree(REPO / folder, home / folder)
    return Settings.for_home(home, shared_dir=SHARED, seeds_dir=SHARED / "seeds")


@cache
def imported() -> tuple[Settings, dict[str, dict]]:
    """Every external layer imported once into one home: ``(settings, name -> metadata)``."""
    from citygraph.layers.cli import IMPORTERS

    settings = make_layered_home()
    metas = {name: run(settings) for name, run in IMPORTERS.items()}
    return settings, metas


@cache
def built():
    """A memory build of that home with the Wikidata and Baltic layers (the discrepancy tests)."""
    from citygraph.graph import CityGraph

    settings, _metas = imported()
    return CityGraph.build(settings, memory=True, notify=None,
                           layers=["wikidata-p190", "baltic-networks"])


def csv_rows(path: Path, encoding: str = "utf-8") -> list[dict]:
    with path.open(encoding=encoding, newline="") as fh:
        return list(csv.DictReader(fh))


def tsv_pairs(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return [tuple(line.rstrip("\n").split("\t")) for line in fh]  # type: ignore[misc]
