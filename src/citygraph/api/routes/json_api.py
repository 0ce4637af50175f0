"""``/api/...``: the JSON API (cities, networks, organisations, relationships, entities, sources,
named queries, validation), documented by OpenAPI at ``/docs``.

Handlers are thin: they call :mod:`citygraph.api.lookups` (plain ``def``: FastAPI runs them in a
thread pool) or, for named queries, the query workers (``await holder.run``).
"""

from __future__ import annotations

import threading
import weakref
from datetime import date
from typing import Annotated, Literal

import pyoxigraph as ox
from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from citygraph.api import lookups
from citygraph.api.deps import GraphDep, LangDep, PagingDep, http_error, next_link
from citygraph.api.models import (
    ApiIndex, Entity, EntityList, NamedQueryInfo, NamedQueryList, Problem, QueryRows,
    RelationshipList, Resolved, SourceDetail, SourceList, ValidationReport,
)
from citygraph.errors import CityGraphError, NotFoundError, QueryError
from citygraph.graph import CityGraph
from citygraph.namespaces import ENTITY_KINDS, compact
from citygraph.queries import NamedQuery, find_query, load_queries

router = APIRouter(prefix="/api")

ERRORS = {404: {"model": Problem, "description": "Nothing by that name; the message suggests close names."},
          422: {"model": Problem, "description": "A parameter is malformed or names nothing suitable; "
                                                 "the message names the parameter."}}
SPARQL_JSON = "application/sparql-results+json"

Kind = Literal["membership", "partnership", "agreement", "hosting", "office-operation", "ownership"]
Status = Literal["active", "suspended", "ended"]
OrgType = Literal["network", "agency", "company", "university", "regional-council", "foundation",
                  "office", "unit"]
NameParam = Annotated[str | None, Query(max_length=500)]


def _paged(request: Request, page: lookups.Page, paging) -> dict:
    return {"total": page.total, "limit": page.limit, "offset": page.offset,
            "next": next_link(request, paging, page.total), "items": page.items}


# ---------------------------------------------------------------------------- index

@router.get("", response_model=ApiIndex, tags=["about"], summary="What the API offers")
def api_index(graph: GraphDep) -> dict:
    """Links to every collection, and the values the filters accept."""
    return {
        "title": "citygraph JSON API",
        "licence": "Curated data CC BY 4.0; quotes are short citations, each with its source.",
        "links": {
            "cities": "/api/cities", "networks": "/api/networks",
            "organisations": "/api/organisations", "relationships": "/api/relationships",
            "sources": "/api/sources", "queries": "/api/queries", "validation": "/api/validation",
            "resolve": "/api/resolve?name=Helsingfors", "entity": "/api/entities/city/helsinki",
            "sparql": "/sparql", "docs": "/docs", "openapi": "/openapi.json",
        },
        "layers": [{"name": k, "iri": v} for k, v in lookups.layers(graph).items()],
        "relationship_kinds": list(lookups.RELATIONSHIP_KINDS),
        "statuses": list(lookups.STATUSES),
        "organisation_types": list(lookups.ORGANISATION_TYPES),
    }


# ---------------------------------------------------------------------------- collections

@router.get("/cities", response_model=EntityList, tags=["entities"], responses=ERRORS,
            summary="Cities")
def cities(request: Request, graph: GraphDep, lang: LangDep, paging: PagingDep,
           q: Annotated[str | None, Query(max_length=200, description="Part of a name, any language.",
                                          examples=["hel"])] = None,
           country: Annotated[str | None, Query(max_length=500, description="A country (slug, name or IRI).",
                                                examples=["finland"])] = None,
           partner_of: Annotated[str | None, Query(max_length=500, description="Partners, ever, of this city.",
                                                   examples=["helsinki"])] = None) -> dict:
    """Cities sorted by name in the chosen language, with names in en/fi/sv, country,
    coordinates and Wikidata/GeoNames ids."""
    try:
        page = lookups.list_entities(graph, "cities", lang, limit=paging.limit, offset=paging.offset,
                                     q=q, country=country, partner_of=partner_of)
    except CityGraphError as exc:
        raise http_error(exc) from None
    return _paged(request, page, paging)


