"""Validation speed: citygraph's validator against pySHACL alone and against Rust SHACL engines.

For the curated layer (data/) and synthetic worlds of 10^4, 10^5 and 10^6 triples
(bench/validation_world.py, with known injected errors) this measures, each in its own
process with a time limit:

* ``citygraph``   -- ``citygraph.validate``: core constraints compiled to SPARQL
                    (``citygraph.shacl_compile``) and SHACL-SPARQL constraints, each run once on
                    Oxigraph (what ``citygraph validate`` runs);
* ``citygraph-split`` -- ``engine="split"``: core constraints in pySHACL, SHACL-SPARQL ones on
                    Oxigraph (the way before the compiler, the same-run baseline); skipped above
                    ``--split-max`` triples;
* ``pyshacl-all`` -- the same shapes all in pySHACL (the "before": SPARQL constraints per focus
                    node); skipped above ``--pyshacl-all-max`` triples;
* ``shacl-rust``  -- the reference: the shacl-rust package on the same shapes and data;
* ``pyrudof``     -- rudof on the core shapes only (it cannot run SPARQL constraints whose
                    focus nodes are blank nodes, as attestations are).

and compares what each found with citygraph's results (focus node, path, severity,
constraint component; blank focus nodes compared by count). Results go to
``bench/results/validation.json`` and ``bench/results/validation.md``. Not part of
``make test``; run ``python bench/validation.py`` (``--sizes curated,1e4`` for a quick look).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHAPES = REPO / "shapes" / "citygraph.ttl"
ONTOLOGY = REPO / "ontology" / "citygraph.ttl"
RESULTS = REPO / "bench" / "results"
SH = "http://www.w3.org/ns/shacl#"
ENGINES = ("citygraph", "citygraph-split", "pyshacl-all", "shacl-rust", "pyrudof")
#: checks citygraph runs outside SHACL (no other engine has them)
BUILTIN = {"shape:KnownClass"}

# Running this file puts bench/ first on sys.path, where a module may shadow the standard
# library (bench/http.py does): take it off and load the generator by its path instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]


def _world_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("validation_world", REPO / "bench" / "validation_world.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["validation_world"] = module
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------------------------- keys
def _strip(term: object) -> str | None:
    if term is None:
        return None
    text = str(term).strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    if text.startswith("_:") or text.startswith("[") or text.lower().startswith("blank"):
        return "_:"
    return text


def _local(iri: object) -> str:
    text = _strip(iri) or ""
    return text.rsplit("#", 1)[-1].rsplit(":", 1)[-1]


def key(focus: object, path: object, severity: object, component: object) -> tuple:
    """What two engines must agree on for one result."""
    p = _strip(path)
    if p is not None and not p.startswith("http"):
        p = "(complex path)"
    return (_strip(focus), p, _local(severity).lower(), _local(component))


# ---------------------------------------------------------------------------------- workers
def run_citygraph(files: list[str], engine: str, store: str | None = None) -> list[tuple]:
    from citygraph.config import Settings
    from citygraph.validate import validate

    if store:  # the real world graph: curated data and every layer imported into ``store``
        settings = Settings.for_home(REPO, store_dir=Path(store))
        report = validate(settings=settings, engine=engine, layers=["curated", "all"])
    else:
        report = validate(files, settings=Settings.for_home(REPO), engine=engine)
    out = []
    for r in report.results:
        if r.shape in BUILTIN:
            continue
        focus = r.node if r.node.startswith("http") else "_:"  # layers' attestations are IRIs
        out.append(key(focus, r.path, r.severity, r.constraint or "") + (r.engine, r.entity))
    return out


def run_shacl_rust(nt: str, shapes: str) -> list[tuple]:
    import shacl_rust

    report = shacl_rust.validate_file(nt, shapes)
    return [key(r.get("focusNode"), r.get("resultPath"), r.get("severity"),
                r.get("sourceConstraintComponent")) for r in report["results"]]


def run_pyrudof(nt: str, shapes: str) -> list[tuple]:
    import pyrudof

    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_data(nt, format=pyrudof.RDFFormat.NTriples)
    rudof.read_shacl(shapes)
    report = rudof.validate_shacl()
    return [key(v.focus_node, v.path, v.severity, v.constraint_component) for v in report.violations]


def worker(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    if args.worker == "citygraph":
        keys = run_citygraph(args.files, "compiled", args.store)
    elif args.worker == "citygraph-split":
        keys = run_citygraph(args.files, "split", args.store)
    elif args.worker == "pyshacl-all":
        keys = run_citygraph(args.files, "pyshacl", args.store)
    elif args.worker == "shacl-rust":
        keys = run_shacl_rust(args.nt, args.shapes)
    elif args.worker == "pyrudof":
        keys = run_pyrudof(args.nt, args.shapes)
    else:
        raise SystemExit(f"unknown worker {args.worker}")
    seconds = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    Path(args.result).write_text(json.dumps({"seconds": seconds, "max_rss_mb": round(rss),
                                             "keys": keys}), encoding="utf-8")
    return 0


def spawn(engine: str, files: list[Path], nt: Path, shapes: Path, limit: float,
          store: Path | None = None) -> dict:
    """Run one engine in a child process; ``{"seconds", "max_rss_mb", "keys"}`` or a skip."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        result = Path(handle.name)
    cmd = [sys.executable, __file__, "--worker", engine, "--result", str(result),
           "--nt", str(nt), "--shapes", str(shapes), *(["--store", str(store)] if store else []),
           "--files", *map(str, files)]
    wall = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=limit)
    except subprocess.TimeoutExpired:
        return {"skipped": f"did not finish in {limit:.0f} s"}
    finally:
        wall = time.perf_counter() - wall
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        return {"error": tail[0][:300]}
    data = json.loads(result.read_text(encoding="utf-8"))
    data["keys"] = [tuple(k) for k in data["keys"]]
    result.unlink()
    data["process_seconds"] = round(wall, 2)
    return data


