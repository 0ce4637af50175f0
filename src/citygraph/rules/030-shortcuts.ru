# Plain shortcut edges derived from the relationship nodes, so simple questions stay simple.
INSERT { GRAPH <https://w3id.org/citygraph/graph/derived> { ?a cg:partnerOf ?b } }
USING <https://w3id.org/citygraph/graph/ontology>
USING <https://w3id.org/citygraph/graph/curated>
WHERE {
  ?rel a/rdfs:subClassOf* cg:Partnership ; cg:party ?a, ?b .
  FILTER(?a != ?b)
} ;

INSERT { GRAPH <https://w3id.org/citygraph/graph/derived> { ?member cg:memberOf ?org . ?org cg:hasMember ?member } }
USING <https://w3id.org/citygraph/graph/ontology>
USING <https://w3id.org/citygraph/graph/curated>
WHERE { ?rel a/rdfs:subClassOf* cg:Membership ; org:member ?member ; org:organization ?org } ;

INSERT { GRAPH <https://w3id.org/citygraph/graph/derived> { ?party cg:partyTo ?rel } }
USING <https://w3id.org/citygraph/graph/ontology>
USING <https://w3id.org/citygraph/graph/curated>
WHERE { ?rel a/rdfs:subClassOf* cg:Agreement ; cg:party ?party } ;

INSERT { GRAPH <https://w3id.org/citygraph/graph/derived> { ?hosted cg:locatedIn ?host } }
USING <https://w3id.org/citygraph/graph/ontology>
USING <https://w3id.org/citygraph/graph/curated>
WHERE { ?rel a/rdfs:subClassOf* cg:Hosting ; cg:hosted ?hosted ; cg:host ?host } ;

INSERT { GRAPH <https://w3id.org/citygraph/graph/derived> { ?operator cg:operates ?office } }
USING <https://w3id.org/citygraph/graph/ontology>
USING <https://w3id.org/citygraph/graph/curated>
WHERE { ?rel a/rdfs:subClassOf* cg:OfficeOperation ; cg:operator ?operator ; cg:office ?office } ;

INSERT { GRAPH <https://w3id.org/citygraph/graph/derived> { ?owner cg:owns ?owned } }
USING <https://w3id.org/citygraph/graph/ontology>
USING <https://w3id.org/citygraph/graph/curated>
WHERE { ?rel a/rdfs:subClassOf* cg:Ownership ; cg:owner ?owner ; cg:owned ?owned }
