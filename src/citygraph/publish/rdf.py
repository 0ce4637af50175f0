"""RDF plumbing for publication: stable blank-node labels, rdflib conversion, writers.

Blank nodes (the attestations) get labels computed from their content by colour refinement
over the whole published dataset, so the same attestation has the same label in every dump
of a release and, unless its content changed, in the next release: sorted N-Triples then
diff line by line.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence

import pyoxigraph as ox
import rdflib
from rdflib.term import BNode, Literal, URIRef

from citygraph.namespaces import PREFIXES, XSD_STRING

_XSD_STRING = ox.NamedNode(XSD_STRING)


def _sig(term: object, colour: dict) -> str:
    if isinstance(term, ox.BlankNode):
        return "_:" + colour[term]
    return str(term)


def blank_labels(quads: Sequence[ox.Quad], rounds: int = 8) -> dict[ox.BlankNode, str]:
    """Blank node -> label from its content (1-WL colour refinement; ties numbered)."""
    out_edges: dict[ox.BlankNode, list[ox.Quad]] = defaultdict(list)
    in_edges: dict[ox.BlankNode, list[ox.Quad]] = defaultdict(list)
    for q in quads:
        if isinstance(q.subject, ox.BlankNode):
            out_edges[q.subject].append(q)
        if isinstance(q.object, ox.BlankNode):
            in_edges[q.object].append(q)
    nodes = set(out_edges) | set(in_edges)
    if not nodes:
        return {}
    colour = {b: "" for b in nodes}
    distinct = 1
    for _ in range(rounds):
        new = {}
        for b in nodes:
            parts = sorted(f"> {q.predicate} {_sig(q.object, colour)} {q.graph_name}"
                           for q in out_edges[b])
            parts += sorted(f"< {_sig(q.subject, colour)} {q.predicate} {q.graph_name}"
                            for q in in_edges[b])
            new[b] = hashlib.sha256((colour[b] + "\n" + "\n".join(parts)).encode()).hexdigest()
        colour = new
        now = len(set(colour.values()))
        if now == distinct or now == len(nodes):
            break
        distinct = now
    labels: dict[ox.BlankNode, str] = {}
    groups: dict[str, list[ox.BlankNode]] = defaultdict(list)
    for b in nodes:
        groups[colour[b]].append(b)
    for value, members in groups.items():
        # members of a group cannot be told apart by their content; number them
        for i, b in enumerate(sorted(members, key=lambda n: n.value)):
            labels[b] = "b" + value[:16] + (f"x{i}" if len(members) > 1 else "")
    return labels


def relabel(quads: Iterable[ox.Quad], labels: dict[ox.BlankNode, str]) -> list[ox.Quad]:
    """The quads with blank nodes renamed by ``labels``."""
    def term(t):  # type: ignore[no-untyped-def]
        return ox.BlankNode(labels[t]) if isinstance(t, ox.BlankNode) else t
    return [ox.Quad(term(q.subject), q.predicate, term(q.object), q.graph_name) for q in quads]


def sort_key(q: ox.Quad) -> tuple[str, str, str, str]:
    return (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object))


def triples(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    """Quads -> their triples, duplicates removed, sorted."""
    seen = {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
    return sorted(seen, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


# ---------------------------------------------------------------------------- rdflib side
def to_rdflib(term: object) -> rdflib.term.Node:
    """A pyoxigraph term as rdflib would parse it (plain literals carry no datatype)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"not an RDF term: {term!r}")


def to_rdflib_graph(triples_: Iterable[ox.Triple | ox.Quad], graph: rdflib.Graph | None = None) -> rdflib.Graph:
    g = graph if graph is not None else rdflib.Graph(bind_namespaces="none")
    for t in triples_:
        g.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return g


def context() -> dict:
    """The published JSON-LD context: the project prefixes, nothing that changes meaning."""
    return {"@context": dict(sorted(PREFIXES.items()))}


def jsonld(triples_: Iterable[ox.Triple | ox.Quad]) -> bytes:
    """Compact JSON-LD with the published context inlined (parses offline, anywhere)."""
    g = to_rdflib_graph(triples_)
    ctx = context()["@context"]
    text = g.serialize(format="json-ld", context=ctx, auto_compact=True, indent=1,
                       sort_keys=True, ensure_ascii=False)
    # rdflib leaves the document without "@graph" when there is a single node; both are fine
    return (json.dumps(json.loads(text), ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()


def turtle(triples_: Sequence[ox.Triple]) -> bytes:
    return ox.serialize(triples_, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)


def ntriples(triples_: Sequence[ox.Triple]) -> bytes:
    """Sorted N-Triples (one triple a line, sorted bytewise): diff-friendly."""
    lines = ox.serialize(triples_, format=ox.RdfFormat.N_TRIPLES).decode().splitlines()
    return ("\n".join(sorted(set(lines))) + "\n").encode() if lines else b""


def nquads(quads: Sequence[ox.Quad]) -> bytes:
    lines = ox.serialize(quads, format=ox.RdfFormat.N_QUADS).decode().splitlines()
    return ("\n".join(sorted(set(lines))) + "\n").encode() if lines else b""


def trig(quads: Sequence[ox.Quad]) -> bytes:
    return ox.serialize(sorted(quads, key=sort_key), format=ox.RdfFormat.TRIG, prefixes=PREFIXES)


def rdfxml(triples_: Sequence[ox.Triple]) -> bytes:
    return ox.serialize(triples_, format=ox.RdfFormat.RDF_XML, prefixes=PREFIXES)
