import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.ts';

describe('backoffDelay', () => {
  it('doubles from initialMs per attempt and stops at maxMs', () => {
    const policy = { initialMs: 200, maxMs: 10_000 };
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(policy, n))).toEqual([
      200, 400, 800, 1600, 3200, 6400, 10_000, 10_000,
    ]);
    expect(backoffDelay(policy, 10_000)).toBe(10_000); // 2^9999 is Infinity; the cap still holds
  });

  it('the Kafka lane policy: 1 s, 2 s, 4 s … 30 s', () => {
    const lane = { initialMs: 1000, maxMs: 30_000 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(lane, n))).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000]);
  });

  it('spreads by ±jitter around the capped value', () => {
    const at = (r: number) => backoffDelay({ initialMs: 1000, maxMs: 4000, jitter: 0.2, random: () => r }, 5);
    expect(at(0)).toBe(3200);
    expect(at(0.5)).toBe(4000);
    expect(at(0.999_999)).toBe(4800);
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay({ initialMs: 1000, maxMs: 4000, jitter: 0.2 }, 1);
      expect(d).toBeGreaterThanOrEqual(800);
      expect(d).toBeLessThanOrEqual(1200);
    }
  });
});
