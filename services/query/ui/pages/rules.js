// Rules: groups with each rule's health, last evaluation, duration and per-cluster errors; a backtest of a
// group over a chosen range drawn as a timeline per rule.
import { useEffect, useState } from 'preact/hooks';
import { api, post } from '/ui/lib/api.js';
import { html } from '/ui/lib/html.js';
import { setParams } from '/ui/lib/router.js';
import { localTime, relative, resolveTime } from '/ui/lib/time.js';
import { Badge, ErrorBox, Loading, ScopeNote } from '/ui/components/common.js';
import { TimeRange } from '/ui/components/time-range.js';
import { Timeline, segmentsFromEpisodes } from '/ui/components/timeline.js';

const ruleKind = (r) =>
  r.type === 'record'
    ? 'recording rule (listed, not evaluated)'
    : r.source === 'records'
      ? 'alert over records'
      : 'alert over metrics';

function Rule({ rule }) {
  const errors = Object.entries(rule.clusterErrors ?? {});
  return html`<tr data-rule=${rule.name} data-health=${rule.health}>
    <td><strong>${rule.name}</strong><div class="muted small">${ruleKind(rule)}</div></td>
    <td><code class="expr">${rule.expr}</code>
      ${rule.lastError && html`<div class="error-text small">${rule.lastError}</div>`}
      ${errors.length > 0 && html`<ul class="small cluster-errors">${errors.map(([c, e]) => html`<li><strong>${c}</strong>: ${e}</li>`)}</ul>`}</td>
    <td><${Badge} kind=${rule.health}>${rule.health}</${Badge}></td>
    <td class="small">${rule.lastEvaluation ? html`<span title=${rule.lastEvaluation}>${relative(Date.parse(rule.lastEvaluation))}</span>` : '—'}</td>
    <td class="small num">${rule.evaluationMs !== undefined ? `${Math.round(rule.evaluationMs * 10) / 10} ms` : '—'}</td>
    <td class="small num">${rule.activeAlerts ?? 0}</td>
  </tr>`;
}

function Backtest({ group, params }) {
  const start = params.get('bstart') ?? 'now-6h';
  const end = params.get('bend') ?? 'now';
  const step = params.get('step') ?? '';
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    const s = resolveTime(start);
    const e = resolveTime(end);
    setResult(null);
    setError(null);
    const ac = new AbortController();
    post(
      '/v1/alert-rules/backtest',
      { name: group.id, start: s / 1000, end: e / 1000, ...(step ? { step } : {}) },
      ac.signal,
    ).then(setResult, (err) => err.name !== 'AbortError' && setError(err));
    return () => ac.abort();
  }, [group.id, start, end, step]);
  return html`<div class="backtest" id="backtest">
    <h3>Backtest of ${group.group.name}</h3>
    <div class="toolbar"><${TimeRange} idPrefix="backtest" start=${start} end=${end} onChange=${(s, e) => setParams({ bstart: s, bend: e })} />
      <label class="picker"><span>Step</span><input size="6" value=${step} placeholder=${group.group.interval ?? 'interval'} onChange=${(e) => setParams({ step: e.target.value || null })} /></label></div>
    <${ErrorBox} error=${error} />
    ${!result && !error && html`<${Loading} rows=${2} />`}
    ${
      result &&
      html`<p class="muted small">${result.evaluations.toLocaleString()} evaluations every ${result.stepMs / 1000} s from ${localTime(result.start, false)} to ${localTime(result.end, false)}.</p>
      ${result.rules.map(
        (r) => html`<div class="backtest-rule" data-rule=${r.alert} data-episodes=${String(r.episodes.length)}>
        <strong>${r.alert}</strong> <span class="muted small">${r.episodes.length} episode${r.episodes.length === 1 ? '' : 's'}${r.errors.length ? ` · ${r.errors.length} evaluations with errors (first: ${r.errors[0].error})` : ''}</span>
        <${Timeline} start=${result.start} end=${result.end} segments=${segmentsFromEpisodes(r.episodes, result.end)} label=${`backtest of ${r.alert}`} />
      </div>`,
      )}`
    }
  </div>`;
}

export default function Rules({ route, me }) {
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => void api('/v1/alert-rules').then(setData, setError), []);
  const backtest = route.params.get('backtest');
  return html`<div class="page rules"><h1>Rules</h1>
    ${me?.restricted && html`<${ScopeNote}>Rule groups are hidden from tokens limited to some clusters or namespaces: their queries read every namespace. Alerts of your scope are on the Alerts page.</${ScopeNote}>`}
    <${ErrorBox} error=${error} />
    ${!data && !error && html`<${Loading} rows=${5} />`}
    ${data?.fileProblems?.length > 0 && html`<div class="card"><h2>Rule files not loaded</h2><ul>${data.fileProblems.map((p) => html`<li><code>${p.file}</code>: ${p.message}</li>`)}</ul></div>`}
    ${data && data.groups.length === 0 && !me?.restricted && html`<p class="empty-note">No rule groups: add rule files (alerting.ruleFiles) or POST /v1/alert-rules.</p>`}
    ${data?.groups.map(
      (g) => html`<section class="card rule-group" data-group=${g.id} data-name=${g.group.name}>
      <div class="group-head"><h2>${g.group.name}</h2>
        <span class="muted small">${g.source.type === 'file' ? `file ${g.source.file ?? ''}` : `API, version ${g.version}`} · every ${g.group.interval ?? 'default interval'}</span>
        <span class="spacer"></span>
        <button type="button" onClick=${() => setParams({ backtest: backtest === g.id ? null : g.id })}>${backtest === g.id ? 'Close backtest' : 'Backtest…'}</button></div>
      <table class="plain rules-table"><thead><tr><th>rule</th><th>expression and errors</th><th>health</th><th>last evaluation</th><th>duration</th><th>active</th></tr></thead>
        <tbody>${g.rules.map((r) => html`<${Rule} rule=${r} />`)}</tbody></table>
      ${backtest === g.id && html`<${Backtest} group=${g} params=${route.params} />`}
    </section>`,
    )}
  </div>`;
}
