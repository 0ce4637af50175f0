# rdfs:label copied from skos:prefLabel, so generic RDF tools show names.
INSERT { GRAPH <https://w3id.org/citygraph/graph/derived> { ?s rdfs:label ?label } }
USING <https://w3id.org/citygraph/graph/ontology>
USING <https://w3id.org/citygraph/graph/curated>
WHERE { ?s skos:prefLabel ?label }
