"""Shared fixtures: tiny graphs in temporary homes; the real data/ and .citygraph/ are never touched."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from citygraph.config import Settings
from citygraph.graph import CityGraph

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
BASIC = FIXTURES / "basic"

# Debian's headless Chromium (``make chromium``), driven by Playwright in the browser tests.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


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


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module (the browser tests: pages, maps, static site)."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: run `make chromium` (apt-get install chromium)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield b
        b.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where screenshots go: the test's temporary directory, or ``$CITYGRAPH_SCREENSHOTS``."""
    where = Path(os.environ.get("CITYGRAPH_SCREENSHOTS") or tmp_path)
    where.mkdir(parents=True, exist_ok=True)
    return where