@router.get("/networks", response_model=EntityList, tags=["entities"], responses=ERRORS,
            summary="City networks")
def networks(request: Request, graph: GraphDep, lang: LangDep, paging: PagingDep,
             q: Annotated[str | None, Query(max_length=200, description="Part of a name, any language.")] = None,
             member: Annotated[str | None, Query(max_length=500, description="Networks this city or organisation belongs to.",
                                                 examples=["helsinki"])] = None) -> dict:
    """City networks (Eurocities, C40, …) sorted by name."""
    try:
        page = lookups.list_entities(graph, "networks", lang, limit=paging.limit, offset=paging.offset,
                                     q=q, member=member)
    except CityGraphError as exc:
        raise http_error(exc) from None
    return _paged(request, page, paging)


@router.get("/organisations", response_model=EntityList, tags=["entities"], responses=ERRORS,
            summary="Organisations (networks, agencies, universities, offices, units, …)")
def organisations(request: Request, graph: GraphDep, lang: LangDep, paging: PagingDep,
                  q: Annotated[str | None, Query(max_length=200, description="Part of a name, any language.")] = None,
                  type: Annotated[OrgType | None, Query(description="Only this kind of organisation.")] = None,
                  related_to: Annotated[str | None, Query(
                      max_length=500, description="Shares a relationship with, or is located in, this entity.",
                      examples=["helsinki"])] = None) -> dict:
    """Every organisation, city networks included, sorted by name."""
    try:
        page = lookups.list_entities(graph, "organisations", lang, limit=paging.limit,
                                     offset=paging.offset, q=q, type=type, related_to=related_to)
    except CityGraphError as exc:
        raise http_error(exc) from None
    return _paged(request, page, paging)


@router.get("/relationships", response_model=RelationshipList, tags=["relationships"],
            responses=ERRORS, summary="Relationships, filtered")
def relationships(request: Request, graph: GraphDep, lang: LangDep, paging: PagingDep,
                  city: Annotated[str | None, Query(max_length=500, description="Involving this city (slug, name in any language, prefixed name or IRI).",
                                                    examples=["helsinki"])] = None,
                  network: Annotated[str | None, Query(max_length=500, description="Involving this network.",
                                                       examples=["eurocities"])] = None,
                  kind: Annotated[Kind | None, Query(description="Relationship kind.")] = None,
                  status: Annotated[Status | None, Query(description="Lifecycle status as recorded.")] = None,
                  layer: Annotated[str | None, Query(max_length=200, description="Only relationships stated in this layer (named graph), e.g. curated.")] = None,
                  as_of: Annotated[date | None, Query(description="Only those active on this date: cg:activeFrom <= as_of and "
                                                              "(no cg:activeUntil or as_of < cg:activeUntil).",
                                                      examples=["2019-06-01"])] = None) -> dict:
    """Relationship nodes with their parties, dates (with precision), status and reason,
    active period and every attestation with its quote. Sorted by kind, then start."""
    try:
        page = lookups.list_relationships(graph, lang, limit=paging.limit, offset=paging.offset,
                                          city=city, network=network, kind=kind, status=status,
                                          layer=layer, as_of=as_of)
    except CityGraphError as exc:
        raise http_error(exc) from None
    return _paged(request, page, paging)


# ---------------------------------------------------------------------------- one entity

