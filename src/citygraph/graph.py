"""CityGraph: the one service object: loads the layers, builds the store, answers questions.

Created once (``CityGraph.build`` or ``CityGraph.open``) and handed to the CLI and, later, the
web app; nothing re-reads the data files behind its back.
"""

from __future__ import annotations

import array
import difflib
import re
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, timezone
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from citygraph import __version__, remote as remotes, store as stores
from citygraph.canonical import parse_turtle
from citygraph.config import Settings
from citygraph.derive import derive, derive_apart
from citygraph.layers import registry as layer_registry
from citygraph.errors import (
    AmbiguousNameError,
    CityGraphError,
    DataFileError,
    NotFoundError,
    QueryError,
)
from citygraph.namespaces import (
    ANALYSIS_GRAPH, CG, CURATED_GRAPH, DCTERMS, DERIVED_GRAPH, GEO, GRAPHS, ID, ONTOLOGY_GRAPH,
    ORG, OWL, PREFIXES, RDF, RDFS, SKOS, VOCAB, VOCABULARIES, ENTITY_KINDS, compact, expand,
)
from citygraph.queries import term_from_string
from citygraph.results import QueryResult

Notify = Callable[[str], None]
LANG_FALLBACK = ("en", "fi", "sv")

_SUBJECT_LINE = re.compile(r"^(<[^>\s]*>|[A-Za-z][\w.-]*:[^\s;,]*|:[^\s;,]*)")
_PREFIX_LINE = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([\w.-]*):\s*<([^>]*)>", re.IGNORECASE)


def _stderr(message: str) -> None:
    print(message, file=sys.stderr)


def _slug_key(iri: str) -> str:
    """The key the name index files an IRI under as a slug: its last segment, casefolded."""
    return iri.rstrip("/").rsplit("/", 1)[-1].casefold()


#: where the IRIs named by a slug live: ``id/KIND/slug`` and ``vocab/PATH/slug``
_SLUG_BASES = (ID, VOCAB, *(f"{ID}{kind}/" for kind in ENTITY_KINDS),
               *(f"{VOCAB}{path}/" for path in VOCABULARIES))


def _slug_candidates(name: str, key: str) -> list[ox.NamedNode]:
    """The IRIs the name index could file under slug ``key`` (``name`` casefolded): the id and
    vocab namespaces' ``KIND/slug`` (the shapes' IRI pattern), the slug as typed, lowercased or
    casefolded (minted slugs are lowercase), with or without a trailing slash."""
    segments = {segment for segment in (key, name, name.lower()) if segment}
    iris = {base + segment + tail for base in _SLUG_BASES for segment in segments for tail in ("", "/")}
    iris |= {base for base in (ID, VOCAB) if _slug_key(base) == key}
    nodes = []
    for iri in sorted(iris):
        if _slug_key(iri) != key:  # "city/helsinki" typed: its last segment is another slug
            continue
        try:
            nodes.append(ox.NamedNode(iri))
        except ValueError:  # not an IRI (a label with spaces, …): no subject has it
            continue
    return nodes


@cache
def _fold_special() -> str:
    """Characters whose casefold differs from their lowercase (which is what SPARQL LCASE
    gives), and capital sigma (lowercased to a final sigma at the end of a word, casefolded to
    σ); computed from this Python's Unicode tables in blocks (tens of milliseconds)."""
    codes = array.array("I", range(0xD800))
    codes.extend(range(0xE000, 0x110000))
    text = codes.tobytes().decode("utf-32-le" if sys.byteorder == "little" else "utf-32-be")
    found = {"\u03a3"}
    for start in range(0, len(text), 4096):
        block = text[start:start + 4096]
        if block.casefold() != block.lower():
            found.update(c for c in block if c.casefold() != c.lower())
    return "".join(sorted(found))


def source_map(path: Path, relpath: str) -> dict[str, dict]:
    """Subject IRI -> ``{"file", "line"}`` where its block starts (column 0, canonical files)."""
    prefixes: dict[str, str] = {}
    found: dict[str, dict] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        prefix = _PREFIX_LINE.match(line)
        if prefix:
            prefixes[prefix.group(1)] = prefix.group(2)
            continue
        if not line or line[0] in " \t#.[])@" or line.upper().startswith(("BASE", "PREFIX")):
            continue
        match = _SUBJECT_LINE.match(line)
        if not match:
            continue
        token = match.group(1)
        if token.startswith("<"):
            iri = token[1:-1]
        else:
            name, _, local = token.partition(":")
            if name not in prefixes:
                continue
            iri = prefixes[name] + local
        found.setdefault(iri, {"file": relpath, "line": number})
    return found


