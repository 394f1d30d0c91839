// The record drawer: every stored field (whatever the kind holds, so new fields appear without a change
// here), the raw original as received, and "show context": the records around it from the same source.
import { useEffect, useState } from 'preact/hooks';
import { html } from '/ui/lib/html.js';
import { isoUtc, localTime } from '/ui/lib/time.js';
import { Drawer, ErrorBox, Loading } from '/ui/components/common.js';
import { CONTEXT_KEYS, contextOf } from '/ui/pages/explore-query.js';

const TIME_FIELDS = new Set(['time', 'ingestedAt', 'firstTimestamp', 'lastTimestamp']);

function value(name, v) {
  // OTLP logs keep the W3C trace id of the span they were written in (traceId, lowercase hex): open the trace.
  if (name === 'traceId' && typeof v === 'string' && /^[0-9a-f]{1,32}$/i.test(v))
    return html`<a class="mono" id="record-trace-link" href=${`/ui/traces/${v}`}>${v}</a> <span class="muted small">open the trace</span>`;
  if (TIME_FIELDS.has(name) && typeof v === 'number')
    return html`<span>${localTime(v)}</span> <span class="muted">${isoUtc(v)}</span>`;
  if (Array.isArray(v)) return v.join(', ');
  if (v !== null && typeof v === 'object') return html`<pre class="json">${JSON.stringify(v, null, 2)}</pre>`;
  return String(v);
}

function Context({ kind, doc, onOpen }) {
  const [state, setState] = useState({ loading: true });
  useEffect(() => {
    const ac = new AbortController();
    contextOf(kind, doc, ac.signal).then(
      (r) => setState(r),
      (error) => error.name !== 'AbortError' && setState({ error }),
    );
    return () => ac.abort();
  }, [doc.id]);
  if (state.loading) return html`<${Loading} rows=${4} />`;
  if (state.error) return html`<${ErrorBox} error=${state.error} />`;
  const by = Object.entries(state.filters)
    .map(([k, v]) => `${k}=${v[0]}`)
    .join(', ');
  return html`<div class="context" id="record-context">
    <p class="muted small">Records just before and after, from the same ${kind === 'logs' ? 'pod and container' : kind === 'events' ? 'object' : 'user'} (${by}):</p>
    <ol class="context-list">${state.items.map(
      (d) => html`<li class=${d.id === doc.id ? 'current' : ''} data-id=${d.id}>
      <button type="button" class="link" onClick=${() => onOpen(d)}>${localTime(d.time)}</button>
      <span class="ctx-text">${d.message ?? d.requestURI ?? d.reason ?? ''}${kind === 'audit' ? ` ${d.verb ?? ''} ${d.code ?? ''}` : ''}</span>
    </li>`,
    )}</ol>
  </div>`;
}

export function RecordDrawer({ kind, doc, loading, error, onClose, onOpen }) {
  const [showContext, setShowContext] = useState(false);
  useEffect(() => setShowContext(false), [doc?.id]);
  const title = doc ? `${kind} record` : 'Record';
  return html`<${Drawer} id="record-drawer" title=${title} onClose=${onClose}>
    ${loading && html`<${Loading} rows=${6} />`}
    ${error && html`<${ErrorBox} error=${error} />`}
    ${!loading && !error && !doc && html`<p>This record is not in the selected time range any more, or it is outside your token’s scope.</p>`}
    ${
      doc &&
      html`
      <table class="fields" id="record-fields"><tbody>
        ${Object.entries(doc)
          .filter(([k]) => k !== 'raw')
          .map(([k, v]) => html`<tr data-field=${k}><th>${k}</th><td>${value(k, v)}</td></tr>`)}
      </tbody></table>
      <div class="drawer-actions">
        <button type="button" id="show-context" onClick=${() => setShowContext(true)} disabled=${showContext}>Show context</button>
        <span class="muted small">${CONTEXT_KEYS[kind].join(', ')}</span>
      </div>
      ${showContext && html`<${Context} kind=${kind} doc=${doc} onOpen=${onOpen} />`}
      <h3>Raw original</h3>
      ${
        doc.raw === undefined
          ? html`<p class="muted" id="record-raw">${kind === 'logs' ? 'Log lines are stored as they were received: every field is above.' : 'No raw original was stored for this record (it may have been over the bus size limit).'}</p>`
          : html`<pre class="json raw" id="record-raw">${JSON.stringify(doc.raw, null, 2)}</pre>`
      }
    `
    }
  </${Drawer}>`;
}
