"""Shared fixtures: tiny graphs in temporary homes; the real data/ and .citygraph/ are never touched."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from citygraph.config import Settings
from citygraph.graph import CityGraph

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
BASIC = FIXTURES / "basic"


def make_home(root: Path, data: Path | None = BASIC / "data") -> Path:
    """A citygraph home under ``root``: the real ontology, fixture data and queries."""
    (root / "ontology").mkdir(parents=True)
    shutil.copy(REPO / "ontology" / "citygraph.ttl", root / "ontology" / "citygraph.ttl")
    (root / "data").mkdir()
    if data is not None:
        for path in data.glob("*.ttl"):
            shutil.copy(path, root / "data" / path.name)
    shutil.copytree(BASIC / "queries", root / "queries")
    return root


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return make_home(tmp_path / "home")


@pytest.fixture
def settings(home: Path) -> Settings:
    return Settings.for_home(home)


@pytest.fixture(scope="session")
def graph(tmp_path_factory: pytest.TempPathFactory) -> CityGraph:
    """The basic fixture built in memory once for the whole session (read-only use)."""
    home = make_home(tmp_path_factory.mktemp("session") / "home")
    return CityGraph.build(Settings.for_home(home), memory=True, notify=None)
