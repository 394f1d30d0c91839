import { describe, expect, it } from 'vitest';
import { osRequest } from './opensearch-call.ts';

/** The client's request handle: a thenable whose abort() rejects it and returns the handle itself. */
function abortableRequest(): PromiseLike<never> & { abort(): unknown } {
  let reject!: (e: Error) => void;
  const p = new Promise<never>((_, r) => (reject = r));
  const handle = {
    then: p.then.bind(p),
    abort() {
      setImmediate(() => reject(Object.assign(new Error('Request aborted'), { name: 'RequestAbortedError' })));
      return handle;
    },
  };
  return handle;
}

describe('osRequest', () => {
  it('an abort rejects with the signal reason and leaves no uncaught error behind', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => uncaught.push(e);
    process.on('uncaughtException', onUncaught);
    try {
      const ac = new AbortController();
      const call = osRequest(() => abortableRequest() as unknown as Promise<never>, ac.signal);
      ac.abort(new Error('gone'));
      await expect(call).rejects.toThrow('gone');
      await new Promise((r) => setTimeout(r, 20));
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});
