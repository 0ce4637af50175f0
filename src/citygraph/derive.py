"""The derived graph: SPARQL UPDATE rules (``rules/*.ru``, in name order), then date arithmetic.

Rules read the ontology and curated graphs (``USING``) and insert into the derived graph only.
The dates (``cg:attestedOn``, ``cg:lastAttested``, ``cg:activeFrom``, ``cg:activeUntil``) follow
:mod:`citygraph.temporal`, the one definition of "active on date D": SPARQL UPDATE does the
joins, minima and maxima inside the store, and Python only the calendar (the last day of each
distinct date literal, once). Attestations are blank nodes; Oxigraph keeps blank-node identity
inside one store, so derived triples about them are added to the very nodes the curated graph
holds (a build derives in memory and copies the store to disk with ``bulk_extend``, which keeps
blank nodes as they are).

Imported layers (``citygraph.layers``) are derived the same way, each on its own: the same rule
files run with the layer's graph in place of the curated one and write into the layer's own
derived graph, and the same date code reads the layer's attestations. So what is derived from a
layer carries that layer's licence and never mixes into the curated derived graph.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path

import pyoxigraph as ox

from citygraph import temporal
from citygraph.errors import DataFileError, StoreError
from citygraph.namespaces import CG, CURATED_GRAPH, DERIVED_GRAPH, PREFIXES
from citygraph.store import rule_files

Locate = Callable[[ox.NamedNode | ox.BlankNode], tuple[str, int | None]]

DERIVED = ox.NamedNode(DERIVED_GRAPH)

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


# The date rule in SPARQL. What Python adds is only the calendar (temporal.period: the last day
# of an xsd:date, xsd:gYearMonth or xsd:gYear), for the few distinct literals the rule reads,
# handed in as ``VALUES (?value ?last) { ... }`` (joined outside the subquery that finds the
# values: in the same group as the UNION, Oxigraph's plan is a hundred times slower). Patterns outside GRAPH <source> read every
# named graph (``GRAPH ?g``), as the date code always did (a layer's attestations may cite a
# curated source and its dcterms:issued); a build puts nothing in the default graph.
#
# "Effective" values, as in temporal.attested_on/active_from/active_until: a source's
# cg:issuedNotAfter counts only when it has no dcterms:issued, cg:startNotAfter only without
# cg:startDate, cg:endNotAfter only without cg:endDate.
_TEMPORAL_VALUES = """
SELECT DISTINCT ?value WHERE {
  { GRAPH <%(source)s> { ?att cg:source ?source }
    VALUES ?property { dcterms:issued cg:issuedNotAfter }
    GRAPH ?g { ?source ?property ?value } }
  UNION { GRAPH <%(source)s> { ?subject cg:attestation ?att . ?att cg:refersTo ?value } }
  UNION { %(relationships)s
    VALUES ?property { cg:startDate cg:startNotAfter cg:endDate cg:endNotAfter }
    GRAPH ?g { ?rel ?property ?value } }
}"""

_ATTESTATION_VALUE = """
  GRAPH <%(source)s> { ?subject cg:attestation ?att }
  { GRAPH <%(source)s> { ?att cg:source ?source } GRAPH ?g { ?source dcterms:issued ?value } }
  UNION { GRAPH <%(source)s> { ?att cg:source ?source } GRAPH ?g { ?source cg:issuedNotAfter ?value }
          FILTER NOT EXISTS { GRAPH ?h { ?source dcterms:issued ?issued } } }
  UNION { GRAPH <%(source)s> { ?att cg:refersTo ?value } }
"""

_RELATIONSHIP_VALUE = """
  %(relationships)s
  { GRAPH ?g { ?rel cg:startDate ?value } }
  UNION { GRAPH ?g { ?rel cg:startNotAfter ?value } FILTER NOT EXISTS { GRAPH ?h { ?rel cg:startDate ?d } } }
  UNION { GRAPH ?g { ?rel cg:endDate ?value } }
  UNION { GRAPH ?g { ?rel cg:endNotAfter ?value } FILTER NOT EXISTS { GRAPH ?h { ?rel cg:endDate ?d } } }
