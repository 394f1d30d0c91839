// Dashboard panel renderers keyed by panel type. Each gets (element, panel definition, rendered result).
import uPlot from 'uplot';
import { PALETTE, cssColor, formatTime, formatValue, thresholdColor } from '/ui/lib/format.js';
import { topologyPanel } from '/ui/pages/topology-panel.js';

const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k === 'style') node.style.cssText = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c ?? '')));
  return node;
};

/** One number from a series, as the panel's reducer says (Grafana's reduceOptions.calcs). */
function reduce(points, how = 'last') {
  const values = points.map((p) => p[1]).filter((v) => v !== null);
  if (!values.length) return null;
  switch (how) {
    case 'first':
      return values[0];
    case 'mean':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'max':
      return Math.max(...values);
    case 'min':
      return Math.min(...values);
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    default:
      return values[values.length - 1];
  }
}

/** Stat-like panels over records show how many matched. */
function numbers(panel, data) {
  const fromSeries = data.series.map((s) => ({ name: s.name, value: reduce(s.points, panel.reduce) }));
  const fromRecords = data.records.map((r) => ({ name: r.source, value: r.total }));
  return [...fromSeries, ...fromRecords];
}

function timeseries(node, panel, data) {
  const series = data.series.filter((s) => s.points.length);
  if (!series.length) return empty(node);
  // uPlot wants one shared x axis: the union of all timestamps, seconds.
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const ys = series.map((s) => {
    const column = new Array(xs.length).fill(null);
    for (const [t, v] of s.points) column[index.get(t)] = v;
    return column;
  });
  const drawn = ys.reduce((n, col) => n + col.filter((v) => v !== null).length, 0);
  node.dataset.points = String(drawn);
  node.dataset.series = String(series.length);
  const chart = el('div', { class: 'chart' });
  node.append(chart);
  const fmt = (v) => formatValue(v, panel.unit, panel.decimals);
  const opts = {
    width: Math.max(200, node.clientWidth - 8),
    height: Math.max(80, node.clientHeight - 40),
    legend: { show: series.length <= 12 },
    cursor: { points: { size: 5 } },
    scales: {
      x: { time: true },
      y: panel.min !== undefined || panel.max !== undefined ? { range: [panel.min ?? null, panel.max ?? null] } : {},
    },
    axes: [
      { stroke: '#8e8e8e', grid: { stroke: 'rgba(128,128,128,.25)' } },
      { stroke: '#8e8e8e', grid: { stroke: 'rgba(128,128,128,.25)' }, size: 70, values: (_u, ticks) => ticks.map(fmt) },
    ],
    series: [
      {},
      ...series.map((s, i) => ({
        label: s.name || s.refId,
        stroke: PALETTE[i % PALETTE.length],
        width: 1.5,
        value: (_u, v) => fmt(v),
        spanGaps: false,
        points: { show: false },
      })),
    ],
  };
  const plot = new uPlot(opts, [xs.map((x) => x / 1000), ...ys], chart);
  // The legend takes what it needs below the plot; the plot gets the rest of the panel.
  const fit = () =>
    plot.setSize({
      width: Math.max(200, node.clientWidth - 8),
      height: Math.max(60, node.clientHeight - 8 - legendHeight(chart)),
    });
  fit();
  new ResizeObserver(fit).observe(node);
}

const legendHeight = (chart) => chart.querySelector('.u-legend')?.offsetHeight ?? 0;

function stat(node, panel, data) {
  const values = numbers(panel, data);
  if (!values.length) return empty(node);
  const box = el('div', { class: 'stats' });
  for (const v of values.slice(0, 12)) {
    const color = thresholdColor(v.value, panel.thresholds);
    box.append(
      el(
        'div',
        { class: 'stat' },
        el('div', { class: 'stat-value', style: `color:${color}` }, formatValue(v.value, panel.unit, panel.decimals)),
        values.length > 1 ? el('div', { class: 'stat-name' }, v.name) : '',
      ),
    );
  }
  node.dataset.points = String(values.filter((v) => v.value !== null).length);
  node.append(box);
}

