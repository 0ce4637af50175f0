"""Where triples live: an Oxigraph store on disk (atomic builds) or in memory.

Layout under ``STORE_DIR``::

    build-<fingerprint>-<random>/   one complete build: oxigraph/ (RocksDB) + manifest.json
    current -> build-...            symlink, switched with os.replace() once a build is complete

A build never touches the directory ``current`` points to, so a failed build leaves the old
store answering. Readers open ``current`` with ``Store.read_only``: RocksDB allows one
read-write opener per directory but any number of read-only ones, and a finished build is
never written again, which is what makes read-only opening safe (pyoxigraph documents it
as undefined only while another process writes).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pyoxigraph as ox

from citygraph import __version__
from citygraph.config import Settings
from citygraph.errors import StoreError

CURRENT = "current"
MANIFEST = "manifest.json"
OXIGRAPH_DIR = "oxigraph"
BUILD_PREFIX = "build-"
ANALYSIS_DIR = "analysis"
REMOTE_MANIFEST = "remote-manifest.json"  # the last build uploaded to a remote SPARQL store
STALE_SECONDS = 3600  # unfinished builds older than this are debris from a crash

#: library modules whose code changes what a build derives
_DERIVING_MODULES = ("derive.py", "temporal.py", "namespaces.py")


def data_files(settings: Settings) -> list[Path]:
    """The curated Turtle files, sorted by name (``data/*.ttl``)."""
    if not settings.data_dir.is_dir():
        return []
    return sorted(p for p in settings.data_dir.glob("*.ttl") if p.is_file())


def analysis_files(settings: Settings) -> list[Path]:
    """Saved analysis results (``STORE_DIR/analysis/*.ttl``), loaded by the next build into the
    analysis graph. They live beside the builds, not in one: a build is never written again."""
    folder = settings.store_dir / ANALYSIS_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.ttl") if p.is_file())


def rule_files() -> list[tuple[str, bytes]]:
    """The derivation rules (``citygraph/rules/*.ru``) as ``(name, bytes)``, in order."""
    folder = resources.files("citygraph") / "rules"
    return sorted(
        (entry.name, entry.read_bytes()) for entry in folder.iterdir() if entry.name.endswith(".ru")
    )


def layer_files(settings: Settings, names: Sequence[str]) -> list[tuple[str, Path, dict]]:
    """``(name, layer.nq, metadata)`` of imported layers (``citygraph import``), in order."""
    from citygraph.layers.base import NQUADS, layer_path, read_meta

    found = []
    for name in names:
        path = layer_path(settings, name)
        if path is None:
            raise StoreError(f"layer {name!r} is not imported; run `citygraph import {name}` "
                             "(or build without it: `citygraph build --layers curated`)")
        found.append((name, path / NQUADS, read_meta(path)))
    return found


def fingerprint(settings: Settings, layers: Sequence[str] = ()) -> str:
    """sha256 over the ontology, every data file (name and bytes), the rules and the version,
    and the imported ``layers`` of the build (their recorded digest, size and time)."""
    digest = hashlib.sha256()

    def add(name: str, content: bytes) -> None:
        digest.update(name.encode() + b"\0" + str(len(content)).encode() + b"\0" + content)

    if not settings.ontology.is_file():
        raise StoreError(
            f"ontology {settings.ontology} not found; set CITYGRAPH_HOME or CITYGRAPH_ONTOLOGY"
        )
    add("ontology", settings.ontology.read_bytes())
    for path in data_files(settings):
        add("data/" + path.name, path.read_bytes())
    for path in analysis_files(settings):
        add("analysis/" + path.name, path.read_bytes())
    for name, content in rule_files():
        add("rules/" + name, content)
    package = resources.files("citygraph")
    for module in _DERIVING_MODULES:
        add("code/" + module, (package / module).read_bytes())
    add("version", __version__.encode())
    for name, path, meta in layer_files(settings, layers):
        stat = path.stat()
        add("layer/" + name, f"{meta.get('nquads_sha256')} {stat.st_size} {stat.st_mtime_ns}".encode())
    return digest.hexdigest()


@dataclass
class BuildDir:
    """A build in progress: its directory and the read-write store inside it."""

    path: Path
    store: ox.Store


def memory_store() -> ox.Store:
    """A fresh in-memory store (tests, ``--memory``)."""
    return ox.Store()


def new_build(settings: Settings, fp: str) -> BuildDir:
    """Create ``STORE_DIR/build-<fingerprint>-<random>`` with an empty read-write store."""
    try:
        settings.store_dir.mkdir(parents=True, exist_ok=True)
        path = settings.store_dir / f"{BUILD_PREFIX}{fp[:16]}-{secrets.token_hex(4)}"
        path.mkdir()
        return BuildDir(path, ox.Store(str(path / OXIGRAPH_DIR)))
    except OSError as exc:
        raise StoreError(f"cannot create a store under {settings.store_dir}: {exc}; "
                         "check CITYGRAPH_STORE_DIR is writable") from exc


def discard(build: BuildDir) -> None:
    """Delete a failed build; ``current`` is left as it was."""
    del build.store
    shutil.rmtree(build.path, ignore_errors=True)


def publish(settings: Settings, build: BuildDir, manifest: dict) -> Path:
    """Write the manifest, close the store, switch ``current`` to it, delete older builds."""
    build.store.flush()
    (build.path / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    del build.store  # closes RocksDB so readers may open it
    link = settings.store_dir / CURRENT
    tmp = settings.store_dir / f".{CURRENT}-{secrets.token_hex(4)}"
    os.symlink(build.path.name, tmp)
    os.replace(tmp, link)
    _remove_old_builds(settings, keep=build.path)
    return build.path


def _remove_old_builds(settings: Settings, keep: Path) -> None:
    now = time.time()
    for entry in settings.store_dir.glob(BUILD_PREFIX + "*"):
        if entry == keep or not entry.is_dir():
            continue
        finished = (entry / MANIFEST).exists()
        stale = now - entry.stat().st_mtime > STALE_SECONDS
        if finished or stale:  # an unfinished, recent one may be another process's build
            shutil.rmtree(entry, ignore_errors=True)


def current_build(settings: Settings) -> Path | None:
    """The directory ``current`` points to, or None when there is no complete build."""
    link = settings.store_dir / CURRENT
    if not link.is_symlink() and not link.exists():
        return None
    target = link.resolve()
    if not (target / MANIFEST).is_file() or not (target / OXIGRAPH_DIR).is_dir():
        return None
    return target


def read_manifest(build_path: Path) -> dict:
    """The manifest of a complete build."""
    try:
        return json.loads((build_path / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise StoreError(f"{build_path / MANIFEST} is unreadable ({exc}); run `citygraph build`") from exc


def _remote_manifest_path(settings: Settings) -> Path:
    return settings.store_dir / REMOTE_MANIFEST


def read_remote_manifest(settings: Settings, store: str) -> dict | None:
    """The manifest of the last build uploaded to the remote ``store``, or None (none, or one
    for another server)."""
    try:
        manifest = json.loads(_remote_manifest_path(settings).read_text())
    except (OSError, ValueError):
        return None
    return manifest if manifest.get("store") == store else None


def write_remote_manifest(settings: Settings, manifest: dict) -> None:
    """Record a build uploaded to a remote store (``STORE_DIR/remote-manifest.json``)."""
    try:
        settings.store_dir.mkdir(parents=True, exist_ok=True)
        tmp = settings.store_dir / f".{REMOTE_MANIFEST}-{secrets.token_hex(4)}"
        tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        os.replace(tmp, _remote_manifest_path(settings))
    except OSError as exc:
        raise StoreError(f"cannot write {_remote_manifest_path(settings)}: {exc}") from exc


def open_read_only(build_path: Path) -> ox.Store:
    """Open a finished build for reading; many processes may do this at once."""
    try:
        return ox.Store.read_only(str(build_path / OXIGRAPH_DIR))
    except OSError as exc:
        raise StoreError(f"cannot open the store at {build_path}: {exc}; run `citygraph build`") from exc
