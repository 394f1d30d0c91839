// Silences: list, create (prefilled from an alert, with a preview of the alerts it would match), edit, expire.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, del, post, qs } from '/ui/lib/api.js';
import { html } from '/ui/lib/html.js';
import { navigate, setParams } from '/ui/lib/router.js';
import { isoUtc, localTime, relative } from '/ui/lib/time.js';
import { Badge, ErrorBox, Labels, Loading, ScopeNote } from '/ui/components/common.js';
import { loadAlerts } from '/ui/pages/alerts.js';

const OPS = ['=', '!=', '=~', '!~'];

/** `name="value"` (Alertmanager's matcher syntax; the value quoted or bare) → an editor row. */
export function parseMatcher(text) {
  const m = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/.exec(text);
  if (!m) return { name: '', op: '=', value: text };
  let value = m[3];
  if (/^".*"$/.test(value)) {
    try {
      value = JSON.parse(value);
    } catch {
      value = value.slice(1, -1);
    }
  }
  return { name: m[1], op: m[2], value };
}

const toApi = (r) => ({
  name: r.name.trim(),
  value: r.value,
  isRegex: r.op.includes('~'),
  isEqual: !r.op.startsWith('!'),
});
/** Alertmanager's matcher fields (isEqual, isRegex) → the operator people write. */
const showOp = (m) => (m.isEqual === false ? (m.isRegex ? '!~' : '!=') : m.isRegex ? '=~' : '=');
const fromApi = (m) => ({ name: m.name, value: m.value, op: showOp(m) });

/** Alertmanager's matching: regexes are anchored; a missing label is the empty string. */
function matches(rows, labels) {
  return rows.every((r) => {
    const v = labels[r.name] ?? '';
    let hit;
    if (r.op.includes('~')) {
      try {
        hit = new RegExp(`^(?:${r.value})$`).test(v);
      } catch {
        return false;
      }
    } else hit = v === r.value;
    return r.op.startsWith('!') ? !hit : hit;
  });
}

