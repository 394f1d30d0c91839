import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from '../../scripts/deploy/image-layout.ts';
import { httpOk, type BenchProcesses } from './processes.ts';
import type { PromServer } from './prometheus-sets.ts';

export interface PharosProcess {
  url: string;
  pid: number | undefined;
  auth: Record<string, string>;
}

export const BENCH_TOKEN = 'federation-bench-admin-token-0123456789';

/**
 * Pharos's query service in a process of its own, as it runs in service (npm start's Node flags), over one set of
 * the benchmark's Prometheus servers. The query frontend is on (in-process LRU); a request with
 * `Cache-Control: no-store` goes to the engine as it came, which is how the engine alone is measured.
 */
export interface PharosStart {
  /** Settings under `federation:` (merged over the benchmark's timeouts). */
  federation?: Record<string, unknown>;
  /** Node flags before the entry point, e.g. --cpu-prof. */
  nodeArgs?: string[];
  /** A checkout whose services/main.ts runs instead of this one's: a baseline measured in the same run. */
  tree?: string;
}

/** Pharos over `servers`, its files under `root`, named after the server `set`. */
export async function startPharos(
  proc: BenchProcesses,
  { root, set, servers }: { root: string; set: string; servers: PromServer[] },
  opts: PharosStart = {},
): Promise<PharosProcess> {
  const port = await freePort();
  const dataDir = join(root, `pharos-${set}`);
  await mkdir(dataDir, { recursive: true });
  const config = {
    server: { host: '127.0.0.1', port },
    dataDir,
    storage: { type: 'sqlite', path: join(dataDir, 'pharos.db') },
    log: { level: 'warn' },
    // Generous timeouts: on a shared 2-core machine a member can take tens of seconds over 100,002 series, and a
    // cluster left out would make the answer partial (Thanos Query waits as long: no store timeout by default).
    clusters: servers.map((s) => ({ name: s.cluster, prometheus: { url: s.url, timeoutMs: 600_000 } })),
    auth: { tokens: [{ name: 'bench', token: BENCH_TOKEN, role: 'admin' }], rateLimit: { perSecond: 0 } },
    federation: { timeoutMs: 900_000, ...opts.federation },
  };
  const file = join(root, `pharos-${set}.yaml`);
  await writeFile(file, stringify(config));
  const name = `pharos-${set}`;
  // BENCH_BUILD=1: the production build (`npm run build`, then NODE_ENV=production npm start runs dist/ on plain
  // node), as a deployment runs it; by default the sources through tsx, as `npm start` does.
  const built = process.env.BENCH_BUILD === '1';
  if (built && !existsSync(join(opts.tree ?? '.', 'dist/services/main.js')))
    throw new Error('BENCH_BUILD=1 measures the build in dist/: run `npm run build` first');
  const child = proc.start(name, {
    command: process.execPath,
    ...(built ? { env: { ...process.env, NODE_ENV: 'production' } } : {}),
    args: [
      '--max-semi-space-size=32',
      ...(opts.nodeArgs ?? []),
      ...(built
        ? [join(opts.tree ?? '.', 'scripts/start.mjs')]
        : ['--import', 'tsx', join(opts.tree ?? '.', 'services/main.ts')]),
      'query',
      '--config',
      file,
    ],
  });
  const url = `http://127.0.0.1:${port}`;
  await proc.waitFor(name, () => httpOk(`${url}/readyz`));
  return { url, pid: child.pid, auth: { authorization: `Bearer ${BENCH_TOKEN}` } };
}
