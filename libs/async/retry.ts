import { backoffDelay } from './backoff.ts';
import { sleep as abortableSleep } from './sleep.ts';

/** How one failure is to be treated: retried or not, and the least wait the other side asked for (Retry-After). */
export interface FailureClass {
  retry: boolean;
  afterMs?: number;
}

export interface RetryOptions {
  initialMs: number;
  maxMs: number;
  /** No attempt starts once the next wait would end past this much time since the first one. */
  giveUpAfterMs: number;
  signal: AbortSignal;
  /** ±fraction spread of each wait (see backoffDelay); 0.2 unless told. */
  jitter?: number;
  /** Every error is retried unless this says otherwise. */
  classify?: (error: Error) => FailureClass;
  /** Told after each failed attempt whether another follows and after how long. */
  onFailure?: (failure: AttemptFailure) => void | Promise<void>;
  /** Injectable for tests; must reject when the signal aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

/** What the caller learns after each failed attempt: whether another follows, and after how long. */
export interface AttemptFailure {
  error: Error;
  attempt: number;
  /** The wait before the next attempt; undefined when this was the last. */
  retryInMs: number | undefined;
}

export interface RetryOutcome {
  attempts: number;
  /** The last error, when every attempt failed. */
  error?: Error;
}

/**
 * Runs `attempt` until it succeeds, fails permanently, the signal aborts, or `giveUpAfterMs` would pass, waiting
 * the backoff delay between attempts — never less than the other side asked for, even beyond maxMs. Never throws
 * the attempt's error: the outcome carries it.
 */
export async function withRetry(attempt: (n: number) => Promise<void>, options: RetryOptions): Promise<RetryOutcome> {
  const { signal, classify, onFailure } = options;
  const sleep = options.sleep ?? abortableSleep;
  const now = options.now ?? Date.now;
  const policy = { ...options, jitter: options.jitter ?? 0.2 };
  const start = now();
  for (let n = 1; ; n++) {
    try {
      await attempt(n);
      return { attempts: n };
    } catch (err) {
      const error = err as Error;
      const kind = classify?.(error) ?? { retry: true };
      const wait = Math.max(backoffDelay(policy, n), kind.afterMs ?? 0);
      const last = !kind.retry || signal.aborted || now() - start + wait > options.giveUpAfterMs;
      await onFailure?.({ error, attempt: n, retryInMs: last ? undefined : wait });
      if (last) return { attempts: n, error };
      try {
        await sleep(wait, signal);
      } catch {
        return { attempts: n, error };
      }
    }
  }
}
