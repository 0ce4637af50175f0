"""HTML pages from plain data: the linked-data pages, the landing page, lists and the editor.

Rendering is separate from serving so that a static export can reuse it: every function takes
the graph, a language and a :class:`Links` object that says how to write links (the server
uses absolute paths; a static site can use relative paths and a ``.html`` suffix).

>>> Links().entity("city/tallinn")
'/id/city/tallinn'
>>> Links(root="../../", suffix=".html").entity("city/tallinn")
'../../id/city/tallinn.html'
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape

from citygraph.api import lookups
from citygraph.api.i18n import DEFAULT_LANG, LANGS, text
from citygraph.graph import CityGraph
from citygraph.namespaces import ID, PREFIXES, compact

TEMPLATES = Path(__file__).resolve().parent / "templates"
LICENCE = {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"}
#: Data twins of an entity page: suffix -> (media type, label)
TWINS = {
    "ttl": ("text/turtle", "Turtle"),
    "jsonld": ("application/ld+json", "JSON-LD"),
    "nt": ("application/n-triples", "N-Triples"),
    "json": ("application/json", "JSON"),
}


@dataclass(frozen=True)
class Links:
    """How pages link to each other.

    ``root`` is prepended to every site path, ``suffix`` appended to pages (``.html`` for a
    static export), and ``lang`` (when set) is carried along as ``?lang=``.
    """

    root: str = "/"
    suffix: str = ""
    lang: str | None = None
    static_root: str | None = None  # where /static/ lives; defaults to root + "static/"

    def _q(self, extra: Mapping[str, str] | None = None) -> str:
        params = dict(extra or {})
        if self.lang:
            params = {"lang": self.lang, **params}
        return ("?" + urlencode(params)) if params else ""

    def page(self, path: str, params: Mapping[str, str] | None = None) -> str:
        """A site page: ``page("queries")`` -> ``/queries``; ``page("")`` -> the landing page."""
        target = self.root + path + (self.suffix if path else "")
        return target + self._q(params)

    def entity(self, path: str) -> str:
        """The page of an entity: ``entity("city/tallinn")`` -> ``/id/city/tallinn``."""
        return self.page("id/" + path)

    def twin(self, path: str, ext: str) -> str:
        """A data twin: ``twin("city/tallinn", "ttl")`` -> ``/id/city/tallinn.ttl``."""
        return self.root + "id/" + path + "." + ext

    def iri(self, iri: str) -> str | None:
        """The page for any IRI of the graph, or None when it has none here."""
        path = lookups.local_path(iri)
        if path:
            return self.entity(path)
        if lookups.vocabulary_path(iri):
            return self.page("ontology") + "#" + compact(iri).replace(":", "-")
        return None

    def static(self, name: str) -> str:
        return (self.static_root if self.static_root is not None else self.root + "static/") + name

    def with_lang(self, lang: str | None) -> Links:
        return replace(self, lang=lang)


_env = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["compact"] = compact
_env.filters["tojson_attr"] = lambda value: json.dumps(value, ensure_ascii=False)

_footer_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _footer_sources(graph: CityGraph, lang: str) -> list[dict]:
    per_graph = _footer_cache.setdefault(graph, {})
    if lang not in per_graph:
        per_graph[lang] = lookups.list_sources(graph, lang)
    return per_graph[lang]


def _precision(value: dict | None) -> str:
    if not value:
        return ""
    text_ = value["value"]
    precision = value.get("precision", "").split(":")[-1]
    if not precision:
        precision = {"xsd:gYear": "year", "xsd:gYearMonth": "month", "xsd:date": "day"}.get(
            value.get("datatype", ""), "")
    return f"{text_} ({precision})" if precision and precision != "day" else text_


def _source_date(src: dict) -> str:
    if src.get("issued"):
        return _precision(src["issued"])
    lo, hi = src.get("issued_not_before"), src.get("issued_not_after")
    if lo or hi:
        return f"{lo or '…'} – {hi or '…'}"
    return ""


_env.filters["precision"] = _precision
_env.filters["source_date"] = _source_date

DATE_NAMES = {
    "start": {"en": "start", "fi": "alku", "sv": "start"},
    "end": {"en": "end", "fi": "loppu", "sv": "slut"},
    "start_not_before": {"en": "start not before", "fi": "alku aikaisintaan", "sv": "start tidigast"},
    "start_not_after": {"en": "start not after", "fi": "alku viimeistään", "sv": "start senast"},
    "end_not_before": {"en": "end not before", "fi": "loppu aikaisintaan", "sv": "slut tidigast"},
    "end_not_after": {"en": "end not after", "fi": "loppu viimeistään", "sv": "slut senast"},
    "signed": {"en": "signed", "fi": "allekirjoitettu", "sv": "undertecknat"},
}


def _context(graph: CityGraph, lang: str, links: Links, **extra: object) -> dict:
    return {
        "lang": lang,
        "langs": LANGS,
        "t": lambda key: text(key, lang),
        "links": links,
        "licence": LICENCE,
        "footer_sources": _footer_sources(graph, lang),
        "date_names": {k: v.get(lang, v["en"]) for k, v in DATE_NAMES.items()},
        "twins": TWINS,
        **extra,
    }


def _render(template: str, context: dict) -> str:
    return _env.get_template(template).render(**context)


relationship_title = lookups.relationship_title
_env.globals["relationship_title"] = relationship_title


def entity_page(graph: CityGraph, iri: str, lang: str = DEFAULT_LANG,
                links: Links | None = None) -> str:
    """The HTML page of an entity (city, network, relationship, …) or a source document.

    Raises :class:`~citygraph.errors.NotFoundError` when the IRI is not in the graph.
    """
    links = links or Links()
    if lookups.has_class(graph, iri, PREFIXES["cg"] + "SourceDocument"):
        return source_page(graph, iri, lang, links)
    data = lookups.describe(graph, iri, lang)
    title = data["label"]
    return _render("entity.html", _context(graph, lang, links, data=data, title=title,
                                           path=data["path"], canonical=iri))


def source_page(graph: CityGraph, iri: str, lang: str = DEFAULT_LANG,
                links: Links | None = None) -> str:
    """What a source document is, where it was published, and everything it attests."""
    links = links or Links()
    data = lookups.source(graph, iri, lang)
    return _render("source.html", _context(graph, lang, links, data=data, title=data["label"],
                                           path=data["path"], canonical=iri))


def index_page(graph: CityGraph, lang: str = DEFAULT_LANG, links: Links | None = None,
               base_url: str = "http://127.0.0.1:8000/") -> str:
    """The landing page: what this is, the licence, lists of things and how to get the data.

    ``base_url`` is where the server answers (shown in the curl examples)."""
    links = links or Links()
    lists = {name: lookups.list_entities(graph, name, lang, limit=1000).items
             for name in ("cities", "networks", "organisations")}
    lists["organisations"] = [o for o in lists["organisations"]
                              if "cg:CityNetwork" not in o["types"]]
    return _render("index.html", _context(graph, lang, links, lists=lists,
                                          title="citygraph", stats=graph.stats(),
                                          base_url=base_url))


def not_found_page(graph: CityGraph, message: str, suggestions: Sequence[str] = (),
                   lang: str = DEFAULT_LANG, links: Links | None = None) -> str:
    """A helpful 404: what was asked, the closest names, and where to look instead."""
    links = links or Links()
    found = []
    for name in suggestions:
        iri = name if name.startswith("http") else (PREFIXES.get(name.split(":")[0], "") + name.split(":", 1)[-1])
        path = lookups.local_path(iri)
        found.append({"name": name, "label": graph.label(iri, lang), "url": links.entity(path) if path else None})
    return _render("not_found.html", _context(graph, lang, links, message=message,
                                              suggestions=found, title=text("not_found", lang)))


def ontology_page(graph: CityGraph, lang: str = DEFAULT_LANG, links: Links | None = None) -> str:
    """The vocabulary: classes, properties and concept schemes with their definitions."""
    links = links or Links()
    return _render("ontology.html", _context(graph, lang, links, terms=lookups.ontology(graph, lang),
                                             title=text("vocabulary", lang)))


def queries_page(graph: CityGraph, queries: Sequence[object], lang: str = DEFAULT_LANG,
                 links: Links | None = None) -> str:
    """The named queries, each with a form to run it and a link into the editor."""
    links = links or Links()
    return _render("queries.html", _context(graph, lang, links, queries=queries,
                                            title=text("queries", lang)))


def query_result_page(graph: CityGraph, query: object, values: Mapping[str, str],
                      header: Sequence[str], rows: Sequence[Sequence[dict | None]],
                      truncated: bool = False, lang: str = DEFAULT_LANG,
                      links: Links | None = None) -> str:
    """One named query's result as a table; cells are ``{"text", "url"}`` dicts or None."""
    links = links or Links()
    return _render("query_result.html", _context(graph, lang, links, query=query, values=values,
                                                 header=header, rows=rows, truncated=truncated,
                                                 title=getattr(query, "title", "")))


