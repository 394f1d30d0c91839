import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../libs/logging/logger.ts';
import { SqliteStateStore } from '../../../libs/store/state/sqlite-state.store.ts';
import type { CompiledGroup } from '../rules/compile.ts';
import { alertingMetrics } from './alerting-metrics.ts';
import { Scheduler } from './scheduler.ts';

const group = (intervalMs: number): CompiledGroup => ({
  id: 'api/g',
  name: 'g',
  source: { type: 'api' },
  intervalMs,
  limit: 0,
  spec: { name: 'g', rules: [] },
  rules: [
    {
      type: 'alert',
      key: 'k',
      name: 'A',
      expr: 'up',
      source: 'metric',
      forMs: 0,
      keepFiringForMs: 0,
      labels: {},
      annotations: {},
    },
  ],
});

async function run(opts: { evalMs: number; holders: string[] }) {
  const store = new SqliteStateStore(join(mkdtempSync(join(tmpdir(), 'pharos-sched-')), 's.db'));
  await store.init();
  const metrics = new Registry();
  const slots: number[] = [];
  let running = 0;
  let overlap = false;
  const schedulers = opts.holders.map(
    (holder) =>
      new Scheduler({
        store,
        holder,
        leaseTtlMs: 5000,
        tickMs: 10,
        groups: () => [group(100)],
        metrics: alertingMetrics(metrics),
        logger: createLogger('silent'),
        evaluate: async (_g, at) => {
          if (running++) overlap = true;
          slots.push(at);
          await new Promise((r) => setTimeout(r, opts.evalMs));
          running--;
        },
        onLeader: async () => undefined,
        onTick: () => undefined,
      }),
  );
  for (const s of schedulers) await s.start();
  await new Promise((r) => setTimeout(r, 1000));
  const leaders = schedulers.filter((s) => s.isLeader).length;
  for (const s of schedulers) await s.stop();
  const missed =
    (await metrics.getSingleMetric('pharos_alerting_group_missed_evaluations_total')?.get())?.values.reduce(
      (a, v) => a + v.value,
      0,
    ) ?? 0;
  return { slots, missed, overlap, leaders };
}

describe('Scheduler', () => {
  it('evaluates on interval slots, once per slot, on the leader only', async () => {
    const r = await run({ evalMs: 5, holders: ['a', 'b'] });
    expect(r.leaders).toBe(1);
    // Slot times are exact multiples of the interval apart however late a timer fires.
    expect(r.slots.length).toBeGreaterThanOrEqual(2);
    expect(
      r.slots.every(
        (t, i) => i === 0 || ((t - (r.slots[i - 1] as number)) % 100 === 0 && t > (r.slots[i - 1] as number)),
      ),
    ).toBe(true);
  });

  it('counts an overrun as missed evaluations and never runs a group twice at once', async () => {
    const r = await run({ evalMs: 250, holders: ['a'] });
    expect(r.overlap).toBe(false);
    expect(r.missed).toBeGreaterThan(0);
  });
});
