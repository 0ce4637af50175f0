"""The benchmark orchestrator: every part at every size, one summary (``make bench``).

Parts (each writes ``OUT/NAME.json``; the summary is ``OUT/SUMMARY.md``):

* ``load``       -- ``citygraph build`` (parse + derive + publish) against ``oxigraph load`` of
                    the same input as N-Triples, each in a child process: wall time and peak
                    RSS; S, M, L and the real world graph (curated + every external layer);
* ``queries``    -- every named query through ``CityGraph.query`` on the persisted store,
                    against the same query on a pyoxigraph in-memory store of the same quads,
                    and rdflib's own engine at S and M (engines interleaved, medians);
* ``startup``    -- ``citygraph serve`` on the persisted L store: process start to the first
                    200 on /healthz; against ``oxigraph serve-read-only`` on its L location;
* ``validation`` -- ``bench/validation.py`` (citygraph against shacl-rust, the fastest
                    installable engine; curated and synthetic worlds with injected errors);
* ``analysis``   -- ``bench/analysis.py`` (citygraph against igraph);
* ``http``       -- ``bench/http_load.py`` (endpoint against ``oxigraph serve`` and
                    rdflib-endpoint, at M).

Worlds come from ``bench/generate.py`` (cached under ``bench/.cache/``). A part that crashes
is recorded and the run goes on; the exit status is 1 if any part crashed. A missed target is
reported in the summary, never a failure.

    python bench/run.py [--smoke] [--parts load,queries,...] [--xl] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import generate  # noqa: E402

PARTS = ("load", "queries", "startup", "validation", "analysis", "http")
RESULTS = HERE / "results"
BIN = Path(sys.executable).parent


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _median(values: list[float]) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a and b else None


# ---------------------------------------------------------------------------------- machine
def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    from importlib.metadata import PackageNotFoundError, version
    versions = {}
    for name in ("citygraph", "pyoxigraph", "oxigraph", "rdflib", "pyshacl", "shacl-rust", "pyrudof",
                 "igraph", "networkx", "scipy", "fastapi", "uvicorn", "rdflib-endpoint"):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gib": ram, "os": platform.platform(),
            "python": platform.python_version(), "versions": versions}


# ---------------------------------------------------------------------------------- children
def measured(cmd: list[str], env: dict | None = None, timeout: float = 1800) -> dict:
    """Run ``cmd`` in a fresh wrapper process: wall seconds and the child's peak RSS (MB)."""
    wrapper = ("import resource, subprocess, sys, time\n"
               "t = time.perf_counter()\n"
               "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).returncode\n"
               "t = time.perf_counter() - t\n"
               "print(rc, t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    proc = subprocess.run([sys.executable, "-c", wrapper, *cmd], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)
    rc, seconds, rss_kb = proc.stdout.split()
    if int(rc) != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])} exited {rc}: {proc.stderr[-400:]}")
    return {"seconds": float(seconds), "peak_rss_mb": round(int(rss_kb) / 1024, 1)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_200(url: str, proc: subprocess.Popen, started: float, limit: float = 300) -> float:
    while time.perf_counter() - started < limit:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited {proc.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                if reply.status == 200:
                    return time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.02)
    raise RuntimeError(f"no 200 from {url} within {limit} s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ---------------------------------------------------------------------------------- context
class Context:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.out: Path = args.out
        self.work = Path(tempfile.mkdtemp(prefix="citygraph-bench-run-"))
        self.sizes = ["S"] if args.smoke else ["S", "M", "L"] + (["XL"] if args.xl else [])
        if args.sizes:
            self.sizes = [z for z in self.sizes if z in args.sizes.split(",")]
        self.worlds: dict[str, dict] = {}
        self.stores: dict[str, dict] = {}  # size -> {"env": ..., "ox_location": ...}
        self.real_world: dict | None = None

    def world(self, size: str) -> dict:
        if size not in self.worlds:
            self.worlds[size] = generate.world(size, self.args.seed, self.args.cache, log=log)
        return self.worlds[size]

    def reps(self, size: str) -> int:
        if self.args.smoke:
            return 1
        return {"S": 3, "M": 3, "L": 1, "XL": 1, "world": 1}[size]

    def env_for(self, size: str) -> dict:
        meta = self.world(size)
        return {**os.environ, "CITYGRAPH_DATA_DIR": meta["data_dir"],
                "CITYGRAPH_STORE_DIR": str(self.work / f"store-{size}")}


# ---------------------------------------------------------------------------------- load
def part_load(ctx: Context) -> dict:
    exe = str(BIN / "citygraph")
    ox_exe = shutil.which("oxigraph", path=str(BIN)) or shutil.which("oxigraph")
    rows = []
    targets = [(s, None) for s in ctx.sizes]
    if not ctx.args.smoke and not ctx.args.no_world:
        targets.append(("world", None))
    for size, _ in targets:
        if size == "world":
            rw = ctx.real_world or generate.world_graph(ctx.args.cache, log=log)
            ctx.real_world = rw
            env = {**os.environ, "CITYGRAPH_STORE_DIR": rw["store_dir"]}
            build_cmd = [exe, "build", "--layers", "all"]
            nt_files = rw["nq"]
            quads_in = rw.get("input_quads")
        else:
            meta = ctx.world(size)
            env = ctx.env_for(size)
            # synthetic worlds are not curated data (no seed files): validation is measured on its own
            build_cmd = [exe, "build", "--no-validate"]
            nt_files = [meta["nt"]]
            quads_in = meta["input_triples"]
        log(f"load {size}: citygraph build vs oxigraph load, {ctx.reps(size)} run(s) each")
        ours, theirs = [], []
        location = ctx.work / f"oxigraph-{size}"
        for i in range(ctx.reps(size)):
            pair = [("citygraph", build_cmd, env), ("oxigraph", None, None)]
            for name, cmd, e in (pair if i % 2 == 0 else pair[::-1]):
                if name == "citygraph":
                    ours.append(measured(cmd, e))
                else:
                    shutil.rmtree(location, ignore_errors=True)
                    theirs.append(measured([ox_exe, "load", "--location", str(location),
                                            "--file", *nt_files]))
        ctx.stores[size] = {"env": env, "ox_location": str(location)}
        store_quads = None
        try:
            from citygraph import store as stores
            manifest = json.loads((Path(env["CITYGRAPH_STORE_DIR"]) / "current" / stores.MANIFEST).read_text())
            store_quads = sum(v for v in manifest.get("triples", {}).values() if isinstance(v, int))
        except (OSError, ValueError):
            pass
        row = {
            "size": size, "input_quads": quads_in, "store_quads": store_quads, "runs": len(ours),
            "citygraph_s": _median([r["seconds"] for r in ours]),
            "citygraph_peak_mb": max(r["peak_rss_mb"] for r in ours),
            "oxigraph_s": _median([r["seconds"] for r in theirs]),
            "oxigraph_peak_mb": max(r["peak_rss_mb"] for r in theirs),
            "all": {"citygraph": ours, "oxigraph": theirs},
        }
        row["time_ratio"] = _ratio(row["citygraph_s"], row["oxigraph_s"])
        row["memory_ratio"] = _ratio(row["citygraph_peak_mb"], row["oxigraph_peak_mb"])
        log(f"  citygraph {row['citygraph_s']:.2f} s {row['citygraph_peak_mb']:.0f} MB; "
            f"oxigraph load {row['oxigraph_s']:.2f} s {row['oxigraph_peak_mb']:.0f} MB")
        rows.append(row)
    return {"rows": rows}


# ---------------------------------------------------------------------------------- queries
class CityGraphRunner:
    """Named queries through ``CityGraph.query`` (what ``citygraph query`` runs)."""

    def __init__(self, graph, prepared: list, named: dict) -> None:
        self.graph, self.prepared, self.named = graph, prepared, named

    def run_once(self, index: int, want_rows: bool):
        q = self.prepared[index]
        t0 = time.perf_counter()
        result = self.graph.query(q.sparql, q.params)
        elapsed = time.perf_counter() - t0
        return elapsed, (None if not want_rows else (result.variables, result.rows))


def part_queries(ctx: Context) -> dict:
    import engines
    import pyoxigraph as ox
    from citygraph.config import Settings
    from citygraph.graph import CityGraph
    from citygraph.queries import load_queries

    rows = []
    for size in ctx.sizes:
        if size not in ctx.stores:
            raise RuntimeError(f"queries at {size} need the load part first")
        env = ctx.stores[size]["env"]
        settings = Settings.from_env(environ=env, cwd=ROOT)
        graph = CityGraph.open(settings, notify=None)
        named = load_queries(settings.queries_dir)
        prepared = [engines.prepare(q, graph) for q in named.values()]
        nquads = graph.store.dump(format=ox.RdfFormat.N_QUADS)
        ref = engines.PyOxigraph()
        ref.load(nquads)
        disk = engines.PyOxigraph()  # the same on-disk build, opened straight with pyoxigraph
        from citygraph import store as stores
        disk.store = ox.Store.read_only(str(Path(graph.location) / stores.OXIGRAPH_DIR))
        runners = {"citygraph": CityGraphRunner(graph, prepared, named),
                   "pyoxigraph": engines.InProcess(ref, prepared),
                   "pyoxigraph-disk": engines.InProcess(disk, prepared)}
        with_rdflib = size in ("S", "M") and not ctx.args.no_rdflib
        forked = None
        if with_rdflib:
            eng = engines.RdflibEngine()
            eng.load(nquads)
            forked = engines.Forked(eng, prepared, ctx.args.rdflib_timeout)
            runners["rdflib"] = forked
        if ctx.args.smoke:
            policy = engines.Policy(budget_s=0.0, min_runs=1, max_runs=1, cap_s=1.0,
                                    timeout_s=ctx.args.rdflib_timeout)
        elif size == "L":
            policy = engines.Policy(budget_s=0.5, min_runs=3, max_runs=5, cap_s=4.0,
                                    timeout_s=ctx.args.rdflib_timeout)
        else:
            policy = engines.Policy(budget_s=0.3, min_runs=3, max_runs=10, cap_s=3.0,
                                    timeout_s=ctx.args.rdflib_timeout)
        log(f"queries {size}: {len(prepared)} named queries, engines {', '.join(runners)}")
        per_query = []
        for i, q in enumerate(prepared):
            res = engines.measure_interleaved(runners, i, policy)
            entry = {"query": q.name}
            for name, r in res.items():
                entry[name] = {k: r.get(k) for k in ("median_s", "min_s", "runs", "status")}
                if r.get("answer") is not None:
                    entry[name]["rows"] = len(r["answer"][1])
            c = res["citygraph"].get("median_s")
            entry["ratio_pyoxigraph"] = _ratio(c, res["pyoxigraph"].get("median_s"))
            entry["ratio_pyoxigraph_disk"] = _ratio(c, res["pyoxigraph-disk"].get("median_s"))
            if "rdflib" in res:
                rd = res["rdflib"]
                entry["rdflib_over_citygraph"] = (
                    _ratio(rd.get("median_s"), c) if rd.get("status") == "ok"
                    else f">= {round(ctx.args.rdflib_timeout / c, 1) if c else '?'} (timeout)")
            per_query.append(entry)
        if forked:
            forked.close()
        times = [e["citygraph"]["median_s"] for e in per_query if e["citygraph"]["median_s"]]
        rows.append({"size": size, "store_quads": len(graph.store), "queries": per_query,
                     "max_citygraph_ms": round(max(times) * 1000, 1) if times else None,
                     "slowest": max(per_query, key=lambda e: e["citygraph"]["median_s"] or 0)["query"],
                     "geomean_ratio_pyoxigraph": engines.geomean(
                         [e["ratio_pyoxigraph"] for e in per_query if e["ratio_pyoxigraph"]]),
                     "geomean_ratio_pyoxigraph_disk": engines.geomean(
                         [e["ratio_pyoxigraph_disk"] for e in per_query if e["ratio_pyoxigraph_disk"]])})
        log(f"  slowest through citygraph: {rows[-1]['slowest']} {rows[-1]['max_citygraph_ms']} ms")
        del graph, ref, disk, runners
    return {"rows": rows}


# ---------------------------------------------------------------------------------- start-up
def first_answers(port: int, proc: subprocess.Popen, started: float, limit: float = 300) -> dict:
    """``citygraph serve`` from process start: the first 200 on /healthz, the first answer to
    ``ASK {}`` on /sparql (asked as soon as /healthz answered; the server holds it until a
    worker and the app are up), and /healthz reporting every worker up."""
    base = f"http://127.0.0.1:{port}"
    out = {"healthz_s": wait_200(base + "/healthz", proc, started, limit)}
    with urllib.request.urlopen(base + "/sparql?query=ASK%7B%7D", timeout=limit) as reply:
        reply.read()
    out["query_s"] = time.perf_counter() - started
    while time.perf_counter() - started < limit:
        with urllib.request.urlopen(base + "/healthz", timeout=10) as reply:
            workers = json.loads(reply.read()).get("workers", {})
        if workers.get("starting", 0) == 0 and workers.get("alive", 0) >= workers.get("configured", 1):
            break
        time.sleep(0.02)
    out["all_workers_s"] = time.perf_counter() - started
    return out


def part_startup(ctx: Context) -> dict:
    size = "S" if ctx.args.smoke else "L"
    if size not in ctx.stores:
        raise RuntimeError(f"start-up needs the {size} store from the load part")
    env = {**ctx.stores[size]["env"], "CITYGRAPH_ACCESS_LOG": "false"}
    ox_exe = shutil.which("oxigraph", path=str(BIN)) or shutil.which("oxigraph")
    ours: list[dict] = []
    theirs: list[float] = []
    for i in range(1 if ctx.args.smoke else 3):
        for name in (("citygraph", "oxigraph") if i % 2 == 0 else ("oxigraph", "citygraph")):
            port = free_port()
            if name == "citygraph":
                cmd = [str(BIN / "citygraph"), "serve", "--host", "127.0.0.1", "--port", str(port)]
                e = env
            else:
                cmd = [ox_exe, "serve-read-only", "--location", ctx.stores[size]["ox_location"],
                       "--bind", f"127.0.0.1:{port}", "--union-default-graph"]
                e = None
            started = time.perf_counter()
            proc = subprocess.Popen(cmd, env=e, cwd=ROOT, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            try:
                if name == "citygraph":
                    ours.append(first_answers(port, proc, started))
                else:
                    theirs.append(wait_200(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", proc, started))
            finally:
                stop(proc)
    row = {"size": size, "citygraph_s": _median([r["healthz_s"] for r in ours]),
           "citygraph_query_s": _median([r["query_s"] for r in ours]),
           "citygraph_all_workers_s": _median([r["all_workers_s"] for r in ours]),
           "oxigraph_s": _median(theirs),
           "all": {"citygraph": [r["healthz_s"] for r in ours], "citygraph_runs": ours,
                   "oxigraph": theirs}}
    row["ratio"] = _ratio(row["citygraph_s"], row["oxigraph_s"])
    row["query_ratio"] = _ratio(row["citygraph_query_s"], row["oxigraph_s"])
    log(f"start-up {size}: citygraph /healthz {row['citygraph_s']:.2f} s, first query "
        f"{row['citygraph_query_s']:.2f} s, all workers {row['citygraph_all_workers_s']:.2f} s; "
        f"oxigraph {row['oxigraph_s']:.2f} s")
    return {"rows": [row]}


# ---------------------------------------------------------------------------------- sub-scripts
def script(ctx: Context, name: str, argv: list[str], timeout: float) -> dict:
    log(f"{name}: {' '.join(argv)}")
    proc = subprocess.run([sys.executable, str(HERE / argv[0]), *argv[1:]], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"{argv[0]} exited {proc.returncode}: {(proc.stderr or proc.stdout)[-600:]}")
    return {}


def part_validation(ctx: Context) -> dict:
    sizes = "curated,1e4" if ctx.args.smoke else ctx.args.validation_sizes
    if not ctx.args.smoke and not ctx.args.no_world and "world" not in sizes.split(","):
        sizes += ",world"  # the real layers: citygraph ~1 min, shacl-rust ~7 min
    out = ctx.out / "validation.json"
    script(ctx, "validation", ["validation.py", "--sizes", sizes, "--engines", "citygraph,shacl-rust",
                               "--limit", "240", "--out", str(out)], timeout=1500)
    data = json.loads(out.read_text())
    rows = []
    for run in data["runs"]:
        e = run["engines"]
        c, r = e.get("citygraph", {}), e.get("shacl-rust", {})
        rows.append({"size": run["size"], "triples": run["triples"], "citygraph_s": c.get("seconds"),
                     "shacl_rust_s": r.get("seconds"), "ratio": _ratio(c.get("seconds"), r.get("seconds")),
                     "same_violations": (r.get("compare") or {}).get("same"),
                     "only_citygraph": (r.get("compare") or {}).get("only_citygraph_total"),
                     "only_reference": (r.get("compare") or {}).get("only_reference_total"),
                     "note": r.get("skipped") or r.get("error") or c.get("skipped") or c.get("error")})
    return {"rows": rows, "file": out.name}


def part_analysis(ctx: Context) -> dict:
    sizes = ["10000"] if ctx.args.smoke else ctx.args.analysis_sizes.split(",")
    script(ctx, "analysis", ["analysis.py", "--sizes", *sizes, "--repeat", "1" if ctx.args.smoke else "3",
                             "--no-networkx", "--cache", str(ctx.args.cache / "analysis"),
                             "--out", str(ctx.out)], timeout=1500)
    data = json.loads((ctx.out / "analysis.json").read_text())
    rows = [{k: r.get(k) for k in ("quads", "citygraph_s", "igraph_s", "ratio", "extract_s", "cities")}
            for r in data]
    return {"rows": rows, "file": "analysis.json"}


def part_http(ctx: Context) -> dict:
    triples = "10000" if ctx.args.smoke else ctx.args.http_triples
    seconds = "1" if ctx.args.smoke else "4"
    argv = ["http_load.py", "--triples", triples, "--seconds", seconds, "--out", str(ctx.out)]
    if ctx.args.smoke:
        argv += ["--skip-rdflib"]
    script(ctx, "http", argv, timeout=900)
    data = json.loads((ctx.out / "http.json").read_text())
    return {"rows": [], "ratios": data.get("ratios"), "servers": data.get("servers"),
            "queries": list(data.get("queries", {})) if isinstance(data.get("queries"), dict)
            else data.get("queries"), "triples": data.get("triples"), "file": "http.json"}


RUNNERS = {"load": part_load, "queries": part_queries, "startup": part_startup,
           "validation": part_validation, "analysis": part_analysis, "http": part_http}


# ---------------------------------------------------------------------------------- summary
def _fmt(v, unit: str = "", digits: int = 2) -> str:
    if v is None:
        return "–"
    if isinstance(v, str):
        return v
    return f"{v:,.{digits}f}{unit}"


def targets(results: dict) -> list[dict]:
    """Each target: measured figure, met / not met / not measured, what would be needed."""
    out = []
    big = "L" if any(r["size"] == "L" for r in results.get("queries", {}).get("rows", [])) else "S"

    q = {r["size"]: r for r in results.get("queries", {}).get("rows", [])}.get(big)
    out.append({"target": f"every named query < 200 ms through citygraph ({big})",
                "figure": f"slowest {q['slowest']}: {q['max_citygraph_ms']} ms; geomean ratio to pyoxigraph "
                          f"in memory {_fmt(q['geomean_ratio_pyoxigraph'])}×, on the same disk store "
                          f"{_fmt(q['geomean_ratio_pyoxigraph_disk'])}×" if q else None,
                "met": (q["max_citygraph_ms"] < 200) if q else None,
                "needed": "rewrite the slowest queries (or precompute their aggregates in the derived graph)"})

    ld = {r["size"]: r for r in results.get("load", {}).get("rows", [])}.get(big)
    out.append({"target": f"load within 2× of `oxigraph load` ({big})",
                "figure": f"{_fmt(ld['citygraph_s'], ' s')} vs {_fmt(ld['oxigraph_s'], ' s')} = "
                          f"{_fmt(ld['time_ratio'])}×" if ld else None,
                "met": (ld["time_ratio"] <= 2) if ld and ld["time_ratio"] else None,
                "needed": "bulk-load the parsed input (Store.bulk_load of N-Triples) and derive with "
                          "SPARQL UPDATE inside the store instead of Python-side quad lists"})
    out.append({"target": f"peak memory < 2 GB at load ({big})",
                "figure": f"{_fmt(ld['citygraph_peak_mb'], ' MB', 0)} (oxigraph load "
                          f"{_fmt(ld['oxigraph_peak_mb'], ' MB', 0)})" if ld else None,
                "met": (ld["citygraph_peak_mb"] < 2048) if ld else None,
                "needed": "stream parsing into the store instead of holding every quad in a list"})

    h = results.get("http", {})
    ratios = h.get("ratios") or {}
    mod = ratios.get("partners-per-city") or {}
    vs_ox, vs_rdf = mod.get("citygraph_vs_oxigraph_rps"), mod.get("citygraph_vs_rdflib_endpoint_rps")
    if vs_rdf is None:
        vs_rdf = mod.get("citygraph_vs_rdflib_endpoint_latency_at_least")
    out.append({"target": "endpoint within 1.5× of `oxigraph serve` (moderate query"
                          + (f", {h['triples']:,} quads)" if h.get("triples") else ")"),
                "figure": f"citygraph/oxigraph req/s {_fmt(vs_ox)}" if vs_ox else None,
                "met": (vs_ox >= 1 / 1.5) if vs_ox else None,
                "needed": "cache answers per build, or serve straight from Oxigraph's own server"})
    out.append({"target": "endpoint ≥ 20× rdflib-endpoint (moderate query)",
                "figure": f"{_fmt(vs_rdf)}×" if vs_rdf else None,
                "met": (vs_rdf >= 20) if vs_rdf else None, "needed": "–"})

    vrows = results.get("validation", {}).get("rows", [])
    largest = max((r for r in vrows if r["size"] not in ("curated", "world") and r.get("ratio")),
                  key=lambda r: r["triples"], default=None)
    world = next((r for r in vrows if r["size"] == "world" and r.get("ratio")), None)
    out.append({"target": "validation within 3× of the reference engine (shacl-rust), same violations"
                          + (f" ({largest['size']}: {largest['triples']:,} triples)" if largest else ""),
                "figure": f"{_fmt(largest['citygraph_s'], ' s')} vs {_fmt(largest['shacl_rust_s'], ' s')} = "
                          f"{_fmt(largest['ratio'])}×; same: {largest['same_violations']}"
                          + (f"; real world graph ({world['triples']:,} triples, every layer): "
                             f"{_fmt(world['citygraph_s'], ' s')} vs {_fmt(world['shacl_rust_s'], ' s')} = "
                             f"{_fmt(world['ratio'])}×, same: {world['same_violations']}" if world else
                             "; the real world graph was not measured (--no-world)") if largest else None,
                "met": (largest["ratio"] <= 3 and bool(largest["same_violations"])
                        and (world is None or (world["ratio"] <= 3 and bool(world["same_violations"]))))
                       if largest else None,
                "needed": "run the core constraints in a Rust engine too (pySHACL dominates), and align "
                          "the differing results"})
    cur = next((r for r in vrows if r["size"] == "curated"), None)
    out.append({"target": "validation of the curated layer < 2 s",
                "figure": _fmt(cur["citygraph_s"], " s") if cur else None,
                "met": (cur["citygraph_s"] < 2) if cur and cur.get("citygraph_s") else None, "needed": "–"})

    arows = results.get("analysis", {}).get("rows", [])
    alarge = max((r for r in arows if r.get("ratio")), key=lambda r: r.get("quads") or 0, default=None)
    out.append({"target": f"analysis within 3× of igraph ({alarge['quads']:,} quads)" if alarge
                else "analysis within 3× of igraph",
                "figure": f"{_fmt(alarge['citygraph_s'], ' s')} vs {_fmt(alarge['igraph_s'], ' s')} = "
                          f"{_fmt(alarge['ratio'])}×" if alarge else None,
                "met": (alarge["ratio"] <= 3) if alarge else None,
                "needed": "projections and overlap in SciPy sparse throughout (the small-graph overhead)"})

    st = (results.get("startup", {}).get("rows") or [None])[0]
    out.append({"target": f"server ready < 2 s on a persisted {st['size'] if st else 'L'} store",
                "figure": f"first 200 on /healthz {_fmt(st['citygraph_s'], ' s')}"
                          + (f", first query answered {_fmt(st['citygraph_query_s'], ' s')}"
                             if st.get("citygraph_query_s") is not None else "")
                          + f" (oxigraph serve-read-only {_fmt(st['oxigraph_s'], ' s')})"
                if st else None,
                "met": (st["citygraph_s"] < 2) if st else None,
                "needed": "import less before listening (the CLI imports every command's modules) and "
                          "build the FastAPI routes faster (about 1 s of pydantic models at start-up)"})
    return out


def summary_md(results: dict, info: dict) -> str:
    m = info["machine"]
    v = m["versions"]
    lines = [
        "# Benchmark summary",
        "",
        f"Run of {info['date']} by `{info['command']}` in {info['total_s'] / 60:.1f} min"
        f"{'' if info.get('finished', True) else ' so far (still running or cut short)'}"
        f"{' (smoke mode: S only, 1 repetition)' if info['smoke'] else ''}.",
        "",
        f"**Machine:** {m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB RAM, {m['os']}; "
        f"Python {m['python']}; " + ", ".join(f"{k} {val}" for k, val in v.items() if val) + ".",
        f"Load average (1 min) at start {info['load_start'][0]:.1f}, at end {info['load_end'][0]:.1f} "
        "(a shared machine: the ratios, measured in the same run and interleaved, are what count).",
        "",
        "## Targets",
        "",
        "| target | figure | met | what would be needed |",
        "|---|---|---|---|",
    ]
    for t in results.get("_targets", []):
        met = {True: "met", False: "**not met**", None: "not measured"}[t["met"]]
        lines.append(f"| {t['target']} | {t['figure'] or '–'} | {met} | {'–' if t['met'] else t['needed']} |")
    if results.get("_crashed"):
        lines += ["", "Parts that crashed: " + ", ".join(f"`{k}` ({v})" for k, v in results["_crashed"].items())]

    if "load" in results:
        lines += ["", "## Load: `citygraph build` vs `oxigraph load` (child processes, peak RSS)", "",
                  "| world | input triples | store quads | runs | citygraph s | oxigraph load s | ratio | "
                  "citygraph peak MB | oxigraph peak MB |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in results["load"]["rows"]:
            lines.append(f"| {r['size']} | {_fmt(r['input_quads'], '', 0)} | {_fmt(r['store_quads'], '', 0)} | "
                         f"{r['runs']} | {_fmt(r['citygraph_s'])} | {_fmt(r['oxigraph_s'])} | {_fmt(r['time_ratio'])}× | "
                         f"{_fmt(r['citygraph_peak_mb'], '', 0)} | {_fmt(r['oxigraph_peak_mb'], '', 0)} |")
    if "queries" in results:
        lines += ["", "## Named queries through citygraph (`CityGraph.query` on the persisted store)", "",
                  "Median ms; ×mem: ratio to the same query on pyoxigraph with the same quads in memory; "
                  "×disk: to pyoxigraph on the same on-disk build; rdflib÷cg: rdflib's own engine "
                  "(S and M only; a timeout gives a lower bound).", ""]
        rows = results["queries"]["rows"]
        for r in rows:
            lines.append(f"- {r['size']} ({r['store_quads']:,} quads): geometric mean ×mem "
                         f"{_fmt(r['geomean_ratio_pyoxigraph'])}, ×disk {_fmt(r['geomean_ratio_pyoxigraph_disk'])}; "
                         f"slowest {r['slowest']} {r['max_citygraph_ms']} ms")
        lines.append("")
        head = "| query | " + " | ".join(f"{r['size']} ms | ×mem | ×disk | rdflib÷cg"
                                          if r["queries"] and "rdflib" in r["queries"][0]
                                          else f"{r['size']} ms | ×mem | ×disk" for r in rows) + " |"
        lines += [head, "|---|" + "|".join("---:" for _ in range(head.count("|") - 2)) + "|"]
        names = [e["query"] for e in rows[0]["queries"]] if rows else []
        for i, name in enumerate(names):
            cells = []
            for r in rows:
                e = r["queries"][i]
                ms = e["citygraph"]["median_s"]
                cells += [_fmt(ms * 1000 if ms else None, "", 1), _fmt(e["ratio_pyoxigraph"]),
                          _fmt(e.get("ratio_pyoxigraph_disk"))]
                if "rdflib" in e:
                    rr = e.get("rdflib_over_citygraph")
                    cells.append(rr if isinstance(rr, str) else _fmt(rr, "", 0))
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    if "startup" in results:
        for r in results["startup"]["rows"]:
            lines += ["", f"## Server start-up ({r['size']} store): first 200 on /healthz "
                      f"{_fmt(r['citygraph_s'], ' s')} (runs: {', '.join(f'{x:.2f}' for x in r['all']['citygraph'])}); "
                      f"`oxigraph serve-read-only` first answer {_fmt(r['oxigraph_s'], ' s')}; ratio {_fmt(r['ratio'])}×."]
            if r.get("citygraph_query_s") is not None:
                lines += ["", f"First answer to a query (`ASK {{}}` on /sparql) {_fmt(r['citygraph_query_s'], ' s')} "
                          f"(ratio {_fmt(r.get('query_ratio'))}×); every query worker up "
                          f"{_fmt(r.get('citygraph_all_workers_s'), ' s')} (medians; each worker then copies "
                          "the build into memory in the background)."]
    if "validation" in results:
        lines += ["", "## Validation: citygraph vs shacl-rust (`validation.md` has the details)", "",
                  "| data | triples | citygraph s | shacl-rust s | ratio | same results | note |",
                  "|---|---:|---:|---:|---:|---|---|"]
        for r in results["validation"]["rows"]:
            lines.append(f"| {r['size']} | {_fmt(r['triples'], '', 0)} | {_fmt(r['citygraph_s'])} | "
                         f"{_fmt(r['shacl_rust_s'])} | {_fmt(r['ratio'])}× | {r['same_violations']} "
                         f"(only citygraph {r['only_citygraph']}, only reference {r['only_reference']}) | {r['note'] or ''} |")
    if "analysis" in results:
        lines += ["", "## Analysis: citygraph vs igraph (`analysis.md` has every step)", "",
                  "| quads | cities | citygraph s | igraph s | ratio |", "|---:|---:|---:|---:|---:|"]
        for r in results["analysis"]["rows"]:
            lines.append(f"| {_fmt(r['quads'], '', 0)} | {_fmt(r['cities'], '', 0)} | {_fmt(r['citygraph_s'])} | "
                         f"{_fmt(r['igraph_s'])} | {_fmt(r['ratio'])}× |")
    if "http" in results:
        lines += ["", f"## HTTP endpoint ({results['http'].get('triples')} quads; `http.md` has req/s, p50, p99)", ""]
        for qname, rr in (results["http"].get("ratios") or {}).items():
            lines.append(f"- {qname}: " + ", ".join(f"{k} {v}" for k, v in rr.items()))
    lines += ["", "Each part's figures are in its own JSON beside this file (`run.json` holds the rows above)."]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------- main
def resummarise(out: Path) -> None:
    """Rewrite ``out/SUMMARY.md`` from ``out/run.json`` (after a change to this file's tables)."""
    data = json.loads((out / "run.json").read_text())
    results = data.pop("results")
    results["_targets"] = targets(results)
    (out / "SUMMARY.md").write_text(summary_md(results, data))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="S only, one repetition (the test)")
    parser.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated, of {', '.join(PARTS)}")
    parser.add_argument("--xl", action="store_true", help="add XL (10^7 quads): hours, not in the default run")
    parser.add_argument("--no-world", action="store_true", help="skip the real world graph")
    parser.add_argument("--sizes", default="", help="only these synthetic sizes (e.g. L for the "
                                                    "start-up part alone); default S,M,L")
    parser.add_argument("--no-rdflib", action="store_true", help="skip rdflib in the query part")
    parser.add_argument("--rdflib-timeout", type=float, default=5.0)
    parser.add_argument("--validation-sizes", default="curated,1e4,1e5",
                        help="bench/validation.py sizes (1e6 takes many minutes with pySHACL)")
    parser.add_argument("--analysis-sizes", default="10000,100000",
                        help="bench/analysis.py sizes (1000000 adds a build of several minutes)")
    parser.add_argument("--http-triples", default="100000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=generate.CACHE)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s) {sorted(unknown)}")
    if ("queries" in parts or "startup" in parts) and "load" not in parts:
        parts.insert(0, "load")

    started = time.perf_counter()
    info = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "command": "python bench/run.py " + " ".join(argv if argv is not None else sys.argv[1:]),
            "smoke": args.smoke, "load_start": os.getloadavg(), "machine": machine()}
    ctx = Context(args)
    results: dict = {}
    crashed: dict = {}
    def write_summary(final: bool) -> None:
        info["total_s"] = round(time.perf_counter() - started, 1)
        info["load_end"] = os.getloadavg()
        info["finished"] = final
        results["_crashed"] = crashed
        results["_targets"] = targets(results)
        (args.out / "run.json").write_text(json.dumps({**info, "results": results}, indent=2, default=str))
        (args.out / "SUMMARY.md").write_text(summary_md(results, info))

    try:
        for size in ctx.sizes:
            ctx.world(size)
        for part in [p for p in PARTS if p in parts]:
            t0 = time.perf_counter()
            try:
                results[part] = RUNNERS[part](ctx)
                results[part]["seconds"] = round(time.perf_counter() - t0, 1)
                if part in ("load", "queries", "startup"):
                    (args.out / f"{part}.json").write_text(json.dumps(
                        {**info, "part": part, **results[part]}, indent=2, default=str))
            except Exception as exc:  # a crashed part is recorded; the others still run
                traceback.print_exc()
                crashed[part] = f"{type(exc).__name__}: {str(exc)[:300]}"
                log(f"{part} crashed: {crashed[part]}")
            write_summary(final=False)  # a run cut short still leaves what it measured
    finally:
        shutil.rmtree(ctx.work, ignore_errors=True)
    write_summary(final=True)
    log(f"done in {info['total_s'] / 60:.1f} min; summary: {args.out / 'SUMMARY.md'}")
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
