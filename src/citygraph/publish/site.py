"""The static linked-data site: a page per entity with data twins, index pages, search.

Pages come from the server's renderer (:mod:`citygraph.api.render`) with links written for
a static host: relative paths and a ``.html`` suffix, so the site works from any web server
and opened from disk (``file://``) alike. Finnish and Swedish pages sit next to the English
ones (``tallinn.fi.html``). Search runs in the browser over a small index that is loaded as
a script (``search-index.js``), because browsers refuse ``fetch`` of local files.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from xml.sax.saxutils import escape

import pyoxigraph as ox
from jinja2 import ChoiceLoader, FileSystemLoader

from citygraph.api import lookups, render
from citygraph.api.i18n import LANGS as PAGE_LANGS
from citygraph.graph import CityGraph
from citygraph.namespaces import CG, ID, PREFIXES, compact
from citygraph.publish import rdf
from citygraph.publish.files import FORMATS, WrittenFile, write
from citygraph.publish.licences import COMBINED
from citygraph.publish.options import PublishOptions

TEMPLATES = Path(__file__).resolve().parent / "templates"
DEFAULT_LANG = "en"

#: words of the site's own pages (the entity pages' words come from the server's i18n)
WORDS: dict[str, dict[str, str]] = {
    "release": {"en": "Release", "fi": "Julkaisu", "sv": "Utgåva"},
    "changelog": {"en": "what changed", "fi": "muutokset", "sv": "ändringar"},
    "search": {"en": "Search", "fi": "Haku", "sv": "Sök"},
    "search_label": {"en": "Name of a city, network or organisation in any language:",
                     "fi": "Kaupungin, verkoston tai organisaation nimi millä tahansa kielellä:",
                     "sv": "Namn på en stad, ett nätverk eller en organisation på vilket språk som helst:"},
    "noscript": {"en": "Search needs JavaScript; the lists below work without it.",
                 "fi": "Haku tarvitsee JavaScriptin; alla olevat luettelot toimivat ilman sitä.",
                 "sv": "Sökningen behöver JavaScript; listorna nedan fungerar utan."},
    "browse": {"en": "Browse", "fi": "Selaa", "sv": "Bläddra"},
    "download": {"en": "Download", "fi": "Lataa", "sv": "Ladda ner"},
    "download_text": {
        "en": "Each layer is a named graph with its own licence; the combined dump holds only the "
              "layers whose licence allows CC BY 4.0.",
        "fi": "Jokainen kerros on nimetty graafi omalla lisenssillään; yhdistetty aineisto sisältää "
              "vain kerrokset, joiden lisenssi sallii CC BY 4.0 -lisenssin.",
        "sv": "Varje lager är en namngiven graf med egen licens; den sammanslagna filen innehåller "
              "bara lager vars licens tillåter CC BY 4.0."},
    "dataset": {"en": "Dataset", "fi": "Aineisto", "sv": "Dataset"},
    "files": {"en": "Files", "fi": "Tiedostot", "sv": "Filer"},
    "tables": {"en": "Tables (CSV, with a CSVW data dictionary)",
               "fi": "Taulukot (CSV ja CSVW-tietosanakirja)",
               "sv": "Tabeller (CSV med CSVW-databeskrivning)"},
    "metadata": {"en": "Metadata", "fi": "Kuvailutiedot", "sv": "Metadata"},
}


def _suffix(lang: str) -> str:
    return ".html" if lang == DEFAULT_LANG else f".{lang}.html"


class StaticLinks(render.Links):
    """Links for the static site: the landing page is ``index.html``; pages that only the
    server has (queries, editor, API docs) point at the server, the editor at the endpoint."""

    server: str = ""
    sparql: str = ""

    def page(self, path: str, params: Mapping[str, str] | None = None) -> str:
        if path == "":
            return self.root + "index" + self.suffix
        if path == "sparql":
            return self.sparql
        if path in ("queries", "docs", "map", "map/geo", "timeline"):  # map pages: the server's
            return self.server + path
        return super().page(path, params)


def links_for(depth: int, lang: str, options: PublishOptions) -> StaticLinks:
    root = "../" * depth
    links = StaticLinks(root=root, suffix=_suffix(lang), static_root=root + "static/")
    object.__setattr__(links, "server", options.base_url)
    object.__setattr__(links, "sparql", options.sparql_url)
    return links


def _env():  # type: ignore[no-untyped-def]
    return render._env.overlay(loader=ChoiceLoader([FileSystemLoader(str(TEMPLATES)), render._env.loader]))


def _switch_languages(html: str, stem: str) -> str:
    """The renderer's language links (``?lang=fi``) -> the sibling static pages."""
    for code in PAGE_LANGS:
        html = html.replace(f'href="?lang={code}"', f'href="{stem}{_suffix(code)}"')
    return html