function gauge(node, panel, data) {
  const values = numbers(panel, data);
  if (!values.length) return empty(node);
  const box = el('div', { class: 'stats' });
  for (const v of values.slice(0, 6)) {
    const min = panel.min ?? 0;
    const max =
      panel.max ?? (panel.unit === 'percentunit' ? 1 : panel.unit === 'percent' ? 100 : Math.max(1, v.value ?? 1));
    const share = Math.max(0, Math.min(1, ((v.value ?? min) - min) / (max - min || 1)));
    const color = thresholdColor(v.value, panel.thresholds);
    // A 240° arc: from 150° to 390°, drawn as an SVG path.
    const arc = (to) => {
      const a0 = (150 * Math.PI) / 180;
      const a1 = a0 + to * ((240 * Math.PI) / 180);
      const p = (a) => `${50 + 40 * Math.cos(a)} ${50 + 40 * Math.sin(a)}`;
      return `M ${p(a0)} A 40 40 0 ${to * 240 > 180 ? 1 : 0} 1 ${p(a1)}`;
    };
    const svg =
      `<svg viewBox="0 0 100 90" class="gauge-svg"><path d="${arc(1)}" stroke="#333" stroke-width="10" fill="none"/>` +
      `<path d="${arc(share)}" stroke="${color}" stroke-width="10" fill="none"/>` +
      `<text x="50" y="58" text-anchor="middle" fill="${color}" font-size="14">${formatValue(v.value, panel.unit, panel.decimals)}</text></svg>`;
    const g = el('div', { class: 'gauge' });
    g.innerHTML = svg;
    if (values.length > 1) g.append(el('div', { class: 'stat-name' }, v.name));
    box.append(g);
  }
  node.dataset.points = String(values.filter((v) => v.value !== null).length);
  node.append(box);
}

function bargauge(node, panel, data) {
  const values = numbers(panel, data).filter((v) => v.value !== null);
  if (!values.length) return empty(node);
  const max = panel.max ?? Math.max(...values.map((v) => v.value));
  const list = el('div', { class: 'bars' });
  for (const v of values.slice(0, 30)) {
    const share = Math.max(0, Math.min(1, v.value / (max || 1)));
    const color = thresholdColor(v.value, panel.thresholds, PALETTE[5]);
    list.append(
      el(
        'div',
        { class: 'bar-row' },
        el('span', { class: 'bar-name' }, v.name),
        el(
          'span',
          { class: 'bar' },
          el('span', { class: 'bar-fill', style: `width:${share * 100}%;background:${color}` }),
        ),
        el('span', { class: 'bar-value' }, formatValue(v.value, panel.unit, panel.decimals)),
      ),
    );
  }
  node.dataset.points = String(values.length);
  node.append(list);
}

/** Grafana's "table" format: one row per label set, one value column per query (refId). */
function table(node, panel, data) {
  if (!data.series.length) return empty(node);
  const refIds = [...new Set(data.series.map((s) => s.refId))];
  const labelNames = [...new Set(data.series.flatMap((s) => Object.keys(s.labels)))].filter((l) => l !== '__name__');
  const rows = new Map();
  for (const s of data.series) {
    const key = labelNames.map((l) => s.labels[l] ?? '').join('\u0000');
    const row = rows.get(key) ?? { labels: s.labels, values: {} };
    row.values[s.refId] = reduce(s.points, panel.reduce);
    rows.set(key, row);
  }
  const head = el(
    'tr',
    {},
    ...labelNames.map((l) => el('th', {}, l)),
    ...refIds.map((r) => el('th', {}, refIds.length > 1 ? `Value #${r}` : 'Value')),
  );
  const body = [...rows.values()].map((r) =>
    el(
      'tr',
      {},
      ...labelNames.map((l) => el('td', {}, r.labels[l] ?? '')),
      ...refIds.map((id) => el('td', { class: 'num' }, formatValue(r.values[id], panel.unit, panel.decimals))),
    ),
  );
  node.dataset.points = String(rows.size);
  node.append(el('div', { class: 'scroll' }, el('table', {}, el('thead', {}, head), el('tbody', {}, ...body))));
}

