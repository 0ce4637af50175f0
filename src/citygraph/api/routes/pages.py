"""Pages for people: the landing page, the named queries, the API docs (offline Swagger UI),
the vendored front-end files under ``/static/``, and the SPARQL editor that ``/sparql`` shows a
browser that asks for it without a query (:func:`editor_page`).
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path
from typing import Annotated

import pyoxigraph as ox
from fastapi import APIRouter, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from citygraph.api import render
from citygraph.api.deps import current_graph
from citygraph.api.i18n import choose_lang
from citygraph.errors import CityGraphError, NotFoundError, QueryError
from citygraph.namespaces import PREFIXES, compact
from citygraph.queries import NamedQuery, find_query, load_queries

router = APIRouter(include_in_schema=False)

STATIC = Path(__file__).resolve().parents[1] / "static"
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_PREFIX_USE = re.compile(r"(?<![\w<:/#?$])([A-Za-z][\w-]*):(?=[A-Za-z0-9_])")
_PREFIX_DECL = re.compile(r"^\s*PREFIX\s+([\w-]*):", re.IGNORECASE | re.MULTILINE)


def _lang(request: Request) -> tuple[str, str | None]:
    explicit = request.query_params.get("lang")
    explicit = explicit if explicit in ("en", "fi", "sv") else None
    return choose_lang(explicit, request.headers.get("accept-language")), explicit


def _html(body: str, lang: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status,
                        headers={"Content-Language": lang, "Vary": "Accept-Language"})


@router.get("/")
def index(request: Request) -> HTMLResponse:
    """What citygraph is, the licence, and links to everything."""
    lang, explicit = _lang(request)
    return _html(render.index_page(current_graph(request), lang, render.Links(lang=explicit),
                                   base_url=str(request.base_url)), lang)


# ---------------------------------------------------------------------------- named queries

@router.get("/queries")
def queries(request: Request) -> HTMLResponse:
    """Every named query with a form to run it."""
    graph = current_graph(request)
    lang, explicit = _lang(request)
    named = list(load_queries(graph.settings.queries_dir).values())
    return _html(render.queries_page(graph, named, lang, render.Links(lang=explicit)), lang)


@router.get("/queries/{name}")
async def query_result(request: Request,
                       name: Annotated[str, PathParam(max_length=200)]) -> HTMLResponse:
    """A named query run with the form's parameters, as a table (in a query worker)."""
    holder = request.app.state.holder
    graph = holder.graph
    lang, explicit = _lang(request)
    links = render.Links(lang=explicit)
    values = {k: v for k, v in request.query_params.items() if k != "lang"}
    try:  # file reading, name resolution and rendering run in threads, not on the event loop
        query = await run_in_threadpool(find_query, graph.settings.queries_dir, name)
    except NotFoundError as exc:
        page = await run_in_threadpool(render.not_found_page, graph, str(exc), [], lang, links)
        return _html(page, lang, 404)
    try:
        bound = await run_in_threadpool(query.bind, values, graph.resolve)
        result = await holder.run(query.sparql, bound)
    except QueryError as exc:
        raise HTTPException(422, detail=str(exc)) from None
    except CityGraphError as exc:
        raise HTTPException(503, detail=str(exc)) from None
    header, rows = result.table()
    cells = [[render.cell(t, links) for t in row] for row in rows]
    shown = {k: compact(v.value) if isinstance(v, ox.NamedNode) else v.value for k, v in bound.items()}
    page = await run_in_threadpool(render.query_result_page, graph, query, shown, header, cells,
                                   bool(getattr(result, "truncated", False)), lang, links)
    return _html(page, lang)


# ---------------------------------------------------------------------------- editor

