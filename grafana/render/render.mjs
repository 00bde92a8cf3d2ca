// Draws the panels of a Grafana dashboard JSON from a real Prometheus: every target's expression is run
// through the Prometheus HTTP API (query_range, or query for table panels) over a time window, and drawn
// as SVG at the panel's grid position. This is not Grafana; it renders the same queries from the same data.
// Usage: node render.mjs <prometheusUrl> <dashboard.json> <startUnixSeconds> <endUnixSeconds> <out.html>
import { readFileSync, writeFileSync } from "node:fs";

const [prometheus, dashboardPath, start, end, out] = process.argv.slice(2);
const dashboard = JSON.parse(readFileSync(dashboardPath, "utf8"));
const step = Math.max(5, Math.round((end - start) / 120));
const variables = { "$__rate_interval": "30s", "$instance": ".*", "$database": ".*" };
const palette = ["#73bf69", "#f2cc0c", "#5794f2", "#ff780a", "#f2495c", "#b877d9", "#8ab8ff", "#fade2a", "#ff9830", "#96d98d"];
const width = 1600;
const column = width / 24;
const rowHeight = 34;

const substitute = (expr) => Object.entries(variables).reduce((e, [name, value]) => e.split(name).join(value), expr);
const escape = (text) => String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const legend = (format, metric) => (format ?? "").replace(/\{\{\s*(\w+)\s*\}\}/g, (_, label) => metric[label] ?? "");

async function query(path, params) {
  const response = await fetch(`${prometheus}/api/v1/${path}?${new URLSearchParams(params)}`);
  const body = await response.json();
  if (body.status !== "success") {
    throw new Error(`${params.query}: ${body.error}`);
  }
  return body.data.result;
}

function format(value, unit) {
  if (!Number.isFinite(value)) return "";
  const scaled = (v, units, base) => {
    let i = 0;
    while (Math.abs(v) >= base && i < units.length - 1) { v /= base; i++; }
    return `${+v.toFixed(v < 10 && v !== Math.round(v) ? 2 : 1)} ${units[i]}`;
  };
  switch (unit) {
    case "s": return value < 1 ? `${+(value * 1000).toFixed(value < 0.01 ? 2 : 1)} ms` : `${+value.toFixed(2)} s`;
    case "bytes": return scaled(value, ["B", "KiB", "MiB", "GiB"], 1024);
    case "ops": return `${+value.toFixed(1)}/s`;
    case "reqps": return `${+value.toFixed(1)} req/s`;
    default: return scaled(value, ["", "K", "M"], 1000).trim();
  }
}

function chart(series, unit, w, h) {
  const values = series.flatMap((s) => s.points.map((p) => p[1])).filter(Number.isFinite);
  const max = Math.max(...values, 0) * 1.1 || 1;
  const left = 64, bottom = 18, plotW = w - left - 8, plotH = h - bottom - 6;
  const x = (t) => left + ((t - start) / (end - start)) * plotW;
  const y = (v) => 6 + plotH - (v / max) * plotH;
  let svg = `<svg width="${w}" height="${h}">`;
  for (let i = 0; i <= 4; i++) {
    const v = (max / 4) * i;
    svg += `<line x1="${left}" x2="${left + plotW}" y1="${y(v)}" y2="${y(v)}" class="grid"/><text x="${left - 6}" y="${y(v) + 4}" class="axis" text-anchor="end">${escape(format(v, unit))}</text>`;
  }
  for (let i = 0; i <= 5; i++) {
    const t = Number(start) + ((end - start) / 5) * i;
    const label = new Date(t * 1000).toISOString().slice(11, 16);
    const anchor = i === 0 ? "start" : i === 5 ? "end" : "middle";
    svg += `<text x="${x(t)}" y="${h - 4}" class="axis" text-anchor="${anchor}">${label}</text>`;
  }
  series.forEach((s, i) => {
    let d = "";
    let pen = "M";
    for (const [t, v] of s.points) {
      if (!Number.isFinite(v)) { pen = "M"; continue; }
      d += `${pen}${x(t).toFixed(1)},${y(v).toFixed(1)} `;
      pen = "L";
    }
    svg += `<path d="${d}" stroke="${palette[i % palette.length]}" fill="none" stroke-width="2"/>`;
  });
  return svg + "</svg>";
}

