"""HTTP load benchmark of the SPARQL endpoint, against `oxigraph serve` and rdflib-endpoint.

Loopback only, bounded in requests and time, stops by itself. One synthetic world
(``bench/synthetic.py``, default 10^5 quads) is built with ``CityGraph.build`` and dumped as
N-Quads; the same quads are served by

* ``citygraph serve`` (this project: FastAPI + uvicorn, queries in worker processes that copy
  the build into memory; and again with ``CITYGRAPH_SPARQL_MEMORY=false``, reading RocksDB),
* ``oxigraph serve-read-only --union-default-graph`` (PyPI ``oxigraph``: the reference),
* rdflib-endpoint over an rdflib ``Dataset(default_union=True)`` (the Python peer), if installed.

For each query a pool of client threads with keep-alive connections sends GET requests for a
fixed time (or a fixed number of requests); the figures are requests/s and the median and 99th
percentile latency, with ratios to the reference measured in the same run. The client is
Python: on the cheap query it, not the fastest server, may be the limit (said in the report).

    python bench/http_load.py [--triples 100000] [--seconds 5] [--concurrency 8] [--skip-rdflib]

Writes ``bench/results/http.json`` and ``bench/results/http.md``.
"""

from __future__ import annotations

import os.path
import sys

# keep bench/ off the import path (this file was bench/http.py, which shadowed `http`)
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))]

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import urllib.parse  # noqa: E402
from datetime import datetime, timezone  # noqa: E402
from pathlib import Path  # noqa: E402

import pyoxigraph as ox  # noqa: E402

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS_DIR = BENCH / "results"
sys.path.append(str(BENCH))  # for synthetic.py

