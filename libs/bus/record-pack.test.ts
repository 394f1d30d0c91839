import { describe, expect, it } from 'vitest';
import { packRecords, unpackRecords } from './record-pack.ts';

const rec = (cluster: string, pod: string, n: number) => ({ cluster, pod, n, text: 'line\nwith a newline' });

describe('record packing', () => {
  it('puts one key and cluster per message, in order, and unpacks to the same records', () => {
    const records = [rec('east', 'a', 1), rec('east', 'b', 2), rec('west', 'a', 3), rec('east', 'a', 4)];
    const messages = packRecords('logs', records, { keyOf: (r) => r.pod });
    expect(messages.map((m) => [m.key, m.headers?.['pharos-cluster']])).toEqual([
      ['a', 'east'],
      ['b', 'east'],
      ['a', 'west'],
    ]);
    const back = messages.flatMap((m) => unpackRecords(m.value).map((l) => JSON.parse(l) as ReturnType<typeof rec>));
    expect(back.map((r) => r.n).sort()).toEqual([1, 2, 3, 4]);
    expect(back.filter((r) => r.cluster === 'east' && r.pod === 'a').map((r) => r.n)).toEqual([1, 4]);
    expect(back[0]!.text).toBe('line\nwith a newline');
  });

  it('splits a key over several messages at the limits, keeping their order', () => {
    const records = Array.from({ length: 25 }, (_, i) => rec('east', 'a', i));
    const byCount = packRecords('logs', records, {
      keyOf: (r) => r.pod,
      limits: { maxBytes: 1 << 20, maxRecords: 10 },
    });
    expect(byCount.map((m) => unpackRecords(m.value).length)).toEqual([10, 10, 5]);
    const bySize = packRecords('logs', records, { keyOf: (r) => r.pod, limits: { maxBytes: 200, maxRecords: 1000 } });
    expect(bySize.every((m) => m.value.length <= 200)).toBe(true);
    expect(bySize.flatMap((m) => unpackRecords(m.value).map((l) => (JSON.parse(l) as { n: number }).n))).toEqual(
      records.map((r) => r.n),
    );
  });

  it('reads a one-record message as plain JSON and ignores blank lines', () => {
    expect(unpackRecords('{"a":1}')).toEqual(['{"a":1}']);
    expect(unpackRecords('{"a":1}\n\n{"a":2}\n')).toEqual(['{"a":1}', '{"a":2}']);
    expect(unpackRecords('\n \n')).toEqual(['\n \n']);
  });
});
