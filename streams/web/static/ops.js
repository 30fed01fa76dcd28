// casebridge operations page: polls the worker's JSON API and renders it.
// Plain DOM, no framework and no build step. Every value is written with
// textContent (never innerHTML), so record keys and error texts from Kafka
// cannot inject markup. Elements get stable data-testid attributes for tests.
"use strict";

const REFRESH_MS = 3000;

function byTestId(id) {
  return document.querySelector(`[data-testid="${CSS.escape(id)}"]`);
}

function el(tag, text, testid, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (testid) node.dataset.testid = testid;
  if (className) node.className = className;
  return node;
}

function show(node, text) {
  node.textContent = text;
  node.hidden = !text;
}

// "2026-11-26T04:30:27.559000+00:00" -> "2026-11-26 04:30:27.559Z": shorter, still exact to the ms.
function stamp(iso) {
  if (!iso) return "-";
  return iso.replace("T", " ").replace(/(\.\d{3})\d*/, "$1").replace("+00:00", "Z");
}

function rate(value) {
  return value === null || value === undefined ? "–" : String(value);
}

async function api(path, options) {
  const response = await fetch(path, options);
  let body = null;
  try {
    body = await response.json();
  } catch (err) {
    throw new Error(`${path}: HTTP ${response.status}, not JSON`);
  }
  if (!response.ok) throw new Error(body && body.error ? body.error : `${path}: HTTP ${response.status}`);
  return body;
}

function renderStages(overview) {
  const body = byTestId("stages-body");
  body.replaceChildren();
  for (const stage of overview.stages) {
    const row = el("tr", null, `stage-${stage.agent}`);
    row.append(
      el("td", stage.agent),
      el("td", stage.in.count, `stage-in-${stage.agent}`, "num"),
      el("td", rate(stage.in.rate), `stage-in-rate-${stage.agent}`, "num"),
      el("td", stage.out.count, `stage-out-${stage.agent}`, "num"),
      el("td", rate(stage.out.rate), `stage-out-rate-${stage.agent}`, "num"),
      el("td", Object.entries(stage.out.topics).map(([t, v]) => `${t}: ${v.count}`).join(", ")),
    );
    body.append(row);
  }
  if (!overview.stages.length) {
    const row = el("tr");
    row.append(el("td", "no agent has counted a record on this worker yet", "stages-empty"));
    body.append(row);
  }
  byTestId("stages-total-in").textContent = String(overview.totals.in);
  byTestId("stages-total-out").textContent = String(overview.totals.out);
  byTestId("rate-window").textContent = String(overview.rate_window_s);
}

function renderLag(lag) {
  const body = byTestId("lag-body");
  body.replaceChildren();
  const status = byTestId("lag-status");
  if (!lag.available) {
    status.textContent = "n/a";
    status.className = "";
    byTestId("lag-at").textContent = "-";
    show(byTestId("lag-unavailable"), lag.reason);
    return;
  }
  show(byTestId("lag-unavailable"), lag.error ? `error: ${lag.error}` : "");
  status.textContent = lag.status;
  status.className = `status-${lag.status}`;
  byTestId("lag-at").textContent = lag.at;
  for (const group of lag.groups) {
    const row = el("tr", null, `lag-group-${group.group}`);
    row.append(
      el("td", group.group),
      el("td", group.status, `lag-status-${group.group}`, `status-${group.status}`),
      el("td", group.state, `lag-state-${group.group}`),
      el("td", group.members, `lag-members-${group.group}`, "num"),
      el("td", group.total_lag, `lag-total-${group.group}`, "num"),
      el("td", group.error || Object.entries(group.topics).map(([t, n]) => `${t}: ${n}`).join(", ")),
    );
    body.append(row);
  }
}

