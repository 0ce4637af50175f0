"""``/sparql``: the SPARQL 1.1 Protocol (query operation), read-only and closed to the network.

GET with ``query=``, POST ``application/x-www-form-urlencoded`` or POST
``application/sparql-query``; ``default-graph-uri`` / ``named-graph-uri`` select layers; results
by content negotiation (or ``format=`` / ``output=``). Without a query: the service description
(Turtle), or the query editor page for browsers when part B's pages module provides one.
Errors are ``text/plain`` with the reason: 400 bad request or query, 406 no acceptable format,
413/414 too large, 415 wrong media type, 503 timeout or busy.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import secrets
from dataclasses import dataclass, field
from urllib.parse import unquote_to_bytes

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from citygraph.api.executor import (
    GraphHolder, QueryTimeout, ReloadBusy, ReloadError, ServiceBusy, WorkerFailure,
)
from citygraph.api.formats import (
    FORMATS, RDF_FORMATS, NotAcceptable, known_override, negotiate, parse_accept,
)
from citygraph.api.screen import Screened, screen, tokens
from citygraph.errors import CityGraphError, QueryError
from citygraph.namespaces import GRAPH

router = APIRouter(tags=["SPARQL"])
update_router = APIRouter(tags=["SPARQL"])

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
DIRECT_UPDATE = "application/sparql-update"
_BAD_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
VOID = "http://rdfs.org/ns/void#"
_FORMAT_IRIS = {"json": "SPARQL_Results_JSON", "xml": "SPARQL_Results_XML", "csv": "SPARQL_Results_CSV",
                "tsv": "SPARQL_Results_TSV", "turtle": "Turtle", "ntriples": "N-Triples",
                "jsonld": "JSON-LD", "rdfxml": "RDF_XML"}


class ProtocolError(Exception):
    """A request the protocol does not allow; ``status`` and a message naming the problem."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _text(status: int, message: str, headers: dict[str, str] | None = None) -> PlainTextResponse:
    return PlainTextResponse(message.rstrip() + "\n", status_code=status, headers=headers)


def decode_component(raw: bytes, what: str) -> str:
    """One ``application/x-www-form-urlencoded`` component: strict percent-decoding, UTF-8."""
    if _BAD_ESCAPE.search(raw):
        raise ProtocolError(400, f"bad percent-encoding in {what}: '%' must be followed by two "
                                 "hex digits")
    data = unquote_to_bytes(raw.replace(b"+", b" "))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, f"{what} is not valid UTF-8 (bad byte at offset {exc.start}); "
                                 "send UTF-8, percent-encoded") from None


def parse_form(raw: bytes, where: str) -> list[tuple[str, str]]:
    """``a=1&b=2`` -> pairs, in order, repeated names kept; errors name the parameter."""
    pairs = []
    for part in raw.split(b"&"):
        if not part:
            continue
        name_raw, _, value_raw = part.partition(b"=")
        name = decode_component(name_raw, f"a parameter name in the {where}")
        pairs.append((name, decode_component(value_raw, f"parameter {name!r} in the {where}")))
    return pairs


def _media_type(request: Request) -> tuple[str | None, dict[str, str]]:
    header = request.headers.get("content-type")
    if header is None or not header.strip():
        return None, {}
    parts = [p.strip() for p in header.split(";")]
    params = {}
    for item in parts[1:]:
        name, _, value = item.partition("=")
        params[name.strip().lower()] = value.strip().strip('"')
    return parts[0].lower(), params


def _utf8_body(body: bytes, params: dict[str, str], what: str) -> str:
    charset = params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise ProtocolError(400, f"the {what} is declared as charset={charset}; only UTF-8 is accepted")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, f"the {what} is not valid UTF-8 (bad byte at offset {exc.start})") from None


@dataclass
class ProtocolRequest:
    """A query operation's parameters, read from the URL and body."""

    query: str | None = None
    update: str | None = None
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    format: str | None = None


