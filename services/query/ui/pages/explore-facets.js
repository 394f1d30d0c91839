// Field facets (top values and counts from /stats, computed without the field's own filter so more values can
// be added) and the cluster / namespace pickers, both fed by the records themselves.
import { useEffect, useState } from 'preact/hooks';
import { html } from '/ui/lib/html.js';
import { FILTER_FIELDS } from '/ui/lib/fields.js';
import { statsOf } from '/ui/pages/explore-query.js';

/** Fields whose facets load with the page; the others load when opened. */
const OPEN_AT_START = {
  logs: ['pod', 'container', 'node'],
  events: ['type', 'reason', 'kind'],
  audit: ['verb', 'user', 'resource', 'code'],
};

function Facet({ state, range, field, open: initiallyOpen, ready, onToggleValue }) {
  const [open, setOpen] = useState(initiallyOpen);
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const key = JSON.stringify([state.kind, state.q, state.filters, range]);
  useEffect(() => {
    if (!open || !ready) return undefined;
    const ac = new AbortController();
    setError(null);
    statsOf({ state, range }, { field, size: 5 }, ac.signal).then(
      setData,
      (e) => e.name !== 'AbortError' && setError(e),
    );
    return () => ac.abort();
  }, [open, ready, key]);
  const selected = new Set(state.filters[field] ?? []);
  const max = Math.max(1, ...(data?.groups ?? []).map((g) => g.count));
  return html`<section class="facet" data-field=${field}>
    <button type="button" class="facet-head" aria-expanded=${open ? 'true' : 'false'} onClick=${() => setOpen(!open)}>
      <span>${open ? '▾' : '▸'} ${field}</span>${data && html`<span class="muted small">${data.distinct} value${data.distinct === 1 ? '' : 's'}</span>`}
    </button>
    ${
      open &&
      html`<ul class="facet-values">
      ${error && html`<li class="error-text" role="alert">${error.message}</li>`}
      ${!data && !error && html`<li class="skeleton"></li><li class="skeleton"></li>`}
      ${data?.groups.map(
        (g) => html`<li>
        <label title=${`${g.count} records with ${field}=${g.key}`}>
          <input type="checkbox" checked=${selected.has(g.key)} onChange=${() => onToggleValue(field, g.key)} />
          <span class="facet-key">${g.key}</span><span class="facet-count">${g.count.toLocaleString()}</span>
          <span class="facet-bar" style=${`width:${(g.count / max) * 100}%`}></span>
        </label></li>`,
      )}
      ${data && typeof data.missing === 'number' && data.missing > 0 && html`<li class="muted small">without ${field}: ${data.missing.toLocaleString()}</li>`}
      ${data && data.groups.length === 0 && html`<li class="muted small">no values</li>`}
    </ul>`
    }
  </section>`;
}

/**
 * The facets of a kind's filter fields. Their counts are fetched once `ready` (the results and histogram of
 * the view have arrived), so they do not compete with the first screen for the browser's connections.
 */
export function Facets({ state, range, ready, onToggleValue }) {
  const fields = Object.keys(FILTER_FIELDS[state.kind]).filter((f) => f !== 'cluster' && f !== 'namespace');
  return html`<nav class="facets" id="facets" aria-label="field facets">
    <h2 class="small muted">Fields</h2>
    ${fields.map((f) => html`<${Facet} key=${`${state.kind}-${f}`} state=${state} range=${range} field=${f} open=${OPEN_AT_START[state.kind].includes(f) || Boolean(state.filters[f])} ready=${ready} onToggleValue=${onToggleValue} />`)}
  </nav>`;
}

/** A picker of one field's values seen in the records of the range (with counts), for cluster and namespace. */
export function ValuePicker({ state, range, field, label, onPick }) {
  const [values, setValues] = useState(null);
  const key = JSON.stringify([state.kind, state.q, state.filters, range]);
  useEffect(() => {
    const ac = new AbortController();
    statsOf({ state, range }, { field, size: 500 }, ac.signal).then(
      (r) => setValues(r.groups),
      () => setValues([]),
    );
    return () => ac.abort();
  }, [key]);
  const current = state.filters[field] ?? [];
  const options = [...(values ?? [])];
  for (const v of current) if (!options.some((o) => o.key === v)) options.push({ key: v, count: 0 });
  return html`<label class="picker">
    <span>${label}</span>
    <select id=${`pick-${field}`} aria-label=${label} onChange=${(e) => onPick(field, e.target.value)}>
      <option value="" selected=${current.length === 0}>All (${values ? values.length : '…'})</option>
      ${current.length > 1 && html`<option value=${current.join(',')} selected>${current.length} selected</option>`}
      ${options.map((o) => html`<option value=${o.key} selected=${current.length === 1 && current[0] === o.key}>${o.key} (${o.count.toLocaleString()})</option>`)}
    </select>
  </label>`;
}
