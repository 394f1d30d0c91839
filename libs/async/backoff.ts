/**
 * The one backoff policy: exponential from `initialMs`, doubling per attempt, capped at `maxMs`, then spread by
 * ±`jitter` (a fraction) so many retriers do not retry in step. Callers give their own numbers.
 */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** 0.2 spreads each delay over [0.8, 1.2] × the capped value; 0 (the default) keeps it exact. */
  jitter?: number;
  /** Injectable for tests; Math.random by default. */
  random?: () => number;
}

/** The wait before retry number `attempt` (1 for the first retry): initialMs × 2^(attempt−1), capped, jittered. */
export function backoffDelay(policy: BackoffPolicy, attempt: number): number {
  const capped = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, attempt - 1));
  const jitter = policy.jitter ?? 0;
  if (jitter === 0) return capped;
  const random = policy.random ?? Math.random;
  return Math.round(capped * (1 - jitter + random() * 2 * jitter));
}
