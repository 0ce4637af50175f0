"""The latest open-data publication (``citygraph publish``), served from ``PUBLICATION_DIR``.

- ``/catalog`` — the DCAT-AP catalogue, Turtle or JSON-LD by ``Accept``; ``/catalog.ttl``,
  ``/catalog.jsonld`` pick one.
- ``/.well-known/void`` — the VoID description, Turtle or JSON-LD by ``Accept``.
- ``/dataset/`` — an index of the dumps and tables (HTML for browsers, JSON otherwise);
  ``/dataset/{path}`` — any file of the publication (``dumps/citygraph.nt.gz``, ``csv/cities.csv``);
  ``/dataset/{name}`` for a dataset IRI of the catalogue sees the catalogue (303).
- ``/site/`` — the static linked-data site as it is.
- The URLs the catalogue announces when published with ``--base-url http://HOST/``
  (``/dumps/…``, ``/csv/…``, ``/void.ttl``, ``/index.html``, ``/class/…``…) are served too.

Every file answer carries a strong ``ETag`` (the SHA-256 that ``release.json`` records for the
dumps, else hashed once per release) and ``Last-Modified``; ``If-None-Match`` and
``If-Modified-Since`` give 304; ``HEAD`` works. ``citygraph publish`` swaps a whole new directory
in with two renames, so each request opens the directory once and reads everything through that
handle: it sees one complete release, and the next request sees the new one without a restart.
"""

from __future__ import annotations

import hashlib
import html
import json
import mimetypes
import os
import stat
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import BinaryIO

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response, StreamingResponse

from citygraph.api.routes.entities import NotAcceptable, negotiate

router = APIRouter(include_in_schema=False)

RELEASE = "release.json"  # citygraph.publish.release.RELEASE (not imported: keeps rdflib out of startup)
GET_HEAD = ["GET", "HEAD"]
CHUNK = 1 << 16
#: how long a request waits for the directory while ``citygraph publish`` swaps it in
SWAP_WAIT = 2.0

MEDIA_TYPES = {
    "ttl": "text/turtle", "nt": "application/n-triples", "trig": "application/trig",
    "nq": "application/n-quads", "jsonld": "application/ld+json", "rdf": "application/rdf+xml",
    "csv": "text/csv", "json": "application/json", "html": "text/html", "md": "text/markdown",
    "xml": "application/xml", "txt": "text/plain", "js": "text/javascript", "css": "text/css",
    "svg": "image/svg+xml", "gz": "application/gzip",
}
#: top-level files of a publication also served at the server's root (the catalogue's URLs)
ROOT_FILES = ("index.html", "index.fi.html", "index.sv.html", "ontology.html", "void.ttl",
              "catalog.ttl", "catalog.jsonld", "context.jsonld", "release.json", "changelog.json",
              "CHANGELOG.md", "sitemap.xml", "robots.txt", "search-index.json", "search-index.js")
DOWNLOAD_DIRS = ("dumps", "csv")


class NoPublication(Exception):
    pass


class BadPath(Exception):
    pass


@dataclass
class Release:
    """What the server knows of one publication (one directory inode, one ``release.json``)."""

    manifest: dict
    checksums: dict[str, str]                       # path -> SHA-256, from release.json
    hashed: dict[tuple[str, int, int], str] = field(default_factory=dict)  # (path, size, mtime)
    derived: dict[str, tuple[bytes, str]] = field(default_factory=dict)     # name -> (body, sha)


_RELEASES: dict[tuple, Release] = {}
_LOCK = threading.Lock()


def _checksums(manifest: dict) -> dict[str, str]:
    files = [f for layer in manifest.get("layers", {}).values() for f in layer.get("files", [])]
    files += manifest.get("combined", {}).get("files", [])
    return {f["path"]: f["sha256"] for f in files if f.get("path") and f.get("sha256")}


