import { describe, expect, it } from 'vitest';
import { quantile } from './quantile.ts';

/** quantile() as it was written first: a copy sorted by a comparator (NaN first, equal values in input order). */
function reference(q: number, values: number[], version: 2 | 3): number {
  if (values.length === 0) return NaN;
  if (version === 3 && Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const sorted = [...values].sort((a, b) =>
    Number.isNaN(a) ? (Number.isNaN(b) ? 0 : -1) : Number.isNaN(b) ? 1 : a - b,
  );
  const rank = q * (sorted.length - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(sorted.length - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  if (version === 3 && weight === 0) return sorted[lower]!;
  return sorted[lower]! * (1 - weight) + sorted[upper]! * weight;
}

/** A deterministic generator (mulberry32), so a failure names its seed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 1e-300, Number.MAX_VALUE];

describe('quantile', () => {
  it('answers as the comparator sort did, with NaN, infinities, -0 and 0, duplicates and every φ', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const next = random(seed);
      const n = 1 + Math.floor(next() * 40);
      const values = Array.from({ length: n }, () =>
        next() < 0.3 ? SPECIAL[Math.floor(next() * SPECIAL.length)]! : Math.round((next() - 0.5) * 20) / 4,
      );
      for (const q of [0, 0.1, 0.25, 0.5, 0.9, 0.99, 1, -0.5, 1.5, NaN])
        for (const version of [2, 3] as const)
          expect(Object.is(quantile(q, values, version), reference(q, values, version)), `seed ${seed} q ${q}`).toBe(
            true,
          );
    }
  });

  it('leaves its input as it was', () => {
    const values = [3, NaN, 1, 2];
    quantile(0.5, values);
    expect(values).toEqual([3, NaN, 1, 2]);
  });
});
