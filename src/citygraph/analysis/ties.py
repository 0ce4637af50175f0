"""From the RDF graph to tables of ties: every relationship as pairs of participants.

Five SPARQL queries read everything the analyses need (relationships with their layer, kind and
derived dates; participants with their role; entity kinds; sources; roles and partnership
kinds); pandas does the rest. :class:`Ties` holds the whole history once, and
:meth:`Ties.snapshot` picks the relationships active on a date (the one definition,
:func:`citygraph.temporal.is_active`) in the chosen layers.

A relationship belongs to the layer (named graph) that states its type. Its derived dates come
from the derived graph whatever layers are chosen. Nothing assumes a role, an attestation or a
source: a relationship without ``cg:activeFrom`` is never active on a date (the sources do not
show it had begun), but it counts when no date is asked for (``as_of=None``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
import io
import re
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date

import pandas as pd
import pyoxigraph as ox

from citygraph import temporal
from citygraph.errors import NotFoundError, QueryError
from citygraph.graph import LANG_FALLBACK
from citygraph.namespaces import CG, GRAPH, ORG, PREFIXES

#: participant properties (local names) of every relationship class
ROLE_PROPERTIES = {
    "member": ORG + "member",
    "organization": ORG + "organization",
    "party": CG + "party",
    "host": CG + "host",
    "hosted": CG + "hosted",
    "operator": CG + "operator",
    "office": CG + "office",
    "owner": CG + "owner",
    "owned": CG + "owned",
}
_ROLE_BY_IRI = {iri: name for name, iri in ROLE_PROPERTIES.items()}

#: which participants an edge joins, per relationship kind; other kinds join every pair
EDGE_ROLES = {
    "membership": ("member", "organization"),
    "partnership": ("party", "party"),
    "agreement": ("party", "party"),
    "hosting": ("host", "hosted"),
    "office-operation": ("operator", "office"),
    "ownership": ("owner", "owned"),
}

#: class local name -> kind of entity, most specific first
ENTITY_KINDS = (
    ("City", "city"),
    ("CityNetwork", "network"),
    ("Office", "office"),
    ("OrganizationalUnit", "unit"),
    ("Country", "country"),
    ("Region", "region"),
    ("Agency", "organisation"),
    ("Company", "organisation"),
    ("University", "organisation"),
    ("RegionalCouncil", "organisation"),
    ("Foundation", "organisation"),
    ("Organization", "organisation"),
)

_RELATIONSHIPS = """
SELECT ?rel ?g ?class ?kind ?from ?until WHERE {
  GRAPH ?g { ?rel a ?class }
  ?class rdfs:subClassOf* cg:Relationship .
  FILTER(?class != cg:Relationship)
  OPTIONAL { ?kind cg:relationshipClass ?class }
  OPTIONAL { ?rel cg:activeFrom ?from }
  OPTIONAL { ?rel cg:activeUntil ?until }
}"""

_PARTICIPANTS = """
SELECT ?rel ?role ?x WHERE {
  VALUES ?role { %s }
  ?rel ?role ?x .
  FILTER(isIRI(?x))
}""" % " ".join(f"<{iri}>" for iri in ROLE_PROPERTIES.values())

_TYPES = """
SELECT DISTINCT ?x ?type WHERE {
  VALUES ?role { %s }
  ?rel ?role ?x .
  ?x a ?type .
  FILTER(STRSTARTS(STR(?type), "%s"))
}""" % (" ".join(f"<{iri}>" for iri in ROLE_PROPERTIES.values()), CG)

_LABELS = """
SELECT DISTINCT ?x ?label (LANG(?label) AS ?lang) ?rank WHERE {
  VALUES ?role { %s }
  ?rel ?role ?x .
  { ?x skos:prefLabel ?label BIND(0 AS ?rank) } UNION { ?x rdfs:label ?label BIND(1 AS ?rank) }
}""" % " ".join(f"<{iri}>" for iri in ROLE_PROPERTIES.values())

_SOURCES = """
SELECT ?rel ?source WHERE { { ?rel prov:wasDerivedFrom ?source } UNION { ?rel cg:attestation/cg:source ?source } }"""

_QUALIFIERS = """
SELECT ?rel ?q WHERE { { ?rel org:role ?q } UNION { ?rel cg:partnershipKind ?q } }"""


def layer_name(graph_iri: str) -> str:
    """``https://w3id.org/citygraph/graph/curated`` -> ``curated`` (other IRIs stay whole)."""
    return graph_iri[len(GRAPH):] if graph_iri.startswith(GRAPH) else graph_iri


