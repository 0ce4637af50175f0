"""Result formats of the SPARQL endpoint: content negotiation and serialisers.

SELECT and ASK results: SPARQL 1.1 Query Results JSON, XML, CSV and TSV (written here, so that a
truncated list of rows can be written). CONSTRUCT and DESCRIBE results: Turtle, N-Triples,
JSON-LD and RDF/XML, serialised by pyoxigraph with the project prefixes.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from citygraph.namespaces import PREFIXES
from citygraph.results import QueryResult, csv_term, json_term


@dataclass(frozen=True)
class Format:
    key: str  # short name for ?format=
    media_type: str  # what the response says
    kinds: frozenset[str]  # result kinds it can carry: select/ask or graph
    aliases: tuple[str, ...] = ()  # other media types a client may ask for

    @property
    def content_type(self) -> str:
        return self.media_type + ("; charset=utf-8" if self.media_type.startswith("text/") else "")


_TABLE = frozenset({"select", "ask"})
_GRAPH = frozenset({"graph"})

#: in order of preference when a client accepts several equally
FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", _TABLE, ("application/json",)),
    Format("xml", "application/sparql-results+xml", _TABLE, ("application/xml", "text/xml")),
    Format("csv", "text/csv", _TABLE),
    Format("tsv", "text/tab-separated-values", _TABLE),
    Format("turtle", "text/turtle", _GRAPH, ("application/x-turtle", "application/turtle")),
    Format("ntriples", "application/n-triples", _GRAPH, ("text/plain",)),
    Format("jsonld", "application/ld+json", _GRAPH, ("application/json",)),
    Format("rdfxml", "application/rdf+xml", _GRAPH, ("application/xml", "text/xml")),
)
_KEYS = {f.key: f for f in FORMATS} | {"ttl": FORMATS[4], "nt": FORMATS[5], "json-ld": FORMATS[6],
                                       "rdf": FORMATS[7], "srj": FORMATS[0], "srx": FORMATS[1]}
RDF_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
               "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML}


class NotAcceptable(Exception):
    """No format the client accepts can carry this kind of result."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.offered = [f.media_type for f in FORMATS if kind in f.kinds]
        super().__init__(
            f"none of the accepted media types can carry a {'graph' if kind == 'graph' else kind.upper()} "
            f"result; available: {', '.join(self.offered)}")


@dataclass(frozen=True)
class Range:
    type: str
    subtype: str
    q: float
    position: int


def parse_accept(header: str | None) -> list[Range]:
    """``Accept`` -> media ranges with q-values; an absent or empty header means ``*/*``."""
    if not header or not header.strip():
        return [Range("*", "*", 1.0, 0)]
    ranges = []
    for position, item in enumerate(header.split(",")):
        parts = [p.strip() for p in item.split(";")]
        mtype, _, subtype = parts[0].lower().partition("/")
        if not mtype or not subtype:
            continue
        q = 1.0
        for param in parts[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value.strip())))
                except ValueError:
                    q = 0.0
        ranges.append(Range(mtype, subtype, q, position))
    return ranges


def _match(ranges: Sequence[Range], media_type: str) -> tuple[float, int, int] | None:
    """q, specificity and position of the most specific range matching ``media_type``."""
    mtype, _, subtype = media_type.partition("/")
    best = None
    for r in ranges:
        if r.type == mtype and r.subtype == subtype:
            spec = 2
        elif r.type == mtype and r.subtype == "*":
            spec = 1
        elif r.type == "*" and r.subtype == "*":
            spec = 0
        else:
            continue
        if best is None or spec > best[1]:
            best = (r.q, spec, r.position)
    return best


