// npm run bench -- federation-reload
// The dashboard reload part of `npm run bench -- federation` alone (cold and warm through the query frontend,
// bench/federation/dashboard-reload.ts) on the benchmark's own east/west/north servers: minutes instead of the
// whole comparison with Thanos. BENCH_ROUNDS (default 5) sets the rounds; BENCH_DIR the run folder (shared with
// the federation bench, so its backfills are reused). BENCH_BASELINE_TREE=<dir>, a checkout of another commit
// (with its node_modules), runs the same reload through that checkout's Pharos first, in the same run, over the
// same servers: before/after figures of a change. BENCH_CPU_PROF=<dir> writes a V8 CPU profile of this
// checkout's Pharos there when it stops (node --cpu-prof).
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dashboardReload } from './federation/dashboard-reload.ts';
import { startPharos } from './federation/pharos-process.ts';
import { BenchProcesses } from './federation/processes.ts';
import { smallSet } from './federation/prometheus-sets.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ROOT = process.env.BENCH_DIR ?? join(tmpdir(), 'pharos-bench-federation');
const SHARED = resolve(import.meta.dirname, '../../shared/data');
const PROFILE = process.env.BENCH_CPU_PROF;
const BASELINE = process.env.BENCH_BASELINE_TREE;

const dir = join(ROOT, 'logs', 'reload');
mkdirSync(dir, { recursive: true });
const proc = new BenchProcesses(dir);
try {
  const servers = await smallSet(proc, ROOT, (m) => console.log(`[bench] ${m}`));
  const ratios: string[] = [];
  if (BASELINE) {
    const base = await startPharos(proc, { root: ROOT, set: 'reload-baseline', servers }, { tree: resolve(BASELINE) });
    console.log(`\n[bench] baseline: ${resolve(BASELINE)}`);
    ratios.push(`baseline ${(await dashboardReload(base, SHARED, ROUNDS)).toFixed(1)}x`);
  }
  const pharos = await startPharos(
    proc,
    { root: ROOT, set: 'reload', servers },
    PROFILE ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${resolve(PROFILE)}`] } : {},
  );
  console.log('\n[bench] this checkout');
  ratios.push(`this checkout ${(await dashboardReload(pharos, SHARED, ROUNDS)).toFixed(1)}x`);
  console.log(`\n[bench] warm reload faster than cold: ${ratios.join(', ')}`);
} finally {
  await proc.stopAll();
}
