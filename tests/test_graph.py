"""Build the basic fixture and check derived edges against hand-worked answers."""

from __future__ import annotations

import random
import unicodedata

import pyoxigraph as ox
import pytest

from citygraph.errors import AmbiguousNameError, NotFoundError, QueryError
from citygraph.graph import _SLUG_BASES, CityGraph, _fold_special, _slug_candidates
from citygraph.namespaces import PREFIXES, SKOS

CITY = PREFIXES["city"]
P = PREFIXES["partnership"]
M = PREFIXES["membership"]


def pairs(graph, sparql):
    return {tuple(t.value for t in row) for row in graph.query(sparql).rows}


def derived_value(graph, subject, prop):
    rows = graph.query(
        f"SELECT ?v WHERE {{ GRAPH <https://w3id.org/citygraph/graph/derived> {{ <{subject}> {prop} ?v }} }}"
    ).rows
    return sorted(r[0].value for r in rows)


def test_partner_of_both_ways(graph):
    assert pairs(graph, "SELECT ?a ?b WHERE { ?a cg:partnerOf ?b }") == {
        (CITY + "helsinki", CITY + "tallinn"), (CITY + "tallinn", CITY + "helsinki"),
        (CITY + "helsinki", CITY + "st-petersburg"), (CITY + "st-petersburg", CITY + "helsinki"),
    }


def test_member_of_and_has_member(graph):
    net = PREFIXES["network"] + "eurocities"
    assert pairs(graph, "SELECT ?a ?b WHERE { ?a cg:memberOf ?b }") == {(CITY + "helsinki", net)}
    assert pairs(graph, "SELECT ?a ?b WHERE { ?a cg:hasMember ?b }") == {(net, CITY + "helsinki")}


def test_ended_partnership_dates(graph):
    rel = P + "helsinki-st-petersburg"
    assert derived_value(graph, rel, "cg:activeFrom") == ["2019-12-06"]
    assert derived_value(graph, rel, "cg:activeUntil") == ["2022-03-01"]
    assert derived_value(graph, rel, "cg:endPrecision") == [PREFIXES["precision"] + "month"]
    assert derived_value(graph, rel, "cg:lastAttested") == ["2019-12-06"]


def test_membership_year_start(graph):
    rel = M + "helsinki-eurocities"
    assert derived_value(graph, rel, "cg:activeFrom") == ["2023-12-31"]
    assert derived_value(graph, rel, "cg:activeUntil") == []
    assert derived_value(graph, rel, "cg:startPrecision") == [PREFIXES["precision"] + "year"]


def test_undated_source_with_refers_to(graph):
    """Tallinn: earliest attestation is the undated page (not after 2011) about 2007."""
    rel = P + "helsinki-tallinn"
    assert derived_value(graph, rel, "cg:activeFrom") == ["2007-12-31"]
    assert derived_value(graph, rel, "cg:lastAttested") == ["2024-12-02"]
    assert derived_value(graph, rel, "cg:partnershipKind") == sorted(
        [PREFIXES["pkind"] + "closest", PREFIXES["pkind"] + "key"])


def test_attested_on_lands_on_the_curated_blank_nodes(graph):
    rows = graph.query(
        "SELECT ?att ?on WHERE { GRAPH <https://w3id.org/citygraph/graph/curated> "
        "{ ?s cg:attestation ?att } GRAPH <https://w3id.org/citygraph/graph/derived> "
        "{ ?att cg:attestedOn ?on } }").rows
    assert len(rows) == 4
    assert sorted(r[1].value for r in rows) == ["2007-12-31", "2019-12-06", "2019-12-06", "2024-12-02"]


def test_other_derived_edges(graph):
    helsinki = CITY + "helsinki"
    assert derived_value(graph, helsinki, "owl:sameAs") == [
        "http://www.wikidata.org/entity/Q1757", "https://sws.geonames.org/658225/"]
    assert "Helsingfors" in derived_value(graph, helsinki, "rdfs:label")
    rel = P + "helsinki-st-petersburg"
    assert derived_value(graph, rel, "cg:involves") == [CITY + "helsinki", CITY + "st-petersburg"]
    assert derived_value(graph, rel, "cg:relationshipKind") == [PREFIXES["rkind"] + "partnership"]
    assert derived_value(graph, rel, "prov:wasDerivedFrom") == [PREFIXES["source"] + "sv-2019"]
    assert derived_value(graph, rel, "cg:focusArea") == [PREFIXES["focus"] + "culture"]


def test_query_kinds_and_errors(graph):
    assert graph.query("ASK { city:helsinki a cg:City }").boolean is True
    built = graph.query("CONSTRUCT { ?a cg:partnerOf ?b } WHERE { ?a cg:partnerOf ?b }")
    assert built.kind == "graph" and len(built.triples) == 4
    with pytest.raises(QueryError, match="invalid SPARQL"):
        graph.query("SELEC ?x WHERE { ?x ?y ?z }")