# ---------------------------------------------------------------------------------- comparison
def compare(mine: list[tuple], theirs: list[tuple]) -> dict:
    a = Counter(k[:4] for k in mine)
    b = Counter(k[:4] for k in theirs)
    only_mine, only_theirs = a - b, b - a
    return {
        "same": not only_mine and not only_theirs,
        "only_citygraph": [list(k) + [n] for k, n in sorted(only_mine.items(), key=str)[:20]],
        "only_reference": [list(k) + [n] for k, n in sorted(only_theirs.items(), key=str)[:20]],
        "only_citygraph_total": sum(only_mine.values()),
        "only_reference_total": sum(only_theirs.values()),
    }


def summary(found: list[tuple]) -> dict:
    counts = Counter(k[2] for k in found)
    return {s: counts.get(s, 0) for s in ("violation", "warning", "info")}


# ---------------------------------------------------------------------------------- driver
def prepare(size: str, workdir: Path) -> tuple[list[Path], Path, int, list]:
    """Data files, one N-Triples file (data + ontology) for the references, triple count."""
    import pyoxigraph as ox

    if size == "curated":
        files = sorted((REPO / "data").glob("*.ttl"))
        injected: list = []
    else:
        validation_world = _world_module()
        path = workdir / f"world-{size}.ttl"
        injected = validation_world.write(path, int(float(size)))
        files = [path]
    nt = workdir / f"{size}.nt"
    count = 0
    with nt.open("wb") as out:
        for path in [*files, ONTOLOGY]:
            triples = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
            if path != ONTOLOGY:
                count += len(triples)
            ox.serialize(triples, out, ox.RdfFormat.N_TRIPLES)
    return files, nt, count, injected


def prepare_world(workdir: Path) -> tuple[Path, Path, Path, int, set[str]]:
    """The real world graph (bench/generate.py imports every layer once into the cache): its
    store, one N-Triples file of ontology + curated data + every layer for the reference, the
    composed layer shapes (layers.ttl + citygraph.ttl minus its targets), the triple count, and
    the IRIs the layers state something about (results are kept for those, as citygraph does)."""
    import importlib.util

    import pyoxigraph as ox

    from citygraph.config import Settings
    from citygraph.validate import layer_shapes

    spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench" / "generate.py")
    generate = importlib.util.module_from_spec(spec)
    sys.modules["bench_generate"] = generate
    spec.loader.exec_module(generate)
    here = (REPO / "bench").resolve()  # generate.py puts bench/ on sys.path; bench/http.py shadows http
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    meta = generate.world_graph(log=lambda m: print(m, file=sys.stderr, flush=True))
    store = Path(meta["store_dir"])
    nt = workdir / "world.nt"
    stated: set[str] = set()
    count = 0
    with nt.open("wb") as out:
        for path in meta["nq"]:
            fmt = ox.RdfFormat.N_TRIPLES if path.endswith(".nt") else ox.RdfFormat.N_QUADS
            quads = list(ox.parse(path=path, format=fmt))
            triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
            if fmt is ox.RdfFormat.N_QUADS:
                stated.update(q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode))
            count += len(triples)
            ox.serialize(triples, out, ox.RdfFormat.N_TRIPLES)
    shapes = workdir / "layer-shapes.ttl"
    layer_shapes(Settings.for_home(REPO)).serialize(shapes, format="turtle")
    return store, nt, shapes, count, stated


