import { describe, expect, it } from 'vitest';
import type { AnyDoc, WriteItemResult } from '../../libs/store/record-store.ts';
import { bulkCoalescer } from './bulk-coalescer.ts';

const docs = (prefix: string, n: number): AnyDoc[] =>
  Array.from(
    { length: n },
    (_, i) => ({ id: `${prefix}${i}`, kind: 'logs', cluster: 'c', time: 1, ingestedAt: 1, message: 'm' }) as AnyDoc,
  );
const ok = (d: readonly AnyDoc[]): WriteItemResult[] => d.map((x) => ({ id: x.id, ok: true }));
const signal = () => new AbortController().signal;

describe('bulkCoalescer', () => {
  it('joins small batches into full bulks, at most maxInFlight at a time, and answers each caller for its own docs', async () => {
    const sizes: number[] = [];
    let inFlight = 0;
    let peak = 0;
    const { write } = bulkCoalescer({
      maxDocs: 10,
      maxInFlight: 2,
      lingerMs: 5,
      write: async (d) => {
        sizes.push(d.length);
        peak = Math.max(peak, ++inFlight);
        await new Promise((r) => setTimeout(r, 10));
        inFlight -= 1;
        return ok(d);
      },
    });
    const results = await Promise.all(['a', 'b', 'c', 'd', 'e', 'f'].map((p) => write(docs(p, 4), signal())));
    expect(results.map((r) => r.map((x) => x.id))).toEqual(
      ['a', 'b', 'c', 'd', 'e', 'f'].map((p) => docs(p, 4).map((d) => d.id)),
    );
    expect(sizes.reduce((a, n) => a + n, 0)).toBe(24);
    expect(peak).toBeLessThanOrEqual(2);
    expect(sizes.length).toBeLessThan(6);
  });

  it('turns a bulk that throws into retryable failures for every doc in it', async () => {
    const { write } = bulkCoalescer({
      maxDocs: 10,
      maxInFlight: 1,
      lingerMs: 1,
      write: async () => Promise.reject(new Error('connect ECONNREFUSED')),
    });
    const r = await write(docs('x', 3), signal());
    expect(r).toEqual(
      docs('x', 3).map((d) => ({ id: d.id, ok: false, retryable: true, reason: 'connect ECONNREFUSED' })),
    );
  });

  it('rejects an aborted caller without holding up the others', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { write } = bulkCoalescer({
      maxDocs: 2,
      maxInFlight: 1,
      lingerMs: 1,
      write: async (d) => (await gate, ok(d)),
    });
    const first = write(docs('a', 2), signal());
    const ac = new AbortController();
    const second = write(docs('b', 2), ac.signal);
    ac.abort(new Error('rebalance'));
    await expect(second).rejects.toThrow('rebalance');
    release();
    expect((await first).every((r) => r.ok)).toBe(true);
  });
});
