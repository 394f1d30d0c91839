import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.ts';

describe('RateLimiter', () => {
  it('allows a burst, then refills at perSecond, per key', () => {
    let now = 1_000_000;
    const rl = new RateLimiter({ perSecond: 2, burst: 3 }, () => now);
    expect([1, 2, 3].map(() => rl.take('a').allowed)).toEqual([true, true, true]);
    expect(rl.take('a')).toEqual({ allowed: false, retryAfterSec: 1 });
    expect(rl.take('b').allowed).toBe(true);
    now += 500;
    expect(rl.take('a').allowed).toBe(true);
    expect(rl.take('a').allowed).toBe(false);
  });

  it('is off with perSecond 0', () => {
    const rl = new RateLimiter({ perSecond: 0, burst: 1 });
    expect(Array.from({ length: 5 }, () => rl.take('a').allowed).every(Boolean)).toBe(true);
  });
});
