// Time range: presets and free start/end (relative `now-1h` or RFC 3339), shown in the browser's zone and UTC.
import { useEffect, useState } from 'preact/hooks';
import { html } from '/ui/lib/html.js';
import { PRESETS, isoUtc, localTime, resolveTime, zoneName } from '/ui/lib/time.js';

export function TimeRange({ start, end, onChange, idPrefix = 'range' }) {
  const [from, setFrom] = useState(start);
  const [to, setTo] = useState(end);
  useEffect(() => {
    setFrom(start);
    setTo(end);
  }, [start, end]);
  const preset = end === 'now' && PRESETS.some(([v]) => v === start) ? start : '';
  const s = resolveTime(start);
  const e = resolveTime(end);
  const valid = !Number.isNaN(s) && !Number.isNaN(e);
  const apply = (ev) => {
    ev.preventDefault();
    onChange(from.trim(), to.trim());
  };
  return html`<form class="time-range" onSubmit=${apply} id=${`${idPrefix}-form`}>
    <select id=${`${idPrefix}-preset`} aria-label="time range preset" value=${preset} onChange=${(ev) => ev.target.value && onChange(ev.target.value, 'now')}>
      <option value="">Custom</option>
      ${PRESETS.map(([v, label]) => html`<option value=${v}>${label}</option>`)}
    </select>
    <input id=${`${idPrefix}-start`} aria-label="start" size="24" value=${from} onInput=${(ev) => setFrom(ev.target.value)} />
    <span aria-hidden="true">→</span>
    <input id=${`${idPrefix}-end`} aria-label="end" size="24" value=${to} onInput=${(ev) => setTo(ev.target.value)} />
    <button type="submit">Apply</button>
    <span class="muted small range-abs" title=${valid ? `${isoUtc(s)} → ${isoUtc(e)} (UTC)` : ''}>
      ${valid ? html`${localTime(s, false)} → ${localTime(e, false)} <abbr title="your browser's time zone">${zoneName()}</abbr> · ${isoUtc(s).slice(0, 19)}Z → ${isoUtc(e).slice(0, 19)}Z UTC` : 'Times are now, now-15m (s m h d w) or RFC 3339 (2024-03-01T12:00:00Z)'}
    </span>
  </form>`;
}
