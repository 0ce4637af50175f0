"""The catalogue against the official DCAT-AP 3.0.1 SHACL shapes (pySHACL): 0 violations.

Only the catalogue graph is validated (about a thousand triples): the shapes of the whole
release (``dcat-ap-SHACL.ttl``, ``ranges.ttl`` and the controlled-vocabulary shapes in
``html-shacl/``) take a few seconds on it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib

from citygraph.config import Settings
from citygraph.publish import publish
from citygraph.publish.dcatap import load_shapes, shapes_dir, validate_catalog
from conftest import REPO
from publish_helpers import NC_LAYER, SA_LAYER, fixture_graph, options

SHAPES = shapes_dir(Settings.for_home(REPO))


@pytest.fixture(scope="module")
def catalog(tmp_path_factory) -> rdflib.Graph:
    root = tmp_path_factory.mktemp("dcat")
    graph = fixture_graph(root)
    out = root / "dist"
    publish(graph, out, options(include_restricted=True), extra_layers=[NC_LAYER, SA_LAYER],
            langs=["en"], check=False)
    g = rdflib.Graph()
    g.parse(out / "catalog.ttl", format="turtle")
    return g


def test_the_official_shapes_are_all_loaded() -> None:
    shapes = load_shapes(SHAPES)
    SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    targets = {str(t) for t in shapes.objects(None, SH.targetClass)}
    for cls in ("Catalog", "Dataset", "Distribution", "DataService"):
        assert f"http://www.w3.org/ns/dcat#{cls}" in targets
    # the controlled-vocabulary shapes (EU authority tables) are part of the run
    assert (rdflib.URIRef("http://data.europa.eu/r5r#Distribution_ShapeCV"), rdflib.RDF.type,
            SH.NodeShape) in shapes


def test_catalogue_has_no_violations(catalog: rdflib.Graph) -> None:
    findings = validate_catalog(catalog, SHAPES)
    violations = [str(f) for f in findings if f.severity == "Violation"]
    assert violations == []
    # what remains are recommendations: the publisher is not in the EU corporate-bodies table,
    # the places have no bounding box, the ontology has no temporal coverage
    assert {f.path.rsplit("#", 1)[-1].rsplit("/", 1)[-1] for f in findings} <= {
        "publisher", "bbox", "centroid", "temporal"}


def test_a_broken_catalogue_is_caught(catalog: rdflib.Graph) -> None:
    """The same check fails when a distribution loses its access URL or its format is not
    from the EU file-type table: the test can fail."""
    broken = rdflib.Graph()
    for t in catalog:
        broken.add(t)
    DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
    dist = next(broken.subjects(rdflib.RDF.type, DCAT.Distribution))
    broken.remove((dist, DCAT.accessURL, None))
    fmt = broken.value(dist, rdflib.DCTERMS.format)
    broken.remove((fmt, rdflib.SKOS.inScheme, None))
    violations = [f for f in validate_catalog(broken, SHAPES) if f.severity == "Violation"]
    paths = {f.path for f in violations}
    assert str(DCAT.accessURL) in paths and str(rdflib.DCTERMS.format) in paths
