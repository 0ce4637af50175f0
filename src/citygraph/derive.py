"""The derived graph: SPARQL UPDATE rules (``rules/*.ru``, in name order), then date arithmetic.

Rules read the ontology and curated graphs (``USING``) and insert into the derived graph only.
The dates (``cg:attestedOn``, ``cg:lastAttested``, ``cg:activeFrom``, ``cg:activeUntil``) are
computed in Python by :mod:`citygraph.temporal`, the one definition of "active on date D".
Attestations are blank nodes; Oxigraph keeps blank-node identity inside one store, so derived
triples about them are added to the very nodes the curated graph holds.

Imported layers (``citygraph.layers``) are derived the same way, each on its own: the same rule
files run with the layer's graph in place of the curated one and write into the layer's own
derived graph, and the same date code reads the layer's attestations. So what is derived from a
layer carries that layer's licence and never mixes into the curated derived graph.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path

import pyoxigraph as ox

from citygraph import temporal
from citygraph.errors import DataFileError, StoreError
from citygraph.namespaces import CG, CURATED_GRAPH, DERIVED_GRAPH, PREFIXES, XSD_DATE
from citygraph.store import rule_files

Locate = Callable[[ox.NamedNode | ox.BlankNode], tuple[str, int | None]]

DERIVED = ox.NamedNode(DERIVED_GRAPH)
_XSD_DATE = ox.NamedNode(XSD_DATE)

_ATTESTATIONS = """
SELECT ?subject ?att ?source ?refersTo WHERE {
  GRAPH <%s> {
    ?subject cg:attestation ?att .
    OPTIONAL { ?att cg:source ?source }
    OPTIONAL { ?att cg:refersTo ?refersTo }
  }
}"""

_SOURCE_DATES = """
SELECT DISTINCT ?source ?property ?value WHERE {
  GRAPH <%s> { ?att cg:source ?source }
  VALUES ?property { dcterms:issued cg:issuedNotAfter }
  ?source ?property ?value .
}"""

_RELATIONSHIPS = """
SELECT ?rel ?property ?value WHERE {
  GRAPH <%s> { ?rel a ?class }
  VALUES ?property { cg:startDate cg:startNotAfter cg:endDate cg:endNotAfter cg:status }
  OPTIONAL { ?rel ?property ?value }
}"""

_RELATIONSHIP_CLASSES = "SELECT ?class WHERE { ?class rdfs:subClassOf* cg:Relationship }"


def run_rules(store: ox.Store, source: str = CURATED_GRAPH, target: str = DERIVED_GRAPH) -> list[str]:
    """Execute every rule file in order; returns the names run.

    For a layer, ``source`` replaces the curated graph and ``target`` the derived graph in the
    rules' text, so the same rules derive each layer into its own graph.
    """
    names = []
    for name, content in rule_files():
        text = content.decode("utf-8")
        if (source, target) != (CURATED_GRAPH, DERIVED_GRAPH):
            text = text.replace(f"<{CURATED_GRAPH}>", f"<{source}>").replace(f"<{DERIVED_GRAPH}>", f"<{target}>")
        try:
            store.update(text, prefixes=PREFIXES)
        except SyntaxError as exc:
            raise StoreError(f"derivation rule rules/{name} is not valid SPARQL: {exc}") from exc
        names.append(name)
    return names


def _date_literal(day: date) -> ox.Literal:
    return ox.Literal(day.isoformat(), datatype=_XSD_DATE)


def derive_dates(store: ox.Store, locate: Locate, source: str = CURATED_GRAPH,
                 target: str = DERIVED_GRAPH) -> None:
    """Add cg:attestedOn, cg:lastAttested, cg:activeFrom and cg:activeUntil for the attestations
    and relationships of graph ``source`` (the curated graph, or a layer's) into ``target``."""

    def bad(subject: ox.NamedNode | ox.BlankNode, prop: str, exc: Exception) -> DataFileError:
        path, line = locate(subject)
        return DataFileError(path, line, 1 if line else None, f"{prop} of {_name(subject)}: {exc}")

    target_graph = ox.NamedNode(target)
    source_dates: dict[object, dict[str, list]] = defaultdict(lambda: {"issued": [], "issuedNotAfter": []})
    for row in store.query(_SOURCE_DATES % source, prefixes=PREFIXES, use_default_graph_as_union=True):
        source_dates[row["source"]][row["property"].value[len(CG):] if row["property"].value.startswith(CG)
                                    else "issued"].append(row["value"])
    rows = [(row["subject"], row["att"], row["source"], row["refersTo"])
            for row in store.query(_ATTESTATIONS % source, prefixes=PREFIXES)]

    attested: dict[ox.BlankNode | ox.NamedNode, date] = {}
    for subject, att, src, refers in rows:
        dates = source_dates.get(src) if src is not None else None
        for issued in (dates["issued"] if dates and dates["issued"] else [None]):
            for not_after in (dates["issuedNotAfter"] if dates and dates["issuedNotAfter"] else [None]):
                try:
                    day = temporal.attested_on(issued, not_after, refers)
                except ValueError as exc:
                    raise bad(subject, "a date of an attestation or its source", exc) from exc
                if day is not None and (att not in attested or day < attested[att]):
                    attested[att] = day
    by_subject: dict[object, set[date]] = defaultdict(set)
    for subject, att, _src, _refers in rows:
        if att in attested:
            by_subject[subject].add(attested[att])

    attested_on = ox.NamedNode(CG + "attestedOn")
    quads = [ox.Quad(att, attested_on, _date_literal(day), target_graph) for att, day in attested.items()]

    classes = " ".join(str(row["class"]) for row in store.query(
        _RELATIONSHIP_CLASSES, prefixes=PREFIXES, use_default_graph_as_union=True))
    query = _RELATIONSHIPS % source
    query = query.replace("GRAPH", f"VALUES ?class {{ {classes} }} GRAPH", 1)
    values: dict[object, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for row in store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True):
        entry = values[row["rel"]]
        if row["value"] is not None:
            entry[row["property"].value[len(CG):]].add(row["value"])

    for rel, props in values.items():
        single = {}
        for prop, found in props.items():
            if len(found) > 1:
                raise bad(rel, f"cg:{prop}", ValueError(
                    f"{len(found)} values ({', '.join(sorted(str(v) for v in found))}); keep one"))
            single[prop] = next(iter(found))
        days = sorted(by_subject.get(rel, ()))
        last = days[-1] if days else None
        status = single.get("status")
        try:
            start = temporal.active_from(single.get("startDate"), single.get("startNotAfter"), days)
            end = temporal.active_until(
                single.get("endDate"), single.get("endNotAfter"),
                status.value if status is not None else None, last)
        except ValueError as exc:
            raise bad(rel, "a start or end date", exc) from exc
        for prop, day in (("lastAttested", last), ("activeFrom", start), ("activeUntil", end)):
            if day is not None:
                quads.append(ox.Quad(rel, ox.NamedNode(CG + prop), _date_literal(day), target_graph))
    store.extend(quads)


def _name(term: object) -> str:
    from citygraph.namespaces import compact

    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    return str(term)


def derive(store: ox.Store, locate: Locate,
           layers: Sequence[tuple[str, str]] = ()) -> None:
    """Compute the derived graph into ``store``, then each layer's: ``layers`` are
    ``(layer graph, its derived graph)`` pairs."""
    run_rules(store)
    derive_dates(store, locate)
    for source, target in layers:
        run_rules(store, source, target)
        derive_dates(store, locate, source, target)


def derive_apart(base: Iterable[ox.Quad], nquads: Path, pairs: Sequence[tuple[str, str]],
                 locate: Locate) -> bytes:
    """Derive one imported layer on its own, in memory: ``base`` (the ontology and curated
    quads) plus the layer's N-Quads file, with the same rules and date code as :func:`derive`.
    Returns the derived graphs of ``pairs`` (``(graph, derived graph)``) as N-Quads, to be
    bulk-loaded into the build: writing hundreds of thousands of derived triples through
    SPARQL UPDATE into an on-disk store is several times slower than this."""
    memory = ox.Store()
    memory.extend(base)
    memory.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    for source, target in pairs:
        run_rules(memory, source, target)
        derive_dates(memory, locate, source, target)
    quads = [q for _source, target in pairs
             for q in memory.quads_for_pattern(None, None, None, ox.NamedNode(target))
             if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)]
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
