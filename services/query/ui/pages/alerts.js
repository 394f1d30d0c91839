// Alerts: firing and pending alerts across clusters, grouped by alertname or cluster, with their silenced and
// inhibited state, history timeline and notifications; and the notification log per receiver.
import { useEffect, useState } from 'preact/hooks';
import { api, qs } from '/ui/lib/api.js';
import { html } from '/ui/lib/html.js';
import { setParams } from '/ui/lib/router.js';
import { localTime, relative } from '/ui/lib/time.js';
import { Badge, ErrorBox, Labels, Loading, ScopeNote } from '/ui/components/common.js';
import { Timeline, segmentsFromHistory } from '/ui/components/timeline.js';
import { Notifications } from '/ui/pages/notifications.js';

/** One list from the two APIs: rule alerts (pending too) and the Alertmanager view (silenced, inhibited). */
export async function loadAlerts(filter, signal) {
  const f = { filter: filter || undefined };
  const [am, rules] = await Promise.all([
    api(`/alertmanager/api/v2/alerts${qs(f)}`, signal),
    api(`/v1/alerts${qs(f)}`, signal).catch(() => ({ alerts: [] })),
  ]);
  const byFp = new Map();
  for (const a of rules.alerts)
    byFp.set(a.fingerprint, {
      fingerprint: a.fingerprint,
      labels: a.labels,
      annotations: a.annotations,
      state: a.state,
      since: Date.parse(a.firedAt ?? a.activeAt),
      value: a.value,
      rule: a.rule,
      silencedBy: [],
      inhibitedBy: [],
    });
  for (const a of am) {
    const row = byFp.get(a.fingerprint) ?? {
      fingerprint: a.fingerprint,
      labels: a.labels,
      annotations: a.annotations,
      state: 'firing',
      since: Date.parse(a.startsAt),
    };
    byFp.set(a.fingerprint, {
      ...row,
      silencedBy: a.status.silencedBy,
      inhibitedBy: a.status.inhibitedBy,
      receivers: a.receivers.map((r) => r.name),
    });
  }
  return [...byFp.values()].sort((x, y) => x.since - y.since);
}