def _date(value: str) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def _kind_slug(kind: str, cls: str) -> str:
    if kind:
        return kind.rstrip("/").rsplit("/", 1)[-1]
    local = cls.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    return "".join("-" + c.lower() if c.isupper() else c for c in local).lstrip("-")


def _last_segment(iri: str) -> str:
    return re.split(r"[/#]", iri.rstrip("/"))[-1]


def _frame(graph, sparql: str) -> pd.DataFrame:
    """A SELECT's solutions as strings (IRIs, lexical forms, ``_:b`` blank nodes, ``""`` unbound).

    Read through the SPARQL CSV results format: far faster than one Python object per term.
    """
    try:
        result = graph.store.query(sparql, prefixes=PREFIXES, use_default_graph_as_union=True)
        data = result.serialize(format=ox.QueryResultsFormat.CSV)
    except (SyntaxError, OSError, ValueError, RuntimeError) as exc:
        raise QueryError(f"analysis query failed: {exc}") from exc
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, na_values=[])


def _labels(graph, lang: str) -> dict[str, str]:
    """IRI -> label of every relationship participant: ``skos:prefLabel`` before
    ``rdfs:label``, in ``lang``, else en, fi, sv, else any language (as ``CityGraph.label``)."""
    frame = _frame(graph, _LABELS)
    if frame.empty:
        return {}
    order = {x: i for i, x in enumerate(dict.fromkeys((lang, *LANG_FALLBACK)))}
    frame["rank_lang"] = frame["lang"].map(lambda x: order.get(x, len(order)))
    frame["rank_prop"] = frame["rank"].astype(int)
    frame = frame.sort_values(["x", "rank_prop", "rank_lang", "label"], kind="stable")
    return frame.drop_duplicates("x").set_index("x")["label"].to_dict()


