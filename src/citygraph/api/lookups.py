"""What the JSON API and the pages ask the graph: all their SPARQL, and plain functions over it.

Every function takes a :class:`~citygraph.graph.CityGraph` and returns plain data (dicts and
lists), so the JSON API, the HTML pages and a static export share them. Bad input raises
:class:`BadParameter` (the API answers 422) or :class:`~citygraph.errors.NotFoundError` (404),
with a message that names the parameter and, where a name was mistyped, the closest names.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date

import pyoxigraph as ox

from citygraph.errors import AmbiguousNameError, CityGraphError, NotFoundError
from citygraph.graph import CityGraph
from citygraph.namespaces import (
    CG, DCTERMS, ENTITY_KINDS, GEO, GRAPH, ID, PREFIXES, RDF, SKOS, VOCAB, compact,
)
from citygraph.temporal import active_on_filter

# ---------------------------------------------------------------------------- SPARQL text
# Placeholders in {braces} are filled only with terms made by ``_term``/``_literal`` (escaped
# by pyoxigraph) or with fixed fragments from this module, never with raw request text.

#: Entities of a class (and its subclasses), sorted by their label in {lang} with fallback.
ENTITIES = """
SELECT DISTINCT ?s ?sortLabel WHERE {{
  ?s a ?type . ?type rdfs:subClassOf* {cls} .
  {filters}
  OPTIONAL {{ ?s skos:prefLabel ?l0 FILTER(lang(?l0) = {lang}) }}
  OPTIONAL {{ ?s skos:prefLabel ?l1 FILTER(lang(?l1) = "en") }}
  OPTIONAL {{ ?s skos:prefLabel ?l2 FILTER(lang(?l2) = "fi") }}
  OPTIONAL {{ ?s skos:prefLabel ?l3 FILTER(lang(?l3) = "sv") }}
  BIND(LCASE(COALESCE(?l0, ?l1, ?l2, ?l3, STR(?s))) AS ?sortLabel)
}}
ORDER BY ?sortLabel ?s
"""

#: How many entities ``ENTITIES`` would list.
ENTITIES_COUNT = """
SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  ?s a ?type . ?type rdfs:subClassOf* {cls} .
  {filters}
}}
"""

#: Entity filters: each binds ?s and uses one parameter term.
FILTER_NAME = """FILTER EXISTS {{ ?s skos:prefLabel|skos:altLabel ?q_label
  FILTER(CONTAINS(LCASE(STR(?q_label)), {value})) }}"""
FILTER_COUNTRY = "?s cg:country {value} ."
FILTER_PARTNER_OF = "?s cg:partnerOf {value} ."
FILTER_MEMBER = "?s cg:hasMember {value} ."
FILTER_TYPE = "?s a {value} ."
FILTER_RELATED_TO = "{{ ?related_r cg:involves ?s, {value} }} UNION {{ ?s cg:locatedIn {value} }}"

#: The properties shown for each listed entity.
ENTITY_SUMMARY = """
SELECT ?s ?p ?o WHERE {{
  VALUES ?s {{ {subjects} }}
  VALUES ?p {{ skos:prefLabel rdf:type cg:country cg:wikidataId cg:geonamesId geo:lat geo:long }}
  ?s ?p ?o
}}
"""

#: Relationships, filtered, sorted by kind, start of activity and IRI.
RELATIONSHIPS = """
SELECT DISTINCT ?r ?kind ?from WHERE {{
  ?r cg:relationshipKind ?kind .
  OPTIONAL {{ ?r cg:activeFrom ?from }}
  {filters}
}}
ORDER BY ?kind ?from ?r
"""

RELATIONSHIPS_COUNT = """
SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE {{
  ?r cg:relationshipKind ?kind .
  {filters}
}}
"""

FILTER_INVOLVES = "?r cg:involves {value} ."
FILTER_KIND = "?r cg:relationshipKind {value} ."
FILTER_STATUS = "?r cg:status {value} ."
FILTER_LAYER = "GRAPH {value} {{ ?r a ?layer_type }}"

#: The relationship kinds, statuses (SKOS concepts of the vocabulary) with their slugs.
CONCEPTS = """
SELECT ?c WHERE {{ ?c skos:inScheme {scheme} }} ORDER BY ?c
"""

#: Source documents with what is known of them and how much they attest.
SOURCES = """
SELECT ?s (COUNT(DISTINCT ?att) AS ?attestations) (COUNT(DISTINCT ?subject) AS ?subjects) WHERE {
  ?s a cg:SourceDocument .
  OPTIONAL { ?subject cg:attestation ?att . ?att cg:source ?s }
}
GROUP BY ?s ORDER BY ?s
"""

#: Everything one source document attests: the subject, the quote and how it is described.
SOURCE_ATTESTATIONS = """
SELECT ?subject ?att ?quote ?refersTo ?attestedOn
       (GROUP_CONCAT(DISTINCT STR(?described); separator=" ") AS ?describedAs) WHERE {{
  ?subject cg:attestation ?att . ?att cg:source {source} .
  OPTIONAL {{ ?att cg:quote ?quote }}
  OPTIONAL {{ ?att cg:refersTo ?refersTo }}
  OPTIONAL {{ ?att cg:attestedOn ?attestedOn }}
  OPTIONAL {{ ?att cg:describedAs ?described }}
}}
GROUP BY ?subject ?att ?quote ?refersTo ?attestedOn
ORDER BY ?subject ?quote
"""

#: Does this IRI appear at all, as subject or object?
EXISTS = "ASK {{ {{ {iri} ?p ?o }} UNION {{ ?s ?p {iri} }} }}"

#: Named graphs (layers) that hold at least one triple.
LAYERS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"

#: The vocabulary: classes and properties of the ontology and the SKOS schemes, with labels.
ONTOLOGY_TERMS = """
SELECT ?term ?kind WHERE {
  GRAPH <https://w3id.org/citygraph/graph/ontology> {
    { ?term a owl:Class BIND("class" AS ?kind) }
    UNION { ?term a owl:ObjectProperty BIND("property" AS ?kind) }
    UNION { ?term a owl:DatatypeProperty BIND("property" AS ?kind) }
    UNION { ?term a skos:ConceptScheme BIND("scheme" AS ?kind) }
  }
  FILTER(STRSTARTS(STR(?term), "https://w3id.org/citygraph/"))
}
ORDER BY ?kind ?term
"""

#: Definition and concepts of the vocabulary terms.
ONTOLOGY_DETAILS = """
SELECT ?term ?p ?o WHERE {{
  VALUES ?term {{ {terms} }}
  VALUES ?p {{ skos:definition rdfs:comment skos:hasTopConcept }}
  ?term ?p ?o
}}
"""

SCHEME_CONCEPTS = """
SELECT ?scheme ?concept WHERE { ?concept skos:inScheme ?scheme } ORDER BY ?scheme ?concept
"""

# ---------------------------------------------------------------------------- constants

#: API collection -> the class its members have (subclasses included).
COLLECTIONS = {
    "cities": CG + "City",
    "networks": CG + "CityNetwork",
    "organisations": CG + "Organization",
}

#: ``?type=`` values of /api/organisations -> class.
ORGANISATION_TYPES = {
    "network": CG + "CityNetwork",
    "agency": CG + "Agency",
    "company": CG + "Company",
    "university": CG + "University",
    "regional-council": CG + "RegionalCouncil",
    "foundation": CG + "Foundation",
    "office": CG + "Office",
    "unit": CG + "OrganizationalUnit",
}

RELATIONSHIP_KINDS = ("membership", "partnership", "agreement", "hosting", "office-operation",
                      "ownership")
STATUSES = ("active", "suspended", "ended")
RKIND = PREFIXES["rkind"]
STATUS = PREFIXES["status"]

#: Kind words a name filter expects -> the class an entity must have (for helpful errors).
EXPECTED = {
    "city": CG + "City",
    "network": CG + "CityNetwork",
    "country": CG + "Country",
    "source": CG + "SourceDocument",
}


class BadParameter(CityGraphError):
    """A request parameter has a value that names nothing suitable (the API answers 422)."""

    def __init__(self, param: str, message: str) -> None:
        self.param = param
        super().__init__(f"{param}: {message}")


@dataclass
class Page:
    """One page of a list: the items, how many there are in all, and where the page starts."""

    items: list[dict]
    total: int
    limit: int
    offset: int


# ---------------------------------------------------------------------------- helpers

def _term(iri: str) -> str:
    return str(ox.NamedNode(iri))


def _literal(value: str) -> str:
    return str(ox.Literal(value))


def _date(value: date) -> str:
    return str(ox.Literal(value.isoformat(), datatype=ox.NamedNode(PREFIXES["xsd"] + "date")))


def _select(graph: CityGraph, sparql: str) -> list[dict[str, object]]:
    result = graph.query(sparql)
    return [dict(zip(result.variables, row)) for row in result.rows]


def _count(graph: CityGraph, sparql: str) -> int:
    rows = _select(graph, sparql)
    return int(rows[0]["n"].value) if rows else 0


def local_path(iri: str) -> str | None:
    """``https://w3id.org/citygraph/id/city/tallinn`` -> ``city/tallinn`` (None when not an entity)."""
    if iri.startswith(ID):
        rest = iri[len(ID):]
        if re.fullmatch(r"[a-z-]+/[A-Za-z0-9._~%-]+", rest):
            return rest
    return None


