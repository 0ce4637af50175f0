"""How fast the map pages draw, in Debian's headless Chromium, with the curated graph and with
every external layer loaded.

For each graph a real ``citygraph serve`` app runs on 127.0.0.1 (uvicorn in a thread) and:

1. *prepare*: the first ``/api/map/graph`` (``citygraph.viz.payload.build``: every relationship,
   layout, centralities per date), timed once; its size raw and gzipped. Later pages get it
   from the server's cache.
2. *first render*: ``/map``, ``/map/geo`` and ``/timeline`` each opened ``--repeat`` times in a
   fresh tab: milliseconds from navigation start until the page has drawn its nodes (the pages
   set ``timings.readyAt``), and the time the page's own script took from its start.
3. *slider*: on ``/map`` and ``/map/geo``, moving the date (2019-06-01, 2023-06-01, today, …)
   until two animation frames later: what a person waits for after letting go of the slider.

Graphs: ``curated`` (the repository's data, in memory) and ``layers`` (the store in
``.citygraph/`` with every layer ``citygraph import`` brought in, as ``citygraph build --layers
all`` made it). Without imported layers, ``--synthetic N`` builds a synthetic world of about N
quads with ``bench/synthetic.py`` instead. Medians and the ratio to the curated graph go to
``bench/results/viz.{json,md}``. Chromium draws WebGL in software here (SwiftShader, no GPU):
a laptop with a GPU draws faster.

Usage::

    python bench/viz.py                       # curated + all imported layers
    python bench/viz.py --synthetic 500000    # curated + a synthetic world (no layers needed)
    python bench/viz.py --repeat 2 --out /tmp/viz
"""

from __future__ import annotations

import argparse
import json
import platform
import socket
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import uvicorn

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from citygraph.api.app import create_app  # noqa: E402
from citygraph.config import Settings  # noqa: E402
from citygraph.graph import CityGraph  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAGES = {"map": ("/map", "citygraphMap"), "geo": ("/map/geo", "citygraphGeo"),
         "timeline": ("/timeline", "citygraphTimeline")}
DATES = ["2019-06-01", "2023-06-01", "2012-01-01", "2024-12-31"]


class Server:
    """``create_app(graph)`` under uvicorn on a free port of 127.0.0.1."""

    def __init__(self, graph: CityGraph) -> None:
        settings = Settings.for_home(graph.settings.home, access_log=False)
        self.app = create_app(graph, settings, workers=1)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        while not self.server.started:
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(30)
        self.sock.close()


def prepare(url: str) -> dict:
    """Time the first /api/map/graph until it answers 200 (202 while it is being built)."""
    import httpx

    start = time.perf_counter()
    with httpx.Client(timeout=600) as client:
        while True:
            response = client.get(url + "/api/map/graph")
            if response.status_code == 200:
                break
            response.raise_for_status()
            time.sleep(1)
        seconds = time.perf_counter() - start
        data = response.json()
        gz = client.get(url + "/api/map/graph", headers={"Accept-Encoding": "gzip"})
    return {"seconds": round(seconds, 2), "bytes": len(response.content),
            "gzip_bytes": int(gz.headers.get("content-length", 0)) or None,
            "nodes": len(data["nodes"]), "relationships": len(data["relationships"]),
            "edges": len(data["edges"]), "measures": sorted(data["centrality"]["measures"]),
            "snapshots": len(data["centrality"]["dates"])}


def measure(url: str, repeat: int) -> dict:
    from playwright.sync_api import sync_playwright

    out: dict = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for name, (path, handle) in PAGES.items():
            ready, script, slider, errors = [], [], [], []
            for _ in range(repeat):
                page = browser.new_page(viewport={"width": 1600, "height": 900})
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.goto(url + path, wait_until="domcontentloaded")
                page.wait_for_selector("body[data-ready='1']", timeout=600_000)
                timings = page.evaluate(f"window.{handle}.timings")
                ready.append(timings["readyAt"])
                script.append(timings["firstRender"])
                if name != "timeline":
                    for day in DATES:
                        slider.append(page.evaluate(
                            """async ([handle, day]) => { const t = performance.now();
                               window[handle].setDate(day);
                               await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
                               return performance.now() - t; }""", [handle, day]))
                if name == "map":
                    out.setdefault("visible_on", {})["2019-06-01"] = page.evaluate(
                        "(() => { window.citygraphMap.setDate('2019-06-01'); return window.citygraphMap.visibleLabels().length; })()")
                page.close()
            out[name] = {"ready_ms": [round(x, 1) for x in ready], "script_ms": [round(x, 1) for x in script],
                         "slider_ms": [round(x, 1) for x in slider], "errors": errors,
                         "ready_median_ms": round(statistics.median(ready), 1),
                         "script_median_ms": round(statistics.median(script), 1),
                         "slider_median_ms": round(statistics.median(slider), 1) if slider else None}
        browser.close()
    return out


