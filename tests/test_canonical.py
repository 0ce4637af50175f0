from __future__ import annotations

import shutil

import pytest

from citygraph.canonical import canonical_text, canonical_turtle, format_paths
from citygraph.errors import DataFileError

from conftest import BASIC, FIXTURES


def test_fixture_data_is_canonical():
    path = BASIC / "data" / "world.ttl"
    assert canonical_turtle(path) == path.read_text(encoding="utf-8")


def test_canonical_is_idempotent_and_uses_prefixes():
    once = canonical_turtle(FIXTURES / "noncanonical.ttl")
    assert canonical_text(once) == once
    assert "city:oslo\n" in once and "<https://w3id.org/citygraph/id/city/oslo>" not in once.split("\n\n", 1)[1]


def test_format_paths_check_then_fix(tmp_path):
    target = tmp_path / "data"
    target.mkdir()
    shutil.copy(FIXTURES / "noncanonical.ttl", target / "a.ttl")
    shutil.copy(BASIC / "data" / "world.ttl", target / "b.ttl")
    before = (target / "a.ttl").read_text()
    assert format_paths([target], check=True) == [target / "a.ttl"]
    assert (target / "a.ttl").read_text() == before  # --check writes nothing
    assert format_paths([target]) == [target / "a.ttl"]
    assert format_paths([target], check=True) == []


def test_bad_turtle_is_a_data_error(tmp_path):
    with pytest.raises(DataFileError, match="malformed.ttl"):
        canonical_turtle(FIXTURES / "malformed.ttl")


def test_blank_node_order_is_stable_across_parses():
    """Attestations are blank nodes with random ids per parse; the text must not depend on them."""
    text = (BASIC / "data" / "world.ttl").read_text(encoding="utf-8")
    outputs = {canonical_text(text) for _ in range(5)}
    assert len(outputs) == 1
