import { httpRequest } from '../../libs/federation/http-transport.ts';
import { labelsKey } from '../../libs/promql/labels.ts';
import { parsePromQL } from '../../libs/promql/parser.ts';
import { leafQueryFor, planQuery } from '../../libs/promql/planner.ts';
import { diffResults, type PromData } from '../../test/integration/federation/compare.ts';
import type { PharosProcess } from './pharos-process.ts';
import type { PromServer } from './prometheus-sets.ts';
import { cpuNs } from '../proc-stats.ts';
import { median, ms, pct, timed } from './stats.ts';
import type { ThanosQuery } from './thanos.ts';

export interface LatencyRun {
  label: string;
  window: { start: number; end: number; step: number };
  queries: readonly string[];
  rounds: number;
  pharos: PharosProcess;
  /** Thanos Query over the same servers; left out, only Pharos and the bare fan-out are compared. */
  thanos?: ThanosQuery;
  /** Another checkout's Pharos over the same servers (BENCH_BASELINE_TREE), interleaved with the others. */
  baseline?: PharosProcess;
  /** The floor proxy (floor-proxy.ts: one HTTP hop, the same leaf calls, no framework): what any server adds. */
  floor?: { url: string };
  servers: PromServer[];
}

export interface LatencySummary {
  overThanos: number;
  overFanOut: number;
  warmOverThanos: number;
  /** The baseline checkout's Pharos / bare fan-out, measured in the same rounds (NaN without a baseline). */
  baselineOverFanOut: number;
}

type Who = 'pharos' | 'thanos' | 'fanout' | 'baseline' | 'floor';

const p50 = (xs: number[]): number => (xs.length ? median(xs) : NaN);

/**
 * The same range queries through Pharos's engine (the frontend bypassed with Cache-Control: no-store), through
 * Thanos Query, and as Pharos's own leaf queries sent to the clusters in parallel without Pharos (the bare
 * fan-out: what the members alone cost), and through a baseline checkout's Pharos when one is given.
 * Interleaved: each round runs them in a rotated order, so none always meets the others' warm caches. Then the
 * frontend's warm answer (cache on, after one fill).
 */
export async function compareLatency(r: LatencyRun): Promise<LatencySummary> {
  const body = (q: string) =>
    new URLSearchParams({
      query: q,
      start: String(r.window.start),
      end: String(r.window.end),
      step: String(r.window.step),
    });
  const post = (b: URLSearchParams, headers: Record<string, string> = {}): RequestInit => ({
    method: 'POST',
    body: b,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });
  const through = (p: PharosProcess, q: string, headers: Record<string, string>) =>
    timed(`${p.url}/prometheus/api/v1/query_range`, post(body(q), { ...p.auth, ...headers }));
  // Pharos's own CPU time per engine query (every thread of its process), beside the clock.
  const cpu: Record<'pharos' | 'baseline', number[]> = { pharos: [], baseline: [] };
  const measured = async (who: 'pharos' | 'baseline', p: PharosProcess, q: string): Promise<number> => {
    const before = cpuNs(p.pid);
    const elapsed = await through(p, q, noStore);
    cpu[who].push((cpuNs(p.pid) - before) / 1e6);
    return elapsed;
  };
  const noStore = { 'cache-control': 'no-store' };
  const run: Partial<Record<Who, (q: string) => Promise<number>>> = {
    pharos: (q) => measured('pharos', r.pharos, q),
    fanout: (q) => fanOut(r, q, body),
  };
  const { thanos, baseline, floor } = r;
  if (floor) run.floor = (q) => timed(`${floor.url}/api/v1/query_range`, post(body(q)));
  if (thanos) run.thanos = (q) => timed(`${thanos.url}/api/v1/query_range`, post(body(q)));
  if (baseline) run.baseline = (q) => measured('baseline', baseline, q);
  const order = (['pharos', 'thanos', 'fanout', 'baseline', 'floor'] as const).filter((w) => run[w]);
  const steps = Math.floor((r.window.end - r.window.start) / r.window.step) + 1;
  console.log(`\n${r.label}: range queries, ${steps} steps, ${r.rounds} interleaved rounds (p50 ms; ratios of p50)`);
  console.log(
    `query | Pharos | ${thanos ? 'Thanos Query | ' : ''}bare fan-out | ${baseline ? 'baseline Pharos | baseline/fan-out | ' : ''}${thanos ? 'Pharos/Thanos | fan-out/Thanos | ' : ''}Pharos/fan-out | ${floor ? 'floor proxy/fan-out | ' : ''}Pharos CPU ms${baseline ? ' (baseline)' : ''} | Pharos warm (cache) | agree`,
  );
  const ratios = { overThanos: [] as number[], overFanOut: [] as number[], warmOverThanos: [] as number[] };
  const baseRatios: number[] = [];
  const floorRatios: number[] = [];
  // The members' own time for Pharos's leaves against Thanos's whole query: below it no server that asks the
  // members' query API can go, whatever it does with the answers.
  const fanOutOverThanos: number[] = [];
  const cpuSums = { pharos: 0, baseline: 0 };
  for (const q of r.queries) {
    const agree = thanos ? await agreement({ r, thanos, q, body }) : 'not compared';
    for (const who of order) await run[who]?.(q); // warm-up
    cpu.pharos = [];
    cpu.baseline = [];
    const times: Record<Who, number[]> = { pharos: [], thanos: [], fanout: [], baseline: [], floor: [] };
    for (let i = 0; i < r.rounds; i++) {
      for (let k = 0; k < order.length; k++) {
        const who = order[(i + k) % order.length] as Who;
        times[who].push(await (run[who] as (q: string) => Promise<number>)(q));
      }
    }
    await through(r.pharos, q, {}); // fills the cache
    const warm: number[] = [];
    for (let i = 0; i < r.rounds; i++) warm.push(await through(r.pharos, q, {}));
    const [p, t, f, b, w] = [times.pharos, times.thanos, times.fanout, times.baseline, warm].map(p50) as [
      number,
      number,
      number,
      number,
      number,
    ];
    ratios.overThanos.push(p / t);
    ratios.overFanOut.push(p / f);
    ratios.warmOverThanos.push(w / t);
    baseRatios.push(b / f);
    const fl = p50(times.floor);
    floorRatios.push(fl / f);
    fanOutOverThanos.push(f / t);
    cpuSums.pharos += p50(cpu.pharos);
    cpuSums.baseline += p50(cpu.baseline);
    const cells = [
      `${q}`,
      `${ms(p)} (p95 ${ms(pct(times.pharos, 95))})`,
      ...(thanos ? [`${ms(t)} (p95 ${ms(pct(times.thanos, 95))})`] : []),
      ms(f),
      ...(baseline ? [`${ms(b)} (p95 ${ms(pct(times.baseline, 95))})`, `${(b / f).toFixed(2)}x`] : []),
      ...(thanos ? [`${(p / t).toFixed(2)}x`, `${(f / t).toFixed(2)}x`] : []),
      `${(p / f).toFixed(2)}x`,
      ...(floor ? [`${(fl / f).toFixed(2)}x`] : []),
      `${ms(p50(cpu.pharos))}${baseline ? ` (${ms(p50(cpu.baseline))})` : ''}`,
      ms(w),
      agree,
    ];
    console.log(cells.join(' | '));
  }
  const summary = {
    overThanos: median(ratios.overThanos),
    overFanOut: median(ratios.overFanOut),
    warmOverThanos: median(ratios.warmOverThanos),
    baselineOverFanOut: median(baseRatios),
  };
  console.log(
    [
      `${r.label}, medians over the queries:`,
      ...(thanos
        ? [
            `Pharos/Thanos ${summary.overThanos.toFixed(2)}x (bare fan-out/Thanos ${median(fanOutOverThanos).toFixed(2)}x),`,
          ]
        : []),
      `Pharos/bare fan-out ${summary.overFanOut.toFixed(2)}x`,
      ...(baseline ? [`(baseline ${summary.baselineOverFanOut.toFixed(2)}x)`] : []),
      ...(floor ? [`(floor proxy/bare fan-out ${median(floorRatios).toFixed(2)}x)`] : []),
      ...(thanos ? [`, Pharos warm/Thanos ${summary.warmOverThanos.toPrecision(2)}x`] : []),
      `; Pharos CPU per query, sum of the medians: ${ms(cpuSums.pharos)} ms`,
      ...(baseline ? [`(baseline ${ms(cpuSums.baseline)} ms)`] : []),
    ].join(' '),
  );
  return summary;
}

