/* citygraph geographic map (/map/geo): cities at their coordinates on the bundled Natural Earth
 * country outlines (world-atlas, public domain), partnerships and other two-party ties as arcs,
 * network memberships as small dots around each city in the colour of the network. Drawn on a
 * 2D canvas with d3-geo; the same filters and date slider as the network map.
 */
(function () {
  "use strict";
  const CG = window.CG;
  const V = window.CGVendor;
  const t0 = performance.now();
  const api = (window.citygraphGeo = { ready: false, timings: {} });

  /** The Natural Earth outlines: inlined (self-contained file) or fetched; ``coarse`` = 1:110m. */
  async function world(coarse) {
    const inline = document.getElementById(coarse ? "cg-world-coarse" : "cg-world");
    if (inline) return JSON.parse(inline.textContent);
    const url = coarse ? CG.config.world_coarse_url : CG.config.world_url;
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: ${response.status}`);
    return response.json();
  }

  CG.start(async (data) => {
    const { el, $ } = CG;
    const [fine, coarse] = await Promise.all([world(false), world(true)]);
    const outlines = (topo) => ({ land: V.topojson.feature(topo, topo.objects.countries),
      borders: V.topojson.mesh(topo, topo.objects.countries, (a, b) => a !== b) });
    const detailed = outlines(fine), rough = outlines(coarse);
    const canvas = $("#cg-geo-canvas");
    const ctx = canvas.getContext("2d");
    const projection = V.geo.geoNaturalEarth1();
    const graticule = V.geo.geoGraticule10();
    const placed = data.nodes.filter((n) => n.lat !== null && n.lon !== null);
    let vis = { rels: new Map(), nodes: new Set() };
    let netColour = new Map();
    let highlight = null; // a network index: its members stand out
    let drawn = []; // [{node, x, y, r}] of what is on the canvas, for clicks
    let hovered = null;
    let width = 0, height = 0;

    function resize() {
      const box = canvas.getBoundingClientRect();
      const dpr = window.devicePixelRatio || 1;
      width = box.width; height = box.height;
      canvas.width = Math.round(width * dpr); canvas.height = Math.round(height * dpr);
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    }

    /** Fit the projection to the cities shown (or the world when there are none). */
    function fit() {
      const pts = [...vis.nodes].map((i) => data.nodes[i]).filter((n) => n.lat !== null && n.lon !== null).map((n) => [n.lon, n.lat]);
      const target = pts.length >= 2 ? { type: "MultiPoint", coordinates: pts } : { type: "Sphere" };
      projection.fitExtent([[40, 40], [width - 40, height - 40]], target);
      if (pts.length >= 2) { // not closer than a region: keep some context around few cities
        const k = projection.scale();
        const max = width * 1.2;
        if (k > max) { const [tx, ty] = projection.translate(); const c = [width / 2, height / 2];
          projection.scale(max).translate([c[0] - (c[0] - tx) * (max / k), c[1] - (c[1] - ty) * (max / k)]); }
      }
      schedule();
    }

    function zoomAt(factor, cx, cy) {
      const k = projection.scale();
      const next = Math.max(60, Math.min(k * factor, 60000));
      const f = next / k;
      const [tx, ty] = projection.translate();
      projection.scale(next).translate([cx - (cx - tx) * f, cy - (cy - ty) * f]);
      moved();
      schedule();
    }

    /* ------------------------------------------------------------ drawing */
    let pending = false;
    function schedule() { if (!pending) { pending = true; requestAnimationFrame(() => { pending = false; draw(); }); } }

    function arc(a, b) {
      const dx = b[0] - a[0], dy = b[1] - a[1];
      const len = Math.hypot(dx, dy);
      const bend = Math.min(0.22 * len, 160);
      // bend towards the top of the map whatever the direction
      let nx = -dy / (len || 1), ny = dx / (len || 1);
      if (ny > 0) { nx = -nx; ny = -ny; }
      const cx = (a[0] + b[0]) / 2 + nx * bend, cy = (a[1] + b[1]) / 2 + ny * bend;
      ctx.beginPath(); ctx.moveTo(a[0], a[1]); ctx.quadraticCurveTo(cx, cy, b[0], b[1]); ctx.stroke();
    }

    /* The base map is drawn once per view into its own canvas and copied under every frame: a
     * date change redraws only the places and arcs. While the map moves, the coarse outlines. */
    const base = document.createElement("canvas");
    const baseCtx = base.getContext("2d");
    let baseKey = "", lastMove = 0, settle = null;
    function drawBase(moving) {
      const [tx, ty] = projection.translate();
      const key = [width, height, projection.scale(), tx, ty, moving].join(",");
      if (key === baseKey) return;
      baseKey = key;
      const dpr = window.devicePixelRatio || 1;
      base.width = canvas.width; base.height = canvas.height;
      baseCtx.setTransform(dpr, 0, 0, dpr, 0, 0);
      const bpath = V.geo.geoPath(projection, baseCtx);
      const { land, borders } = moving ? rough : detailed;
      baseCtx.lineJoin = "round";
      baseCtx.beginPath(); bpath({ type: "Sphere" }); baseCtx.fillStyle = "#eaf2f8"; baseCtx.fill();
      baseCtx.beginPath(); bpath(graticule); baseCtx.strokeStyle = "rgba(120, 150, 180, 0.18)"; baseCtx.lineWidth = 0.6; baseCtx.stroke();
      baseCtx.beginPath(); bpath(land); baseCtx.fillStyle = "#f3efe6"; baseCtx.fill();
      baseCtx.beginPath(); bpath(borders); baseCtx.strokeStyle = "#c9c0ad"; baseCtx.lineWidth = 0.7; baseCtx.stroke();
    }
    /** Note a pan or zoom: coarse outlines now, the fine ones once the map has been still a moment. */
    function moved() {
      lastMove = performance.now();
      clearTimeout(settle);
      settle = setTimeout(schedule, 250);
    }

    function draw() {
      const t = performance.now();
      drawBase(performance.now() - lastMove < 240);
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(base, 0, 0);
      ctx.restore();
      ctx.lineJoin = "round";

      const xy = new Map();
      for (const i of vis.nodes) {
        const n = data.nodes[i];
        if (n.lat === null || n.lon === null) continue;
        const p = projection([n.lon, n.lat]);
        if (p && p[0] > -50 && p[0] < width + 50 && p[1] > -50 && p[1] < height + 50) xy.set(i, p);
        else if (p) xy.set(i, p); // off screen: arcs still leave towards it
      }
      // arcs: every shown relationship with two placed parties, except memberships
      const degree = new Map();
      const memberships = new Map(); // city -> [network]
      for (const [ri, change] of vis.rels) {
        const rel = data.relationships[ri];
        for (const e of rel.edges) {
          const [, a, b] = data.edges[e];
          degree.set(a, (degree.get(a) || 0) + 1); degree.set(b, (degree.get(b) || 0) + 1);
          if (rel.kind === "membership") {
            if (change === "gone") continue;
            if (!memberships.has(a)) memberships.set(a, []);
            if (!memberships.get(a).includes(b)) memberships.get(a).push(b);
            continue;
          }
          const pa = xy.get(a), pb = xy.get(b);
          if (!pa || !pb) continue;
          let colour = CG.edgeColour(rel.kind);
          let w = rel.kind === "partnership" ? 2.2 : 1.4;
          if (rel.status === "ended") colour = CG.pale(colour, 0.5);
          if (change === "new") { colour = "#1a9641"; w += 1; } else if (change === "gone") { colour = "#d7191c"; w += 0.5; }
          if (highlight !== null) colour = CG.pale(colour, 0.75);
          ctx.strokeStyle = colour; ctx.lineWidth = w; ctx.globalAlpha = 0.85;
          arc(pa, pb);
        }
      }
      ctx.globalAlpha = 1;
      // cities, largest last; membership dots around them
      drawn = [];
      const order = [...xy.keys()].sort((a, b) => (degree.get(a) || 0) - (degree.get(b) || 0));
      for (const i of order) {
        const [x, y] = xy.get(i);
        const n = data.nodes[i];
        const r = 2.5 + 1.6 * Math.sqrt(degree.get(i) || 1);
        const nets = memberships.get(i) || [];
        const dim = highlight !== null && !nets.includes(highlight) && i !== highlight;
        const ringR = r + 4;
        nets.sort((a, b) => (netColour.get(a) ? 0 : 1) - (netColour.get(b) ? 0 : 1) || a - b);
        const dotR = nets.length > 16 ? 2 : 2.8;
        nets.forEach((net, k) => {
          const angle = -Math.PI / 2 + (2 * Math.PI * k) / Math.max(nets.length, 1);
          const rr = ringR + (nets.length > 24 ? (k % 2) * 3.5 : 0);
          ctx.beginPath(); ctx.arc(x + rr * Math.cos(angle), y + rr * Math.sin(angle), dotR, 0, 2 * Math.PI);
          ctx.fillStyle = highlight !== null && net !== highlight ? "#d9dde2" : netColour.get(net) || "#8e99a4";
          ctx.fill();
        });
        ctx.beginPath();
        if (n.kind === "city") ctx.arc(x, y, r, 0, 2 * Math.PI); else ctx.rect(x - r, y - r, 2 * r, 2 * r);
        ctx.fillStyle = dim ? "#c9cfd6" : CG.nodeColour(n.kind);
        ctx.fill(); ctx.lineWidth = 1.2; ctx.strokeStyle = "#fff"; ctx.stroke();
        if (hovered === i) { ctx.lineWidth = 2.5; ctx.strokeStyle = "#1d2329"; ctx.stroke(); }
        drawn.push({ node: i, x, y, r: r + (nets.length ? 7 : 0) });
      }
      // labels, most tied first, where there is room
      ctx.font = "500 12.5px system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif";
      const boxes = [];
      const labelled = [];
      // markers on screen in a grid of 32-pixel cells, so a label checks only its neighbourhood
      const CELL = 32, grid = new Map();
      for (const o of drawn) {
        if (o.x < -20 || o.x > width + 20 || o.y < -20 || o.y > height + 20) continue;
        const key = `${Math.floor(o.x / CELL)},${Math.floor(o.y / CELL)}`;
        if (!grid.has(key)) grid.set(key, []);
        grid.get(key).push(o);
      }
      const near = (box) => {
        const out = [];
        for (let gx = Math.floor((box[0] - 30) / CELL); gx <= Math.floor((box[2] + 30) / CELL); gx++)
          for (let gy = Math.floor((box[1] - 30) / CELL); gy <= Math.floor((box[3] + 30) / CELL); gy++)
            for (const o of grid.get(`${gx},${gy}`) || []) out.push(o);
        return out;
      };
      const onScreen = drawn.filter((d) => d.x >= 0 && d.x <= width && d.y >= 0 && d.y <= height);
      // the most-tied places first, at most MAX_LABELS tries (a world of small dots needs no more)
      const MAX_LABELS = 400;
      for (const d of onScreen.sort((a, b) => (degree.get(b.node) || 0) - (degree.get(a.node) || 0)).slice(0, MAX_LABELS)) {
        const label = CG.label(data.nodes[d.node]);
        const w = ctx.measureText(label).width;
        const candidates = [[d.x + d.r + 4, d.y + 4], [d.x - d.r - 4 - w, d.y + 4], [d.x - w / 2, d.y - d.r - 5], [d.x - w / 2, d.y + d.r + 13]];
        for (const [lx, ly] of candidates) {
          const box = [lx - 2, ly - 11, lx + w + 2, ly + 3];
          if (box[0] < 0 || box[2] > width || box[1] < 0 || box[3] > height) continue;
          if (boxes.some((b) => box[0] < b[2] && box[2] > b[0] && box[1] < b[3] && box[3] > b[1])) continue;
          if (near(box).some((o) => o.node !== d.node && o.x + o.r > box[0] && o.x - o.r < box[2] && o.y + o.r > box[1] && o.y - o.r < box[3])) continue;
          boxes.push(box);
          labelled.push([label, lx, ly, d]);
          break;
        }
      }
      ctx.lineJoin = "round"; ctx.lineWidth = 3; ctx.strokeStyle = "rgba(255,255,255,0.9)";
      for (const [label, lx, ly, d] of labelled) {
        ctx.strokeText(label, lx, ly);
        ctx.fillStyle = highlight !== null && !(memberships.get(d.node) || []).includes(highlight) ? "#8a939c" : "#1d2329";
        ctx.fillText(label, lx, ly);
      }
      api.labelled = labelled.map((l) => l[0]);
      api.timings.lastDraw = performance.now() - t;
      if (!api.ready) {
        api.ready = true;
        api.timings.firstRender = performance.now() - t0;
        api.timings.readyAt = performance.now(); // since navigation start
        document.body.dataset.ready = "1";
      }
    }

    /* ------------------------------------------------------------ legend and status */
    function colours() {
      const members = new Map(); // network -> its distinct members on the date
      for (const [ri, change] of vis.rels) {
        const rel = data.relationships[ri];
        if (rel.kind !== "membership" || change === "gone") continue;
        for (const e of rel.edges) {
          const [, m, net] = data.edges[e];
          if (!members.has(net)) members.set(net, new Set());
          members.get(net).add(m);
        }
      }
      const size = new Map([...members].map(([net, set]) => [net, set.size]));
      const nets = [...size.keys()].sort((a, b) => size.get(b) - size.get(a) || CG.label(data.nodes[a]).localeCompare(CG.label(data.nodes[b])));
      netColour = new Map(nets.slice(0, CG.PALETTE.length).map((n, i) => [n, CG.PALETTE[i]]));
      return { nets, size };
    }

    function legend(nets, size) {
      const box = $("#cg-legend");
      const relKinds = [...new Set([...vis.rels.keys()].map((i) => data.relationships[i].kind).filter((k) => k !== "membership"))].sort();
      const shown = [...vis.rels.values()];
      const items = [el("div", { class: "legend-title", text: CG.t("legend") })];
      items.push(...relKinds.map((k) => el("div", { class: "legend-row" }, el("span", { class: "line", style: `background:${CG.edgeColour(k)}` }), CG.word("kinds", k))));
      if (CG.state.compare) {
        items.push(el("div", { class: "legend-row" }, el("span", { class: "line thick", style: "background:#1a9641" }), `${CG.between("added_between", CG.state.compare, CG.state.date)} (${shown.filter((c) => c === "new").length})`));
        items.push(el("div", { class: "legend-row" }, el("span", { class: "line thick", style: "background:#d7191c" }), `${CG.between("ended_between", CG.state.compare, CG.state.date)} (${shown.filter((c) => c === "gone").length})`));
      }
      if (nets.length) {
        items.push(el("div", { class: "legend-note", text: CG.t("network_members") }));
        for (const n of nets.slice(0, CG.PALETTE.length)) {
          items.push(el("div", { class: `legend-row clickable ${highlight !== null && highlight !== n ? "dim" : ""}`, title: CG.t("click_highlight"),
            onclick: () => { highlight = highlight === n ? null : n; legend(nets, size); schedule(); } },
          el("span", { class: "pin", style: `background:${netColour.get(n)}` }), `${CG.label(data.nodes[n])} (${size.get(n)})`));
        }
        if (nets.length > CG.PALETTE.length) items.push(el("div", { class: "legend-row" }, el("span", { class: "pin", style: "background:#8e99a4" }), `${CG.t("more_networks")} (${nets.length - CG.PALETTE.length})`));
      }
      box.replaceChildren(...items);
    }

    function update() {
      vis = CG.visible();
      const { nets, size } = colours();
      if (highlight !== null && !size.has(highlight)) highlight = null;
      legend(nets, size);
      const shownCities = [...vis.nodes].filter((i) => data.nodes[i].lat !== null);
      const missing = [...vis.nodes].filter((i) => data.nodes[i].kind === "city" && data.nodes[i].lat === null).length;
      const active = [...vis.rels.values()].filter((c) => c !== "gone").length;
      $("#cg-status").textContent = `${CG.t("as_of")} ${CG.formatDate(CG.state.date)}: ${shownCities.length} ${CG.t("places_shown")}, ${active} ${CG.t("relationships_active")}`
        + (missing ? ` · ${missing} ${CG.t("not_placed")}` : "")
        + (CG.state.ego !== null ? ` · ${CG.t("ego_of")} ${CG.label(data.nodes[CG.state.ego])}` : "");
      if (CG.state.ego !== lastEgo) { lastEgo = CG.state.ego; fit(); }
      schedule();
    }
    let lastEgo;

    /* ------------------------------------------------------------ interaction */
    function hit(ev) {
      const box = canvas.getBoundingClientRect();
      const x = ev.clientX - box.left, y = ev.clientY - box.top;
      let best = null, bestD = 12;
      for (const d of drawn) {
        const dist = Math.hypot(d.x - x, d.y - y) - d.r;
        if (dist < bestD) { bestD = dist; best = d.node; }
      }
      return best;
    }
    let drag = null;
    canvas.addEventListener("mousedown", (ev) => { drag = { x: ev.clientX, y: ev.clientY, moved: false }; });
    window.addEventListener("mouseup", (ev) => {
      if (drag && !drag.moved) {
        const node = hit(ev);
        if (node !== null) CG.showNode(node);
      }
      drag = null;
    });
    window.addEventListener("mousemove", (ev) => {
      if (drag) {
        const dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
        if (Math.abs(dx) + Math.abs(dy) > 2) drag.moved = true;
        if (drag.moved) {
          const [tx, ty] = projection.translate();
          projection.translate([tx + dx, ty + dy]);
          drag.x = ev.clientX; drag.y = ev.clientY;
          moved();
          schedule();
        }
        return;
      }
      if (ev.target !== canvas) return;
      const node = hit(ev);
      if (node !== hovered) { hovered = node; canvas.style.cursor = node !== null ? "pointer" : "grab"; canvas.title = node !== null ? CG.label(data.nodes[node]) : ""; schedule(); }
    });
    canvas.addEventListener("wheel", (ev) => {
      ev.preventDefault();
      const box = canvas.getBoundingClientRect();
      zoomAt(Math.exp(-ev.deltaY * 0.0015), ev.clientX - box.left, ev.clientY - box.top);
    }, { passive: false });
    $("#cg-zoom-in").addEventListener("click", () => zoomAt(1.5, width / 2, height / 2));
    $("#cg-zoom-out").addEventListener("click", () => zoomAt(1 / 1.5, width / 2, height / 2));
    $("#cg-zoom-fit").addEventListener("click", fit);
    window.addEventListener("resize", () => { resize(); fit(); });

    function onSearch(text) {
      const found = CG.find(text)[0];
      if (!found) { $("#cg-status").textContent = `${CG.t("no_match")}: ${text}`; return; }
      CG.showNode(found.index);
      if (found.lat !== null) {
        const p = projection([found.lon, found.lat]);
        const [tx, ty] = projection.translate();
        projection.translate([tx + width / 2 - p[0], ty + height / 2 - p[1]]);
        hovered = found.index;
        schedule();
      }
    }

    CG.controls({ onSearch });
    CG.onChange(update);
    resize();
    vis = CG.visible();
    lastEgo = CG.state.ego;
    fit();
    update();
    api.timings.load = performance.now() - t0;
    Object.assign(api, {
      data, projection, state: CG.state,
      /** Places drawn now (nodes with coordinates that pass the filters), by label. */
      visibleLabels: () => drawn.map((d) => CG.label(data.nodes[d.node])).sort(),
      placed: placed.length,
      /** Where a place is drawn, in page pixels. */
      nodePosition: (label) => {
        const d = drawn.find((x) => CG.label(data.nodes[x.node]) === label);
        if (!d) return null;
        const box = canvas.getBoundingClientRect();
        return { x: box.left + d.x, y: box.top + d.y };
      },
      setDate: (iso) => { CG.state.date = iso; $("#cg-date").value = CG.dayNumber(iso); $("#cg-date-text").value = iso; CG.changed(); draw(); },
      redraw: draw,
    });
  });
})();
