import type { FederationConfig } from '../../../libs/config/sections/federation.ts';
import { InputError, LimitError } from '../../../libs/errors/errors.ts';
import type { Leaf } from '../../../libs/promql/ast.ts';
import { evalInstant, evalRange, type RangeGrid } from '../../../libs/promql/eval/evaluator.ts';
import { gridsOf, type Grid } from '../../../libs/promql/eval/subquery.ts';
import { typeOf } from '../../../libs/promql/typecheck.ts';
import type { Sample } from '../../../libs/promql/eval/values.ts';
import { compareLabels } from '../../../libs/promql/labels.ts';
import { parseValue } from '../../../libs/promql/literals.ts';
import { CLUSTER_LABEL } from '../../../libs/promql/locality.ts';
import { parsePromQL } from '../../../libs/promql/parser.ts';
import { checkRangeResolution, checkSubqueryPoints } from '../../../libs/promql/query-cost.ts';
import { leafQueryFor, planQuery, type Plan } from '../../../libs/promql/planner.ts';
import { deadline, fanOut, type FanoutCall } from './cluster-fanout.ts';
import type { FederatedQueryService, FederatedResult, InstantQuery, PromSample, RangeQuery } from './federation.types.ts';
import { MetadataQueries } from './metadata-queries.ts';
import type { ClusterClient, ClusterConfig } from './prometheus.client.ts';

export interface FederatedQueryOptions {
  clusters: readonly ClusterConfig[];
  limits: FederationConfig;
  client: ClusterClient;
}

type Window = { kind: 'instant'; time: number } | { kind: 'range'; grid: RangeGrid; start: number; end: number; step: number };

/**
 * Federated PromQL: parse, plan (cluster-local leaves), fan the leaves out, merge with a `cluster` label,
 * and evaluate the rest step by step. Answers what one Prometheus holding every cluster's series would.
 */
export class FederatedQuery extends MetadataQueries implements FederatedQueryService {
  constructor(opts: FederatedQueryOptions) {
    super(opts);
  }

  async instant(q: InstantQuery, signal?: AbortSignal): Promise<FederatedResult> {
    if (!Number.isFinite(q.time)) throw new InputError('invalid parameter "time": not a number');
    return this.run(q.query, { kind: 'instant', time: q.time }, q, signal);
  }

  async range(q: RangeQuery, signal?: AbortSignal): Promise<FederatedResult> {
    if (![q.start, q.end, q.step].every(Number.isFinite)) throw new InputError('invalid parameter: start, end and step must be numbers');
    if (q.end < q.start) throw new InputError('invalid parameter "end": end timestamp must not be before start time');
    if (q.step <= 0) throw new InputError('invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer');
    const startMs = Math.round(q.start * 1000);
    const stepMs = Math.round(q.step * 1000);
    const steps = Math.floor((Math.round(q.end * 1000) - startMs) / stepMs) + 1;
    checkRangeResolution(steps, this.limits);
    const grid = { startMs, endMs: startMs + (steps - 1) * stepMs, stepMs, steps };
    return this.run(q.query, { kind: 'range', grid, start: q.start, end: q.end, step: q.step }, q, signal);
  }

  private async run(query: string, w: Window, q: { partialResponse?: boolean; timeoutMs?: number }, signal?: AbortSignal): Promise<FederatedResult> {
    const expr = parsePromQL(query);
    const type = typeOf(expr);
    if (w.kind === 'range' && type !== 'scalar' && type !== 'vector') throw new InputError(`invalid expression type "${type === 'matrix' ? 'range vector' : type}" for range query, must be Scalar or instant Vector`);
    const plan = planQuery(expr, this.clusterNames);
    // What the leaves would cost the clusters is bounded before any is sent (issue 15).
    checkSubqueryPoints(plan.root, topGrid(w), this.limits);
    const grids = gridsOf(plan.root, topGrid(w));
    const sig = deadline(q.timeoutMs ?? this.limits.timeoutMs, signal);
    const calls: (FanoutCall & { leaf: Leaf })[] = [];
    for (const leaf of plan.leaves) {
      const grid = leaf.gridId === undefined ? undefined : (grids.get(leaf.gridId) as Grid);
      if (grid?.steps === 0) continue;
      for (const name of leaf.clusters) {
        const outer = topGrid(w);
        const params = new URLSearchParams({ query: leafQueryFor(leaf, name, grid ? { startMs: outer.startMs, endMs: outer.endMs } : undefined) });
        // Leaves under a subquery are fetched on the subquery's grid, the rest on the query's own.
        if (grid) for (const [k, v] of [['start', grid.startMs], ['end', grid.endMs], ['step', grid.stepMs]] as const) params.set(k, String(v / 1000));
        else if (w.kind === 'instant') params.set('time', String(w.time));
        else for (const k of ['start', 'end', 'step'] as const) params.set(k, String(w[k]));
        calls.push({ leaf, cluster: this.cluster(name), path: !grid && w.kind === 'instant' ? 'query' : 'query_range', params });
      }
    }
    const asked = [...new Set(calls.map((c) => c.cluster.name))];
    const fan = await fanOut(this.client, calls, { partial: q.partialResponse ?? this.limits.partialResponse, signal: sig, asked });
    const merged = this.mergeLeaves(plan, calls, fan.answers, fan.failed);
    const out = this.evaluate(plan, merged, w, grids);
    return { ...out, warnings: fan.warnings, clusters: fan.statuses };
  }