def _load(store: ox.Store, path: Path, relpath: str, graph: str) -> None:
    """Parse the Turtle file at ``path`` straight into ``graph`` of ``store`` (no Python-side
    quads). On a syntax error the file is parsed again by :func:`parse_turtle`, which names
    ``relpath``, the line and the column; the half-loaded store is then thrown away."""
    try:
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(graph))
    except (SyntaxError, OSError) as exc:
        parse_turtle(path, relpath)  # raises DataFileError with the position
        raise DataFileError(relpath, getattr(exc, "lineno", None), getattr(exc, "offset", None),
                            str(exc)) from exc


def _count(store: ox.Store, graph: str) -> int:
    """Triples in one named graph (counted by the engine: layers hold hundreds of thousands)."""
    rows = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(next(iter(rows))["n"].value)


def _sparql_term(term: ox.NamedNode | ox.Literal | ox.BlankNode) -> str:
    return str(term)


def _inject_values(sparql: str, bindings: Mapping[str, object]) -> str:
    """Put ``VALUES ?name { term }`` first in the outermost group of ``sparql``.

    Used for parameters that a SELECT does not project: pyoxigraph substitutes only projected
    variables (oxigraph issue #1837); joining a one-row VALUES at the top of the WHERE clause
    has the same effect for the top-level patterns and filters.
    """
    i, n = 0, len(sparql)
    while i < n:
        c = sparql[i]
        if c == "#":
            end = sparql.find("\n", i)
            i = n if end < 0 else end
        elif c in "\"'":
            quote = c * 3 if sparql.startswith(c * 3, i) else c
            i += len(quote)
            while i < n and not sparql.startswith(quote, i):
                i += 2 if sparql[i] == "\\" else 1
            i += len(quote)
        elif c == "<":
            match = re.match(r'<[^<>"{}|^`\\\x00-\x20]*>', sparql[i:])
            i += len(match.group(0)) if match else 1
        elif c == "{":
            values = " ".join(f"VALUES ?{name} {{ {_sparql_term(term)} }}"
                              for name, term in bindings.items())
            return sparql[: i + 1] + " " + values + " " + sparql[i + 1 :]
        else:
            i += 1
    return sparql