def editor_html(graph: CityGraph, endpoint: str, examples: Sequence[dict],
                lang: str = DEFAULT_LANG, links: Links | None = None) -> str:
    """The SPARQL editor (YASGUI, served from /static/): ``examples`` are ``{"name", "title",
    "description", "query"}`` dicts; ``endpoint`` is the absolute URL it POSTs to."""
    links = links or Links()
    default = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items()) + (
        "\n# Helsinki's partners, ever\n"
        "SELECT ?partner ?name WHERE {\n"
        "  city:helsinki cg:partnerOf ?partner .\n"
        "  ?partner skos:prefLabel ?name FILTER(lang(?name) = \"en\")\n"
        "}\nORDER BY ?name\n")
    config = {"endpoint": endpoint, "examples": list(examples), "prefixes": PREFIXES,
              "default_query": default}
    return _render("editor.html", _context(graph, lang, links, config=config,
                                           title=text("editor", lang)))


def cell(term: object, links: Links, label: Callable[[str], str] | None = None) -> dict | None:
    """A result cell for HTML: text (compact IRI or literal value) and a link for our IRIs."""
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return {"text": label(term.value) if label else compact(term.value), "url": links.iri(term.value),
                "title": term.value}
    if isinstance(term, ox.Literal):
        return {"text": term.value, "url": None, "lang": term.language}
    return {"text": str(term), "url": None}


__all__ = [
    "LICENCE", "Links", "TWINS", "cell", "editor_html", "entity_page", "index_page",
    "not_found_page", "ontology_page", "queries_page", "query_result_page",
    "relationship_title", "source_page", "ID",
]