function Editor({ params, me }) {
  const editId = params.get('edit');
  const [rows, setRows] = useState(() =>
    params.getAll('matcher').length
      ? params.getAll('matcher').map(parseMatcher)
      : [{ name: 'alertname', op: '=', value: '' }],
  );
  const [hours, setHours] = useState('2');
  const [createdBy, setCreatedBy] = useState('');
  const [comment, setComment] = useState('');
  const [alerts, setAlerts] = useState(null);
  const [error, setError] = useState(null);
  const [loadError, setLoadError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [startsAt, setStartsAt] = useState(null);
  useEffect(() => void loadAlerts('').then(setAlerts, () => setAlerts([])), []);
  useEffect(() => me && !createdBy && setCreatedBy(me.name), [me]);
  useEffect(() => {
    if (!editId) return;
    api(`/v1/silences/${encodeURIComponent(editId)}`).then((s) => {
      setRows(s.matchers.map(fromApi));
      setCreatedBy(s.createdBy);
      setComment(s.comment);
      setStartsAt(s.startsAt);
      setHours(
        String(
          Math.max(
            0.1,
            Math.round(((Date.parse(s.endsAt) - Math.max(Date.now(), Date.parse(s.startsAt))) / 3_600_000) * 10) / 10,
          ),
        ),
      );
    }, setLoadError);
  }, [editId]);
  const valid = rows.filter((r) => r.name.trim());
  const matched = useMemo(
    () => (alerts ?? []).filter((a) => valid.length > 0 && matches(valid, a.labels)),
    [alerts, JSON.stringify(valid)],
  );
  const update = (i, patch) => setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const start = startsAt && Date.parse(startsAt) > Date.now() ? Date.parse(startsAt) : Date.now();
    try {
      const res = await post('/v1/silences', {
        ...(editId ? { id: editId } : {}),
        matchers: valid.map(toApi),
        startsAt: isoUtc(start),
        endsAt: isoUtc(start + Number(hours) * 3_600_000),
        createdBy,
        comment,
      });
      navigate(`/ui/silences?saved=${encodeURIComponent(res.silenceID)}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  if (loadError) return html`<${ErrorBox} error=${loadError} />`;
  return html`<form class="card silence-editor" id="silence-form" onSubmit=${submit}>
    <h2>${editId ? 'Edit silence' : 'New silence'}</h2>
    <div class="grid-form">
      <span>Matchers</span>
      <div id="matchers">${rows.map(
        (r, i) => html`<div class="matcher-row">
        <input aria-label=${`label name ${i + 1}`} value=${r.name} onInput=${(e) => update(i, { name: e.target.value })} placeholder="label" />
        <select aria-label=${`operator ${i + 1}`} value=${r.op} onChange=${(e) => update(i, { op: e.target.value })}>${OPS.map((o) => html`<option value=${o}>${o}</option>`)}</select>
        <input aria-label=${`value ${i + 1}`} value=${r.value} onInput=${(e) => update(i, { value: e.target.value })} placeholder="value" />
        <button type="button" class="ghost" aria-label=${`remove matcher ${i + 1}`} onClick=${() => setRows(rows.filter((_, j) => j !== i))}>✕</button>
      </div>`,
      )}
        <button type="button" onClick=${() => setRows([...rows, { name: '', op: '=', value: '' }])}>Add matcher</button></div>
      <label for="silence-hours">Duration (hours)</label><input id="silence-hours" type="number" min="0.1" step="0.1" value=${hours} onInput=${(e) => setHours(e.target.value)} />
      <label for="silence-by">Created by</label><input id="silence-by" required value=${createdBy} onInput=${(e) => setCreatedBy(e.target.value)} />
      <label for="silence-comment">Comment</label><input id="silence-comment" value=${comment} onInput=${(e) => setComment(e.target.value)} placeholder="why (a ticket, maintenance)" />
    </div>
    ${me?.restricted && html`<${ScopeNote}>Your token may only silence alerts of its scope: keep a matcher on ${me.scope.namespaces.includes('*') ? 'cluster' : 'namespace'} with values among ${(me.scope.namespaces.includes('*') ? me.scope.clusters : me.scope.namespaces).join(', ')}.</${ScopeNote}>`}
    <h3>Preview: alerts this silence would match now</h3>
    <div id="silence-preview" data-count=${String(matched.length)}>
      ${!alerts ? html`<${Loading} rows=${1} />` : matched.length === 0 ? html`<p class="muted">No current alert matches these matchers.</p>` : html`<ul>${matched.map((a) => html`<li><${Badge} kind=${a.state}>${a.state}</${Badge}> <${Labels} labels=${a.labels} /></li>`)}</ul>`}
    </div>
    <${ErrorBox} error=${error} />
    <div class="drawer-actions"><button type="submit" id="silence-save" disabled=${busy || valid.length === 0}>${editId ? 'Save' : 'Create silence'}</button><a href="/ui/silences">Cancel</a></div>
  </form>`;
}

function SilenceList({ params, me }) {
  const filter = params.get('state') ?? 'current';
  const [list, setList] = useState(null);
  const [error, setError] = useState(null);
  const [tick, setTick] = useState(0);
  useEffect(() => void api('/v1/silences').then((r) => (setList(r.silences), setError(null)), setError), [tick]);
  const expire = async (id) => {
    try {
      await del(`/v1/silences/${encodeURIComponent(id)}`);
      setTick((n) => n + 1);
    } catch (err) {
      setError(err);
    }
  };
  const shown = (list ?? [])
    .filter((s) =>
      filter === 'all' ? true : filter === 'current' ? s.status.state !== 'expired' : s.status.state === filter,
    )
    .sort((a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt));
  const saved = params.get('saved');
  return html`<div>
    <div class="toolbar">
      <a class="button-link" href="/ui/silences?new=1" id="new-silence">New silence</a>
      <label class="picker"><span>Show</span><select id="silence-state" value=${filter} onChange=${(e) => setParams({ state: e.target.value })}>
        <option value="current">active and pending</option><option value="active">active</option><option value="pending">pending</option><option value="expired">expired</option><option value="all">all</option></select></label>
    </div>
    ${saved && html`<p class="notice" role="status">Silence ${saved.slice(0, 8)} saved.</p>`}
    ${me?.restricted && html`<${ScopeNote}>Silences made outside your token’s scope are hidden.</${ScopeNote}>`}
    <${ErrorBox} error=${error} onRetry=${() => setTick((n) => n + 1)} />
    ${!list && !error && html`<${Loading} rows=${3} />`}
    ${list && shown.length === 0 && html`<p class="empty-note">No ${filter === 'current' ? 'active or pending' : filter} silence.</p>`}
    <table class="plain" id="silence-list"><tbody>${shown.map(
      (s) => html`<tr data-id=${s.id} data-state=${s.status.state} class=${s.id === saved ? 'selected' : ''}>
      <td><${Badge} kind=${s.status.state}>${s.status.state}</${Badge}></td>
      <td><span class="labels">${s.matchers.map((m) => html`<span class="label">${m.name}${showOp(m)}${JSON.stringify(m.value)}</span>`)}</span>
        <div class="muted small">${s.comment || 'no comment'} — ${s.createdBy}</div></td>
      <td class="small" title=${`${s.startsAt} → ${s.endsAt}`}>${localTime(Date.parse(s.startsAt), false)} → ${localTime(Date.parse(s.endsAt), false)}<div class="muted">${s.status.state === 'expired' ? `ended ${relative(Date.parse(s.endsAt))}` : `ends ${relative(Date.parse(s.endsAt))}`}</div></td>
      <td class="row-actions">${s.status.state !== 'expired' && html`<a class="button-link" href=${`/ui/silences?edit=${encodeURIComponent(s.id)}`}>Edit</a><button type="button" onClick=${() => expire(s.id)}>Expire</button>`}
        ${s.status.state === 'expired' && html`<a class="button-link" href=${`/ui/silences${qs({ new: '1', matcher: s.matchers.map((m) => `${m.name}${showOp(m)}${JSON.stringify(m.value)}`) })}`}>Recreate</a>`}</td>
    </tr>`,
    )}</tbody></table>
  </div>`;
}

export default function Silences({ route, me }) {
  const editing = route.params.has('new') || route.params.has('edit');
  return html`<div class="page silences"><h1>Silences</h1>
    ${editing ? html`<${Editor} key=${route.params.toString()} params=${route.params} me=${me} />` : html`<${SilenceList} params=${route.params} me=${me} />`}
  </div>`;
}