def ref(graph: CityGraph, iri: str, lang: str) -> dict:
    """``{"iri", "name", "label"}`` for an IRI, with its page path when it has one."""
    out = {"iri": iri, "name": compact(iri), "label": graph.label(iri, lang)}
    return out


def valid_iri(iri: str) -> bool:
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return True


def relationship_title(rel: dict) -> str:
    """``Partnership: Helsinki – Tallinn``: a relationship's kind and its parties' labels
    (relationship nodes have no names of their own)."""
    kind = rel["kind"]["label"] if rel.get("kind") else "relationship"
    names = " – ".join(p["label"] for p in rel.get("parties", []))
    return f"{kind[:1].upper()}{kind[1:]}: {names}" if names else kind


def _titled(rel: dict) -> dict:
    rel["label"] = relationship_title(rel)
    rel["path"] = local_path(rel["iri"])
    return rel


def exists(graph: CityGraph, iri: str) -> bool:
    """Whether ``iri`` occurs in the graph (False for a malformed IRI)."""
    return valid_iri(iri) and bool(graph.query(EXISTS.format(iri=_term(iri))).boolean)


def has_class(graph: CityGraph, iri: str, cls: str) -> bool:
    """Whether ``iri`` has type ``cls`` or a subclass of it (False for a malformed IRI)."""
    return valid_iri(iri) and bool(graph.query(
        f"ASK {{ {_term(iri)} a ?t . ?t rdfs:subClassOf* {_term(cls)} }}").boolean)