async def read_request(request: Request, operation: str = "query") -> ProtocolRequest:
    """Parameters of a SPARQL request by the protocol's three forms; :class:`ProtocolError`."""
    pairs = parse_form(request.scope.get("query_string", b""), "URL")
    direct = None
    if request.method == "POST":
        media, params = _media_type(request)
        body = await request.body()
        direct_type = DIRECT if operation == "query" else DIRECT_UPDATE
        if media is None:
            raise ProtocolError(400, f"a POST needs a Content-Type: {FORM} or {direct_type}")
        if media == FORM:
            pairs += parse_form(body, "request body")
        elif media == direct_type:
            direct = _utf8_body(body, params, f"{operation} in the request body")
        elif media == DIRECT_UPDATE and operation == "query":
            raise ProtocolError(400, "this is a SPARQL Update request; /sparql answers queries only "
                                     "(updates go to /sparql/update when the server enables it)")
        else:
            raise ProtocolError(415, f"unsupported Content-Type {media!r}; use {FORM} or {direct_type}")
    out = ProtocolRequest()
    found: dict[str, list[str]] = {}
    for name, value in pairs:
        found.setdefault(name, []).append(value)
    for name in ("query", "update", "format", "output"):
        if len(found.get(name, [])) > 1:
            raise ProtocolError(400, f"the parameter {name!r} is given {len(found[name])} times; "
                                     "give it once")
    if direct is not None:
        if operation in found:
            raise ProtocolError(400, f"the {operation} is both in the body and in a {operation}= "
                                     "parameter; give it once")
        found[operation] = [direct]
    out.query = found.get("query", [None])[0]
    out.update = found.get("update", [None])[0]
    graphs, named = (("default-graph-uri", "named-graph-uri") if operation == "query"
                     else ("using-graph-uri", "using-named-graph-uri"))
    out.default_graphs = found.get(graphs, [])
    out.named_graphs = found.get(named, [])
    fmt = found.get("format", found.get("output", [None]))[0]
    if fmt is not None and fmt.strip():
        if not known_override(fmt):
            keys = ", ".join(f.key for f in FORMATS)
            raise ProtocolError(400, f"unknown format {fmt!r}; use one of {keys} or a media type")
        out.format = fmt
    return out


def dataset(screened: Screened, req: ProtocolRequest, held: frozenset[str]) -> tuple[list[str] | None, list[str] | None]:
    """The RDF dataset: protocol parameters win over FROM / FROM NAMED; neither: the union.

    Graph IRIs must name graphs the store holds, or lie under the project's graph namespace
    (such a graph may simply be empty). Anything else is refused, never fetched.
    """
    if req.default_graphs or req.named_graphs:
        default, named, origin = req.default_graphs, req.named_graphs, "parameter"
    elif screened.from_graphs or screened.from_named_graphs:
        default, named, origin = screened.from_graphs, screened.from_named_graphs, "FROM clause"
    else:
        return None, None
    for iri in [*default, *named]:
        if iri not in held and not iri.startswith(GRAPH):
            have = ", ".join(f"<{g}>" for g in sorted(held)) or "none"
            raise ProtocolError(400, f"graph <{iri}> (in a {origin}) is not held by this endpoint, "
                                     f"and the endpoint never fetches graphs from elsewhere; "
                                     f"it holds: {have}")
    return list(default), list(named)


def refuse_unsafe(screened: Screened) -> None:
    if screened.is_update:
        raise ProtocolError(400, f"this is a SPARQL Update ({screened.form}); /sparql answers "
                                 "queries only (updates go to /sparql/update when the server enables it)")
    if screened.service:
        raise ProtocolError(400, f"SERVICE {screened.service[0] or ''} is refused: this endpoint "
                                 "never sends requests to other servers (federated query is off)")


def _accept_html(request: Request) -> bool:
    ranges = parse_accept(request.headers.get("accept"))
    return any(r.type == "text" and r.subtype == "html" and r.q > 0 for r in ranges)


# ---------------------------------------------------------------------------------- /sparql
_SPARQL_DOC = ("SPARQL 1.1 Protocol query operation (read-only): `query`, `default-graph-uri`, "
               "`named-graph-uri`, `format`. Without a query: the service description, or the "
               "query editor for browsers. See the README, \"HTTP: the SPARQL endpoint\".")


