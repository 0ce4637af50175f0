"""Which SPARQL engine: rdflib's own evaluator against Oxigraph, on the named queries.

Datasets: the real curated graph, built as the product builds it (``CityGraph.build``), and
synthetic city graphs of about 10^4 and 10^5 quads (``bench/synthetic.py``, built with
``CityGraph.build`` too, so the derived graph is the product's own). Every engine gets the
same quads: the product's pyoxigraph store dumped as N-Quads, then loaded by

* ``pyoxigraph``: an in-memory ``pyoxigraph.Store``, queried as citygraph queries it
  (``use_default_graph_as_union=True``, parameters substituted, or injected as a one-row
  ``VALUES`` when the query does not project them, exactly like ``CityGraph.query``);
* ``rdflib``: ``rdflib.Dataset(default_union=True)`` parsed with rdflib's own N-Quads parser,
  queried by rdflib's SPARQL evaluator with ``initBindings``;
* ``oxrdflib``: ``rdflib.Dataset(store="Oxigraph", default_union=True)`` loaded with the
  ``ox-nquads`` parser (the store's own bulk path); queries go to Oxigraph through rdflib's API.

Each query runs until it has ``--min-runs`` timed runs and ``--budget`` seconds, at most
``--max-runs`` runs or ``--cap`` seconds; a first run shorter than 1 s is a warm-up and not
counted. rdflib runs in a forked worker so a query that exceeds ``--timeout`` is stopped and
recorded as "> timeout". Answers are compared as multisets of rows (plain literals and
xsd:string are the same; blank-node labels are ignored).

Usage::

    python bench/engines.py                 # curated + 10^4 + 10^5; writes bench/results/
    python bench/engines.py --quick         # curated + 10^4, few runs; writes to a temp dir
    python bench/engines.py --sizes 10000 100000 1000000   # 10^6 too (minutes of rdflib)
"""

from __future__ import annotations

import os.path
import sys

# bench/ holds scripts named like standard modules (formerly bench/http.py): keep the folder off the
# import path, and load bench/synthetic.py by its file path below
_BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _BENCH]

import argparse
import datetime as dt
import importlib.util
import json
import math
import multiprocessing
import os
import platform
import re
import statistics
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.plugins.sparql import prepareQuery
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from citygraph.config import Settings
from citygraph.graph import CityGraph, _inject_values  # the product's own fallback
from citygraph.namespaces import PREFIXES, XSD_STRING
from citygraph.queries import NamedQuery, load_queries