"""

_SEVERAL_VALUES = """
SELECT ?rel ?property WHERE {
  %(relationships)s
  VALUES ?property { cg:startDate cg:startNotAfter cg:endDate cg:endNotAfter cg:status }
  GRAPH ?g { ?rel ?property ?value }
} GROUP BY ?rel ?property HAVING (COUNT(DISTINCT ?value) > 1) LIMIT 1"""

_ATTESTED_ON = """
INSERT { GRAPH <%(target)s> { ?att cg:attestedOn ?on } }
WHERE {
  SELECT ?att (MIN(?last) AS ?on) WHERE {
    { SELECT ?att ?value WHERE { %(attestation_value)s } }
    VALUES (?value ?last) { %(calendar)s }
  } GROUP BY ?att
}"""

_ACTIVE = """
INSERT { GRAPH <%(target)s> { ?rel cg:lastAttested ?last ; cg:activeFrom ?from ; cg:activeUntil ?until } }
WHERE {
  { SELECT DISTINCT ?rel WHERE { %(relationships)s } }
  OPTIONAL { SELECT ?rel (MIN(?on) AS ?first) (MAX(?on) AS ?last) WHERE {
      GRAPH <%(source)s> { ?rel cg:attestation ?att } GRAPH <%(target)s> { ?att cg:attestedOn ?on }
    } GROUP BY ?rel }
  OPTIONAL { { SELECT ?rel ?v1 WHERE { GRAPH ?g1 { ?rel cg:startDate ?v1 } } }
             VALUES (?v1 ?startLast) { %(calendar)s } }
  OPTIONAL { { SELECT ?rel ?v2 WHERE { GRAPH ?g2 { ?rel cg:startNotAfter ?v2 } } }
             VALUES (?v2 ?startNotAfterLast) { %(calendar)s } }
  OPTIONAL { { SELECT ?rel ?v3 WHERE { GRAPH ?g3 { ?rel cg:endDate ?v3 } } }
             VALUES (?v3 ?endLast) { %(calendar)s } }
  OPTIONAL { { SELECT ?rel ?v4 WHERE { GRAPH ?g4 { ?rel cg:endNotAfter ?v4 } } }
             VALUES (?v4 ?endNotAfterLast) { %(calendar)s } }
  OPTIONAL { GRAPH ?g5 { ?rel cg:status ?status } }
  BIND(COALESCE(?startLast, ?startNotAfterLast, ?first) AS ?from)
  BIND(COALESCE(?endLast, ?endNotAfterLast, IF(STR(?status) = "%(ended)s", ?last, ?none))
       + "P1D"^^xsd:dayTimeDuration AS ?until)
}"""


def _last_days(values: Iterable[object]) -> tuple[dict[object, date], dict[object, ValueError]]:
    """The last day of each temporal literal, and the error of each that is not one."""
    days: dict[object, date] = {}
    errors: dict[object, ValueError] = {}
    for value in values:
        try:
            if not isinstance(value, ox.Literal):
                raise ValueError(f"{value} is not a literal; use xsd:date, xsd:gYearMonth or xsd:gYear")
            days[value] = temporal.period(value)[1]
        except ValueError as exc:
            errors[value] = exc
    return days, errors


def derive_dates(store: ox.Store, locate: Locate, source: str = CURATED_GRAPH,
                 target: str = DERIVED_GRAPH) -> None:
    """Add cg:attestedOn, cg:lastAttested, cg:activeFrom and cg:activeUntil for the attestations
    and relationships of graph ``source`` (the curated graph, or a layer's) into ``target``.

    The meaning is :mod:`citygraph.temporal`'s (``attested_on``, ``active_from``,
    ``active_until``); the work is done by SPARQL inside the store, with Python computing the
    last day of each distinct date literal once."""

    def bad(subject: ox.NamedNode | ox.BlankNode, prop: str, exc: Exception) -> DataFileError:
        path, line = locate(subject)
        return DataFileError(path, line, 1 if line else None, f"{prop} of {_name(subject)}: {exc}")

    def select(text: str) -> list:
        return list(store.query(text, prefixes=PREFIXES))

    classes = " ".join(str(row["class"]) for row in store.query(
        _RELATIONSHIP_CLASSES, prefixes=PREFIXES, use_default_graph_as_union=True))
    parts = {"source": source, "target": target, "ended": temporal.STATUS_ENDED,
             "relationships": f"VALUES ?class {{ {classes} }} GRAPH <{source}> {{ ?rel a ?class }}"}
    parts["attestation_value"] = _ATTESTATION_VALUE % parts
    days, errors = _last_days(row["value"] for row in select(_TEMPORAL_VALUES % parts))
    if errors:
        wrong = " ".join(str(value) for value in errors if not isinstance(value, ox.BlankNode))
        for row in select(f"SELECT ?subject ?value WHERE {{ {{ SELECT ?subject ?value WHERE {{ "
                          f"{parts['attestation_value']} }} }} VALUES ?value {{ {wrong} }} }} LIMIT 1"):
            raise bad(row["subject"], "a date of an attestation or its source", errors[row["value"]])
    for row in select(_SEVERAL_VALUES % parts):
        rel, prop = row["rel"], row["property"]
        found = {r["value"] for r in store.query(
            "SELECT DISTINCT ?rel ?property ?value WHERE { GRAPH ?g { ?rel ?property ?value } }", prefixes=PREFIXES,
            substitutions={ox.Variable("rel"): rel, ox.Variable("property"): prop})}
        raise bad(rel, f"cg:{prop.value[len(CG):]}", ValueError(
            f"{len(found)} values ({', '.join(sorted(str(v) for v in found))}); keep one"))
    if errors:
        for row in select(f"SELECT ?rel ?value WHERE {{ {{ SELECT ?rel ?value WHERE {{ "
                          f"{_RELATIONSHIP_VALUE % parts} }} }} VALUES ?value {{ {wrong} }} }} LIMIT 1"):
            raise bad(row["rel"], "a start or end date", errors[row["value"]])
    parts["calendar"] = " ".join(f'({value} "{day.isoformat()}"^^xsd:date)' for value, day in days.items())
    store.update(_ATTESTED_ON % parts, prefixes=PREFIXES)
    store.update(_ACTIVE % parts, prefixes=PREFIXES)


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