let html = "";
let bottomEdge = 0;
for (const panel of dashboard.panels) {
  const { x, y, w, h } = panel.gridPos;
  const top = y * rowHeight + 56, leftPx = x * column;
  bottomEdge = Math.max(bottomEdge, top + h * rowHeight);
  if (panel.type === "row") {
    html += `<div class="row" style="top:${top}px;left:${leftPx}px;width:${w * column}px">${escape(panel.title)}</div>`;
    continue;
  }
  const unit = panel.fieldConfig?.defaults?.unit;
  const pw = w * column - 8, ph = h * rowHeight - 8;
  let body = "";
  if (panel.type === "table") {
    const rows = [];
    for (const target of panel.targets) {
      for (const r of await query("query", { query: substitute(target.expr), time: end })) {
        rows.push(r.metric);
      }
    }
    const labels = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((l) => !l.startsWith("__"));
    body = `<table><tr>${labels.map((l) => `<th>${escape(l)}</th>`).join("")}</tr>${rows
      .map((r) => `<tr>${labels.map((l) => `<td>${escape(r[l] ?? "")}</td>`).join("")}</tr>`)
      .join("")}</table>`;
  } else {
    const series = [];
    for (const target of panel.targets) {
      for (const r of await query("query_range", { query: substitute(target.expr), start, end, step })) {
        series.push({ name: legend(target.legendFormat, r.metric) || JSON.stringify(r.metric), points: r.values.map(([t, v]) => [t, Number(v)]) });
      }
    }
    series.sort((a, b) => a.name.localeCompare(b.name));
    body = chart(series, unit, pw - 16, ph - 72) + `<div class="legend">${series
      .map((s, i) => `<span><i style="background:${palette[i % palette.length]}"></i>${escape(s.name)}</span>`)
      .join("")}</div>`;
  }
  html += `<div class="panel" style="top:${top}px;left:${leftPx + 4}px;width:${pw}px;height:${ph}px"><div class="title">${escape(panel.title)}</div>${body}</div>`;
}

const when = `${new Date(start * 1000).toISOString().slice(0, 16)} to ${new Date(end * 1000).toISOString().slice(11, 16)} UTC`;
writeFileSync(out, `<!doctype html><html><head><meta charset="utf-8"><style>
body{margin:0;background:#111217;color:#ccccdc;font:12px sans-serif;width:${width}px;height:${bottomEdge + 40}px;position:relative}
h1{font-size:18px;margin:0;padding:14px 12px;color:#fff}h1 small{font-size:12px;color:#8e8e9e;font-weight:normal;margin-left:12px}
.row{position:absolute;font-size:14px;font-weight:bold;color:#fff;padding:8px 8px}
.panel{position:absolute;background:#181b1f;border:1px solid #2c3235;border-radius:3px;padding:6px 8px;box-sizing:border-box;overflow:hidden}
.title{font-weight:bold;color:#fff;margin-bottom:4px}.grid{stroke:#2c3235}.axis{fill:#8e8e9e;font-size:10px}
.legend{font-size:11px;line-height:15px;max-height:45px;overflow:hidden}.legend span{margin-right:12px;white-space:nowrap}
.legend i{display:inline-block;width:12px;height:3px;margin-right:4px;vertical-align:middle}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:3px 6px;border-bottom:1px solid #2c3235}th{color:#6e9fff}
footer{position:absolute;bottom:10px;left:12px;color:#8e8e9e}
</style></head><body><h1>${escape(dashboard.title)}<small>${escape(when)}; instance = All, database = All</small></h1>${html}
<footer>Each panel is its dashboard query run against Prometheus (grafana/render/render.mjs); drawn without Grafana.</footer></body></html>`);
// The last line is the page height, for the screenshot's window size.
console.log(`render: ${dashboard.panels.length} panels written to ${out}`);
console.log(bottomEdge + 40);
