"""Calibrated synthetic worlds (S, M, L, XL) and the real world graph, for ``bench/run.py``.

A thin front end over ``bench/synthetic.py``: the generator's vocabulary and shapes stay, and
the distributions that matter for query and analysis cost are read from the real external data
at generation time (``/work/shared/external``, read in place, never copied):

- partnerships per city: the degree of each city in Wikidata's P190 twin links
  (``wikidata-p190-2016/relations.tsv``, pairs made undirected and deduplicated);
- networks per member city: ClimActor's ``num_commit`` (``climactor/…_Sept2020.csv``), and the
  popularity of networks: the member counts of its 0/1 network columns;
- the share of ended relationships: the curated ``data/`` (``status:ended`` over ``cg:status``);
- labels in en, fi and sv, as the generator writes them.

Sizes are store quads (ontology + data + derived): S 10^4, M 10^5, L 10^6, XL 10^7. A pilot
world is built in memory to measure quads per city, so each size lands close to its target.
Worlds are cached under ``bench/.cache/worlds/v{GENERATOR_VERSION}-{size}-seed{seed}/``
(Turtle ``data/``, ``world.nt`` for ``oxigraph load``, ``meta.json``); a second run reuses them.

``world_graph(cache)`` builds the real world graph: curated plus every external layer
(``citygraph import all`` then ``citygraph build --layers all``, in a store under the cache).

Command line::

    python bench/generate.py S M L [--xl] [--seed 1]
"""

from __future__ import annotations

import argparse
import collections
import csv
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import synthetic  # noqa: E402

GENERATOR_VERSION = 1
SIZES = {"S": 10_000, "M": 100_000, "L": 1_000_000, "XL": 10_000_000}
CACHE = HERE / ".cache"
PILOT_CITIES = 300


def external_dir() -> Path:
    from citygraph.config import Settings
    return Settings.from_env(cwd=ROOT).shared_dir / "external"