@router.get("/sparql", summary="SPARQL 1.1 query (GET)", description=_SPARQL_DOC,
            operation_id="sparql_query_get", response_class=Response)
@router.post("/sparql", summary="SPARQL 1.1 query (POST form or application/sparql-query)",
             description=_SPARQL_DOC, operation_id="sparql_query_post", response_class=Response)
async def sparql(request: Request) -> Response:
    holder: GraphHolder = request.app.state.holder
    try:
        req = await read_request(request)
        if req.update is not None:
            raise ProtocolError(400, "the update= parameter is not accepted at /sparql, which "
                                     "answers queries only (updates go to /sparql/update when enabled)")
        if req.query is None:
            if request.method == "POST":
                raise ProtocolError(400, "no query: send it as query=… (form) or as an "
                                         f"{DIRECT} body")
            return service_description(request, holder)
        from citygraph.api.app import query_hash  # noqa: PLC0415 - app imports this module

        request.state.query_hash = query_hash(req.query)
        screened = screen(req.query)
        refuse_unsafe(screened)
        default, named = dataset(screened, req, holder.held_graphs)
        kind = {"SELECT": "select", "ASK": "ask"}.get(screened.form or "", "graph")
        if screened.form is None:
            kind = "select"  # not a query at all: the engine's parser will say why
        fmt = negotiate(kind, parse_accept(request.headers.get("accept")), req.format)
        job = holder.job(req.query, default_graphs=default, named_graphs=named, format=fmt.key)
        _, content_type, body, truncated, count = await holder.execute(job)
    except ProtocolError as exc:
        return _text(exc.status, str(exc))
    except NotAcceptable as exc:
        return _text(406, str(exc))
    except QueryError as exc:
        return _text(400, str(exc))
    except (QueryTimeout, ServiceBusy, WorkerFailure) as exc:
        return _text(503, f"{exc} (limit: {holder.settings.sparql_timeout:g} s)")
    headers = {"Vary": "Accept", "X-Citygraph-Rows": str(count)}
    if truncated:
        headers["X-Citygraph-Truncated"] = "true"
        headers["X-Citygraph-Max-Rows"] = str(holder.settings.sparql_max_rows)
    return Response(body, media_type=content_type, headers=headers)


def service_description(request: Request, holder: GraphHolder) -> Response:
    """The editor page for browsers (when part B provides it), else the SPARQL service
    description in Turtle (or another RDF format the client accepts)."""
    if _accept_html(request) and importlib.util.find_spec("citygraph.api.routes.pages") is not None:
        pages = importlib.import_module("citygraph.api.routes.pages")
        if hasattr(pages, "editor_page"):
            return pages.editor_page(request)
    endpoint = str(request.url.replace(query=None, fragment=None))
    triples = description_triples(endpoint, holder, request.app.state.settings.sparql_update)
    try:
        fmt = negotiate("graph", parse_accept(request.headers.get("accept")))
    except NotAcceptable:
        fmt = FORMATS[4]  # Turtle: a description beats a 406
    body = ox.serialize(triples, format=RDF_FORMATS[fmt.key],
                        prefixes={"sd": SD, "formats": FORMATS_NS, "void": VOID})
    return Response(body, media_type=fmt.content_type, headers={"Vary": "Accept"})


