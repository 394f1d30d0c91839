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

/** What the caller learns after each failed attempt: whether another follows, and after how long. */
export interface AttemptFailure {
  error: Error;
  attempt: number;
  /** The wait before the next attempt; undefined when this was the last. */
  retryInMs: number | undefined;
}

/**
 * Runs `attempt` until it succeeds, fails permanently, or `giveUpAfterMs` has passed, waiting an exponentially
 * growing delay (initial, ×2, capped at max, with ±20% jitter so many groups do not retry in step), and never less
 * than the provider asked for (Retry-After, Telegram's retry_after) even beyond max.
 */
export async function withRetry(
  attempt: (n: number) => Promise<void>,
  policy: RetryPolicy,
  signal: AbortSignal,
  onFailure?: (f: AttemptFailure) => void | Promise<void>,
): Promise<{ attempts: number; error?: Error }> {
  const sleep = policy.sleep ?? abortableSleep;
  const now = policy.now ?? Date.now;
  const start = now();
  let delay = policy.initialMs;
  for (let n = 1; ; n++) {
    try {
      await attempt(n);
      return { attempts: n };
    } catch (err) {
      const e = err as Error;
      const retryable = !(e instanceof NotifyError) || e.retry;
      const asked = e instanceof NotifyError ? e.details.retryAfterMs : undefined;
      const wait = Math.max(Math.round(delay * (0.8 + Math.random() * 0.4)), asked ?? 0);
      const last = !retryable || signal.aborted || now() - start + wait > policy.giveUpAfterMs;
      await onFailure?.({ error: e, attempt: n, retryInMs: last ? undefined : wait });
      if (last) return { attempts: n, error: e };
      try {
        await sleep(wait, signal);
      } catch {
        return { attempts: n, error: e };
      }
      delay = Math.min(delay * 2, policy.maxMs);
    }
  }
}