def suggest(close: list[str], kind: str | None) -> list[str]:
    """Close names as a user would type them: slugs of the expected kind first."""
    prefix = ENTITY_KINDS.get(kind or "", kind)
    same = [c.split(":", 1)[1] for c in close if prefix and c.startswith(prefix + ":")]
    return same or close


def resolve(graph: CityGraph, name: str, param: str, kind: str | None = None) -> str:
    """A name given as a request parameter -> IRI, or :class:`BadParameter` naming ``param``.

    ``kind`` (``city``, ``network``…) is what the parameter expects: a name that resolves to
    something else is refused, and suggestions prefer things of that kind.
    """
    word = kind or "entity"
    expected = EXPECTED.get(kind or "")
    if kind and "/" not in name and ":" not in name:
        # a bare slug of the expected kind wins over labels of other things
        candidate = ID + kind + "/" + name
        if expected and has_class(graph, candidate, expected):
            return candidate
    try:
        iri = graph.resolve(name)
    except ValueError:  # a would-be IRI or prefixed name with characters no IRI may hold
        raise BadParameter(param, f"{name!r} is not a name, prefixed name or IRI") from None
    except AmbiguousNameError as exc:
        raise BadParameter(param, f"{name!r} matches several things: {', '.join(exc.candidates)}; "
                                  "use one of these prefixed names") from None
    except NotFoundError as exc:
        hint = suggest(exc.close_matches, kind)
        message = f"no {word} {name!r}"
        if hint:
            message += "; did you mean " + ", ".join(hint) + "?"
        raise BadParameter(param, message) from None
    if expected and not has_class(graph, iri, expected):
        raise BadParameter(param, f"{name!r} is {compact(iri)}, not a {word}")
    return iri


