"""Dumps: per layer and for the combined open graph, in six RDF formats."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from citygraph.graph import CityGraph
from citygraph.publish import rdf
from citygraph.publish.files import RDF_FORMATS, WrittenFile, write
from citygraph.publish.layers import Layer, quads

DUMPS_DIR = "dumps"
COMBINED_NAME = "citygraph"


@dataclass
class Dump:
    """The files of one dataset (a layer, or the combined graph)."""

    name: str                 # layer name, or "citygraph" for the combined graph
    layers: list[Layer]
    files: list[WrittenFile]


def dump_name(name: str) -> str:
    return COMBINED_NAME if name == COMBINED_NAME else f"{COMBINED_NAME}-{name}"


def serialise(fmt: str, qs: Sequence[ox.Quad]) -> bytes:
    """``qs`` in one of the RDF formats (triple formats merge the graphs)."""
    if fmt == "trig":
        return rdf.trig(qs)
    if fmt == "nq":
        return rdf.nquads(qs)
    ts = rdf.triples(qs)
    return {"ttl": rdf.turtle, "nt": rdf.ntriples, "jsonld": rdf.jsonld, "rdf": rdf.rdfxml}[fmt](ts)


def write_dumps(graph: CityGraph, root: Path, published: Sequence[Layer], combined: Sequence[Layer],
                gzip_over: int | None, progress: Callable[[str], None] = lambda _m: None) -> list[Dump]:
    """Write every layer's dumps and the combined dumps under ``root/dumps``."""
    combined_quads = quads(graph, combined)
    labels = rdf.blank_labels(combined_quads)
    dumps = []
    for layer in published:
        progress(f"dumping layer {layer.name}")
        if layer in combined:
            qs = rdf.relabel(quads(graph, [layer]), labels)
        else:  # its blank nodes are labelled from its own content alone
            own = quads(graph, [layer])
            qs = rdf.relabel(own, rdf.blank_labels(own))
        files = []
        for fmt in RDF_FORMATS:
            files += write(root, f"{DUMPS_DIR}/{dump_name(layer.name)}.{fmt}", serialise(fmt, qs),
                           fmt, gzip_over)
        dumps.append(Dump(layer.name, [layer], files))
    progress("dumping the combined graph")
    qs = rdf.relabel(combined_quads, labels)
    files = []
    for fmt in RDF_FORMATS:
        files += write(root, f"{DUMPS_DIR}/{dump_name(COMBINED_NAME)}.{fmt}", serialise(fmt, qs),
                       fmt, gzip_over)
    dumps.append(Dump(COMBINED_NAME, list(combined), files))
    files = write(root, "context.jsonld",
                  (json.dumps(rdf.context(), indent=1, ensure_ascii=False) + "\n").encode(), "jsonld")
    return dumps


__all__ = ["COMBINED_NAME", "DUMPS_DIR", "Dump", "dump_name", "serialise", "write_dumps"]
