import { describe, expect, it } from 'vitest';
import type { AlertRule } from '../rules/compile.ts';
import { applyResult, type ActiveAlert } from './alert-state.ts';

const rule = (over: Partial<AlertRule> = {}): AlertRule => ({
  type: 'alert',
  key: 'k',
  name: 'High',
  expr: 'x > 1',
  source: 'metric',
  forMs: 60_000,
  keepFiringForMs: 0,
  labels: { severity: 'page' },
  annotations: { summary: '{{ $labels.cluster }} at {{ $value }}' },
  ...over,
});
const opts = (now: number, extra = {}) => ({ now, resolvedRetentionMs: 15 * 60_000, ...extra });
const east = [{ labels: { __name__: 'x', cluster: 'east' }, value: 5 }];

function run(r: AlertRule, steps: [number, typeof east][]): { alerts: ActiveAlert[]; log: string[] } {
  let alerts: ActiveAlert[] = [];
  const log: string[] = [];
  for (const [t, samples] of steps) {
    const out = applyResult(r, { previous: alerts, samples }, opts(t));
    alerts = out.alerts;
    log.push(...out.transitions.map((x) => `${t}:${x.from}->${x.to}`));
  }
  return { alerts, log };
}

describe('alert lifecycle', () => {
  it('goes pending, then firing after `for`, then resolved, and keeps the resolved alert for a while', () => {
    const { log, alerts } = run(rule(), [
      [0, east],
      [30_000, east],
      [60_000, east],
      [90_000, []],
      [90_000 + 16 * 60_000, []],
    ]);
    expect(log).toEqual(['0:inactive->pending', '60000:pending->firing', '90000:firing->inactive']);
    expect(alerts).toEqual([]);
  });

  it('drops a pending alert that goes away before `for`', () => {
    expect(
      run(rule(), [
        [0, east],
        [30_000, []],
      ]).log,
    ).toEqual(['0:inactive->pending', '30000:pending->inactive']);
  });

  it('fires at once with for: 0 and builds labels and annotations like Prometheus', () => {
    const out = applyResult(rule({ forMs: 0 }), { previous: [], samples: east }, opts(0));
    expect(out.alerts[0]).toMatchObject({
      state: 'firing',
      labels: { alertname: 'High', cluster: 'east', severity: 'page' },
      annotations: { summary: 'east at 5' },
    });
    expect(out.alerts[0]?.labels.__name__).toBeUndefined();
  });

  it('keeps firing for keep_firing_for after the condition clears', () => {
    const r = rule({ forMs: 0, keepFiringForMs: 60_000 });
    const { log } = run(r, [
      [0, east],
      [30_000, []],
      [60_000, []],
      [90_000, []],
    ]);
    expect(log).toEqual(['0:inactive->pending', '0:pending->firing', '90000:firing->inactive']);
  });

  it('holds the alerts of a cluster whose evaluation failed instead of resolving them', () => {
    const r = rule({ forMs: 0 });
    const first = applyResult(r, { previous: [], samples: east }, opts(0));
    const held = applyResult(
      r,
      { previous: first.alerts, samples: [] },
      opts(30_000, { failedClusters: new Set(['east']) }),
    );
    expect(held.transitions).toEqual([]);
    expect(held.alerts[0]?.state).toBe('firing');
  });
});