def choose(value: str, allowed: tuple[str, ...] | list[str], param: str) -> str:
    """``value`` if allowed, else :class:`BadParameter` listing the allowed values."""
    if value in allowed:
        return value
    close = difflib.get_close_matches(value, list(allowed), n=1)
    hint = f"; did you mean {close[0]}?" if close else ""
    raise BadParameter(param, f"unknown {param} {value!r}{hint} (one of: {', '.join(allowed)})")


# ---------------------------------------------------------------------------- entities

def _summaries(graph: CityGraph, iris: list[str], lang: str) -> list[dict]:
    if not iris:
        return []
    subjects = " ".join(_term(i) for i in iris)
    props: dict[str, dict[str, list]] = {i: {} for i in iris}
    for row in _select(graph, ENTITY_SUMMARY.format(subjects=subjects)):
        props[row["s"].value].setdefault(row["p"].value, []).append(row["o"])
    out = []
    for iri in iris:
        p = props[iri]
        labels = {lit.language: lit.value for lit in p.get(SKOS + "prefLabel", []) if lit.language}
        item: dict = {
            **ref(graph, iri, lang),
            "path": local_path(iri),
            "labels": dict(sorted(labels.items())),
            "types": sorted(compact(t.value) for t in p.get(RDF + "type", [])),
        }
        if p.get(CG + "country"):
            item["country"] = ref(graph, p[CG + "country"][0].value, lang)
        if p.get(CG + "wikidataId"):
            item["wikidata"] = p[CG + "wikidataId"][0].value
        if p.get(CG + "geonamesId"):
            item["geonames"] = p[CG + "geonamesId"][0].value
        if p.get(GEO + "lat") and p.get(GEO + "long"):
            item["coordinates"] = {"lat": float(p[GEO + "lat"][0].value),
                                   "long": float(p[GEO + "long"][0].value)}
        out.append(item)
    return out


def list_entities(graph: CityGraph, collection: str, lang: str = "en", *, limit: int = 50,
                  offset: int = 0, q: str | None = None, country: str | None = None,
                  partner_of: str | None = None, member: str | None = None,
                  type: str | None = None, related_to: str | None = None) -> Page:
    """One page of cities, networks or organisations, sorted by label in ``lang``.

    Filters (names are resolved like ``citygraph describe`` does): ``q`` (part of any name),
    ``country``, ``partner_of`` (a city), ``member`` (a member of the network),
    ``type`` (see :data:`ORGANISATION_TYPES`), ``related_to`` (shares a relationship with, or
    is located in, the given entity).
    """
    cls = COLLECTIONS[collection]
    filters = []
    if q:
        filters.append(FILTER_NAME.format(value=_literal(q.casefold())))
    if country:
        filters.append(FILTER_COUNTRY.format(value=_term(resolve(graph, country, "country", "country"))))
    if partner_of:
        filters.append(FILTER_PARTNER_OF.format(value=_term(resolve(graph, partner_of, "partner_of", "city"))))
    if member:
        filters.append(FILTER_MEMBER.format(value=_term(resolve(graph, member, "member"))))
    if type:
        filters.append(FILTER_TYPE.format(value=_term(ORGANISATION_TYPES[choose(type, tuple(ORGANISATION_TYPES), "type")])))
    if related_to:
        filters.append(FILTER_RELATED_TO.format(value=_term(resolve(graph, related_to, "related_to"))))
    text = "\n  ".join(filters)
    total = _count(graph, ENTITIES_COUNT.format(cls=_term(cls), filters=text))
    rows = _select(graph, ENTITIES.format(cls=_term(cls), filters=text, lang=_literal(lang))
                   + f"LIMIT {int(limit)} OFFSET {int(offset)}")
    return Page(_summaries(graph, [r["s"].value for r in rows], lang), total, limit, offset)