async function listCases(filter, value) {
  const box = byTestId("case-list");
  const query = new URLSearchParams({ [filter]: value, limit: "50" });
  try {
    const found = await api(`/api/cases?${query}`);
    byTestId("case-list-title").textContent = `${found.count} most recent ${filter} ${value}`;
    const body = byTestId("case-list-body");
    body.replaceChildren();
    for (const c of found.cases) {
      const row = el("tr", null, "case-list-row");
      const open = el("button", c.case_id, null, "link mono");
      open.type = "button";
      open.addEventListener("click", () => showCase(c.case_id));
      const cell = el("td");
      cell.append(open);
      // A FAILED case says why (the dead-lettered decision's reason) right in the list.
      const why = c.status === "FAILED" && c.detail ? `${c.status}: ${c.detail}` : c.status;
      row.append(
        cell, el("td", c.case_type), el("td", why, "case-list-status"), el("td", c.shop),
        el("td", c.subject_id),
        el("td", stamp(c.updated_at), null, "nowrap"),
      );
      body.append(row);
    }
    box.hidden = false;
  } catch (err) {
    show(byTestId("error"), String(err.message || err));
  }
}

function renderCountTable(bodyId, counts, prefix, filter) {
  const body = byTestId(bodyId);
  body.replaceChildren();
  for (const [name, count] of Object.entries(counts)) {
    const row = el("tr");
    const link = el("button", name, null, "link");
    link.type = "button";
    link.addEventListener("click", () => listCases(filter, name));
    const cell = el("td");
    cell.append(link);
    row.append(cell, el("td", count, `${prefix}-${name}`, "num"));
    body.append(row);
  }
}

function renderCases(cases) {
  byTestId("cases-total").textContent = String(cases.total);
  byTestId("cases-loading").hidden = cases.ready;
  show(byTestId("cases-error"), cases.error || "");
  renderCountTable("cases-by-type-body", cases.by_type, "cases-type", "type");
  renderCountTable("cases-by-state-body", cases.by_state, "cases-state", "state");
  renderCountTable("cases-by-shop-body", cases.by_shop || {}, "cases-shop", "shop");
}

async function listDlq(topic) {
  try {
    const found = await api(`/api/dlq/${encodeURIComponent(topic)}?limit=50`);
    byTestId("dlq-records-title").textContent = `${found.count} oldest records of ${found.topic}`;
    const body = byTestId("dlq-records-body");
    body.replaceChildren();
    for (const r of found.records) {
      const row = el("tr", null, "dlq-record");
      row.append(
        el("td", r.partition, null, "num"), el("td", r.offset, null, "num"), el("td", stamp(r.timestamp), null, "nowrap"),
        el("td", r.key || "-", null, "mono"), el("td", r.dlq.reason || "-"), el("td", r.dlq.error_class || "-"),
        el("td", r.replay.attempt || "-"),
      );
      body.append(row);
    }
    byTestId("dlq-records").hidden = false;
  } catch (err) {
    show(byTestId("error"), String(err.message || err));
  }
}

async function replayDlq(topic, button) {
  if (!window.confirm(`Replay the not-yet-replayed records of ${topic} to their source topics?`)) return;
  const result = byTestId("replay-result");
  button.disabled = true;
  show(result, `replaying ${topic}…`);
  try {
    const done = await api(`/api/dlq/${encodeURIComponent(topic)}/replay`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{}",
    });
    const skipped = done.skipped.length ? `, skipped ${done.skipped.length} (${done.skipped[0].reason})` : "";
    show(result, `${done.dlq_topic}: replayed ${done.replayed.length} of ${done.examined} examined${skipped}`);
    result.dataset.replayed = String(done.replayed.length);
  } catch (err) {
    show(result, `replay of ${topic} failed: ${err.message || err}`);
    result.dataset.replayed = "error";
  } finally {
    button.disabled = false;
  }
}

function renderDlq(dlq) {
  show(byTestId("dlq-error"), dlq.error || "");
  const body = byTestId("dlq-body");
  body.replaceChildren();
  for (const d of dlq.topics) {
    const row = el("tr", null, `dlq-row-${d.topic}`);
    const count = d.exists ? (d.records === null ? "?" : d.records) : "missing";
    const actions = el("td");
    if (d.exists) {
      const list = el("button", "Records", `dlq-list-${d.topic}`);
      list.type = "button";
      list.addEventListener("click", () => listDlq(d.topic));
      const replay = el("button", "Replay", `dlq-replay-${d.topic}`);
      replay.type = "button";
      replay.disabled = !d.records;
      replay.addEventListener("click", () => replayDlq(d.topic, replay));
      actions.append(list, " ", replay);
    }
    row.append(el("td", d.topic, null, "mono"), el("td", count, `dlq-count-${d.topic}`, "num"), actions);
    body.append(row);
  }
}

