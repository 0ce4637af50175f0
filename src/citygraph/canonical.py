"""Canonical Turtle: rdflib's ``longturtle`` with every project prefix bound.

Curated files are kept in this form so diffs stay small and reviews stay readable; a test
fails on a file that is not canonical and names the command that fixes it.
Comments in a file do not survive canonicalisation (Turtle comments are not data).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.compare import to_canonical_graph

from citygraph.errors import DataFileError
from citygraph.namespaces import PREFIXES

FIX_HINT = "run `citygraph fmt data/` (or `make fmt`) to fix"


def _graph() -> rdflib.Graph:
    graph = rdflib.Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def canonical_text(text: str, path: str = "<string>") -> str:
    """The canonical form of Turtle ``text`` (``path`` only names it in errors)."""
    graph = _graph()
    try:
        graph.parse(data=text, format="turtle")
    except Exception as exc:  # rdflib raises several types; report them the same way
        line = getattr(exc, "lines", None) or getattr(exc, "lineno", None)
        raise DataFileError(path, line if isinstance(line, int) else None, None, f"{exc}") from exc
    # Blank nodes get fresh random ids on every parse and longturtle orders by them, so relabel
    # them from their content first (RDF graph canonicalisation): the same graph, the same text.
    stable = _graph()
    for triple in to_canonical_graph(graph):
        stable.add(triple)
    return stable.serialize(format="longturtle")


def canonical_turtle(path: str | Path) -> str:
    """The canonical form of the Turtle file at ``path``."""
    path = Path(path)
    return canonical_text(path.read_text(encoding="utf-8"), str(path))


_LOCATION = re.compile(r"^Parser error (?:at|between) [^:]*:\s*")


def parse_turtle(path: Path, relpath: str) -> list[ox.Triple]:
    """The triples of the Turtle file at ``path`` (pyoxigraph); a syntax error becomes a
    :class:`DataFileError` naming ``relpath``, the line and the column."""
    try:
        return list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, without_named_graphs=True))
    except SyntaxError as exc:
        message = _LOCATION.sub("", str(exc.msg or exc))
        raise DataFileError(relpath, exc.lineno, exc.offset,
                            f"{message} (fix the Turtle syntax here)") from exc
    except OSError as exc:
        raise DataFileError(relpath, None, None, f"cannot read: {exc}") from exc


def turtle_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand directories to their ``*.ttl`` files (sorted); keep files as given."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(path.glob("*.ttl")))
        elif path.exists():
            found.append(path)
        else:
            raise DataFileError(str(path), None, None, "no such file or directory")
    return found


def format_paths(paths: Iterable[str | Path], check: bool = False) -> list[Path]:
    """Rewrite each Turtle file canonically; return the files that changed.

    With ``check=True`` nothing is written and the files that *would* change are returned.
    """
    changed: list[Path] = []
    for path in turtle_files(paths):
        before = path.read_text(encoding="utf-8")
        after = canonical_text(before, str(path))
        if after != before:
            changed.append(path)
            if not check:
                path.write_text(after, encoding="utf-8")
    return changed
