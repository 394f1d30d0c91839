// npm run bench -- federation
// Pharos's federation against the peer users would pick instead (issue 21): Thanos 0.42.5 (a sidecar per
// Prometheus + Thanos Query) over the same Prometheus servers, the same range queries interleaved, on the small
// fixture and on 100,002 series; /series peak memory of both, and each 100,002-series query's; a dashboard reload
// cold and warm through the query frontend. Everything runs on the benchmark's own servers and ports (bench/federation/), the stack is not used.
// BENCH_ROUNDS (default 20) and BENCH_BIG_ROUNDS (default 5) set the rounds; the run folder is kept in the temp
// dir (BENCH_DIR to move it), so the backfills happen once.
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dashboardReload } from './federation/dashboard-reload.ts';
import { compareLatency } from './federation/latency.ts';
import { startFloorProxy } from './federation/floor-start.ts';
import { startPharos } from './federation/pharos-process.ts';
import { BenchProcesses } from './federation/processes.ts';
import { BIG_WINDOW, bigSet, smallSet } from './federation/prometheus-sets.ts';
import { SMALL_QUERIES, SMALL_WINDOW } from './federation/small-queries.ts';
import { queryMemory } from './federation/query-memory.ts';
import { seriesMemory } from './federation/series-memory.ts';
import { ensureThanos, startThanos } from './federation/thanos.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const BIG_ROUNDS = Number(process.env.BENCH_BIG_ROUNDS ?? 5);
const ROOT = process.env.BENCH_DIR ?? join(tmpdir(), 'pharos-bench-federation');
const SHARED = resolve(import.meta.dirname, '../../shared/data');

const BIG_QUERIES = [
  'sum by (namespace) (bench_series)',
  'count(count by (pod) (bench_series))',
  'topk(5, bench_series)',
  'quantile(0.5, bench_series)',
  'count by (container) (bench_series)',
  'max(bench_series)',
];

const log = (m: string) => console.log(`[bench] ${m}`);

// BENCH_ONLY=series: only the /series memory comparison on the 100,002-series set (a few minutes, and peak memory
// does not depend on how busy the machine is); BENCH_ONLY=big or small: one set's phases.
const ONLY = process.env.BENCH_ONLY;
// BENCH_BASELINE_TREE=<dir>, a checkout of another commit (with its node_modules): its Pharos runs over the 100,002
// series too, in the same rounds and in the per-query memory table, its answers compared byte for byte with this
// checkout's. BENCH_BIG_MEMORY_ONLY=1 stops the big set after that table (no latency rounds).
const BASELINE = process.env.BENCH_BASELINE_TREE;

async function withProcesses(name: string, fn: (proc: BenchProcesses) => Promise<void>): Promise<void> {
  const dir = join(ROOT, 'logs', name);
  mkdirSync(dir, { recursive: true });
  const proc = new BenchProcesses(dir);
  try {
    await fn(proc);
  } finally {
    await proc.stopAll();
  }
}

const thanos = await ensureThanos(log);

if (!ONLY || ONLY === 'big' || ONLY === 'series')
  await withProcesses('big', async (proc) => {
    const servers = await bigSet(proc, ROOT, log);
    const tq = await startThanos(proc, { bin: thanos, set: 'big', servers });
    const pharos = await startPharos(proc, { root: ROOT, set: 'big', servers });
    await seriesMemory(pharos, tq);
    if (ONLY === 'series') return;
    const baseline = BASELINE
      ? await startPharos(proc, { root: ROOT, set: 'big-baseline', servers }, { tree: resolve(BASELINE) })
      : undefined;
    if (BASELINE) log(`baseline: ${resolve(BASELINE)}`);
    await queryMemory({
      window: BIG_WINDOW,
      queries: BIG_QUERIES,
      pharos,
      thanos: tq,
      ...(baseline ? { baseline } : {}),
    });
    if (process.env.BENCH_BIG_MEMORY_ONLY === '1') return;
    await compareLatency({
      label: '100,002 series',
      window: BIG_WINDOW,
      queries: BIG_QUERIES,
      rounds: BIG_ROUNDS,
      pharos,
      thanos: tq,
      servers,
      ...(baseline ? { baseline } : {}),
    });
  });

if (!ONLY || ONLY === 'small')
  await withProcesses('small', async (proc) => {
    const servers = await smallSet(proc, ROOT, log);
    const tq = await startThanos(proc, { bin: thanos, set: 'small', servers });
    const pharos = await startPharos(proc, { root: ROOT, set: 'small', servers });
    // One HTTP hop with the same leaf calls and nothing else (BENCH_FLOOR=0 leaves it out): the floor under
    // Pharos / bare fan-out on this machine.
    const floor = process.env.BENCH_FLOOR !== '0' ? await startFloorProxy(proc, servers) : undefined;
    await compareLatency({
      label: 'small fixture (east, west, north)',
      window: SMALL_WINDOW,
      queries: SMALL_QUERIES,
      rounds: ROUNDS,
      pharos,
      thanos: tq,
      servers,
      ...(floor ? { floor } : {}),
    });
    await dashboardReload(pharos, SHARED, Math.max(3, Math.round(ROUNDS / 4)));
  });