class Handle:
    """The publication directory, opened once for one request."""

    def __init__(self, root: Path) -> None:
        deadline = time.monotonic() + SWAP_WAIT
        while True:
            try:
                self.fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
                break
            except FileNotFoundError:
                # ``publish`` renames the old release away, then the new one in: wait for it
                if time.monotonic() > deadline or not root.parent.is_dir() or not any(
                        p.name.startswith(f".{root.name}.") for p in root.parent.iterdir()):
                    raise NoPublication(root) from None
                time.sleep(0.02)
            except NotADirectoryError:
                raise NoPublication(root) from None
        try:
            st = os.fstat(self.fd)
            rfd = os.open(RELEASE, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=self.fd)
        except FileNotFoundError:
            os.close(self.fd)
            raise NoPublication(root) from None
        with os.fdopen(rfd, "rb") as fh:
            rst = os.fstat(fh.fileno())
            key = (str(root), st.st_dev, st.st_ino, rst.st_mtime_ns, rst.st_size)
            with _LOCK:
                release = _RELEASES.get(key)
            if release is None:
                manifest = json.loads(fh.read())
                release = Release(manifest, _checksums(manifest))
                with _LOCK:
                    for old in [k for k in _RELEASES if k[0] == key[0]]:
                        del _RELEASES[old]
                    _RELEASES[key] = release
        self.release = release

    def close(self) -> None:
        os.close(self.fd)

    def __enter__(self) -> Handle:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def open(self, relpath: str) -> tuple[int, os.stat_result]:
        """A regular file's descriptor, walking ``relpath`` one component at a time without
        following links; ``..``, hidden names and anything odd raise :class:`BadPath`."""
        parts = safe_parts(relpath)
        fd = self.fd
        try:
            for i, part in enumerate(parts):
                last = i == len(parts) - 1
                flags = os.O_RDONLY | os.O_NOFOLLOW | (0 if last else os.O_DIRECTORY)
                nxt = os.open(part, flags, dir_fd=fd)
                if fd != self.fd:
                    os.close(fd)
                fd = nxt
        except OSError:
            if fd != self.fd:
                os.close(fd)
            raise FileNotFoundError(relpath) from None
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            os.close(fd)
            raise FileNotFoundError(relpath)
        return fd, st

    def etag_of(self, relpath: str, fd: int, st: os.stat_result) -> str:
        known = self.release.checksums.get(relpath)
        if known:
            return known
        key = (relpath, st.st_size, st.st_mtime_ns)
        with _LOCK:
            digest = self.release.hashed.get(key)
        if digest is None:
            h = hashlib.sha256()
            offset = 0
            while True:
                block = os.pread(fd, CHUNK, offset)
                if not block:
                    break
                h.update(block)
                offset += len(block)
            digest = h.hexdigest()
            with _LOCK:
                self.release.hashed[key] = digest
        return digest

    def read(self, relpath: str) -> tuple[bytes, os.stat_result]:
        fd, st = self.open(relpath)
        with os.fdopen(fd, "rb") as fh:
            return fh.read(), st


def safe_parts(relpath: str) -> list[str]:
    parts = relpath.split("/")
    if not relpath or any(p in ("", ".", "..") or p.startswith(".") or "\\" in p or "\x00" in p
                          for p in parts):
        raise BadPath(relpath)
    return parts


def media_type(relpath: str) -> str:
    ext = relpath.rsplit(".", 1)[-1].lower() if "." in relpath else ""
    media = MEDIA_TYPES.get(ext) or mimetypes.guess_type(relpath)[0] or "application/octet-stream"
    if media.startswith("text/") or media in ("application/json", "application/xml"):
        media += "; charset=utf-8"
    return media


def http_date(seconds: float) -> str:
    return formatdate(seconds, usegmt=True)


def not_modified(request: Request, etag: str, mtime: float) -> bool:
    """RFC 9110 §13.2.2: ``If-None-Match`` wins; ``If-Modified-Since`` only without it."""
    inm = request.headers.get("if-none-match")
    if inm is not None:
        tags = [t.strip() for t in inm.split(",")]
        return "*" in tags or any(t.removeprefix("W/") == etag for t in tags)
    ims = request.headers.get("if-modified-since")
    if ims:
        try:
            since = parsedate_to_datetime(ims).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return False
        return int(mtime) <= since
    return False


def _validators(etag: str, mtime: float, extra: dict[str, str] | None = None) -> dict[str, str]:
    return {"ETag": etag, "Last-Modified": http_date(mtime), "Cache-Control": "no-cache",
            **(extra or {})}


def _body_response(request: Request, body: bytes, digest: str, mtime: float, media: str,
                   headers: dict[str, str] | None = None) -> Response:
    etag = f'"{digest}"'
    h = _validators(etag, mtime, headers)
    if not_modified(request, etag, mtime):
        return Response(status_code=304, headers=h)
    if request.method == "HEAD":
        return Response(status_code=200, media_type=media,
                        headers={**h, "Content-Length": str(len(body))})
    return Response(body, media_type=media, headers=h)


def _stream(fh: BinaryIO) -> Iterator[bytes]:
    with fh:
        while block := fh.read(CHUNK):
            yield block


def _root(request: Request) -> Path:
    return request.app.state.holder.settings.publication


def no_publication(root: Path) -> JSONResponse:
    return JSONResponse({"detail": f"no publication yet in {root}; run "
                                   f"`citygraph publish {root}` (the server picks it up without a restart)"},
                        status_code=404)