def entity_iri(graph: CityGraph, kind: str, slug: str) -> str:
    """``kind``/``slug`` -> the IRI of a thing in the graph, or NotFoundError with close names."""
    if kind not in ENTITY_KINDS:
        import difflib

        close = difflib.get_close_matches(kind, list(ENTITY_KINDS), n=3)
        raise NotFoundError(f"no kind of thing {kind!r} (kinds: {', '.join(ENTITY_KINDS)})", close)
    iri = lookups.entity_iri(kind, slug)
    if not lookups.exists(graph, iri):
        try:
            graph.resolve(slug)
            close: list[str] = []
        except NotFoundError as exc:
            close = exc.close_matches
        except CityGraphError:
            close = []
        hint = lookups.suggest(close, kind)
        raise NotFoundError(f"no {kind} {slug!r}", hint)
    return iri


SlugPath = Annotated[str, Path(max_length=300, pattern=r"^[A-Za-z0-9._~%-]+$", examples=["helsinki"])]


@router.get("/entities/{kind}/{slug}", response_model=Entity, tags=["entities"], responses=ERRORS,
            summary="One entity with all its relationships, dates, status, sources and quotes")
def entity(graph: GraphDep, lang: LangDep,
           kind: Annotated[str, Path(max_length=40, examples=["city"],
                                     description="city, country, network, organisation, office, unit, "
                                                 "source, partnership, membership, …")],
           slug: SlugPath) -> dict:
    """What ``citygraph describe`` shows, as JSON (the same as ``/id/{kind}/{slug}.json``)."""
    try:
        return lookups.describe(graph, entity_iri(graph, kind, slug), lang)
    except CityGraphError as exc:
        raise http_error(exc) from None


@router.get("/resolve", response_model=Resolved, tags=["entities"], responses=ERRORS,
            summary="Find a thing by any of its names")
def resolve(graph: GraphDep, lang: LangDep,
            name: Annotated[str, Query(min_length=1, max_length=500, examples=["Helsingfors"],
                                       description="A slug, a label in any language, a prefixed name or an IRI.")]) -> dict:
    """``Pietari`` -> Saint Petersburg: the IRI, label and where its page and JSON are."""
    try:
        iri = lookups.resolve(graph, name, "name")
    except lookups.BadParameter as exc:
        raise HTTPException(404, detail=str(exc)) from None
    except CityGraphError as exc:
        raise http_error(exc) from None
    types = graph.query(f"SELECT ?t WHERE {{ <{iri}> a ?t }}")
    return {**lookups.ref(graph, iri, lang), "path": lookups.local_path(iri),
            "types": sorted(compact(row[0].value) for row in types.rows)}


# ---------------------------------------------------------------------------- sources

@router.get("/sources", response_model=SourceList, tags=["sources"], summary="Source documents")
def sources(graph: GraphDep, lang: LangDep) -> dict:
    """The documents the facts come from: title, date (or bounds), language, publisher, where
    it was published, and how many attestations cite it."""
    items = lookups.list_sources(graph, lang)
    return {"total": len(items), "items": items}


@router.get("/sources/{slug}", response_model=SourceDetail, tags=["sources"], responses=ERRORS,
            summary="One source document and everything it attests")
def source(graph: GraphDep, lang: LangDep, slug: SlugPath) -> dict:
    try:
        return lookups.source(graph, entity_iri(graph, "source", slug), lang)
    except CityGraphError as exc:
        raise http_error(exc) from None


# ---------------------------------------------------------------------------- named queries

def _info(q: NamedQuery) -> dict:
    return {"name": q.name, "title": q.title, "description": q.description,
            "params": [{"name": p.name, "type": p.type, "default": p.default} for p in q.params],
            "sparql": q.sparql, "run": f"/api/queries/{q.name}"}


@router.get("/queries", response_model=NamedQueryList, tags=["queries"], summary="Named queries")
def named_queries(graph: GraphDep) -> dict:
    """The files in ``queries/``: title, description, typed parameters with defaults, SPARQL."""
    items = [_info(q) for q in load_queries(graph.settings.queries_dir).values()]
    return {"total": len(items), "items": items}


def _plain(term: object) -> str | None:
    if term is None:
        return None
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return getattr(term, "value", str(term))


