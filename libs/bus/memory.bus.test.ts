import { describe, expect, it } from 'vitest';
import { busContract } from './bus.contract.ts';
import { MemoryBus } from './memory.bus.ts';

// The in-process bus needs no server, so its contract run is also a unit test; the integration suite runs
// it again beside Kafka with describe.each.
describe('MemoryBus', () => {
  const bus = new MemoryBus({ redeliveryDelayMs: 10 });
  let n = 0;
  busContract(async () => ({ bus, topic: `t${n++}` }));

  it('refuses to publish past its backlog bound, so memory stays bounded under bursts', async () => {
    const small = new MemoryBus({ maxBacklog: 10 });
    await small.publish(
      'x',
      Array.from({ length: 10 }, (_, i) => ({ key: String(i), value: 'v' })),
    );
    await expect(small.publish('x', [{ key: 'a', value: 'v' }])).rejects.toMatchObject({
      code: 'PHAROS_ERR_UNAVAILABLE',
    });
  });

  it('bounds its backlog in bytes too, since one message may pack many records', async () => {
    const small = new MemoryBus({ maxBacklogBytes: 100 });
    await small.publish('x', [{ key: 'a', value: 'v'.repeat(60) }]);
    await expect(small.publish('x', [{ key: 'a', value: 'v'.repeat(60) }])).rejects.toMatchObject({
      code: 'PHAROS_ERR_UNAVAILABLE',
    });
  });

  it('hands a handler at most maxBatchBytes of values (but always one message)', async () => {
    const b = new MemoryBus({ partitions: 1, maxBatchBytes: 250 });
    await b.publish('z', [
      ...Array.from({ length: 10 }, (_, i) => ({ key: 'k', value: `${i}`.padEnd(100) })),
      { key: 'k', value: 'x'.repeat(1000) },
    ]);
    const sizes: number[] = [];
    const sub = await b.subscribe({ topic: 'z', groupId: 'g', handle: async (batch) => void sizes.push(batch.length) });
    while (sizes.reduce((a, n) => a + n, 0) < 11) await new Promise((r) => setTimeout(r, 10));
    await sub.stop();
    expect(Math.max(...sizes.slice(0, -1))).toBeLessThanOrEqual(2);
    expect(sizes.at(-1)).toBe(1);
  });

  it('drops consumed messages beyond its retention', async () => {
    const b = new MemoryBus({ partitions: 1, retainConsumed: 0 });
    let got = 0;
    await b.publish(
      'y',
      Array.from({ length: 2000 }, (_, i) => ({ key: 'k', value: String(i) })),
    );
    const sub = await b.subscribe({
      topic: 'y',
      groupId: 'g',
      maxBatch: 2000,
      handle: async (batch) => void (got += batch.length),
    });
    while (got < 2000) await new Promise((r) => setTimeout(r, 10));
    await sub.stop();
    const late: string[] = [];
    const sub2 = await b.subscribe({
      topic: 'y',
      groupId: 'late',
      handle: async (batch) => void late.push(...batch.map((m) => m.value)),
    });
    await new Promise((r) => setTimeout(r, 150));
    await sub2.stop();
    expect(late).toEqual([]);
  });
});
