import { labelsKey } from '../../libs/promql/labels.ts';
import { parsePromQL } from '../../libs/promql/parser.ts';
import { leafQueryFor, planQuery } from '../../libs/promql/planner.ts';
import { diffResults, type PromData } from '../../test/integration/federation/compare.ts';
import type { PharosProcess } from './pharos-process.ts';
import type { PromServer } from './prometheus-sets.ts';
import { median, ms, pct, timed } from './stats.ts';
import type { ThanosQuery } from './thanos.ts';

export interface LatencyRun {
  label: string;
  window: { start: number; end: number; step: number };
  queries: readonly string[];
  rounds: number;
  pharos: PharosProcess;
  thanos: ThanosQuery;
  servers: PromServer[];
}

export interface LatencySummary {
  overThanos: number;
  overFanOut: number;
  warmOverThanos: number;
}

type Who = 'pharos' | 'thanos' | 'fanout';

/**
 * The same range queries through Pharos's engine (the frontend bypassed with Cache-Control: no-store), through
 * Thanos Query, and as Pharos's own leaf queries sent to the clusters in parallel without Pharos (the bare
 * fan-out: what the members alone cost). Interleaved: each round runs the three in a rotated order, so none
 * always meets the others' warm caches. Then the frontend's warm answer (cache on, after one fill).
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
  const pharos = (q: string, headers: Record<string, string>) =>
    timed(`${r.pharos.url}/prometheus/api/v1/query_range`, post(body(q), { ...r.pharos.auth, ...headers }));
  const run: Record<Who, (q: string) => Promise<number>> = {
    pharos: (q) => pharos(q, { 'cache-control': 'no-store' }),
    thanos: (q) => timed(`${r.thanos.url}/api/v1/query_range`, post(body(q))),
    fanout: (q) => fanOut(r, q, body),
  };
  const steps = Math.floor((r.window.end - r.window.start) / r.window.step) + 1;
  console.log(`\n${r.label}: range queries, ${steps} steps, ${r.rounds} interleaved rounds (p50 ms; ratios of p50)`);
  console.log(
    'query | Pharos | Thanos Query | bare fan-out | Pharos/Thanos | Pharos/fan-out | Pharos warm (cache) | agree',
  );
  const ratios = { overThanos: [] as number[], overFanOut: [] as number[], warmOverThanos: [] as number[] };
  for (const q of r.queries) {
    const agree = await agreement(r, q, body);
    for (const who of ['pharos', 'thanos', 'fanout'] as const) await run[who](q); // warm-up
    const times: Record<Who, number[]> = { pharos: [], thanos: [], fanout: [] };
    const order: Who[] = ['pharos', 'thanos', 'fanout'];
    for (let i = 0; i < r.rounds; i++) {
      for (let k = 0; k < order.length; k++) {
        const who = order[(i + k) % order.length] as Who;
        times[who].push(await run[who](q));
      }
    }
    await pharos(q, {}); // fills the cache
    const warm: number[] = [];
    for (let i = 0; i < r.rounds; i++) warm.push(await pharos(q, {}));
    const [p, t, f, w] = [median(times.pharos), median(times.thanos), median(times.fanout), median(warm)];
    ratios.overThanos.push(p / t);
    ratios.overFanOut.push(p / f);
    ratios.warmOverThanos.push(w / t);
    console.log(
      `${q} | ${ms(p)} (p95 ${ms(pct(times.pharos, 95))}) | ${ms(t)} (p95 ${ms(pct(times.thanos, 95))}) | ${ms(f)} | ${(p / t).toFixed(2)}x | ${(p / f).toFixed(2)}x | ${ms(w)} | ${agree}`,
    );
  }
  const summary = {
    overThanos: median(ratios.overThanos),
    overFanOut: median(ratios.overFanOut),
    warmOverThanos: median(ratios.warmOverThanos),
  };
  console.log(
    `${r.label}, medians over the queries: Pharos/Thanos ${summary.overThanos.toFixed(2)}x, Pharos/bare fan-out ${summary.overFanOut.toFixed(2)}x, Pharos warm/Thanos ${summary.warmOverThanos.toPrecision(2)}x`,
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
  const t0 = performance.now();
  await Promise.all(
    plan.leaves.flatMap((l) =>
      l.clusters.map((c) =>
        timed(`${urlOf.get(c)}/api/v1/query_range`, { method: 'POST', body: body(leafQueryFor(l, c)) }),
      ),
    ),
  );
  return performance.now() - t0;
}

/** Whether Pharos and Thanos give the same answer (Thanos 0.42 evaluates with Prometheus 3's engine, so may not). */
async function agreement(r: LatencyRun, q: string, body: (q: string) => URLSearchParams): Promise<string> {
  const read = async (url: string, headers: Record<string, string>) =>
    ((await (await fetch(url, { method: 'POST', body: body(q), headers })).json()) as { data: PromData }).data;
  const a = await read(`${r.pharos.url}/prometheus/api/v1/query_range`, {
    ...r.pharos.auth,
    'cache-control': 'no-store',
  });
  const b = await read(`${r.thanos.url}/api/v1/query_range`, {});
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