def entity_iri(kind: str, slug: str) -> str:
    return f"{ID}{kind}/{slug}"


def describe(graph: CityGraph, iri: str, lang: str = "en") -> dict:
    """``graph.describe`` plus, for a relationship node, its parties, dates and status, the
    source documents cited anywhere in the description, and the page path."""
    data = graph.describe(iri, lang)
    data["path"] = local_path(iri)
    for rels in data["relationships"].values():
        for rel in rels:
            _titled(rel)
    data["relationship"] = (_titled(graph.relationship(iri, lang))
                            if graph.query(f"ASK {{ {_term(iri)} cg:relationshipKind ?k }}").boolean
                            else None)
    if data["relationship"]:
        data["label"] = data["relationship"]["label"]
    cited: dict[str, dict] = {}

    def collect(attestations: list[dict]) -> None:
        for att in attestations:
            src = att.get("source")
            if src:
                cited.setdefault(src["iri"], {k: src[k] for k in ("iri", "name", "label", "title", "date")})

    collect(data["attestations"])
    for rels in data["relationships"].values():
        for rel in rels:
            collect(rel["attestations"])
    for policy in data["policies"]:
        collect(policy["attestations"])
    if data["relationship"]:
        collect(data["relationship"]["attestations"])
    data["sources"] = sorted(cited.values(), key=lambda s: s["iri"])
    return data


# ---------------------------------------------------------------------------- relationships

def layers(graph: CityGraph) -> dict[str, str]:
    """Layer name (last segment of the graph IRI) -> named graph IRI, for graphs with triples."""
    out = {}
    for row in _select(graph, LAYERS):
        iri = row["g"].value
        out[iri[len(GRAPH):] if iri.startswith(GRAPH) else iri] = iri
    return out


def list_relationships(graph: CityGraph, lang: str = "en", *, limit: int = 50, offset: int = 0,
                       city: str | None = None, network: str | None = None,
                       kind: str | None = None, status: str | None = None,
                       layer: str | None = None, as_of: date | None = None) -> Page:
    """One page of relationships with parties, dates, status and evidence (quotes included).

    ``as_of`` keeps those active on that date under the one definition of "active on D"
    (``cg:activeFrom``/``cg:activeUntil``, :mod:`citygraph.temporal`).
    """
    filters = []
    focus = None
    if city:
        focus = resolve(graph, city, "city", "city")
        filters.append(FILTER_INVOLVES.format(value=_term(focus)))
    if network:
        net = resolve(graph, network, "network", "network")
        focus = focus or net
        filters.append(FILTER_INVOLVES.format(value=_term(net)))
    if kind:
        filters.append(FILTER_KIND.format(value=_term(RKIND + choose(kind, RELATIONSHIP_KINDS, "kind"))))
    if status:
        filters.append(FILTER_STATUS.format(value=_term(STATUS + choose(status, STATUSES, "status"))))
    if layer:
        known = layers(graph)
        if layer not in known and layer not in known.values():
            choose(layer, tuple(known), "layer")
        filters.append(FILTER_LAYER.format(value=_term(known.get(layer, layer))))
    if as_of:
        filters.append(active_on_filter("?r", _date(as_of)))
    text = "\n  ".join(filters)
    total = _count(graph, RELATIONSHIPS_COUNT.format(filters=text))
    rows = _select(graph, RELATIONSHIPS.format(filters=text)
                   + f"LIMIT {int(limit)} OFFSET {int(offset)}")
    items = []
    for row in rows:
        items.append(_titled(graph.relationship(row["r"].value, lang, focus)))
    return Page(items, total, limit, offset)


