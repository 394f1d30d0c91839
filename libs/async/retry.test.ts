import { describe, expect, it } from 'vitest';
import { withRetry, type AttemptFailure } from './retry.ts';

function fakeClock() {
  const c = { t: 0, waits: [] as number[] };
  const options = {
    initialMs: 1000,
    maxMs: 4000,
    giveUpAfterMs: 60_000,
    signal: new AbortController().signal,
    now: () => c.t,
    random: () => 0.5,
    sleep: async (ms: number) => void (c.waits.push(ms), (c.t += ms)),
  };
  return { c, options };
}

const failing = (times: number) => {
  let n = 0;
  return async () => {
    if (++n <= times) throw new Error(`down ${n}`);
  };
};

describe('withRetry', () => {
  it('retries with the backoff delays until the attempt succeeds', async () => {
    const { c, options } = fakeClock();
    const failures: AttemptFailure[] = [];
    const r = await withRetry(failing(4), { ...options, onFailure: (f) => void failures.push(f) });
    expect(r).toEqual({ attempts: 5 });
    expect(c.waits).toEqual([1000, 2000, 4000, 4000]);
    expect(failures.map((f) => [f.attempt, f.retryInMs, f.error.message])).toEqual([
      [1, 1000, 'down 1'],
      [2, 2000, 'down 2'],
      [3, 4000, 'down 3'],
      [4, 4000, 'down 4'],
    ]);
  });

  it('waits at least what classify says the other side asked, beyond maxMs', async () => {
    const { c, options } = fakeClock();
    const r = await withRetry(failing(1), { ...options, classify: () => ({ retry: true, afterMs: 30_000 }) });
    expect(r).toEqual({ attempts: 2 });
    expect(c.waits).toEqual([30_000]);
  });

  it('stops at a permanent failure, and before a wait that would pass giveUpAfterMs', async () => {
    const { c, options } = fakeClock();
    const permanent = await withRetry(failing(9), { ...options, classify: () => ({ retry: false }) });
    expect(permanent).toMatchObject({ attempts: 1, error: { message: 'down 1' } });
    const late = await withRetry(failing(99), { ...options, giveUpAfterMs: 10_000 });
    // 1000 + 2000 + 4000 = 7000 waited; the next 4000 would end at 11 000 > 10 000.
    expect(late).toMatchObject({ attempts: 4, error: { message: 'down 4' } });
    expect(c.waits).toEqual([1000, 2000, 4000]);
  });

  it('returns the last error when the signal aborts during a wait (the real sleep rejects)', async () => {
    const ac = new AbortController();
    const failures: (number | undefined)[] = [];
    const pending = withRetry(failing(99), {
      initialMs: 60_000,
      maxMs: 60_000,
      giveUpAfterMs: 600_000,
      signal: ac.signal,
      onFailure: (f) => void failures.push(f.retryInMs),
    });
    setTimeout(() => ac.abort(), 5);
    expect(await pending).toMatchObject({ attempts: 1, error: { message: 'down 1' } });
    expect(failures).toHaveLength(1);
  });

  it('makes no further attempt once the signal has aborted', async () => {
    const { options } = fakeClock();
    const ac = new AbortController();
    const failures: (number | undefined)[] = [];
    const r = await withRetry(
      async () => {
        ac.abort();
        throw new Error('down');
      },
      { ...options, signal: ac.signal, onFailure: (f) => void failures.push(f.retryInMs) },
    );
    expect(r.attempts).toBe(1);
    expect(failures).toEqual([undefined]);
  });
});