/** A silence editor link prefilled with an alert's labels (Alertmanager's matcher syntax). */
export const silenceLink = (labels) =>
  `/ui/silences${qs({ new: '1', matcher: Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`) })}`;

function History({ alert }) {
  const [items, setItems] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    const ac = new AbortController();
    const filter = Object.entries(alert.labels)
      .filter(([k]) => k !== 'alertname')
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    api(`/v1/alerts/history${qs({ alertname: alert.labels.alertname, filter, limit: 200 })}`, ac.signal).then(
      (r) => setItems(r.items.filter((i) => i.fingerprint === alert.fingerprint)),
      (e) => e.name !== 'AbortError' && setError(e),
    );
    return () => ac.abort();
  }, [alert.fingerprint]);
  if (error) return html`<${ErrorBox} error=${error} />`;
  if (!items) return html`<${Loading} rows=${1} />`;
  const now = Date.now();
  const times = items.map((i) => Date.parse(i.time));
  const start = Math.min(now - 3_600_000, ...times);
  return html`<div class="history" data-transitions=${String(items.length)}>
    <h3>History</h3>
    <${Timeline} start=${start} end=${now} segments=${segmentsFromHistory(items, now)} />
    <ol class="small">${items.map((i) => html`<li>${localTime(Date.parse(i.time), false)}: ${i.from} → <strong>${i.to}</strong>${i.value !== undefined ? ` (value ${i.value})` : ''}</li>`)}</ol>
  </div>`;
}

function AlertRow({ alert, grouping, expanded }) {
  const suppressed = alert.silencedBy?.length ? 'silenced' : alert.inhibitedBy?.length ? 'inhibited' : '';
  return html`<div class="alert-row" data-fingerprint=${alert.fingerprint} data-state=${alert.state}>
    <div><${Badge} kind=${alert.state}>${alert.state}</${Badge}> ${suppressed && html`<${Badge} kind=${suppressed}>${suppressed}</${Badge}>`}</div>
    <div><${Labels} labels=${alert.labels} skip=${[grouping]} />
      <div class="muted small" title=${new Date(alert.since).toISOString()}>since ${localTime(alert.since, false)} (${relative(alert.since)})${alert.value !== undefined ? ` · value ${alert.value}` : ''}${alert.rule ? ` · rule group ${alert.rule.group}` : ''}</div></div>
    <div class="row-actions">
      <a class="button-link" href=${silenceLink(alert.labels)}>Silence…</a>
      <button type="button" aria-expanded=${expanded ? 'true' : 'false'} onClick=${() => setParams({ alert: expanded ? null : alert.fingerprint })}>${expanded ? 'Hide details' : 'Details'}</button>
    </div>
    ${(alert.annotations.summary || alert.annotations.description) && html`<div class="annotations">${alert.annotations.summary}${alert.annotations.description ? ` — ${alert.annotations.description}` : ''}</div>`}
    ${
      expanded &&
      html`<div class="extra">
      ${suppressed && html`<p class="small">${alert.silencedBy.length ? `Silenced by ${alert.silencedBy.map((id) => id.slice(0, 8)).join(', ')}` : `Inhibited by ${alert.inhibitedBy.join(', ')}`}.</p>`}
      ${Object.keys(alert.annotations).length > 0 && html`<table class="fields plain"><tbody>${Object.entries(alert.annotations).map(([k, v]) => html`<tr><th>${k}</th><td>${v}</td></tr>`)}</tbody></table>`}
      <${History} alert=${alert} />
      <h3>Notifications</h3>
      <${Notifications} fingerprint=${alert.fingerprint} />
    </div>`
    }
  </div>`;
}

function AlertList({ params, me }) {
  const grouping = params.get('group') === 'cluster' ? 'cluster' : 'alertname';
  const filter = params.get('filter') ?? '';
  const [alerts, setAlerts] = useState(null);
  const [error, setError] = useState(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const ac = new AbortController();
    loadAlerts(filter, ac.signal).then(
      (a) => (setAlerts(a), setError(null)),
      (e) => e.name !== 'AbortError' && setError(e),
    );
    return () => ac.abort();
  }, [filter, tick]);
  useEffect(() => {
    const t = setInterval(() => setTick((n) => n + 1), 15_000);
    return () => clearInterval(t);
  }, []);
  const groups = new Map();
  for (const a of alerts ?? []) {
    const key = a.labels[grouping] ?? `(no ${grouping})`;
    groups.set(key, [...(groups.get(key) ?? []), a]);
  }
  const [text, setText] = useState(filter);
  return html`<div>
    <form class="toolbar" onSubmit=${(e) => (e.preventDefault(), setParams({ filter: text.trim() || null }))}>
      <label class="picker"><span>Group by</span><select id="group-by" value=${grouping} onChange=${(e) => setParams({ group: e.target.value })}><option value="alertname">alertname</option><option value="cluster">cluster</option></select></label>
      <label class="picker"><span>Filter</span><input id="alert-filter" size="40" value=${text} onInput=${(e) => setText(e.target.value)} placeholder='severity="critical", cluster=~"east|west"' /></label>
      <button type="submit">Apply</button>
      <span class="muted small">${alerts ? `${alerts.filter((a) => a.state === 'firing').length} firing · ${alerts.filter((a) => a.state === 'pending').length} pending` : ''}</span>
    </form>
    ${me?.restricted && html`<${ScopeNote}>Only alerts whose cluster and namespace labels are inside your token’s scope are shown${me.scope.namespaces.includes('*') ? '' : ' (node- and cluster-level alerts have no namespace, so they are hidden)'}.</${ScopeNote}>`}
    <${ErrorBox} error=${error} onRetry=${() => setTick((n) => n + 1)} />
    ${!alerts && !error && html`<${Loading} rows=${4} />`}
    ${alerts && alerts.length === 0 && html`<p class="empty-note" id="no-alerts">No alert is firing or pending${filter ? ' for this filter' : ''}.</p>`}
    <div id="alert-groups">${[...groups].map(
      ([key, list]) => html`<section class="card alert-group" data-group=${key}>
      <div class="group-head"><h2>${key}</h2><span class="muted">${list.length} alert${list.length > 1 ? 's' : ''}</span></div>
      ${list.map((a) => html`<${AlertRow} key=${a.fingerprint} alert=${a} grouping=${grouping} expanded=${params.get('alert') === a.fingerprint} />`)}
    </section>`,
    )}</div>
  </div>`;
}

export default function Alerts({ route, me }) {
  const tab = route.params.get('tab') === 'notifications' ? 'notifications' : 'alerts';
  return html`<div class="page alerts">
    <h1>Alerts</h1>
    <nav class="tabs" aria-label="alerts views">
      <a href="/ui/alerts" class=${tab === 'alerts' ? 'active' : ''}>Firing and pending</a>
      <a href="/ui/alerts?tab=notifications" class=${tab === 'notifications' ? 'active' : ''}>Notification log</a>
    </nav>
    ${tab === 'alerts' ? html`<${AlertList} params=${route.params} me=${me} />` : html`<${Notifications} receiver=${route.params.get('receiver') ?? ''} pickReceiver />`}
  </div>`;
}
