import { describe, expect, it } from 'vitest';
import { decodeAnswer, decodeExtents, decodeList, encodeAnswer, encodeExtents, encodeList } from './entry-codec.ts';
import type { Extent } from './extents.ts';

const meta = { resultType: 'matrix', warnings: [], clusters: { east: { status: 'ok' } } };
const extents = (): Extent[] => [
  {
    startMs: 0,
    endMs: 30_000,
    meta,
    series: [
      {
        metric: { job: 'a' },
        values: [
          [0, '1'],
          [30, '2'],
        ],
      },
    ],
  },
];

describe('entry codec', () => {
  it('answers a hit on the Buffer it encoded with the value it was encoded from, frozen to the leaves', () => {
    const value = extents();
    const buf = encodeExtents(value);
    const hit = decodeExtents(buf);
    expect(hit).toBe(value);
    const point = hit[0]!.series[0]!.values![0]!;
    expect(() => {
      point[1] = '9';
    }).toThrow(TypeError);
    expect(() => {
      hit[0]!.series[0]!.metric.job = 'b';
    }).toThrow(TypeError);
    expect(() => hit.push(value[0]!)).toThrow(TypeError);
  });

  it('decodes a Buffer it did not encode (memcached hands back new ones) to the same data', () => {
    const buf = encodeExtents(extents());
    expect(decodeExtents(Buffer.from(buf))).toEqual(extents());
    const answer = { ...meta, resultType: 'vector', result: [{ metric: {}, value: [1, '1'] }] };
    const a = encodeAnswer(answer);
    expect(decodeAnswer(a)).toBe(answer);
    expect(decodeAnswer(Buffer.from(a))).toEqual(answer);
    const list = { data: ['east', 'west'], warnings: [] };
    const l = encodeList(list)!;
    expect(decodeList(l)).toBe(list);
    expect(Object.isFrozen(list.data)).toBe(true);
    expect(decodeList(Buffer.from(l))).toEqual(list);
  });

  it('writes a list as JSON.stringify does, and not at all when it would be over the item limit', () => {
    const series = Array.from({ length: 300 }, (_, i) => ({ __name__: 'up', pod: `p"é${i}` }));
    const whole = JSON.stringify({ list: { data: series, warnings: ['w'] } });
    const exact = Buffer.byteLength(whole);
    expect(encodeList({ data: series, warnings: ['w'] }, exact)!.toString()).toBe(whole);
    expect(encodeList({ data: structuredClone(series), warnings: ['w'] }, exact - 1)).toBeUndefined();
    const unfrozen = { data: structuredClone(series), warnings: [] };
    encodeList(unfrozen, 100);
    expect(Object.isFrozen(unfrozen.data)).toBe(false);
    expect(encodeList({ data: [], warnings: [] })!.toString()).toBe('{"list":{"data":[],"warnings":[]}}');
  });

  it('reads anything else as a miss', () => {
    expect(decodeExtents(Buffer.from('{"extents":[{"startMs":"x"}]}'))).toEqual([]);
    expect(decodeAnswer(Buffer.from('not json'))).toBeUndefined();
    expect(decodeList(Buffer.from('{"list":[]}'))).toBeUndefined();
  });
});