def _load_beside(name: str):
    spec = importlib.util.spec_from_file_location(f"citygraph_bench_{name}",
                                                  os.path.join(_BENCH, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


synthetic = _load_beside("synthetic")  # bench/synthetic.py

ENGINES = ("pyoxigraph", "rdflib", "oxrdflib")
BASELINE = "pyoxigraph"
RESULTS_DIR = Path(_BENCH) / "results"
WARMUP_BELOW_S = 1.0

_WIDTH = None if sys.stdout.isatty() else 160
console = Console(stderr=True, width=None if sys.stderr.isatty() else 160)


# ---------------------------------------------------------------------------- terms and rows
def ox_to_rdflib(term: object) -> rdflib.term.Identifier:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    raise TypeError(f"cannot convert {term!r}")


def norm_ox(term: object) -> tuple | None:
    """A comparable form: ("I", iri) | ("B",) | ("L", lexical, "@lang" or datatype)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return ("I", term.value)
    if isinstance(term, ox.BlankNode):
        return ("B",)
    if isinstance(term, ox.Literal):
        return ("L", term.value, "@" + term.language if term.language else term.datatype.value)
    return ("?", str(term))


def norm_rdflib(term: object) -> tuple | None:
    if term is None:
        return None
    if isinstance(term, rdflib.URIRef):
        return ("I", str(term))
    if isinstance(term, rdflib.BNode):
        return ("B",)
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ("L", str(term), "@" + term.language)
        return ("L", str(term), str(term.datatype) if term.datatype else XSD_STRING)
    return ("?", str(term))


def relaxed(rows: list[tuple], separators: list[str]) -> list[tuple]:
    """Rows with every string literal reduced to its sorted parts and no language tag.

    Used only for queries with GROUP_CONCAT, whose results engines may legitimately build
    differently: SPARQL leaves the order of the parts unspecified, and Oxigraph keeps a
    language tag the parts share (as CONCAT does) where rdflib returns a simple literal.
    """
    def fix(term):
        if term is None or term[0] != "L" or not (term[2].startswith("@") or term[2] == XSD_STRING):
            return term
        text = term[1]
        for sep in separators:
            if sep in text:
                text = sep.join(sorted(text.split(sep)))
        return ("S", text)

    return [tuple(fix(t) for t in row) for row in rows]


def compare(reference: list[tuple], other: list[tuple], separators: list[str] | None) -> tuple[str, dict]:
    """'yes', 'yes-modulo-group-concat' (``separators`` given: the query uses GROUP_CONCAT)
    or 'NO', with a small diff for 'NO'."""
    ref, oth = Counter(reference), Counter(other)
    if ref == oth:
        return "yes", {}
    note = "exact terms"
    if separators is not None:
        seps = sorted({s for s in separators if s} or {" "}, key=len, reverse=True)
        ref, oth = Counter(relaxed(reference, seps)), Counter(relaxed(other, seps))
        if ref == oth:
            return "yes-modulo-group-concat", {}
        note = "modulo GROUP_CONCAT order and language tag"
    only_ref = list((ref - oth).elements())
    only_oth = list((oth - ref).elements())
    return "NO", {
        "compared": note,
        "rows_reference": len(reference), "rows_other": len(other),
        "only_in_reference": [list(map(_show, r)) for r in only_ref[:5]],
        "only_in_other": [list(map(_show, r)) for r in only_oth[:5]],
        "only_in_reference_count": len(only_ref), "only_in_other_count": len(only_oth),
    }


def _show(term: tuple | None) -> str:
    if term is None:
        return "UNBOUND"
    if term[0] == "I":
        return f"<{term[1]}>"
    if term[0] == "B":
        return "_:b"
    if term[0] == "S":
        return json.dumps(term[1], ensure_ascii=False)
    if term[0] == "L":
        suffix = term[2] if term[2].startswith("@") else f"^^<{term[2]}>"
        return json.dumps(term[1], ensure_ascii=False) + suffix
    return str(term)


# ---------------------------------------------------------------------------- measuring
@dataclass
class Policy:
    budget_s: float = 1.0
    min_runs: int = 3
    max_runs: int = 20
    cap_s: float = 30.0
    timeout_s: float = 60.0


class Tracker:
    """The adaptive rule for one engine on one query.

    The first run gives the answer; when shorter than ``WARMUP_BELOW_S`` it is a warm-up and
    not counted. Then runs are counted until ``min_runs`` and ``budget_s`` are both reached,
    or ``max_runs`` runs, or ``cap_s`` seconds spent (at least one counted run).
    """

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.times: list[float] = []
        self.spent = 0.0
        self.first_seen = False
        self.status = "ok"
        self.error: str | None = None

    def add(self, elapsed: float) -> None:
        self.spent += elapsed
        if not self.first_seen:
            self.first_seen = True
            if elapsed < WARMUP_BELOW_S:
                return
        self.times.append(elapsed)

    @property
    def done(self) -> bool:
        p, n = self.policy, len(self.times)
        if self.status != "ok":
            return True
        if not self.first_seen:
            return False
        return (n >= p.max_runs or (n >= p.min_runs and sum(self.times) >= p.budget_s)
                or (n >= 1 and self.spent >= p.cap_s))


def stats(times: list[float]) -> dict:
    if not times:
        return {"median_s": None, "min_s": None, "runs": 0}
    return {"median_s": statistics.median(times), "min_s": min(times), "runs": len(times)}


# ---------------------------------------------------------------------------- engines
@dataclass
class Prepared:
    """One named query, ready for every engine."""

    name: str
    sparql: str
    params: dict[str, object]          # pyoxigraph terms
    mode: str                          # "substitutions" | "values-injected" | "none"
    ox_sparql: str                     # text pyoxigraph/oxrdflib run
    ox_subs: dict                      # their substitutions
    separators: list[str] | None = None  # GROUP_CONCAT separators; None: no GROUP_CONCAT


def prepare(query: NamedQuery, graph: CityGraph) -> Prepared:
    params = query.bind({}, graph.resolve)
    separators = None
    if re.search(r"GROUP_CONCAT", query.sparql, re.IGNORECASE):
        separators = re.findall(r'separator\s*=\s*"((?:[^"\\]|\\.)*)"', query.sparql, re.IGNORECASE)
    if not params:
        return Prepared(query.name, query.sparql, {}, "none", query.sparql, {}, separators)
    subs = {ox.Variable(k): v for k, v in params.items()}
    try:  # the product's rule: substitutions when the query projects them, else VALUES
        graph.store.query(query.sparql, prefixes=PREFIXES, use_default_graph_as_union=True,
                          substitutions=subs)
        return Prepared(query.name, query.sparql, params, "substitutions", query.sparql, subs,
                        separators)
    except RuntimeError:
        return Prepared(query.name, query.sparql, params, "values-injected",
                        _inject_values(query.sparql, params), {}, separators)


class PyOxigraph:
    name = "pyoxigraph"

    def load(self, nquads: bytes) -> None:
        self.store = ox.Store()
        self.store.load(nquads, format=ox.RdfFormat.N_QUADS)

    def count(self) -> int:
        return len(self.store)

    def runner(self, q: Prepared) -> Callable[[], tuple[list[str], list[tuple]]]:
        store, text, subs = self.store, q.ox_sparql, q.ox_subs or None

        def run():
            result = store.query(text, prefixes=PREFIXES, use_default_graph_as_union=True,
                                 substitutions=subs)
            return [v.value for v in result.variables], [tuple(s) for s in result]
        return run

    norm = staticmethod(norm_ox)


class RdflibEngine:
    name = "rdflib"

    def load(self, nquads: bytes) -> None:
        self.ds = rdflib.Dataset(default_union=True)
        self.ds.parse(data=nquads, format="nquads")  # rdflib's own parser, not oxrdflib's

    def count(self) -> int:
        return sum(1 for _ in self.ds.quads((None, None, None, None)))

    def runner(self, q: Prepared) -> Callable[[], tuple[list[str], list[tuple]]]:
        ds, text = self.ds, q.sparql
        bindings = {k: ox_to_rdflib(v) for k, v in q.params.items()}

        def run():
            result = ds.query(text, initNs=PREFIXES, initBindings=bindings)
            return [str(v) for v in result.vars], [tuple(row) for row in result]
        return run

    norm = staticmethod(norm_rdflib)


class OxRdflib:
    name = "oxrdflib"

    def load(self, nquads: bytes) -> None:
        self.ds = rdflib.Dataset(store="Oxigraph", default_union=True)
        self.ds.parse(data=nquads, format="ox-nquads")

    def count(self) -> int:
        return sum(1 for _ in self.ds.quads((None, None, None, None)))

    def runner(self, q: Prepared) -> Callable[[], tuple[list[str], list[tuple]]]:
        # oxrdflib hands initBindings to Oxigraph as substitutions, which must be projected:
        # run what the product runs (the same text and substitutions as pyoxigraph)
        ds, text = self.ds, q.ox_sparql
        bindings = {str(k.value): ox_to_rdflib(v) for k, v in q.ox_subs.items()}

        def run():
            result = ds.query(text, initNs=PREFIXES, initBindings=bindings)
            return [str(v) for v in result.vars], [tuple(row) for row in result]
        return run

    norm = staticmethod(norm_rdflib)


def oxrdflib_status() -> tuple[bool, str | None]:
    try:
        import oxrdflib  # noqa: F401

        rdflib.Dataset(store="Oxigraph")
        return True, None
    except Exception as exc:  # not installed, or the plugin does not load
        return False, f"{type(exc).__name__}: {exc}"


# ---------------------------------------------------------------------------- rdflib worker
class Timeout(Exception):
    pass


class InProcess:
    """Runs an engine's queries in this process (Oxigraph-backed engines: fast, no timeout)."""

    def __init__(self, engine, queries: list[Prepared]) -> None:
        self.engine, self.queries = engine, queries
        self.runners: dict[int, Callable] = {}

    def run_once(self, index: int, want_rows: bool) -> tuple[float, tuple | None]:
        if index not in self.runners:
            self.runners[index] = self.engine.runner(self.queries[index])
        t0 = time.perf_counter()
        names, rows = self.runners[index]()
        elapsed = time.perf_counter() - t0
        payload = (names, [tuple(map(self.engine.norm, r)) for r in rows]) if want_rows else None
        return elapsed, payload

    def close(self) -> None:
        self.runners.clear()


class Forked:
    """Runs an engine's queries in a forked child, so a run past ``timeout_s`` can be killed.

    The child inherits the loaded dataset (copy-on-write) and serves one run per request,
    timing it itself; after a timeout it is killed and a fresh one is forked on demand.
    Only rdflib runs here (the child never touches Oxigraph's stores).
    """

    def __init__(self, engine, queries: list[Prepared], timeout_s: float) -> None:
        self.inner = InProcess(engine, queries)
        self.timeout_s = timeout_s
        self.ctx = multiprocessing.get_context("fork")
        self.proc = None
        self.conn = None

    def _serve(self, conn) -> None:
        while True:
            try:
                request = conn.recv()
            except EOFError:
                return
            if request is None:
                return
            try:
                conn.send(("ok", *self.inner.run_once(*request)))
            except Exception as exc:
                conn.send(("error", f"{type(exc).__name__}: {exc}", None))

    def run_once(self, index: int, want_rows: bool) -> tuple[float, tuple | None]:
        if self.proc is None:
            parent, child = self.ctx.Pipe()
            self.proc = self.ctx.Process(target=self._serve, args=(child,), daemon=True)
            self.proc.start()
            child.close()
            self.conn = parent
        self.conn.send((index, want_rows))
        if not self.conn.poll(self.timeout_s):
            self.close(kill=True)
            raise Timeout()
        kind, value, payload = self.conn.recv()
        if kind == "error":
            raise RuntimeError(value)
        return value, payload

    def close(self, kill: bool = False) -> None:
        if self.proc is None:
            return
        if not kill:
            try:
                self.conn.send(None)
            except OSError:
                kill = True
        if kill:
            self.proc.kill()
        self.proc.join(timeout=10)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()
        self.proc = self.conn = None


def measure_loads(factories: dict[str, Callable], nquads: bytes, policy: Policy,
                  out: dict) -> dict[str, object]:
    """Load the same N-Quads into a fresh instance of every engine, in rounds (like queries);
    records stats in ``out`` and returns the last instance of each engine."""
    trackers = {name: Tracker(policy) for name in factories}
    for t in trackers.values():
        t.first_seen = True  # every load is from scratch: no warm-up
    last: dict[str, object] = {}
    order = list(factories)
    rounds = 0
    while not all(t.done for t in trackers.values()):
        for name in order[rounds % len(order):] + order[:rounds % len(order)]:
            if trackers[name].done:
                continue
            last.pop(name, None)  # free the previous copy first
            engine = factories[name]()
            t0 = time.perf_counter()
            engine.load(nquads)
            trackers[name].add(time.perf_counter() - t0)
            last[name] = engine
        rounds += 1
    for name, t in trackers.items():
        out[name] = stats(t.times)
    return {name: last[name] for name in factories}


def measure_interleaved(runners: dict[str, object], index: int, policy: Policy,
                        on_round: Callable[[], None] | None = None) -> dict[str, dict]:
    """Every engine on query ``index``, in rounds (one run of each engine per round, order
    rotating), so that all engines see the same machine load; each stops by its own rule."""
    trackers = {name: Tracker(policy) for name in runners}
    answers: dict[str, tuple | None] = {name: None for name in runners}
    order = list(runners)
    rounds = 0
    while not all(t.done for t in trackers.values()):
        turn = order[rounds % len(order):] + order[:rounds % len(order)]
        for name in turn:
            tracker = trackers[name]
            if tracker.done:
                continue
            try:
                elapsed, payload = runners[name].run_once(index, answers[name] is None)
            except Timeout:
                tracker.status = "timeout"
                continue
            except Exception as exc:
                tracker.status, tracker.error = "error", str(exc)
                continue
            tracker.add(elapsed)
            if payload is not None:
                answers[name] = payload
        rounds += 1
        if on_round:
            on_round()
    out = {}
    for name, t in trackers.items():
        entry = {**stats(t.times), "status": t.status}
        if t.status == "timeout":
            entry["timeout_s"] = policy.timeout_s
        if t.error:
            entry["error"] = t.error
        entry["answer"] = answers[name]
        out[name] = entry
    return out


# ---------------------------------------------------------------------------- datasets
@dataclass
class DatasetSpec:
    name: str
    label: str
    graph: CityGraph
    build_s: float
    nquads: bytes
    target: int | None = None
    cities: int | None = None


def curated_dataset() -> DatasetSpec:
    settings = Settings.from_env()
    t0 = time.perf_counter()
    graph = CityGraph.build(settings, memory=True, notify=None)
    build_s = time.perf_counter() - t0
    return DatasetSpec("curated", "curated data/", graph, build_s,
                       graph.store.dump(format=ox.RdfFormat.N_QUADS))


def synthetic_dataset(home: Path, size: int, seed: int, workdir: Path) -> DatasetSpec:
    data_dir = workdir / f"synthetic-{size}" / "data"
    cities = synthetic.cities_for(size)
    synthetic.World(cities, seed).write(data_dir)
    settings = Settings.for_home(home, data_dir=data_dir, store_dir=data_dir.parent / "store")
    t0 = time.perf_counter()
    graph = CityGraph.build(settings, memory=True, notify=None)
    build_s = time.perf_counter() - t0
    return DatasetSpec(f"synthetic-{size}", f"synthetic ~{_power(size)}", graph, build_s,
                       graph.store.dump(format=ox.RdfFormat.N_QUADS), size, cities)


def _power(n: int) -> str:
    exp = round(math.log10(n)) if n > 0 else 0
    return f"10^{exp}" if 10 ** exp == n else f"{n:,}"


# ---------------------------------------------------------------------------- the run
def machine_info() -> dict:
    info = {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor() or None,
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_kb"] = int(line.split()[1])
                break
    except OSError:
        pass
    return info


def versions() -> dict:
    out = {}
    for dist in ("citygraph", "rdflib", "pyoxigraph", "oxrdflib"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    return out


def geomean(values: list[float]) -> float | None:
    values = [v for v in values if v and v > 0]
    return math.exp(sum(map(math.log, values)) / len(values)) if values else None


def ratio_of(entry: dict, engine: str) -> tuple[float | None, bool]:
    """engine median / baseline median; ``(value, is_lower_bound)`` (timeouts give a bound)."""
    base = entry["engines"].get(BASELINE, {}).get("median_s")
    mine = entry["engines"].get(engine)
    if not base or not mine:
        return None, False
    if mine.get("status") == "timeout":
        return mine["timeout_s"] / base, True
    if mine.get("median_s") is None:
        return None, False
    return mine["median_s"] / base, False


def check_and_log(q: Prepared, qres: dict, have: dict, engines: list[str], policy: Policy,
                  label: str, log) -> None:
    """Compare every engine's rows with the baseline's (columns reordered by name), then log."""
    base = have.get(BASELINE)
    verdicts = []
    for engine_name in engines:
        entry = qres["engines"][engine_name]
        if engine_name == BASELINE:
            entry["agree"] = True if base is not None else None
            continue
        other = have.get(engine_name)
        if base is None or other is None:
            entry["agree"] = None
            continue
        names, rows = other
        if sorted(names) != sorted(base[0]):
            entry["agree"], entry["agreement"] = False, "NO"
            entry["diff"] = {"columns_reference": base[0], "columns_other": names}
            verdicts.append("NO")
            continue
        order = [names.index(n) for n in base[0]]
        rows = [tuple(r[i] for i in order) for r in rows]
        verdict, diff = compare(base[1], rows, q.separators)
        entry["agree"] = verdict != "NO"
        entry["agreement"] = verdict
        if diff:
            entry["diff"] = diff
        verdicts.append(verdict)
    qres["agreement"] = ("NO" if "NO" in verdicts else
                         "yes-modulo-group-concat" if any(v != "yes" for v in verdicts)
                         else "yes") if verdicts else None
    line = f"[dim]{label}[/] {q.name:<26}"
    for engine_name in engines:
        e = qres["engines"][engine_name]
        shown = f"> {policy.timeout_s:.0f} s" if e["status"] == "timeout" else (
            "error" if e["status"] == "error" else _ms(e["median_s"]))
        line += f" {engine_name} {shown:>10}"
        if engine_name != BASELINE:
            r, bound = ratio_of(qres, engine_name)
            line += f" ({'≥' if bound else ''}{r:.1f}×)" if r else ""
    rows = qres["engines"].get(BASELINE, {}).get("rows")
    agree = {"yes": "[green]agree[/]", "yes-modulo-group-concat":
             "[yellow]agree modulo GROUP_CONCAT[/]", "NO": "[red]DISAGREE[/]"}.get(
                 qres["agreement"], "-")
    log(f"{line}  rows {rows}  {agree}")


def run_dataset(spec: DatasetSpec, engines: list[str], policy: Policy, load_policy: Policy,
                progress: Progress, task, log) -> dict:
    graph = spec.graph
    queries = [prepare(q, graph) for q in load_queries(graph.settings.queries_dir).values()]
    result: dict = {
        "name": spec.name, "label": spec.label, "target_quads": spec.target,
        "synthetic_cities": spec.cities, "quads": len(graph.store),
        "graphs": graph.manifest["triples"], "product_build_s": spec.build_s,
        "nquads_bytes": len(spec.nquads), "load": {}, "quads_loaded": {}, "queries": {},
    }
    impls = {"pyoxigraph": PyOxigraph, "rdflib": RdflibEngine, "oxrdflib": OxRdflib}
    answers: dict[str, dict[str, tuple]] = {q.name: {} for q in queries}
    for q in queries:
        result["queries"][q.name] = {
            "params": {k: str(v) for k, v in q.params.items()}, "param_mode": q.mode,
            "engines": {},
        }

    runners: dict[str, object] = {}
    parse_times: dict[str, float] = {}
    try:
        progress.update(task, description=f"{spec.label}: loading", refresh=True)
        loaded_engines = measure_loads({name: impls[name] for name in engines}, spec.nquads,
                                       load_policy, result["load"])
        for engine_name, engine in loaded_engines.items():
            loaded = engine.count()
            result["quads_loaded"][engine_name] = loaded
            log(f"[dim]{spec.label}[/] load {engine_name:<10} "
                f"{_ms(result['load'][engine_name]['median_s']):>10}  ({loaded:,} quads"
                f"{'' if loaded == result['quads'] else ' [red]MISMATCH[/]'})")
            if engine_name == "rdflib":
                for q in queries:  # how much of rdflib's time is parsing and translating
                    ts = []
                    for _ in range(3):
                        t0 = time.perf_counter()
                        prepareQuery(q.sparql, initNs=PREFIXES)
                        ts.append(time.perf_counter() - t0)
                    parse_times[q.name] = statistics.median(ts)
                runners[engine_name] = Forked(engine, queries, policy.timeout_s)
            else:
                runners[engine_name] = InProcess(engine, queries)
        del loaded_engines

        for index, q in enumerate(queries):
            progress.update(task, description=f"{spec.label}: {q.name}", refresh=True)
            measured = measure_interleaved(runners, index, policy)
            for engine_name, entry in measured.items():
                answer = entry.pop("answer")
                entry["rows"] = len(answer[1]) if answer is not None else None
                if answer is not None:
                    answers[q.name][engine_name] = answer
                if engine_name == "rdflib" and q.name in parse_times:
                    entry["parse_s"] = parse_times[q.name]
                result["queries"][q.name]["engines"][engine_name] = entry
            check_and_log(q, result["queries"][q.name], answers[q.name], engines, policy,
                          spec.label, log)
            progress.advance(task, len(engines))
            progress.refresh()
    finally:
        for runner in runners.values():
            runner.close()
        runners.clear()

    return result


def _ms(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1000:.2f} ms" if seconds < 0.01 else f"{seconds * 1000:.1f} ms"


def summarise(results: dict) -> list[dict]:
    rows = []
    for ds in results["datasets"]:
        row = {"dataset": ds["name"], "label": ds["label"], "quads": ds["quads"]}
        for engine in results["engines_run"]:
            if engine == BASELINE:
                continue
            ratios = [ratio_of(q, engine) for q in ds["queries"].values()]
            values = [r for r, _ in ratios if r]
            top = max(((r, b) for r, b in ratios if r), default=(None, False))
            row[engine] = {
                "geomean": geomean(values),
                "min": min(values) if values else None,
                "max": top[0],
                "max_is_lower_bound": top[1],
                "lower_bounds": sum(1 for r, b in ratios if b),
                "agree": sum(1 for q in ds["queries"].values()
                             if q["engines"][engine].get("agree") is True),
                "disagree": sum(1 for q in ds["queries"].values()
                                if q["engines"][engine].get("agree") is False),
                "unchecked": sum(1 for q in ds["queries"].values()
                                 if q["engines"][engine].get("agree") is None),
                "modulo_group_concat": sum(
                    1 for q in ds["queries"].values()
                    if q["engines"][engine].get("agreement") == "yes-modulo-group-concat"),
                "queries": len(ds["queries"]),
            }
            shares = [q["engines"][engine]["parse_s"] / q["engines"][engine]["median_s"]
                      for q in ds["queries"].values()
                      if q["engines"][engine].get("parse_s") and q["engines"][engine].get("median_s")]
            if shares:  # rdflib: how much of a run is parsing and translating the query text
                row[engine]["parse_share_median"] = statistics.median(shares)
            base_load = ds["load"].get(BASELINE, {}).get("median_s")
            mine = ds["load"].get(engine, {}).get("median_s")
            row[engine]["load_ratio"] = mine / base_load if base_load and mine else None
        rows.append(row)
    return rows


def _x(v: float | None, bound: bool = False) -> str:
    if v is None:
        return "–"
    s = f"{v:,.0f}" if v >= 100 else f"{v:.1f}" if v >= 10 else f"{v:.2f}"
    return ("≥" if bound else "") + s + "×"


def _agree_note(s: dict) -> str:
    notes = []
    if s.get("modulo_group_concat"):
        notes.append(f"{s['modulo_group_concat']} modulo GROUP_CONCAT")
    if s.get("disagree"):
        notes.append(f"{s['disagree']} DIFFER")
    if s.get("unchecked"):
        notes.append(f"{s['unchecked']} not compared: timeout or error")
    return f" ({'; '.join(notes)})" if notes else ""


def print_summary(results: dict) -> None:
    out = Console(width=_WIDTH)
    engines = [e for e in results["engines_run"] if e != BASELINE]
    per_query = Table(title="Median time relative to pyoxigraph (per query; >1 = slower)")
    per_query.add_column("query")
    for ds in results["datasets"]:
        for e in engines:
            per_query.add_column(f"{ds['label']}\n{e}", justify="right")
    names = list(results["datasets"][0]["queries"]) if results["datasets"] else []
    for name in names:
        cells = []
        for ds in results["datasets"]:
            q = ds["queries"][name]
            for e in engines:
                r, bound = ratio_of(q, e)
                mark = "" if q["engines"][e].get("agree") is not False else " [red]≠[/]"
                cells.append(_x(r, bound) + mark)
        per_query.add_row(name, *cells)
    out.print(per_query)

    summary = Table(title="Summary: engine / pyoxigraph (geometric mean over the named queries)")
    for col in ("dataset", "quads", "engine", "query geomean", "query min–max", "load", "answers"):
        summary.add_column(col, justify="left" if col in ("dataset", "engine", "answers") else "right")
    for row in results["summary"]:
        for e in engines:
            s = row.get(e)
            if not s:
                continue
            answers = f"{s['agree']}/{s['queries']} agree" + _agree_note(s)
            bound = s["lower_bounds"] > 0
            summary.add_row(row["label"], f"{row['quads']:,}", e, _x(s["geomean"], bound),
                            f"{_x(s['min'])} – {_x(s['max'], s['max_is_lower_bound'])}" + (
                                f" ({s['lower_bounds']} timeouts)" if s["lower_bounds"] else ""),
                            _x(s["load_ratio"]), answers)
    out.print(summary)


def write_markdown(results: dict, path: Path) -> None:
    engines = [e for e in results["engines_run"] if e != BASELINE]
    m = results["machine"]
    lines = [
        "# SPARQL engines on the named queries",
        "",
        f"Generated by `python bench/engines.py{' ' + ' '.join(results['argv']) if results['argv'] else ''}`"
        f" on {results['date']} ({m.get('cpu_model') or m['machine']}, {m['cpu_count']} cores,"
        f" Python {m['python']}; rdflib {results['versions']['rdflib']},"
        f" pyoxigraph {results['versions']['pyoxigraph']},"
        f" oxrdflib {results['versions']['oxrdflib'] or 'not installed'}).",
        f"Load average at start/end: {results['loadavg_start']} / {results['loadavg_end']}"
        " — a shared, noisy machine, so read the ratios, not the absolute times"
        " (those are in `engines.json`).",
        "",
        "Each cell is *median time of the engine / median time of pyoxigraph* on the same quads"
        " in the same run (> 1: slower than pyoxigraph). `≥` marks a timeout (the ratio is a"
        " lower bound); `≠` marks answers that differ from pyoxigraph's.",
        "",
    ]
    if results["oxrdflib"]["error"]:
        lines += [f"oxrdflib was not measured: {results['oxrdflib']['error']}", ""]
    lines += ["## Summary", "",
              "| dataset | quads | engine | geometric mean | min | max | load | answers agree |",
              "|---|---:|---|---:|---:|---:|---:|---|"]
    for row in results["summary"]:
        for e in engines:
            s = row.get(e)
            if not s:
                continue
            bound = s["lower_bounds"] > 0
            lines.append(f"| {row['label']} | {row['quads']:,} | {e} | {_x(s['geomean'], bound)} | "
                         f"{_x(s['min'])} | {_x(s['max'], s['max_is_lower_bound'])} | {_x(s['load_ratio'])} | "
                         f"{s['agree']}/{s['queries']}" + _agree_note(s) + " |")
    shares = [(row["label"], row["rdflib"]["parse_share_median"]) for row in results["summary"]
              if row.get("rdflib", {}).get("parse_share_median") is not None]
    if shares:
        lines += ["", "rdflib parses and translates the query text on every call; the median share "
                  "of a run spent on that (`prepareQuery`, measured apart) was "
                  + ", ".join(f"{share:.0%} on {label}" for label, share in shares) + "."]
    lines += ["", "## Per query", ""]
    header = "| query | " + " | ".join(f"{ds['label']}: {e}" for ds in results["datasets"] for e in engines) \
        + " | " + " | ".join(f"{ds['label']}: rows" for ds in results["datasets"]) + " |"
    lines += [header, "|---|" + "---:|" * (len(results["datasets"]) * (len(engines) + 1))]
    names = list(results["datasets"][0]["queries"]) if results["datasets"] else []
    for name in names:
        cells = []
        for ds in results["datasets"]:
            q = ds["queries"][name]
            for e in engines:
                r, bound = ratio_of(q, e)
                cells.append(_x(r, bound) + (" ≠" if q["engines"][e].get("agree") is False else ""))
        for ds in results["datasets"]:
            cells.append(str(ds["queries"][name]["engines"].get(BASELINE, {}).get("rows")))
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "## pyoxigraph medians (for scale; absolute times on a noisy machine)", "",
              "| query | " + " | ".join(ds["label"] for ds in results["datasets"]) + " |",
              "|---|" + "---:|" * len(results["datasets"])]
    for name in names:
        lines.append(f"| {name} | " + " | ".join(
            _ms(ds["queries"][name]["engines"].get(BASELINE, {}).get("median_s"))
            for ds in results["datasets"]) + " |")
    lines += ["", "## Loading the same N-Quads", "",
              "| dataset | quads | product build (pyoxigraph, incl. derivation) | "
              + " | ".join(f"{e} load / pyoxigraph load" for e in engines) + " |",
              "|---|---:|---:|" + "---:|" * len(engines)]
    for ds in results["datasets"]:
        base = ds["load"].get(BASELINE, {}).get("median_s")
        cells = []
        for e in engines:
            mine = ds["load"].get(e, {}).get("median_s")
            cells.append(_x(mine / base) if base and mine else "–")
        lines.append(f"| {ds['label']} | {ds['quads']:,} | {_ms(ds['product_build_s'])} | "
                     + " | ".join(cells) + " |")
    disagreements = [(ds["label"], name, e, q["engines"][e])
                     for ds in results["datasets"] for name, q in ds["queries"].items()
                     for e in engines if q["engines"][e].get("agree") is False]
    lines += ["", "## Answers", ""]
    if disagreements:
        for label, name, e, entry in disagreements:
            d = entry.get("diff", {})
            lines.append(f"- **{label} / {name} / {e}**: {d.get('rows_other')} rows against "
                         f"{d.get('rows_reference')} from pyoxigraph; compared "
                         f"{d.get('compared', 'exactly')}, {d.get('only_in_other_count')} only in {e} and "
                         f"{d.get('only_in_reference_count')} only in pyoxigraph. For example:")
            for side, key in ((e, "only_in_other"), ("pyoxigraph", "only_in_reference")):
                for row in d.get(key, [])[:2]:
                    lines.append(f"  - only in {side}: `{' | '.join(row)}`")
    else:
        lines.append("Every engine returned the same multiset of rows as pyoxigraph on every query"
                     " that finished (plain literals and xsd:string counted equal, blank-node labels"
                     " ignored).")
    modulo = [(ds["label"], name) for ds in results["datasets"] for name, q in ds["queries"].items()
              if q.get("agreement") == "yes-modulo-group-concat"]
    if modulo:
        lines.append("")
        lines.append("Equal once GROUP_CONCAT strings are compared by their sorted parts and without a"
                     " language tag (SPARQL leaves the order of the parts to the engine; Oxigraph keeps"
                     " a language tag the parts share, rdflib returns a simple literal): "
                     + ", ".join(f"{n} ({l})" for l, n in modulo) + ".")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description="rdflib vs Oxigraph on citygraph's named queries")
    parser.add_argument("--quick", action="store_true",
                        help="curated + 10^4 only, few runs (a smoke run); writes to a temp dir "
                             "unless --out is given")
    parser.add_argument("--sizes", type=int, nargs="*", default=None,
                        help="synthetic sizes in quads (default 10000 100000; --quick: 10000); "
                             "add 1000000 for 10^6")
    parser.add_argument("--no-curated", action="store_true", help="skip the curated graph")
    parser.add_argument("--engines", nargs="+", choices=ENGINES, default=list(ENGINES))
    parser.add_argument("--budget", type=float, help="seconds of timed runs to aim for (1.0)")
    parser.add_argument("--min-runs", type=int, help="timed runs at least (3)")
    parser.add_argument("--max-runs", type=int, help="timed runs at most (20)")
    parser.add_argument("--cap", type=float, help="stop repeating after this many seconds (30)")
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="rdflib: a run longer than this is stopped and recorded as '> N s'")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, help=f"results directory (default {RESULTS_DIR})")
    args = parser.parse_args(argv)

    quick = args.quick
    sizes = args.sizes if args.sizes is not None else ([10_000] if quick else [10_000, 100_000])
    policy = Policy(
        budget_s=args.budget if args.budget is not None else (0.2 if quick else 1.0),
        min_runs=args.min_runs if args.min_runs is not None else (2 if quick else 3),
        max_runs=args.max_runs if args.max_runs is not None else (5 if quick else 20),
        cap_s=args.cap if args.cap is not None else (5.0 if quick else 30.0),
        timeout_s=args.timeout,
    )
    load_policy = Policy(budget_s=policy.budget_s, min_runs=1 if quick else 3,
                         max_runs=3 if quick else 5, cap_s=policy.cap_s, timeout_s=policy.timeout_s)
    out_dir = args.out or (Path(tempfile.mkdtemp(prefix="citygraph-bench-")) if quick else RESULTS_DIR)

    engines = list(args.engines)
    ox_ok, ox_error = oxrdflib_status()
    if "oxrdflib" in engines and not ox_ok:
        console.print(f"[yellow]oxrdflib unavailable ({ox_error}); measuring without it[/]")
        engines.remove("oxrdflib")
    if BASELINE not in engines:
        parser.error("pyoxigraph is the baseline: keep it in --engines")

    started = time.perf_counter()
    results: dict = {
        "argv": argv, "mode": "quick" if quick else "full",
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine_info(), "versions": versions(),
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
        "policy": vars(policy), "load_policy": vars(load_policy),
        "baseline": BASELINE, "engines_run": engines,
        "oxrdflib": {"available": ox_ok, "error": ox_error},
        "seed": args.seed, "datasets": [],
    }
    home = Settings.from_env().home
    with tempfile.TemporaryDirectory(prefix="citygraph-synthetic-") as tmp, Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=True, auto_refresh=False,  # no refresh thread: we fork
    ) as progress:
        n_queries = len(load_queries(Settings.from_env().queries_dir))
        plan = ([] if args.no_curated else ["curated"]) + sizes
        task = progress.add_task("preparing", total=len(plan) * n_queries * len(engines))
        log = progress.console.print
        for item in plan:
            progress.update(task, description=f"building {item}", refresh=True)
            try:
                spec = curated_dataset() if item == "curated" else synthetic_dataset(
                    home, int(item), args.seed, Path(tmp))
            except Exception:
                console.print(f"[red]could not build {item}[/]\n{traceback.format_exc()}")
                return 2
            log(f"[bold]{spec.label}[/]: {len(spec.graph.store):,} quads "
                f"({', '.join(f'{k} {v:,}' for k, v in spec.graph.manifest['triples'].items())}); "
                f"product build {_ms(spec.build_s)}")
            results["datasets"].append(run_dataset(spec, engines, policy, load_policy,
                                                   progress, task, log))
            del spec
    results["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    results["total_s"] = time.perf_counter() - started
    results["summary"] = summarise(results)

    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "engines.json").write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n",
                                          encoding="utf-8")
    write_markdown(results, out_dir / "engines.md")
    print_summary(results)
    disagreeing = sum(r[e]["disagree"] for r in results["summary"] for e in engines if e != BASELINE)
    Console(width=_WIDTH).print(f"total {results['total_s']:.0f} s; results in {out_dir}/engines.json and engines.md"
                    + (f"; [red]{disagreeing} query/engine pairs disagree[/]" if disagreeing else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