def test_params_projected_and_not_projected(graph):
    projected = graph.query("SELECT ?x ?c WHERE { ?x cg:partnerOf ?c }", {"c": "city:tallinn"})
    assert [r[0].value for r in projected.rows] == [CITY + "helsinki"]
    hidden = graph.query("SELECT ?x WHERE { ?x cg:partnerOf ?c }", {"c": "city:tallinn"})
    assert [r[0].value for r in hidden.rows] == [CITY + "helsinki"]


@pytest.mark.parametrize("name", [
    "helsinki", "city:helsinki", "Helsingfors", "HELSINKI", CITY + "helsinki", f"<{CITY}helsinki>",
])
def test_resolve(graph, name):
    assert graph.resolve(name) == CITY + "helsinki"


def test_resolve_alt_label(graph):
    assert graph.resolve("pietari") == CITY + "st-petersburg"


def test_resolve_not_found_suggests(graph):
    with pytest.raises(NotFoundError, match="did you mean.*city:helsinki"):
        graph.resolve("helsinky")
    with pytest.raises(NotFoundError):
        graph.resolve("city:nowhere")


def test_resolve_ambiguous(graph):
    # "member" is both role:member and (as label "member") ... in vocabularies only
    with pytest.raises(AmbiguousNameError) as info:
        graph.resolve("collaboration partner")
    assert "pkind:collaboration-partner" in info.value.candidates
    assert "role:partner" in info.value.candidates


def test_label_fallback(graph):
    assert graph.label(CITY + "helsinki", "sv") == "Helsingfors"
    assert graph.label(CITY + "st-petersburg", "sv") == "St Petersburg"  # falls back to en
    assert graph.label(CITY + "tallinn", "fi") == "Tallinna"
    assert graph.label(CITY + "nowhere", "en") == "nowhere"


def test_describe(graph):
    data = graph.describe(CITY + "helsinki", "en")
    assert data["label"] == "Helsinki"
    assert data["identifiers"]["wikidata"] == "Q1757"
    assert data["identifiers"]["country"]["name"] == "country:fi"
    partnerships = data["relationships"]["partnership"]
    spb = next(r for r in partnerships if r["name"] == "partnership:helsinki-st-petersburg")
    assert spb["others"][0]["name"] == "city:st-petersburg"
    assert spb["dates"]["end"] == {"value": "2022-02", "datatype": "xsd:gYearMonth",
                                   "precision": "precision:month"}
    assert spb["active_until"] == "2022-03-01"
    assert spb["status"]["name"] == "status:ended"
    att = spb["attestations"][0]
    assert att["quote_lang"] == "sv" and att["source"]["date"] == "2019-12-06"
    assert att["source"]["title"] == "Internationell verksamhet"
    assert data["relationships"]["membership"][0]["roles"][0]["name"] == "role:member"


def test_stats(graph):
    stats = graph.stats()
    assert stats["classes"]["cg:City"] == 3
    assert set(stats["graphs"]) == {f"<https://w3id.org/citygraph/graph/{g}>"
                                    for g in ("ontology", "curated", "derived")}
    by_source = {s["name"]: s for s in stats["sources"]}
    assert by_source["source:sv-2019"]["attestations"] == 2
    assert by_source["source:sv-2019"]["relationships"] == 2


# ------------------------------------------------------------------ resolving without the index
# resolve() looks a slug up as a few IRIs and a label with one query, without building the
# name index; these check it against the index (``_resolve_indexed``) on real data.

def _outcome(resolve, name):
    try:
        return ("ok", resolve(name))
    except AmbiguousNameError as exc:
        return ("ambiguous", str(exc), exc.candidates)
    except NotFoundError as exc:
        return ("not found", str(exc))


def _fresh(graph):
    """The same store and manifest without the name index built."""
    return CityGraph(graph.store, graph.settings, graph.manifest, graph.location)


def _assert_direct_agrees(graph, labels, slugs):
    """Each label and slug (as written, upper-cased and lower-cased) finds the same IRIs as
    under the index's keys; every subject the index files by slug is among the candidates."""
    by_label, by_slug = graph._name_index()
    direct = _fresh(graph)
    for label in labels:
        for name in {label, label.upper(), label.lower()}:
            key = name.strip().casefold()
            assert direct._label_matches(key) == by_label.get(key, set()), name
    for slug in slugs:
        for name in {slug, slug.upper()}:
            key = name.casefold()
            assert direct._slug_matches(name, key) == by_slug.get(key, set()), name
    for key, iris in by_slug.items():  # each has the shape _slug_candidates tries
        for iri in iris:
            head, _, segment = iri.rstrip("/").rpartition("/")
            assert head + "/" in _SLUG_BASES and segment == key, iri
            assert iri in (f"{head}/{segment}", f"{head}/{segment}/"), iri
    assert {node.value for node in _slug_candidates("Helsinki", "helsinki")
            if node.value.startswith(CITY)} == {CITY + s for s in ("helsinki", "helsinki/", "Helsinki", "Helsinki/")}