def serve_file(request: Request, relpath: str, *, download: bool | None = None,
               extra: dict[str, str] | None = None) -> Response:
    """One file of the current publication with validators, 304s and HEAD."""
    root = _root(request)
    try:
        handle = Handle(root)
    except NoPublication:
        return no_publication(root)
    try:
        try:
            fd, st = handle.open(relpath)
        except BadPath:
            return JSONResponse({"detail": "not a path of the publication"}, status_code=404)
        except FileNotFoundError:
            return JSONResponse({"detail": f"the publication has no file {relpath!r}; "
                                           "see /dataset/ for what it holds"}, status_code=404)
        try:
            etag = f'"{handle.etag_of(relpath, fd, st)}"'
        except BaseException:
            os.close(fd)
            raise
    finally:
        handle.close()
    headers = _validators(etag, st.st_mtime, extra)
    if download if download is not None else relpath.split("/", 1)[0] in DOWNLOAD_DIRS:
        headers["Content-Disposition"] = f'attachment; filename="{relpath.rsplit("/", 1)[-1]}"'
    media = media_type(relpath)
    if not_modified(request, etag, st.st_mtime) or request.method == "HEAD":
        os.close(fd)
        if request.method == "HEAD" and not not_modified(request, etag, st.st_mtime):
            return Response(status_code=200, media_type=media,
                            headers={**headers, "Content-Length": str(st.st_size)})
        return Response(status_code=304, headers=headers)
    return StreamingResponse(_stream(os.fdopen(fd, "rb")), media_type=media,
                             headers={**headers, "Content-Length": str(st.st_size)})


def _rdf_choice(request: Request) -> str | None:
    try:
        return negotiate(request.headers.get("accept"), ("ttl", "jsonld"))
    except NotAcceptable:
        return None


def _not_acceptable() -> Response:
    return JSONResponse({"detail": "available: text/turtle, application/ld+json"}, status_code=406)


@router.api_route("/catalog", methods=GET_HEAD)
def catalog(request: Request) -> Response:
    """The DCAT-AP catalogue, Turtle or JSON-LD by ``Accept``."""
    rep = _rdf_choice(request)
    if rep is None:
        return _not_acceptable()
    return serve_file(request, f"catalog.{rep}", download=False, extra={"Vary": "Accept"})


@router.api_route("/catalog.{ext}", methods=GET_HEAD)
def catalog_twin(request: Request, ext: str) -> Response:
    if ext not in ("ttl", "jsonld"):
        return JSONResponse({"detail": "the catalogue is /catalog.ttl or /catalog.jsonld"}, status_code=404)
    return serve_file(request, f"catalog.{ext}", download=False)


@router.api_route("/.well-known/void", methods=GET_HEAD)
def void(request: Request) -> Response:
    """The VoID description: Turtle as published, or JSON-LD (converted once per release)."""
    rep = _rdf_choice(request)
    if rep is None:
        return _not_acceptable()
    if rep == "ttl":
        return serve_file(request, "void.ttl", download=False, extra={"Vary": "Accept"})
    root = _root(request)
    try:
        handle = Handle(root)
    except NoPublication:
        return no_publication(root)
    with handle:
        try:
            fd, st = handle.open("void.ttl")
        except FileNotFoundError:
            return JSONResponse({"detail": "the publication has no void.ttl"}, status_code=404)
        with os.fdopen(fd, "rb") as fh:
            with _LOCK:
                cached = handle.release.derived.get("void.jsonld")
            if cached is None:
                import rdflib  # noqa: PLC0415 - only when JSON-LD is asked for

                g = rdflib.Graph().parse(data=fh.read(), format="turtle")
                context = {p: str(ns) for p, ns in g.namespaces()}
                body = g.serialize(format="json-ld", context=context, auto_compact=True, indent=1,
                                   sort_keys=True, ensure_ascii=False).encode()
                cached = (body, hashlib.sha256(body).hexdigest())
                with _LOCK:
                    handle.release.derived["void.jsonld"] = cached
    return _body_response(request, cached[0], cached[1], st.st_mtime, "application/ld+json",
                          {"Vary": "Accept"})


