# cg:relationshipKind from the instance's class; date precisions from the literal's datatype.
INSERT { GRAPH <https://w3id.org/citygraph/graph/derived> { ?rel cg:relationshipKind ?kind } }
USING <https://w3id.org/citygraph/graph/ontology>
USING <https://w3id.org/citygraph/graph/curated>
WHERE {
  ?kind cg:relationshipClass ?class .
  ?rel a ?class .
} ;

INSERT { GRAPH <https://w3id.org/citygraph/graph/derived> { ?rel ?precisionProperty ?precision } }
USING <https://w3id.org/citygraph/graph/curated>
WHERE {
  VALUES (?dateProperty ?precisionProperty) {
    (cg:startDate cg:startPrecision)
    (cg:endDate cg:endPrecision)
  }
  VALUES (?datatype ?precision) {
    (xsd:date precision:day)
    (xsd:gYearMonth precision:month)
    (xsd:gYear precision:year)
  }
  ?rel ?dateProperty ?value .
  FILTER(DATATYPE(?value) = ?datatype)
}