def editor_query(query: NamedQuery) -> str:
    """A named query as the editor shows it: runnable as is, its parameters bound to their
    defaults by a ``VALUES`` line at the top of the WHERE clause, every prefix it uses declared.
    """
    text = query.sparql
    bindings = []
    for p in query.params:
        if p.default is None:
            continue
        if p.type == "iri":
            name = compact(p.default) if p.default.startswith("http") else p.default
            bindings.append((p.name, name if not name.startswith("<") else name))
        elif p.type == "xsd:date":
            bindings.append((p.name, f'"{p.default}"^^xsd:date'))
        elif p.type == "xsd:integer":
            bindings.append((p.name, p.default))
        else:
            bindings.append((p.name, str(ox.Literal(p.default))))
    if bindings:
        match = _WHERE.search(_strip_comments(text))
        if match:
            names = " ".join(f"?{n}" for n, _ in bindings)
            terms = " ".join(t for _, t in bindings)
            line = f"\n  # parameters: change the values here\n  VALUES ({names}) {{ ({terms}) }}\n"
            text = text[: match.end()] + line + text[match.end():]
    declared = set(_PREFIX_DECL.findall(text))
    used = [p for p in dict.fromkeys(_PREFIX_USE.findall(_strip_comments(_strip_strings(text))))
            if p in PREFIXES and p not in declared]
    if used:
        decls = "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in used)
        lines = text.splitlines(keepends=True)
        declared_at = [i for i, line in enumerate(lines) if _PREFIX_DECL.match(line)]
        if declared_at:  # right after the last PREFIX line
            at = declared_at[-1] + 1
        else:  # after the header comments
            at = next((i for i, line in enumerate(lines) if not line.lstrip().startswith("#")), 0)
        text = "".join(lines[:at]) + decls + "".join(lines[at:])
    return text


def _strip_comments(text: str) -> str:
    """Blank out ``#`` comments (keeping offsets), leaving IRIs and strings alone."""
    out, i, n = list(text), 0, len(text)
    in_iri = in_str = False
    quote = ""
    while i < n:
        c = text[i]
        if in_str:
            if c == "\\":
                i += 2
                continue
            if text.startswith(quote, i):
                in_str = False
                i += len(quote)
                continue
        elif in_iri:
            if c == ">":
                in_iri = False
        elif c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            in_str = True
            i += len(quote)
            continue
        elif c == "<" and re.match(r"<[^\s<>\"{}|^`\\]*>", text[i:]):
            in_iri = True
        elif c == "#":
            while i < n and text[i] != "\n":
                out[i] = " "
                i += 1
            continue
        i += 1
    return "".join(out)


def _strip_strings(text: str) -> str:
    return re.sub(r'"[^"\n]*"|<[^>\s]*>', '""', text)


def editor_examples(request: Request) -> list[dict]:
    graph = current_graph(request)
    return [{"name": q.name, "title": q.title, "description": q.description,
             "query": editor_query(q)}
            for q in load_queries(graph.settings.queries_dir).values()]


def editor_page(request: Request) -> Response:
    """The SPARQL editor (YASGUI, served from /static/, no other host contacted), with the named
    queries as examples and the project prefixes; it POSTs to this server's ``/sparql``."""
    graph = current_graph(request)
    lang, explicit = _lang(request)
    endpoint = str(request.base_url).rstrip("/") + "/sparql"
    return _html(render.editor_html(graph, endpoint, editor_examples(request), lang,
                                    render.Links(lang=explicit)), lang)


# ---------------------------------------------------------------------------- docs and files

@router.get("/docs")
def docs(request: Request) -> HTMLResponse:
    """Swagger UI for /openapi.json from /static/ (FastAPI's default loads it from a CDN)."""
    return get_swagger_ui_html(
        openapi_url=request.app.openapi_url or "/openapi.json",
        title="citygraph API",
        swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url="/static/swagger-ui/swagger-ui.css",
        swagger_favicon_url="/static/swagger-ui/favicon-32x32.png",
        swagger_ui_parameters={"validatorUrl": None, "tryItOutEnabled": True},
    )


@router.get("/static/{path:path}")
def static(path: str) -> Response:
    """The vendored front-end files (YASGUI, Swagger UI) and the pages' CSS and JS."""
    target = (STATIC / path).resolve()
    if not target.is_relative_to(STATIC) or not target.is_file():
        return Response(f"no file /static/{path}\n", status_code=404,
                        media_type="text/plain; charset=utf-8")
    media = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    if media.startswith("text/") or media == "application/javascript":
        media += "; charset=utf-8"
    return FileResponse(target, media_type=media, headers={"Cache-Control": "public, max-age=3600"})


__all__ = ["editor_examples", "editor_page", "editor_query", "router"]
