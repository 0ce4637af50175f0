"""The server serves the latest publication: /catalog, /.well-known/void, /dataset/…, with
strong ETags from the recorded checksums, Last-Modified, 304s, HEAD, and no path traversal."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pytest
import rdflib
from fastapi.testclient import TestClient

from citygraph.api.app import create_app
from citygraph.config import Settings
from citygraph.publish import publish
from publish_helpers import fixture_graph, options

BASE = "http://testserver/"
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    return fixture_graph(tmp_path_factory.mktemp("pubroutes"))


@pytest.fixture(scope="module")
def pub_dir(graph, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pubroot") / "publication"
    publish(graph, out, options(base_url=BASE, gzip_over=1000), langs=["en"], check=False)
    return out


@pytest.fixture(scope="module")
def client(graph, pub_dir):
    settings = Settings.for_home(graph.settings.home, publication_dir=pub_dir, access_log=False)
    with TestClient(create_app(graph, settings, workers=1)) as c:
        yield c


def _jsonld(text: str) -> rdflib.Graph:
    """rdflib's JSON-LD parser uses its own deprecated ConjunctiveGraph inside (not ours to fix)."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="rdflib")
        warnings.filterwarnings("ignore", message=".*(ConjunctiveGraph|default_context).*",
                                category=DeprecationWarning)
        return rdflib.Graph().parse(data=text, format="json-ld")


