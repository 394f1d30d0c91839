// Dashboards: the list, and one dashboard at /ui/dashboards/<id>?from=…&to=…&var-<name>=… (bookmarkable).
// Panels are drawn by panels.js into a container this page owns; the cluster picker also offers clusters seen
// only in the records (they have no Prometheus, so their metric panels say "no data" quietly).
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '/ui/lib/api.js';
import { html } from '/ui/lib/html.js';
import { navigate } from '/ui/lib/router.js';
import { ErrorBox, Loading } from '/ui/components/common.js';
import { el, renderPanel } from '/ui/pages/panels.js';

const ROW_PX = 30;
const RANGES = [
  ['now-15m', 'Last 15 minutes'],
  ['now-1h', 'Last hour'],
  ['now-3h', 'Last 3 hours'],
  ['now-6h', 'Last 6 hours'],
  ['now-24h', 'Last 24 hours'],
  ['now-7d', 'Last 7 days'],
];

export function DashboardList({ compact = false }) {
  const [list, setList] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => void api('/v1/dashboards').then((r) => setList(r.dashboards), setError), []);
  if (error) return html`<${ErrorBox} error=${error} />`;
  if (!list) return html`<${Loading} rows=${4} />`;
  return html`<ul class="dash-list" id="dashboard-list">${list.map(
    (d) => html`<li>
    <a href=${`/ui/dashboards/${encodeURIComponent(d.id)}`}>${d.title}</a>${d.builtin && html`<span class="tag">built-in</span>`}
    ${!compact && html`<div class="muted small">${d.description ?? ''}</div>`}
  </li>`,
  )}</ul>`;
}

export default function Dashboards({ route }) {
  const id = route.parts[1];
  if (!id) return html`<div class="page"><h1>Dashboards</h1><${DashboardList} /></div>`;
  return html`<${DashboardView} id=${id} params=${route.params} />`;
}

function DashboardView({ id, params }) {
  const box = useRef(null);
  const [error, setError] = useState(null);
  const search = params.toString();
  useEffect(() => {
    let stop = () => undefined;
    setError(null);
    showDashboard(box.current, id, new URLSearchParams(search)).then((s) => (stop = s), setError);
    return () => {
      stop();
      delete document.getElementById('main')?.dataset.dashboard;
    };
  }, [id, search]);
  return html`<div class="page dashboard"><${ErrorBox} error=${error} /><div ref=${box}></div></div>`;
}

/** Cluster names from the records and the configuration, for the `cluster` variable's picker. */
async function knownClusters() {
  try {
    return (await api('/v1/clusters')).clusters.map((c) => c.name);
  } catch {
    return [];
  }
}

async function showDashboard(box, id, params) {
  const { dashboard } = await api(`/v1/dashboards/${encodeURIComponent(id)}`);
  const from = params.get('from') ?? dashboard.time.from;
  const to = params.get('to') ?? dashboard.time.to;
  const query = new URLSearchParams(params);
  query.set('from', from);
  query.set('to', to);
  const hasCluster = (dashboard.variables ?? []).some((v) => v.name === 'cluster');
  const [{ variables }, rendered, seen] = await Promise.all([
    api(`/v1/dashboards/${encodeURIComponent(id)}/variables?${query}`),
    renderQuery(id, query),
    hasCluster ? knownClusters() : Promise.resolve([]),
  ]);
  for (const v of variables) if (v.name === 'cluster') v.options = [...new Set([...v.options, ...seen])].sort();
  const results = new Map(rendered.panels.map((p) => [p.id, p]));
  const clusters = params.getAll('var-cluster').filter((c) => c !== '$__all');
  const noData =
    clusters.length === 1
      ? `No data for cluster ${clusters[0]}`
      : clusters.length > 1
        ? 'No data for these clusters'
        : 'No data for this cluster';
  box.replaceChildren(
    el('h1', {}, dashboard.title),
    toolbar(id, variables, { from, to }),
    ...dashboard.rows.map((row) => rowView(row, results, noData)),
  );
  const main = document.getElementById('main');
  if (main) main.dataset.dashboard = id;
  let timer;
  if (dashboard.refresh && /^now/.test(to))
    timer = window.setInterval(
      () => navigate(`/ui/dashboards/${encodeURIComponent(id)}?${params}&_r=${Date.now()}`, { replace: true }),
      Math.max(10_000, seconds(dashboard.refresh) * 1000),
    );
  return () => window.clearInterval(timer);
}

function renderQuery(id, query) {
  const q = new URLSearchParams(query);
  q.delete('_r');
  q.set('maxDataPoints', String(Math.min(1000, Math.max(100, Math.round(window.innerWidth / 2)))));
  return api(`/v1/dashboards/${encodeURIComponent(id)}/render?${q}`);
}