def calibration(external: Path | None = None, data_dir: Path | None = None) -> tuple[synthetic.Calibration, dict]:
    """Read the distributions from the real data; returns the calibration and its summary."""
    external = external or external_dir()
    data_dir = data_dir or ROOT / "data"
    pairs: set[tuple[str, str]] = set()
    with open(external / "wikidata-p190-2016" / "relations.tsv", encoding="utf-8") as fh:
        for line in fh:
            a, _, b = line.strip().partition("\t")
            if a and b and a != b:
                pairs.add((min(a, b), max(a, b)))
    degree: collections.Counter[str] = collections.Counter()
    for a, b in pairs:
        degree[a] += 1
        degree[b] += 1
    twin = sorted(degree.values())

    path = next((external / "climactor").glob("*initcols_Sept2020.csv"))
    counts: list[int] = []
    popularity: collections.Counter[str] = collections.Counter()
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        first = reader.fieldnames.index("admin_1") + 1
        columns = [c for c in reader.fieldnames[first:] if c and c != "<NA>"]
        for row in reader:
            if row.get("entity_type") != "City":
                continue
            try:
                k = int(row["num_commit"])
            except (TypeError, ValueError):
                continue
            if k > 0:
                counts.append(k)
            for c in columns:
                if row.get(c) == "1":
                    popularity[c] += 1
    weights = [float(v) for _, v in popularity.most_common() if v > 0]

    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(data_dir.glob("*.ttl")))
    with_status = len(re.findall(r"cg:status\s", text))
    ended = len(re.findall(r"cg:status\s+status:ended", text))
    ended_share = ended / with_status if with_status else 0.15

    summary = {
        "twin_links": {"source": "wikidata-p190-2016/relations.tsv", "pairs": len(pairs),
                       "cities": len(twin), "mean_degree": round(sum(twin) / len(twin), 3),
                       "median_degree": twin[len(twin) // 2], "max_degree": twin[-1]},
        "memberships": {"source": f"climactor/{path.name} (num_commit, cities)", "cities": len(counts),
                        "mean": round(sum(counts) / len(counts), 3), "max": max(counts),
                        "networks": len(weights), "largest_network_members": int(weights[0])},
        "ended_share": {"source": "data/*.ttl (status:ended / cg:status)", "ended": ended,
                        "relationships": with_status, "share": round(ended_share, 4)},
        "languages": ["en", "fi", "sv"],
    }
    return synthetic.Calibration(twin, counts, weights, ended_share), summary


def _build_count(data_dir: Path) -> int:
    from citygraph.config import Settings
    from citygraph.graph import CityGraph
    settings = Settings.for_home(ROOT, data_dir=data_dir, store_dir=data_dir.parent / "pilot-store")
    graph = CityGraph.build(settings, memory=True, notify=None)
    return len(graph.store)


def write_nt(data_dir: Path, out: Path) -> int:
    """The input triples (ontology + data) as one N-Triples file, for ``oxigraph load``."""
    import pyoxigraph as ox
    from citygraph.config import Settings
    ontology = Settings.for_home(ROOT).ontology
    n = 0
    tmp = out.with_suffix(".tmp")
    with open(tmp, "wb") as fh:
        for path in [ontology, *sorted(data_dir.glob("*.ttl"))]:
            triples = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
            n += len(triples)
            ox.serialize(triples, fh, format=ox.RdfFormat.N_TRIPLES)
    tmp.replace(out)
    return n


def world(size: str, seed: int = 1, cache: Path = CACHE, log=print) -> dict:
    """The cached world of ``size`` (S, M, L, XL): generated once; returns its meta.json."""
    target = SIZES[size]
    where = cache / "worlds" / f"v{GENERATOR_VERSION}-{size}-seed{seed}"
    meta_path = where / "meta.json"
    if meta_path.exists():
        return json.loads(meta_path.read_text())
    t0 = time.perf_counter()
    cal, summary = calibration()
    pilot = where / "pilot"
    synthetic.World(PILOT_CITIES, seed, cal).write(pilot / "data")
    per_city = (_build_count(pilot / "data") - synthetic.FIXED_QUADS) / PILOT_CITIES
    n = max(20, round((target - synthetic.FIXED_QUADS) / per_city))
    log(f"generating {size}: {n} cities (~{per_city:.0f} quads per city)")
    data = where / "data"
    synthetic.World(n, seed, cal).write(data)
    input_triples = write_nt(data, where / "world.nt")
    meta = {"size": size, "target_quads": target, "seed": seed, "generator_version": GENERATOR_VERSION,
            "cities": n, "quads_per_city_pilot": round(per_city, 2), "input_triples": input_triples,
            "data_dir": str(data), "nt": str(where / "world.nt"), "calibration": summary,
            "generated_s": round(time.perf_counter() - t0, 2)}
    import shutil
    shutil.rmtree(pilot, ignore_errors=True)
    meta_path.write_text(json.dumps(meta, indent=2))
    return meta


def world_graph(cache: Path = CACHE, log=print) -> dict:
    """The real world graph: ``citygraph import all`` + ``citygraph build --layers all`` into
    a store under the cache (kept; rebuilt only when missing). Returns paths and counts."""
    import fcntl
    where = cache / "real-world"
    store = where / "store"
    meta_path = where / "meta.json"
    where.mkdir(parents=True, exist_ok=True)
    with open(where / ".lock", "w") as lock:  # another run importing: wait for it
        fcntl.flock(lock, fcntl.LOCK_EX)
        if meta_path.exists():
            return json.loads(meta_path.read_text())
        return _import_world(where, store, meta_path, log)


def _import_world(where: Path, store: Path, meta_path: Path, log) -> dict:
    env = {**os.environ, "CITYGRAPH_STORE_DIR": str(store)}
    exe = str(Path(sys.executable).parent / "citygraph")
    t0 = time.perf_counter()
    log("importing every external layer (citygraph import all)")
    subprocess.run([exe, "import", "all"], env=env, check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    imported = time.perf_counter() - t0
    # the same input for `oxigraph load`: ontology + curated as N-Triples, each layer's N-Quads
    curated = where / "curated.nt"
    n = write_nt(ROOT / "data", curated)
    layers = sorted(str(p) for p in (store / "layers").glob("*/layer.nq")
                    if not p.parent.name.startswith("."))  # not an import in progress
    quads = n + sum(json.loads((Path(p).parent / "meta.json").read_text()).get("quads") or 0
                    for p in layers)
    meta = {"store_dir": str(store), "import_s": round(imported, 2), "nq": [str(curated), *layers],
            "input_quads": quads, "layers": [Path(p).parent.name for p in layers]}
    meta_path.parent.mkdir(parents=True, exist_ok=True)
    meta_path.write_text(json.dumps(meta, indent=2))
    return meta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", default=["S", "M", "L"], help="S M L XL")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--calibration", action="store_true", help="print the calibration and stop")
    args = parser.parse_args(argv)
    if args.calibration:
        print(json.dumps(calibration()[1], indent=2))
        return 0
    for size in args.sizes:
        meta = world(size, args.seed, args.cache)
        print(json.dumps({k: meta[k] for k in ("size", "cities", "input_triples", "nt")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