def _human_size(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000  # type: ignore[assignment]
    return str(n)


# ------------------------------------------------------------------ entity data twins
_TWIN = """
CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  {{ BIND({e} AS ?s) ?s ?p ?o }}
  UNION {{ {e} cg:attestation ?s . ?s ?p ?o }}
  UNION {{ ?s cg:involves|cg:policyOf {e} . ?s ?p ?o }}
  UNION {{ ?r cg:involves|cg:policyOf {e} . ?r cg:attestation ?s . ?s ?p ?o }}
}}"""


def entity_triples(view: CityGraph, iri: str) -> list[ox.Triple]:
    """What an entity's ``.ttl``/``.jsonld``/``.nt`` twin holds: its own triples, its
    attestations, and the relationships and policies that involve it with theirs."""
    result = view.store.query(_TWIN.format(e=f"<{iri}>"), prefixes=PREFIXES,
                              use_default_graph_as_union=True)
    return sorted(set(result), key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


@dataclass
class SiteResult:
    files: list[WrittenFile]
    pages: list[str]          # every HTML page, relative to the site root
    entities: int


def write_site(view: CityGraph, root: Path, options: PublishOptions, *, release: Mapping[str, str],
               datasets: Sequence[dict], tables: Sequence[WrittenFile], schema_org: dict,
               langs: Sequence[str] = PAGE_LANGS, labels: Mapping[ox.BlankNode, str] | None = None,
               progress: Callable[[str], None] = lambda _m: None) -> SiteResult:
    """Write the site into ``root`` (the publication's root directory)."""
    env = _env()
    langs = [DEFAULT_LANG] + [code for code in langs if code != DEFAULT_LANG]
    labels = dict(labels or {})
    files: list[WrittenFile] = []
    pages: list[str] = []

    # static assets: the server's stylesheet plus the site's additions, and the search script
    static = resources.files("citygraph.api") / "static"
    assets = resources.files("citygraph.publish") / "assets"
    css = (static / "style.css").read_bytes() + b"\n" + (assets / "site.css").read_bytes()
    write(root, "static/style.css", css, "html")
    write(root, "static/search.js", (assets / "search.js").read_bytes(), "html")

    titles: dict[str, str] = {}
    iris = [r[0].value for r in view.query(
        "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) } ORDER BY ?s").rows
        if lookups.local_path(r[0].value)]
    progress(f"site: {len(iris)} entity pages")
    for n, iri in enumerate(iris):
        path = lookups.local_path(iri)
        assert path is not None
        stem = path.rsplit("/", 1)[-1]
        for lang in langs:
            html = render.entity_page(view, iri, lang, links_for(2, lang, options))
            rel = f"id/{path}{_suffix(lang)}"
            write(root, rel, _switch_languages(html, stem).encode(), "html")
            pages.append(rel)
        triples = [ox.Triple(*(ox.BlankNode(labels[t]) if isinstance(t, ox.BlankNode) and t in labels else t
                               for t in (tr.subject, tr.predicate, tr.object)))
                   for tr in entity_triples(view, iri)]
        write(root, f"id/{path}.ttl", rdf.turtle(triples), "ttl")
        write(root, f"id/{path}.nt", rdf.ntriples(triples), "nt")
        write(root, f"id/{path}.jsonld", rdf.jsonld(triples), "jsonld")
        data = lookups.describe(view, iri, DEFAULT_LANG)
        if data.get("relationship"):
            titles[iri] = data["relationship"].get("label") or lookups.relationship_title(data["relationship"])
        write(root, f"id/{path}.json",
              (json.dumps(data, ensure_ascii=False, indent=1, default=str) + "\n").encode(), "json")
        if n and n % 200 == 0:
            progress(f"site: {n}/{len(iris)} entity pages")

    # the vocabulary page
    for lang in langs:
        html = render.ontology_page(view, lang, links_for(0, lang, options))
        rel = f"ontology{_suffix(lang)}"
        write(root, rel, _switch_languages(html, "ontology").encode(), "html")
        pages.append(rel)

    # index pages per class
    by_class: dict[str, list[str]] = defaultdict(list)
    for row in view.query("SELECT DISTINCT ?c ?s WHERE { ?s a ?c FILTER(isIRI(?s) && isIRI(?c)) } ORDER BY ?c ?s").rows:
        if lookups.local_path(row[1].value):
            by_class[row[0].value].append(row[1].value)
    class_pages = {}
    for cls in sorted(by_class):
        slug = compact(cls).replace(":", "-")
        class_pages[cls] = slug
        for lang in langs:
            links = links_for(1, lang, options)
            items = sorted(({"url": links.entity(lookups.local_path(s) or ""), "label": view.label(s, lang)}
                            for s in by_class[cls]), key=lambda i: i["label"].casefold())
            html = env.get_template("class_index.html").render(**render._context(
                view, lang, links, title=view.label(cls, lang), class_iri=cls, items=items,
                path=None, canonical=None))
            rel = f"class/{slug}{_suffix(lang)}"
            write(root, rel, _switch_languages(html, slug).encode(), "html")
            pages.append(rel)

    # search index: every entity page with all its names
    names: dict[str, set[str]] = defaultdict(set)
    for row in view.query(
            "SELECT ?s ?n WHERE { ?s skos:prefLabel|skos:altLabel|rdfs:label|dcterms:title ?n FILTER(isIRI(?s)) }").rows:
        names[row[0].value].add(row[1].value)
    types: dict[str, str] = {}
    for cls, members in by_class.items():
        for s in members:
            types.setdefault(s, view.label(cls, DEFAULT_LANG))
    index = []
    for iri in iris:
        label = titles.get(iri) or view.label(iri, DEFAULT_LANG)
        all_names = sorted(names.get(iri, set()) | {label, lookups.local_path(iri).rsplit("/", 1)[-1]})  # type: ignore[union-attr]
        index.append({"l": label, "n": all_names, "t": types.get(iri, ""),
                      "u": "id/" + lookups.local_path(iri)})  # type: ignore[operator]
    index_json = json.dumps(index, ensure_ascii=False, separators=(",", ":"))
    write(root, "search-index.json", (index_json + "\n").encode(), "json")
    write(root, "search-index.js", f"window.CITYGRAPH_SEARCH = {index_json};\n".encode(), "html")

    # the landing page
    stats = {"triples": sum(int(r[0].value) for r in view.query(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }").rows)}
    for lang in langs:
        links = links_for(0, lang, options)
        anchors = {CG + "City": "cities", CG + "CityNetwork": "networks", CG + "SourceDocument": "sources"}
        classes = [{"url": f"class/{slug}{_suffix(lang)}", "label": view.label(cls, lang),
                    "count": len(by_class[cls]), "anchor": anchors.get(cls, "")}
                   for cls, slug in class_pages.items()]
        classes.sort(key=lambda c: c["label"].casefold())
        html = env.get_template("site_index.html").render(**render._context(
            view, lang, links, title="citygraph", path=None, canonical=None,
            s={k: v.get(lang, v["en"]) for k, v in WORDS.items()}, suffix=_suffix(lang),
            release=release, stats=stats, classes=classes, sparql_url=options.sparql_url,
            datasets=[{**d, "files": [{**f, "size": _human_size(f["bytes"])} for f in d["files"]]}
                      for d in datasets],
            tables=[{"path": f.path, "label": f.path.rsplit("/", 1)[-1]} for f in tables],
            schema_org=json.dumps(schema_org, ensure_ascii=False, indent=1).replace("</", "<\\/")))
        rel = f"index{_suffix(lang)}"
        files += write(root, rel, _switch_languages(html, "index").encode(), "html")
        pages.insert(0, rel) if lang == DEFAULT_LANG else pages.append(rel)

    # sitemap (absolute URLs where the site will be hosted)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for rel in pages:
        lines.append(f"  <url><loc>{escape(options.base_url + rel)}</loc>"
                     f"<lastmod>{options.date.isoformat()}</lastmod></url>")
    lines.append("</urlset>")
    write(root, "sitemap.xml", ("\n".join(lines) + "\n").encode(), "html")
    write(root, "robots.txt", f"User-agent: *\nAllow: /\nSitemap: {options.base_url}sitemap.xml\n".encode(), "html")
    return SiteResult(files, pages, len(iris))


def schema_org_dataset(options: PublishOptions, release: Mapping[str, str], description: str,
                       keywords: Sequence[str], temporal: tuple[date, date] | None,
                       downloads: Sequence[WrittenFile]) -> dict:
    """schema.org ``Dataset`` for the landing page (what general search engines read)."""
    out = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": options.base_url + "catalog#dataset-citygraph",
        "name": "citygraph: cities' international relationships (City of Helsinki)",
        "description": description,
        "url": options.base_url + "index.html",
        "sameAs": options.base_url + "dataset/citygraph",
        "license": COMBINED.url,
        "isAccessibleForFree": True,
        "version": release["version"],
        "dateModified": release["date"],
        "datePublished": release["issued"],
        "inLanguage": ["fi", "sv", "en"],
        "keywords": list(keywords),
        "publisher": {"@type": "Organization", "name": options.publisher_name.get("en", ""),
                      "url": options.contact_url},
        "spatialCoverage": {"@type": "Place", "name": "Helsinki",
                            "sameAs": "https://sws.geonames.org/658225/"},
        "distribution": [{"@type": "DataDownload", "encodingFormat": FORMATS[f.format].media_type,
                          "contentUrl": options.base_url + f.path, "contentSize": f"{f.size} B"}
                         for f in downloads],
    }
    if temporal:
        out["temporalCoverage"] = f"{temporal[0].isoformat()}/{temporal[1].isoformat()}"
    return out


__all__ = ["StaticLinks", "SiteResult", "entity_triples", "schema_org_dataset", "write_site"]
