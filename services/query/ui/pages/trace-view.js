// One trace (/ui/traces/<traceId>): its spans from GET /tempo/api/traces/<id> (OTLP/JSON) as a waterfall —
// service, span name, cluster, a bar for when and how long it ran, status — a span's attributes on click, what
// the caller's scope withheld or the size limit cut, and a link to the trace's logs in Explore.
import { useEffect, useState } from 'preact/hooks';
import { api } from '/ui/lib/api.js';
import { html } from '/ui/lib/html.js';
import { isoUtc, localTime } from '/ui/lib/time.js';
import { Drawer, ErrorBox, Loading } from '/ui/components/common.js';
import { ms } from '/ui/components/topology-graph.js';

const KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUS = ['unset', 'ok', 'error'];
/** How far around the trace Explore looks for its logs: shippers and clocks are not exact. */
const LOG_MARGIN_MS = 5 * 60_000;

/** An OTLP/JSON AnyValue as a plain value (opentelemetry-proto's JSON mapping). */
function plain(v) {
  if (!v) return '';
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return v.doubleValue;
  if ('arrayValue' in v) return (v.arrayValue.values ?? []).map(plain);
  if ('kvlistValue' in v) return attrs(v.kvlistValue.values);
  return '';
}
const attrs = (list) => Object.fromEntries((list ?? []).map((kv) => [kv.key, plain(kv.value)]));
/** Epoch microseconds of a nanosecond string (exact: µs since 1970 fit a double). */
const micros = (ns) => Number(BigInt(ns ?? '0') / 1000n);

/** The spans of every batch, flat, with their resource's service, cluster and namespace. */
export function flatten(batches) {
  const spans = [];
  for (const b of batches ?? []) {
    const resource = attrs(b.resource?.attributes);
    for (const sc of b.scopeSpans ?? [])
      for (const s of sc.spans ?? []) {
        const a = attrs(s.attributes);
        spans.push({
          ...s,
          attributes: a,
          resource,
          service: resource['service.name'] ?? 'unknown_service',
          cluster: a['k8s.cluster.name'] ?? resource['k8s.cluster.name'] ?? '',
          namespace: a['k8s.namespace.name'] ?? resource['k8s.namespace.name'] ?? '',
          startUs: micros(s.startTimeUnixNano),
          endUs: micros(s.endTimeUnixNano),
        });
      }
  }
  return spans;
}

/** Depth-first from the roots (spans whose parent is not in the answer), children by start time. */
export function waterfall(spans) {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map();
  for (const s of spans) {
    const parent = s.parentSpanId && ids.has(s.parentSpanId) ? s.parentSpanId : '';
    (children.get(parent) ?? children.set(parent, []).get(parent)).push(s);
  }
  const out = [];
  const visit = (parent, depth) => {
    for (const s of (children.get(parent) ?? []).sort((a, b) => a.startUs - b.startUs)) {
      out.push({ ...s, depth });
      if (depth < 200) visit(s.spanId, depth + 1);
    }
  };
  visit('', 0);
  return out;
}

function SpanDetails({ span, onClose }) {
  const rows = (o) =>
    Object.entries(o).map(
      ([k, v]) => html`<tr><th>${k}</th><td>${typeof v === 'object' ? JSON.stringify(v) : String(v)}</td></tr>`,
    );
  return html`<${Drawer} id="span-drawer" title=${`span ${span.name}`} onClose=${onClose}>
    <table class="fields" id="span-fields"><tbody>
      <tr><th>service</th><td>${span.service}</td></tr>
      <tr><th>cluster</th><td>${span.cluster || '–'}</td></tr>
      <tr><th>kind</th><td>${KINDS[span.kind] ?? span.kind}</td></tr>
      <tr><th>status</th><td>${STATUS[span.status?.code ?? 0]}${span.status?.message ? `: ${span.status.message}` : ''}</td></tr>
      <tr><th>start</th><td>${localTime(span.startUs / 1000)} <span class="muted">${isoUtc(span.startUs / 1000)}</span></td></tr>
      <tr><th>duration</th><td>${ms((span.endUs - span.startUs) / 1000)}</td></tr>
      <tr><th>spanId</th><td class="mono">${span.spanId}</td></tr>
      <tr><th>parentSpanId</th><td class="mono">${span.parentSpanId || '–'}</td></tr>
    </tbody></table>
    <h3>Attributes</h3><table class="fields" id="span-attributes"><tbody>${rows(span.attributes)}</tbody></table>
    <h3>Resource</h3><table class="fields"><tbody>${rows(span.resource)}</tbody></table>
    ${span.events?.length > 0 && html`<h3>Events</h3><pre class="json">${JSON.stringify(span.events, null, 2)}</pre>`}
  </${Drawer}>`;
}

