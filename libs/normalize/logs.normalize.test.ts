import { describe, expect, it } from 'vitest';
import { logDocSchema } from '../schemas/records.ts';
import { logKey, normalizeLogs, parseNdjson } from './logs.normalize.ts';

const ctx = { cluster: 'north', ingestedAt: 1_700_000_000_000 };
const line = (log: string, time: string | number = '2024-05-01T10:00:00.123456789Z') => ({
  date: 1714557600.123,
  time,
  log,
  stream: 'stdout',
  kubernetes: {
    namespace_name: 'shop',
    pod_name: 'cart-1',
    container_name: 'app',
    host: 'node-a',
    labels: { app: 'cart', tier: 1 },
  },
});

describe('normalizeLogs', () => {
  it('maps the Fluent Bit kubernetes filter shape', () => {
    const r = normalizeLogs([{ index: 0, value: line('hello') }], ctx);
    const d = r.docs[0]!;
    expect(logDocSchema.safeParse(d).success).toBe(true);
    expect(d).toMatchObject({
      cluster: 'north',
      namespace: 'shop',
      pod: 'cart-1',
      container: 'app',
      node: 'node-a',
      stream: 'stdout',
      message: 'hello',
      labels: { app: 'cart', tier: '1' },
      time: Date.parse('2024-05-01T10:00:00.123Z'),
    });
    expect(logKey(d)).toBe('shop/cart-1/app');
  });

  it('is deterministic across resends, and keeps identical lines of one batch apart', () => {
    const batch = [line('same'), line('same'), line('other')].map((value, index) => ({ index, value }));
    const a = normalizeLogs(batch, ctx).docs.map((d) => d.id);
    const b = normalizeLogs(batch, ctx).docs.map((d) => d.id);
    expect(a).toEqual(b);
    expect(new Set(a).size).toBe(3);
    expect(a[1]).toBe(`${a[0]}:1`);
  });

  it('reports lines without a message or time, and NDJSON lines that are not JSON', () => {
    const { items, rejected } = parseNdjson(
      `${JSON.stringify(line('ok'))}\n{oops\n\n${JSON.stringify({ log: 'x' })}\n${JSON.stringify({ time: '2024-01-01T00:00:00Z' })}\n`,
    );
    expect(rejected).toEqual([{ index: 1, reason: expect.stringContaining('not JSON') }]);
    const r = normalizeLogs(items, ctx);
    expect(r.docs).toHaveLength(1);
    expect(r.rejected.map((x) => x.index)).toEqual([2, 3]);
  });
});