  /** Each leaf's answers from the clusters that did not fail, `cluster` added, sorted as the union's TSDB would. */
  private mergeLeaves(plan: Plan, calls: (FanoutCall & { leaf: Leaf })[], answers: ({ data: unknown } | undefined)[], failed: Map<string, string>): Map<number, { resultType: string; series: PromSample[] }> {
    const byLeaf = new Map<number, { resultType: string; series: PromSample[] }>();
    for (const l of plan.leaves) byLeaf.set(l.id, { resultType: 'vector', series: [] });
    let seriesCount = 0;
    let samples = 0;
    calls.forEach((c, i) => {
      const a = answers[i];
      if (!a || failed.has(c.cluster.name)) return;
      const data = a.data as { resultType: string; result: PromSample[] };
      const entry = byLeaf.get(c.leaf.id) as { resultType: string; series: PromSample[] };
      entry.resultType = data.resultType;
      for (const s of data.result) {
        seriesCount++;
        samples += s.values ? s.values.length : 1;
        // The parsed answer is ours: `cluster` is set in place rather than copying every series.
        s.metric[CLUSTER_LABEL] = c.cluster.name;
        entry.series.push(s);
      }
      if (seriesCount > this.limits.maxSeries) throw new LimitError(`the query gathers more than federation.maxSeries=${this.limits.maxSeries} series from the clusters; narrow the selectors`);
      if (samples > this.limits.maxSamples) throw new LimitError(`the query gathers more than federation.maxSamples=${this.limits.maxSamples} samples from the clusters; narrow the selectors or the time range`);
    });
    for (const e of byLeaf.values()) e.series.sort((a, b) => compareLabels(a.metric, b.metric));
    return byLeaf;
  }

  private evaluate(plan: Plan, merged: Map<number, { resultType: string; series: PromSample[] }>, w: Window, grids: Map<number, Grid>): Pick<FederatedResult, 'resultType' | 'result'> {
    if (plan.passThrough) {
      const only = merged.get(plan.passThrough.id) as { resultType: string; series: PromSample[] };
      const resultType = w.kind === 'range' ? 'matrix' : (only.resultType as 'vector' | 'matrix');
      return { resultType, result: only.series };
    }
    const leaves = new Map<number, Sample[][]>();
    for (const leaf of plan.leaves) {
      const grid = leaf.gridId === undefined ? (w.kind === 'instant' ? undefined : w.grid) : (grids.get(leaf.gridId) as Grid);
      leaves.set(leaf.id, toSteps(merged.get(leaf.id)?.series ?? [], grid, grid ? grid.steps : 1));
    }
    if (w.kind === 'instant') return evalInstant(plan.root, { leaves, grids }, Math.round(w.time * 1000));
    return evalRange(plan.root, { leaves, grids }, w.grid);
  }
}

function topGrid(w: Window): Grid {
  if (w.kind === 'range') return w.grid;
  const t = Math.round(w.time * 1000);
  return { startMs: t, endMs: t, stepMs: 1, steps: 1 };
}

/** Matrix or vector → one vector per step (a range leaf's points sit on the query's own step grid). */
function toSteps(series: PromSample[], grid: RangeGrid | undefined, steps: number): Sample[][] {
  const out: Sample[][] = Array.from({ length: Math.max(steps, 0) }, () => []);
  for (const s of series) {
    if (s.value) (out[0] as Sample[]).push({ labels: s.metric, value: parseValue(s.value[1]) });
    for (const [t, v] of s.values ?? []) {
      const i = grid ? Math.round((Math.round(t * 1000) - grid.startMs) / grid.stepMs) : 0;
      out[i]?.push({ labels: s.metric, value: parseValue(v) });
    }
  }
  return out;
}