function text(node, _panel, data) {
  const div = el('div', { class: 'text-panel' });
  // Plain text with paragraphs; markdown markup is shown as written (no HTML is ever injected).
  for (const para of (data.content ?? '').split(/\n{2,}/)) div.append(el('p', {}, para.replace(/^#+\s*/, '')));
  node.append(div);
}

/** Columns shown per record kind (the stored record fields of libs/schemas/records.ts). */
const RECORD_COLUMNS = {
  logs: ['time', 'cluster', 'namespace', 'pod', 'container', 'message'],
  events: ['time', 'cluster', 'namespace', 'type', 'reason', 'objectKind', 'name', 'message'],
  audit: ['time', 'cluster', 'user', 'verb', 'resource', 'namespace', 'name', 'code'],
};

function records(node, panel, data) {
  const lists = data.records;
  const items = lists.flatMap((l) => l.items.map((i) => ({ ...i, _source: l.source })));
  if (!items.length) return empty(node, 'No records in this time range');
  const source = lists[0].source;
  const columns = RECORD_COLUMNS[source] ?? RECORD_COLUMNS.logs;
  const total = lists.reduce((n, l) => n + l.total, 0);
  const head = el('tr', {}, ...columns.map((c) => el('th', {}, c)));
  const body = items.map((i) =>
    el(
      'tr',
      { class: i.type === 'Warning' || (i.code ?? 0) >= 400 ? 'warn' : '' },
      ...columns.map((c) =>
        el('td', { class: c === 'message' ? 'msg' : '' }, c === 'time' ? formatTime(i.time) : (i[c] ?? '')),
      ),
    ),
  );
  node.dataset.points = String(items.length);
  node.append(
    el('div', { class: 'muted small' }, `${items.length} of ${total}`),
    el('div', { class: 'scroll' }, el('table', { class: 'records' }, el('thead', {}, head), el('tbody', {}, ...body))),
  );
}

function empty(node, message = 'No data') {
  node.dataset.points = '0';
  node.append(el('div', { class: 'empty' }, message));
}

export const PANEL_RENDERERS = {
  timeseries,
  stat,
  gauge,
  bargauge,
  table,
  text,
  logs: records,
  events: records,
  audit: records,
  topology: topologyPanel,
};

/**
 * A metric that simply is not collected where the picker points (issue 19: "no data for this cluster") is a
 * quiet note, not a red error: the render API answers PHAROS_ERR_NOT_FOUND with "no data: …" for it.
 */
const isNoData = (error) => error?.code === 'PHAROS_ERR_NOT_FOUND' && /^no data\b/.test(error.message);

/** Draws `panel` into `node` from the render API's `result` for it; `noDataText` says why a panel is empty. */
export function renderPanel(node, panel, { result, noDataText = 'No data for this cluster' }) {
  node.replaceChildren();
  if (isNoData(result?.error)) {
    node.dataset.points = '0';
    node.append(el('div', { class: 'panel-nodata', title: result.error.message }, noDataText));
    return;
  }
  if (result?.error) node.append(el('div', { class: 'panel-error', title: result.error.code }, result.error.message));
  if (!result) return empty(node);
  const warnings = result.data.warnings ?? [];
  if (warnings.length)
    node.append(
      el(
        'div',
        { class: 'panel-warning', title: warnings.join('\n') },
        `⚠ ${warnings.length} warning${warnings.length > 1 ? 's' : ''}`,
      ),
    );
  if (result.error && !result.data.series.length && !result.data.records.length && !result.data.topology) return;
  (PANEL_RENDERERS[panel.type] ?? empty)(node, panel, result.data);
}

export { el, cssColor };
