// Traces: the service topology (GET /v1/topology) as a graph and a table, an edge's slowest traces (Tempo search),
// and /ui/traces/<traceId>: one trace's spans as a waterfall. The URL holds the view:
// /ui/traces?start=&end=&cluster=&namespace=&sources=&edge=<edge id>.
import { useEffect, useState } from 'preact/hooks';
import { api, qs } from '/ui/lib/api.js';
import { html } from '/ui/lib/html.js';
import { setParams } from '/ui/lib/router.js';
import { apiTime, resolveTime } from '/ui/lib/time.js';
import { ErrorBox } from '/ui/components/common.js';
import { TimeRange } from '/ui/components/time-range.js';
import { SlowestTraces } from '/ui/components/slowest-traces.js';
import { TopologyGraph, ms, pct, place, rate } from '/ui/components/topology-graph.js';
import { TraceView } from '/ui/pages/trace-view.js';

const SOURCES = ['spans', 'istio', 'servicegraph'];

export function readTraces(route) {
  const p = route.params;
  const sources = (p.get('sources') ?? '').split(',').filter((s) => SOURCES.includes(s));
  return {
    start: p.get('start') ?? 'now-1h',
    end: p.get('end') ?? 'now',
    cluster: p.get('cluster') ?? '',
    namespace: p.get('namespace') ?? '',
    sources: sources.length ? sources : SOURCES,
    edge: p.get('edge') ?? '',
  };
}

function Filters({ state, nodes }) {
  const [cluster, setCluster] = useState(state.cluster);
  const [namespace, setNamespace] = useState(state.namespace);
  useEffect(() => (setCluster(state.cluster), setNamespace(state.namespace)), [state.cluster, state.namespace]);
  const values = (f) => [...new Set(nodes.map((n) => n[f]).filter(Boolean))].sort();
  const toggle = (s) => {
    const next = state.sources.includes(s) ? state.sources.filter((x) => x !== s) : [...state.sources, s];
    if (next.length) setParams({ sources: next.length === SOURCES.length ? null : next.join(','), edge: null });
  };
  return html`<form class="trace-filters" id="topology-filters" onSubmit=${(e) => {
    e.preventDefault();
    setParams({ cluster: cluster.trim() || null, namespace: namespace.trim() || null, edge: null });
  }}>
    <label>cluster <input id="topology-cluster" list="topology-clusters" size="12" value=${cluster} onInput=${(e) => setCluster(e.target.value)} /></label>
    <datalist id="topology-clusters">${values('cluster').map((v) => html`<option value=${v} />`)}</datalist>
    <label>namespace <input id="topology-namespace" list="topology-namespaces" size="14" value=${namespace} onInput=${(e) => setNamespace(e.target.value)} /></label>
    <datalist id="topology-namespaces">${values('namespace').map((v) => html`<option value=${v} />`)}</datalist>
    <button type="submit">Filter</button>
    <fieldset class="sources"><legend class="sr-only">sources</legend><span class="muted">sources</span>
      ${SOURCES.map((s) => html`<label title=${s === 'spans' ? 'the span store' : `${s} metrics through the federation`}><input type="checkbox" id=${`source-${s}`} checked=${state.sources.includes(s)} onChange=${() => toggle(s)} /> ${s}</label>`)}
    </fieldset>
  </form>`;
}

