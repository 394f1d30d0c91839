// Clusters: one row per configured or seen cluster — Prometheus reachable, version, response time; the
// collector's last record, records per minute by kind; the indexer's lag — with links into Explore and dashboards.
import { useEffect, useState } from 'preact/hooks';
import { api } from '/ui/lib/api.js';
import { html } from '/ui/lib/html.js';
import { localTime, relative } from '/ui/lib/time.js';
import { ErrorBox, Loading, ScopeNote } from '/ui/components/common.js';

const KINDS = ['logs', 'events', 'audit'];

function Prometheus({ p, configured }) {
  if (!configured)
    return html`<span class="muted" title="Not in clusters[] of the configuration: records arrive, but Pharos has no Prometheus for it">not configured</span>`;
  return html`<span title=${p.error ?? ''}><span class=${`dot ${p.reachable ? 'up' : 'down'}`}></span>${p.reachable ? `up · ${p.version ?? 'version unknown'} · ${p.responseMs} ms` : html`<span class="error-text">down</span> <span class="small muted">${p.error}</span>`}
    ${p.endpoints > 1 ? html` <span class="muted small">(${p.endpointsUp}/${p.endpoints} replicas)</span>` : ''}</span>`;
}

export default function Clusters({ me }) {
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const [tick, setTick] = useState(0);
  useEffect(() => void api('/v1/clusters').then((d) => (setData(d), setError(null)), setError), [tick]);
  useEffect(() => {
    const t = setInterval(() => setTick((n) => n + 1), 30_000);
    return () => clearInterval(t);
  }, []);
  const lag = data?.indexerLag;
  return html`<div class="page clusters"><h1>Clusters</h1>
    ${data?.scopeNote && html`<${ScopeNote}>${data.scopeNote}</${ScopeNote}>`}
    <${ErrorBox} error=${error} onRetry=${() => setTick((n) => n + 1)} />
    ${!data && !error && html`<${Loading} rows=${4} />`}
    ${
      data &&
      html`<table class="plain" id="cluster-table"><thead><tr><th>cluster</th><th>Prometheus</th><th>collector last seen</th>
      ${KINDS.map((k) => html`<th class="num" title="records per minute over the last 5 minutes (records of the last 24 h)">${k}/min</th>`)}<th title="Bus messages not yet stored by the indexer, per kind; the topics are shared by every cluster">indexer lag</th><th>open</th></tr></thead>
      <tbody>${data.clusters.map(
        (c) => html`<tr data-cluster=${c.name}>
        <td><strong>${c.name}</strong></td>
        <td><${Prometheus} p=${c.prometheus} configured=${c.configured} /></td>
        <td>${c.collectorLastSeen ? html`<span title=${localTime(c.collectorLastSeen)}>${relative(c.collectorLastSeen)}</span>` : html`<span class="muted">no record in 24 h</span>`}</td>
        ${KINDS.map((k) => html`<td class="num" title=${`${c.records[k].last24h} in the last 24 h${c.records[k].lastRecordAt ? `, newest at ${localTime(c.records[k].lastRecordAt)}` : ''}`}>${c.records[k].perMinute}</td>`)}
        <td class="small">${KINDS.map((k) => `${k} ${lag[k] ?? '?'}`).join(' · ')}</td>
        <td class="small"><a href=${`/ui/explore/logs?cluster=${encodeURIComponent(c.name)}`}>logs</a> · <a href=${`/ui/explore/events?cluster=${encodeURIComponent(c.name)}`}>events</a> · <a href=${`/ui/explore/audit?cluster=${encodeURIComponent(c.name)}`}>audit</a> · <a href=${`/ui/dashboards/cluster-overview?var-cluster=${encodeURIComponent(c.name)}`}>dashboard</a></td>
      </tr>`,
      )}</tbody></table>
      ${data.clusters.length === 0 && html`<p class="empty-note">No cluster configured (clusters[]) and no record received in the last 24 hours${me?.restricted ? ' within your scope' : ''}.</p>`}
      <p class="muted small">Indexer lag counts bus messages the indexer group has not stored yet (“?” where this process cannot know it: the indexer runs elsewhere on an in-process bus). Updated ${localTime(data.generatedAt, false)}.</p>`
    }
  </div>`;
}
