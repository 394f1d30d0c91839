/**
 * Waiting with an AbortSignal, in the two flavours callers need:
 * - `sleep` rejects with `signal.reason` when the signal aborts (as node:timers/promises `setTimeout` does), so a
 *   retry loop that awaits it stops at once without checking the signal itself;
 * - `sleepUntilAborted` resolves early instead and never rejects, for loops that test their own signal after the
 *   wait (bus redelivery, watch restarts, live-tail polls), where an abort is the normal way to stop.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    function onAbort() {
      clearTimeout(timer);
      reject(signal?.reason);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Resolves after `ms`, or at once when the signal aborts (never rejects). */
export function sleepUntilAborted(ms: number, signal?: AbortSignal): Promise<void> {
  return sleep(ms, signal).catch(() => undefined);
}
