"""Writing and finding imported layers: N-Quads plus metadata, published atomically.

Layout under ``STORE_DIR/layers/``::

    .NAME-<random>/layer.nq     the layer's quads: its own graph and the GeoNames graph
    .NAME-<random>/meta.json    what was read (files, sha256, rows), counts, match rates
    NAME -> .NAME-<random>      symlink, switched with os.replace() once both files are complete

An import writes a new directory and switches the link last, so a failure midway leaves the
previous import in place; the same input gives byte-identical ``layer.nq`` (sorted, with
blank-node labels derived from the rows), so importing twice gives the same graph.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import time
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox

from citygraph import __version__
from citygraph.config import Settings
from citygraph.errors import StoreError
from citygraph.layers.registry import REGISTRY, LayerInfo, get
from citygraph.namespaces import (
    CG, DCAT, DCTERMS, GEO, ORG, PREFIXES, PROV, RDF, RDFS, SKOS, XSD, XSD_DATE, XSD_GYEAR,
    XSD_GYEARMONTH, XSD_INTEGER,
)

LAYERS = "layers"
NQUADS = "layer.nq"
META = "meta.json"

SPDX = "http://spdx.org/rdf/terms#"
GN = "http://www.geonames.org/ontology#"
CITY = PREFIXES["city"]
COUNTRY = PREFIXES["country"]
SOURCE = PREFIXES["source"]
XSD_DECIMAL = XSD + "decimal"

_TYPE = ox.NamedNode(RDF + "type")


def layers_dir(settings: Settings) -> Path:
    return settings.store_dir / LAYERS


def layer_path(settings: Settings, name: str) -> Path | None:
    """The directory of the current import of ``name``, or None when it was never imported."""
    link = layers_dir(settings) / name
    if not link.is_symlink() and not link.is_dir():
        return None
    target = link.resolve()
    if not (target / NQUADS).is_file() or not (target / META).is_file():
        return None
    return target


def imported(settings: Settings) -> dict[str, Path]:
    """Every imported layer: name -> directory, sorted by name."""
    root = layers_dir(settings)
    if not root.is_dir():
        return {}
    found = {}
    for entry in sorted(root.iterdir()):
        if entry.name.startswith("."):
            continue
        path = layer_path(settings, entry.name)
        if path is not None:
            found[entry.name] = path
    return found


def read_meta(path: Path) -> dict:
    try:
        return json.loads((path / META).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StoreError(f"{path / META} is unreadable ({exc}); import the layer again") from exc


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_record(path: Path, rows: int, relpath: str) -> dict:
    """What the metadata records about one input file."""
    stat = path.stat()
    return {
        "path": relpath,
        "bytes": stat.st_size,
        "sha256": sha256_file(path),
        "rows": rows,
        "retrieved": datetime.fromtimestamp(stat.st_mtime, timezone.utc).date().isoformat(),
    }


def _label(text: str) -> str:
    """A blank-node label from arbitrary text (N-Quads allows letters, digits, - _ .)."""
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in text)
    return safe.strip("_") or "b"


class LayerWriter:
    """Collects a layer's quads and publishes them with their metadata."""

    def __init__(self, info: LayerInfo | str) -> None:
        self.info = get(info) if isinstance(info, str) else info
        self.graph = ox.NamedNode(self.info.graph)
        self.geonames_graph = ox.NamedNode(REGISTRY["geonames"].graph)
        self.quads: set[ox.Quad] = set()
        self._nodes: dict[str, ox.NamedNode] = {}
        self._described: set[str] = set()
        self._iris: dict[str, tuple[str, ...]] = {}

    # ------------------------------------------------------------------ terms
    def node(self, iri: str) -> ox.NamedNode:
        found = self._nodes.get(iri)
        if found is None:
            found = self._nodes[iri] = ox.NamedNode(iri)
        return found

    def bnode(self, *parts: object) -> ox.BlankNode:
        """A blank node whose label is derived from the layer name and ``parts`` (deterministic)."""
        return ox.BlankNode(_label(self.info.name + "-" + "-".join(str(p) for p in parts)))

    @staticmethod
    def text(value: str, lang: str | None = None) -> ox.Literal:
        return ox.Literal(value, language=lang) if lang else ox.Literal(value)

    @staticmethod
    def typed(value: object, datatype: str) -> ox.Literal:
        return ox.Literal(str(value), datatype=ox.NamedNode(datatype))

    @classmethod
    def date(cls, value: str) -> ox.Literal:
        """``"2020-09"`` -> xsd:gYearMonth, ``"2009"`` -> xsd:gYear, ``"2024-12-02"`` -> xsd:date."""
        datatype = {4: XSD_GYEAR, 7: XSD_GYEARMONTH, 10: XSD_DATE}[len(value)]
        return cls.typed(value, datatype)

    @classmethod
    def decimal(cls, value: float) -> ox.Literal:
        return cls.typed(f"{value:.6f}".rstrip("0").rstrip("."), XSD_DECIMAL)

    # ------------------------------------------------------------------ adding
    def add(self, s: ox.NamedNode | ox.BlankNode, p: str, o: ox.NamedNode | ox.BlankNode | ox.Literal,
            graph: ox.NamedNode | None = None) -> None:
        self.quads.add(ox.Quad(s, self.node(p), o, graph or self.graph))

    def a(self, s: ox.NamedNode | ox.BlankNode, cls: str, graph: ox.NamedNode | None = None) -> None:
        self.quads.add(ox.Quad(s, _TYPE, self.node(cls), graph or self.graph))

    # ------------------------------------------------------------------ places
    def country(self, iso2: str, gazetteer) -> ox.NamedNode:  # noqa: ANN001 (Gazetteer)
        """The curated country with this ISO code, else ``country:xx`` described from GeoNames."""
        curated = gazetteer.curated.countries.get(iso2)
        if curated:
            return self.node(curated)
        iri = COUNTRY + iso2.lower()
        node = self.node(iri)
        if iri not in self._described:
            self._described.add(iri)
            g = self.geonames_graph
            self.a(node, CG + "Country", g)
            self.add(node, SKOS + "prefLabel", self.text(gazetteer.countries.name(iso2), "en"), g)
            self.add(node, CG + "isoCode", self.text(iso2), g)
            info = gazetteer.countries.info.get(iso2)
            if info and info.get("geonameid"):
                self.add(node, CG + "geonamesId", self.text(str(info["geonameid"])), g)
        return node

    def geonames_place(self, geonameid: int, gazetteer) -> ox.NamedNode:  # noqa: ANN001
        """The entity for a GeoNames place; non-curated ones are described in the GeoNames graph."""
        iri = gazetteer.iri(geonameid)
        node = self.node(iri)
        if iri in self._described or gazetteer.is_curated(iri):
            return node
        self._described.add(iri)
        row = gazetteer.places[geonameid]
        g = self.geonames_graph
        self.a(node, CG + "City", g)
        self.add(node, SKOS + "prefLabel", self.text(row["name"]), g)
        self.add(node, CG + "geonamesId", self.text(str(geonameid)), g)
        self.add(node, CG + "country", self.country(row["countrycode"], gazetteer), g)
        self.add(node, GEO + "lat", self.decimal(row["latitude"]), g)
        self.add(node, GEO + "long", self.decimal(row["longitude"]), g)
        if row.get("population"):
            self.add(node, GN + "population", self.typed(int(row["population"]), XSD_INTEGER), g)
        return node

    def local_place(self, iri: str, name: str, iso2: str | None, gazetteer,  # noqa: ANN001
                    lat: float | None = None, lng: float | None = None,
                    candidates: Iterable[int] = ()) -> ox.NamedNode:
        """A place no GeoNames entry could be matched to with certainty, described in this layer
        as the source publishes it; ``candidates`` are the GeoNames places it may be."""
        node = self.node(iri)
        if iri in self._described:
            return node
        self._described.add(iri)
        self.a(node, CG + "City")
        self.add(node, SKOS + "prefLabel", self.text(name))
        if iso2:
            self.add(node, CG + "country", self.country(iso2, gazetteer))
        if lat is not None and lng is not None:
            self.add(node, GEO + "lat", self.decimal(lat))
            self.add(node, GEO + "long", self.decimal(lng))
        for gid in candidates:
            self.add(node, CG + "candidateMatch", self.geonames_place(gid, gazetteer))
        return node

    def published_name(self, node: ox.NamedNode, name: str, gazetteer=None) -> None:  # noqa: ANN001
        """Record how this source names a place it was matched to (skos:altLabel in the layer)."""
        name = name.strip()
        if name:
            self.add(node, SKOS + "altLabel", self.text(name))

    # ------------------------------------------------------------------ sources and evidence
    def dataset(self, iri: str, title: str, issued: str | None, origin_text: str,
                files: list[tuple[str, dict]], *, not_before: str | None = None,
                not_after: str | None = None, page: str | None = None,
                description: str | None = None, repository: str | None | bool = True) -> ox.NamedNode:
        """A source dataset: ``cg:SourceDocument`` and ``dcat:Dataset`` with DCAT/PROV metadata.

        ``files`` are ``(download URL or None, file record)`` pairs (see :func:`file_record`);
        ``repository`` is the origin repository (default: the layer's), or None.
        """
        node = self.node(iri)
        info = self.info
        self.a(node, CG + "SourceDocument")
        self.a(node, DCAT + "Dataset")
        self.add(node, DCTERMS + "title", self.text(title, "en"))
        if description:
            self.add(node, DCTERMS + "description", self.text(description, "en"))
        if issued:
            self.add(node, DCTERMS + "issued", self.date(issued))
        if not_before:
            self.add(node, CG + "issuedNotBefore", self.date(not_before))
        if not_after:
            self.add(node, CG + "issuedNotAfter", self.date(not_after))
        self.add(node, DCTERMS + "license", self.node(info.licence))
        self.add(node, CG + "origin", self.text(origin_text, "en"))
        if info.citation:
            self.add(node, DCTERMS + "bibliographicCitation", self.text(info.citation))
        if repository is True and info.origin is not None:
            repository = info.origin.repository
        if isinstance(repository, str):
            self.add(node, DCTERMS + "source", self.node(repository))
        if page:
            self.add(node, DCTERMS + "source", self.node(page))
        self.add(node, DCTERMS + "isPartOf", self.graph)
        for url, record in files:
            dist = self.bnode("dist", iri.rsplit("/", 1)[-1], record["path"])
            self.add(node, DCAT + "distribution", dist)
            self.a(dist, DCAT + "Distribution")
            if url:
                self.add(node, PROV + "wasDerivedFrom", self.node(url))
                self.add(dist, DCAT + "downloadURL", self.node(url))
            if page:
                self.add(dist, DCAT + "accessURL", self.node(page))
            self.add(dist, DCTERMS + "title", self.text(record["path"]))
            self.add(dist, DCAT + "byteSize", self.typed(record["bytes"], XSD_INTEGER))
            self.add(dist, CG + "rowCount", self.typed(record["rows"], XSD_INTEGER))
            self.add(dist, DCTERMS + "modified", self.typed(record["retrieved"], XSD_DATE))
            self.add(dist, DCTERMS + "license", self.node(info.licence))
            checksum = self.bnode("sum", iri.rsplit("/", 1)[-1], record["path"])
            self.add(dist, SPDX + "checksum", checksum)
            self.a(checksum, SPDX + "Checksum")
            self.add(checksum, SPDX + "algorithm", self.node(SPDX + "checksumAlgorithm_sha256"))
            self.add(checksum, SPDX + "checksumValue", self.text(record["sha256"]))
        return node

    def describe_layer(self, sources: Iterable[ox.NamedNode]) -> None:
        """The layer's graph as a DCAT dataset with its licence, title and sources."""
        g = self.graph
        info = self.info
        self.a(g, DCAT + "Dataset")
        self.add(g, DCTERMS + "title", self.text(info.title, "en"))
        self.add(g, DCTERMS + "license", self.node(info.licence))
        for source in sources:
            self.add(g, PROV + "wasDerivedFrom", source)
        licence = self.node(info.licence)
        self.a(licence, DCTERMS + "LicenseDocument")
        self.add(licence, RDFS + "label", self.text(info.licence_label, "en"))
        gn = self.geonames_graph
        gn_info = REGISTRY["geonames"]
        self.a(gn, DCAT + "Dataset", gn)
        self.add(gn, DCTERMS + "title", self.text(gn_info.title, "en"), gn)
        self.add(gn, DCTERMS + "license", self.node(gn_info.licence), gn)
        self.add(gn, DCTERMS + "source", self.node("https://www.geonames.org/"), gn)

    def attest(self, subject: ox.NamedNode, source: ox.NamedNode, row: int, record: str,
               described_as: str | None = None, about: ox.NamedNode | None = None,
               key: str = "") -> ox.NamedNode:
        """Evidence from a data row: the dataset, the row's line number and the fields that state
        the fact; ``about`` is the entity on whose page or item a directional source states it.

        Attestations of layers are IRIs (``<relationship>#<source>-<row>``), not blank nodes as
        in the curated Turtle: the build derives each layer apart and loads the result, and
        only IRIs survive that (Oxigraph renames blank nodes when it loads a file)."""
        fragment = f"{source.value.rsplit('/', 1)[-1]}-{row}" + (f"-{_label(key)}" if key else "")
        att = self.node(f"{subject.value}#{fragment}")
        self.add(subject, CG + "attestation", att)
        self.add(att, CG + "source", source)
        self.add(att, CG + "sourceRow", self.typed(row, XSD_INTEGER))
        self.add(att, CG + "sourceRecord", self.text(record))
        if described_as:
            self.add(att, CG + "describedAs", self.node(described_as))
        if about is not None:
            self.add(att, DCTERMS + "subject", about)
        return att

    def _relationship_iri(self, kind: str, parts: tuple[str, ...]) -> str:
        """``partnership:LAYER-A-B``: a lowercase slug with hyphens (the shapes' pattern); in the
        unlikely case that two different pairs spell the same slug, the later one gets a hash."""
        iri = f"{PREFIXES[kind]}{self.info.name}-{'-'.join(parts)}"
        owner = self._iris.setdefault(iri, parts)
        if owner != parts:
            iri += "-" + hashlib.sha1("|".join(parts).encode()).hexdigest()[:6]
        return iri

    def partnership(self, a: ox.NamedNode, b: ox.NamedNode) -> ox.NamedNode:
        """The layer's partnership node for an unordered pair of places."""
        slugs = tuple(sorted((a.value.rsplit("/", 1)[-1], b.value.rsplit("/", 1)[-1])))
        node = self.node(self._relationship_iri("partnership", slugs))
        if node.value not in self._described:
            self._described.add(node.value)
            self.a(node, CG + "Partnership")
            self.add(node, CG + "party", a)
            self.add(node, CG + "party", b)
        return node

    def membership(self, member: ox.NamedNode, network: ox.NamedNode, role: str) -> ox.NamedNode:
        parts = (member.value.rsplit("/", 1)[-1], network.value.rsplit("/", 1)[-1])
        node = self.node(self._relationship_iri("membership", parts))
        if node.value not in self._described:
            self._described.add(node.value)
            self.a(node, CG + "Membership")
            self.add(node, ORG + "member", member)
            self.add(node, ORG + "organization", network)
            self.add(node, ORG + "role", self.node(role))
        return node

    # ------------------------------------------------------------------ publishing
    def serialize(self) -> bytes:
        """Sorted, duplicate-free N-Quads: the same quads always give the same bytes."""
        data = ox.serialize(self.quads, format=ox.RdfFormat.N_QUADS)
        lines = sorted(set(data.splitlines()))
        return b"\n".join(lines) + b"\n"

    def _check(self, settings: Settings, target: Path) -> dict | None:
        """Validate the new layer against shapes/layers.ttl before it replaces the old one:
        violations raise :class:`~citygraph.validate.ConsistencyError` (the old import stays)."""
        from citygraph.validate import check_for_build

        report = check_for_build(settings, [], layer_dirs={self.info.name: target})
        if report is None:
            return None
        return {"conforms": report.conforms, "counts": report.counts(),
                "seconds": round(report.seconds.get("total", 0.0), 2)}

    def publish(self, settings: Settings, meta: dict) -> Path:
        """Write ``layer.nq`` and ``meta.json`` into a new directory and switch the link to it,
        only when the layer has no violation of shapes/layers.ttl."""
        root = layers_dir(settings)
        name = self.info.name
        try:
            root.mkdir(parents=True, exist_ok=True)
            target = root / f".{name}-{secrets.token_hex(4)}"
            target.mkdir()
        except OSError as exc:
            raise StoreError(f"cannot write layers under {root}: {exc}; check CITYGRAPH_STORE_DIR") from exc
        try:
            body = self.serialize()
            (target / NQUADS).write_bytes(body)
            checked = self._check(settings, target)
            meta = {
                "name": name,
                "graph": self.info.graph,
                "title": self.info.title,
                "licence": self.info.licence,
                "licence_label": self.info.licence_label,
                "open_licence": self.info.open_licence,
                "origin": None if self.info.origin is None else {
                    "repository": self.info.origin.repository, "commit": self.info.origin.commit,
                    "paths": list(self.info.origin.paths), "note": self.info.origin.note},
                "quads": body.count(b"\n"),
                "nquads_sha256": hashlib.sha256(body).hexdigest(),
                "citygraph_version": __version__,
                "imported": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                **({"validation": checked} if checked else {}),
                **meta,
            }
            (target / META).write_text(json.dumps(meta, indent=2, ensure_ascii=False, sort_keys=True) + "\n",
                                       encoding="utf-8")
            link = root / name
            tmp = root / f".{name}.link-{secrets.token_hex(4)}"
            os.symlink(target.name, tmp)
            os.replace(tmp, link)
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)
            raise
        for old in root.glob(f".{name}-*"):
            if old != target and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
        return target


