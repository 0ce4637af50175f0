/* citygraph map pages: what the network map, the geographic map and the timeline share.
 *
 * The data is one document (/api/map/graph, or inlined in a self-contained file) holding every
 * relationship with its derived activeFrom/activeUntil. "Active on D" is the one definition of
 * citygraph.temporal: from <= D && (!until || D < until), on ISO dates (strings compare as dates).
 * A relationship without activeFrom is never active on a date.
 */
(function () {
  "use strict";
  const CG = (window.CG = window.CG || {});

  CG.config = JSON.parse(document.getElementById("cg-config").textContent);
  CG.lang = CG.config.lang || "en";
  CG.t = (key) => (CG.config.text && CG.config.text[key]) || key;

  /** The payload: inlined (self-contained file) or fetched once. */
  CG.load = async function () {
    const inline = document.getElementById("cg-data");
    if (inline) return JSON.parse(inline.textContent);
    for (;;) {
      const response = await fetch(CG.config.data_url, { headers: { Accept: "application/json" } });
      if (response.status === 202) { // the first time after a build of a big graph: being prepared
        const box = document.getElementById("cg-status");
        if (box) box.textContent = CG.t("preparing");
        await new Promise((done) => setTimeout(done, 3000));
        continue;
      }
      if (!response.ok) throw new Error(`${CG.config.data_url}: ${response.status}`);
      return response.json();
    }
  };

  /** The one definition of "active on D" (README "Time"; citygraph.temporal.is_active). */
  CG.isActive = (rel, day) => !!rel.from && rel.from <= day && (!rel.until || day < rel.until);

  CG.label = (node) => (node.label && (node.label[CG.lang] || node.label.en || node.label.fi || node.label.sv)) || node.id;
  CG.word = (group, id) => {
    const w = CG.data.words[group] && CG.data.words[group][id];
    if (!w) return id;
    return typeof w === "string" ? w : w[CG.lang] || w.en || id;
  };
  CG.vocab = (iri) => CG.word("vocab", iri);
  CG.entityUrl = (path) => (path ? CG.config.entity_prefix + path + (CG.config.entity_suffix || "") : null);

  /* ------------------------------------------------------------------ dates */
  const DAY = 86400000;
  CG.dayNumber = (iso) => Math.round(Date.parse(iso + "T00:00:00Z") / DAY);
  CG.isoOf = (n) => new Date(n * DAY).toISOString().slice(0, 10);
  CG.formatDate = (iso) => {
    if (!iso) return "";
    const d = new Date(iso + "T00:00:00Z");
    return d.toLocaleDateString(CG.lang === "en" ? "en-GB" : CG.lang === "fi" ? "fi-FI" : "sv-SE",
      { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
  };
  /** "added between 2019-06-01 and 2024-06-01" (the dates in order). */
  CG.between = (key, a, b) => CG.t(key).replace("{a}", a < b ? a : b).replace("{b}", a < b ? b : a);
  CG.formatDated = (d) => {
    if (!d) return "";
    const precision = d.precision && d.precision !== "day" ? ` (${CG.t("precision_" + d.precision)})` : "";
    return d.value + precision;
  };

  /* ------------------------------------------------------------------ colours */
  CG.NODE_COLOURS = { city: "#1f6fb4", network: "#e07b00", organisation: "#2e9e4f", office: "#8a5cc2",
    unit: "#6b7785", country: "#9aa5b1", region: "#9aa5b1", other: "#9aa5b1" };
  CG.EDGE_COLOURS = { partnership: "#1f6fb4", membership: "#e9a04a", agreement: "#119c9c",
    hosting: "#2e9e4f", "office-operation": "#8a5cc2", ownership: "#8c6d3f" };
  CG.PALETTE = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6",
    "#9a6324", "#469990", "#800000", "#808000", "#000075", "#bfef45", "#fabed4", "#dcbeff", "#aaffc3"];
  CG.nodeColour = (kind) => CG.NODE_COLOURS[kind] || CG.NODE_COLOURS.other;
  CG.edgeColour = (kind) => CG.EDGE_COLOURS[kind] || "#888";

  /** "#rrggbb" mixed with white: t = 0 the colour, 1 white. */
  CG.pale = (hex, t) => {
    const n = parseInt(hex.slice(1), 16);
    const mix = (c) => Math.round(c + (255 - c) * t);
    return "#" + [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((c) => mix(c).toString(16).padStart(2, "0")).join("");
  };

  /* ------------------------------------------------------------------ indexes */
  /** Indexes over the payload, made once. */
  CG.prepare = function (data) {
    CG.data = data;
    /** A big graph: redraw after the slider is let go rather than while it moves. */
    CG.heavy = data.edges.length > 20000;
    // undo citygraph.viz.payload.for_browser: ids from paths, empty values, layer names
    const base = data.id_base || "";
    const names = data.layer_names;
    data.nodes.forEach((n, i) => {
      n.index = i; n.rels = [];
      if (!n.id) n.id = base + n.path;
      for (const k of ["path", "country", "lat", "lon"]) if (n[k] === undefined) n[k] = null;
      n.search = Object.values(n.label || {}).join(" ").toLowerCase();
    });
    data.relationships.forEach((r, i) => {
      r.index = i;
      r.edges = [];
      if (!r.id) r.id = base + r.path;
      for (const k of ["path", "from", "until", "status", "reason", "start", "end", "signed", "last"]) if (r[k] === undefined) r[k] = null;
      for (const k of ["layers", "sources", "focus", "roles", "evidence", "parties"]) if (r[k] === undefined) r[k] = [];
      if (names) r.layers = r.layers.map((l) => (typeof l === "number" ? names[l] : l));
      r.parties.forEach((p) => data.nodes[p].rels.push(i));
    });
    data.edges.forEach((e, i) => data.relationships[e[0]].edges.push(i));
    return data;
  };

  /** Index of the centrality snapshot for ``day`` (the latest snapshot date on or before it). */
  CG.snapshotIndex = function (day) {
    const dates = (CG.data.centrality && CG.data.centrality.dates) || [];
    let lo = 0, hi = dates.length - 1, found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (dates[mid] <= day) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return found;
  };
  const scaled = new Map();
  CG.centrality = function (measure, day) {
    const c = CG.data.centrality;
    if (!c || !c.measures[measure]) return null;
    const k = CG.snapshotIndex(day);
    if (!c.scale) return c.measures[measure][k];
    // big graphs: thousandths of the date's largest value
    const key = measure + k;
    if (!scaled.has(key)) scaled.set(key, Float64Array.from(c.measures[measure][k], (q) => (q * c.scale[measure][k]) / 1000));
    return scaled.get(key);
  };

  /* ------------------------------------------------------------------ filters */
  /** The filter state every view reads; ``CG.onChange`` listeners run after each change. */
  CG.state = {
    date: null, compare: "", kinds: new Set(), statuses: new Set(), layers: new Set(),
    source: "", focus: "", country: "", search: "", ego: null, measure: "degree",
  };
  const listeners = [];
  CG.onChange = (fn) => listeners.push(fn);
  CG.changed = () => listeners.forEach((fn) => fn(CG.state));

  /** Does a relationship pass every filter except the date? */
  CG.passes = function (rel, s) {
    s = s || CG.state;
    if (!s.kinds.has(rel.kind)) return false;
    if (!s.statuses.has(rel.status || "unknown")) return false;
    if (!rel.layers.some((l) => s.layers.has(l))) return false;
    if (s.source !== "" && !rel.sources.includes(+s.source)) return false;
    if (s.focus !== "" && !rel.focus.includes(s.focus)) return false;
    if (s.country !== "" && !rel.parties.some((p) => CG.data.nodes[p].country === s.country)) return false;
    return true;
  };

  /**
   * What to show: ``{rels: Map(index -> "same"|"new"|"gone"), nodes: Set(index)}``.
   * Without a comparison date every shown relationship is "same"; with one, "new" = active on the
   * later of the two dates but not on the earlier (added between them), "gone" = the other way
   * round (ended between them). The ego view keeps the
   * chosen city, its neighbours and the ties among them.
   */
  CG.visible = function (s) {
    s = s || CG.state;
    const rels = new Map();
    for (const rel of CG.data.relationships) {
      if (!CG.passes(rel, s)) continue;
      const now = CG.isActive(rel, s.date);
      if (s.compare && s.compare !== s.date) {
        // between the earlier and the later of the two dates
        const [early, late] = s.compare < s.date ? [s.compare, s.date] : [s.date, s.compare];
        const before = CG.isActive(rel, early), after = CG.isActive(rel, late);
        if (before && after) rels.set(rel.index, "same");
        else if (after) rels.set(rel.index, "new");
        else if (before) rels.set(rel.index, "gone");
      } else if (now) rels.set(rel.index, "same");
    }
    if (s.ego !== null && s.ego !== undefined) {
      const around = new Set([s.ego]);
      for (const [i] of rels) {
        const parties = CG.data.relationships[i].parties;
        if (parties.includes(s.ego)) parties.forEach((p) => around.add(p));
      }
      for (const [i] of [...rels]) {
        if (!CG.data.relationships[i].parties.every((p) => around.has(p))) rels.delete(i);
      }
    }
    const nodes = new Set();
    for (const [i] of rels) {
      for (const e of CG.data.relationships[i].edges) {
        nodes.add(CG.data.edges[e][1]);
        nodes.add(CG.data.edges[e][2]);
      }
    }
    if (s.ego !== null && s.ego !== undefined) nodes.add(s.ego);
    return { rels, nodes };
  };

  /* ------------------------------------------------------------------ controls */
  const $ = (sel, root) => (root || document).querySelector(sel);
  CG.$ = $;
  CG.el = function (tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") e.className = v;
      else if (k === "text") e.textContent = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(c);
    return e;
  };
  const el = CG.el;

  function checkboxes(container, values, chosen, labelOf, colourOf) {
    container.replaceChildren();
    for (const v of values) {
      chosen.add(v);
      const box = el("input", { type: "checkbox", value: v, checked: true, onchange: (ev) => {
        if (ev.target.checked) chosen.add(v); else chosen.delete(v);
        CG.changed();
      } });
      const swatch = colourOf ? el("span", { class: "swatch", style: `background:${colourOf(v)}` }) : null;
      container.append(el("label", { class: "check" }, box, swatch, labelOf(v)));
    }
  }

  function options(select, values, labelOf, first) {
    select.replaceChildren(el("option", { value: "", text: first }));
    for (const v of values) select.append(el("option", { value: v, text: labelOf(v) }));
  }

  /** Wire the filter controls present in the page (any subset of them). */
  CG.controls = function (opts) {
    opts = opts || {};
    const data = CG.data, s = CG.state;
    const params = new URLSearchParams(location.search);
    const period = data.period;
    s.date = params.get("date") || data.defaults.date;
    s.compare = params.get("compare") || "";
    s.measure = params.get("measure") || data.defaults.measure;

    const slider = $("#cg-date");
    if (slider) {
      slider.min = CG.dayNumber(period.min);
      slider.max = CG.dayNumber(period.max);
      slider.value = CG.dayNumber(s.date);
      const shown = $("#cg-date-text");
      const update = () => { shown.value = s.date; };
      update();
      // While the slider moves, redraw at most once per frame; a big graph (CG.heavy) redraws when
      // the slider is let go (its date shows all along).
      let queued = false;
      slider.addEventListener("input", () => {
        s.date = CG.isoOf(+slider.value);
        update();
        if (CG.heavy || queued) return;
        queued = true;
        requestAnimationFrame(() => { queued = false; CG.changed(); });
      });
      slider.addEventListener("change", () => { s.date = CG.isoOf(+slider.value); update(); CG.changed(); });
      shown.min = period.min; shown.max = period.max;
      shown.addEventListener("change", () => {
        if (!/^\d{4}-\d{2}-\d{2}$/.test(shown.value)) return;
        s.date = shown.value; slider.value = CG.dayNumber(s.date); CG.changed();
      });
      document.querySelectorAll("[data-date]").forEach((b) => b.addEventListener("click", () => {
        s.date = b.dataset.date === "today" ? data.defaults.date : b.dataset.date;
        slider.value = CG.dayNumber(s.date); update(); CG.changed();
      }));
      const ticks = $("#cg-date-ticks");
      if (ticks) {
        const y0 = +period.min.slice(0, 4) + 1, y1 = +period.max.slice(0, 4);
        const span = +slider.max - +slider.min;
        for (let y = y0; y <= y1; y++) {
          const left = ((CG.dayNumber(`${y}-01-01`) - +slider.min) / span) * 100;
          const every = y1 - y0 < 12 ? 1 : y1 - y0 < 24 ? 2 : 5;
          ticks.append(el("span", { style: `left:${left}%`, text: y % every === 0 ? String(y) : "" }));
        }
      }
    }
    const compare = $("#cg-compare");
    if (compare) {
      compare.value = s.compare;
      compare.addEventListener("change", () => { s.compare = compare.value; CG.changed(); });
    }
    const kinds = [...new Set(data.relationships.map((r) => r.kind))].sort();
    const kindBox = $("#cg-kinds");
    if (kindBox) checkboxes(kindBox, kinds, s.kinds, (k) => CG.word("kinds", k), CG.edgeColour);
    else kinds.forEach((k) => s.kinds.add(k));
    const statuses = [...new Set(data.relationships.map((r) => r.status || "unknown"))].sort();
    const statusBox = $("#cg-statuses");
    if (statusBox) checkboxes(statusBox, statuses, s.statuses, (k) => (k === "unknown" ? CG.t("unknown") : CG.word("statuses", k)));
    else statuses.forEach((k) => s.statuses.add(k));
    const layers = [...new Set(data.relationships.flatMap((r) => r.layers))].sort();
    const layerBox = $("#cg-layers");
    if (layerBox) checkboxes(layerBox, layers, s.layers, (k) => k);
    else layers.forEach((k) => s.layers.add(k));
    if (layerBox) layerBox.querySelectorAll("label").forEach((l, i) => { l.title = CG.word("layers", layers[i]); });

    const source = $("#cg-source");
    if (source) {
      const used = [...new Set(data.relationships.flatMap((r) => r.sources))].sort((a, b) => a - b);
      options(source, used, (i) => data.sources[i].title + (data.sources[i].date ? ` (${data.sources[i].date})` : ""), CG.t("all_sources"));
      source.addEventListener("change", () => { s.source = source.value; CG.changed(); });
    }
    const focus = $("#cg-focus");
    if (focus) {
      const used = [...new Set(data.relationships.flatMap((r) => r.focus))].sort((a, b) => CG.vocab(a).localeCompare(CG.vocab(b)));
      options(focus, used, CG.vocab, CG.t("all_focus"));
      focus.addEventListener("change", () => { s.focus = focus.value; CG.changed(); });
    }
    const country = $("#cg-country");
    if (country) {
      const names = (c) => { const w = data.countries[c]; return (w && (w[CG.lang] || w.en)) || c; };
      const used = Object.keys(data.countries).sort((a, b) => names(a).localeCompare(names(b)));
      options(country, used, names, CG.t("all_countries"));
      country.addEventListener("change", () => { s.country = country.value; CG.changed(); });
    }
    const measure = $("#cg-measure");
    if (measure && data.centrality) {
      measure.replaceChildren(...Object.keys(data.centrality.measures).map((m) =>
        el("option", { value: m, text: CG.t("measure_" + m), selected: m === s.measure })));
      measure.addEventListener("change", () => { s.measure = measure.value; CG.changed(); });
    }
    const egoCity = $("#cg-ego-city");
    if (egoCity) {
      const cities = data.nodes.filter((n) => n.kind === "city").sort((a, b) => CG.label(a).localeCompare(CG.label(b)));
      egoCity.replaceChildren(...cities.map((n) => el("option", { value: n.index, text: CG.label(n), selected: n.id === data.defaults.city })));
      const start = params.get("ego");
      const button = $("#cg-ego");
      const setEgo = (on) => {
        s.ego = on ? +egoCity.value : null;
        button.classList.toggle("on", on);
        button.textContent = on ? CG.t("whole_graph") : CG.t("ego_view");
        CG.changed();
      };
      button.addEventListener("click", () => setEgo(s.ego === null));
      egoCity.addEventListener("change", () => { if (s.ego !== null) setEgo(true); });
      if (start !== null) {
        const hit = data.nodes.find((n) => n.id === start || n.path === start || (n.path || "").endsWith("/" + start));
        if (hit) { egoCity.value = hit.index; s.ego = hit.index; button.classList.add("on"); button.textContent = CG.t("whole_graph"); }
      }
    }
    const search = $("#cg-search");
    if (search && opts.onSearch) {
      const list = $("#cg-search-list");
      // suggestions: the best-connected names (a list of tens of thousands helps nobody)
      const top = [...data.nodes].sort((a, b) => b.rels.length - a.rels.length).slice(0, 1500);
      if (list) list.replaceChildren(...top.map((n) => el("option", { value: CG.label(n) })));
      search.addEventListener("change", () => opts.onSearch(search.value));
      search.addEventListener("keydown", (ev) => { if (ev.key === "Enter") opts.onSearch(search.value); });
    }
  };

  /** Nodes whose name (any language) contains ``text``, best first. */
  CG.find = function (text) {
    const q = (text || "").trim().toLowerCase();
    if (!q) return [];
    const hits = CG.data.nodes.filter((n) => n.search.includes(q));
    hits.sort((a, b) => (CG.label(a).toLowerCase() === q ? -1 : 0) - (CG.label(b).toLowerCase() === q ? -1 : 0)
      || b.rels.length - a.rels.length);
    return hits;
  };

  /* ------------------------------------------------------------------ details panel */
  function link(path, text) {
    const url = CG.entityUrl(path);
    return url ? el("a", { href: url, text }) : document.createTextNode(text);
  }

  CG.relTitle = function (rel, from) {
    const others = rel.parties.filter((p) => p !== from).map((p) => CG.label(CG.data.nodes[p]));
    const all = rel.parties.map((p) => CG.label(CG.data.nodes[p]));
    return `${CG.word("kinds", rel.kind)}: ${(from === undefined ? all : others).join(" – ")}`;
  };

  function evidenceList(rel) {
    const ul = el("ul", { class: "evidence" });
    for (const e of rel.evidence) {
      const src = e.source !== undefined && e.source !== null ? CG.data.sources[e.source] : null;
      const quote = e.quote
        ? el("blockquote", { class: "quote", lang: e.lang || null, text: e.quote })
        : e.record ? el("blockquote", { class: "quote record", text: e.record }) : null;
      const described = (e.described || []).map(CG.vocab).join(", ");
      ul.append(el("li", { class: "attestation" }, quote,
        el("div", { class: "cite" }, "— ", src ? link(src.path, src.title) : CG.t("unknown_source"),
          src && src.date ? `, ${src.date}` : "",
          described ? el("span", { class: "meta", text: `${CG.t("described_as")}: ${described}` }) : null)));
    }
    return ul;
  }

  function facts(pairs) {
    const dl = el("dl", { class: "facts" });
    for (const [k, v] of pairs) if (v !== null && v !== undefined && v !== "") dl.append(el("dt", { text: k }), el("dd", {}, v));
    return dl;
  }

  CG.relationshipFacts = function (rel) {
    const status = rel.status ? el("span", { class: "status", text: CG.word("statuses", rel.status) }) : null;
    const reason = rel.reason ? rel.reason[CG.lang] || rel.reason.en || rel.reason[""] || Object.values(rel.reason)[0] : "";
    return facts([
      [CG.t("status"), status],
      [CG.t("reason"), reason],
      [CG.t("start"), CG.formatDated(rel.start)],
      [CG.t("signed"), CG.formatDated(rel.signed)],
      [CG.t("end"), CG.formatDated(rel.end)],
      [CG.t("active_from"), rel.from || CG.t("undated")],
      [CG.t("active_until"), rel.until || (rel.from ? CG.t("open") : "")],
      [CG.t("last_attested"), rel.last],
      [CG.t("roles"), rel.roles.map(CG.vocab).join(", ")],
      [CG.t("focus"), rel.focus.map(CG.vocab).join(", ")],
      [CG.t("layer"), rel.layers.join(", ")],
    ]);
  };

  /** The details panel for a relationship. */
  CG.showRelationship = function (index) {
    const rel = CG.data.relationships[index];
    const panel = $("#cg-details");
    const active = CG.isActive(rel, CG.state.date);
    panel.replaceChildren(
      el("h2", { text: CG.relTitle(rel) }),
      el("p", { class: "meta" }, active ? CG.t("active_on") + " " + CG.state.date : CG.t("not_active_on") + " " + CG.state.date),
      el("article", { class: `relationship status-${rel.status || "unknown"}` },
        CG.relationshipFacts(rel),
        el("h3", { text: `${CG.t("sources")} (${rel.sources.length})` }),
        el("ul", { class: "sources" }, rel.sources.map((i) => el("li", {}, link(CG.data.sources[i].path, CG.data.sources[i].title),
          CG.data.sources[i].date ? `, ${CG.data.sources[i].date}` : ""))),
        el("h3", { text: CG.t("evidence") }),
        evidenceList(rel)),
      el("p", {}, link(rel.path, CG.t("linked_data_page") + " →")));
    panel.hidden = false;
    panel.scrollTop = 0;
    panel.dataset.shows = rel.id;
  };

  /** The details panel for a node: what it is, its measures on the date, its relationships. */
  CG.showNode = function (index, onRel) {
    const node = CG.data.nodes[index];
    const panel = $("#cg-details");
    const day = CG.state.date;
    const rels = node.rels.map((i) => CG.data.relationships[i]);
    rels.sort((a, b) => (CG.isActive(b, day) - CG.isActive(a, day)) || a.kind.localeCompare(b.kind) || (a.from || "").localeCompare(b.from || ""));
    const sources = [...new Set(rels.flatMap((r) => r.sources))].sort((a, b) => a - b);
    const measures = [];
    if (CG.data.centrality) {
      for (const m of Object.keys(CG.data.centrality.measures)) {
        const v = CG.centrality(m, day)[index];
        measures.push([CG.t("measure_" + m), v ? String(+v.toPrecision(3)) : "0"]);
      }
    }
    const country = node.country && CG.data.countries[node.country];
    const relList = el("ul", { class: "rels" });
    for (const r of rels) {
      const active = CG.isActive(r, day);
      const dates = `${r.from || CG.t("undated")} → ${r.until || (r.from ? CG.t("open") : "")}`;
      relList.append(el("li", { class: active ? "active" : "inactive" },
        el("a", { href: "#", text: CG.relTitle(r, index), onclick: (ev) => { ev.preventDefault(); (onRel || CG.showRelationship)(r.index); } }),
        el("span", { class: "meta", text: ` ${dates}${r.status ? " · " + CG.word("statuses", r.status) : ""}${active ? "" : " · " + CG.t("not_active_on") + " " + day}` })));
    }
    panel.replaceChildren(
      el("h2", { text: CG.label(node) }),
      el("p", { class: "meta", text: [CG.word("node_kinds", node.kind), country ? country[CG.lang] || country.en : ""].filter(Boolean).join(" · ") }),
      measures.length ? el("details", { class: "measures" }, el("summary", { text: `${CG.t("centrality_on")} ${day}` }), facts(measures)) : null,
      el("h3", { text: `${CG.t("relationships")} (${rels.filter((r) => CG.isActive(r, day)).length} ${CG.t("active_on")} ${day}, ${rels.length} ${CG.t("in_all")})` }),
      relList,
      el("h3", { text: `${CG.t("sources")} (${sources.length})` }),
      el("ul", { class: "sources" }, sources.map((i) => el("li", {}, link(CG.data.sources[i].path, CG.data.sources[i].title),
        CG.data.sources[i].date ? `, ${CG.data.sources[i].date}` : ""))),
      el("p", {}, link(node.path, CG.t("linked_data_page") + " →")));
    panel.hidden = false;
    panel.scrollTop = 0;
    panel.dataset.shows = node.id;
  };

  /** Run ``main(data)`` once the payload is in; show errors in the page. */
  CG.start = function (main) {
    CG.load().then((data) => { CG.prepare(data); return main(data); }).catch((err) => {
      const box = $("#cg-status");
      if (box) box.textContent = `${CG.t("load_failed")}: ${err.message}`;
      console.error(err);
    });
  };
})();