@router.get("/queries/{name}", tags=["queries"], summary="Run a named query",
            response_model=QueryRows,
            responses={**ERRORS,
                       200: {"description": "Rows as plain values (default), or SPARQL 1.1 JSON "
                                            "results with `format=sparql-json` or `Accept: "
                                            f"{SPARQL_JSON}`.",
                             "content": {SPARQL_JSON: {"schema": {"type": "object"}}}},
                       400: {"model": Problem, "description": "The query failed."},
                       503: {"model": Problem, "description": "The query ran past the timeout."}})
async def run_named_query(
        request: Request,
        name: Annotated[str, Path(max_length=200, examples=["active-partners"])],
        format: Annotated[Literal["rows", "sparql-json"] | None, Query(
            description="rows (default): plain values; sparql-json: SPARQL 1.1 Query Results JSON.")] = None,
) -> object:
    """Runs ``queries/{name}.rq`` in a query worker (with the server's timeout and row cap).
    Every other query parameter is a parameter of the named query, e.g.
    ``/api/queries/active-partners?date=2024-06-01``; ``iri`` parameters take any name
    (``helsinki``, ``Helsingfors``, ``city:helsinki``)."""
    holder = request.app.state.holder
    graph: CityGraph = holder.graph
    values = {k: v for k, v in request.query_params.items() if k not in ("format", "lang")}
    try:  # reading the file and resolving names may touch the graph: not on the event loop
        query = await run_in_threadpool(find_query, graph.settings.queries_dir, name)
        bound = await run_in_threadpool(query.bind, values, graph.resolve)
    except NotFoundError as exc:
        raise HTTPException(404, detail=str(exc)) from None
    except QueryError as exc:
        raise HTTPException(422, detail=str(exc)) from None
    try:
        result = await holder.run(query.sparql, bound)
    except QueryError as exc:
        raise HTTPException(400, detail=str(exc)) from None
    except CityGraphError as exc:  # timeout, busy, worker failure
        raise HTTPException(503, detail=str(exc)) from None
    truncated = bool(getattr(result, "truncated", False))
    accept = request.headers.get("accept", "")
    if format == "sparql-json" or (format is None and SPARQL_JSON in accept):
        body = result.to_json()
        if truncated:
            body["truncated"] = True
        return JSONResponse(body, media_type=SPARQL_JSON)
    header, rows = result.table()
    return {"query": name, "params": {k: _plain(v) for k, v in bound.items()},
            "variables": header, "rows": [dict(zip(header, map(_plain, row))) for row in rows],
            "truncated": truncated}


# ---------------------------------------------------------------------------- validation

_reports: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_reports_lock = threading.Lock()


@router.get("/validation", response_model=ValidationReport, tags=["validation"],
            responses={503: {"model": Problem, "description": "Validation is not available."}},
            summary="SHACL validation report of the curated data (and of the imported layers)")
def validation(graph: GraphDep,
               min_severity: Annotated[Literal["violation", "warning", "info"], Query(
                   description="Leave out results less severe than this.")] = "info",
               layers: Annotated[bool, Query(
                   description="Also check the imported layers of the graph being served against "
                               "shapes/layers.ttl (about a minute for every real layer; cached).")] = False,
               ) -> dict:
    """``citygraph validate --format json`` over the data files of the graph being served, and
    with ``layers=true`` over its imported layers too (computed once per loaded graph)."""
    try:
        from citygraph.validate import validate
    except ImportError:
        raise HTTPException(503, detail="validation is not available in this installation") from None
    with _reports_lock:
        cached = _reports.setdefault(graph, {})
        report = cached.get(layers)
        if report is None:
            chosen = ["curated", *(graph.manifest.get("layers") or [])] if layers else ["curated"]
            try:
                report = validate(settings=graph.settings, layers=chosen)
            except CityGraphError as exc:
                raise HTTPException(503, detail=f"validation failed: {exc}") from None
            cached[layers] = report
    return report.to_dict(min_severity)


__all__ = ["entity_iri", "router"]