def remove(settings: Settings, name: str) -> bool:
    """Forget an imported layer (``citygraph import remove``); True when there was one."""
    root = layers_dir(settings)
    link = root / name
    if not link.is_symlink() and not link.exists():
        return False
    target = link.resolve()
    link.unlink()
    if target.parent == root.resolve():
        shutil.rmtree(target, ignore_errors=True)
    return True


def source_dir(settings: Settings, info: LayerInfo, source: str | Path | None) -> Path:
    """Where to read a dataset's files: ``source`` (a folder, or an http(s)/file URL of the
    folder, whose files are then downloaded into the store's cache), else the external-data
    directory (``$SHARED_DIR/external/FOLDER``)."""
    from citygraph.errors import NotFoundError

    if source is None:
        folder = settings.shared_dir / "external" / (info.folder or info.name)
    elif isinstance(source, str) and "://" in source:
        folder = _download(settings, info, source)
    else:
        folder = Path(source)
    missing = [name for name in info.files if not (folder / name).is_file()]
    if missing:
        raise NotFoundError(
            f"{info.name}: {', '.join(missing)} not found in {folder}; give the folder with "
            f"--from, or set CITYGRAPH_SHARED_DIR (the dataset comes from {info.origin.repository if info.origin else '?'})")
    return folder


