"""Settings: one frozen object, read once from ``CITYGRAPH_*`` environment variables.

Every path defaults relative to ``HOME``, the repository root. ``HOME`` defaults to the first
directory at or above the working directory that holds ``ontology/citygraph.ttl``, else the
root above the installed package's ``src/``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
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
    # The release the server serves at /catalog, /.well-known/void, /dataset/ (README "Publishing
    # open data"): ``citygraph publish`` writes it; CITYGRAPH_PUBLICATION_DIR, default STORE_DIR/publication
    publication_dir: Path | None = None
    # HTTP server (``citygraph serve``); README "HTTP: the SPARQL endpoint" documents each one.
    host: str = "127.0.0.1"
    port: int = 8000
    sparql_timeout: float = 30.0  # seconds; a query running longer is killed (503)
    sparql_max_rows: int = 10_000  # result rows (or triples) returned at most; more -> truncated
    sparql_workers: int = 2  # query worker processes
    # workers copy the build into memory after opening it on disk (faster scans; memory x
    # workers): True, False, or None = auto (by the build's size; CITYGRAPH_SPARQL_MEMORY=auto)
    sparql_memory: bool | None = None
    max_request_bytes: int = 100_000  # request body / query string cap (413)
    sparql_update: bool = False  # enable POST /sparql/update (also needs admin_token)
    admin_token: str = field(default="", repr=False)  # bearer token for /admin/* and updates
    access_log: bool = True  # one JSON line per request on stderr
    # Where triples live (README "Remote SPARQL store"): embedded, or sparql+http(s)://…/query
    store: str = "embedded"
    store_update: str = ""  # SPARQL Update URL (default: …/query -> …/update)
    store_gsp: str = ""  # Graph Store Protocol URL for uploads (default: SPARQL INSERT DATA)
    store_token: str = field(default="", repr=False)  # bearer token for the remote store
    store_user: str = field(default="", repr=False)  # basic auth for the remote store
    store_password: str = field(default="", repr=False)

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, cwd: Path | None = None
    ) -> Settings:
        """Read ``CITYGRAPH_HOME``, ``..._DATA_DIR``, ``..._ONTOLOGY``, ``..._QUERIES_DIR``,
        ``..._STORE_DIR``, ``..._SHARED_DIR``, ``..._SEEDS_DIR``, ``..._PUBLICATION_DIR`` and the server settings
        (``CITYGRAPH_PORT``, ``CITYGRAPH_SPARQL_TIMEOUT``...); unset ones get defaults."""
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
            publication_dir=get("PUBLICATION_DIR", get("STORE_DIR", home / ".citygraph") / "publication"),
            **_server_settings(env),
        )

    @classmethod
    def for_home(cls, home: Path, **overrides: object) -> Settings:
        """Defaults for a given root (handy in tests); keyword overrides replace single settings."""
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
        paths = {f.name for f in fields(cls) if f.type in ("Path", Path, "Path | None")}
        return replace(base, **{k: Path(v) if k in paths else v for k, v in overrides.items()})

    @property
    def publication(self) -> Path:
        """The publication directory the server serves (``publication_dir``, else STORE_DIR/publication)."""
        return self.publication_dir if self.publication_dir is not None else self.store_dir / "publication"

    def relative(self, path: Path) -> str:
        """``path`` relative to HOME when inside it (for messages), else absolute."""
        try:
            return str(Path(path).resolve().relative_to(self.home))
        except ValueError:
            return str(path)


_SERVER_FIELDS = {"host": str, "port": int, "sparql_timeout": float, "sparql_max_rows": int,
                  "sparql_workers": int, "sparql_memory": bool, "max_request_bytes": int, "sparql_update": bool,
                  "admin_token": str, "access_log": bool, "store": str, "store_update": str,
                  "store_gsp": str, "store_token": str, "store_user": str, "store_password": str}
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _server_settings(env: Mapping[str, str]) -> dict[str, object]:
    """``CITYGRAPH_PORT``, ``CITYGRAPH_SPARQL_TIMEOUT``... cast to their types; errors name the key."""
    out: dict[str, object] = {}
    for name, kind in _SERVER_FIELDS.items():
        key = PREFIX + name.upper()
        raw = env.get(key)
        if raw is None:
            continue
        value = raw.strip()
        if name == "sparql_memory" and value.lower() == "auto":
            out[name] = None
        elif kind is bool:
            if value.lower() not in _TRUE | _FALSE:
                raise ConfigError(f"{key}={raw!r} is not a boolean; use true or false"
                                  + (" (or auto)" if name == "sparql_memory" else ""))
            out[name] = value.lower() in _TRUE
        elif kind is str:
            out[name] = value
        else:
            noun = "an integer" if kind is int else "a number"
            try:
                number = kind(value)
            except ValueError:
                raise ConfigError(f"{key}={raw!r} is not {noun}") from None
            least = 0 if name == "port" else 1e-9  # port 0: any free port
            if number < least:
                raise ConfigError(f"{key}={raw!r} must be {'>= 0' if name == 'port' else 'positive'}")
            out[name] = number
    return out


_SETTINGS: Settings | None = None


def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    global _SETTINGS
    if _SETTINGS is None:
        _SETTINGS = Settings.from_env()
    return _SETTINGS
