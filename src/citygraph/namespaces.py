"""IRIs and prefixes: one ``PREFIXES`` dict for Turtle output and every SPARQL query."""

from __future__ import annotations

CG = "https://w3id.org/citygraph/ontology#"
ID = "https://w3id.org/citygraph/id/"
VOCAB = "https://w3id.org/citygraph/vocab/"
GRAPH = "https://w3id.org/citygraph/graph/"

ONTOLOGY_GRAPH = GRAPH + "ontology"
CURATED_GRAPH = GRAPH + "curated"
DERIVED_GRAPH = GRAPH + "derived"
#: results of network analyses saved with ``citygraph analyze … --save`` (see store.analysis_files)
ANALYSIS_GRAPH = GRAPH + "analysis"
GRAPHS = {"ontology": ONTOLOGY_GRAPH, "curated": CURATED_GRAPH, "derived": DERIVED_GRAPH,
          "analysis": ANALYSIS_GRAPH}

#: entity kind -> Turtle prefix name (``office-operation`` is not a valid prefix name)
ENTITY_KINDS = {
    "city": "city",
    "country": "country",
    "region": "region",
    "network": "network",
    "organisation": "organisation",
    "office": "office",
    "unit": "unit",
    "source": "source",
    "membership": "membership",
    "partnership": "partnership",
    "agreement": "agreement",
    "hosting": "hosting",
    "office-operation": "operation",
    "ownership": "ownership",
    "policy": "policy",
}

#: vocabulary path -> Turtle prefix name
VOCABULARIES = {
    "status": "status",
    "role": "role",
    "partnership-kind": "pkind",
    "relationship-kind": "rkind",
    "focus-area": "focus",
    "objective": "objective",
    "precision": "precision",
}

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
SCHEMA = "https://schema.org/"
DCTERMS = "http://purl.org/dc/terms/"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"
FOAF = "http://xmlns.com/foaf/0.1/"
DCAT = "http://www.w3.org/ns/dcat#"

STANDARD = {
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "org": ORG,
    "prov": PROV,
    "schema": SCHEMA,
    "dcterms": DCTERMS,
    "geo": GEO,
    "foaf": FOAF,
    "dcat": DCAT,
}

PREFIXES: dict[str, str] = {
    "cg": CG,
    **{prefix: f"{ID}{kind}/" for kind, prefix in ENTITY_KINDS.items()},
    **{prefix: f"{VOCAB}{path}/" for path, prefix in VOCABULARIES.items()},
    **STANDARD,
}

XSD_DATE = XSD + "date"
XSD_GYEARMONTH = XSD + "gYearMonth"
XSD_GYEAR = XSD + "gYear"
XSD_INTEGER = XSD + "integer"
XSD_STRING = XSD + "string"


def compact(iri: str) -> str:
    """``https://w3id.org/citygraph/id/city/helsinki`` -> ``city:helsinki``; else ``<iri>``.

    The longest matching namespace wins, and the local part must be a plain name.
    """
    best = None
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and (best is None or len(ns) > len(PREFIXES[best])):
            best = prefix
    if best is not None:
        local = iri[len(PREFIXES[best]) :]
        if local and all(c.isalnum() or c in "-_." for c in local) and not local.endswith("."):
            return f"{best}:{local}"
    return f"<{iri}>"


def expand(name: str) -> str | None:
    """``city:helsinki`` -> full IRI, or None when the prefix is unknown."""
    prefix, sep, local = name.partition(":")
    if not sep or prefix not in PREFIXES or local.startswith("//"):
        return None
    return PREFIXES[prefix] + local


def sparql_prologue() -> str:
    """PREFIX declarations for engines that do not take a prefixes argument."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