def core_shapes(workdir: Path) -> Path:
    """The shapes without their SPARQL constraints, for engines that cannot run them."""
    import rdflib

    graph = rdflib.Graph().parse(SHAPES)
    sparql = rdflib.URIRef(SH + "sparql")
    for triple in list(graph.triples((None, sparql, None))):
        graph.remove(triple)
    path = workdir / "core-shapes.ttl"
    graph.serialize(path, format="turtle")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="curated,1e4,1e5,1e6,world",
                        help="curated, synthetic sizes (1e4 …) and world (the real layers)")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--limit", type=float, default=900, help="seconds per run before it is skipped")
    parser.add_argument("--pyshacl-all-max", type=float, default=2e4,
                        help="largest size (triples) to run pyshacl-all on")
    parser.add_argument("--split-max", type=float, default=2e5,
                        help="largest size (triples) to run citygraph-split on (about 10 min at 10^6)")
    parser.add_argument("--pyrudof-max", type=float, default=2e5,
                        help="largest size (triples) to run pyrudof on (it used 10 GB at 10^6)")
    parser.add_argument("--out", type=Path, default=RESULTS / "validation.json")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    parser.add_argument("--nt", help=argparse.SUPPRESS)
    parser.add_argument("--shapes", help=argparse.SUPPRESS)
    parser.add_argument("--files", nargs="*", help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args)

    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    runs = []
    with tempfile.TemporaryDirectory(prefix="citygraph-bench-") as tmp:
        workdir = Path(tmp)
        core = core_shapes(workdir)
        for size in [s.strip() for s in args.sizes.split(",") if s.strip()]:
            store = stated = None
            if size == "world":
                store, nt, world_shapes, triples, stated = prepare_world(workdir)
                files, injected = [], []
            else:
                files, nt, triples, injected = prepare(size, workdir)
            print(f"{size}: {triples} triples", file=sys.stderr, flush=True)
            row: dict = {"size": size, "triples": triples, "injected_errors": len(injected), "engines": {}}
            if size == "world":
                row["note"] = ("the real world graph: curated data (citygraph.ttl) and every imported "
                               "layer (layers.ttl); shacl-rust runs the composed layer shapes on the "
                               "merged graph, and its results are kept for what the layers state, as "
                               "citygraph does")
            scale = 0.0 if size == "curated" else float(triples)
            for engine in engines:
                if engine == "pyshacl-all" and scale > args.pyshacl_all_max:
                    row["engines"][engine] = {"skipped": f"above --pyshacl-all-max {args.pyshacl_all_max:.0f}"}
                    continue
                if engine == "citygraph-split" and scale > args.split_max:
                    row["engines"][engine] = {"skipped": f"above --split-max {args.split_max:.0f}"}
                    continue
                if engine == "pyrudof" and (scale > args.pyrudof_max or size == "world"):
                    row["engines"][engine] = {"skipped": f"above --pyrudof-max {args.pyrudof_max:.0f}"}
                    continue
                shapes = core if engine == "pyrudof" else world_shapes if size == "world" else SHAPES
                data = spawn(engine, files, nt, shapes, args.limit, store)
                if stated is not None and engine != "citygraph" and "keys" in data:
                    data["keys"] = [k for k in data["keys"] if k[0] in stated]
                row["engines"][engine] = data
                shown = data.get("seconds")
                print(f"  {engine}: " + (f"{shown:.2f} s" if shown is not None else
                                         str(data.get("skipped") or data.get("error"))),
                      file=sys.stderr, flush=True)
            mine = row["engines"].get("citygraph", {}).get("keys")
            if mine is not None:
                if injected:
                    from citygraph.namespaces import expand

                    reported = {(k[5], k[1]) for k in mine if k[2] == "violation"}
                    row["injected_found"] = sum(
                        1 for i in injected if (i.entity, expand(i.property)) in reported)
                for engine, data in row["engines"].items():
                    if engine == "citygraph" or "keys" not in data:
                        continue
                    reference = mine if engine != "pyrudof" else [  # rudof runs the core shapes only
                        k for k in mine if k[3] != "SPARQLConstraintComponent"]
                    data["compare"] = compare(reference, data["keys"])
            for engine, data in row["engines"].items():
                if "keys" in data:
                    data["found"] = summary(data.pop("keys"))
            ours = row["engines"].get("citygraph", {}).get("seconds")
            for engine, data in row["engines"].items():
                if engine != "citygraph" and ours and data.get("seconds"):
                    data["citygraph_over_this"] = round(ours / data["seconds"], 2)
            runs.append(row)
            _write(args.out, runs)  # after each size, so a stopped run keeps what it measured
    result = _write(args.out, runs)
    print(markdown(result))
    return 0


