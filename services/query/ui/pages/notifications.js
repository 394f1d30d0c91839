// The notification log (/v1/notifications): per receiver, or the entries that carried one alert.
import { useEffect, useState } from 'preact/hooks';
import { api, qs } from '/ui/lib/api.js';
import { html } from '/ui/lib/html.js';
import { setParams } from '/ui/lib/router.js';
import { localTime } from '/ui/lib/time.js';
import { Badge, ErrorBox, Loading, ScopeNote } from '/ui/components/common.js';

/** How far back one alert's notifications are looked for (the log is read newest first). */
const PER_ALERT_SCAN = 1000;

export function Notifications({ receiver = '', fingerprint, pickReceiver = false }) {
  const [state, setState] = useState({ items: null, error: null, next: null });
  const [receivers, setReceivers] = useState([]);
  useEffect(() => {
    const ac = new AbortController();
    setState({ items: null, error: null, next: null });
    api(
      `/v1/notifications${qs({ receiver: receiver || undefined, limit: fingerprint ? PER_ALERT_SCAN : 100 })}`,
      ac.signal,
    ).then(
      (r) =>
        setState({
          items: fingerprint ? r.items.filter((n) => n.fingerprints?.includes(fingerprint)) : r.items,
          error: null,
          next: r.next,
        }),
      (error) => error.name !== 'AbortError' && setState({ items: null, error, next: null }),
    );
    return () => ac.abort();
  }, [receiver, fingerprint]);
  useEffect(() => {
    if (pickReceiver)
      api('/v1/receivers').then(
        (r) => setReceivers(r.receivers.map((x) => x.name)),
        () => setReceivers([]),
      );
  }, [pickReceiver]);
  if (state.error?.status === 403)
    return html`<${ScopeNote}>The notification log is hidden from tokens limited to some clusters or namespaces: its entries name receivers’ addresses and carry whole alert groups.</${ScopeNote}>`;
  return html`<div class="notifications" id="notifications">
    ${
      pickReceiver &&
      html`<div class="toolbar"><label class="picker"><span>Receiver</span><select id="receiver" value=${receiver} onChange=${(e) => setParams({ receiver: e.target.value || null })}>
      <option value="">All receivers</option>${receivers.map((r) => html`<option value=${r}>${r}</option>`)}</select></label></div>`
    }
    <${ErrorBox} error=${state.error} />
    ${!state.items && !state.error && html`<${Loading} rows=${3} />`}
    ${state.items && state.items.length === 0 && html`<p class="muted">${fingerprint ? 'No notification carried this alert yet (recent log entries).' : 'No notification was sent yet.'}</p>`}
    ${
      state.items &&
      state.items.length > 0 &&
      html`<table class="plain"><thead><tr><th>time</th><th>receiver</th><th>integration</th><th>target</th><th>status</th><th>alerts</th><th>result</th><th>attempts</th><th>error</th></tr></thead>
      <tbody>${state.items.map(
        (
          n,
        ) => html`<tr data-result=${n.result}><td>${localTime(Date.parse(n.time), false)}</td><td>${n.receiver}</td><td>${n.integration}</td><td>${n.target}</td><td>${n.status}</td><td>${n.alertnames} (${n.alerts})</td>
        <td><${Badge} kind=${n.result === 'sent' ? 'ok' : 'err'}>${n.result}</${Badge}></td><td>${n.attempts}</td><td class="small">${n.error ?? ''}</td></tr>`,
      )}</tbody></table>`
    }
  </div>`;
}