/** Pharos's leaf queries for this plan, to every cluster at once, straight to the members. */
async function fanOut(r: LatencyRun, q: string, body: (q: string) => URLSearchParams): Promise<number> {
  const plan = planQuery(
    parsePromQL(q),
    r.servers.map((s) => s.cluster),
  );
  const urlOf = new Map(r.servers.map((s) => [s.cluster, s.url]));
  // Through the same HTTP client as Pharos's own member calls (node:http, kept-alive connections), so the ratio
  // is Pharos's work over the same transport; each answer is read whole, not decoded. BENCH_FANOUT_CLIENT=fetch
  // sends them with fetch instead, as the benchmark did before Pharos left fetch (issue 21's first figures).
  const call = async (url: string, form: string): Promise<void> => {
    if (process.env.BENCH_FANOUT_CLIENT === 'fetch') {
      await timed(url, { method: 'POST', body: new URLSearchParams(form) });
      return;
    }
    const res = await httpRequest({
      url,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-encoding': 'identity' },
      body: form,
      maxBytes: 2 ** 30,
      signal: AbortSignal.timeout(600_000),
    });
    if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
  };
  const t0 = performance.now();
  await Promise.all(
    plan.leaves.flatMap((l) =>
      l.clusters.map((c) => call(`${urlOf.get(c)}/api/v1/query_range`, body(leafQueryFor(l, c)).toString())),
    ),
  );
  return performance.now() - t0;
}

/** Whether Pharos and Thanos give the same answer (Thanos 0.42 evaluates with Prometheus 3's engine, so may not). */
async function agreement({
  r,
  thanos,
  q,
  body,
}: {
  r: LatencyRun;
  thanos: ThanosQuery;
  q: string;
  body: (q: string) => URLSearchParams;
}): Promise<string> {
  const read = async (url: string, headers: Record<string, string>) =>
    ((await (await fetch(url, { method: 'POST', body: body(q), headers })).json()) as { data: PromData }).data;
  const a = await read(`${r.pharos.url}/prometheus/api/v1/query_range`, {
    ...r.pharos.auth,
    'cache-control': 'no-store',
  });
  const b = await read(`${thanos.url}/api/v1/query_range`, {});
  const diff = diffResults(b, a, { ordered: false });
  const n = (a.result as unknown[]).length;
  if (!diff) return `yes (${n} series)`;
  // Thanos 0.42 evaluates with Prometheus 3's engine (left-open range selectors), Pharos as the 2.42 members do.
  const keys = (d: PromData) =>
    new Set((d.result as { metric: Record<string, string> }[]).map((s) => labelsKey(s.metric)));
  const [ka, kb] = [keys(a), keys(b)];
  const same = ka.size === kb.size && [...ka].every((k) => kb.has(k));
  return same
    ? `same ${n} series, points differ (2.42 vs 3.x semantics): ${diff.slice(0, 80)}`
    : `differs: ${diff.slice(0, 100)}`;
}