def negotiate(kind: str, ranges: Sequence[Range], override: str | None = None) -> Format:
    """The format for a result of ``kind`` (select, ask, graph); raises :class:`NotAcceptable`.

    ``override`` (``?format=json``, or a media type) wins over ``Accept`` when it fits the kind.
    Among formats the client accepts with the same q-value, the one it named first wins, then
    the order of :data:`FORMATS`.
    """
    candidates = [f for f in FORMATS if kind in f.kinds]
    if override:
        wanted = override.strip().lower()
        for f in candidates:
            if wanted == f.key or _KEYS.get(wanted) is f or wanted in (f.media_type, *f.aliases):
                return f
        raise NotAcceptable(kind)
    best: tuple | None = None
    chosen = None
    for rank, f in enumerate(candidates):
        for media, alias_rank in ((f.media_type, 0), *((a, 1) for a in f.aliases)):
            m = _match(ranges, media)
            if m is None or m[0] <= 0:
                continue
            q, spec, position = m
            # an exact match on the canonical type beats an alias or a wildcard
            score = (q, spec, -alias_rank, -position, -rank)
            if best is None or score > best:
                best, chosen = score, f
    if chosen is None:
        raise NotAcceptable(kind)
    return chosen


def known_override(value: str) -> bool:
    value = value.strip().lower()
    return value in _KEYS or any(value in (f.media_type, *f.aliases) for f in FORMATS)


# ---------------------------------------------------------------------------------- writers
def write(result: QueryResult, fmt: Format, truncated: bool = False) -> bytes:
    """Serialise ``result`` in ``fmt`` (which must carry its kind)."""
    if result.kind == "graph":
        return ox.serialize(result.triples, format=RDF_FORMATS[fmt.key], prefixes=PREFIXES) or b""
    return {"json": _json, "xml": _xml, "csv": _csv, "tsv": _tsv}[fmt.key](result, truncated)


def _json(result: QueryResult, truncated: bool) -> bytes:
    if result.kind == "ask":
        return json.dumps({"head": {}, "boolean": bool(result.boolean)}).encode()
    doc: dict = {"head": {"vars": result.variables}, "results": {"bindings": [
        {name: json_term(term) for name, term in zip(result.variables, row) if term is not None}
        for row in result.rows]}}
    if truncated:
        # not in the SPARQL JSON spec: clients ignore unknown keys (README "row cap")
        doc["citygraph"] = {"truncated": True, "max_rows": len(result.rows)}
    return json.dumps(doc, ensure_ascii=False).encode()


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(value: str) -> str:
    return escape(_XML_BAD.sub("\ufffd", value))


def _xml_term(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{_xml_text(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{_xml_text(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{_xml_text(term.value)}</literal>"
        if term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            return f"<literal datatype={quoteattr(term.datatype.value)}>{_xml_text(term.value)}</literal>"
        return f"<literal>{_xml_text(term.value)}</literal>"
    assert isinstance(term, ox.Triple)
    return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>"
            f"{_xml_term(term.predicate)}</predicate><object>{_xml_term(term.object)}</object></triple>")


def _xml(result: QueryResult, truncated: bool) -> bytes:
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>']
    if truncated:
        out.append(f'<link href="urn:citygraph:truncated:max-rows={len(result.rows)}"/>')
    if result.kind == "ask":
        out.append(f"</head>\n<boolean>{'true' if result.boolean else 'false'}</boolean>\n</sparql>\n")
        return "".join(out).encode()
    out.extend(f"<variable name={quoteattr(v)}/>" for v in result.variables)
    out.append("</head>\n<results>\n")
    for row in result.rows:
        out.append("<result>")
        out.extend(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                   for v, t in zip(result.variables, row) if t is not None)
        out.append("</result>\n")
    out.append("</results>\n</sparql>\n")
    return "".join(out).encode()


def _csv(result: QueryResult, truncated: bool) -> bytes:
    header, rows = result.table()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if t is None else csv_term(t) for t in row])
    return buffer.getvalue().encode()


def _tsv(result: QueryResult, truncated: bool) -> bytes:
    if result.kind == "ask":
        return f"?boolean\n{'true' if result.boolean else 'false'}\n".encode()
    lines = ["\t".join("?" + v for v in result.variables)]
    for row in result.rows:
        lines.append("\t".join("" if t is None else str(t) for t in row))
    return ("\n".join(lines) + "\n").encode()
