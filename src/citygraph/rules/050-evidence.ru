# Provenance and descriptions carried up from attestations to what they attest.
INSERT { GRAPH <https://w3id.org/citygraph/graph/derived> { ?s prov:wasDerivedFrom ?source } }
USING <https://w3id.org/citygraph/graph/curated>
WHERE { ?s cg:attestation ?att . ?att cg:source ?source } ;

INSERT { GRAPH <https://w3id.org/citygraph/graph/derived> { ?s cg:focusArea ?focus } }
USING <https://w3id.org/citygraph/graph/curated>
WHERE { ?s cg:attestation ?att . ?att cg:focusArea ?focus } ;

INSERT { GRAPH <https://w3id.org/citygraph/graph/derived> { ?rel cg:partnershipKind ?kind } }
USING <https://w3id.org/citygraph/graph/ontology>
USING <https://w3id.org/citygraph/graph/curated>
WHERE {
  ?rel a/rdfs:subClassOf* cg:Partnership ; cg:attestation ?att .
  ?att cg:describedAs ?kind .
  ?kind skos:inScheme cg:PartnershipKinds .
}