def description_triples(endpoint: str, holder: GraphHolder, update: bool) -> list[ox.Triple]:
    n = ox.NamedNode
    rdf_type = n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    service, dataset_node, default = ox.BlankNode(), ox.BlankNode(), ox.BlankNode()
    out = [
        ox.Triple(service, rdf_type, n(SD + "Service")),
        ox.Triple(service, n(SD + "endpoint"), n(endpoint)),
        ox.Triple(service, n(SD + "supportedLanguage"), n(SD + "SPARQL11Query")),
        ox.Triple(service, n(SD + "feature"), n(SD + "UnionDefaultGraph")),
        ox.Triple(service, n(SD + "defaultDataset"), dataset_node),
        ox.Triple(dataset_node, rdf_type, n(SD + "Dataset")),
        ox.Triple(dataset_node, n(SD + "defaultGraph"), default),
        ox.Triple(default, rdf_type, n(SD + "Graph")),
    ]
    if update:
        out.append(ox.Triple(service, n(SD + "supportedLanguage"), n(SD + "SPARQL11Update")))
    for key, name in _FORMAT_IRIS.items():
        out.append(ox.Triple(service, n(SD + "resultFormat"), n(FORMATS_NS + name)))
    counts = holder.graph.manifest.get("triples", {})
    out.append(ox.Triple(default, n(VOID + "triples"), ox.Literal(str(sum(counts.values())),
               datatype=n("http://www.w3.org/2001/XMLSchema#integer"))))
    for iri in sorted(holder.held_graphs):
        named, graph = ox.BlankNode(), ox.BlankNode()
        out += [
            ox.Triple(dataset_node, n(SD + "namedGraph"), named),
            ox.Triple(named, rdf_type, n(SD + "NamedGraph")),
            ox.Triple(named, n(SD + "name"), n(iri)),
            ox.Triple(named, n(SD + "graph"), graph),
            ox.Triple(graph, rdf_type, n(SD + "Graph")),
        ]
        layer = iri[len(GRAPH):] if iri.startswith(GRAPH) else None
        if layer in counts:
            out.append(ox.Triple(graph, n(VOID + "triples"), ox.Literal(
                str(counts[layer]), datatype=n("http://www.w3.org/2001/XMLSchema#integer"))))
    return out


# ---------------------------------------------------------------------------------- updates
def check_token(request: Request) -> Response | None:
    """None when the request carries the admin bearer token; else the 401/403 response."""
    token = request.app.state.settings.admin_token
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if not header:
        return _text(401, "this call needs Authorization: Bearer <token>",
                     {"WWW-Authenticate": 'Bearer realm="citygraph"'})
    if not token:
        return _text(403, "no admin token is configured on the server (CITYGRAPH_ADMIN_TOKEN)")
    if scheme.lower() != "bearer" or not secrets.compare_digest(given.strip().encode(), token.encode()):
        return _text(403, "the bearer token is not valid")
    return None


@update_router.post("/sparql/update", summary="SPARQL 1.1 Update (admin only)",
                    include_in_schema=False)
async def sparql_update(request: Request) -> Response:
    """Apply a SPARQL Update to a copy of the serving graph and swap the copy in.

    Enabled only by ``CITYGRAPH_SPARQL_UPDATE=true`` and only with the admin bearer token.
    Changes last until the next reload or build (the Turtle files stay the source of truth).
    """
    refused = check_token(request)
    if refused is not None:
        return refused
    holder: GraphHolder = request.app.state.holder
    try:
        req = await read_request(request, operation="update")
        if req.query is not None:
            raise ProtocolError(400, "query= is not accepted at /sparql/update; send queries to /sparql")
        if req.update is None:
            raise ProtocolError(400, f"no update: send it as update=… (form) or as an {DIRECT_UPDATE} body")
        if req.default_graphs or req.named_graphs:
            raise ProtocolError(400, "using-graph-uri / using-named-graph-uri are not supported; "
                                     "use USING / WITH in the update")
        from citygraph.api.app import query_hash  # noqa: PLC0415

        request.state.query_hash = query_hash(req.update)
        screened = screen(req.update)
        if screened.service:
            raise ProtocolError(400, "SERVICE is refused: this endpoint never sends requests to other servers")
        if any(t.kind == "word" and t.text == "LOAD" for t in tokens(req.update)):
            raise ProtocolError(400, "LOAD is refused: this endpoint never fetches data from elsewhere")
        if not screened.is_update:
            raise ProtocolError(400, "this is not a SPARQL Update; send queries to /sparql")
        result = await holder.update(req.update)
    except ProtocolError as exc:
        return _text(exc.status, str(exc))
    except QueryError as exc:
        return _text(400, str(exc))
    except ReloadBusy as exc:
        return _text(409, str(exc))
    except (ReloadError, CityGraphError) as exc:
        return _text(500, str(exc))
    return Response(status_code=204, headers={"X-Citygraph-Triples": str(result.get("triples", ""))})
