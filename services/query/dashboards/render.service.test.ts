import { describe, expect, it } from 'vitest';
import { FULL_SCOPE } from '../../../libs/auth/principal.ts';
import { validateDashboard } from '../../../libs/dashboards/dashboard.parse.ts';
import { createLogger } from '../../../libs/logging/logger.ts';
import type { MetricsPort } from './dashboards.ports.ts';
import { DashboardRenderer, builtins, limiter, stepFor } from './render.service.ts';
import { FakeRecords } from './testing/fake-backends.ts';

const H = 3600e3;

describe('stepFor', () => {
  it('divides the range by maxDataPoints, never below the minimum step, rounded up to a familiar value', () => {
    expect(stepFor({ from: 0, to: 3 * H }, 300, 15_000)).toBe(60_000);
    expect(stepFor({ from: 0, to: H }, 300, 15_000)).toBe(15_000);
    expect(stepFor({ from: 0, to: H }, 300, 300_000)).toBe(300_000);
    expect(stepFor({ from: 0, to: 30 * 24 * H }, 11_000, 1_000)).toBe(300_000);
  });

  it('gives Grafana-like built-in variables', () => {
    const b = builtins({ from: 0, to: 6 * H }, 60_000);
    expect(Object.fromEntries(Object.entries(b).map(([k, v]) => [k, v.values[0]]))).toMatchObject({
      __interval: '1m',
      __interval_ms: '60000',
      __rate_interval: '1m15s',
      __range: '6h',
      __range_s: '21600',
    });
  });
});

describe('limiter', () => {
  it('never runs more than n tasks at once and runs them all', async () => {
    const limit = limiter(3);
    let running = 0;
    let peak = 0;
    const task = async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 2));
      running--;
      return 1;
    };
    const results = await Promise.all(Array.from({ length: 20 }, () => limit(task)));
    expect(results).toHaveLength(20);
    expect(peak).toBe(3);
  });
});

describe('DashboardRenderer', () => {
  it('reports a panel that outlives the render timeout as PHAROS_ERR_TIMEOUT, beside the finished ones', async () => {
    const hang = (signal?: AbortSignal) =>
      new Promise<never>((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason)));
    const metrics: MetricsPort = {
      clusters: () => ['east'],
      labelValues: async () => ({ data: ['fast'], warnings: [] }),
      instant: async (q, signal) =>
        q.query.includes('slow')
          ? hang(signal)
          : { resultType: 'vector', result: [{ metric: {}, value: [q.time, '1'] }], warnings: [], clusters: {} },
      range: async (_q, signal) => hang(signal),
    };
    const renderer = new DashboardRenderer({
      metrics: async () => metrics,
      records: async () => new FakeRecords(),
      logger: createLogger('silent'),
      timeoutMs: 200,
      concurrency: 4,
      maxRecordRangeDays: 31,
    });
    const dashboard = validateDashboard({
      title: 't',
      rows: [
        {
          panels: [
            { type: 'stat', title: 'fast', targets: [{ expr: 'fast', instant: true }] },
            { type: 'stat', title: 'slow', targets: [{ expr: 'slow', instant: true }] },
          ],
        },
      ],
    });
    const out = await renderer.render(dashboard, {
      range: { from: 0, to: H },
      requested: {},
      principalScope: FULL_SCOPE,
      maxDataPoints: 300,
    });
    expect(out.panels.map((p) => [p.title, p.error?.code])).toEqual([
      ['fast', undefined],
      ['slow', 'PHAROS_ERR_TIMEOUT'],
    ]);
  });
});
