"""Open-data publication: ``publish(graph, out_dir, options)`` writes a complete release.

What a publication directory holds::

    index.html (+ .fi/.sv)   landing page: search, downloads, schema.org Dataset JSON-LD
    id/{kind}/{slug}.html    a page per entity (+ .fi.html, .sv.html), twins .ttl .jsonld .nt .json
    class/*.html             an index page per class; ontology.html: the vocabulary
    dumps/                   citygraph-{layer}.{ttl,nt,trig,nq,jsonld,rdf} and citygraph.* (combined)
    csv/                     tables and csv-metadata.json (CSVW)
    catalog.ttl, catalog.jsonld   DCAT-AP 3 catalogue
    void.ttl                 VoID description
    context.jsonld, search-index.{json,js}, sitemap.xml, robots.txt, static/
    release.json, changelog.json, CHANGELOG.md

The directory is written next to ``out_dir`` and swapped in when complete, so a failed
publication leaves the previous one as it was.
"""

from __future__ import annotations

import json
import secrets
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import rdflib

from citygraph import __version__
from citygraph.errors import CityGraphError
from citygraph.graph import CityGraph
from citygraph.publish import layers as layer_plan, rdf
from citygraph.publish.catalog import ReleaseInfo, build_catalog
from citygraph.publish.dumps import COMBINED_NAME, Dump, write_dumps
from citygraph.publish.files import FORMATS, WrittenFile, write
from citygraph.publish.layers import Layer, LayerPlan
from citygraph.publish.options import PublishOptions
from citygraph.publish.release import (
    CHANGELOG_JSON, CHANGELOG_MD, RELEASE, PublicationError, Snapshot, changelog_entry,
    changelog_markdown, diff,
)
from citygraph.publish.site import schema_org_dataset, write_site
from citygraph.publish.tables import TABLES, write_tables
from citygraph.publish.void import build_void, combined_stats, layer_stats, temporal_coverage

Notify = Callable[[str], None]


@dataclass
class Publication:
    """What was published (also written as ``release.json``)."""

    path: Path
    version: str
    plan: LayerPlan
    dumps: list[Dump]
    tables: dict[str, int]
    pages: int
    entities: int
    notes: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        combined = next(d for d in self.dumps if d.name == COMBINED_NAME)
        nt = next(f for f in combined.files if f.format == "nt" and not f.gzip)
        return (f"published release {self.version} to {self.path}: "
                f"{len(self.plan.published)} layer(s) ({', '.join(layer.name for layer in self.plan.published)}), "
                f"combined CC BY 4.0 dump of {', '.join(layer.name for layer in self.plan.combined)} "
                f"({nt.size:,} bytes as N-Triples), {self.entities} entity pages, "
                f"{sum(self.tables.values())} table rows")


def _check_data(graph: CityGraph, notify: Notify | None) -> None:
    """Refuse to publish data that breaks the project's SHACL shapes."""
    try:
        from citygraph import validate
    except ImportError:  # pragma: no cover - validate is part of the package
        return
    from citygraph.layers.base import layer_path
    from citygraph.store import data_files

    files = data_files(graph.settings)
    layers = [name for name in (graph.manifest.get("layers") or [])
              if layer_path(graph.settings, name) is not None]
    if files or layers:
        validate.check_for_build(graph.settings, files, notify=notify, layers=layers)


def _serialise_rdflib(g: rdflib.Graph, fmt: str) -> bytes:
    if fmt == "turtle":
        return g.serialize(format="turtle").encode()
    context = {prefix: str(ns) for prefix, ns in g.namespaces()}
    text = g.serialize(format="json-ld", context=context, auto_compact=True, indent=1, sort_keys=True,
                       ensure_ascii=False)
    return (text.rstrip("\n") + "\n").encode()


def _target(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise PublicationError(f"{out_dir} is a file; give a directory")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / RELEASE).is_file():
        raise PublicationError(f"{out_dir} is not empty and holds no publication ({RELEASE}); "
                               "choose an empty or new directory")


