// A horizontal timeline of states (pending, firing) over a range: alert history and rule backtests.
import { html } from '/ui/lib/html.js';
import { localTime } from '/ui/lib/time.js';

/** Transitions (time, to) in any order → segments { from, to, state } of pending / firing. */
export function segmentsFromHistory(items, now) {
  const sorted = [...items]
    .map((i) => ({ time: typeof i.time === 'number' ? i.time : Date.parse(i.time), to: i.to }))
    .sort((a, b) => a.time - b.time);
  const out = [];
  sorted.forEach((t, i) => {
    if (t.to === 'pending' || t.to === 'firing')
      out.push({ from: t.time, to: sorted[i + 1]?.time ?? now, state: t.to });
  });
  return out;
}

/** Backtest episodes (pendingAt, firingAt, resolvedAt) → segments. */
export function segmentsFromEpisodes(episodes, end) {
  return episodes.flatMap((e) => [
    { from: e.pendingAt, to: e.firingAt ?? e.resolvedAt ?? end, state: 'pending' },
    ...(e.firingAt ? [{ from: e.firingAt, to: e.resolvedAt ?? end, state: 'firing' }] : []),
  ]);
}

export function Timeline({ start, end, segments, label = 'state timeline' }) {
  const span = Math.max(1, end - start);
  const pct = (t) => `${Math.max(0, Math.min(100, ((t - start) / span) * 100))}%`;
  return html`<div>
    <div class="timeline" role="img" aria-label=${`${label}: ${segments.length} periods`} data-segments=${String(segments.length)}>
      ${segments.map((s) => html`<span class=${`seg seg-${s.state}`} style=${`left:${pct(s.from)};width:calc(${pct(s.to)} - ${pct(s.from)})`} title=${`${s.state} ${localTime(s.from, false)} → ${localTime(s.to, false)}`}></span>`)}
    </div>
    <div class="timeline-axis"><span>${localTime(start, false)}</span><span><span class="seg-key pending">■</span> pending <span class="seg-key firing">■</span> firing</span><span>${localTime(end, false)}</span></div>
  </div>`;
}
