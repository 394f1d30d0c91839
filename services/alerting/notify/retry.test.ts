import { describe, expect, it } from 'vitest';
import { NotifyError } from './receivers/integration.ts';
import { withRetry } from './retry.ts';

function clock() {
  const c = { t: 0, waits: [] as number[] };
  return {
    c,
    policy: {
      initialMs: 1000,
      maxMs: 4000,
      giveUpAfterMs: 60_000,
      now: () => c.t,
      sleep: async (ms: number) => void (c.waits.push(ms), (c.t += ms)),
    },
  };
}

describe('withRetry', () => {
  it('backs off exponentially with jitter, capped at maxMs', async () => {
    const { c, policy } = clock();
    let n = 0;
    await withRetry(
      async () => {
        if (++n < 5) throw new Error('down');
      },
      policy,
      { signal: new AbortController().signal },
    );
    expect(c.waits).toHaveLength(4);
    c.waits.forEach((w, i) => expect(w).toBeGreaterThanOrEqual(Math.min(1000 * 2 ** i, 4000) * 0.8 - 1));
    expect(Math.max(...c.waits)).toBeLessThanOrEqual(4000 * 1.2 + 1);
  });

  it('waits at least what the provider asked (Retry-After), even beyond maxMs', async () => {
    const { c, policy } = clock();
    let n = 0;
    const failures: (number | undefined)[] = [];
    const r = await withRetry(
      async () => {
        if (++n === 1) throw new NotifyError('429', true, { status: 429, retryAfterMs: 30_000 });
      },
      policy,
      { signal: new AbortController().signal, onFailure: (f) => void failures.push(f.retryInMs) },
    );
    expect(r).toEqual({ attempts: 2 });
    expect(c.waits).toEqual([30_000]);
    expect(failures).toEqual([30_000]);
  });

  it('gives up at once on a permanent error, and when the next wait would pass giveUpAfter', async () => {
    const { policy } = clock();
    const permanent = await withRetry(
      async () => {
        throw new NotifyError('400', false, { status: 400 });
      },
      policy,
      { signal: new AbortController().signal },
    );
    expect(permanent.attempts).toBe(1);
    const late = await withRetry(
      async () => {
        throw new NotifyError('429', true, { retryAfterMs: 3600_000 });
      },
      policy,
      { signal: new AbortController().signal },
    );
    expect(late.attempts).toBe(1);
    expect(late.error?.message).toBe('429');
  });
});