function EdgeTable({ edges, byId, selected }) {
  const name = (id) => {
    const n = byId.get(id);
    return n ? html`<strong>${n.service}</strong> <span class="muted small">${place(n)}</span>` : id;
  };
  return html`<table class="plain" id="edge-table"><caption class="sr-only">Calls between services</caption>
    <thead><tr><th>caller</th><th>callee</th><th class="num">requests</th><th class="num">req/s</th><th class="num">errors</th><th class="num">error rate</th><th class="num">p50</th><th class="num">p95</th><th>via</th><th></th></tr></thead>
    <tbody>${edges.map(
      (e) => html`<tr data-edge=${e.id} class=${e.id === selected ? 'selected' : ''}>
      <td>${name(e.source)}</td><td>${name(e.target)}${e.crossCluster ? html` <span class="badge badge-cross" title="caller and callee are in different clusters">cross-cluster</span>` : ''}</td>
      <td class="num">${Math.round(e.requests * 100) / 100}</td><td class="num">${rate(e.requestRate)}</td><td class="num">${Math.round(e.errors * 100) / 100}</td>
      <td class=${`num${e.errors > 0 ? ' error-text' : ''}`}>${pct(e.errorRate)}</td><td class="num">${ms(e.p50Ms)}</td><td class="num">${ms(e.p95Ms)}</td>
      <td class="small muted">${(e.via ?? ['spans']).join(', ')}</td>
      <td><button type="button" class="link" onClick=${() => setParams({ edge: e.id })}>slowest traces</button></td>
    </tr>`,
    )}</tbody></table>`;
}

function Topology({ route }) {
  const state = readTraces(route);
  const [data, setData] = useState({ loading: true });
  const range = { startMs: resolveTime(state.start), endMs: resolveTime(state.end) };
  const key = JSON.stringify([state.start, state.end, state.cluster, state.namespace, state.sources]);
  useEffect(() => {
    const ac = new AbortController();
    setData((d) => ({ ...d, loading: true, error: null }));
    const params = {
      start: apiTime(range.startMs),
      end: apiTime(range.endMs),
      cluster: state.cluster,
      namespace: state.namespace,
      sources: state.sources.join(','),
    };
    api(`/v1/topology${qs(params)}`, ac.signal).then(
      (topology) => setData({ topology, range }),
      (error) => error.name !== 'AbortError' && setData({ error }),
    );
    return () => ac.abort();
  }, [key]);
  const t = data.topology;
  const byId = new Map((t?.nodes ?? []).map((n) => [n.id, n]));
  const edge = t?.edges.find((e) => e.id === state.edge);
  return html`<div class="page traces"><h1>Traces</h1>
    <div class="trace-controls">
      <${TimeRange} start=${state.start} end=${state.end} idPrefix="topology-range" onChange=${(start, end) => setParams({ start, end, edge: null })} />
      <${Filters} state=${state} nodes=${t?.nodes ?? []} />
    </div>
    <${ErrorBox} error=${data.error} onRetry=${() => setParams({ edge: state.edge || null })} />
    ${data.loading && !t && html`<div class="skeleton-box graph-placeholder"></div>`}
    ${t?.partial && html`<p class="scope-note" role="note" id="topology-partial">The graph may miss calls: ${(t.warnings ?? []).join('; ') || 'more spans in the range than the topology reads'}.</p>`}
    ${
      t &&
      html`<div id="topology" data-edges=${t.edges.length} data-nodes=${t.nodes.length} aria-busy=${data.loading ? 'true' : 'false'}>
      ${t.edges.length === 0 ? html`<p class="empty-note">No calls between services in this range${state.cluster || state.namespace ? ' and filter' : ''} (${t.spans} spans read).</p>` : html`<${TopologyGraph} nodes=${t.nodes} edges=${t.edges} selected=${state.edge} onSelect=${(id) => setParams({ edge: id })} />`}
      <p class="muted small legend"><span class="legend-cross">- - ⇄</span> cross-cluster call · <span class="error-text">red</span>: some calls failed · ${t.spans} spans read · click a call for its slowest traces.</p>
      ${edge && html`<${SlowestTraces} edge=${edge} callee=${byId.get(edge.target) ?? { service: edge.target.split('/').pop() }} range=${data.range} onClose=${() => setParams({ edge: null })} />`}
      ${t.edges.length > 0 && html`<${EdgeTable} edges=${t.edges} byId=${byId} selected=${state.edge} />`}
    </div>`
    }
  </div>`;
}

export default function Traces({ route }) {
  const id = route.parts[1];
  return id ? html`<${TraceView} traceId=${id} />` : html`<${Topology} route=${route} />`;
}
