import { expect, it } from 'vitest';
import type { Bus, BusMessage, ConsumedMessage, Subscription } from './bus.ts';
import { until } from '../../test/support/until.ts';

/**
 * The behaviour every bus must show (memory and Kafka). Called inside a `describe.each` over the engines;
 * `make` gives the bus and a topic name no other test uses.
 */
export function busContract(make: () => Promise<{ bus: Bus; topic: string }>): void {
  const messages = (n: number, keys = 3): BusMessage[] =>
    Array.from({ length: n }, (_, i) => ({
      key: `k${i % keys}`,
      value: JSON.stringify({ i }),
      headers: { cluster: 'east', kind: 'logs' },
    }));
  const index = (m: ConsumedMessage) => (JSON.parse(m.value) as { i: number }).i;

  it('delivers every message to a group with its key, value and headers, in order per key', async () => {
    const { bus, topic } = await make();
    await bus.publish(topic, messages(60));
    const seen: ConsumedMessage[] = [];
    const sub = await bus.subscribe({
      topic,
      groupId: `${topic}-g`,
      maxBatch: 7,
      handle: async (b) => void seen.push(...b),
    });
    await until(() => seen.length >= 60);
    await sub.stop();
    expect(new Set(seen.map(index)).size).toBe(60);
    expect(seen[0]).toMatchObject({
      topic,
      key: expect.stringMatching(/^k\d$/),
      headers: { cluster: 'east', kind: 'logs' },
    });
    for (const key of ['k0', 'k1', 'k2']) {
      const order = seen.filter((m) => m.key === key).map(index);
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
  });

  it('redelivers a batch whose handler failed and commits only after success', async () => {
    const { bus, topic } = await make();
    await bus.publish(topic, messages(10, 1));
    let failures = 0;
    const done: number[] = [];
    const sub = await bus.subscribe({
      topic,
      groupId: `${topic}-g`,
      handle: async (b) => {
        if (failures < 2) {
          failures += 1;
          throw new Error('store down');
        }
        done.push(...b.map(index));
      },
    });
    await until(() => done.length >= 10);
    await sub.stop();
    expect(failures).toBe(2);
    expect(done).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('resumes a group after its committed offset, and each group gets its own copy', async () => {
    const { bus, topic } = await make();
    await bus.publish(topic, messages(5));
    const first: number[] = [];
    let sub = await bus.subscribe({
      topic,
      groupId: `${topic}-a`,
      handle: async (b) => void first.push(...b.map(index)),
    });
    await until(() => first.length >= 5);
    await sub.stop();
    await bus.publish(topic, messages(8).slice(5));
    const second: number[] = [];
    sub = await bus.subscribe({ topic, groupId: `${topic}-a`, handle: async (b) => void second.push(...b.map(index)) });
    await until(() => second.length >= 3);
    const other: number[] = [];
    const sub2 = await bus.subscribe({
      topic,
      groupId: `${topic}-b`,
      handle: async (b) => void other.push(...b.map(index)),
    });
    await until(() => other.length >= 8);
    await Promise.all([sub.stop(), sub2.stop()]);
    expect(second.sort((a, b) => a - b)).toEqual([5, 6, 7]);
    expect(other.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('commits only the part of a batch the handler says it processed, and reports end offsets', async () => {
    const { bus, topic } = await make();
    await bus.publish(topic, messages(6, 1));
    const ends = await bus.endOffsets(topic);
    expect(Object.values(ends).reduce((a, v) => a + Number(v), 0)).toBe(6);
    const taken: number[] = [];
    let sub = await bus.subscribe({
      topic,
      groupId: `${topic}-g`,
      handle: async (b) => {
        const keep = b.filter((m) => index(m) < 4);
        taken.push(...keep.map(index));
        return { processed: keep.length };
      },
    });
    await until(async () => taken.length >= 4 && (await sub.lag()) === 2);
    await sub.stop();
    const rest: number[] = [];
    sub = await bus.subscribe({ topic, groupId: `${topic}-g`, handle: async (b) => void rest.push(...b.map(index)) });
    await until(() => rest.length >= 2);
    await sub.stop();
    expect(rest).toEqual([4, 5]);
  });

  it('shares partitions between members of one group and reports the lag', async () => {
    const { bus, topic } = await make();
    const seen = new Map<string, number[]>([
      ['one', []],
      ['two', []],
    ]);
    const subs: Subscription[] = [];
    for (const name of ['one', 'two']) {
      subs.push(
        await bus.subscribe({
          topic,
          groupId: `${topic}-g`,
          maxBatch: 5,
          handle: async (b) => void seen.get(name)!.push(...b.map(index)),
        }),
      );
    }
    await bus.publish(topic, messages(200, 40));
    await until(() => new Set([...seen.values()].flat()).size >= 200);
    await until(async () => (await subs[0]!.lag()) === 0);
    expect(new Set([...seen.values()].flat()).size).toBe(200);
    await Promise.all(subs.map((s) => s.stop()));
    await bus.publish(topic, messages(4));
    // Any process may ask for a group's lag by name (the console's indexer lag): the 4 published since.
    expect(await bus.groupLag(topic, `${topic}-g`)).toBe(4);
    expect(await bus.groupLag(topic, `${topic}-never-subscribed`)).toBeUndefined();
    const probe = await bus.subscribe({
      topic,
      groupId: `${topic}-g`,
      handle: async () => {
        throw new Error('hold');
      },
    });
    expect(await probe.lag()).toBe(4);
    await probe.stop();
  });
}
