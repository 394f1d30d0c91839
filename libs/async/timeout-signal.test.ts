import { describe, expect, it } from 'vitest';
import { timeoutSignal } from './timeout-signal.ts';

describe('timeoutSignal', () => {
  it('aborts after the time with its reason, and says it timed out', async () => {
    const t = timeoutSignal(10, undefined, () => new Error('late'));
    expect(t.signal.aborted).toBe(false);
    await new Promise((r) => setTimeout(r, 30));
    expect(t.signal.aborted).toBe(true);
    expect((t.signal.reason as Error).message).toBe('late');
    expect(t.timedOut()).toBe(true);
  });

  it("follows the parent's abort, with the parent's reason, and not as a timeout", () => {
    const parent = new AbortController();
    const t = timeoutSignal(60_000, parent.signal);
    parent.abort(new Error('client gone'));
    expect(t.signal.aborted).toBe(true);
    expect((t.signal.reason as Error).message).toBe('client gone');
    expect(t.timedOut()).toBe(false);
    const already = timeoutSignal(60_000, parent.signal);
    expect(already.signal.aborted).toBe(true);
  });

  it('once disposed, neither the timer nor the parent aborts it', async () => {
    const parent = new AbortController();
    const t = timeoutSignal(10, parent.signal);
    t.dispose();
    await new Promise((r) => setTimeout(r, 30));
    parent.abort();
    expect(t.signal.aborted).toBe(false);
  });

  it('aborts with a TimeoutError DOMException by default, as AbortSignal.timeout', async () => {
    const t = timeoutSignal(1, undefined);
    await new Promise((r) => setTimeout(r, 20));
    expect((t.signal.reason as DOMException).name).toBe('TimeoutError');
  });
});