def _download(settings: Settings, info: LayerInfo, url: str) -> Path:
    import urllib.error
    import urllib.request

    folder = settings.store_dir / "cache" / "downloads" / info.name
    folder.mkdir(parents=True, exist_ok=True)
    base = url if url.endswith("/") else url + "/"
    for name in info.files:
        tmp = folder / f".{name}.{secrets.token_hex(4)}"
        try:
            with urllib.request.urlopen(base + name, timeout=60) as response, tmp.open("wb") as out:  # noqa: S310
                shutil.copyfileobj(response, out)
            os.replace(tmp, folder / name)
        except (OSError, urllib.error.URLError) as exc:
            tmp.unlink(missing_ok=True)
            raise StoreError(f"{info.name}: cannot download {base + name}: {exc}") from exc
    return folder


class Timer:
    """Wall-clock seconds per step, for the metadata and the README's figures."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.steps: dict[str, float] = {}
        self._last = self.start

    def step(self, name: str) -> None:
        now = time.perf_counter()
        self.steps[name] = round(now - self._last, 2)
        self._last = now

    def total(self) -> float:
        return round(time.perf_counter() - self.start, 2)


__all__ = ["LayerWriter", "imported", "layer_path", "layers_dir", "read_meta", "file_record",
           "remove", "Timer", "NQUADS", "META", "SOURCE", "CITY"]
