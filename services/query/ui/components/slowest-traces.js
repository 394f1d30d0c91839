// An edge's slowest traces: Tempo search by the callee's service over the window, sorted by duration. Shown by the
// Traces page and by dashboards' topology panels when a call is clicked.
import { useEffect, useState } from 'preact/hooks';
import { api, qs } from '/ui/lib/api.js';
import { html } from '/ui/lib/html.js';
import { localTime } from '/ui/lib/time.js';
import { ErrorBox, Loading } from '/ui/components/common.js';
import { edgeLabel, ms } from '/ui/components/topology-graph.js';

/** Traces listed per edge; search answers newest first, so more are asked for and the slowest kept. */
const SLOWEST = 20;
const SEARCH_LIMIT = 500;

/** `range` is `{ startMs, endMs }`; `onClose` hides the list. */
export function SlowestTraces({ edge, callee, range, onClose }) {
  const [state, setState] = useState({ loading: true });
  useEffect(() => {
    const ac = new AbortController();
    setState({ loading: true });
    const params = {
      service: callee.service,
      start: Math.floor(range.startMs / 1000),
      end: Math.ceil(range.endMs / 1000),
      limit: SEARCH_LIMIT,
    };
    api(`/tempo/api/search${qs(params)}`, ac.signal).then(
      (r) =>
        setState({
          traces: [...r.traces].sort((a, b) => b.durationMs - a.durationMs).slice(0, SLOWEST),
          read: r.traces.length,
        }),
      (error) => error.name !== 'AbortError' && setState({ error }),
    );
    return () => ac.abort();
  }, [edge.id, range.startMs, range.endMs]);
  return html`<section class="slowest" id="slowest-traces" aria-live="polite">
    <h2>Slowest traces calling ${callee.service} <span class="muted small">${edge.source} → ${edge.target} · ${edgeLabel(edge)}</span>
      <button type="button" class="ghost" aria-label="Close the trace list" onClick=${onClose}>✕</button></h2>
    ${state.loading && html`<${Loading} rows=${3} />`}
    <${ErrorBox} error=${state.error} />
    ${state.traces && state.traces.length === 0 && html`<p class="empty-note">No trace with a span of ${callee.service} in this range.</p>`}
    ${
      state.traces?.length > 0 &&
      html`<table class="plain" id="trace-list"><thead><tr><th>trace</th><th>root</th><th>start</th><th class="num">duration</th></tr></thead>
      <tbody>${state.traces.map(
        (
          t,
        ) => html`<tr data-trace=${t.traceID}><td><a class="mono" href=${`/ui/traces/${t.traceID}`}>${t.traceID}</a></td>
        <td>${t.rootServiceName} <span class="muted">${t.rootTraceName}</span></td>
        <td>${localTime(Number(BigInt(t.startTimeUnixNano) / 1000000n))}</td><td class="num">${ms(t.durationMs)}</td></tr>`,
      )}</tbody></table>
      <p class="muted small">The ${state.traces.length} slowest of the newest ${state.read} traces with a span of service ${callee.service}.</p>`
    }
  </section>`;
}
