"""The derived graph: SPARQL UPDATE rules (``rules/*.ru``, in name order), then date arithmetic.

Rules read the ontology and curated graphs (``USING``) and insert into the derived graph only.
The dates (``cg:attestedOn``, ``cg:lastAttested``, ``cg:activeFrom``, ``cg:activeUntil``) are
computed in Python by :mod:`citygraph.temporal`, the one definition of "active on date D".
Attestations are blank nodes; Oxigraph keeps blank-node identity inside one store, so derived
triples about them are added to the very nodes the curated graph holds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date

import pyoxigraph as ox

from citygraph import temporal
from citygraph.errors import DataFileError, StoreError
from citygraph.namespaces import CG, CURATED_GRAPH, DERIVED_GRAPH, PREFIXES, XSD_DATE
from citygraph.store import rule_files

Locate = Callable[[ox.NamedNode | ox.BlankNode], tuple[str, int | None]]

DERIVED = ox.NamedNode(DERIVED_GRAPH)
_XSD_DATE = ox.NamedNode(XSD_DATE)

_ATTESTATIONS = f"""
SELECT ?subject ?att ?issued ?issuedNotAfter ?refersTo WHERE {{
  GRAPH <{CURATED_GRAPH}> {{
    ?subject cg:attestation ?att .
    OPTIONAL {{ ?att cg:source ?source .
               OPTIONAL {{ ?source dcterms:issued ?issued }}
               OPTIONAL {{ ?source cg:issuedNotAfter ?issuedNotAfter }} }}
    OPTIONAL {{ ?att cg:refersTo ?refersTo }}
  }}
}}"""

_RELATIONSHIPS = """
SELECT DISTINCT ?rel ?property ?value WHERE {
  ?rel a/rdfs:subClassOf* cg:Relationship .
  VALUES ?property { cg:startDate cg:startNotAfter cg:endDate cg:endNotAfter cg:status }
  OPTIONAL { ?rel ?property ?value }
}"""


def run_rules(store: ox.Store) -> list[str]:
    """Execute every rule file in order; returns the names run."""
    names = []
    for name, content in rule_files():
        try:
            store.update(content.decode("utf-8"), prefixes=PREFIXES)
        except SyntaxError as exc:
            raise StoreError(f"derivation rule rules/{name} is not valid SPARQL: {exc}") from exc
        names.append(name)
    return names


def _date_literal(day: date) -> ox.Literal:
    return ox.Literal(day.isoformat(), datatype=_XSD_DATE)


def derive_dates(store: ox.Store, locate: Locate) -> None:
    """Add cg:attestedOn, cg:lastAttested, cg:activeFrom and cg:activeUntil to the derived graph."""

    def bad(subject: ox.NamedNode | ox.BlankNode, prop: str, exc: Exception) -> DataFileError:
        path, line = locate(subject)
        return DataFileError(path, line, 1 if line else None, f"{prop} of {_name(subject)}: {exc}")

    attested: dict[ox.BlankNode | ox.NamedNode, date] = {}
    by_subject: dict[object, list[date]] = defaultdict(list)
    for row in store.query(_ATTESTATIONS, prefixes=PREFIXES):
        subject, att = row["subject"], row["att"]
        try:
            day = temporal.attested_on(row["issued"], row["issuedNotAfter"], row["refersTo"])
        except ValueError as exc:
            raise bad(subject, "a date of an attestation or its source", exc) from exc
        if day is None:
            continue
        if att not in attested or day < attested[att]:
            attested[att] = day
    for row in store.query(_ATTESTATIONS, prefixes=PREFIXES):
        if row["att"] in attested:
            by_subject[row["subject"]].append(attested[row["att"]])

    quads = [
        ox.Quad(att, ox.NamedNode(CG + "attestedOn"), _date_literal(day), DERIVED)
        for att, day in attested.items()
    ]

    values: dict[object, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for row in store.query(_RELATIONSHIPS, prefixes=PREFIXES, use_default_graph_as_union=True):
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
        days = sorted(set(by_subject.get(rel, [])))
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
                quads.append(ox.Quad(rel, ox.NamedNode(CG + prop), _date_literal(day), DERIVED))
    store.extend(quads)


def _name(term: object) -> str:
    from citygraph.namespaces import compact

    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    return str(term)


def derive(store: ox.Store, locate: Locate) -> None:
    """Compute the whole derived graph into ``store``."""
    run_rules(store)
    derive_dates(store, locate)
