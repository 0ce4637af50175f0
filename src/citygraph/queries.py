"""Named queries: ``queries/*.rq`` files with a ``#`` comment header.

Header lines at the top of the file::

    # title: Active partners on a date
    # description: Cities Helsinki was in a partnership with on ?date,
    # description: using the one definition of "active" (cg:activeFrom/cg:activeUntil).
    # param: date xsd:date 2024-06-01

``param`` is ``NAME TYPE [DEFAULT]`` with TYPE one of xsd:date, xsd:integer, xsd:string, iri.
A parameter is substituted for the query variable of the same name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyoxigraph as ox

from citygraph.errors import CityGraphError, NotFoundError, QueryError
from citygraph.namespaces import PREFIXES, XSD_DATE, XSD_INTEGER, expand

PARAM_TYPES = ("xsd:date", "xsd:integer", "xsd:string", "iri")
_HEADER = re.compile(r"^#\s*(title|description|param)\s*:\s*(.*?)\s*$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Param:
    """One declared parameter of a named query."""

    name: str
    type: str
    default: str | None = None

    def __str__(self) -> str:
        return f"{self.name} ({self.type}" + (f", default {self.default})" if self.default else ")")


@dataclass
class NamedQuery:
    """A query file with its title, description and parameters."""

    name: str
    path: Path
    sparql: str
    title: str = ""
    description: str = ""
    params: list[Param] = field(default_factory=list)

    def bind(
        self,
        values: Mapping[str, str] | None = None,
        resolve: Callable[[str], str] | None = None,
    ) -> dict[str, ox.NamedNode | ox.Literal]:
        """CLI strings -> typed terms, defaults filled in.

        ``resolve`` turns a name into an IRI for ``iri`` params (e.g. ``CityGraph.resolve``).
        """
        values = dict(values or {})
        known = {p.name: p for p in self.params}
        unknown = sorted(set(values) - set(known))
        if unknown:
            have = ", ".join(str(p) for p in self.params) or "none"
            raise QueryError(
                f"query {self.name!r} has no parameter {', '.join(unknown)}; its parameters: {have}"
            )
        bound: dict[str, ox.NamedNode | ox.Literal] = {}
        for param in self.params:
            raw = values.get(param.name, param.default)
            if raw is None:
                raise QueryError(
                    f"query {self.name!r} needs --param {param.name}=… ({param.type})"
                )
            bound[param.name] = typed_term(param, raw, resolve)
        return bound


def typed_term(
    param: Param, raw: str, resolve: Callable[[str], str] | None = None
) -> ox.NamedNode | ox.Literal:
    """Convert one parameter value, with an error naming the parameter and the expected form."""
    where = f"parameter {param.name!r}"
    if param.type == "xsd:date":
        try:
            return ox.Literal(date.fromisoformat(raw).isoformat(), datatype=ox.NamedNode(XSD_DATE))
        except ValueError:
            raise QueryError(f"{where}: {raw!r} is not a date; use YYYY-MM-DD") from None
    if param.type == "xsd:integer":
        try:
            return ox.Literal(str(int(raw)), datatype=ox.NamedNode(XSD_INTEGER))
        except ValueError:
            raise QueryError(f"{where}: {raw!r} is not an integer") from None
    if param.type == "xsd:string":
        return ox.Literal(raw)
    # iri
    if raw.startswith("<") and raw.endswith(">"):
        raw = raw[1:-1]
    if re.match(r"^[a-z][a-z0-9+.-]*://", raw):
        return ox.NamedNode(raw)
    expanded = expand(raw)
    if expanded is not None:
        return ox.NamedNode(expanded)
    if resolve is not None:
        try:
            return ox.NamedNode(resolve(raw))
        except CityGraphError as exc:
            raise QueryError(f"{where}: {exc}") from None
    raise QueryError(f"{where}: {raw!r} is not an IRI; give <https://…> or a prefixed name like city:helsinki")


def parse_header(text: str, name: str = "<query>") -> tuple[str, str, list[Param]]:
    """Title, description and params from the leading ``#`` lines."""
    title, description, params = "", [], []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        match = _HEADER.match(stripped)
        if match is None:
            if description and stripped.lstrip("#").strip():
                description.append(stripped.lstrip("#").strip())  # continuation line
            continue
        key, value = match.groups()
        if key == "title":
            title = value
        elif key == "description":
            description.append(value)
        else:
            parts = value.split(None, 2)
            if len(parts) < 2:
                raise QueryError(f"{name}: '# param: {value}' needs NAME TYPE [DEFAULT]")
            pname, ptype = parts[0].lstrip("?$"), parts[1]
            if not _NAME.match(pname):
                raise QueryError(f"{name}: parameter name {pname!r} is not a SPARQL variable name")
            if ptype not in PARAM_TYPES:
                raise QueryError(f"{name}: parameter {pname!r} has type {ptype!r}; use one of {', '.join(PARAM_TYPES)}")
            default = parts[2] if len(parts) > 2 else None
            param = Param(pname, ptype, default)
            if default is not None:
                typed_term(param, default)  # a bad default is the file's fault: say so now
            params.append(param)
    return title, " ".join(description), params


def load_query(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    title, description, params = parse_header(text, path.name)
    return NamedQuery(path.stem, path, text, title or path.stem, description, params)


def load_queries(directory: Path) -> dict[str, NamedQuery]:
    """Every ``*.rq`` in ``directory`` by name (file stem), sorted."""
    if not Path(directory).is_dir():
        return {}
    return {p.stem: load_query(p) for p in sorted(Path(directory).glob("*.rq"))}


def find_query(directory: Path, name: str) -> NamedQuery:
    queries = load_queries(directory)
    if name in queries:
        return queries[name]
    import difflib

    raise NotFoundError(f"no named query {name!r} in {directory}",
                        difflib.get_close_matches(name, list(queries), n=3))


def term_from_string(raw: str) -> ox.NamedNode | ox.Literal:
    """Best guess for an undeclared parameter: IRI, prefixed name, date, integer, else string."""
    if raw.startswith("<") and raw.endswith(">"):
        return ox.NamedNode(raw[1:-1])
    if re.match(r"^https?://", raw):
        return ox.NamedNode(raw)
    if re.match(r"^\d{4}-\d{2}-\d{2}$", raw):
        return typed_term(Param("value", "xsd:date"), raw)
    if re.match(r"^-?\d+$", raw):
        return ox.Literal(raw, datatype=ox.NamedNode(XSD_INTEGER))
    expanded = expand(raw)
    if expanded is not None:
        return ox.NamedNode(expanded)
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        raw = raw[1:-1]
    return ox.Literal(raw)


__all__ = [
    "PARAM_TYPES", "PREFIXES", "NamedQuery", "Param", "find_query", "load_queries",
    "load_query", "parse_header", "term_from_string", "typed_term",
]
