// Fault tests stop and restart engines by name through the same API as `npm run stack`. node-exporter is the
// engine used here because nothing else in the suite depends on it and it restarts in under a second.
import { describe, expect, it } from 'vitest';
import { NODE_EXPORTER_PORT } from '../../../scripts/stack/node-exporter.ts';
import { stackStatus, startEngine, stopEngine } from '../../../scripts/stack/stack.ts';

const quiet = (): void => undefined;
const reachable = (): Promise<boolean> =>
  fetch(`http://127.0.0.1:${NODE_EXPORTER_PORT}/metrics`).then(
    (r) => r.ok,
    () => false,
  );

describe('stack lifecycle', () => {
  it('stops an engine and starts it again', async () => {
    await stopEngine('node-exporter', quiet);
    expect(await reachable()).toBe(false);
    expect(await stackStatus(['node-exporter'])).toMatchObject([{ engine: 'node-exporter', ready: false }]);

    await startEngine('node-exporter', quiet);
    expect(await reachable()).toBe(true);
    expect(await stackStatus(['node-exporter'])).toMatchObject([{ engine: 'node-exporter', ready: true }]);
  });

  it('treats starting a running engine as a no-op', async () => {
    const [before] = await stackStatus(['node-exporter']);
    await startEngine('node-exporter', quiet);
    const [after] = await stackStatus(['node-exporter']);
    expect(after?.line).toBe(before?.line);
  });
});
