from __future__ import annotations

import pytest

from citygraph.config import Settings
from citygraph.errors import ConfigError


def test_defaults_from_home(home):
    settings = Settings.from_env({"CITYGRAPH_HOME": str(home)})
    assert settings.data_dir == home / "data"
    assert settings.store_dir == home / ".citygraph"
    assert settings.seeds_dir == home.parent / "shared" / "seeds"


def test_home_found_by_walking_up(home):
    nested = home / "data" / "deeper"
    nested.mkdir()
    assert Settings.from_env({}, cwd=nested).home == home


def test_overrides_and_errors(home, tmp_path):
    settings = Settings.from_env({"CITYGRAPH_HOME": str(home), "CITYGRAPH_STORE_DIR": str(tmp_path / "s")})
    assert settings.store_dir == tmp_path / "s"
    with pytest.raises(ConfigError, match="CITYGRAPH_HOME"):
        Settings.from_env({"CITYGRAPH_HOME": str(tmp_path / "missing")})
    with pytest.raises(ConfigError, match="CITYGRAPH_DATA_DIR"):
        Settings.from_env({"CITYGRAPH_HOME": str(home), "CITYGRAPH_DATA_DIR": " "})