def _write(out: Path, runs: list[dict]) -> dict:
    result = {
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count(), "load_average_at_end": os.getloadavg()},
        "versions": _versions(),
        "runs": runs,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    out.with_suffix(".md").write_text(markdown(result), encoding="utf-8")
    return result


def _versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("pyshacl", "rdflib", "pyoxigraph", "shacl-rust", "pyrudof"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def markdown(result: dict) -> str:
    lines = ["| data | triples | citygraph (s) | split, before (s) | same as split | pySHACL all (s) "
             "| shacl-rust (s) | ratio | ratio before | same results | pyrudof core (s) | same (core) |",
             "|---|---:|---:|---:|---|---:|---:|---:|---:|---|---:|---|"]

    def cell(data: dict | None, field: str = "seconds") -> str:
        if not data:
            return "-"
        if "seconds" in data:
            return f"{data[field]:.2f}" if field == "seconds" else str(data.get(field, "-"))
        return "skipped" if "skipped" in data else "error"

    def same(data: dict | None) -> str:
        if not data or "compare" not in data:
            return "-"
        c = data["compare"]
        if c["same"]:
            return "yes"
        return f"no (+{c['only_citygraph_total']} ours, +{c['only_reference_total']} theirs)"

    for row in result["runs"]:
        e = row["engines"]
        ours = e.get("citygraph", {})
        ref = e.get("shacl-rust", {})
        ratio = f"{ours['seconds'] / ref['seconds']:.2f}×" if "seconds" in ours and "seconds" in ref else "-"
        split = e.get("citygraph-split", {})
        before = (f"{split['seconds'] / ref['seconds']:.2f}×" if "seconds" in split and "seconds" in ref
                  else "-")
        found = ours.get("found", {})
        lines.append(
            f"| {row['size']} ({found.get('violation', '?')} violations"
            + (f", {row['injected_found']}/{row['injected_errors']} injected found" if row["injected_errors"] else "")
            + f") | {row['triples']} | {cell(ours)} | {cell(split)} | {same(split)} | "
            f"{cell(e.get('pyshacl-all'))} | {cell(ref)} | {ratio} | {before} | {same(ref)} | "
            f"{cell(e.get('pyrudof'))} | {same(e.get('pyrudof'))} |")
    lines.append("")
    lines.append("citygraph = core constraints compiled to SPARQL and SHACL-SPARQL constraints, each run "
                 "once on Oxigraph; split = core constraints in pySHACL (the way before the compiler, "
                 "measured in the same run); pySHACL all = every constraint in pySHACL, SPARQL ones "
                 "once per focus node. ratio before = split time / shacl-rust time.")
    for row in result["runs"]:
        if row.get("note"):
            lines.append(f"{row['size']}: {row['note']}.")
    if result["machine"].get("note"):
        lines.append(f"Machine: {result['machine']['note']}.")
    lines.append("ratio = citygraph time / shacl-rust time (both include parsing; shacl-rust reads one "
                 "N-Triples file, citygraph the Turtle files). Each run is a fresh process.")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
