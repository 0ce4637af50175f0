"""A remote SPARQL 1.1 store (``CITYGRAPH_STORE=sparql+http://host/query``).

Citygraph still parses, derives and validates locally in an in-memory Oxigraph store; a build
then uploads its named graphs to the remote server and everything that reads the graph asks
the server over the SPARQL 1.1 Protocol. :class:`RemoteStore` answers the few
``pyoxigraph.Store`` calls the rest of citygraph makes (``query``, ``quads_for_pattern``,
``named_graphs``, ``update``), so the callers need not know where the triples live.

Two rules make the remote answers equal to the embedded ones:

* **Union default graph.** Citygraph queries the union of its named graphs without ``GRAPH``;
  the server must be configured so (``oxigraph serve --union-default-graph``, Fuseki
  ``tdb2:unionDefaultGraph true``...). :meth:`RemoteStore.check` asks it and fails clearly.
* **Skolemised blank nodes.** A blank node label returned by one request cannot be used in the
  next, yet ``describe`` follows attestations (blank nodes) by asking about them. Blank nodes
  are therefore uploaded as ``<…/.well-known/genid/ID>`` IRIs (RDF 1.1 Concepts §3.5), turned
  back into blank nodes in every answer, and ``isIRI``/``isURI``/``isBlank`` on a variable are
  rewritten in queries so that they still tell them apart.

Replacing the data: the graphs are uploaded under staging names first, then one SPARQL Update
request moves them over the live names (``MOVE``) and drops graphs of the previous build that
are gone. Servers that run one update request as one transaction (Oxigraph, Fuseki/TDB2,
GraphDB) switch atomically; a failed upload leaves the live graphs untouched.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

from citygraph.errors import ConfigError, StoreError

EMBEDDED = "embedded"
SCHEMES = ("sparql+http://", "sparql+https://")
GENID = "https://w3id.org/citygraph/.well-known/genid/"
STAGING = "urn:citygraph:staging:"
CHUNK = 5000  # triples per INSERT DATA request when no Graph Store Protocol URL is set
TIMEOUT = 300.0  # seconds an HTTP request to the server may take

_TYPE_TEST = re.compile(r"\b(isIRI|isURI|isBlank)\s*\(\s*([?$][A-Za-z0-9_]+)\s*\)", re.IGNORECASE)
_WORD = re.compile(r"^\s*(?:(?:PREFIX\s+[\w.-]*:\s*<[^>]*>|BASE\s*<[^>]*>)\s*|#[^\n]*\n\s*)*(\w+)",
                   re.IGNORECASE)


def is_remote(store: str) -> bool:
    return store.startswith(SCHEMES)


@dataclass(frozen=True)
class Endpoint:
    """Where the server answers: query, update and (optional) Graph Store Protocol URLs."""

    query: str
    update: str
    gsp: str = ""
    headers: dict[str, str] = field(default_factory=dict, repr=False)  # credentials: never logged
    timeout: float = TIMEOUT

    @property
    def name(self) -> str:
        """The store as configured (``sparql+http://…/query``), for messages and the manifest."""
        return "sparql+" + self.query


def endpoint(settings: object) -> Endpoint | None:
    """The remote endpoint of ``settings`` (``CITYGRAPH_STORE...``), or None for the embedded store."""
    store = getattr(settings, "store", EMBEDDED) or EMBEDDED
    if store == EMBEDDED:
        return None
    if not is_remote(store):
        raise ConfigError(f"CITYGRAPH_STORE={store!r} is neither 'embedded' nor a "
                          "sparql+http://host:port/path (or sparql+https://) query URL")
    query = store[len("sparql+"):]
    update = getattr(settings, "store_update", "") or ""
    if not update:
        if not query.endswith("/query"):
            raise ConfigError(f"set CITYGRAPH_STORE_UPDATE: the update URL cannot be derived from "
                              f"{store} (only …/query -> …/update, the Oxigraph and Fuseki shape)")
        update = query[: -len("query")] + "update"
    headers: dict[str, str] = {}
    token = getattr(settings, "store_token", "")
    user, password = getattr(settings, "store_user", ""), getattr(settings, "store_password", "")
    if token:
        headers["Authorization"] = f"Bearer {token}"
    elif user:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    return Endpoint(query, update, getattr(settings, "store_gsp", "") or "", headers)


# ------------------------------------------------------------------------------- terms
def skolem(term):
    """Blank nodes -> genid IRIs (also inside quoted triples); other terms unchanged."""
    if isinstance(term, ox.BlankNode):
        return ox.NamedNode(GENID + term.value)
    if isinstance(term, ox.Triple):
        return ox.Triple(skolem(term.subject), term.predicate, skolem(term.object))
    return term


def unskolem(term):
    if isinstance(term, ox.NamedNode) and term.value.startswith(GENID):
        return ox.BlankNode(term.value[len(GENID):])
    if isinstance(term, ox.Triple):
        return ox.Triple(unskolem(term.subject), term.predicate, unskolem(term.object))
    return term


def _unskolem_json(value: dict) -> dict:
    if value.get("type") == "uri" and value.get("value", "").startswith(GENID):
        return {"type": "bnode", "value": value["value"][len(GENID):]}
    if value.get("type") == "triple":
        return {**value, "value": {k: _unskolem_json(v) for k, v in value["value"].items()}}
    return value


def rewrite(sparql: str) -> str:
    """``isIRI(?x)``/``isURI(?x)``/``isBlank(?x)`` see skolemised blank nodes as blank nodes."""
    def one(match: re.Match) -> str:
        test, var = match.group(1).lower(), match.group(2)
        genid = f'STRSTARTS(STR({var}), "{GENID}")'
        if test == "isblank":
            return f"(isBlank({var}) || (isIRI({var}) && {genid}))"
        return f"(isIRI({var}) && !{genid})"
    return _TYPE_TEST.sub(one, sparql)


def _values(bindings: Mapping[str, object]) -> str:
    return " ".join(f"VALUES ?{name} {{ {skolem(term)} }}" for name, term in bindings.items())


def _inject(sparql: str, bindings: Mapping[str, object]) -> str:
    from citygraph.graph import _inject_values

    return _inject_values(sparql, {name: skolem(term) for name, term in bindings.items()})


# ------------------------------------------------------------------------------- the store
class RemoteStore:
    """The subset of ``pyoxigraph.Store`` citygraph uses, over the SPARQL 1.1 Protocol."""

    def __init__(self, where: Endpoint) -> None:
        self.endpoint = where

    def __repr__(self) -> str:
        return f"RemoteStore({self.endpoint.name})"

    # ------------------------------------------------------------------ HTTP
    def _request(self, url: str, data: bytes | None, content_type: str | None,
                 accept: str | None = None, method: str = "POST") -> bytes:
        headers = dict(self.endpoint.headers)
        if content_type:
            headers["Content-Type"] = content_type
        if accept:
            headers["Accept"] = accept
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        shown = url.split("?", 1)[0]
        try:
            with urllib.request.urlopen(request, timeout=self.endpoint.timeout) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            body = exc.read().decode("utf-8", "replace").strip()[:2000]
            if exc.code == 400:
                raise SyntaxError(f"{shown} rejected the request: {body}") from None
            if exc.code in (401, 403):
                raise StoreError(f"the SPARQL server {shown} refused access (HTTP {exc.code}); "
                                 "check CITYGRAPH_STORE_TOKEN or CITYGRAPH_STORE_USER/_PASSWORD") from None
            raise RuntimeError(f"the SPARQL server {shown} answered HTTP {exc.code}: {body}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise StoreError(f"cannot reach the SPARQL server {shown}: {reason}; is it running? "
                             "(CITYGRAPH_STORE)") from None

    def _protocol(self, sparql: str, accept: str, default_graph=None, named_graphs=None) -> bytes:
        form = [("query", sparql)]
        form += [("default-graph-uri", g.value) for g in default_graph or []]
        form += [("named-graph-uri", g.value) for g in named_graphs or []]
        return self._request(self.endpoint.query, urllib.parse.urlencode(form).encode(),
                             "application/x-www-form-urlencoded", accept)

    # ------------------------------------------------------------------ pyoxigraph-like API
    def query(self, sparql: str, prefixes: Mapping[str, str] | None = None,
              use_default_graph_as_union: bool = False, default_graph=None, named_graphs=None,
              substitutions: Mapping[object, object] | None = None):
        """SELECT/ASK -> real ``pyoxigraph`` solutions or boolean; CONSTRUCT/DESCRIBE -> a list
        of triples. The default graph is the server's (the union: see :meth:`check`) unless
        ``default_graph``/``named_graphs`` name graphs (protocol ``default-graph-uri``...)."""
        subs = {getattr(k, "value", k): v for k, v in (substitutions or {}).items()}
        text = _inject(sparql, subs) if subs else sparql
        text = rewrite(text)
        if prefixes:
            text = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in prefixes.items()) + text
        form = _form(text)
        if form in ("CONSTRUCT", "DESCRIBE"):
            data = self._protocol(text, "application/n-triples", default_graph, named_graphs)
            return [ox.Triple(unskolem(q.subject), q.predicate, unskolem(q.object))
                    for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]
        data = self._protocol(text, "application/sparql-results+json", default_graph, named_graphs)
        parsed = json.loads(data)
        for row in parsed.get("results", {}).get("bindings", []):
            for name in row:
                row[name] = _unskolem_json(row[name])
        return ox.parse_query_results(json.dumps(parsed).encode(), format=ox.QueryResultsFormat.JSON)

    def update(self, sparql: str, prefixes: Mapping[str, str] | None = None) -> None:
        text = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in (prefixes or {}).items()) + sparql
        self._request(self.endpoint.update, text.encode(), "application/sparql-update")

    def quads_for_pattern(self, subject, predicate, obj, graph_name) -> list[ox.Quad]:
        """Quads of the named graphs matching the pattern (the default graph is not asked)."""
        bound = {name: term for name, term in (("s", subject), ("p", predicate), ("o", obj),
                                               ("g", graph_name)) if term is not None}
        rows = self.query(f"SELECT ?s ?p ?o ?g WHERE {{ {_values(bound)} GRAPH ?g {{ ?s ?p ?o }} }}")
        return [ox.Quad(row["s"], row["p"], row["o"], row["g"]) for row in rows]

    def named_graphs(self) -> list[ox.NamedNode]:
        rows = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return [row["g"] for row in rows if not row["g"].value.startswith(STAGING)]

    def holds(self, graph: str) -> bool:
        """Whether the named graph ``graph`` has a triple (also: whether the server answers)."""
        return bool(self.query(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"))

    def check(self, graph: str) -> None:
        """Fail clearly unless the server's default graph is the union of the named graphs:
        a triple of the named graph ``graph`` must be visible without ``GRAPH``."""
        rows = list(self.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} LIMIT 1"))
        if not rows:
            return
        triple = ox.Triple(skolem(rows[0]["s"]), rows[0]["p"], skolem(rows[0]["o"]))
        if not bool(self.query(f"ASK {{ {triple.subject} {triple.predicate} {triple.object} }}")):
            raise StoreError(
                f"the SPARQL server {self.endpoint.query} does not query the union of its named graphs "
                "by default; start it so (oxigraph serve --union-default-graph, Fuseki "
                "tdb2:unionDefaultGraph true; README \"Remote SPARQL store\")")

    # ------------------------------------------------------------------ replacing the data
    def replace(self, quads: Iterable[ox.Quad], previous: Iterable[str] = ()) -> list[str]:
        """Upload ``quads`` (named graphs only) and switch them in, replacing the live graphs of the
        same names and dropping ``previous`` graphs that are gone. Returns the graph IRIs."""
        by_graph: dict[str, list[ox.Quad]] = {}
        for quad in quads:
            if isinstance(quad.graph_name, ox.NamedNode):
                by_graph.setdefault(quad.graph_name.value, []).append(quad)
        token = secrets.token_hex(6)
        staging = {iri: f"{STAGING}{token}:{i}" for i, iri in enumerate(by_graph)}
        try:
            for iri, graph_quads in by_graph.items():
                self._upload(staging[iri], graph_quads)
            ops = [f"MOVE SILENT <{staging[iri]}> TO <{iri}>" for iri in by_graph]
            ops += [f"DROP SILENT GRAPH <{iri}>" for iri in previous if iri not in by_graph]
            self.update(" ;\n".join(ops) if ops else "CLEAR SILENT DEFAULT")
        except BaseException:
            try:
                drops = " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in staging.values())
                if drops:
                    self.update(drops)
            except Exception:  # noqa: BLE001 - best effort; the original error matters
                pass
            raise
        return list(by_graph)

    def _upload(self, graph: str, quads: list[ox.Quad]) -> None:
        triples = [ox.Triple(skolem(q.subject), q.predicate, skolem(q.object)) for q in quads]
        if self.endpoint.gsp:
            body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
            url = self.endpoint.gsp + ("&" if "?" in self.endpoint.gsp else "?") + \
                urllib.parse.urlencode({"graph": graph})
            self._request(url, body, "application/n-triples", method="PUT")
            return
        for start in range(0, len(triples), CHUNK):
            chunk = ox.serialize(triples[start:start + CHUNK], format=ox.RdfFormat.N_TRIPLES) or b""
            self.update(f"INSERT DATA {{ GRAPH <{graph}> {{\n{chunk.decode()}\n}} }}")


def _form(sparql: str) -> str:
    """The query form keyword (SELECT, ASK, CONSTRUCT, DESCRIBE) after the prologue."""
    match = _WORD.match(sparql)
    return match.group(1).upper() if match else "SELECT"


def iter_quads(store: ox.Store) -> Iterator[ox.Quad]:
    return iter(store.quads_for_pattern(None, None, None, None))


__all__ = ["EMBEDDED", "Endpoint", "GENID", "RemoteStore", "endpoint", "is_remote", "rewrite",
           "skolem", "unskolem"]
