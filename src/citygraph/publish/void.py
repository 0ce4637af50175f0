"""VoID: statistics per layer, linksets to Wikidata and GeoNames, examples, endpoint, dumps.

The numbers use the definitions of ``citygraph stats``: triples are counted per named graph
(the combined dataset's count is their sum), and class partitions count distinct typed
subjects over the union, exactly as ``stats()["classes"]`` does.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import pyoxigraph as ox
import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, XSD

from citygraph.graph import CityGraph
from citygraph.namespaces import CG, ID, ORG, PROV, SCHEMA, SKOS
from citygraph.publish.dumps import COMBINED_NAME, Dump
from citygraph.publish.layers import Layer
from citygraph.publish.licences import COMBINED
from citygraph.publish.options import PublishOptions

VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
WIKIDATA = "http://www.wikidata.org/entity/"
GEONAMES = "https://sws.geonames.org/"
EXAMPLE_CLASSES = ("cg:City", "cg:Partnership", "cg:CityNetwork", "cg:Membership")


@dataclass
class Stats:
    """VoID statistics of one dataset."""

    triples: int
    entities: int
    classes: int
    properties: int
    distinct_subjects: int
    distinct_objects: int
    class_partitions: dict[str, int] = field(default_factory=dict)


def _count(graph: CityGraph, sparql: str) -> int:
    rows = graph.query(sparql).rows
    return int(rows[0][0].value) if rows and rows[0][0] is not None else 0


def layer_stats(graph: CityGraph, layer: Layer) -> Stats:
    g = f"GRAPH <{layer.graph}>"
    return Stats(
        triples=_count(graph, f"SELECT (COUNT(*) AS ?n) WHERE {{ {g} {{ ?s ?p ?o }} }}"),
        entities=_count(graph, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {g} {{ ?s ?p ?o FILTER(isIRI(?s)) }} }}"),
        classes=_count(graph, f"SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ {g} {{ ?s a ?c }} }}"),
        properties=_count(graph, f"SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ {g} {{ ?s ?p ?o }} }}"),
        distinct_subjects=_count(graph, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {g} {{ ?s ?p ?o }} }}"),
        distinct_objects=_count(graph, f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ {g} {{ ?s ?p ?o }} }}"),
    )


def combined_stats(view: CityGraph, layers: Sequence[Layer]) -> Stats:
    """Statistics of the union of ``layers`` (``view`` holds exactly those layers)."""
    classes = {r["class"].value: int(r["n"].value) for r in view._select(
        "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class FILTER(isIRI(?class)) }"
        " GROUP BY ?class")}
    return Stats(
        triples=sum(layer_stats(view, layer).triples for layer in layers),
        entities=_count(view, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o FILTER(isIRI(?s)) }"),
        classes=_count(view, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }"),
        properties=_count(view, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }"),
        distinct_subjects=_count(view, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }"),
        distinct_objects=_count(view, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }"),
        class_partitions=dict(sorted(classes.items())),
    )


def _period(literal: ox.Literal) -> tuple[date, date] | None:
    value, dt = literal.value, literal.datatype.value.rsplit("#", 1)[-1]
    try:
        if dt == "date":
            day = date.fromisoformat(value[:10])
            return day, day
        if dt == "gYearMonth":
            y, m = int(value[:4]), int(value[5:7])
            return date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1])
        if dt == "gYear":
            y = int(value[:4])
            return date(y, 1, 1), date(y, 12, 31)
    except ValueError:
        return None
    return None


def temporal_coverage(graph: CityGraph, layer: Layer) -> tuple[date, date] | None:
    """Earliest and latest day any date in the layer can mean (None when it has no dates)."""
    rows = graph.query(
        f"SELECT DISTINCT ?o WHERE {{ GRAPH <{layer.graph}> {{ ?s ?p ?o"
        " FILTER(isLiteral(?o) && datatype(?o) IN (xsd:date, xsd:gYear, xsd:gYearMonth)) } }").rows
    periods = [p for (o,) in rows if (p := _period(o))]
    if not periods:
        return None
    return min(p[0] for p in periods), max(p[1] for p in periods)


def linkset_counts(view: CityGraph) -> dict[str, int]:
    """owl:sameAs links from the graph to Wikidata and to GeoNames."""
    return {
        target: _count(view, "SELECT (COUNT(*) AS ?n) WHERE { ?s owl:sameAs ?o "
                             f"FILTER(STRSTARTS(STR(?o), \"{ns}\")) }}")
        for target, ns in (("wikidata", WIKIDATA), ("geonames", GEONAMES))
    }


def examples(view: CityGraph) -> list[str]:
    """One example resource per main class: the one described by the most triples."""
    out = []
    for cls in EXAMPLE_CLASSES:
        rows = view.query(f"SELECT ?s (COUNT(*) AS ?n) WHERE {{ ?s a {cls} ; ?p ?o FILTER(isIRI(?s)) }}"
                          " GROUP BY ?s ORDER BY DESC(?n) ?s LIMIT 1").rows
        if rows:
            out.append(rows[0][0].value)
    return out


def _add_stats(g: rdflib.Graph, node: URIRef, s: Stats) -> None:
    for prop, value in (("triples", s.triples), ("entities", s.entities), ("classes", s.classes),
                        ("properties", s.properties), ("distinctSubjects", s.distinct_subjects),
                        ("distinctObjects", s.distinct_objects)):
        g.add((node, VOID[prop], Literal(value, datatype=XSD.integer)))


def build_void(options: PublishOptions, view: CityGraph, layers: Sequence[Layer],
               combined: Sequence[Layer], stats: Mapping[str, Stats], whole: Stats,
               dumps: Sequence[Dump]) -> rdflib.Graph:
    base = options.base_url
    g = rdflib.Graph(bind_namespaces="none")
    for prefix, ns in (("void", VOID), ("dct", DCTERMS), ("foaf", FOAF), ("owl", OWL),
                       ("xsd", XSD), ("sd", SD)):
        g.bind(prefix, ns)
    by_name = {d.name: d for d in dumps}

    def ds(name: str) -> URIRef:
        return URIRef(f"{base}void#{name}")

    def dump_urls(name: str) -> list[URIRef]:
        return [URIRef(base + f.path) for f in by_name[name].files if f.format in ("nt", "nq", "ttl") and not f.gzip]

    top = ds(COMBINED_NAME)
    g.add((top, RDF.type, VOID.Dataset))
    g.add((top, DCTERMS.title, Literal("citygraph: the open graph", lang="en")))
    g.add((top, DCTERMS.license, URIRef(COMBINED.url)))
    g.add((top, FOAF.homepage, URIRef(base + "index.html")))
    g.add((top, DCTERMS.isReferencedBy, URIRef(base + "catalog.ttl")))
    g.add((top, VOID.sparqlEndpoint, URIRef(options.sparql_url)))
    g.add((top, VOID.uriSpace, Literal(ID)))
    g.add((top, VOID.rootResource, URIRef(options.publisher_iri)))
    for url in dump_urls(COMBINED_NAME):
        g.add((top, VOID.dataDump, url))
    for iri in examples(view):
        g.add((top, VOID.exampleResource, URIRef(iri)))
    for vocab in (CG, SKOS, ORG, PROV, SCHEMA, str(DCTERMS), "http://www.w3.org/2003/01/geo/wgs84_pos#"):
        g.add((top, VOID.vocabulary, URIRef(vocab)))
    g.add((top, DCTERMS.modified, Literal(options.date.isoformat(), datatype=XSD.date)))
    _add_stats(g, top, whole)
    for i, (cls, n) in enumerate(whole.class_partitions.items()):
        part = URIRef(f"{base}void#{COMBINED_NAME}-class-{i}")
        g.add((top, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(cls)))
        g.add((part, VOID.entities, Literal(n, datatype=XSD.integer)))
    for layer in layers:
        node = ds(layer.name)
        g.add((node, RDF.type, VOID.Dataset))
        g.add((node, DCTERMS.title, Literal(layer.title["en"], lang="en")))
        g.add((node, DCTERMS.license, URIRef(layer.licence.url)))
        g.add((node, SD.name, URIRef(layer.graph)))
        g.add((node, VOID.sparqlEndpoint, URIRef(options.sparql_url)))
        for url in dump_urls(layer.name):
            g.add((node, VOID.dataDump, url))
        _add_stats(g, node, stats[layer.name])
        if layer in combined:
            g.add((top, VOID.subset, node))
    # the owl:sameAs links are derived; the linksets belong to the combined graph
    counts = linkset_counts(view)
    for target, ns, home, title in (("wikidata", WIKIDATA, "https://www.wikidata.org/", "Wikidata"),
                                    ("geonames", GEONAMES, "https://www.geonames.org/", "GeoNames")):
        other = URIRef(f"{base}void#{target}")
        g.add((other, RDF.type, VOID.Dataset))
        g.add((other, DCTERMS.title, Literal(title, lang="en")))
        g.add((other, FOAF.homepage, URIRef(home)))
        g.add((other, VOID.uriSpace, Literal(ns)))
        links = URIRef(f"{base}void#{COMBINED_NAME}-{target}-links")
        g.add((links, RDF.type, VOID.Linkset))
        g.add((links, DCTERMS.title, Literal(f"owl:sameAs links to {title}", lang="en")))
        g.add((links, VOID.linkPredicate, OWL.sameAs))
        g.add((links, VOID.subjectsTarget, top))
        g.add((links, VOID.objectsTarget, other))
        g.add((links, VOID.target, top))
        g.add((links, VOID.target, other))
        g.add((links, VOID.triples, Literal(counts[target], datatype=XSD.integer)))
        g.add((top, VOID.subset, links))
    return g


__all__ = ["Stats", "build_void", "combined_stats", "examples", "layer_stats", "linkset_counts",
           "temporal_coverage"]
