/**
 * Polls until the condition holds; fails after `timeoutMs`, a ceiling for something stuck, never a speed
 * assertion (performance is measured by the benchmarks). `what` names the wait in the failure, and may be
 * a function so the message shows the state at the time of failure.
 */
export async function until(
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 120_000,
  what: string | (() => string) = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline)
      throw new Error(`${typeof what === 'function' ? what() : what}: not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