def publish(graph: CityGraph, out_dir: Path | str, options: PublishOptions | None = None, *,
            extra_layers: Sequence[Layer] = (), previous: Path | str | None = None,
            langs: Sequence[str] = ("en", "fi", "sv"), check: bool = True,
            notify: Notify | None = None, progress: Notify | None = None) -> Publication:
    """Publish ``graph`` into ``out_dir``.

    ``previous`` is the publication to compare with (default: what ``out_dir`` already holds);
    ``extra_layers`` adds layer descriptions to the registry (tests use it for fixture layers).
    """
    options = options or PublishOptions()
    step = progress or (lambda _m: None)
    out_dir = Path(out_dir).resolve()
    _target(out_dir)
    if check:
        step("checking the data against the shapes")
        _check_data(graph, notify)
    plan = layer_plan.plan(graph, extra_layers, include_restricted=options.include_restricted)
    if not plan.combined:
        raise CityGraphError("no layer with a licence compatible with CC BY 4.0 is in the store; "
                             "nothing to publish (run `citygraph build`)")
    for note in plan.notes():
        if notify:
            notify("note: " + note)
    prev_dir = Path(previous).resolve() if previous else (out_dir if (out_dir / RELEASE).is_file() else None)
    before = Snapshot.load(prev_dir) if prev_dir else None
    version = options.version
    if before is not None and before.release.get("version") == version:
        if getattr(options, "_explicit_version", False):
            raise PublicationError(f"release {version} already exists in {prev_dir}; give a new --version")
        n = 2
        while f"{options.version}.{n}" == before.release.get("version") or \
                any(e.get("version") == f"{options.version}.{n}" for e in before.changelog):
            n += 1
        version = f"{options.version}.{n}"
    issued = before.release.get("issued", options.date.isoformat()) if before else options.date.isoformat()

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    work = out_dir.parent / f".{out_dir.name}.publishing-{secrets.token_hex(4)}"
    work.mkdir()
    try:
        view = layer_plan.view(graph, plan.combined)
        dumps = write_dumps(graph, work, plan.published, plan.combined, options.gzip_over, step)
        step("writing the CSV tables")
        table_files, table_counts = write_tables(view, work, options.base_url)

        step("counting")
        stats = {layer.name: layer_stats(graph, layer) for layer in plan.published}
        whole = combined_stats(view, plan.combined)
        temporal = {layer.name: temporal_coverage(graph, layer) for layer in plan.published}
        combined_temporal = [t for name, t in temporal.items()
                             if t and name in {layer.name for layer in plan.combined}]
        span = (min(t[0] for t in combined_temporal), max(t[1] for t in combined_temporal)) \
            if combined_temporal else None

        # the changelog needs this release's dumps and tables: diff against a snapshot of them
        release_meta = {"version": version, "date": options.date.isoformat(), "issued": issued}
        (work / RELEASE).write_text(json.dumps({**release_meta, "layers": {
            layer.name: {} for layer in plan.published}}), encoding="utf-8")
        d = diff(before, Snapshot.load(work)) if before is not None else None
        entries = [changelog_entry(d, version, options.date.isoformat())]
        if before is not None:
            entries += [e for e in before.changelog if e.get("version") != version]
        notes = "First publication." if d is None else (
            "; ".join(d.changes[:20]) or
            "Changed triples: " + ", ".join(f"{c.layer} +{c.triples_added}/-{c.triples_removed}"
                                            for c in d.layers) if not d.empty else "No changes in the data.")

        step("writing the site")
        combined_dump = next(x for x in dumps if x.name == COMBINED_NAME)
        datasets = []
        for x in dumps:
            licence = (layer_plan.COMBINED if x.name == COMBINED_NAME else x.layers[0].licence)
            names = ", ".join(layer.name for layer in plan.combined)
            title = ({"en": f"The combined open graph: {names}", "fi": f"Yhdistetty avoin graafi: {names}",
                      "sv": f"Den sammanslagna öppna grafen: {names}"}
                     if x.name == COMBINED_NAME else
                     {lang: f"{x.name}: {x.layers[0].title.get(lang) or x.layers[0].title['en']}"
                      for lang in ("en", "fi", "sv")})
            note = "" if x.name == COMBINED_NAME or licence.combinable else licence.note
            datasets.append({"title": title, "licence": licence.key, "licence_url": licence.url,
                             "note": note, "files": [{"path": f.path, "bytes": f.size, "media_type": f.media_type,
                                                       "label": f.path.rsplit("/", 1)[-1]} for f in x.files]})
        datasets.insert(0, datasets.pop())  # the combined graph first
        schema = schema_org_dataset(
            options, release_meta,
            "The City of Helsinki's international relationships — partner cities, networks, "
            "organisations, agreements — with dates, status, sources and verbatim quotes.",
            sorted({w for layer in plan.combined for w in layer.keywords.get("en", ())}), span,
            [f for f in combined_dump.files if not f.gzip] + [f for f in table_files if f.format == "csv"])
        site = write_site(view, work, options, release=release_meta, datasets=datasets,
                          tables=table_files, schema_org=schema, langs=langs,
                          labels=rdf.blank_labels(layer_plan.quads(graph, plan.combined)), progress=step)
        index_file = next(f for f in site.files if f.path == "index.html")

        step("writing the catalogue and VoID")
        info = ReleaseInfo(version, options.date, _date(issued), notes)
        catalog = build_catalog(options, info, plan.published, plan.combined, dumps, table_files,
                                index_file, {**temporal, COMBINED_NAME: span}, _centroid(view),
                                {name: title for name, (title, _c) in TABLES.items()})
        write(work, "catalog.ttl", _serialise_rdflib(catalog, "turtle"), "ttl")
        write(work, "catalog.jsonld", _serialise_rdflib(catalog, "json-ld"), "jsonld")
        void = build_void(options, view, plan.published, plan.combined, stats, whole, dumps)
        write(work, "void.ttl", _serialise_rdflib(void, "turtle"), "ttl")

        (work / CHANGELOG_JSON).write_text(json.dumps(entries, indent=1, ensure_ascii=False) + "\n",
                                           encoding="utf-8")
        (work / CHANGELOG_MD).write_text(changelog_markdown(entries), encoding="utf-8")
        manifest = {
            **release_meta,
            "previous": before.release.get("version") if before else None,
            "citygraph_version": __version__,
            "base_url": options.base_url,
            "sparql_url": options.sparql_url,
            "licence": layer_plan.COMBINED.key,
            "layers": {layer.name: {
                "graph": layer.graph, "title": layer.title, "licence": layer.licence.key,
                "licence_iri": layer.licence.iri, "in_combined": layer in plan.combined,
                "origin": layer.origin, **vars(stats[layer.name]),
                "files": [vars(f) for f in next(x for x in dumps if x.name == layer.name).files],
            } for layer in plan.published},
            "combined": {"layers": [layer.name for layer in plan.combined], **vars(whole),
                         "files": [vars(f) for f in combined_dump.files]},
            "withheld": plan.notes(),
            "tables": table_counts,
            "site": {"pages": len(site.pages), "entities": site.entities},
        }
        (work / RELEASE).write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n",
                                    encoding="utf-8")
        _swap(work, out_dir)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return Publication(out_dir, version, plan, dumps, table_counts, len(site.pages), site.entities,
                       plan.notes(), d.changes if d else [])


def _centroid(view: CityGraph) -> str:
    """Helsinki's coordinates from the graph, as a WKT point (empty when unknown)."""
    rows = view.query("SELECT ?lat ?long WHERE { city:helsinki geo:lat ?lat ; geo:long ?long }").rows
    return f"POINT({rows[0][1].value} {rows[0][0].value})" if rows else ""


def _date(value: str):  # type: ignore[no-untyped-def]
    from datetime import date

    return date.fromisoformat(value)


def _swap(work: Path, out_dir: Path) -> None:
    old = None
    if out_dir.exists():
        old = out_dir.parent / f".{out_dir.name}.old-{secrets.token_hex(4)}"
        out_dir.rename(old)
    work.rename(out_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


__all__ = ["FORMATS", "Layer", "Publication", "PublishOptions", "WrittenFile", "publish"]
