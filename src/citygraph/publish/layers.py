"""The layers a publication is made of: one named graph each, with its title and licence.

The built-in layers (ontology, curated, derived) are described here; external layers come
from the layer registry (``citygraph.layers``) when it exists, or are passed in by the caller
(tests add a fixture layer this way). A named graph that no table describes is never
published: nobody has said under which licence it could be.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from citygraph.graph import CityGraph
from citygraph.namespaces import CURATED_GRAPH, DERIVED_GRAPH, ONTOLOGY_GRAPH
from citygraph.publish.licences import COMBINED, LICENCES, Licence, licence_for

LANGS = ("fi", "sv", "en")


@dataclass(frozen=True)
class Layer:
    """One named graph as a publication sees it."""

    name: str
    graph: str
    title: dict[str, str]
    description: dict[str, str]
    licence: Licence
    origin: str
    keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def combined(self) -> bool:
        """True when the layer may go into the CC BY 4.0 combined dump and the site."""
        return self.licence.combinable


def _text(fi: str, sv: str, en: str) -> dict[str, str]:
    return {"fi": fi, "sv": sv, "en": en}


BUILTIN: tuple[Layer, ...] = (
    Layer(
        "ontology", ONTOLOGY_GRAPH,
        _text("citygraph-ontologia", "citygraph-ontologi", "citygraph ontology"),
        _text("Sanasto kaupunkien kansainvälisille suhteille: luokat, ominaisuudet ja käsitteistöt "
              "(suhdetyypit, tilat, roolit, painopistealueet) suomeksi, ruotsiksi ja englanniksi.",
              "Vokabulär för städers internationella relationer: klasser, egenskaper och "
              "begreppsscheman (relationstyper, statusar, roller, fokusområden) på finska, svenska "
              "och engelska.",
              "Vocabulary for the international relationships of cities: classes, properties and "
              "concept schemes (relationship kinds, statuses, roles, focus areas) in Finnish, "
              "Swedish and English."),
        LICENCES["CC-BY-4.0"], "citygraph project, ontology/citygraph.ttl",
        {"en": ("ontology", "vocabulary"), "fi": ("ontologia", "sanasto"),
         "sv": ("ontologi", "vokabulär")}),
    Layer(
        "curated", CURATED_GRAPH,
        _text("Helsingin kansainväliset suhteet (kuratoitu)",
              "Helsingfors internationella relationer (kurerad)",
              "Helsinki's international relationships (curated)"),
        _text("Helsingin kaupungin kumppanuuskaupungit, verkostojäsenyydet, organisaatiot, "
              "toimistot ja sopimukset päivämäärineen ja tiloineen; jokaisella tiedolla on "
              "lähdeasiakirja ja sanatarkka lainaus kaupungin omista asiakirjoista.",
              "Helsingfors stads partnerstäder, nätverksmedlemskap, organisationer, kontor och "
              "avtal med datum och status; varje uppgift har ett källdokument och ett ordagrant "
              "citat ur stadens egna dokument.",
              "The City of Helsinki's partner cities, network memberships, organisations, offices "
              "and agreements with their dates and status; every fact cites a source document and "
              "quotes it verbatim from the city's own documents."),
        LICENCES["CC-BY-4.0"],
        "curated by the citygraph project from five public documents of the City of Helsinki "
        "(data/*.ttl)",
        {"en": ("twin cities", "partner cities", "city networks", "international relations"),
         "fi": ("ystävyyskaupungit", "kumppanuuskaupungit", "kaupunkiverkostot",
                "kansainväliset suhteet"),
         "sv": ("vänorter", "partnerstäder", "stadsnätverk", "internationella relationer")}),
    Layer(
        "derived", DERIVED_GRAPH,
        _text("Johdetut yhteydet ja päivämäärät", "Härledda kopplingar och datum",
              "Derived links and dates"),
        _text("Kuratoidusta aineistosta koonnin aikana johdetut oikopolkuyhteydet "
              "(kumppani, jäsen), aktiivisuuspäivämäärät sekä owl:sameAs-linkit Wikidataan ja "
              "GeoNamesiin.",
              "Genvägskopplingar (partner, medlem), aktivitetsdatum och owl:sameAs-länkar till "
              "Wikidata och GeoNames som härletts ur det kurerade materialet när grafen byggs.",
              "Shortcut edges (partner of, member of), the dates on which each relationship is "
              "active, and owl:sameAs links to Wikidata and GeoNames, derived from the curated "
              "layer when the graph is built."),
        LICENCES["CC-BY-4.0"], "derived by citygraph's build rules from the ontology and curated "
        "layers only (src/citygraph/rules/)",
        {"en": ("linked data",), "fi": ("linkitetty data",), "sv": ("länkade data",)}),
)


def _from_registry(info: object) -> Layer:
    """A :class:`citygraph.layers.registry.LayerInfo` as a publication layer."""
    name = str(getattr(info, "name"))
    title_en = str(getattr(info, "title", "") or name)
    origin_obj = getattr(info, "origin", None)
    origin = str(origin_obj) if origin_obj else "citygraph project"
    citation = getattr(info, "citation", None)
    if citation:
        origin += f"; cite: {citation}"
    licence = licence_for(str(getattr(info, "licence")), getattr(info, "licence_label", None))
    return Layer(
        name, str(getattr(info, "graph")),
        _text(f"Ulkoinen aineisto: {title_en}", f"Externt material: {title_en}", title_en),
        _text(f"Ulkoinen avoin aineisto omana nimettynä graafinaan: {title_en}. "
              f"Alkuperä: {origin}. Lisenssi: {licence.title}.",
              f"Externt öppet material i en egen namngiven graf: {title_en}. "
              f"Ursprung: {origin}. Licens: {licence.title}.",
              f"External open data in its own named graph: {title_en}. "
              f"Origin: {origin}. Licence: {licence.title}."),
        licence, origin)


def _registry_layers(graphs: Iterable[str]) -> list[Layer]:
    """Layers of ``graphs`` that the layer registry (``citygraph.layers.registry``) describes."""
    try:
        from citygraph.layers import registry
    except ImportError:  # pragma: no cover - the registry is part of the package
        return []
    builtin = {layer.graph for layer in BUILTIN}
    found = []
    for iri in graphs:
        if iri in builtin:
            continue
        info = registry.by_graph(iri)
        if info is not None:
            found.append(_from_registry(info))
    return found


def graphs_in_store(graph: CityGraph) -> list[str]:
    """Named graphs that hold at least one triple."""
    return sorted(g.value for g in graph.store.named_graphs()
                  if isinstance(g, ox.NamedNode)
                  and next(iter(graph.store.quads_for_pattern(None, None, None, g)), None) is not None)


@dataclass
class LayerPlan:
    """What a publication will do with each named graph of the store."""

    published: list[Layer]        # each gets its own dataset and dumps
    combined: list[Layer]         # the CC BY 4.0 combined dump, the tables and the site
    withheld: list[tuple[Layer, str]]
    unknown: list[str]            # graphs no table describes: never published

    def notes(self) -> list[str]:
        out = [f"layer {layer.name} ({layer.licence.title}) is not published: {why}"
               for layer, why in self.withheld]
        out += [f"named graph <{iri}> has no entry in the layer registry (no licence known): "
                "not published" for iri in self.unknown]
        return out


def plan(graph: CityGraph, extra: Sequence[Layer] = (), include_restricted: bool = False) -> LayerPlan:
    """Decide, per named graph, whether and how it is published."""
    present = graphs_in_store(graph)
    table: dict[str, Layer] = {}
    for layer in (*BUILTIN, *_registry_layers(present), *extra):
        table[layer.graph] = layer
    published, combined, withheld = [], [], []
    for layer in table.values():
        if layer.graph not in present:
            continue
        if layer.licence.combinable:
            published.append(layer)
            combined.append(layer)
        elif layer.licence.publishable or include_restricted:
            published.append(layer)
        else:
            withheld.append((layer, layer.licence.note or "its licence does not allow republication"))
    unknown = [iri for iri in present if iri not in table]
    order = {layer.graph: i for i, layer in enumerate(table.values())}
    published.sort(key=lambda layer: order[layer.graph])
    combined.sort(key=lambda layer: order[layer.graph])
    return LayerPlan(published, combined, withheld, unknown)


def quads(graph: CityGraph, layers: Iterable[Layer]) -> list[ox.Quad]:
    """Every quad of the given layers, in the store's order."""
    out: list[ox.Quad] = []
    for layer in layers:
        out.extend(graph.store.quads_for_pattern(None, None, None, ox.NamedNode(layer.graph)))
    return out


def view(graph: CityGraph, layers: Iterable[Layer]) -> CityGraph:
    """A CityGraph over only ``layers`` (in memory): what the combined publication shows.

    Tables and site pages are made from this view, so a layer left out of the combined
    publication cannot leak into a page through ``describe`` or a query over the union.
    """
    store = ox.Store()
    store.extend(quads(graph, layers))
    return CityGraph(store, graph.settings, graph.manifest)


__all__ = ["BUILTIN", "COMBINED", "LANGS", "Layer", "LayerPlan", "graphs_in_store", "plan",
           "quads", "view"]
