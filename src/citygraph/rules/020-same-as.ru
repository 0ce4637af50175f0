# owl:sameAs links to Wikidata and GeoNames from the curated identifiers.
INSERT { GRAPH <https://w3id.org/citygraph/graph/derived> { ?s owl:sameAs ?same } }
USING <https://w3id.org/citygraph/graph/curated>
WHERE {
  {
    ?s cg:wikidataId ?qid .
    FILTER(REGEX(STR(?qid), "^Q[0-9]+$"))
    BIND(IRI(CONCAT("http://www.wikidata.org/entity/", STR(?qid))) AS ?same)
  } UNION {
    ?s cg:geonamesId ?gid .
    FILTER(REGEX(STR(?gid), "^[0-9]+$"))
    BIND(IRI(CONCAT("https://sws.geonames.org/", STR(?gid), "/")) AS ?same)
  }
}
