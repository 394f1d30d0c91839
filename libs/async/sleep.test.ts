import { describe, expect, it } from 'vitest';
import { sleep, sleepUntilAborted } from './sleep.ts';

describe('sleep', () => {
  it('resolves after the delay', async () => {
    const t0 = performance.now();
    await sleep(20);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(15);
  });

  it('rejects with the reason when the signal aborts mid-way, and at once when it already has', async () => {
    const ac = new AbortController();
    const waiting = sleep(60_000, ac.signal);
    ac.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    await expect(sleep(60_000, AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
  });

  it('leaves no listener on the signal once it has resolved', async () => {
    const ac = new AbortController();
    await sleep(1, ac.signal);
    ac.abort(); // would reject an unhandled promise if the listener were still there
    await sleep(1);
  });
});

describe('sleepUntilAborted', () => {
  it('resolves early, never rejects, when the signal aborts', async () => {
    const ac = new AbortController();
    const t0 = performance.now();
    const waiting = sleepUntilAborted(60_000, ac.signal);
    setTimeout(() => ac.abort(new Error('stop')), 5);
    await expect(waiting).resolves.toBeUndefined();
    expect(performance.now() - t0).toBeLessThan(5_000);
    await expect(sleepUntilAborted(60_000, AbortSignal.abort())).resolves.toBeUndefined();
  });

  it('waits the whole delay without a signal', async () => {
    const t0 = performance.now();
    await sleepUntilAborted(20);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(15);
  });
});
