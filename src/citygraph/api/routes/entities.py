"""Linked data: every IRI ``https://w3id.org/citygraph/id/{kind}/{slug}`` is served here at
``/id/{kind}/{slug}``, and the vocabulary at ``/ontology``.

Browsers get an HTML page; machines get Turtle, JSON-LD or N-Triples by ``Accept`` (the
entity's description: :func:`citygraph.api.lookups.description`), or the JSON API's entity
with ``Accept: application/json``; ``.ttl``, ``.jsonld``, ``.nt`` and ``.json`` suffixes pick a
format without negotiation. Nothing acceptable: 406. Unknown IRI: 404 with a helpful page.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from citygraph.api import lookups, render
from citygraph.api.deps import current_graph, http_error
from citygraph.api.formats import Range, parse_accept
from citygraph.api.i18n import choose_lang
from citygraph.api.models import Entity, SourceDetail
from citygraph.api.routes.json_api import entity_iri
from citygraph.errors import CityGraphError, NotFoundError
from citygraph.graph import CityGraph
from citygraph.namespaces import ONTOLOGY_GRAPH, PREFIXES, VOCAB

router = APIRouter(include_in_schema=False)

#: representation -> (media type sent, media types accepted for it)
REPRESENTATIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "html": ("text/html", ("text/html", "application/xhtml+xml")),
    "ttl": ("text/turtle", ("text/turtle", "application/x-turtle", "application/turtle")),
    "jsonld": ("application/ld+json", ("application/ld+json",)),
    "nt": ("application/n-triples", ("application/n-triples", "text/plain")),
    "json": ("application/json", ("application/json",)),
}
RDF_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD,
               "nt": ox.RdfFormat.N_TRIPLES}
SUFFIXES = tuple(f".{ext}" for ext in ("jsonld", "json", "ttl", "nt"))


class NotAcceptable(Exception):
    def __init__(self, offered: Sequence[str]) -> None:
        self.offered = list(offered)
        super().__init__("none of the accepted media types is available here; available: "
                         + ", ".join(self.offered))


def _score(ranges: Sequence[Range], media_type: str) -> tuple[float, int, int] | None:
    mtype, _, subtype = media_type.partition("/")
    best = None
    for r in ranges:
        spec = (2 if (r.type, r.subtype) == (mtype, subtype) else
                1 if r.type == mtype and r.subtype == "*" else
                0 if (r.type, r.subtype) == ("*", "*") else -1)
        if spec >= 0 and (best is None or spec > best[1]):
            best = (r.q, spec, -r.position)
    return best


def negotiate(accept: str | None, offered: Sequence[str] = tuple(REPRESENTATIONS)) -> str:
    """The representation (``html``, ``ttl``, ``jsonld``, ``nt``, ``json``) an ``Accept``
    header prefers; ties go to the order of ``offered`` (HTML first, so ``*/*`` gets a page).

    >>> negotiate("text/turtle;q=0.9, application/ld+json")
    'jsonld'
    >>> negotiate("*/*")
    'html'
    """
    ranges = parse_accept(accept)
    best, chosen = None, None
    for rank, rep in enumerate(offered):
        sent, accepted = REPRESENTATIONS[rep]
        for alias_rank, media in enumerate(accepted):
            s = _score(ranges, media)
            if s is None or s[0] <= 0:
                continue
            key = (s[0], s[1], -min(alias_rank, 1), s[2], -rank)
            if best is None or key > best:
                best, chosen = key, rep
    if chosen is None:
        raise NotAcceptable([REPRESENTATIONS[r][0] for r in offered])
    return chosen


def _lang(request: Request) -> tuple[str, str | None]:
    """(chosen language, the explicit ?lang= to carry along in links, if any)."""
    explicit = request.query_params.get("lang")
    explicit = explicit if explicit in ("en", "fi", "sv") else None
    return choose_lang(explicit, request.headers.get("accept-language")), explicit


def _headers(path: str | None, lang: str | None = None) -> dict[str, str]:
    headers = {"Vary": "Accept, Accept-Language"}
    if lang:
        headers["Content-Language"] = lang
    if path:
        headers["Link"] = ", ".join(
            f'</id/{path}.{ext}>; rel="alternate"; type="{media}"'
            for ext, (media, _label) in render.TWINS.items())
    return headers


def rdf_response(triples: list[ox.Triple], rep: str, headers: dict[str, str]) -> Response:
    """Triples serialised as Turtle, JSON-LD or N-Triples with the project prefixes."""
    fmt = RDF_FORMATS[rep]
    prefixes = None
    if fmt is not ox.RdfFormat.N_TRIPLES:  # only the prefixes the triples use
        iris = {t.value for triple in triples for t in (triple.subject, triple.predicate, triple.object)
                if isinstance(t, ox.NamedNode)} | {triple.object.datatype.value for triple in triples
                                                   if isinstance(triple.object, ox.Literal)}
        prefixes = {p: ns for p, ns in PREFIXES.items() if any(i.startswith(ns) for i in iris)}
    body = ox.serialize(triples, format=fmt, prefixes=prefixes) if triples else b""
    media = REPRESENTATIONS[rep][0]
    if rep == "jsonld" and not triples:
        body = b"[]"
    return Response(body, media_type=media + ("; charset=utf-8" if media.startswith("text/") else ""),
                    headers=headers)


def not_found(request: Request, graph: CityGraph, exc: NotFoundError, rep: str) -> Response:
    """404: a page with the closest names for browsers, the message for machines."""
    lang, explicit = _lang(request)
    if rep == "html":
        suggestions = [s if ":" in s else f"{request.path_params.get('kind', '')}:{s}"
                       for s in exc.close_matches]
        html = render.not_found_page(graph, str(exc), suggestions, lang, render.Links(lang=explicit))
        return HTMLResponse(html, status_code=404, headers={"Vary": "Accept"})
    if rep == "json":
        return JSONResponse({"detail": str(exc)}, status_code=404)
    return Response(str(exc) + "\n", status_code=404, media_type="text/plain; charset=utf-8")


def not_acceptable(exc: NotAcceptable) -> Response:
    return Response(str(exc) + "\n", status_code=406, media_type="text/plain; charset=utf-8",
                    headers={"Vary": "Accept"})


def _split(name: str) -> tuple[str, str | None]:
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)], suffix[1:]
    return name, None


@router.get("/id/{kind}/{name}")
def dereference(request: Request, kind: str, name: str) -> Response:
    """One entity: HTML, Turtle, JSON-LD, N-Triples or JSON, by suffix or by ``Accept``."""
    graph = current_graph(request)
    slug, suffix = _split(name)
    try:
        rep = suffix or negotiate(request.headers.get("accept"))
    except NotAcceptable as exc:
        return not_acceptable(exc)
    try:
        iri = entity_iri(graph, kind, slug)
    except NotFoundError as exc:
        return not_found(request, graph, exc, rep)
    path = f"{kind}/{slug}"
    lang, explicit = _lang(request)
    headers = _headers(path, lang if rep in ("html", "json") else None)
    try:
        if rep == "html":
            return HTMLResponse(render.entity_page(graph, iri, lang, render.Links(lang=explicit)),
                                headers=headers)
        if rep == "json":
            # the same body as /api/entities/{kind}/{slug} (or /api/sources/{slug})
            if kind == "source":
                data = SourceDetail.model_validate(lookups.source(graph, iri, lang))
            else:
                data = Entity.model_validate(lookups.describe(graph, iri, lang))
            return JSONResponse(data.model_dump(mode="json", by_alias=True), headers=headers)
    except CityGraphError as exc:
        raise http_error(exc) from None
    return rdf_response(lookups.description(graph, iri), rep, headers)


@router.get("/id/{kind}")
def kind_index(request: Request, kind: str) -> Response:
    """``/id/city`` has no page of its own: send browsers to the list on the landing page."""
    anchors = {"city": "cities", "network": "networks", "organisation": "organisations",
               "source": "sources"}
    return RedirectResponse(f"/#{anchors.get(kind, 'what')}", status_code=303)


def _ontology_triples(graph: CityGraph) -> list[ox.Triple]:
    return [ox.Triple(q.subject, q.predicate, q.object)
            for q in graph.store.quads_for_pattern(None, None, None, ox.NamedNode(ONTOLOGY_GRAPH))]


@router.get("/ontology")
@router.get("/ontology.{ext}")
def ontology(request: Request, ext: str | None = None) -> Response:
    """The vocabulary: an HTML page, or the ontology graph as Turtle, JSON-LD or N-Triples."""
    graph = current_graph(request)
    if ext is not None and ext not in RDF_FORMATS:
        return Response(f"no format .{ext}; use .ttl, .jsonld or .nt\n", status_code=404,
                        media_type="text/plain; charset=utf-8")
    try:
        rep = ext or negotiate(request.headers.get("accept"), ("html", "ttl", "jsonld", "nt"))
    except NotAcceptable as exc:
        return not_acceptable(exc)
    lang, explicit = _lang(request)
    if rep == "html":
        return HTMLResponse(render.ontology_page(graph, lang, render.Links(lang=explicit)),
                            headers={"Vary": "Accept, Accept-Language", "Content-Language": lang})
    return rdf_response(_ontology_triples(graph), rep, {"Vary": "Accept"})


@router.get("/vocab/{scheme}/{slug}")
def vocabulary_term(request: Request, scheme: str, slug: str) -> Response:
    """A concept (``/vocab/status/ended``): its triples for machines; browsers go to /ontology."""
    graph = current_graph(request)
    iri = f"{VOCAB}{scheme}/{slug}"
    try:
        rep = negotiate(request.headers.get("accept"), ("html", "ttl", "jsonld", "nt"))
    except NotAcceptable as exc:
        return not_acceptable(exc)
    if not lookups.exists(graph, iri):
        return not_found(request, graph, NotFoundError(f"no concept {scheme}/{slug}"), rep)
    if rep == "html":
        from citygraph.namespaces import compact

        return RedirectResponse(f"/ontology#{compact(iri).replace(':', '-')}", status_code=303)
    return rdf_response(lookups.description(graph, iri), rep, {"Vary": "Accept"})


__all__ = ["NotAcceptable", "REPRESENTATIONS", "negotiate", "router"]
