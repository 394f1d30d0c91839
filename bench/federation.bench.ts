import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fixtureClusters, startFederation, TOKEN } from '../test/integration/federation/harness.ts';
import { parsePromQL } from '../libs/promql/parser.ts';
import { leafQueryFor, planQuery } from '../libs/promql/planner.ts';
import { CLUSTER_NAMES, FIXTURE_END, FIXTURE_START, PROMETHEUS_PORTS } from '../test/fixtures/prometheus/generate.ts';

/**
 * Federation overhead. (1) Representative range queries through Pharos (HTTP to a listening server, fanning
 * out to the east/west/north fixture servers) against the same query sent straight to the slowest cluster,
 * interleaved in one run; prints p50/p95 and the Pharos/direct ratio (goal ≤ 1.15× at the median).
 * (2) Peak memory of a /series call over 100,000 series: a temporary Prometheus backfilled with 33,334
 * series, listed as three clusters. Run: `npm run bench -- federation` (BENCH_ROUNDS to change rounds).
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const RANGE = { start: FIXTURE_START + 1800, end: FIXTURE_END - 60, step: 30 };
const QUERIES = [
  'sum by (cluster, namespace) (rate(container_cpu_usage_seconds_total[5m]))',
  'sum by (namespace) (rate(container_cpu_usage_seconds_total[5m]))',
  'histogram_quantile(0.9, sum by (le) (rate(demo_api_request_duration_seconds_bucket[5m])))',
  'count(count by (namespace) (kube_pod_info))',
  'topk(5, container_memory_working_set_bytes)',
  'avg by (mode) (rate(node_cpu_seconds_total[5m]))',
  'sum(container_memory_working_set_bytes) / sum(node_memory_MemTotal_bytes)',
  'rate(demo_cpu_usage_seconds_total[5m])',
];

const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] as number;

async function timed(url: string, body: URLSearchParams, headers: Record<string, string> = {}): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url, { method: 'POST', body, headers });
  const json = (await res.json()) as { status: string; error?: string };
  if (json.status !== 'success') throw new Error(`${url}: ${json.error}`);
  return performance.now() - t0;
}

async function latency(): Promise<void> {
  const server = await startFederation();
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  const pharos = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}/prometheus/api/v1/query_range`;
  const auth = { authorization: `Bearer ${TOKEN}` };
  const params = (q: string) => new URLSearchParams({ query: q, start: String(RANGE.start), end: String(RANGE.end), step: String(RANGE.step) });
  console.log(`\n(1) range queries, ${(RANGE.end - RANGE.start) / RANGE.step + 1} steps, ${ROUNDS} interleaved rounds`);
  console.log('query | slowest cluster | direct p50/p95 ms | fan-out only p50 ms | pharos p50/p95 ms | ratio p50');
  const ratios: number[] = [];
  const overFanOut: number[] = [];
  for (const q of QUERIES) {
    // The slowest cluster for this query, measured first (a few warm-up calls each).
    const perCluster = await Promise.all(fixtureClusters().map(async (c) => {
      const ts: number[] = [];
      for (let i = 0; i < 5; i++) ts.push(await timed(`${c.prometheus.url}/api/v1/query_range`, params(q)));
      return { name: c.name, url: c.prometheus.url, p50: pct(ts, 50) };
    }));
    const slowest = perCluster.sort((a, b) => b.p50 - a.p50)[0] as { name: string; url: string };
    await timed(pharos, params(q), auth);
    const direct: number[] = [];
    const ours: number[] = [];
    // The same leaf queries Pharos sends, sent to every cluster in parallel without Pharos: what the engines
    // alone cost when three of them share the machine's cores.
    const plan = planQuery(parsePromQL(q), CLUSTER_NAMES);
    const fanOnly: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const t0 = performance.now();
      await Promise.all(plan.leaves.flatMap((l) => l.clusters.map((c) => timed(`http://127.0.0.1:${PROMETHEUS_PORTS[c as 'east']}/api/v1/query_range`, params(leafQueryFor(l, c))))));
      fanOnly.push(performance.now() - t0);
    }
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate which goes first so neither always meets a warm cache.
      if (r % 2 === 0) {
        direct.push(await timed(`${slowest.url}/api/v1/query_range`, params(q)));
        ours.push(await timed(pharos, params(q), auth));
      } else {
        ours.push(await timed(pharos, params(q), auth));
        direct.push(await timed(`${slowest.url}/api/v1/query_range`, params(q)));
      }
    }
    const ratio = pct(ours, 50) / pct(direct, 50);
    ratios.push(ratio);
    overFanOut.push(pct(ours, 50) / pct(fanOnly, 50));
    console.log(`${q} | ${slowest.name} | ${pct(direct, 50).toFixed(1)}/${pct(direct, 95).toFixed(1)} | ${pct(fanOnly, 50).toFixed(1)} | ${pct(ours, 50).toFixed(1)}/${pct(ours, 95).toFixed(1)} | ${ratio.toFixed(2)}x`);
  }
  console.log(`median of per-query p50 ratios: ${pct(ratios, 50).toFixed(2)}x (goal ≤ 1.15x)`);
  console.log(`median of Pharos p50 / fan-out-only p50 (Pharos's own share): ${pct(overFanOut, 50).toFixed(2)}x`);
  await server.close();
}

const SERIES_PER_SERVER = 33_334;
const BENCH_DIR = join(tmpdir(), 'pharos-bench-federation-series');

/** Backfills (once, cached in the temp dir) and starts a Prometheus holding SERIES_PER_SERVER series. */
async function startSeriesServer(): Promise<{ url: string; proc: ChildProcess }> {
  const data = join(BENCH_DIR, 'data');
  if (!existsSync(join(BENCH_DIR, 'done'))) {
    rmSync(BENCH_DIR, { recursive: true, force: true });
    mkdirSync(data, { recursive: true });
    const om = join(BENCH_DIR, 'series.om');
    const out = createWriteStream(om);
    out.write('# TYPE bench_series gauge\n');
    for (let i = 0; i < SERIES_PER_SERVER; i++) {
      const labels = `namespace="ns-${i % 50}",pod="pod-${i}",container="c-${i % 3}"`;
      out.write(`bench_series{${labels}} ${i} ${FIXTURE_START}\nbench_series{${labels}} ${i + 1} ${FIXTURE_START + 60}\n`);
    }
    out.write('# EOF\n');
    await new Promise<void>((r) => out.end(r));
    execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', om, data], { stdio: 'ignore' });
    rmSync(om);
    writeFileSync(join(BENCH_DIR, 'done'), '');
  }
  writeFileSync(join(BENCH_DIR, 'prometheus.yml'), 'global: {}\n');
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const proc = spawn('prometheus', [`--config.file=${join(BENCH_DIR, 'prometheus.yml')}`, `--storage.tsdb.path=${data}`, `--web.listen-address=127.0.0.1:${port}`, '--storage.tsdb.retention.time=100y'], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (await fetch(`${url}/-/ready`).then((r) => r.ok, () => false)) return { url, proc };
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill();
  throw new Error('temporary Prometheus did not become ready');
}

async function seriesMemory(): Promise<void> {
  const { url, proc } = await startSeriesServer();
  try {
    const server = await startFederation(['a', 'b', 'c'].map((name) => ({ name, prometheus: { url } })));
    const body = `match[]=bench_series&start=${FIXTURE_START}&end=${FIXTURE_START + 60}`;
    const t0 = performance.now();
    const direct = (await (await fetch(`${url}/api/v1/series`, { method: 'POST', body: new URLSearchParams(body) })).json()) as { data: unknown[] };
    const directMs = performance.now() - t0;
    // Peak resident memory of this process (getrusage maxrss), taken before any other part of the benchmark ran.
    const before = process.resourceUsage().maxRSS * 1024;
    const heapBefore = process.memoryUsage().heapUsed;
    const t1 = performance.now();
    const res = await server.app.inject({ method: 'POST', url: '/prometheus/api/v1/series', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-www-form-urlencoded' }, payload: body });
    const ms = performance.now() - t1;
    const after = process.resourceUsage().maxRSS * 1024;
    const n = (res.json() as { data: unknown[] }).data.length;
    const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
    console.log(`\n(2) /series over ${n} series (3 clusters × ${direct.data.length}): Pharos ${ms.toFixed(0)} ms (one cluster direct: ${directMs.toFixed(0)} ms), response ${mb(res.body.length)}`);
    console.log(`    peak RSS of the process: ${mb(before)} before the call, ${mb(after)} after (+${mb(after - before)}); heap used before ${mb(heapBefore)}`);
    await server.close();
  } finally {
    proc.kill('SIGTERM');
  }
}

for (const port of Object.values(PROMETHEUS_PORTS)) {
  if (!(await fetch(`http://127.0.0.1:${port}/-/ready`).then((r) => r.ok, () => false))) throw new Error(`fixture Prometheus on ${port} is not running: npm run stack -- up`);
}
await seriesMemory();
await latency();