@dataclass
class Ties:
    """Every relationship of a graph, as tables (see the module docstring).

    ``relationships``: ``rel, kind, active_from, active_until, layers`` (one row per
    relationship; ``layers`` a tuple of layer names). ``participants``: ``rel, role, iri``.
    ``entities``: ``iri, kind, label`` for every participant. ``sources`` and ``qualifiers``
    map a relationship IRI to the IRIs of its source documents and of its roles or
    partnership kinds (read from ``graph`` when first used). Build with :meth:`load`.
    """

    relationships: pd.DataFrame
    participants: pd.DataFrame
    entities: pd.DataFrame
    lang: str = "en"
    graph: object = field(default=None, repr=False)

    @cached_property
    def sources(self) -> dict[str, tuple[str, ...]]:
        """Relationship IRI -> its source documents (read on first use)."""
        return self._grouped(_SOURCES, "source")

    @cached_property
    def qualifiers(self) -> dict[str, tuple[str, ...]]:
        """Relationship IRI -> its roles and partnership kinds (read on first use)."""
        return self._grouped(_QUALIFIERS, "q")

    def _grouped(self, sparql: str, column: str) -> dict[str, tuple[str, ...]]:
        if self.graph is None:
            return {}
        frame = _frame(self.graph, sparql)
        frame = frame[frame["rel"].isin(set(self.relationships["rel"]))]
        return frame.groupby("rel")[column].agg(lambda x: tuple(sorted(set(x)))).to_dict()

    @classmethod
    def load(cls, graph, lang: str = "en") -> Ties:
        """Read the relationships of ``graph`` (a :class:`~citygraph.graph.CityGraph`)."""
        rels = _frame(graph, _RELATIONSHIPS)
        rels = rels[rels["class"] != ""]
        rels = rels.assign(
            layer=rels["g"].map(layer_name),
            kind=[_kind_slug(k, c) for k, c in zip(rels["kind"], rels["class"])],
        )
        grouped = rels.groupby("rel", sort=True)
        first = grouped.first()
        relationships = pd.DataFrame({
            "rel": first.index.to_numpy(dtype=object),
            "kind": first["kind"].to_numpy(dtype=object),
            "active_from": [_date(x) for x in first["from"]],
            "active_until": [_date(x) for x in first["until"]],
            "layers": grouped["layer"].agg(lambda ls: tuple(sorted(set(ls)))).to_numpy(dtype=object),
        })
        participants = _frame(graph, _PARTICIPANTS)
        participants["role"] = participants["role"].map(_ROLE_BY_IRI)
        participants = participants.rename(columns={"x": "iri"})[["rel", "role", "iri"]]
        participants = participants[participants["rel"].isin(set(relationships["rel"]))]
        participants = participants.drop_duplicates().reset_index(drop=True)
        types = _frame(graph, _TYPES)
        classes = types.assign(local=types["type"].str[len(CG):]).groupby("x")["local"].agg(set)
        iris = sorted(set(participants["iri"]))
        labels = _labels(graph, lang)
        entities = pd.DataFrame({
            "iri": iris,
            "kind": [_entity_kind(classes.get(i, set())) for i in iris],
            "label": [labels.get(i) or _last_segment(i) for i in iris],
        })
        return cls(relationships, participants, entities, lang, graph)

    # ------------------------------------------------------------------ selection
    @property
    def layers(self) -> list[str]:
        """The layers that hold relationships, sorted."""
        return sorted({layer for ls in self.relationships["layers"] for layer in ls})

    def check_layers(self, layers: Iterable[str] | None) -> tuple[str, ...] | None:
        """Validate layer names (``curated``, or a full graph IRI); None means all."""
        if layers is None:
            return None
        chosen = tuple(dict.fromkeys(layer_name(x.strip()) for x in layers if x.strip()))
        if not chosen:
            return None
        known = self.layers
        unknown = [x for x in chosen if x not in known]
        if unknown:
            raise NotFoundError(
                f"no relationships in layer(s) {', '.join(unknown)}; layers with relationships: "
                + (", ".join(known) or "none"))
        return chosen

    def active(self, as_of: date | None, layers: Sequence[str] | None = None) -> pd.Series:
        """Boolean mask over :attr:`relationships`: active on ``as_of`` and in ``layers``."""
        rels = self.relationships
        if as_of is None:
            mask = pd.Series(True, index=rels.index)
        else:
            mask = pd.Series([temporal.is_active(f, u, as_of)
                              for f, u in zip(rels["active_from"], rels["active_until"])],
                             index=rels.index, dtype=bool)
        chosen = self.check_layers(layers)
        if chosen is not None:
            wanted = set(chosen)
            mask &= rels["layers"].map(lambda ls: bool(wanted.intersection(ls))).astype(bool)
        return mask

    def snapshot(self, as_of: date | None = None, layers: Sequence[str] | None = None):
        """The relationships active on ``as_of`` (all when None) in ``layers`` (all when None)."""
        from citygraph.analysis.snapshot import Snapshot

        if isinstance(as_of, str):
            as_of = parse_date(as_of)
        chosen = self.check_layers(layers)
        return Snapshot(self, self.relationships[self.active(as_of, chosen)], as_of, chosen)

    # ------------------------------------------------------------------ pairs
    def pairs(self, rels: pd.DataFrame) -> pd.DataFrame:
        """Edges between participants of ``rels``: ``rel, kind, a, b, role_a, role_b``.

        Each kind joins the roles in :data:`EDGE_ROLES` (member–organization, party–party, …);
        a kind not listed there joins every pair of its participants.
        """
        parts = self.participants[self.participants["rel"].isin(rels["rel"])]
        parts = parts.merge(rels[["rel", "kind"]], on="rel")
        frames = []
        for kind, group in parts.groupby("kind", sort=True):
            ra, rb = EDGE_ROLES.get(kind, (None, None))
            left = group if ra is None else group[group["role"] == ra]
            right = group if rb is None else group[group["role"] == rb]
            joined = left.merge(right[["rel", "role", "iri"]], on="rel", suffixes=("_a", "_b"))
            joined = joined[joined["iri_a"] != joined["iri_b"]]
            if ra == rb:  # symmetric roles: one edge per unordered pair
                joined = joined[joined["iri_a"] < joined["iri_b"]]
            frames.append(joined.rename(columns={"iri_a": "a", "iri_b": "b"})
                          [["rel", "kind", "a", "b", "role_a", "role_b"]])
        if not frames:
            return pd.DataFrame(columns=["rel", "kind", "a", "b", "role_a", "role_b"])
        return pd.concat(frames, ignore_index=True)


def _entity_kind(classes: set[str]) -> str:
    for local, kind in ENTITY_KINDS:
        if local in classes:
            return kind
    return "other"


def parse_date(text: str | date | None) -> date | None:
    """``YYYY-MM-DD`` -> date; ``None``, ``""``, ``all`` or ``any`` -> None (no date filter)."""
    if text is None or isinstance(text, date):
        return text
    value = text.strip()
    if value.lower() in ("", "all", "any"):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise QueryError(f"date {text!r}: write it as YYYY-MM-DD (or 'all' for every date)") from None