const seconds = (d) =>
  [...d.matchAll(/(\d+)(ms|s|m|h|d)/g)].reduce(
    (n, [, v, u]) => n + Number(v) * { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[u],
    0,
  );

/** The variable pickers and the time range (`from`, `to` as the URL gives them) of dashboard `id`. */
function toolbar(id, variables, { from, to }) {
  const bar = el('form', { class: 'toolbar', id: 'toolbar' });
  const pickers = variables.filter((v) => !v.hide).map((v) => variablePicker(v));
  const preset = el(
    'select',
    { id: 'range-preset', 'aria-label': 'time range' },
    el('option', { value: '' }, 'Custom'),
    ...RANGES.map(([value, label]) => el('option', { value }, label)),
  );
  preset.value = to === 'now' && RANGES.some(([v]) => v === from) ? from : '';
  const fromInput = el('input', { id: 'range-from', value: from, size: '22', 'aria-label': 'from' });
  const toInput = el('input', { id: 'range-to', value: to, size: '22', 'aria-label': 'to' });
  preset.addEventListener('change', () => {
    if (!preset.value) return;
    fromInput.value = preset.value;
    toInput.value = 'now';
    bar.requestSubmit();
  });
  bar.append(
    ...pickers,
    el('span', { class: 'spacer' }),
    preset,
    fromInput,
    el('span', {}, '→'),
    toInput,
    el('button', { type: 'submit' }, 'Apply'),
  );
  bar.addEventListener('submit', (e) => {
    e.preventDefault();
    const next = new URLSearchParams();
    next.set('from', fromInput.value.trim());
    next.set('to', toInput.value.trim());
    for (const select of bar.querySelectorAll('select[data-var]')) {
      for (const o of select.selectedOptions) next.append(`var-${select.dataset.var}`, o.value);
    }
    navigate(`/ui/dashboards/${encodeURIComponent(id)}?${next}`);
  });
  return bar;
}

function variablePicker(v) {
  const select = el('select', { 'data-var': v.name, 'aria-label': v.label ?? v.name });
  if (v.multi) {
    select.multiple = true;
    select.size = Math.min(4, v.options.length + (v.includeAll ? 1 : 0));
  }
  const options = v.includeAll ? [['$__all', 'All'], ...v.options.map((o) => [o, o])] : v.options.map((o) => [o, o]);
  // A selection the option list does not hold (typed in a URL) stays selectable.
  for (const c of v.current) if (!options.some(([o]) => o === c)) options.push([c, c]);
  for (const [value, label] of options) {
    const option = el('option', { value }, label);
    option.selected = v.current.includes(value);
    select.append(option);
  }
  select.addEventListener('change', () => select.form?.requestSubmit());
  const label = el('label', { class: 'picker', title: v.error ?? '' }, el('span', {}, v.label ?? v.name), select);
  if (v.error) label.classList.add('picker-error');
  return label;
}

function rowView(row, results, noData) {
  const grid = el('div', { class: 'grid' });
  const height = Math.max(1, ...row.panels.map((p) => p.gridPos.y + p.gridPos.h));
  grid.style.gridTemplateRows = `repeat(${height}, ${ROW_PX}px)`;
  const section = el('section', { class: 'row' });
  if (row.title || row.collapsed) {
    const header = el(
      'button',
      { type: 'button', class: 'row-title', 'aria-expanded': String(!row.collapsed) },
      `${row.collapsed ? '▸' : '▾'} ${row.title || 'Row'}`,
    );
    header.addEventListener('click', () => {
      grid.hidden = !grid.hidden;
      header.textContent = `${grid.hidden ? '▸' : '▾'} ${row.title || 'Row'}`;
      header.setAttribute('aria-expanded', String(!grid.hidden));
      if (!grid.hidden) draw();
    });
    section.append(header);
  }
  section.append(grid);
  const cells = row.panels.map((panel) => {
    const { x, y, w, h } = panel.gridPos;
    const body = el('div', { class: 'panel-body' });
    const cell = el(
      'div',
      { class: `panel panel-${panel.type}`, 'data-panel-id': String(panel.id) },
      el('div', { class: 'panel-title', title: panel.description ?? '' }, results.get(panel.id)?.title ?? panel.title),
      body,
    );
    cell.style.gridColumn = `${x + 1} / span ${w}`;
    cell.style.gridRow = `${y + 1} / span ${h}`;
    grid.append(cell);
    return { panel, body };
  });
  let drawn = false;
  // Collapsed rows draw when opened: a chart needs its box to have a size.
  const draw = () => {
    if (drawn) return;
    drawn = true;
    for (const { panel, body } of cells)
      renderPanel(body, panel, { result: results.get(panel.id), noDataText: noData });
  };
  if (row.collapsed) grid.hidden = true;
  else window.requestAnimationFrame(draw);
  return section;
}
