import { join } from 'node:path';
import { freePort } from '../../scripts/deploy/image-layout.ts';
import type { BenchProcesses } from './processes.ts';
import type { PromServer } from './prometheus-sets.ts';

/** The floor proxy (floor-proxy.ts) over `servers`, in a process of its own as Pharos is, with npm start's flags. */
export async function startFloorProxy(proc: BenchProcesses, servers: PromServer[]): Promise<{ url: string }> {
  const port = await freePort();
  proc.start('floor-proxy', {
    command: process.execPath,
    args: [
      '--max-semi-space-size=32',
      '--import',
      'tsx',
      join(import.meta.dirname, 'floor-proxy.ts'),
      String(port),
      ...servers.map((s) => `${s.cluster}=${s.url}`),
    ],
  });
  const url = `http://127.0.0.1:${port}`;
  // Any answer means it listens (it has no health route: a GET is a query without a query, a 500).
  await proc.waitFor('floor-proxy', () =>
    fetch(url).then(
      () => true,
      () => false,
    ),
  );
  return { url };
}