async function showCase(caseId) {
  const id = caseId.trim();
  const table = byTestId("case-trail");
  const error = byTestId("case-error");
  byTestId("case-search-input").value = id;
  if (!id) return;
  show(error, "");
  try {
    const trail = await api(`/api/cases/${encodeURIComponent(id)}`);
    const body = byTestId("case-trail-body");
    body.replaceChildren();
    for (const e of trail.entries) {
      const row = el("tr", null, "case-entry");
      row.append(
        el("td", stamp(e.at), "case-entry-time", "nowrap"), el("td", e.stage, "case-entry-stage"),
        el("td", e.summary, "case-entry-summary"), el("td", `${e.topic}/${e.partition}/${e.offset}`, null, "mono"),
      );
      body.append(row);
    }
    table.hidden = false;
  } catch (err) {
    table.hidden = true;
    show(error, String(err.message || err));
  }
}

// --- charts: the last hour, drawn as inline SVG (no library, nothing fetched from elsewhere) ---

const SVG_NS = "http://www.w3.org/2000/svg";
const CHART_W = 420;
const CHART_H = 150;
const PAD = { left: 44, right: 8, top: 8, bottom: 20 };
const PALETTE = ["#1f5fbf", "#c2410c", "#1e7b34", "#7c3aed", "#b3261e", "#0e7490", "#9a6700", "#be185d"];

// chart id -> {meta, series: Map(name -> [[t, v], ...])}; filled incrementally with ?since=.
const history = { at: null, window: 3600, charts: new Map(), order: [] };

function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = String(text);
  return node;
}

function clock(t) {
  return new Date(t * 1000).toISOString().slice(11, 19);
}

