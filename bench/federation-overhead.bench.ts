// npm run bench -- federation-overhead
// Pharos's own time per federated query (issue 21, Deliver 1): the twelve small dashboard queries of
// `npm run bench -- federation` through Pharos (frontend bypassed) against the bare parallel fan-out of Pharos's
// own leaf queries, interleaved, on the benchmark's east/west/north servers, without Thanos: minutes instead of
// the whole comparison. BENCH_ROUNDS (default 20) sets the rounds; BENCH_DIR the run folder (shared with the
// federation bench, so its backfills are reused). BENCH_BASELINE_TREE=<dir>, a checkout of another commit (with
// its node_modules), runs its Pharos over the same servers in the same interleaved rounds: before/after figures
// of a change. BENCH_CPU_PROF=<dir> writes a V8 CPU profile of this checkout's Pharos there when it stops.
// BENCH_QUERY=<PromQL> runs that one query instead of the twelve (e.g. a trivial one: the fixed cost per request).
// It also times the floor proxy (BENCH_FLOOR=0 leaves it out) (bench/federation/floor-proxy.ts): one HTTP hop with the same leaf calls
// and no framework, what any server in front of the members adds over the bare fan-out on this machine.
// The bare fan-out uses Pharos's own HTTP client (node:http); BENCH_FANOUT_CLIENT=fetch uses fetch, as before.
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { compareLatency } from './federation/latency.ts';
import { startFloorProxy } from './federation/floor-start.ts';
import { startPharos } from './federation/pharos-process.ts';
import { BenchProcesses } from './federation/processes.ts';
import { smallSet } from './federation/prometheus-sets.ts';
import { SMALL_QUERIES, SMALL_WINDOW } from './federation/small-queries.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const ROOT = process.env.BENCH_DIR ?? join(tmpdir(), 'pharos-bench-federation');
const PROFILE = process.env.BENCH_CPU_PROF;
const BASELINE = process.env.BENCH_BASELINE_TREE;

const dir = join(ROOT, 'logs', 'overhead');
mkdirSync(dir, { recursive: true });
const proc = new BenchProcesses(dir);
try {
  const servers = await smallSet(proc, ROOT, (m) => console.log(`[bench] ${m}`));
  const baseline = BASELINE
    ? await startPharos(proc, { root: ROOT, set: 'overhead-baseline', servers }, { tree: resolve(BASELINE) })
    : undefined;
  if (BASELINE) console.log(`[bench] baseline: ${resolve(BASELINE)}`);
  const pharos = await startPharos(
    proc,
    { root: ROOT, set: 'overhead', servers },
    PROFILE ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${resolve(PROFILE)}`] } : {},
  );
  const floor = process.env.BENCH_FLOOR !== '0' ? await startFloorProxy(proc, servers) : undefined;
  await compareLatency({
    label: 'small fixture (east, west, north)',
    window: SMALL_WINDOW,
    queries: process.env.BENCH_QUERY ? [process.env.BENCH_QUERY] : SMALL_QUERIES,
    rounds: ROUNDS,
    pharos,
    servers,
    ...(baseline ? { baseline } : {}),
    ...(floor ? { floor } : {}),
  });
} finally {
  await proc.stopAll();
}
