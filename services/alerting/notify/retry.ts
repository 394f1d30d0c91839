import { NotifyError } from './receivers/integration.ts';

export interface RetryPolicy {
  initialMs: number;
  maxMs: number;
  giveUpAfterMs: number;
  /** Injectable for tests; must reject when the signal aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  now?: () => number;
}

export const abortableSleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Runs `attempt` until it succeeds, fails permanently, or `giveUpAfterMs` has passed, waiting an exponentially
 * growing delay (initial, ×2, capped at max, with ±20% jitter so many groups do not retry in step).
 */
export async function withRetry(attempt: () => Promise<void>, policy: RetryPolicy, signal: AbortSignal, onFailure?: (err: Error, n: number) => void): Promise<{ attempts: number; error?: Error }> {
  const sleep = policy.sleep ?? abortableSleep;
  const now = policy.now ?? Date.now;
  const start = now();
  let delay = policy.initialMs;
  for (let n = 1; ; n++) {
    try {
      await attempt();
      return { attempts: n };
    } catch (err) {
      const e = err as Error;
      onFailure?.(e, n);
      const retryable = !(e instanceof NotifyError) || e.retry;
      if (!retryable || signal.aborted || now() - start + delay > policy.giveUpAfterMs) return { attempts: n, error: e };
      try {
        await sleep(Math.round(delay * (0.8 + Math.random() * 0.4)), signal);
      } catch {
        return { attempts: n, error: e };
      }
      delay = Math.min(delay * 2, policy.maxMs);
    }
  }
}