def _catalog(client) -> rdflib.Graph:
    r = client.get("/catalog", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/turtle")
    return rdflib.Graph().parse(data=r.text, format="turtle")


def test_catalogue_is_turtle_with_the_dataset(client) -> None:
    g = _catalog(client)
    assert (rdflib.URIRef(BASE + "dataset/citygraph"), rdflib.RDF.type, DCAT.Dataset) in g
    assert (rdflib.URIRef(BASE + "catalog"), rdflib.RDF.type, DCAT.Catalog) in g


def test_catalogue_negotiates_jsonld_and_has_twins(client) -> None:
    r = client.get("/catalog", headers={"Accept": "application/ld+json"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/ld+json")
    g = _jsonld(r.text)
    assert (rdflib.URIRef(BASE + "dataset/citygraph"), rdflib.RDF.type, DCAT.Dataset) in g
    assert r.headers["vary"] == "Accept"
    assert client.get("/catalog.ttl").headers["content-type"].startswith("text/turtle")
    assert client.get("/catalog.jsonld").content == r.content
    assert client.get("/catalog", headers={"Accept": "image/png"}).status_code == 406


def test_every_download_url_of_the_catalogue_resolves_with_its_checksum(client) -> None:
    g = _catalog(client)
    rows = list(g.query("""
        PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX spdx: <http://spdx.org/rdf/terms#>
        SELECT ?url ?media ?sum WHERE { ?d dcat:downloadURL ?url ; dcat:mediaType ?media ;
          spdx:checksum/spdx:checksumValue ?sum }"""))
    assert len(rows) > 30
    assert any(str(url).endswith(".gz") for url, _m, _s in rows)
    for url, media, digest in rows:
        assert str(url).startswith(BASE)
        r = client.get("/" + str(url)[len(BASE):])
        assert r.status_code == 200, url
        assert hashlib.sha256(r.content).hexdigest() == str(digest), url
        assert r.headers["etag"] == f'"{digest}"'
        expected = ("application/gzip" if str(url).endswith(".gz")  # dcat:compressFormat
                    else str(media).rsplit("/media-types/", 1)[-1])
        assert r.headers["content-type"].split(";")[0] == expected, url


def test_a_gzip_dump_downloads_as_gzip(client) -> None:
    r = client.get("/dataset/dumps/citygraph.nt.gz")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/gzip"
    assert r.headers["content-disposition"] == 'attachment; filename="citygraph.nt.gz"'
    plain = client.get("/dataset/dumps/citygraph.nt")
    assert gzip.decompress(r.content) == plain.content
    assert plain.headers["content-type"] == "application/n-triples"


def test_validators_and_conditional_requests(client, pub_dir: Path) -> None:
    release = json.loads((pub_dir / "release.json").read_text())
    nt = next(f for f in release["combined"]["files"] if f["path"] == "dumps/citygraph.nt")
    r = client.get("/dataset/dumps/citygraph.nt")
    etag, modified = r.headers["etag"], r.headers["last-modified"]
    assert etag == f'"{nt["sha256"]}"'  # strong, the recorded checksum
    assert modified.endswith(" GMT")
    again = client.get("/dataset/dumps/citygraph.nt", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert client.get("/dataset/dumps/citygraph.nt",
                      headers={"If-None-Match": '"other", ' + etag}).status_code == 304
    assert client.get("/dataset/dumps/citygraph.nt",
                      headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get("/dataset/dumps/citygraph.nt",
                      headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get("/dataset/dumps/citygraph.nt",
                      headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status_code == 200
    # If-None-Match wins over If-Modified-Since
    assert client.get("/dataset/dumps/citygraph.nt", headers={
        "If-None-Match": '"other"', "If-Modified-Since": modified}).status_code == 200
    for path in ("/catalog", "/.well-known/void", "/dataset/", "/site/"):
        first = client.get(path)
        assert first.status_code == 200, path
        assert first.headers["etag"].startswith('"') and "last-modified" in first.headers
        assert client.get(path, headers={"If-None-Match": first.headers["etag"]}).status_code == 304


def test_head_gives_the_headers_without_a_body(client) -> None:
    get = client.get("/dataset/csv/cities.csv")
    head = client.head("/dataset/csv/cities.csv")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == get.headers["etag"]
    assert head.headers["content-length"] == str(len(get.content))
    assert head.headers["content-type"] == "text/csv; charset=utf-8"
    assert client.head("/catalog").status_code == 200


def test_void_in_turtle_and_jsonld(client) -> None:
    ttl = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    jsonld = client.get("/.well-known/void", headers={"Accept": "application/ld+json"})
    assert ttl.headers["content-type"].startswith("text/turtle")
    assert jsonld.headers["content-type"].startswith("application/ld+json")
    a = rdflib.Graph().parse(data=ttl.text, format="turtle")
    b = _jsonld(jsonld.text)
    assert len(a) == len(b) > 0
    assert ttl.headers["etag"] != jsonld.headers["etag"]


def test_dataset_index_json_and_html(client) -> None:
    r = client.get("/dataset/", headers={"Accept": "application/json"})
    index = r.json()
    paths = {f["path"] for f in index["files"]}
    assert {"dumps/citygraph.ttl", "csv/cities.csv", "catalog.ttl", "void.ttl"} <= paths
    for f in index["files"]:
        got = client.get(f["url"].removeprefix(BASE.rstrip("/")))
        assert hashlib.sha256(got.content).hexdigest() == f["sha256"]
    page = client.get("/dataset/", headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    assert 'href="http://testserver/dataset/dumps/citygraph.ttl"' in page.text
    assert client.get("/dataset/citygraph", follow_redirects=False).headers["location"] == "/catalog"


def test_site_and_root_urls_of_the_publication(client, pub_dir: Path) -> None:
    assert client.get("/site/").content == (pub_dir / "index.html").read_bytes()
    assert client.get("/index.html").content == (pub_dir / "index.html").read_bytes()
    assert client.get("/void.ttl").headers["content-type"].startswith("text/turtle")
    assert "content-disposition" not in client.get("/site/index.html").headers


@pytest.mark.parametrize("path", [
    "/dataset/dumps/../../../etc/passwd", "/dataset/%2e%2e/%2e%2e/etc/passwd", "/dataset/dumps/..%2f..%2fpyproject.toml",
    "/dataset/..%2F..%2F..%2Fetc%2Fpasswd", "/site/%2e%2e%2fpublication%2frelease.json",
    "/dataset/dumps/%2e%2e/release.json", "/dataset//etc/passwd", "/dataset/.hidden", "/dumps/..%5c..%5cx",
    "/dataset/dumps/citygraph.ttl%00.png",
])
def test_path_traversal_is_refused(client, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404, path
    assert "root:" not in r.text


def test_unsafe_paths_never_reach_the_filesystem() -> None:
    from citygraph.api.routes.publication import BadPath, safe_parts

    for bad in ("..", "../x", "dumps/../../x", "/etc/passwd", "dumps//x", "./x", ".git/config",
                "dumps\\..\\x", "x\x00y", ""):
        with pytest.raises(BadPath):
            safe_parts(bad)
    assert safe_parts("dumps/citygraph.ttl") == ["dumps", "citygraph.ttl"]


def test_a_path_out_of_the_directory_by_a_link_is_refused(client, pub_dir: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    link = pub_dir / "csv" / "link.csv"
    link.symlink_to(secret)
    try:
        assert client.get("/dataset/csv/link.csv").status_code == 404
    finally:
        link.unlink()


def test_without_a_publication_404_says_how_to_make_one(graph, tmp_path: Path) -> None:
    missing = tmp_path / "nothing"
    settings = Settings.for_home(graph.settings.home, publication_dir=missing, access_log=False)
    with TestClient(create_app(graph, settings, workers=1)) as c:
        for path in ("/catalog", "/.well-known/void", "/dataset/", "/dataset/dumps/citygraph.ttl"):
            r = c.get(path)
            assert r.status_code == 404
            assert f"citygraph publish {missing}" in r.json()["detail"]


def test_a_new_release_is_served_without_a_restart(graph, tmp_path: Path) -> None:
    out = tmp_path / "publication"
    publish(graph, out, options(base_url=BASE), langs=["en"], check=False)
    settings = Settings.for_home(graph.settings.home, publication_dir=out, access_log=False)
    with TestClient(create_app(graph, settings, workers=1)) as c:
        first = c.get("/dataset/release.json").json()["version"]
        publish(graph, out, options(base_url=BASE, version="9.9"), langs=["en"], check=False)
        r = c.get("/dataset/release.json")
        assert first != "9.9" and r.json()["version"] == "9.9"
        assert c.get("/dataset/", headers={"Accept": "application/json"}).json()["version"] == "9.9"
