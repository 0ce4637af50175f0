/* citygraph timeline (/timeline): each relationship as a bar from activeFrom to activeUntil (an
 * open end fades out: nobody reported it ended), the month or year a source gives for a start or
 * an end as a light band, each source's attestation as a dot on its date, and status changes
 * (ended, suspended) as marks. Filters: kind, status, layer and city. Plain SVG.
 */
(function () {
  "use strict";
  const CG = window.CG;
  const t0 = performance.now();
  const api = (window.citygraphTimeline = { ready: false, timings: {} });
  const SVG = "http://www.w3.org/2000/svg";
  const KIND_ORDER = ["partnership", "agreement", "membership", "office-operation", "hosting", "ownership"];
  const MAX_ROWS = 600;

  function svg(tag, attrs, ...children) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v !== null && v !== undefined) e.setAttribute(k, v);
    for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c);
    return e;
  }
  const title = (text) => svg("title", {}, text);

  /** The last day of a stated date: "2023" -> 2023-12-31, "2022-02" -> 2022-02-28. */
  function periodOf(d) {
    if (!d || !d.value) return null;
    const v = d.value.slice(0, 10);
    if (/^\d{4}$/.test(v)) return [`${v}-01-01`, `${v}-12-31`];
    if (/^\d{4}-\d{2}$/.test(v)) {
      const [y, m] = v.split("-").map(Number);
      const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
      return [`${v}-01`, `${v}-${String(last).padStart(2, "0")}`];
    }
    return [v, v];
  }

  CG.start((data) => {
    const { el, $ } = CG;
    const stage = $("#cg-timeline");
    const citySelect = $("#cg-timeline-city");
    const cities = data.nodes.filter((n) => n.kind === "city" && n.rels.length).sort((a, b) => CG.label(a).localeCompare(CG.label(b)));
    const params = new URLSearchParams(location.search);
    const wanted = params.get("city");
    citySelect.replaceChildren(el("option", { value: "", text: CG.t("all_cities") }),
      ...cities.map((n) => el("option", { value: n.index, text: CG.label(n),
        selected: wanted ? n.path === wanted || n.id === wanted || n.path === `city/${wanted}` : n.id === data.defaults.city })));
    citySelect.addEventListener("change", render);
    const sourceColour = (i) => CG.PALETTE[i % CG.PALETTE.length];
    let rows = [];

    function render() {
      const t = performance.now();
      const city = citySelect.value === "" ? null : +citySelect.value;
      const picked = data.relationships.filter((r) => CG.passes(r) && (city === null || r.parties.includes(city)));
      const rank = (k) => (KIND_ORDER.includes(k) ? KIND_ORDER.indexOf(k) : KIND_ORDER.length);
      picked.sort((a, b) => rank(a.kind) - rank(b.kind) || a.kind.localeCompare(b.kind)
        || (a.from || "9999").localeCompare(b.from || "9999") || CG.relTitle(a, city ?? undefined).localeCompare(CG.relTitle(b, city ?? undefined)));
      rows = picked.slice(0, MAX_ROWS);

      const width = Math.max(stage.clientWidth - 2, 700);
      const labelW = Math.min(300, width * 0.3);
      const right = 24, top = 34, rowH = 22, groupH = 26;
      const d0 = CG.dayNumber(data.period.min), d1 = CG.dayNumber(data.period.max);
      const x = (iso) => labelW + ((CG.dayNumber(iso) - d0) / (d1 - d0)) * (width - labelW - right);
      const groups = [];
      for (const r of rows) {
        if (!groups.length || groups[groups.length - 1].kind !== r.kind) groups.push({ kind: r.kind, rows: [] });
        groups[groups.length - 1].rows.push(r);
      }
      const height = top + groups.length * groupH + rows.length * rowH + 16;
      const defs = svg("defs", {});
      const root = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": CG.t("timeline_title") }, defs);
      // fading gradient per colour, for open ends
      const fades = new Map();
      const fade = (colour) => {
        if (!fades.has(colour)) {
          const id = `fade${fades.size}`;
          defs.append(svg("linearGradient", { id, x1: "0", x2: "1", y1: "0", y2: "0" },
            svg("stop", { offset: "0%", "stop-color": colour, "stop-opacity": "1" }),
            svg("stop", { offset: "55%", "stop-color": colour, "stop-opacity": "0.75" }),
            svg("stop", { offset: "100%", "stop-color": colour, "stop-opacity": "0.05" })));
          fades.set(colour, id);
        }
        return `url(#${fades.get(colour)})`;
      };
      // axis: a line per year, labels on top
      const axis = svg("g", { class: "axis" });
      const y0 = +data.period.min.slice(0, 4) + 1, y1 = +data.period.max.slice(0, 4);
      for (let y = y0; y <= y1; y++) {
        const xx = x(`${y}-01-01`);
        axis.append(svg("line", { x1: xx, x2: xx, y1: top - 6, y2: height - 8, stroke: "#e6e9ed" }),
          svg("text", { x: xx, y: top - 12, "text-anchor": "middle" }, String(y)));
      }
      for (const [iso, text, colour] of [["2019-06-01", "2019-06-01", "#5b6670"], ["2022-02-24", "24.2.2022", "#a33"], [data.defaults.date, CG.t("today"), "#0050a0"]]) {
        const xx = x(iso);
        axis.append(svg("line", { x1: xx, x2: xx, y1: top - 4, y2: height - 8, stroke: colour, "stroke-dasharray": "4 3", "stroke-width": 1.2 }),
          svg("text", { x: xx + 3, y: height - 10, fill: colour, style: "font-size:10px" }, text));
      }
      root.append(axis);

      let y = top;
      for (const g of groups) {
        root.append(svg("text", { class: "group-label", x: 6, y: y + 18 }, `${CG.word("kinds", g.kind)} (${g.rows.length})`));
        root.append(svg("line", { x1: 0, x2: width, y1: y + groupH - 2, y2: y + groupH - 2, stroke: "#d9dee3" }));
        y += groupH;
        for (const r of g.rows) {
          const colour = CG.edgeColour(r.kind);
          const row = svg("g", { class: "row", "data-rel": r.id, transform: `translate(0 ${y})` });
          row.append(svg("rect", { class: "bg", x: 0, y: 0, width, height: rowH, fill: "transparent" }));
          const label = CG.relTitle(r, city ?? undefined).replace(/^[^:]*: /, "");
          const text = svg("text", { class: "row-label", x: labelW - 8, y: 15, "text-anchor": "end" }, label.length > 44 ? label.slice(0, 43) + "…" : label, title(CG.relTitle(r)));
          text.addEventListener("click", () => CG.showRelationship(r.index));
          row.append(text);
          // the month or year a source gives, as a band
          for (const stated of [r.start || r.signed, r.end]) {
            const p = periodOf(stated);
            if (p && p[0] !== p[1]) row.append(svg("rect", { x: x(p[0]), y: 3, width: Math.max(x(p[1]) - x(p[0]), 2), height: rowH - 6, fill: CG.pale(colour, 0.8), rx: 2 },
              title(`${CG.formatDated(stated)}`)));
          }
          if (r.from) {
            const until = r.until || data.period.max;
            const ended = r.status === "ended";
            const fill = r.until ? (ended ? CG.pale(colour, 0.3) : colour) : fade(colour);
            const bar = svg("rect", { class: "bar", x: x(r.from), y: 6, width: Math.max(x(until) - x(r.from), 3), height: rowH - 12, rx: 3, fill },
              title(`${CG.relTitle(r)}\n${CG.t("active_from")}: ${r.from}\n${CG.t("active_until")}: ${r.until || CG.t("open")}${r.status ? "\n" + CG.t("status") + ": " + CG.word("statuses", r.status) : ""}`));
            bar.addEventListener("click", () => CG.showRelationship(r.index));
            row.append(bar);
            if (r.until && r.status && r.status !== "active") {
              const xx = x(r.until);
              const c = r.status === "ended" ? "#c62828" : "#a86b00";
              const reason = r.reason ? r.reason[CG.lang] || r.reason.en || Object.values(r.reason)[0] : "";
              row.append(svg("path", { class: "status-change", d: `M${xx - 5},3 L${xx + 5},${rowH - 3} M${xx + 5},3 L${xx - 5},${rowH - 3}`, stroke: c, "stroke-width": 2.2 },
                title(`${CG.word("statuses", r.status)} ${r.until}${reason ? ": " + reason : ""}`)));
            }
          } else {
            row.append(svg("text", { x: labelW + 4, y: 15, fill: "#8a939c", style: "font-size:11px;font-style:italic" }, CG.t("undated_rel")));
          }
          // attestations: where each source says so
          for (const e of r.evidence) {
            if (!e.on) continue;
            const src = e.source !== undefined && e.source !== null ? data.sources[e.source] : null;
            row.append(svg("circle", { class: "attestation", cx: x(e.on), cy: rowH / 2, r: 4.2, fill: src ? sourceColour(e.source) : "#777", stroke: "#fff", "stroke-width": 1.3 },
              title(`${src ? src.title : CG.t("unknown_source")} (${e.on})${e.quote ? "\n“" + e.quote + "”" : e.record ? "\n" + e.record : ""}`)));
          }
          root.append(row);
          y += rowH;
        }
      }
      stage.replaceChildren(root);
      if (picked.length > MAX_ROWS) stage.prepend(el("p", { class: "meta", text: CG.t("timeline_cap").replace("{n}", MAX_ROWS) }));
      $("#cg-status").textContent = `${picked.length} ${CG.t("timeline_rows")}` + (city !== null ? ` · ${CG.label(data.nodes[city])}` : "");
      legend(rows);
      api.timings.lastRender = performance.now() - t;
      if (!api.ready) { api.ready = true; api.timings.firstRender = performance.now() - t0; api.timings.readyAt = performance.now(); document.body.dataset.ready = "1"; }
    }

    function legend(shown) {
      const kinds = [...new Set(shown.map((r) => r.kind))];
      const used = [...new Set(shown.flatMap((r) => r.evidence.map((e) => e.source)).filter((s) => s !== undefined && s !== null))].sort((a, b) => a - b);
      $("#cg-legend").replaceChildren(
        ...kinds.map((k) => el("span", { class: "legend-row" }, el("span", { class: "bar", style: `background:${CG.edgeColour(k)}` }), CG.word("kinds", k))),
        el("span", { class: "legend-row" }, el("span", { class: "bar", style: `background:linear-gradient(90deg, ${CG.edgeColour("partnership")}, ${CG.pale(CG.edgeColour("partnership"), 0.95)})` }), CG.t("open_bar")),
        el("span", { class: "legend-row" }, el("span", { class: "bar", style: `background:${CG.pale(CG.edgeColour("partnership"), 0.8)}` }), CG.t("stated_period")),
        el("span", { class: "legend-row" }, el("span", { style: "color:#c62828;font-weight:700" }, "✕"), CG.t("status_change")),
        el("span", { class: "legend-row" }, el("span", { class: "pin", style: "background:#777" }), CG.t("attestation") + ":"),
        ...used.map((i) => el("span", { class: "legend-row" }, el("span", { class: "pin", style: `background:${sourceColour(i)}` }),
          `${data.sources[i].title}${data.sources[i].date ? " (" + data.sources[i].date + ")" : ""}`)));
    }

    CG.controls({});
    CG.onChange(render);
    window.addEventListener("resize", render);
    render();
    Object.assign(api, {
      data,
      /** The relationships drawn now, in order (IRIs). */
      rows: () => rows.map((r) => r.id),
      setCity: (label) => { const n = cities.find((c) => CG.label(c) === label); citySelect.value = n ? n.index : ""; render(); },
    });
  });
})();
