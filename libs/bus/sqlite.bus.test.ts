import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { until } from '../../test/support/until.ts';
import type { Bus, BusMessage, ConsumedMessage } from './bus.ts';
import { busContract } from './bus.contract.ts';
import { SqliteBus, type SqliteBusOptions } from './sqlite.bus.ts';

const dir = mkdtempSync(join(tmpdir(), 'pharos-sqlite-bus-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const newFile = () => join(dir, `bus-${files++}.db`);
const open = (path: string, options: Partial<SqliteBusOptions> = {}) =>
  new SqliteBus({ path, redeliveryDelayMs: 10, pollMs: 20, ...options });
const messages = (n: number, from = 0, key = (i: number) => `k${i % 3}`): BusMessage[] =>
  Array.from({ length: n }, (_, j) => ({
    key: key(from + j),
    value: JSON.stringify({ i: from + j }),
    headers: { 'pharos-cluster': 'east' },
  }));
const index = (m: ConsumedMessage) => (JSON.parse(m.value) as { i: number }).i;

/** Collects what a group is handed until `n` messages came, then stops it. */
async function consume(bus: Bus, { topic, group }: { topic: string; group: string }, n: number): Promise<number[]> {
  const seen: number[] = [];
  const sub = await bus.subscribe({ topic, groupId: group, handle: async (b) => void seen.push(...b.map(index)) });
  await until(
    () => seen.length >= n,
    10_000,
    () => `${seen.length} of ${n} messages`,
  );
  await sub.stop();
  return seen.sort((a, b) => a - b);
}

describe('SqliteBus: the bus contract', () => {
  const bus = open(newFile());
  afterAll(() => bus.close());
  let n = 0;
  busContract(async () => ({ bus, topic: `t${n++}` }));
});

describe('SqliteBus durability', () => {
  it('keeps what publish acknowledged across a close, and a group resumes after its last commit', async () => {
    const path = newFile();
    let bus = open(path);
    await bus.publish('logs', messages(50));
    expect(await consume(bus, { topic: 'logs', group: 'indexer' }, 50)).toHaveLength(50);
    await bus.publish('logs', messages(30, 50));
    await bus.close();

    bus = open(path);
    // Only the 30 published after the commit come again, every one of them.
    expect(await consume(bus, { topic: 'logs', group: 'indexer' }, 30)).toEqual(
      Array.from({ length: 30 }, (_, i) => 50 + i),
    );
    expect(await bus.endOffsets('logs')).toSatisfy(
      (ends: Record<number, string>) => Object.values(ends).reduce((a, v) => a + Number(v), 0) === 80,
    );
    await bus.close();
  });

  it('delivers a batch again after a restart when its handler never resolved (the process died mid-batch)', async () => {
    const path = newFile();
    let bus = open(path);
    await bus.publish(
      'audit',
      messages(10, 0, () => 'one-key'),
    );
    let started = 0;
    const sub = await bus.subscribe({
      topic: 'audit',
      groupId: 'indexer',
      handle: () => new Promise<void>(() => void (started += 1)),
    });
    await until(() => started > 0);
    // close() without stop(): as close to a kill as a test in one process gets; nothing was committed.
    await bus.close();
    void sub;
    bus = open(path);
    expect(await consume(bus, { topic: 'audit', group: 'indexer' }, 10)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await bus.close();
  });

  it('commits appends that arrive together in one transaction, each still in its key order', async () => {
    const bus = open(newFile());
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        bus.publish(
          'events',
          messages(5, i * 5, () => `key-${i % 2}`),
        ),
      ),
    );
    const seen: ConsumedMessage[] = [];
    const sub = await bus.subscribe({ topic: 'events', groupId: 'g', handle: async (b) => void seen.push(...b) });
    await until(() => seen.length >= 100);
    await sub.stop();
    for (const key of ['key-0', 'key-1']) {
      const order = seen.filter((m) => m.key === key).map(index);
      expect(order).toEqual([...order].sort((a, b) => a - b));
      expect(order).toHaveLength(50);
    }
    await bus.close();
  });

  it('refuses to publish past its backlog bound in bytes, and takes more once the group caught up', async () => {
    const bus = open(newFile(), { maxBacklogBytes: 1000 });
    await bus.publish('logs', [{ key: 'a', value: 'v'.repeat(600) }]);
    await expect(bus.publish('logs', [{ key: 'a', value: 'v'.repeat(600) }])).rejects.toMatchObject({
      code: 'PHAROS_ERR_UNAVAILABLE',
      message: expect.stringMatching(/bus\.maxBacklogBytes/),
    });
    // Refused alone: an append in the same turn that fits is stored.
    const both = await Promise.allSettled([
      bus.publish('logs', [{ key: 'a', value: 'v'.repeat(600) }]),
      bus.publish('logs', [{ key: 'b', value: 'small' }]),
    ]);
    expect(both.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
    const got: string[] = [];
    const sub = await bus.subscribe({
      topic: 'logs',
      groupId: 'indexer',
      handle: async (b) => void got.push(...b.map((m) => m.key)),
    });
    await until(() => got.length >= 2);
    await sub.stop();
    await bus.publish('logs', [{ key: 'a', value: 'v'.repeat(600) }]);
    await bus.close();
  });

  it('drops consumed messages beyond its retention, so the file follows the backlog', async () => {
    const path = newFile();
    const bus = open(path, { partitions: 1, retainConsumed: 100 });
    await bus.publish('logs', messages(2000));
    expect(await consume(bus, { topic: 'logs', group: 'indexer' }, 2000)).toHaveLength(2000);
    await bus.close();
    const db = new Database(path, { readonly: true });
    const held = db.prepare('SELECT count(*) AS n, min(off) AS low FROM bus_messages').get() as {
      n: number;
      low: number;
    };
    db.close();
    expect(held.n).toBeLessThanOrEqual(100 + 256);
    expect(held.low).toBeGreaterThan(0);
    // Offsets keep counting: a group that joins now starts at the earliest message held.
    const again = open(path, { partitions: 1, retainConsumed: 100 });
    const late = await consume(again, { topic: 'logs', group: 'late' }, held.n);
    expect(late[0]).toBe(held.low);
    await again.close();
  });

  it('hands a consumer what another connection appended to the same file (the dead-letter replay does)', async () => {
    const path = newFile();
    const consumer = open(path);
    const writer = open(path);
    const seen: number[] = [];
    const sub = await consumer.subscribe({
      topic: 'audit',
      groupId: 'indexer',
      handle: async (b) => void seen.push(...b.map(index)),
    });
    await writer.publish('audit', messages(5));
    await consumer.publish('audit', messages(5, 5));
    await until(() => seen.length >= 10);
    await sub.stop();
    expect(seen.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(await consumer.endOffsets('audit')).toEqual(await writer.endOffsets('audit'));
    await Promise.all([consumer.close(), writer.close()]);
  });

  it('hands a handler at most maxBatchBytes of values (but always one message)', async () => {
    const bus = open(newFile(), { partitions: 1, maxBatchBytes: 250 });
    await bus.publish('z', [
      ...Array.from({ length: 10 }, (_, i) => ({ key: 'k', value: `${i}`.padEnd(100) })),
      { key: 'k', value: 'x'.repeat(1000) },
    ]);
    const sizes: number[] = [];
    const sub = await bus.subscribe({
      topic: 'z',
      groupId: 'g',
      handle: async (batch) => void sizes.push(batch.length),
    });
    await until(() => sizes.reduce((a, n) => a + n, 0) >= 11);
    await sub.stop();
    expect(Math.max(...sizes.slice(0, -1))).toBeLessThanOrEqual(2);
    expect(sizes.at(-1)).toBe(1);
    await bus.close();
  });
});
