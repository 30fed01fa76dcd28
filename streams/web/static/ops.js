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
        cell, el("td", c.case_type), el("td", why, "case-list-status"), el("td", c.subject_id),
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

async function refresh() {
  try {
    const overview = await api("/api/overview");
    renderStages(overview);
    renderLag(overview.lag);
    renderCases(overview.cases);
    renderDlq(overview.dlq);
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
