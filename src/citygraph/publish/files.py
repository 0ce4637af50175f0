"""Files of a publication: formats, media types, and the record kept for each written file."""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from pathlib import Path

#: EU Publications Office file-type authority table
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
IANA = "http://www.iana.org/assignments/media-types/"


@dataclass(frozen=True)
class Format:
    key: str          # file extension
    title: str
    media_type: str
    file_type: str    # local name in the EU file-type table
    quads: bool = False


FORMATS: dict[str, Format] = {f.key: f for f in (
    Format("ttl", "Turtle", "text/turtle", "RDF_TURTLE"),
    Format("nt", "N-Triples (sorted)", "application/n-triples", "RDF_N_TRIPLES"),
    Format("trig", "TriG (named graphs)", "application/trig", "RDF_TRIG", quads=True),
    Format("nq", "N-Quads (sorted, named graphs)", "application/n-quads", "RDF_N_QUADS", quads=True),
    Format("jsonld", "JSON-LD", "application/ld+json", "JSON_LD"),
    Format("rdf", "RDF/XML", "application/rdf+xml", "RDF_XML"),
    Format("csv", "CSV", "text/csv", "CSV"),
    Format("json", "JSON", "application/json", "JSON"),
    Format("html", "HTML", "text/html", "HTML"),
)}
GZIP_MEDIA_TYPE = "application/gzip"
RDF_FORMATS = ("ttl", "nt", "trig", "nq", "jsonld", "rdf")


@dataclass(frozen=True)
class WrittenFile:
    """One file of the publication (path relative to the publication's root)."""

    path: str
    size: int
    sha256: str
    format: str       # key in FORMATS
    gzip: bool = False

    @property
    def media_type(self) -> str:
        return FORMATS[self.format].media_type


def write(root: Path, relpath: str, content: bytes, fmt: str, gzip_over: int | None = None) -> list[WrittenFile]:
    """Write ``content`` (and a reproducible ``.gz`` next to it when larger than ``gzip_over``)."""
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    out = [WrittenFile(relpath, len(content), hashlib.sha256(content).hexdigest(), fmt)]
    if gzip_over is not None and len(content) > gzip_over:
        packed = gzip.compress(content, compresslevel=9, mtime=0)
        (root / (relpath + ".gz")).write_bytes(packed)
        out.append(WrittenFile(relpath + ".gz", len(packed), hashlib.sha256(packed).hexdigest(),
                               fmt, gzip=True))
    return out


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