function compact(v) {
  const a = Math.abs(v);
  if (Number.isInteger(v) && a < 1e3) return String(v);
  if (a >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (a >= 1e3) return `${(v / 1e3).toFixed(1)}k`;
  if (a >= 10) return v.toFixed(0);
  if (a >= 1) return v.toFixed(1);
  return v.toPrecision(2);
}

function mergeHistory(body) {
  history.at = body.at;
  history.window = body.window_s;
  const oldest = body.at - body.window_s;
  history.order = body.charts.map((c) => c.id);
  for (const chart of body.charts) {
    let kept = history.charts.get(chart.id);
    if (!kept) {
      kept = { meta: chart, series: new Map() };
      history.charts.set(chart.id, kept);
    }
    kept.meta = chart;
    for (const s of chart.series) {
      const points = (kept.series.get(s.name) || []).concat(s.points);
      kept.series.set(s.name, points.filter(([t]) => t >= oldest));
    }
  }
}

function drawChart(kept, now) {
  const { meta } = kept;
  const box = el("div", null, `chart-${meta.id}`, "chart");
  box.append(el("h3", `${meta.title} (${meta.unit})`, `chart-title-${meta.id}`));
  const series = [...kept.series.entries()].filter(([, pts]) => pts.length);
  if (!series.length) {
    box.append(el("p", "no data yet", `chart-empty-${meta.id}`, "empty"));
    return box;
  }
  let t0 = Infinity;
  let vmax = 0;
  for (const [, pts] of series) {
    for (const [t, v] of pts) {
      t0 = Math.min(t0, t);
      vmax = Math.max(vmax, v);
    }
  }
  // The x axis spans the history we have (at least a minute), ending now.
  const t1 = Math.max(now, t0 + 60);
  t0 = Math.min(t0, t1 - 60);
  const top = vmax > 0 ? vmax * 1.1 : 1;
  const w = CHART_W - PAD.left - PAD.right;
  const h = CHART_H - PAD.top - PAD.bottom;
  const x = (t) => PAD.left + ((t - t0) / (t1 - t0)) * w;
  const y = (v) => PAD.top + h - (v / top) * h;
  const chart = svg("svg", { viewBox: `0 0 ${CHART_W} ${CHART_H}`, role: "img", "aria-label": meta.title });
  chart.dataset.testid = `chart-svg-${meta.id}`;
  chart.dataset.from = String(t0);
  chart.dataset.to = String(t1);
  for (const frac of [0, 0.5, 1]) {
    const gy = y(top * frac);
    chart.append(svg("line", { x1: PAD.left, x2: CHART_W - PAD.right, y1: gy, y2: gy, class: "grid" }));
    chart.append(svg("text", { x: PAD.left - 4, y: gy + 3, "text-anchor": "end" }, compact(top * frac)));
  }
  chart.append(svg("text", { x: PAD.left, y: CHART_H - 5 }, clock(t0)));
  chart.append(svg("text", { x: CHART_W - PAD.right, y: CHART_H - 5, "text-anchor": "end" }, clock(t1)));
  const legend = el("ul", null, `chart-legend-${meta.id}`, "legend");
  series.forEach(([name, pts], i) => {
    const colour = PALETTE[i % PALETTE.length];
    const line = svg("polyline", {
      points: pts.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(" "),
      stroke: colour,
    });
    line.dataset.testid = `chart-line-${meta.id}-${name}`;
    line.dataset.series = name;
    line.dataset.count = String(pts.length);
    line.dataset.last = String(pts[pts.length - 1][1]);
    line.dataset.lastAt = String(pts[pts.length - 1][0]);
    line.append(svg("title", {}, name));
    chart.append(line);
    const item = el("li", null, `chart-legend-item-${meta.id}-${name}`);
    const swatch = el("span", null, null, "swatch");
    swatch.style.background = colour;
    item.append(swatch, `${name}: ${compact(pts[pts.length - 1][1])}`);
    legend.append(item);
  });
  box.append(chart, legend);
  return box;
}

function renderCharts() {
  const holder = byTestId("charts");
  const now = history.at || Date.now() / 1000;
  holder.replaceChildren(...history.order.map((id) => drawChart(history.charts.get(id), now)));
}

async function refreshCharts() {
  const since = history.at === null ? "" : `?since=${encodeURIComponent(lastPointAt())}`;
  try {
    const body = await api(`/api/history${since}`);
    byTestId("charts-interval").textContent = String(body.interval_s);
    mergeHistory(body);
    renderCharts();
    show(byTestId("charts-error"), "");
  } catch (err) {
    show(byTestId("charts-error"), `charts: ${err.message || err}`);
  }
}

// The newest point we hold (0 before the first): ?since= then returns only newer ones.
function lastPointAt() {
  let last = 0;
  for (const kept of history.charts.values()) {
    for (const pts of kept.series.values()) {
      if (pts.length) last = Math.max(last, pts[pts.length - 1][0]);
    }
  }
  return last;
}

// A stage a remote service refuses (OpenText credentials or region) waits: say why.
function renderRemote(notes) {
  const refused = notes.filter((n) => n.failing);
  show(byTestId("remote-refused"), refused.map((n) =>
    `${n.service} refuses ${n.agent} since ${stamp(n.since)} (${n.errors} refusals, retrying): ${n.last_error}`,
  ).join("\n"));
}

async function refresh() {
  try {
    const overview = await api("/api/overview");
    renderStages(overview);
    renderLag(overview.lag);
    renderCases(overview.cases);
    renderDlq(overview.dlq);
    renderRemote(overview.remote || []);
    await refreshCharts();
    byTestId("refreshed-at").textContent = overview.at;
    show(byTestId("error"), "");
  } catch (err) {
    show(byTestId("error"), `refresh failed: ${err.message || err}`);
  } finally {
    window.setTimeout(refresh, REFRESH_MS);
  }
}

byTestId("refresh-interval").textContent = String(REFRESH_MS / 1000);
byTestId("case-search").addEventListener("submit", (event) => {
  event.preventDefault();
  showCase(byTestId("case-search-input").value);
});
refresh();