class CityGraph:
    """The loaded graph and its store. Use :meth:`build` or :meth:`open`, not the constructor."""

    def __init__(self, store: ox.Store, settings: Settings, manifest: dict,
                 location: Path | None = None) -> None:
        self.store = store
        self.settings = settings
        self.manifest = manifest
        self.location = location
        self._labels: dict[str, dict[str, str]] | None = None
        self._label_cache: dict[str, dict[str, str]] = {}  # one lookup an IRI until the index pays
        self._label_lookups = 0
        self._names: tuple[dict[str, set[str]], dict[str, set[str]]] | None = None
        self._name_lookups = 0  # label queries run without the name index

    # ------------------------------------------------------------------ building / opening
    @classmethod
    def build(cls, settings: Settings, memory: bool = False,
              notify: Notify | None = _stderr, progress: Notify | None = None,
              layers: Sequence[str] = ()) -> CityGraph:
        """Parse the ontology and ``data/*.ttl``, derive, and (unless ``memory``) publish on disk.

        ``layers`` names imported layers (``citygraph import``; :func:`citygraph.layers.select`
        turns ``all`` or ``a,b`` into names) to bulk-load into the same build, each into its own
        named graph and derived into its own derived graph. A failing build raises
        (``DataFileError`` for bad data) and leaves ``current`` as it was.
        """
        step = progress or (lambda _message: None)
        layers = list(dict.fromkeys(layers))
        fp = stores.fingerprint(settings, layers)
        imported = stores.layer_files(settings, layers)
        files = stores.data_files(settings)
        if not files and notify:
            notify(f"note: {settings.relative(settings.data_dir)}/ has no *.ttl files; "
                   "building from the ontology alone")
        # Everything of this build but the imported layers is parsed into an in-memory store
        # and derived there (the rules, then the date rule, all SPARQL UPDATE); the result goes
        # to disk in one bulk load. Writing through transactions into the on-disk store, or
        # SPARQL UPDATE against it, was several times slower (bench/README.md, "What the load
        # part weighs").
        work = stores.memory_store()
        step("parsing the ontology")
        _load(work, settings.ontology, settings.relative(settings.ontology), ONTOLOGY_GRAPH)
        smap: dict[str, dict] = {}
        for path in files:
            rel = settings.relative(path)
            step(f"parsing {rel}")
            _load(work, path, rel, CURATED_GRAPH)
            for iri, where in source_map(path, rel).items():
                smap.setdefault(iri, where)
        for path in stores.analysis_files(settings):  # saved by `citygraph analyze … --save`
            _load(work, path, settings.relative(path), ANALYSIS_GRAPH)

        def locate(term: object) -> tuple[str, int | None]:
            where = smap.get(getattr(term, "value", ""), None) if isinstance(term, ox.NamedNode) else None
            return (where["file"], where["line"]) if where else (settings.relative(settings.data_dir), None)

        step("deriving")
        derive(work, locate)
        counts = {name: _count(work, iri) for name, iri in GRAPHS.items()}
        remote = None if memory else remotes.endpoint(settings)
        build = None if memory or remote else stores.new_build(settings, fp)
        store = work if build is None else build.store
        try:
            if build is not None:
                step("loading into the store")
                build.store.bulk_extend(work)  # keeps the blank nodes of `work` as they are

            def base() -> Iterator[ox.Quad]:  # what an imported layer is derived against
                for iri in (ONTOLOGY_GRAPH, CURATED_GRAPH, ANALYSIS_GRAPH):
                    yield from work.quads_for_pattern(None, None, None, ox.NamedNode(iri))

            for name, nq, _meta in imported:
                step(f"loading layer {name}")
                store.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
            geonames = layer_registry.REGISTRY["geonames"].graph
            graphs = [geonames] if imported else []
            for name, nq, meta in imported:
                step(f"deriving layer {name}")
                pairs = [(meta["graph"], layer_registry.derived_graph(meta["graph"])),
                         (geonames, layer_registry.derived_graph(geonames))]
                store.bulk_load(input=derive_apart(base(), nq, pairs, locate), format=ox.RdfFormat.N_QUADS)
                graphs.insert(-1, meta["graph"])
            for iri in graphs:
                for graph_iri in (iri, layer_registry.derived_graph(iri)):
                    counts[layer_registry.name_of(graph_iri)] = _count(store, graph_iri)
            manifest = {
                "fingerprint": fp,
                "built": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "citygraph_version": __version__,
                "triples": counts,
                "files": [settings.relative(settings.ontology)] + [settings.relative(p) for p in files],
                "source_map": smap,
                "layers": layers,
                "layer_files": {name: {"graph": meta["graph"], "licence": meta.get("licence"),
                                       "imported": meta.get("imported"), "quads": meta.get("quads")}
                                for name, _nq, meta in imported},
            }
            if remote is not None:
                step(f"uploading to {remote.query}")
                return cls._upload(remote, store, settings, manifest)
            if build is None:
                return cls(store, settings, manifest)
            step("publishing")
            del store
            path = stores.publish(settings, build, manifest)
        except BaseException:
            if build is not None:
                stores.discard(build)
            raise
        return cls(stores.open_read_only(path), settings, manifest, path)

    @classmethod
    def _upload(cls, remote: remotes.Endpoint, store: ox.Store, settings: Settings,
                manifest: dict) -> CityGraph:
        """Replace the remote server's graphs with those of ``store`` (a finished local build);
        the manifest (fingerprint, source map, graph names) stays in ``STORE_DIR``."""
        previous = stores.read_remote_manifest(settings, remote.name) or {}
        server = remotes.RemoteStore(remote)
        graphs = server.replace(store.quads_for_pattern(None, None, None, None),
                                previous.get("graphs") or [])
        server.check(ONTOLOGY_GRAPH)
        manifest = {**manifest, "store": remote.name, "graphs": graphs}
        stores.write_remote_manifest(settings, manifest)
        return cls(server, settings, manifest)

    @classmethod
    def _open_remote(cls, settings: Settings, remote: remotes.Endpoint, notify: Notify | None,
                     progress: Notify | None) -> CityGraph:
        manifest = stores.read_remote_manifest(settings, remote.name)
        server = remotes.RemoteStore(remote)
        if manifest is None or not server.holds(ONTOLOGY_GRAPH):
            if notify:
                notify(f"no citygraph data on {remote.name} yet; building it")
            layers = (manifest or {}).get("layers") or []
            return cls.build(settings, notify=notify, progress=progress, layers=layers)
        layers = manifest.get("layers") or []
        if manifest.get("fingerprint") != stores.fingerprint(settings, layers):
            if notify:
                notify("ontology, data, rules or imported layers changed since the last build; rebuilding"
                       + (f" with layers {', '.join(layers)}" if layers else ""))
            return cls.build(settings, notify=notify, progress=progress, layers=layers)
        server.check(ONTOLOGY_GRAPH)
        return cls(server, settings, manifest)

    @property
    def remote(self) -> bool:
        """Whether the triples live on a remote SPARQL server (``CITYGRAPH_STORE``)."""
        return isinstance(self.store, remotes.RemoteStore)

    @classmethod
    def open(cls, settings: Settings, notify: Notify | None = _stderr,
             progress: Notify | None = None) -> CityGraph:
        """Open the current on-disk build read-only; rebuild first when files changed.

        With a remote store (``CITYGRAPH_STORE=sparql+http://…``) the server is asked instead.
        """
        remote = remotes.endpoint(settings)
        if remote is not None:
            return cls._open_remote(settings, remote, notify, progress)
        current = stores.current_build(settings)
        if current is None:
            if notify:
                notify(f"no store in {settings.store_dir} yet; building it")
            return cls.build(settings, notify=notify, progress=progress)
        manifest = stores.read_manifest(current)
        layers = manifest.get("layers") or []
        if manifest.get("fingerprint") != stores.fingerprint(settings, layers):
            if notify:
                notify("ontology, data, rules or imported layers changed since the last build; rebuilding"
                       + (f" with layers {', '.join(layers)}" if layers else ""))
            return cls.build(settings, notify=notify, progress=progress, layers=layers)
        return cls(stores.open_read_only(current), settings, manifest, current)

    # ------------------------------------------------------------------ querying
    def query(self, sparql: str, params: Mapping[str, object] | None = None) -> QueryResult:
        """Run SPARQL over the union of all graphs, with the project prefixes predeclared.

        ``params`` maps variable names to pyoxigraph terms, or strings guessed by
        :func:`citygraph.queries.term_from_string` (IRI, prefixed name, date, integer, string).
        """
        subs = {name: value if isinstance(value, ox.NamedNode | ox.Literal | ox.BlankNode)
                else term_from_string(str(value)) for name, value in (params or {}).items()}
        try:
            try:
                result = self._run(sparql, subs)
            except RuntimeError as exc:
                if "projection" not in str(exc):
                    raise
                result = self._run(_inject_values(sparql, subs), {})
            return result
        except SyntaxError as exc:
            raise QueryError(f"invalid SPARQL: {exc}") from exc
        except (RuntimeError, ValueError) as exc:
            raise QueryError(f"query failed: {exc}") from exc

    def _run(self, sparql: str, subs: Mapping[str, object]) -> QueryResult:
        result = self.store.query(
            sparql, prefixes=PREFIXES, use_default_graph_as_union=True,
            substitutions={ox.Variable(k): v for k, v in subs.items()} or None,
        )
        return QueryResult.from_pyoxigraph(result)  # materialise inside the caller's try

    def _select(self, sparql: str, **params: object) -> list[dict[str, object]]:
        result = self.query(sparql, params)
        return [dict(zip(result.variables, row)) for row in result.rows]

    # ------------------------------------------------------------------ names and labels
    def _label_index(self) -> dict[str, dict[str, str]]:
        if self._labels is None:
            index: dict[str, dict[str, str]] = defaultdict(dict)
            rows = self._select(
                "SELECT ?s ?label ?rank WHERE { { ?s skos:prefLabel ?label BIND(0 AS ?rank) }"
                " UNION { ?s rdfs:label ?label BIND(1 AS ?rank) } FILTER(isIRI(?s)) }"
                " ORDER BY ?rank ?s ?label")
            for row in rows:
                label = row["label"]
                index[row["s"].value].setdefault(label.language or "", label.value)
            self._labels = dict(index)
        return self._labels

    # Labels of single IRIs are looked up one by one (a page or a description names a few dozen
    # things: milliseconds) until this many were asked for; then the whole index is built once
    # (seconds on a graph with every layer loaded, so never at start-up or for the first page).
    LABEL_LOOKUPS_BEFORE_INDEX = 5000

    def _labels_of(self, iri: str) -> dict[str, str]:
        """``iri``'s labels by language: the same choice as the index (skos:prefLabel before
        rdfs:label, then the smallest), from the index once built, else one lookup (cached)."""
        if self._labels is not None:
            return self._labels.get(iri, {})
        cached = self._label_cache.get(iri)
        if cached is not None:
            return cached
        self._label_lookups += 1
        if self._label_lookups > self.LABEL_LOOKUPS_BEFORE_INDEX:
            self._label_cache = {}
            return self._label_index().get(iri, {})
        try:
            node = ox.NamedNode(iri)
        except ValueError:
            return {}
        found: dict[str, str] = {}
        for row in self._select(
            "SELECT ?s ?label ?rank WHERE { { ?s skos:prefLabel ?label BIND(0 AS ?rank) }"
            " UNION { ?s rdfs:label ?label BIND(1 AS ?rank) } } ORDER BY ?rank ?label", s=node):
            label = row["label"]
            found.setdefault(label.language or "", label.value)
        self._label_cache[iri] = found
        return found

    def label(self, iri: str, lang: str = "en") -> str:
        """The label in ``lang``, else en, fi, sv, any language, else the IRI's last segment."""
        labels = self._labels_of(iri)
        for candidate in (lang, *LANG_FALLBACK):
            if candidate in labels:
                return labels[candidate]
        if labels:
            return next(iter(labels.values()))
        return re.split(r"[/#]", iri.rstrip("/"))[-1]

    def _name_index(self) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
        """Every label (casefolded) and every slug (the last segment of a subject under the
        id/vocab namespaces, casefolded) -> IRIs: seconds on a graph with every layer loaded,
        so built only after many name lookups, or for suggestions when a name matches nothing."""
        if self._names is None:
            by_label: dict[str, set[str]] = defaultdict(set)
            by_slug: dict[str, set[str]] = defaultdict(set)
            for row in self._select(
                "SELECT DISTINCT ?s ?label WHERE { ?s skos:prefLabel|skos:altLabel ?label FILTER(isIRI(?s)) }"
            ):
                by_label[row["label"].value.casefold()].add(row["s"].value)
            for row in self._select(
                f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && "
                f"(STRSTARTS(STR(?s), \"{ID}\") || STRSTARTS(STR(?s), \"{VOCAB}\"))) }}"
            ):
                iri = row["s"].value
                by_slug[_slug_key(iri)].add(iri)
            self._names = (dict(by_label), dict(by_slug))
        return self._names

    def _exists(self, iri: str) -> bool:
        return bool(self.query("ASK { { ?x ?p ?o } UNION { ?s ?p ?x } }", {"x": ox.NamedNode(iri)}).boolean)

    # Names are looked up without the index (a few existence checks for a slug, one label query
    # evaluated by the store for a label) until this many label queries were run; then the index
    # is built once, as lookups in it are then cheaper (a server resolving many names).
    NAME_LOOKUPS_BEFORE_INDEX = 100

    def resolve(self, name_or_iri: str) -> str:
        """Full IRI, prefixed name (``city:helsinki``), slug (``helsinki``) or any label
        (``Helsingfors``, case-insensitive) -> the entity's IRI."""
        return self._resolve(name_or_iri, indexed=False)

    def _resolve_indexed(self, name_or_iri: str) -> str:
        """:meth:`resolve` through the full name index (the reference the direct lookups match)."""
        return self._resolve(name_or_iri, indexed=True)

    def _resolve(self, name_or_iri: str, indexed: bool) -> str:
        name = name_or_iri.strip()
        if name.startswith("<") and name.endswith(">"):
            name = name[1:-1]
        iri = name if re.match(r"^[a-z][a-z0-9+.-]*://", name) else expand(name)
        if iri is not None:
            if self._exists(iri):
                return iri
            raise NotFoundError(f"{name_or_iri!r} is not in the graph", self._close(name))
        key = name.casefold()
        if indexed or self._names is not None or self._name_lookups >= self.NAME_LOOKUPS_BEFORE_INDEX:
            by_label, by_slug = self._name_index()
            lookups: tuple[Callable[[], set[str]], ...] = (
                lambda: by_slug.get(key, set()), lambda: by_label.get(key, set()))
        else:
            lookups = (lambda: self._slug_matches(name, key), lambda: self._label_matches(key))
        for lookup in lookups:
            found = lookup()
            if len(found) == 1:
                return next(iter(found))
            if len(found) > 1:
                # prefer entities over vocabulary terms when both match
                entities = {i for i in found if i.startswith(ID)}
                if len(entities) == 1:
                    return next(iter(entities))
                # then the curated entity over places of imported layers ("Berlin")
                curated = {i for i in entities if i in self.manifest.get("source_map", {})}
                if len(curated) == 1:
                    return next(iter(curated))
                raise AmbiguousNameError(name_or_iri, sorted(compact(i) for i in found))
        raise NotFoundError(f"no entity named {name_or_iri!r}", self._close(name))

    def _slug_matches(self, name: str, key: str) -> set[str]:
        """The subjects the index files under slug ``key``, found by checking which of the few
        IRIs that can carry it (:func:`_slug_candidates`) are subjects of the graph."""
        nodes = [str(node) for node in _slug_candidates(name, key)]
        if not nodes:
            return set()
        rows = self._select(f"SELECT ?x WHERE {{ VALUES ?x {{ {' '.join(nodes)} }} "
                            "FILTER EXISTS { ?x ?p ?o } }")
        return {row["x"].value for row in rows}

    def _label_matches(self, key: str) -> set[str]:
        """The subjects the index files under label ``key`` (casefolded), from one query that
        the store evaluates: labels whose SPARQL LCASE is ``key``, plus those holding a character
        whose casefold is in ``key`` but differs from its lowercase (``ß`` for "ss", ``ſ`` for
        "s", final sigma…); Python's casefold then decides on those few candidates."""
        self._name_lookups += 1
        if any(unicodedata.category(c) == "Cn" for c in key):
            # characters Python does not know may lowercase differently in the store
            return self._name_index()[0].get(key, set())
        special = "".join(c for c in _fold_special() if c.casefold() in key)
        test = f"LCASE(STR(?l)) = {ox.Literal(key)}"
        if special:
            test = f"({test} || REGEX(STR(?l), {ox.Literal('[' + special + ']')}))"
        rows = self._select("SELECT DISTINCT ?s ?l WHERE { ?s skos:prefLabel|skos:altLabel ?l "
                            f"FILTER(isIRI(?s) && {test}) }}")
        return {row["s"].value for row in rows if row["l"].value.casefold() == key}

    def _close(self, name: str) -> list[str]:
        by_label, by_slug = self._name_index()
        pool: dict[str, str] = {}
        for index in (by_label, by_slug):
            for key, iris in index.items():
                for iri in iris:
                    pool.setdefault(key, compact(iri))
        keys = difflib.get_close_matches(name.casefold().split(":")[-1], list(pool), n=5, cutoff=0.6)
        return list(dict.fromkeys(pool[k] for k in keys))

    # ------------------------------------------------------------------ describing
    def _props(self, node: ox.NamedNode | ox.BlankNode) -> dict[str, list]:
        props: dict[str, list] = defaultdict(list)
        for row in self._select("SELECT ?node ?p ?o WHERE { ?node ?p ?o }", node=node):
            if row["o"] not in props[row["p"].value]:
                props[row["p"].value].append(row["o"])
        return props

    def _ref(self, term: object, lang: str) -> dict | str:
        if isinstance(term, ox.NamedNode):
            return {"iri": term.value, "name": compact(term.value), "label": self.label(term.value, lang)}
        if isinstance(term, ox.Literal):
            return term.value
        return str(term)

    def _pick(self, literals: list, lang: str) -> dict | None:
        literals = [t for t in literals if isinstance(t, ox.Literal)]
        if not literals:
            return None
        for candidate in (lang, *LANG_FALLBACK, None):
            for lit in literals:
                if candidate is None or lit.language == candidate:
                    return {"text": lit.value, "lang": lit.language}
        return None

    def _dated(self, props: dict, prop: str, precision_prop: str | None = None) -> dict | None:
        values = props.get(CG + prop)
        if not values:
            return None
        lit = values[0]
        out = {"value": lit.value, "datatype": compact(lit.datatype.value)}
        if precision_prop and props.get(CG + precision_prop):
            out["precision"] = compact(props[CG + precision_prop][0].value)
        return out

    def _attestation(self, node: object, lang: str) -> dict:
        props = self._props(node)
        out: dict = {"quote": None, "quote_lang": None, "source": None}
        quotes = props.get(CG + "quote", [])
        if quotes:
            out["quote"], out["quote_lang"] = quotes[0].value, quotes[0].language
        for src in props.get(CG + "source", []):
            sprops = self._props(src)
            title = self._pick(sprops.get(DCTERMS + "title", []), lang)
            stated = None
            if sprops.get(DCTERMS + "issued"):
                stated = sprops[DCTERMS + "issued"][0].value
            else:
                lo = sprops.get(CG + "issuedNotBefore", [None])[0]
                hi = sprops.get(CG + "issuedNotAfter", [None])[0]
                if lo is not None or hi is not None:
                    stated = f"{lo.value if lo else '…'} – {hi.value if hi else '…'} (undated)"
            out["source"] = {**self._ref(src, lang), "title": title["text"] if title else None,
                             "date": stated}
        out["described_as"] = [self._ref(t, lang) for t in props.get(CG + "describedAs", [])]
        out["focus_areas"] = [self._ref(t, lang) for t in props.get(CG + "focusArea", [])]
        refers = props.get(CG + "refersTo")
        out["refers_to"] = refers[0].value if refers else None
        on = props.get(CG + "attestedOn")
        out["attested_on"] = on[0].value if on else None
        if props.get(CG + "sourceRow"):  # evidence from a data row of an imported layer
            out["source_row"] = int(props[CG + "sourceRow"][0].value)
            records = props.get(CG + "sourceRecord")
            out["source_record"] = records[0].value if records else None
        return out

    def _relationship(self, rel: ox.NamedNode | ox.BlankNode, entity: str, lang: str) -> dict:
        props = self._props(rel)
        parties = []
        for role in ("party", "member", "organization", "host", "hosted", "operator", "office",
                     "owner", "owned"):
            ns = ORG if role in ("member", "organization") else CG
            for term in props.get(ns + role, []):
                if isinstance(term, ox.NamedNode):
                    parties.append({**self._ref(term, lang), "as": role,
                                    "self": term.value == entity})
        kinds = props.get(CG + "relationshipKind", [])
        status = props.get(CG + "status", [])
        single = {p: (props[CG + p][0].value if props.get(CG + p) else None)
                  for p in ("activeFrom", "activeUntil", "lastAttested")}
        attestations = sorted(
            (self._attestation(a, lang) for a in props.get(CG + "attestation", [])),
            key=lambda a: a["attested_on"] or "")
        return {
            **(self._ref(rel, lang) if isinstance(rel, ox.NamedNode) else {"iri": str(rel)}),
            "kind": self._ref(kinds[0], lang) if kinds else None,
            "types": [compact(t.value) for t in props.get(RDF + "type", [])],
            "parties": parties,
            "others": [p for p in parties if not p["self"]],
            "roles": [self._ref(t, lang) for t in props.get(ORG + "role", [])],
            "partnership_kinds": [self._ref(t, lang) for t in props.get(CG + "partnershipKind", [])],
            "topic": self._pick(props.get(CG + "topic", []), lang),
            "dates": {k: v for k, v in {
                "start": self._dated(props, "startDate", "startPrecision"),
                "end": self._dated(props, "endDate", "endPrecision"),
                "start_not_before": self._dated(props, "startNotBefore"),
                "start_not_after": self._dated(props, "startNotAfter"),
                "end_not_before": self._dated(props, "endNotBefore"),
                "end_not_after": self._dated(props, "endNotAfter"),
                "signed": self._dated(props, "signed"),
            }.items() if v},
            "status": self._ref(status[0], lang) if status else None,
            "status_reason": self._pick(props.get(CG + "statusReason", []), lang),
            "active_from": single["activeFrom"],
            "active_until": single["activeUntil"],
            "last_attested": single["lastAttested"],
            "focus_areas": [self._ref(t, lang) for t in props.get(CG + "focusArea", [])],
            "attestations": attestations,
        }

    def relationship(self, iri: str, lang: str = "en", entity: str | None = None) -> dict:
        """One relationship node as plain data: the same shape as the items of ``describe``'s
        ``relationships`` (parties, dates, status, attestations with quotes). ``entity`` marks
        which party is ``self``."""
        return self._relationship(ox.NamedNode(iri), entity or "", lang)

    def describe(self, iri: str, lang: str = "en") -> dict:
        """Everything known about one entity, as plain data (see the CLI's ``describe``)."""
        node = ox.NamedNode(iri)
        props = self._props(node)
        if not props and not self._exists(iri):
            raise NotFoundError(f"{compact(iri)} is not in the graph")
        labels: dict[str, list[str]] = defaultdict(list)
        for prop in (SKOS + "prefLabel", SKOS + "altLabel"):
            for lit in props.get(prop, []):
                labels[lit.language or ""].append(lit.value)
        ids: dict = {}
        if props.get(CG + "wikidataId"):
            ids["wikidata"] = props[CG + "wikidataId"][0].value
        if props.get(CG + "geonamesId"):
            ids["geonames"] = props[CG + "geonamesId"][0].value
        if props.get(GEO + "lat") and props.get(GEO + "long"):
            ids["coordinates"] = {"lat": float(props[GEO + "lat"][0].value),
                                  "long": float(props[GEO + "long"][0].value)}
        if props.get(CG + "country"):
            ids["country"] = self._ref(props[CG + "country"][0], lang)
        if props.get(OWL + "sameAs"):
            ids["same_as"] = [t.value for t in props[OWL + "sameAs"]]
        grouped: dict[str, list[dict]] = defaultdict(list)
        for row in self._select("SELECT ?rel ?x WHERE { ?rel cg:involves ?x }", x=node):
            rel = self._relationship(row["rel"], iri, lang)
            grouped[rel["kind"]["label"] if rel["kind"] else "relationship"].append(rel)
        for rels in grouped.values():
            rels.sort(key=lambda r: (r["active_from"] or "9999", r.get("name", "")))
        policies = []
        for row in self._select("SELECT ?policy ?x WHERE { ?policy cg:policyOf ?x }", x=node):
            pprops = self._props(row["policy"])
            policies.append({
                **self._ref(row["policy"], lang),
                "concerns": [self._ref(t, lang) for t in pprops.get(CG + "concerns", [])],
                "text": self._pick(pprops.get(SKOS + "definition", []) + pprops.get(DCTERMS + "description", [])
                                   + pprops.get(RDFS + "comment", []), lang),
                "attestations": [self._attestation(a, lang) for a in pprops.get(CG + "attestation", [])],
            })
        return {
            "iri": iri,
            "name": compact(iri),
            "label": self.label(iri, lang),
            "labels": dict(labels),
            "types": [self._ref(t, lang) for t in props.get(RDF + "type", [])],
            "identifiers": ids,
            "defined_in": self.manifest.get("source_map", {}).get(iri),
            "relationships": dict(grouped),
            "policies": policies,
            "attestations": [self._attestation(a, lang) for a in props.get(CG + "attestation", [])],
        }

    # ------------------------------------------------------------------ statistics
    def stats(self) -> dict:
        """Counts per class (union), per named graph, and per source document."""
        classes = {compact(r["class"].value): int(r["n"].value) for r in self._select(
            "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class FILTER(isIRI(?class)) }"
            " GROUP BY ?class ORDER BY DESC(?n) ?class")}
        graphs = {compact(r["g"].value): int(r["n"].value) for r in self._select(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")}
        sources = [{
            "iri": r["source"].value,
            "name": compact(r["source"].value),
            "title": r["title"].value if r["title"] else None,
            "attestations": int(r["atts"].value),
            "relationships": int(r["rels"].value),
        } for r in self._select(
            "SELECT ?source (SAMPLE(?t) AS ?title) (COUNT(DISTINCT ?att) AS ?atts)"
            " (COUNT(DISTINCT ?rel) AS ?rels) WHERE {"
            "  ?source a cg:SourceDocument ."
            "  OPTIONAL { ?source dcterms:title ?t }"
            "  OPTIONAL { ?att cg:source ?source . ?subject cg:attestation ?att ."
            "    OPTIONAL { ?subject a/rdfs:subClassOf* cg:Relationship BIND(?subject AS ?rel) } }"
            "} GROUP BY ?source ORDER BY ?source")]
        layers = [{"name": name, "graph": info.get("graph"), "licence": info.get("licence"),
                   "licence_label": layer_registry.LICENCE_LABELS.get(info.get("licence"), info.get("licence")),
                   "imported": info.get("imported"), "quads": info.get("quads")}
                  for name, info in (self.manifest.get("layer_files") or {}).items()]
        return {"classes": classes, "graphs": graphs, "sources": sources, "layers": layers,
                "triples": sum(graphs.values())}


__all__ = ["CityGraph", "CityGraphError", "source_map", "DERIVED_GRAPH"]