# ---------------------------------------------------------------------------- sources

def _first(props: dict[str, list], prop: str) -> object | None:
    values = props.get(prop)
    return values[0] if values else None


def _pick(literals: list, lang: str) -> dict | None:
    literals = [t for t in literals if isinstance(t, ox.Literal)]
    for candidate in (lang, "en", "fi", "sv", None):
        for lit in literals:
            if candidate is None or lit.language == candidate:
                return {"text": lit.value, "lang": lit.language}
    return None


def _props(graph: CityGraph, iri: str) -> dict[str, list]:
    props: dict[str, list] = {}
    for row in _select(graph, f"SELECT ?p ?o WHERE {{ {_term(iri)} ?p ?o }}"):
        values = props.setdefault(row["p"].value, [])
        if row["o"] not in values:
            values.append(row["o"])
    return props


def source_summary(graph: CityGraph, iri: str, lang: str = "en",
                   counts: tuple[int, int] | None = None) -> dict:
    """What a source document is: title, date (or bounds), language, publisher, origin."""
    p = _props(graph, iri)
    title = _pick(p.get(DCTERMS + "title", []), lang)
    issued = _first(p, DCTERMS + "issued")
    lo, hi = _first(p, CG + "issuedNotBefore"), _first(p, CG + "issuedNotAfter")
    language = _first(p, DCTERMS + "language")
    publisher = _first(p, DCTERMS + "publisher")
    out = {
        **ref(graph, iri, lang),
        "path": local_path(iri),
        "title": title["text"] if title else None,
        "title_lang": title["lang"] if title else None,
        "issued": ({"value": issued.value, "datatype": compact(issued.datatype.value)}
                   if isinstance(issued, ox.Literal) else None),
        "issued_not_before": lo.value if isinstance(lo, ox.Literal) else None,
        "issued_not_after": hi.value if isinstance(hi, ox.Literal) else None,
        "language": language.value.rsplit("/", 1)[-1].lower() if language is not None else None,
        "publisher": ref(graph, publisher.value, lang) if isinstance(publisher, ox.NamedNode) else None,
        "description": _pick(p.get(DCTERMS + "description", []), lang),
        "origin": _pick(p.get(CG + "origin", []), lang),
        "note": _pick(p.get(SKOS + "editorialNote", []), lang),
        "identifier": (_first(p, DCTERMS + "identifier").value
                       if _first(p, DCTERMS + "identifier") is not None else None),
        "seed_file": _first(p, CG + "seedFile").value if _first(p, CG + "seedFile") is not None else None,
    }
    if counts is not None:
        out["attestations"], out["subjects"] = counts
    out["label"] = out["title"] or out["label"]
    return out


def list_sources(graph: CityGraph, lang: str = "en") -> list[dict]:
    """Every source document, with how many attestations cite it and how many things they are about."""
    return [source_summary(graph, row["s"].value, lang,
                           (int(row["attestations"].value), int(row["subjects"].value)))
            for row in _select(graph, SOURCES)]


def source(graph: CityGraph, iri: str, lang: str = "en") -> dict:
    """A source document and everything it attests (subject, quote, how it describes it)."""
    if not has_class(graph, iri, CG + "SourceDocument"):
        raise NotFoundError(f"{compact(iri)} is not a source document")
    attests = []
    titles: dict[str, str] = {}
    for row in _select(graph, SOURCE_ATTESTATIONS.format(source=_term(iri))):
        subject = row["subject"].value
        if subject not in titles:
            is_rel = graph.query(f"ASK {{ {_term(subject)} cg:relationshipKind ?k }}").boolean
            titles[subject] = (relationship_title(graph.relationship(subject, lang)) if is_rel
                               else graph.label(subject, lang))
        quote = row["quote"]
        described = row["describedAs"].value.split() if row["describedAs"] else []
        attests.append({
            "subject": {**ref(graph, subject, lang), "label": titles[subject],
                        "path": local_path(subject)},
            "quote": quote.value if quote is not None else None,
            "quote_lang": quote.language if quote is not None else None,
            "described_as": [ref(graph, d, lang) for d in described],
            "refers_to": row["refersTo"].value if row["refersTo"] is not None else None,
            "attested_on": row["attestedOn"].value if row["attestedOn"] is not None else None,
        })
    summary = source_summary(graph, iri, lang)
    summary["attestations"] = len(attests)
    summary["subjects"] = len({a["subject"]["iri"] for a in attests})
    summary["attests"] = attests
    return summary


