/**
 * An AbortSignal that aborts after `ms` with `reason()` (or, before that, when `parent` aborts, with its reason),
 * and a `dispose` that clears the timer and the listener on `parent` once the work is done. Instead of
 * `AbortSignal.any([parent, AbortSignal.timeout(ms)])`, which on Node 20 cost ~35 µs a call against ~6 µs for this
 * (measured; AbortSignal.timeout's timer is kept alive through a FinalizationRegistry, and any() links every
 * signal into its sources' sets): a federated query made four to five of them (issue 21, Deliver 1).
 */
export interface TimeoutSignal {
  signal: AbortSignal;
  /** Whether it aborted because the time ran out (not because `parent` aborted). */
  timedOut: () => boolean;
  dispose: () => void;
}

export function timeoutSignal(
  ms: number,
  parent: AbortSignal | undefined,
  reason: () => unknown = () => new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
): TimeoutSignal {
  const ac = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    ac.abort(reason());
  }, ms);
  // As AbortSignal.timeout: the timer alone does not keep the process alive.
  timer.unref();
  const onAbort = () => {
    clearTimeout(timer);
    ac.abort(parent?.reason);
  };
  if (parent?.aborted) onAbort();
  else parent?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: ac.signal,
    timedOut: () => expired,
    dispose: () => {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onAbort);
    },
  };
}
