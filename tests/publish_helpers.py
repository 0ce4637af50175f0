"""Shared by the publication tests: the basic fixture graph with two extra layers whose
licences must keep them out of the CC BY publication, and a publication of it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyoxigraph as ox

from citygraph.config import Settings
from citygraph.graph import CityGraph
from citygraph.namespaces import GRAPH, PREFIXES
from citygraph.publish.layers import Layer
from citygraph.publish.licences import LICENCES
from citygraph.publish.options import PublishOptions
from conftest import make_home

BASE = "https://data.example.org/citygraph/"
DAY = date(2026, 1, 15)
NC_GRAPH = GRAPH + "test-noncommercial"
SA_GRAPH = GRAPH + "test-sharealike"
NC_NAME = "Secret Climate Network"
SA_NAME = "Share Alike Twin Town"


def _text(en: str) -> dict[str, str]:
    return {"fi": en + " (fi)", "sv": en + " (sv)", "en": en}


NC_LAYER = Layer("test-noncommercial", NC_GRAPH, _text("Non-commercial fixture"),
                 _text("A fixture layer under a non-commercial licence."),
                 LICENCES["CC-BY-NC-4.0"], "tests/publish_helpers.py")
SA_LAYER = Layer("test-sharealike", SA_GRAPH, _text("Share-alike fixture"),
                 _text("A fixture layer under CC BY-SA 4.0."),
                 LICENCES["CC-BY-SA-4.0"], "tests/publish_helpers.py")


def _quads(graph_iri: str, network: str, name: str) -> list[ox.Quad]:
    g = ox.NamedNode(graph_iri)
    net = ox.NamedNode(PREFIXES["network"] + network)
    tallinn = ox.NamedNode(PREFIXES["city"] + "tallinn")
    return [
        ox.Quad(net, ox.NamedNode(PREFIXES["rdf"] + "type"), ox.NamedNode(PREFIXES["cg"] + "CityNetwork"), g),
        ox.Quad(net, ox.NamedNode(PREFIXES["skos"] + "prefLabel"), ox.Literal(name, language="en"), g),
        ox.Quad(tallinn, ox.NamedNode(PREFIXES["cg"] + "memberOf"), net, g),
    ]


def fixture_graph(root: Path) -> CityGraph:
    """The basic fixture in memory, plus a non-commercial and a share-alike layer."""
    home = make_home(root / "home")
    graph = CityGraph.build(Settings.for_home(home), memory=True, notify=None)
    graph.store.extend(_quads(NC_GRAPH, "secret-climate-network", NC_NAME))
    graph.store.extend(_quads(SA_GRAPH, "share-alike-twins", SA_NAME))
    return graph


def options(**overrides: object) -> PublishOptions:
    values: dict = {"base_url": BASE, "date": DAY, "gzip_over": 0}
    values.update(overrides)
    return PublishOptions(**values)