PROLOGUE = """PREFIX cg: <https://w3id.org/citygraph/ontology#>
PREFIX city: <https://w3id.org/citygraph/id/city/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""

#: name -> (kind, SPARQL); the targets apply to the moderate query
QUERIES = {
    "lookup": ("cheap", PROLOGUE + "SELECT ?p ?o WHERE { city:tallinn ?p ?o }"),
    "active-partners": ("moderate", PROLOGUE + """SELECT ?partner ?label ?quote WHERE {
  VALUES (?city ?date) { (city:helsinki "2019-06-01"^^xsd:date) }
  ?partnership a cg:Partnership ; cg:party ?city, ?partner ; cg:activeFrom ?from .
  FILTER(?partner != ?city && ?from <= ?date)
  OPTIONAL { ?partnership cg:activeUntil ?until }
  FILTER(!BOUND(?until) || ?date < ?until)
  ?partnership cg:attestation/cg:quote ?quote .
  ?partner skos:prefLabel ?label FILTER(lang(?label) = "en")
} ORDER BY ?label ?quote"""),
    "partners-per-city": ("moderate", PROLOGUE + """SELECT ?city (COUNT(DISTINCT ?p) AS ?partners) WHERE {
  ?p a cg:Partnership ; cg:party ?city .
  ?city a cg:City .
} GROUP BY ?city ORDER BY DESC(?partners) ?city LIMIT 20"""),
}
TARGET_QUERY = "partners-per-city"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(port: int, process: subprocess.Popen, path: str, limit: float = 600) -> None:
    deadline = time.monotonic() + limit
    query = urllib.parse.urlencode({"query": "ASK {}"})
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", f"{path}?{query}", headers={"Accept": "application/sparql-results+json"})
            if conn.getresponse().status == 200:
                conn.close()
                if path == "/sparql" and not _workers_settled(port):
                    time.sleep(0.3)
                    continue
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("server did not become ready")


def _workers_settled(port: int) -> bool:
    """citygraph: every worker up and, when they copy the build into memory, done copying
    (``/healthz``), so the load measures the steady state, not the start-up."""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/healthz")
        workers = json.loads(conn.getresponse().read()).get("workers", {})
        conn.close()
    except (OSError, ValueError):
        return False
    if workers.get("starting") or workers.get("alive", 0) < workers.get("configured", 1):
        return False
    return not workers.get("memory") or workers.get("in_memory", 0) >= workers.get("configured", 1)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def load(port: int, path: str, query: str, seconds: float, concurrency: int,
         max_requests: int, timeout: float) -> dict:
    """Keep-alive GETs from ``concurrency`` threads for ``seconds`` (or ``max_requests``)."""
    target = f"{path}?{urllib.parse.urlencode({'query': query})}"
    headers = {"Accept": "application/sparql-results+json"}
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    count = [0]
    deadline = time.monotonic() + seconds

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        while time.monotonic() < deadline:
            with lock:
                if count[0] >= max_requests:
                    break
                count[0] += 1
            start = time.perf_counter()
            try:
                conn.request("GET", target, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException) as exc:
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
                status = type(exc).__name__
            else:
                status = str(response.status)
            elapsed = time.perf_counter() - start
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    errors.append(status)
        conn.close()

    began = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    latencies.sort()

    def pct(p: float) -> float | None:
        if not latencies:
            return None
        return latencies[min(len(latencies) - 1, int(round(p * (len(latencies) - 1))))] * 1000

    return {"requests": len(latencies), "errors": len(errors), "error_kinds": sorted(set(errors)),
            "seconds": round(wall, 2), "rps": round(len(latencies) / wall, 1) if wall else 0,
            "p50_ms": round(pct(0.5), 2) if latencies else None,
            "p99_ms": round(pct(0.99), 2) if latencies else None,
            "mean_ms": round(statistics.fmean(latencies) * 1000, 2) if latencies else None}


def build_world(work: Path, triples: int) -> tuple[dict, Path]:
    from synthetic import generate  # noqa: PLC0415 - bench/ sibling

    from citygraph.config import Settings  # noqa: PLC0415
    from citygraph.graph import CityGraph  # noqa: PLC0415

    data = work / "data"
    generate(data, triples=triples, seed=1)
    env = {"CITYGRAPH_HOME": str(REPO), "CITYGRAPH_DATA_DIR": str(data),
           "CITYGRAPH_STORE_DIR": str(work / "store"), "CITYGRAPH_ONTOLOGY": str(REPO / "ontology" / "citygraph.ttl")}
    settings = Settings.from_env(env)
    graph = CityGraph.build(settings, notify=None)
    nquads = work / "world.nq"
    graph.store.dump(str(nquads), format=ox.RdfFormat.N_QUADS)
    return env, nquads


RDFLIB_SERVER = """
import sys, uvicorn
from rdflib import Dataset
from rdflib_endpoint import SparqlEndpoint
ds = Dataset(default_union=True)
ds.parse(sys.argv[1], format="nquads")
app = SparqlEndpoint(graph=ds)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning", access_log=False)
"""


def servers(work: Path, env: dict, nquads: Path, skip_rdflib: bool) -> list[tuple[str, list[str], dict, str]]:
    """(name, command, environment, SPARQL path) per server; the command takes {port}."""
    bin_dir = Path(sys.executable).parent
    serve = [sys.executable, "-m", "citygraph.cli", "serve", "--port", "{port}"]
    out = [("citygraph", serve, {**os.environ, **env}, "/sparql"),
           ("citygraph (on disk)", serve, {**os.environ, **env, "CITYGRAPH_SPARQL_MEMORY": "false"},
            "/sparql")]
    oxigraph = shutil.which("oxigraph", path=str(bin_dir)) or shutil.which("oxigraph")
    if oxigraph:
        location = work / "oxigraph"
        subprocess.run([oxigraph, "load", "--location", str(location), "--file", str(nquads)],
                       check=True, capture_output=True)
        out.append(("oxigraph serve", [oxigraph, "serve-read-only", "--location", str(location),
                                       "--bind", "127.0.0.1:{port}", "--union-default-graph"],
                    dict(os.environ), "/query"))
    else:
        print("oxigraph CLI not installed (pip install oxigraph): no reference figures", file=sys.stderr)
    if not skip_rdflib:
        try:
            import rdflib_endpoint  # noqa: F401, PLC0415
        except ImportError:
            print("rdflib-endpoint not installed: skipped", file=sys.stderr)
        else:
            out.append(("rdflib-endpoint", [sys.executable, "-c", RDFLIB_SERVER, str(nquads), "{port}"],
                        dict(os.environ), "/"))
    return out


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu_model": cpu, "cpu_count": os.cpu_count(), "python": platform.python_version()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=5.0, help="per server and query")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--max-requests", type=int, default=50_000)
    parser.add_argument("--skip-rdflib", action="store_true")
    parser.add_argument("--only", help="comma-separated server names (citygraph, oxigraph serve, rdflib-endpoint)")
    parser.add_argument("--out", type=Path, help=f"results directory (default {RESULTS_DIR})")
    parser.add_argument("--slow-limit", type=float, default=60.0,
                        help="seconds rdflib-endpoint may take per request")
    args = parser.parse_args(argv)
    results: dict = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                     "argv": argv if argv is not None else sys.argv[1:], "machine": machine(),
                     "triples": args.triples, "concurrency": args.concurrency,
                     "seconds": args.seconds, "queries": {k: v[0] for k, v in QUERIES.items()},
                     "servers": {}}
    with tempfile.TemporaryDirectory(prefix="citygraph-bench-http-") as tmp:
        work = Path(tmp)
        print(f"building a synthetic world of ~{args.triples} quads…", file=sys.stderr)
        env, nquads = build_world(work, args.triples)
        for name, command, server_env, path in servers(work, env, nquads, args.skip_rdflib):
            if args.only and name not in args.only.split(","):
                continue
            slow = name == "rdflib-endpoint"
            figures: dict = {}
            process = None
            try:
                for qname, (_kind, query) in QUERIES.items():
                    if process is None:
                        port = free_port()
                        cmd = [part.replace("{port}", str(port)) for part in command]
                        process = subprocess.Popen(cmd, env=server_env, stdout=subprocess.DEVNULL,
                                                   stderr=subprocess.DEVNULL, cwd=work)
                        print(f"{name}: starting on 127.0.0.1:{port}", file=sys.stderr)
                        wait_ready(port, process, path)
                    if slow:  # one client, few requests, a per-request limit: it blocks its loop
                        f = load(port, path, query, args.seconds * 2, 1, 20, args.slow_limit)
                    else:
                        load(port, path, query, 0.5, 2, 20, 120)  # warm-up
                        f = load(port, path, query, args.seconds, args.concurrency,
                                 args.max_requests, 120)
                    if slow and f["errors"]:
                        # still busy with the query the client gave up on: start afresh
                        f["note"] = f"no answer within {args.slow_limit:g} s"
                        stop(process)
                        process = None
                    figures[qname] = f
                    print(f"  {qname:18} {f['rps']:9.1f} req/s  p50 {f['p50_ms']} ms  "
                          f"p99 {f['p99_ms']} ms  ({f['requests']} ok, {f['errors']} errors)",
                          file=sys.stderr)
                results["servers"][name] = figures
            except RuntimeError as exc:
                print(f"{name}: {exc}", file=sys.stderr)
            finally:
                if process is not None:
                    stop(process)
    ref = results["servers"].get("oxigraph serve")
    ours = results["servers"].get("citygraph")
    peer = results["servers"].get("rdflib-endpoint")
    ratios = {}
    for qname in QUERIES:
        row = {}
        if ours and ref and ref[qname]["rps"]:
            row["citygraph_vs_oxigraph_rps"] = round(ours[qname]["rps"] / ref[qname]["rps"], 3)
        if ours and peer and peer[qname]["rps"]:
            row["citygraph_vs_rdflib_endpoint_rps"] = round(ours[qname]["rps"] / peer[qname]["rps"], 1)
        elif ours and peer and ours[qname]["p50_ms"]:
            # no answer within the limit: at least limit / our median latency times faster
            row["citygraph_vs_rdflib_endpoint_latency_at_least"] = round(
                args.slow_limit * 1000 / ours[qname]["p50_ms"], 0)
        ratios[qname] = row
    results["ratios"] = ratios
    out = args.out or RESULTS_DIR
    out.mkdir(parents=True, exist_ok=True)
    (out / "http.json").write_text(json.dumps(results, indent=2) + "\n")
    write_markdown(results, out / "http.md")
    print((out / "http.md").read_text())
    return 0


def write_markdown(results: dict, path: Path) -> None:
    m = results["machine"]
    lines = [
        "# HTTP: SPARQL endpoint under load",
        "",
        f"Generated by `python bench/http_load.py{' ' + ' '.join(results['argv']) if results['argv'] else ''}`"
        f" on {results['date']} ({m['cpu_model'] or 'unknown CPU'}, {m['cpu_count']} cores, Python {m['python']}).",
        f"Synthetic world of ~{results['triples']} quads; {results['concurrency']} keep-alive client threads"
        f" (Python) per run, {results['seconds']:g} s per server and query (rdflib-endpoint: twice as long,"
        " one client, at most 20 requests, each within the slow limit); loopback only.",
        "",
        "| query | server | req/s | p50 ms | p99 ms | ok | errors |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for qname in results["queries"]:
        for server, figures in results["servers"].items():
            f = figures[qname]
            lines.append(f"| {qname} ({results['queries'][qname]}) | {server} | {f['rps']} | {f['p50_ms']} |"
                         f" {f['p99_ms']} | {f['requests']} | {f['errors']} {f.get('note', '')} |")
    lines += ["", "Ratios (requests/s): citygraph ÷ oxigraph serve (target ≥ 0.67 on the moderate "
              f"query `{TARGET_QUERY}`), citygraph ÷ rdflib-endpoint (target ≥ 20).", ""]
    for qname, row in results["ratios"].items():
        lines.append(f"- {qname}: " + (", ".join(f"{k} {v}" for k, v in row.items()) or "n/a"))
    lines += ["", "On the cheap lookup the Python client and Python's HTTP stack bound the figures;"
              " the moderate queries are bound by the servers."]
    path.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
