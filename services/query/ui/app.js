/* global document, window, location, URLSearchParams */
// The viewer: a list of dashboards and one dashboard at a time, addressed by the URL hash
// (#/d/<id>?from=now-6h&to=now&var-cluster=east), so a view can be bookmarked and shared.
import { ApiError, api, getToken, setToken } from '/ui/api.js';
import { el, renderPanel } from '/ui/panels.js';

const main = document.getElementById('main');
const crumb = document.getElementById('crumb');
const ROW_PX = 30;
const RANGES = [['now-15m', 'Last 15 minutes'], ['now-1h', 'Last hour'], ['now-3h', 'Last 3 hours'], ['now-6h', 'Last 6 hours'], ['now-24h', 'Last 24 hours'], ['now-7d', 'Last 7 days']];
let refreshTimer;

function route() {
  window.clearInterval(refreshTimer);
  delete main.dataset.dashboard;
  const [path, query = ''] = location.hash.replace(/^#/, '').split('?');
  const m = /^\/d\/([^/]+)$/.exec(path ?? '');
  const run = m ? showDashboard(decodeURIComponent(m[1]), new URLSearchParams(query)) : showList();
  run.catch(showError);
}

function showError(err) {
  if (err instanceof ApiError && err.status === 401) return askToken('Your token was refused; paste a valid one.');
  main.replaceChildren(el('div', { class: 'page-error' }, err instanceof ApiError ? `${err.code}: ${err.message}` : String(err)));
}

function askToken(message = '') {
  const form = document.getElementById('token-form');
  form.hidden = false;
  document.getElementById('token-message').textContent = message;
  document.getElementById('token-input').focus();
}

async function showList() {
  crumb.textContent = 'Dashboards';
  if (!getToken()) return askToken('Pharos needs a token to read dashboards.');
  const { dashboards } = await api('/v1/dashboards');
  const items = dashboards.map((d) =>
    el('li', {}, el('a', { href: `#/d/${encodeURIComponent(d.id)}` }, d.title), d.builtin ? el('span', { class: 'tag' }, 'built-in') : '', el('div', { class: 'muted small' }, d.description ?? '')),
  );
  main.replaceChildren(el('h1', {}, 'Dashboards'), el('ul', { class: 'dash-list', id: 'dashboard-list' }, ...items));
}

async function showDashboard(id, params) {
  if (!getToken()) return askToken('Pharos needs a token to read dashboards.');
  const { dashboard } = await api(`/v1/dashboards/${encodeURIComponent(id)}`);
  crumb.textContent = dashboard.title;
  const from = params.get('from') ?? dashboard.time.from;
  const to = params.get('to') ?? dashboard.time.to;
  const query = new URLSearchParams(params);
  query.set('from', from);
  query.set('to', to);
  const [{ variables }, rendered] = await Promise.all([api(`/v1/dashboards/${encodeURIComponent(id)}/variables?${query}`), renderQuery(id, query)]);
  const results = new Map(rendered.panels.map((p) => [p.id, p]));
  main.replaceChildren(toolbar(id, dashboard, variables, from, to, params), ...dashboard.rows.map((row) => rowView(row, results)));
  main.dataset.dashboard = id;
  if (dashboard.refresh && /^now/.test(to)) refreshTimer = window.setInterval(route, Math.max(10_000, seconds(dashboard.refresh) * 1000));
}

function renderQuery(id, query) {
  const q = new URLSearchParams(query);
  q.set('maxDataPoints', String(Math.min(1000, Math.max(100, Math.round(window.innerWidth / 2)))));
  return api(`/v1/dashboards/${encodeURIComponent(id)}/render?${q}`);
}

const seconds = (d) => [...d.matchAll(/(\d+)(ms|s|m|h|d)/g)].reduce((n, [, v, u]) => n + Number(v) * { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[u], 0);

function toolbar(id, dashboard, variables, from, to, params) {
  const bar = el('form', { class: 'toolbar', id: 'toolbar' });
  const pickers = variables.filter((v) => !v.hide).map((v) => variablePicker(v));
  const preset = el('select', { id: 'range-preset', 'aria-label': 'time range' }, el('option', { value: '' }, 'Custom'), ...RANGES.map(([value, label]) => el('option', { value }, label)));
  preset.value = to === 'now' && RANGES.some(([v]) => v === from) ? from : '';
  const fromInput = el('input', { id: 'range-from', value: from, size: '22', 'aria-label': 'from' });
  const toInput = el('input', { id: 'range-to', value: to, size: '22', 'aria-label': 'to' });
  preset.addEventListener('change', () => {
    if (!preset.value) return;
    fromInput.value = preset.value;
    toInput.value = 'now';
    bar.requestSubmit();
  });
  bar.append(...pickers, el('span', { class: 'spacer' }), preset, fromInput, el('span', {}, '→'), toInput, el('button', { type: 'submit' }, 'Apply'));
  bar.addEventListener('submit', (e) => {
    e.preventDefault();
    const next = new URLSearchParams();
    next.set('from', fromInput.value.trim());
    next.set('to', toInput.value.trim());
    for (const select of bar.querySelectorAll('select[data-var]')) {
      for (const o of select.selectedOptions) next.append(`var-${select.dataset.var}`, o.value);
    }
    const hash = `#/d/${encodeURIComponent(id)}?${next}`;
    if (location.hash === hash) route();
    else location.hash = hash;
  });
  void params;
  void dashboard;
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

function rowView(row, results) {
  const grid = el('div', { class: 'grid' });
  const height = Math.max(1, ...row.panels.map((p) => p.gridPos.y + p.gridPos.h));
  grid.style.gridTemplateRows = `repeat(${height}, ${ROW_PX}px)`;
  const section = el('section', { class: 'row' });
  if (row.title || row.collapsed) {
    const header = el('button', { type: 'button', class: 'row-title' }, `${row.collapsed ? '▸' : '▾'} ${row.title || 'Row'}`);
    header.addEventListener('click', () => {
      grid.hidden = !grid.hidden;
      header.textContent = `${grid.hidden ? '▸' : '▾'} ${row.title || 'Row'}`;
      if (!grid.hidden) draw();
    });
    section.append(header);
  }
  section.append(grid);
  const cells = row.panels.map((panel) => {
    const { x, y, w, h } = panel.gridPos;
    const body = el('div', { class: 'panel-body' });
    const cell = el('div', { class: `panel panel-${panel.type}`, 'data-panel-id': String(panel.id), style: `grid-column:${x + 1} / span ${w};grid-row:${y + 1} / span ${h}` },
      el('div', { class: 'panel-title', title: panel.description ?? '' }, results.get(panel.id)?.title ?? panel.title), body);
    grid.append(cell);
    return { panel, body };
  });
  let drawn = false;
  // Collapsed rows draw when opened: a chart needs its box to have a size.
  const draw = () => {
    if (drawn) return;
    drawn = true;
    for (const { panel, body } of cells) renderPanel(body, panel, results.get(panel.id));
  };
  if (row.collapsed) grid.hidden = true;
  else window.requestAnimationFrame(draw);
  return section;
}

document.getElementById('token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  setToken(document.getElementById('token-input').value.trim());
  document.getElementById('token-form').hidden = true;
  route();
});
document.getElementById('token-button').addEventListener('click', () => askToken(getToken() ? 'Replace the saved token.' : ''));
window.addEventListener('hashchange', route);
route();