def _index(handle: Handle, base: str) -> tuple[dict, float]:
    """The dumps, tables and metadata files of the publication, with sizes and checksums."""
    rows = []
    newest = 0.0
    for top in (*DOWNLOAD_DIRS, ""):
        try:
            dfd = os.open(top, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=handle.fd) \
                if top else os.dup(handle.fd)
        except OSError:
            continue
        try:
            names = sorted(os.listdir(dfd))
            for name in names:
                relpath = f"{top}/{name}" if top else name
                if name.startswith(".") or (not top and name not in ROOT_FILES):
                    continue
                try:
                    fd, st = handle.open(relpath)
                except (FileNotFoundError, BadPath):
                    continue
                try:
                    digest = handle.etag_of(relpath, fd, st)
                finally:
                    os.close(fd)
                newest = max(newest, st.st_mtime)
                rows.append({"path": relpath, "url": f"{base}dataset/{relpath}", "bytes": st.st_size,
                             "media_type": media_type(relpath).split(";")[0], "sha256": digest})
        finally:
            os.close(dfd)
    m = handle.release.manifest
    return {"version": m.get("version"), "date": m.get("date"), "issued": m.get("issued"),
            "licence": m.get("licence"), "catalog": f"{base}catalog", "void": f"{base}.well-known/void",
            "site": f"{base}site/", "files": rows}, newest


def _index_html(index: dict) -> bytes:
    rows = "\n".join(
        f'<tr><td><a href="{html.escape(r["url"])}">{html.escape(r["path"])}</a></td>'
        f'<td>{html.escape(r["media_type"])}</td><td style="text-align:right">{r["bytes"]:,}</td>'
        f'<td><code>{r["sha256"]}</code></td></tr>' for r in index["files"])
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>citygraph open data {html.escape(str(index["version"]))}</title>
<link rel="alternate" type="text/turtle" href="{html.escape(index["catalog"])}"></head>
<body><h1>citygraph open data, release {html.escape(str(index["version"]))} ({html.escape(str(index["date"]))})</h1>
<p><a href="{html.escape(index["catalog"])}">DCAT-AP catalogue</a> ·
<a href="{html.escape(index["void"])}">VoID</a> · <a href="{html.escape(index["site"])}">the static site</a></p>
<table><thead><tr><th>file</th><th>media type</th><th>bytes</th><th>SHA-256</th></tr></thead>
<tbody>
{rows}
</tbody></table></body></html>
""".encode()


@router.api_route("/dataset", methods=GET_HEAD)
def dataset_redirect() -> Response:
    return RedirectResponse("/dataset/", status_code=308)


@router.api_route("/dataset/", methods=GET_HEAD)
def dataset_index(request: Request) -> Response:
    """The publication's files: HTML for browsers, JSON otherwise."""
    root = _root(request)
    try:
        handle = Handle(root)
    except NoPublication:
        return no_publication(root)
    with handle:
        index, newest = _index(handle, str(request.base_url))
    try:
        rep = negotiate(request.headers.get("accept"), ("json", "html"))
    except NotAcceptable:
        rep = "json"
    if "text/html" in (request.headers.get("accept") or "") and rep != "json":
        body, media = _index_html(index), "text/html; charset=utf-8"
    else:
        body, media = json.dumps(index, indent=1).encode(), "application/json"
    return _body_response(request, body, hashlib.sha256(body).hexdigest(), newest, media,
                          {"Vary": "Accept"})


@router.api_route("/dataset/{path:path}", methods=GET_HEAD)
def dataset_file(request: Request, path: str) -> Response:
    """A file of the publication; a dataset IRI of the catalogue (``/dataset/citygraph``) -> 303."""
    if "/" not in path and "." not in path:
        root = _root(request)
        try:
            handle = Handle(root)
        except NoPublication:
            return no_publication(root)
        with handle:
            m = handle.release.manifest
        names = {"citygraph", *(f"citygraph-{n}" for n in m.get("layers", {})), *m.get("layers", {})}
        if path in names:
            return RedirectResponse("/catalog", status_code=303)
    return serve_file(request, path)


@router.api_route("/site/{path:path}", methods=GET_HEAD)
def site(request: Request, path: str) -> Response:
    """The static linked-data site as published (relative links work under ``/site/``)."""
    return serve_file(request, path + "index.html" if path == "" or path.endswith("/") else path,
                      download=False)


@router.api_route("/dumps/{path:path}", methods=GET_HEAD)
def dumps(request: Request, path: str) -> Response:
    return serve_file(request, "dumps/" + path)


@router.api_route("/csv/{path:path}", methods=GET_HEAD)
def tables(request: Request, path: str) -> Response:
    return serve_file(request, "csv/" + path)


@router.api_route("/class/{path:path}", methods=GET_HEAD)
def classes(request: Request, path: str) -> Response:
    return serve_file(request, "class/" + path, download=False)


def _root_file(name: str):  # type: ignore[no-untyped-def]
    def handler(request: Request) -> Response:
        return serve_file(request, name, download=False)
    handler.__name__ = "publication_" + name.replace(".", "_").replace("-", "_")
    return handler


for _name in ROOT_FILES:
    if not _name.startswith("catalog."):
        router.add_api_route("/" + _name, _root_file(_name), methods=GET_HEAD)


__all__ = ["router"]
