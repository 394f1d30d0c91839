// The landing page: where to go, what fires, and the dashboards.
import { useEffect, useState } from 'preact/hooks';
import { api } from '/ui/lib/api.js';
import { html } from '/ui/lib/html.js';
import { DashboardList } from '/ui/pages/dashboards.js';

export default function Home() {
  const [firing, setFiring] = useState(null);
  useEffect(
    () =>
      void api('/alertmanager/api/v2/alerts?active=true&silenced=false&inhibited=false').then(
        (a) => setFiring(a.length),
        () => setFiring(undefined),
      ),
    [],
  );
  return html`<div class="page home">
    <h1>Pharos</h1>
    <div class="home-grid">
      <section class="card"><h2>Explore</h2><p>Search records across every cluster.</p>
        <p><a href="/ui/explore/logs">Logs</a> · <a href="/ui/explore/events">Events</a> · <a href="/ui/explore/audit">Audit</a></p></section>
      <section class="card"><h2>Alerts</h2><p id="home-firing">${firing === null ? '…' : firing === undefined ? 'Alerting is not available here.' : `${firing} firing, not silenced`}</p>
        <p><a href="/ui/alerts">Alerts</a> · <a href="/ui/silences">Silences</a> · <a href="/ui/rules">Rules</a></p></section>
      <section class="card"><h2>Traces</h2><p>Calls between services across clusters, their slowest traces, each trace’s spans and logs.</p><p><a href="/ui/traces">Service graph</a></p></section>
      <section class="card"><h2>Clusters</h2><p>Prometheus, collectors and the indexer, per cluster.</p><p><a href="/ui/clusters">Clusters</a></p></section>
    </div>
    <h2>Dashboards</h2>
    <${DashboardList} />
  </div>`;
}
