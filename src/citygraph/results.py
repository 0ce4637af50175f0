"""Query results: one small object for SELECT, ASK and CONSTRUCT/DESCRIBE, and its formats."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Literal as Kind

import pyoxigraph as ox

from citygraph.namespaces import XSD_STRING, compact

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass
class QueryResult:
    """``kind`` is select, ask or graph; the other fields hold what that kind returns."""

    kind: Kind["select", "ask", "graph"]
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)

    @classmethod
    def from_pyoxigraph(cls, result: object) -> QueryResult:
        if isinstance(result, ox.QueryBoolean):
            return cls("ask", boolean=bool(result))
        if isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            rows = [tuple(solution) for solution in result]  # values in the order of the variables
            return cls("select", variables=variables, rows=rows)
        return cls("graph", variables=["subject", "predicate", "object"], triples=list(result))

    def table(self) -> tuple[list[str], list[tuple[Term | None, ...]]]:
        """Header and rows for any kind (ASK -> one column, graph -> subject/predicate/object)."""
        if self.kind == "ask":
            return ["boolean"], [(ox.Literal("true" if self.boolean else "false"),)]
        if self.kind == "graph":
            return self.variables, [(t.subject, t.predicate, t.object) for t in self.triples]
        return self.variables, self.rows

    def to_json(self) -> dict:
        """SPARQL 1.1 Query Results JSON (graph results use subject/predicate/object rows)."""
        if self.kind == "ask":
            return {"head": {}, "boolean": bool(self.boolean)}
        header, rows = self.table()
        bindings = [
            {name: json_term(term) for name, term in zip(header, row) if term is not None}
            for row in rows
        ]
        return {"head": {"vars": header}, "results": {"bindings": bindings}}

    def to_csv(self) -> str:
        """SPARQL 1.1 Query Results CSV: IRIs and lexical forms, blank nodes as ``_:id``."""
        header, rows = self.table()
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if t is None else csv_term(t) for t in row])
        return out.getvalue()


def json_term(term: Term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": {
        "subject": json_term(term.subject),
        "predicate": json_term(term.predicate),
        "object": json_term(term.object),
    }}


def csv_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term)


def display_term(term: Term | None) -> str:
    """Readable text: IRIs compacted with the project prefixes, literals as their value."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value[:8]}"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"{term.value} @{term.language}"
        return term.value
    return str(term)
