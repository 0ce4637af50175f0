"""Settings: one frozen object, read once from ``CITYGRAPH_*`` environment variables.

Every path defaults relative to ``HOME``, the repository root. ``HOME`` defaults to the first
directory at or above the working directory that holds ``ontology/citygraph.ttl``, else the
root above the installed package's ``src/``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path

from citygraph.errors import ConfigError

PREFIX = "CITYGRAPH_"
ONTOLOGY_RELPATH = Path("ontology") / "citygraph.ttl"


def _find_home(start: Path) -> Path:
    for candidate in (start, *start.parents):
        if (candidate / ONTOLOGY_RELPATH).is_file():
            return candidate
    # src/citygraph/config.py -> repository root (two levels above the package)
    return Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Settings:
    """Where citygraph reads and writes. Build one with :meth:`from_env` or directly."""

    home: Path
    data_dir: Path
    ontology: Path
    queries_dir: Path
    store_dir: Path
    shared_dir: Path
    seeds_dir: Path

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, cwd: Path | None = None
    ) -> Settings:
        """Read ``CITYGRAPH_HOME``, ``..._DATA_DIR``, ``..._ONTOLOGY``, ``..._QUERIES_DIR``,
        ``..._STORE_DIR``, ``..._SHARED_DIR`` and ``..._SEEDS_DIR``; unset ones get defaults."""
        env = os.environ if environ is None else environ

        def get(key: str, default: Path, must_exist: bool = False) -> Path:
            raw = env.get(PREFIX + key)
            if raw is None:
                return default
            if not raw.strip():
                raise ConfigError(f"{PREFIX}{key} is set but empty; unset it or give a path")
            path = Path(raw).expanduser()
            if not path.is_absolute():
                path = (cwd or Path.cwd()) / path
            if must_exist and not path.exists():
                raise ConfigError(f"{PREFIX}{key}={raw!r} does not exist; fix or unset it")
            return path.resolve()

        home = get("HOME", _find_home((cwd or Path.cwd()).resolve()), must_exist=True)
        shared = get("SHARED_DIR", (home / ".." / "shared").resolve())
        return cls(
            home=home,
            data_dir=get("DATA_DIR", home / "data"),
            ontology=get("ONTOLOGY", home / ONTOLOGY_RELPATH),
            queries_dir=get("QUERIES_DIR", home / "queries"),
            store_dir=get("STORE_DIR", home / ".citygraph"),
            shared_dir=shared,
            seeds_dir=get("SEEDS_DIR", shared / "seeds"),
        )

    @classmethod
    def for_home(cls, home: Path, **overrides: Path) -> Settings:
        """Defaults for a given root (handy in tests); keyword overrides replace single paths."""
        home = Path(home).resolve()
        shared = (home / ".." / "shared").resolve()
        base = cls(
            home=home,
            data_dir=home / "data",
            ontology=home / ONTOLOGY_RELPATH,
            queries_dir=home / "queries",
            store_dir=home / ".citygraph",
            shared_dir=shared,
            seeds_dir=shared / "seeds",
        )
        known = {f.name for f in fields(cls)}
        unknown = set(overrides) - known
        if unknown:
            raise ConfigError(f"unknown setting(s) {sorted(unknown)}; known: {sorted(known)}")
        return replace(base, **{k: Path(v) for k, v in overrides.items()})

    def relative(self, path: Path) -> str:
        """``path`` relative to HOME when inside it (for messages), else absolute."""
        try:
            return str(Path(path).resolve().relative_to(self.home))
        except ValueError:
            return str(path)


_SETTINGS: Settings | None = None


def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    global _SETTINGS
    if _SETTINGS is None:
        _SETTINGS = Settings.from_env()
    return _SETTINGS