def graphs(args: argparse.Namespace):
    yield "curated", CityGraph.build(Settings.for_home(REPO), memory=True, notify=None)
    if args.synthetic:
        from synthetic import generate

        tmp = Path(tempfile.mkdtemp(prefix="citygraph-viz-"))
        generate(tmp / "data", triples=args.synthetic, seed=1)
        settings = Settings.for_home(REPO, data_dir=tmp / "data", store_dir=tmp / "store")
        yield f"synthetic {args.synthetic:,}", CityGraph.build(settings, memory=True, notify=None)
        return
    settings = Settings.from_env() if args.home is None else Settings.for_home(args.home)
    graph = CityGraph.open(settings, notify=None)
    layers = [name for name in graph.manifest["triples"]
              if name not in ("ontology", "curated", "derived", "analysis") and not name.endswith("-derived")]
    if not layers:
        sys.exit("no imported layers in the store: run `citygraph import all` and `citygraph build --layers all`, "
                 "or use --synthetic N")
    yield "layers: " + ", ".join(sorted(layers)), graph


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--synthetic", type=int, default=0, help="a synthetic world of about N quads instead of the layers")
    parser.add_argument("--home", type=Path, default=None, help="citygraph home with the layered store (default: CITYGRAPH_HOME)")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    results = {"machine": {"python": platform.python_version(), "platform": platform.platform(),
                           "cpus": __import__("os").cpu_count(), "chromium": CHROMIUM},
               "date": date.today().isoformat(), "repeat": args.repeat, "graphs": {}}
    for name, graph in graphs(args):
        print(f"{name}: {graph.manifest['triples'] and sum(graph.manifest['triples'].values()):,} quads", flush=True)
        with Server(graph) as server:
            prep = prepare(server.url)
            print(f"  prepared in {prep['seconds']} s: {prep['nodes']:,} nodes, {prep['relationships']:,} relationships, "
                  f"{prep['bytes'] / 1e6:.1f} MB ({(prep['gzip_bytes'] or 0) / 1e6:.1f} MB gzipped)", flush=True)
            pages = measure(server.url, args.repeat)
            for page, m in pages.items():
                if isinstance(m, dict) and "ready_median_ms" in m:
                    print(f"  {page}: ready {m['ready_median_ms']} ms, slider {m['slider_median_ms']} ms, errors {len(m['errors'])}", flush=True)
        results["graphs"][name] = {"quads": sum(graph.manifest["triples"].values()), "prepare": prep, "pages": pages}
    names = list(results["graphs"])
    base = results["graphs"][names[0]]["pages"]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "viz.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    lines = ["# Map pages: render time in headless Chromium", "",
             f"{results['date']}, {results['machine']['platform']}, {results['machine']['cpus']} CPUs, "
             f"Chromium with software WebGL (SwiftShader); medians of {args.repeat} loads in fresh tabs. "
             "`ready`: navigation start to nodes drawn (data from the server's cache); `slider`: one date "
             "change until two frames later. Ratios against the curated graph. Written by `bench/viz.py`.", ""]
    lines.append("| graph | nodes | relationships | data (gzip) | prepare once | page | ready | × curated | slider | × curated |")
    lines.append("|---|---:|---:|---:|---:|---|---:|---:|---:|---:|")
    for name, r in results["graphs"].items():
        prep = r["prepare"]
        for page in PAGES:
            m = r["pages"][page]
            b = base[page]
            ratio = m["ready_median_ms"] / b["ready_median_ms"]
            slide = f"{m['slider_median_ms']:.0f} ms" if m["slider_median_ms"] is not None else "—"
            sratio = (f"{m['slider_median_ms'] / b['slider_median_ms']:.1f}" if m["slider_median_ms"] and b["slider_median_ms"] else "—")
            lines.append(f"| {name} | {prep['nodes']:,} | {prep['relationships']:,} | {prep['bytes'] / 1e6:.1f} MB "
                         f"({(prep['gzip_bytes'] or 0) / 1e6:.1f} MB) | {prep['seconds']:.1f} s | {PAGES[page][0]} | "
                         f"{m['ready_median_ms']:.0f} ms | {ratio:.1f} | {slide} | {sratio} |")
    (args.out / "viz.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out / 'viz.json'} and {args.out / 'viz.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