def test_resolve_direct_agrees_with_the_index(graph):
    by_label, by_slug = graph._name_index()
    labels = [row[0].value for row in graph.query(
        "SELECT DISTINCT ?l WHERE { ?s skos:prefLabel|skos:altLabel ?l }").rows]
    _assert_direct_agrees(graph, labels, list(by_slug))
    names = [*labels, *by_slug, "helsinky", "nowhere", "collaboration partner", "city/helsinki",
             "Hel sinki", "", "city", "id", "vocab"]
    for name in names:
        assert _outcome(_fresh(graph).resolve, name) == _outcome(graph._resolve_indexed, name), name
    assert _fresh(graph).resolve("Helsingfors") == CITY + "helsinki"


@pytest.fixture(scope="module")
def curated():
    """The real curated data (no layers), built in memory in a copy of the home."""
    from layers_support import make_layered_home

    return CityGraph.build(make_layered_home(), memory=True, notify=None)


def test_resolve_direct_on_the_curated_data(curated):
    by_label, by_slug = curated._name_index()
    labels = [row[0].value for row in curated.query(
        "SELECT DISTINCT ?l WHERE { ?s skos:prefLabel|skos:altLabel ?l }").rows]
    _assert_direct_agrees(curated, labels, list(by_slug))
    for name in [*labels, *by_slug]:
        assert _outcome(_fresh(curated).resolve, name) == _outcome(curated._resolve_indexed, name), name


def test_resolve_direct_on_imported_layers():
    """A sample of the labels and slugs of a build with the wikidata-p190 and baltic-networks
    layers (imported places share names with curated cities: the curated one wins)."""
    from layers_support import built

    graph = built()
    by_label, by_slug = graph._name_index()
    rows = graph.query("SELECT DISTINCT ?l WHERE { ?s skos:prefLabel|skos:altLabel ?l }").rows
    labels = sorted({row[0].value for row in rows})
    sample = random.Random(7).sample(labels, min(80, len(labels)))
    unusual = [label for label in labels if not label.isascii()][:30]
    slugs = random.Random(7).sample(sorted(by_slug), min(80, len(by_slug)))
    _assert_direct_agrees(graph, sample + unusual, slugs)
    shared = [key for key, iris in by_label.items() if len(iris) > 1][:30]
    for name in [*sample[:20], *shared[:20], *slugs[:20], "Berlin", "berlin", "Helsingfors", "Nowhereville"]:
        assert _outcome(_fresh(graph).resolve, name) == _outcome(graph._resolve_indexed, name), name


def test_resolve_direct_where_casefold_and_lcase_differ(settings):
    """ß, ſ, ligatures, the micro sign and final sigma lowercase (SPARQL LCASE) differently
    from how they casefold (the index): the answers stay the index's."""
    store = ox.Store()
    graph_node = ox.NamedNode("https://w3id.org/citygraph/graph/curated")
    labels = {"strasse": "Straße", "stadt": "ſtadt", "finland": "ﬁnland", "mu": "µ-city",
              "odos": "ΟΔΟΣ", "odos2": "οδός", "sigma": "ΣΙΣ", "istanbul": "İstanbul",
              "kelvin": "\u212aelvin", "plain": "strasse"}
    for slug, label in labels.items():
        store.add(ox.Quad(ox.NamedNode(CITY + slug), ox.NamedNode(SKOS + "prefLabel"),
                          ox.Literal(label, language="en"), graph_node))
    graph = CityGraph(store, settings, {})
    names = [*labels.values(), "STRASSE", "straße", "STRAẞE", "Stadt", "FINLAND", "fi\u0307nland",
             "μ-city", "Μ-CITY", "οδοσ", "οδος", "ΟΔΟΣ", "ΟΔΌΣ", "σισ", "σις", "i̇stanbul",
             "istanbul", "kelvin", "KELVIN"]
    _assert_direct_agrees(graph, names, [])
    for name in names:
        assert _outcome(_fresh(graph).resolve, name) == _outcome(graph._resolve_indexed, name), name
    assert _fresh(graph).resolve("ſtadt") == CITY + "stadt"


def test_store_lcase_agrees_with_python_lower(graph):
    """The label query relies on SPARQL LCASE lowercasing as Python does for every character
    Python knows (those it does not are looked up in the index instead)."""
    codes = [c for c in range(2, 0x110000)
             if not 0xD800 <= c <= 0xDFFF and unicodedata.category(chr(c)) != "Cn"]
    for start in range(0, len(codes), 20000):
        chunk = [chr(c) for c in codes[start:start + 20000]]
        lowered = graph.query(f"SELECT (LCASE({ox.Literal(chr(1).join(chunk))}) AS ?l) WHERE {{}}").rows
        assert lowered[0][0].value.split(chr(1)) == [c.lower() for c in chunk]
    assert "ß" in _fold_special() and "\u03a3" in _fold_special() and "a" not in _fold_special()
