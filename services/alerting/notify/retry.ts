import { withRetry as retry, type AttemptFailure, type RetryOutcome } from '../../../libs/async/retry.ts';
import { NotifyError } from './receivers/integration.ts';

export type { AttemptFailure } from '../../../libs/async/retry.ts';

export interface RetryPolicy {
  initialMs: number;
  maxMs: number;
  giveUpAfterMs: number;
  /** Injectable for tests; must reject when the signal aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  now?: () => number;
}

/** A NotifyError says whether the provider's answer is worth retrying and how long it asked us to wait. */
function classify(error: Error): { retry: boolean; afterMs?: number } {
  if (!(error instanceof NotifyError)) return { retry: true };
  return {
    retry: error.retry,
    ...(error.details.retryAfterMs === undefined ? {} : { afterMs: error.details.retryAfterMs }),
  };
}

/**
 * A notification's delivery attempts (libs/async withRetry): initial, ×2, capped at max, ±20% jitter so many
 * groups do not retry in step, and never less than the provider asked for (Retry-After, Telegram's retry_after)
 * even beyond max.
 */
export function withRetry(
  attempt: (n: number) => Promise<void>,
  policy: RetryPolicy,
  { signal, onFailure }: { signal: AbortSignal; onFailure?: (f: AttemptFailure) => void | Promise<void> },
): Promise<RetryOutcome> {
  return retry(attempt, { ...policy, signal, jitter: 0.2, classify, ...(onFailure ? { onFailure } : {}) });
}