export function TraceView({ traceId }) {
  const [state, setState] = useState({ loading: true });
  const [open, setOpen] = useState(null);
  useEffect(() => {
    const ac = new AbortController();
    setState({ loading: true });
    setOpen(null);
    api(`/tempo/api/traces/${encodeURIComponent(traceId)}`, ac.signal).then(
      (r) => setState({ spans: waterfall(flatten(r.batches)), pharos: r.pharos ?? {} }),
      (error) => error.name !== 'AbortError' && setState({ error }),
    );
    return () => ac.abort();
  }, [traceId]);
  const spans = state.spans ?? [];
  const t0 = Math.min(...spans.map((s) => s.startUs));
  const t1 = Math.max(...spans.map((s) => s.endUs));
  const total = Math.max(1, t1 - t0);
  const logs = spans.length
    ? `/ui/explore/logs?traceId=${encodeURIComponent(traceId)}&start=${isoUtc(t0 / 1000 - LOG_MARGIN_MS)}&end=${isoUtc(t1 / 1000 + LOG_MARGIN_MS)}`
    : `/ui/explore/logs?traceId=${encodeURIComponent(traceId)}&start=now-24h&end=now`;
  const p = state.pharos ?? {};
  return html`<div class="page trace-page"><h1>Trace <span class="mono" id="trace-id">${traceId}</span></h1>
    <p class="trace-links"><a href="/ui/traces">← service graph</a> · <a id="trace-logs" href=${logs}>logs of this trace</a>
      ${spans.length > 0 && html` · <span class="muted">${spans.length} spans · ${ms(total / 1000)} · ${localTime(t0 / 1000)}</span>`}</p>
    ${state.loading && html`<${Loading} rows=${6} />`}
    <${ErrorBox} error=${state.error} />
    ${p.withheldSpans > 0 && html`<p class="scope-note" role="note" id="trace-withheld">🔒 ${p.withheldSpans} span${p.withheldSpans === 1 ? ' is' : 's are'} outside your token’s scope and not shown.</p>`}
    ${p.truncated && html`<p class="scope-note" role="note" id="trace-truncated">This trace is larger than Pharos answers at once: only the first ${p.spans} spans are shown.</p>`}
    ${
      spans.length > 0 &&
      html`<table class="plain waterfall" id="waterfall"><thead><tr><th>service</th><th>span</th><th>cluster</th><th class="num">duration</th><th class="bar-col">timeline</th></tr></thead>
      <tbody>${spans.map((s) => {
        const failed = s.status?.code === 2;
        const left = ((s.startUs - t0) / total) * 100;
        const width = Math.max(0.3, ((s.endUs - s.startUs) / total) * 100);
        return html`<tr data-span=${s.spanId} class=${`${failed ? 'failed' : ''}${open?.spanId === s.spanId ? ' selected' : ''}`} tabindex="0"
          onClick=${() => setOpen(s)} onKeyDown=${(e) => e.key === 'Enter' && setOpen(s)}>
          <td style=${`padding-left:${8 + s.depth * 14}px`}><strong>${s.service}</strong></td>
          <td>${s.name} <span class="muted small">${KINDS[s.kind] ?? ''}</span>${failed ? html` <span class="error-text small">error</span>` : ''}</td>
          <td class="small">${s.cluster || '–'}${s.namespace ? `/${s.namespace}` : ''}</td>
          <td class="num">${ms((s.endUs - s.startUs) / 1000)}</td>
          <td class="bar-col"><div class="span-bar-track"><div class=${`span-bar${failed ? ' failed' : ''}`} style=${`left:${left}%;width:${width}%`}></div></div></td>
        </tr>`;
      })}</tbody></table>`
    }
    ${open && html`<${SpanDetails} span=${open} onClose=${() => setOpen(null)} />`}
  </div>`;
}
