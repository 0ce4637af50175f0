# cg:involves: every city or organisation taking part in a relationship, whatever its role.
INSERT { GRAPH <https://w3id.org/citygraph/graph/derived> { ?rel cg:involves ?thing } }
USING <https://w3id.org/citygraph/graph/curated>
WHERE {
  VALUES ?role { cg:party org:member org:organization cg:host cg:hosted cg:operator cg:office cg:owner cg:owned }
  ?rel ?role ?thing .
  FILTER(isIRI(?thing) || isBlank(?thing))
}
