import { LimitError, UnprocessableError } from '../errors/errors.ts';
import { compareLabels } from '../promql/labels.ts';
import { parseValue } from '../promql/literals.ts';
import { CLUSTER_LABEL } from '../promql/locality.ts';
import type { Plan } from '../promql/planner.ts';
import type { FederationConfig } from '../config/sections/federation.ts';
import {
  fromPromSample,
  isCompactSeries,
  toPromSample,
  type CompactData,
  type CompactSeries,
} from './compact-series.ts';
import type { PromSample } from './federation.types.ts';
import type { LeafCall } from './leaf-calls.ts';

export interface MergedLeaf {
  resultType: string;
  /** What the evaluator reads: the points in compact arrays. */
  series: CompactSeries[];
  /** A passed-through leaf's series as the members wrote them (ClusterCall.passThrough), `series` empty. */
  passed: PromSample[];
}

/**
 * Each leaf's answers from the clusters that did not fail, `cluster` added, sorted as the union's TSDB would
 * order them; maxSeries and maxSamples are checked as each answer is added.
 */
export function mergeLeaves(
  plan: Plan,
  fan: { calls: LeafCall[]; answers: ({ data: unknown } | undefined)[]; failed: Map<string, string> },
  limits: FederationConfig,
): Map<number, MergedLeaf> {
  const { calls, answers, failed } = fan;
  const byLeaf = new Map<number, MergedLeaf>();
  for (const l of plan.leaves) byLeaf.set(l.id, { resultType: 'vector', series: [], passed: [] });
  let seriesCount = 0;
  let samples = 0;
  calls.forEach((c, i) => {
    const a = answers[i];
    if (!a || failed.has(c.cluster.name)) return;
    const data = a.data as CompactData;
    const entry = byLeaf.get(c.leaf.id) as MergedLeaf;
    entry.resultType = data.resultType;
    for (const r of data.result as (CompactSeries | PromSample)[]) {
      seriesCount++;
      samples += pointsOf(r);
      if (c.rewritten) checkNormalizedLabels(r.metric, c.cluster.name);
      // The parsed answer is ours: `cluster` is set in place rather than copying every series.
      r.metric[CLUSTER_LABEL] = c.cluster.name;
      if (plan.passThrough) entry.passed.push(isCompactSeries(r) ? toPromSample(r) : r);
      else entry.series.push(isCompactSeries(r) ? r : fromPromSample(r));
    }
    if (seriesCount > limits.maxSeries)
      throw new LimitError(
        `the query gathers more than federation.maxSeries=${limits.maxSeries} series from the clusters; narrow the selectors`,
      );
    if (samples > limits.maxSamples)
      throw new LimitError(
        `the query gathers more than federation.maxSamples=${limits.maxSamples} samples from the clusters; narrow the selectors or the time range`,
      );
  });
  for (const e of byLeaf.values()) {
    e.series.sort((a, b) => compareLabels(a.metric, b.metric));
    e.passed.sort((a, b) => compareLabels(a.metric, b.metric));
  }
  return byLeaf;
}

function pointsOf(s: CompactSeries | PromSample): number {
  if (isCompactSeries(s)) return s.t.length + (s.histograms?.length ?? 0);
  return (s.values?.length ?? 0) + (s.histograms?.length ?? 0) + (s.value || s.histogram ? 1 : 0);
}

/**
 * Prometheus 3 stores `le` and `quantile` values normalized (labels.FormatOpenMetricsFloat: "1" → "1.0") where a
 * Prometheus 2 member keeps them as scraped: a union 3.x server would hold other label values than the answer.
 */
function checkNormalizedLabels(metric: Record<string, string>, cluster: string): void {
  for (const name of ['le', 'quantile']) {
    const v = metric[name];
    if (v === undefined) continue;
    const f = parseValue(v);
    if (!Number.isNaN(f) && openMetricsFloat(f) !== v) {
      throw new UnprocessableError(
        `cluster "${cluster}" runs Prometheus 2, which keeps ${name}="${v}" where Prometheus 3 stores ${name}="${openMetricsFloat(f)}"; results combined with Prometheus 3 members would not match one Prometheus 3`,
      );
    }
  }
}

/** labels.FormatOpenMetricsFloat: Go's shortest form, with ".0" when it has neither "." nor "e". */
export function openMetricsFloat(f: number): string {
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  if (Number.isNaN(f)) return 'NaN';
  const s = goFloat(f);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

/** strconv.FormatFloat(f, 'g', -1, 64): the exponent form when the decimal exponent is below -4 or at least 6. */
function goFloat(f: number): string {
  const [, e = '0'] = f.toExponential().split('e');
  const decimalExp = Number(e);
  if (f !== 0 && (decimalExp < -4 || decimalExp >= 6)) {
    const [m, e] = f.toExponential().split('e') as [string, string];
    const exp = Number(e);
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(f);
}
