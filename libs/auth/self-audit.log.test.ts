import { describe, expect, it } from 'vitest';
import { createLogger } from '../logging/logger.ts';
import { SqliteStateStore } from '../store/state/sqlite-state.store.ts';
import { SelfAuditLog, outcomeOf, type SelfAuditEntry } from './self-audit.log.ts';

const entry = (time: number, over: Partial<SelfAuditEntry> = {}): SelfAuditEntry => ({
  time,
  principal: 'alice',
  via: 'token',
  role: 'viewer',
  scope: { clusters: ['*'], namespaces: ['payments'] },
  method: 'GET',
  route: '/v1/logs',
  status: 200,
  outcome: 'allowed',
  durationMs: 1.5,
  requestId: `r${time}`,
  ...over,
});

async function setup(now = 10 * 86_400_000) {
  const state = new SqliteStateStore(':memory:');
  await state.init();
  const log = new SelfAuditLog({
    store: async () => state,
    config: { enabled: true, retentionDays: 1, bufferSize: 100 },
    logger: createLogger('silent'),
    now: () => now,
  });
  return { state, log };
}

describe('SelfAuditLog', () => {
  it('stores entries and answers filters, time bounds and pages in time order', async () => {
    const { log } = await setup();
    for (let t = 1000; t < 1010; t++)
      log.record(entry(t, t % 2 ? { principal: 'bob', status: 403, outcome: 'denied' } : {}));
    const all = await log.query({ limit: 100, order: 'asc' });
    expect(all.items.map((e) => e.time)).toEqual([1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009]);
    const bob = await log.query({ principal: 'bob', outcome: 'denied', limit: 100, order: 'desc' });
    expect(bob.items.map((e) => e.time)).toEqual([1009, 1007, 1005, 1003, 1001]);
    const window = await log.query({ since: 1003, until: 1006, limit: 100, order: 'asc' });
    expect(window.items.map((e) => e.time)).toEqual([1003, 1004, 1005]);
    const windowDesc = await log.query({ since: 1003, until: 1006, limit: 100, order: 'desc' });
    expect(windowDesc.items.map((e) => e.time)).toEqual([1005, 1004, 1003]);
    const p1 = await log.query({ limit: 4, order: 'asc' });
    const p2 = await log.query({ limit: 4, order: 'asc', cursor: p1.next ?? undefined });
    expect(p2.items.map((e) => e.time)).toEqual([1004, 1005, 1006, 1007]);
  });

  it('pages through several stored batches in both orders, resuming inside a batch', async () => {
    const { log } = await setup();
    for (let batch = 0; batch < 3; batch++) {
      for (let i = 0; i < 5; i++) log.record(entry(2000 + batch * 10 + i, i % 2 ? { principal: 'bob' } : {}));
      await log.flush();
    }
    const walk = async (order: 'asc' | 'desc', limit: number, principal?: string) => {
      const seen: number[] = [];
      let cursor: string | undefined;
      do {
        const page = await log.query({ limit, order, cursor, principal });
        seen.push(...page.items.map((e) => e.time - 2000));
        cursor = page.next ?? undefined;
      } while (cursor);
      return seen;
    };
    const all = [0, 1, 2, 3, 4, 10, 11, 12, 13, 14, 20, 21, 22, 23, 24];
    expect(await walk('asc', 4)).toEqual(all);
    expect(await walk('desc', 4)).toEqual([...all].reverse());
    expect(await walk('desc', 2, 'bob')).toEqual([23, 21, 13, 11, 3, 1]);
    await expect(log.query({ limit: 1, order: 'asc', cursor: 'nope' })).rejects.toMatchObject({
      code: 'PHAROS_ERR_VALIDATION',
    });
  });

  it('drops the oldest when the buffer is full, and prunes past the retention', async () => {
    const { log } = await setup();
    for (let t = 0; t < 150; t++) log.record(entry(t));
    expect((await log.query({ limit: 1000, order: 'asc' })).items).toHaveLength(100);
    log.record(entry(10 * 86_400_000 - 1000));
    expect(await log.prune()).toBe(100);
    expect((await log.query({ limit: 1000, order: 'asc' })).items).toHaveLength(1);
  });

  it('classifies outcomes', () => {
    expect([200, 302, 401, 403, 429, 400, 404, 500].map(outcomeOf)).toEqual([
      'allowed',
      'allowed',
      'denied',
      'denied',
      'denied',
      'rejected',
      'rejected',
      'failed',
    ]);
  });
});
