/* citygraph network map (/map, citygraph map --html): sigma.js (WebGL) over a graphology graph.
 *
 * Every node and edge of all time is added once, at the positions the server computed
 * (citygraph.viz.layout); the filters only hide, colour and size them through sigma's reducers,
 * so moving the date slider costs one refresh, not a rebuild.
 */
(function () {
  "use strict";
  const CG = window.CG;
  const V = window.CGVendor;
  const t0 = performance.now();
  const api = (window.citygraphMap = { ready: false, timings: {} });

  CG.start((data) => {
    const tLoaded = performance.now();
    const { el, $ } = CG;
    const graph = new V.Graph({ multi: true, type: "undirected", allowSelfLoops: false });
    // labels point away from the middle of the picture: left of nodes on its left half
    const xs = data.nodes.map((n) => n.x);
    const middle = (Math.min(...xs) + Math.max(...xs)) / 2;
    for (const n of data.nodes) {
      const ring = n.kind === "network";
      graph.addNode(String(n.index), {
        x: n.x, y: n.y, size: 4, label: CG.label(n), kind: n.kind,
        color: ring && !CG.heavy ? "#ffffff" : CG.nodeColour(n.kind),
        borderColor: ring ? CG.nodeColour(n.kind) : "#ffffff",
        borderSize: ring ? 0.38 : 0.12,
        type: CG.heavy ? "circle" : "bordered",
        labelLeft: n.x < middle - 1,
      });
    }
    data.edges.forEach((e, i) => {
      if (e[1] === e[2]) return;
      graph.addEdgeWithKey(String(i), String(e[1]), String(e[2]), { rel: e[0] });
    });
    /** A label with a white halo, on the outer side of its node. */
    function drawLabel(ctx, d, settings) {
      if (!d.label) return;
      const size = settings.labelSize;
      ctx.font = `${settings.labelWeight} ${size}px ${settings.labelFont}`;
      const x = d.labelLeft ? d.x - d.size - 4 : d.x + d.size + 4;
      ctx.textAlign = d.labelLeft ? "right" : "left";
      ctx.lineJoin = "round";
      ctx.lineWidth = 3;
      ctx.strokeStyle = "rgba(255, 255, 255, 0.92)";
      ctx.strokeText(d.label, x, d.y + size / 3);
      ctx.fillStyle = d.dim ? "#9aa3ad" : "#1d2329";
      ctx.fillText(d.label, x, d.y + size / 3);
      ctx.textAlign = "left";
    }
    const Bordered = V.createNodeBorderProgram({
      drawLabel,
      borders: [
        { size: { attribute: "borderSize", defaultValue: 0.12 }, color: { attribute: "borderColor" } },
        { size: { fill: true }, color: { attribute: "color" } },
      ],
    });

    let vis = { rels: new Map(), nodes: new Set() };
    let sizes = null;
    let selected = null; // node key
    let neighbours = new Set();
    let forced = new Set(); // node keys whose label is always drawn

    const container = $("#cg-graph");
    const renderer = new V.Sigma(graph, container, {
      nodeProgramClasses: { bordered: Bordered },
      defaultNodeType: "bordered",
      renderEdgeLabels: false,
      enableEdgeEvents: !CG.heavy,
      labelFont: "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif",
      labelSize: 13,
      labelWeight: "500",
      labelDensity: 0.9,
      labelGridCellSize: 90,
      labelRenderedSizeThreshold: 7,
      defaultDrawNodeLabel: drawLabel,
      zIndex: true,
      hideEdgesOnMove: data.edges.length > 20000,
      minCameraRatio: 0.03,
      maxCameraRatio: 4,
      stagePadding: 40,
      // a big graph: one-pixel GL lines and plain discs, and no edge picking (which draws every
      // edge twice); its relationships are reached through their nodes' cards
      ...(CG.heavy ? { edgeProgramClasses: { line: V.EdgeLineProgram }, defaultEdgeType: "line" } : {}),
      nodeReducer: (key, attrs) => {
        const i = +key;
        if (!vis.nodes.has(i)) return { ...attrs, hidden: true };
        const out = { ...attrs, size: sizes ? sizes[i] : 5 };
        if (forced.has(key)) out.forceLabel = true;
        if (selected !== null) {
          if (key === selected) { out.highlighted = true; out.forceLabel = true; out.zIndex = 2; }
          else if (neighbours.has(key)) { out.forceLabel = true; out.zIndex = 1; }
          else { out.color = "#e3e6ea"; out.borderColor = "#d0d5da"; out.label = ""; out.zIndex = 0; }
        }
        return out;
      },
      edgeReducer: (key, attrs) => {
        const rel = data.relationships[attrs.rel];
        const change = vis.rels.get(attrs.rel);
        if (change === undefined) return { ...attrs, hidden: true };
        let colour = CG.edgeColour(rel.kind);
        let size = rel.kind === "partnership" || rel.kind === "agreement" ? 2.2 : 1.1;
        if (rel.status === "ended") colour = CG.pale(colour, 0.55);
        else if (rel.status === "suspended") colour = CG.pale(colour, 0.35);
        if (change === "new") { colour = "#1a9641"; size += 1.2; }
        else if (change === "gone") { colour = "#d7191c"; size += 0.6; }
        const out = { ...attrs, color: colour, size };
        if (selected !== null) {
          const [s, d] = graph.extremities(key);
          if (s !== selected && d !== selected) { out.color = "#eceef1"; out.zIndex = 0; } else out.zIndex = 1;
        }
        return out;
      },
    });
    api.timings.build = performance.now() - tLoaded;

    /* ------------------------------------------------------------ state -> picture */
    function computeSizes() {
      const values = CG.centrality(CG.state.measure, CG.state.date);
      const out = new Float32Array(data.nodes.length).fill(5);
      if (!values) return out;
      let max = 0;
      for (const i of vis.nodes) max = Math.max(max, values[i] || 0);
      for (const i of vis.nodes) out[i] = 3 + 17 * Math.sqrt((values[i] || 0) / (max || 1));
      const ranked = [...vis.nodes].sort((a, b) => (values[b] || 0) - (values[a] || 0));
      // small pictures: every name; large ones: the most central (the rest as room allows)
      const named = ranked.length <= ALL_LABELS ? ranked.length : Math.min(30, Math.ceil(ranked.length / 10));
      forced = new Set(ranked.slice(0, named).map(String));
      if (CG.state.ego !== null) for (const i of vis.nodes) forced.add(String(i));
      return out;
    }

    function legend() {
      const box = $("#cg-legend");
      const kinds = [...new Set([...vis.nodes].map((i) => data.nodes[i].kind))].sort();
      const relKinds = [...new Set([...vis.rels.keys()].map((i) => data.relationships[i].kind))].sort();
      const shown = [...vis.rels.values()];
      const items = [
        el("div", { class: "legend-title", text: CG.t("legend") }),
        ...kinds.map((k) => el("div", { class: "legend-row" },
          el("span", { class: `dot ${k === "network" ? "ring" : ""}`, style: k === "network" ? `border-color:${CG.nodeColour(k)}` : `background:${CG.nodeColour(k)}` }),
          CG.word("node_kinds", k))),
        ...relKinds.map((k) => el("div", { class: "legend-row" },
          el("span", { class: "line", style: `background:${CG.edgeColour(k)}` }), CG.word("kinds", k))),
        el("div", { class: "legend-row" }, el("span", { class: "line", style: `background:${CG.pale("#1f6fb4", 0.55)}` }), CG.t("ended_later")),
      ];
      if (CG.state.compare) {
        items.push(el("div", { class: "legend-row" }, el("span", { class: "line thick", style: "background:#1a9641" }), `${CG.between("added_between", CG.state.compare, CG.state.date)} (${shown.filter((c) => c === "new").length})`));
        items.push(el("div", { class: "legend-row" }, el("span", { class: "line thick", style: "background:#d7191c" }), `${CG.between("ended_between", CG.state.compare, CG.state.date)} (${shown.filter((c) => c === "gone").length})`));
      }
      items.push(el("div", { class: "legend-note", text: `${CG.t("size_by")}: ${CG.t("measure_" + CG.state.measure)} (${CG.t("as_of")} ${CG.state.date})` }));
      box.replaceChildren(...items);
    }

    function summary() {
      const active = [...vis.rels.values()].filter((c) => c !== "gone").length;
      $("#cg-status").textContent = `${CG.t("as_of")} ${CG.formatDate(CG.state.date)}: ${vis.nodes.size} ${CG.t("nodes")}, ${active} ${CG.t("relationships_active")}`
        + (CG.state.ego !== null ? ` · ${CG.t("ego_of")} ${CG.label(data.nodes[CG.state.ego])}` : "");
    }

    /** Frame the camera on ``nodes`` (what is shown when the page opens or the ego view changes). */
    function frame(nodes) {
      if (!nodes || nodes.size === 0) { renderer.setCustomBBox(null); renderer.getCamera().animatedReset({ duration: 300 }); return; }
      let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
      for (const i of nodes) { const n = data.nodes[i]; x0 = Math.min(x0, n.x); x1 = Math.max(x1, n.x); y0 = Math.min(y0, n.y); y1 = Math.max(y1, n.y); }
      const pad = Math.max(x1 - x0, y1 - y0, 10) * 0.08;
      renderer.setCustomBBox({ x: [x0 - pad, x1 + pad], y: [y0 - pad, y1 + pad] });
      renderer.getCamera().animatedReset({ duration: 300 });
    }

    const ALL_LABELS = 150;
    let lastEgo;
    function update() {
      const t = performance.now();
      vis = CG.visible();
      sizes = computeSizes();
      if (selected !== null && !vis.nodes.has(+selected)) select(null);
      if (CG.state.ego !== lastEgo) { frame(vis.nodes); lastEgo = CG.state.ego; }
      renderer.refresh();
      legend();
      summary();
      if (overlapShown()) overlap();
      api.timings.lastUpdate = performance.now() - t;
    }

    function select(key) {
      selected = key;
      neighbours = new Set();
      if (key !== null) {
        graph.forEachEdge(key, (edge, attrs, s, d) => { if (vis.rels.has(attrs.rel)) { neighbours.add(s); neighbours.add(d); } });
        CG.showNode(+key);
      }
      renderer.refresh();
    }

    renderer.on("clickNode", ({ node }) => select(node));
    renderer.on("clickEdge", ({ edge }) => { select(null); CG.showRelationship(graph.getEdgeAttribute(edge, "rel")); });
    renderer.on("clickStage", () => select(null));
    renderer.on("enterNode", () => { container.style.cursor = "pointer"; });
    renderer.on("leaveNode", () => { container.style.cursor = ""; });
    renderer.on("enterEdge", () => { container.style.cursor = "pointer"; });
    renderer.on("leaveEdge", () => { container.style.cursor = ""; });

    function onSearch(text) {
      const hit = CG.find(text)[0];
      if (!hit) { $("#cg-status").textContent = `${CG.t("no_match")}: ${text}`; return; }
      if (!vis.nodes.has(hit.index)) {
        $("#cg-status").textContent = `${CG.label(hit)}: ${CG.t("not_shown_on")} ${CG.state.date}`;
        CG.showNode(hit.index);
        return;
      }
      select(String(hit.index));
      const d = renderer.getNodeDisplayData(String(hit.index));
      if (d) renderer.getCamera().animate({ x: d.x, y: d.y, ratio: 0.4 }, { duration: 400 });
    }

    /* ------------------------------------------------------------ overlap view */
    const overlapBox = $("#cg-overlap");
    const overlapShown = () => overlapBox && !overlapBox.hidden;
    function overlap() {
      const members = new Map(); // network index -> Set(member index)
      for (const [i, change] of vis.rels) {
        const rel = data.relationships[i];
        if (rel.kind !== "membership" || change === "gone") continue;
        for (const e of rel.edges) {
          const [, m, n] = data.edges[e];
          if (!members.has(n)) members.set(n, new Set());
          members.get(n).add(m);
        }
      }
      const nets = [...members.keys()].sort((a, b) => members.get(b).size - members.get(a).size || CG.label(data.nodes[a]).localeCompare(CG.label(data.nodes[b]))).slice(0, 40);
      const table = $("#cg-overlap-table");
      const detail = $("#cg-overlap-members");
      if (!nets.length) { table.replaceChildren(el("p", { text: CG.t("no_memberships") })); detail.replaceChildren(); return; }
      let max = 1;
      const shared = nets.map((a) => nets.map((b) => {
        if (a === b) return members.get(a);
        const out = new Set([...members.get(a)].filter((m) => members.get(b).has(m)));
        max = Math.max(max, out.size);
        return out;
      }));
      const head = el("tr", {}, el("th", { class: "corner", text: `${CG.t("as_of")} ${CG.state.date}` }),
        nets.map((n) => el("th", { class: "col" }, el("span", { text: CG.label(data.nodes[n]) }))));
      const rows = nets.map((a, i) => el("tr", {}, el("th", { class: "row", text: `${CG.label(data.nodes[a])} (${members.get(a).size})` }),
        nets.map((b, j) => {
          const set = shared[i][j];
          const diag = i === j;
          const level = diag ? 0 : set.size / max;
          const style = diag ? "" : `background:hsl(212, 70%, ${Math.round(97 - 52 * level)}%);color:${level > 0.6 ? "#fff" : "#1d2329"}`;
          return el("td", {
            class: diag ? "diag" : set.size ? "hit" : "zero", style, text: set.size || (diag ? "0" : ""),
            title: diag ? `${CG.label(data.nodes[a])}: ${set.size} ${CG.t("members")}` : `${CG.label(data.nodes[a])} × ${CG.label(data.nodes[b])}: ${set.size} ${CG.t("shared_members")}`,
            "data-a": a, "data-b": b,
            onclick: () => showShared(a, b, set),
          });
        })));
      table.replaceChildren(el("table", { class: "overlap" }, el("thead", {}, head), el("tbody", {}, rows)));
      if (nets.length === 40) table.append(el("p", { class: "meta", text: CG.t("overlap_top") }));
    }
    function showShared(a, b, set) {
      const detail = $("#cg-overlap-members");
      const title = a === b ? `${CG.label(data.nodes[a])}: ${set.size} ${CG.t("members")}`
        : `${CG.label(data.nodes[a])} × ${CG.label(data.nodes[b])}: ${set.size} ${CG.t("shared_members")}`;
      const list = [...set].sort((x, y) => CG.label(data.nodes[x]).localeCompare(CG.label(data.nodes[y])));
      detail.replaceChildren(el("h3", { text: title }), el("ul", { class: "members" }, list.map((m) =>
        el("li", {}, el("a", { href: "#", text: CG.label(data.nodes[m]), onclick: (ev) => { ev.preventDefault(); CG.showNode(m); } }),
          data.nodes[m].path ? el("a", { class: "permalink", href: CG.entityUrl(data.nodes[m].path), text: "↗", title: CG.t("linked_data_page") }) : null))));
    }

    document.querySelectorAll("[data-view]").forEach((tab) => tab.addEventListener("click", () => {
      const view = tab.dataset.view;
      document.querySelectorAll("[data-view]").forEach((t) => t.classList.toggle("on", t === tab));
      overlapBox.hidden = view !== "overlap";
      $("#cg-network").hidden = view !== "network";
      if (view === "overlap") overlap(); else renderer.refresh();
    }));

    /* ------------------------------------------------------------ start */
    CG.controls({ onSearch });
    CG.onChange(update);
    const slide = $("#cg-slide");
    if (slide) slide.addEventListener("click", () => {
      const q = new URLSearchParams({ format: "png", view: overlapShown() ? "overlap" : CG.state.ego !== null ? "ego" : "network",
        as_of: CG.state.date, lang: CG.lang });
      if (CG.state.ego !== null) q.set("city", data.nodes[CG.state.ego].id);
      location.href = CG.config.export_url + "?" + q.toString();
    });
    let firstRender = true;
    renderer.on("afterRender", () => {
      if (!firstRender) return;
      firstRender = false;
      api.timings.firstRender = performance.now() - t0;
      api.timings.readyAt = performance.now(); // since navigation start
      api.ready = true;
      document.body.dataset.ready = "1";
    });
    update();
    if (new URLSearchParams(location.search).get("view") === "overlap") $("[data-view=overlap]").click();

    Object.assign(api, {
      data, graph, renderer,
      timings: Object.assign(api.timings, { load: tLoaded - t0 }),
      state: CG.state,
      /** Labels (in the page language) of the nodes shown now. */
      visibleLabels: () => [...vis.nodes].map((i) => CG.label(data.nodes[i])).sort(),
      visibleRelationships: () => [...vis.rels.keys()].map((i) => data.relationships[i].id).sort(),
      /** Where a node is drawn, in page pixels (to click it like a person). */
      nodePosition: (label) => {
        const n = data.nodes.find((x) => CG.label(x) === label);
        if (!n || !vis.nodes.has(n.index)) return null;
        const p = renderer.framedGraphToViewport(renderer.getNodeDisplayData(String(n.index)));
        const box = container.getBoundingClientRect();
        return { x: box.left + p.x, y: box.top + p.y };
      },
      setDate: (iso) => { CG.state.date = iso; $("#cg-date").value = CG.dayNumber(iso); $("#cg-date-text").value = iso; CG.changed(); },
      select: (label) => { const n = data.nodes.find((x) => CG.label(x) === label); select(n ? String(n.index) : null); },
    });
  });
})();
