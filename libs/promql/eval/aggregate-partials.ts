import { HistogramPartialsError } from '../histogram/float-histogram.ts';
import type { Labels } from '../labels.ts';
import { CLUSTER_LABEL } from '../locality.ts';
import { PART_LABEL, type Moment } from '../pushdown.ts';
import type { AggregateArgs } from './aggregate.ts';
import { groupKey } from './aggregate.ts';
import { kParam } from './aggregate-k.ts';
import type { Sample } from './values.ts';

/**
 * A pushed topk/bottomk whose candidates cannot show which series the union picks: a tie at the k-th place, or
 * between picked values whose order an ancestor reads (it then depends on the union's heap). The federation asks
 * for the whole argument instead (planner option pushDownK: false).
 */
export class TopKTieError extends Error {
  constructor() {
    super('a tie among per-cluster topk/bottomk candidates');
  }
}

const same = (x: number, y: number): boolean => x === y || (Number.isNaN(x) && Number.isNaN(y));

/**
 * Checks that the candidates (each cluster's top k + 1 per group, planner's pushdown.ts) decide the union's
 * answer, else throws TopKTieError. Per group either every cluster sent at most k (so it sent all it has: the
 * candidates are the group's whole input, in the union's order), or the k-th best candidate is strictly better
 * than the next one. Then the union picks the same k: a series a cluster did not send is no better than one it
 * sent outside the k best (it sent k + 1, at most k of them are among the k best), which is strictly worse than
 * all k. `ordered-candidates` also needs the k picked values pairwise distinct: equal ones are listed in the
 * order of the union's heap, which an ancestor reading the order (sort, topk, …) would see.
 */
export function checkCandidates(a: AggregateArgs, vec: Sample[]): void {
  const k = kParam(a.param, a.version);
  if (k < 1) return;
  const sortedGrouping = [...a.grouping].sort();
  const groups = new Map<string, { values: number[]; perCluster: Map<string, number> }>();
  for (const s of vec) {
    if (s.histogram) continue;
    const key = groupKey(s.labels, sortedGrouping, a.without);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { values: [], perCluster: new Map() }));
    g.values.push(s.value);
    const c = s.labels[CLUSTER_LABEL] ?? '';
    g.perCluster.set(c, (g.perCluster.get(c) ?? 0) + 1);
  }
  // Best first; NaN is the worst for both (engine.go's heaps put NaN at the root).
  const better = a.op === 'topk' ? (x: number, y: number) => x > y : (x: number, y: number) => x < y;
  const order = (x: number, y: number): number =>
    Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : Number.isNaN(y) ? -1 : better(x, y) ? -1 : better(y, x) ? 1 : 0;
  for (const g of groups.values()) {
    if ([...g.perCluster.values()].every((n) => n <= k)) continue;
    const v = g.values.sort(order);
    const from = a.form === 'ordered-candidates' ? 0 : k - 1;
    for (let i = from; i < Math.min(k, v.length - 1); i++)
      if (same(v[i] as number, v[i + 1] as number)) throw new TopKTieError();
  }
}

interface MomentGroup {
  labels: Labels;
  parts: Map<string, Partial<Record<Moment, number>>>;
}

/**
 * stddev/stdvar from each cluster's count n, mean m and variance v per group (Chan, Golub, LeVeque's pairwise
 * form: M2 = Σ n·v + Σ n·(m − mean)², variance M2 / Σ n), equal within float rounding to the Welford loop of
 * engine.go over the union. Non-finite inputs as engine.go: one sample alone gives 0 (2.x) or NaN (3.x, which sets
 * NaN for a non-finite first sample); more, any non-finite one makes NaN.
 */
export function combineMoments(a: AggregateArgs, vec: Sample[]): Sample[] {
  const groups = new Map<string, MomentGroup>();
  for (const s of vec) {
    // A member's mean of native histograms is a histogram (or nothing, with floats mixed in): asked again unpushed.
    if (s.histogram) throw new HistogramPartialsError();
    const { [CLUSTER_LABEL]: cluster = '', [PART_LABEL]: part, ...labels } = s.labels;
    const key = groupKey(labels, [], true);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { labels, parts: new Map() }));
    const p = g.parts.get(cluster) ?? {};
    p[part as Moment] = s.value;
    g.parts.set(cluster, p);
  }
  const out: Sample[] = [];
  for (const g of groups.values()) {
    const variance = combined([...g.parts.values()], a.version);
    out.push({ labels: g.labels, value: a.op === 'stddev' ? Math.sqrt(variance) : variance });
  }
  return out;
}

function combined(parts: Partial<Record<Moment, number>>[], version: 2 | 3): number {
  let n = 0;
  let weighted = 0;
  let finite = true;
  for (const { count, avg, stdvar } of parts) {
    // A group counted but without a mean or variance held native histograms only or mixed in (3.x leaves them out).
    if (count === undefined || avg === undefined || stdvar === undefined) throw new HistogramPartialsError();
    n += count;
    weighted += count * avg;
    if (!Number.isFinite(avg) || Number.isNaN(stdvar)) finite = false;
  }
  if (!finite) return n === 1 && version === 2 ? 0 : NaN;
  const mean = weighted / n;
  let m2 = 0;
  for (const p of parts) {
    const { count = 0, avg = 0, stdvar = 0 } = p;
    m2 += count * stdvar + count * (avg - mean) ** 2;
  }
  return m2 / n;
}