# ---------------------------------------------------------------------------- linked data

def description(graph: CityGraph, iri: str) -> list[ox.Triple]:
    """The triples served for an IRI (its concise bounded description), from all graphs.

    The IRI's own triples, those of its relationship nodes (``?r cg:involves <iri>``) and
    policies (``?p cg:policyOf <iri>``), and, recursively, of every blank node they reach
    (attestations). A triple stated in several layers appears once.
    """
    store = graph.store
    node = ox.NamedNode(iri)
    starts: list[ox.NamedNode | ox.BlankNode] = [node]
    for predicate in (CG + "involves", CG + "policyOf"):
        for quad in store.quads_for_pattern(None, ox.NamedNode(predicate), node, None):
            if quad.subject not in starts:
                starts.append(quad.subject)
    seen: set = set()
    triples: list[ox.Triple] = []
    done: set = set()
    queue = list(starts)
    while queue:
        subject = queue.pop(0)
        if subject in done:
            continue
        done.add(subject)
        for quad in store.quads_for_pattern(subject, None, None, None):
            triple = ox.Triple(quad.subject, quad.predicate, quad.object)
            if triple in seen:
                continue
            seen.add(triple)
            triples.append(triple)
            if isinstance(quad.object, ox.BlankNode) and quad.object not in done:
                queue.append(quad.object)
    return triples


# ---------------------------------------------------------------------------- vocabulary

def ontology(graph: CityGraph, lang: str = "en") -> dict[str, list[dict]]:
    """Classes, properties and concept schemes of the vocabulary, with definitions and concepts."""
    rows = _select(graph, ONTOLOGY_TERMS)
    terms = [r["term"].value for r in rows]
    details: dict[str, dict[str, list]] = {t: {} for t in terms}
    if terms:
        for row in _select(graph, ONTOLOGY_DETAILS.format(terms=" ".join(_term(t) for t in terms))):
            details[row["term"].value].setdefault(row["p"].value, []).append(row["o"])
    concepts: dict[str, list[str]] = {}
    for row in _select(graph, SCHEME_CONCEPTS):
        concepts.setdefault(row["scheme"].value, []).append(row["concept"].value)
    out: dict[str, list[dict]] = {"class": [], "property": [], "scheme": []}
    for row in rows:
        term, kind = row["term"].value, row["kind"].value
        d = details[term]
        entry = {
            **ref(graph, term, lang),
            "definition": _pick(d.get(SKOS + "definition", []) + d.get(PREFIXES["rdfs"] + "comment", []), lang),
        }
        if kind == "scheme":
            entry["concepts"] = [ref(graph, c, lang) for c in concepts.get(term, [])]
        if not any(e["iri"] == term for e in out[kind]):
            out[kind].append(entry)
    return out


def vocabulary_path(iri: str) -> str | None:
    """``…/vocab/status/active`` -> ``vocab/status/active``; ontology terms -> ``ontology``."""
    if iri.startswith(VOCAB):
        return "vocab/" + iri[len(VOCAB):]
    if iri.startswith(CG):
        return "ontology"
    return None


__all__ = [
    "BadParameter", "COLLECTIONS", "ORGANISATION_TYPES", "Page", "RELATIONSHIP_KINDS", "STATUSES",
    "choose", "describe", "description", "entity_iri", "exists", "has_class", "layers",
    "list_entities", "list_relationships", "list_sources", "local_path", "ontology", "ref",
    "relationship_title", "resolve", "source", "source_summary", "suggest", "valid_iri",
]
