import { UnprocessableError } from '../../errors/errors.ts';
import type { Annotations } from './annotations.ts';
import { nativeFraction, nativeQuantile, nativeVariance } from '../histogram/histogram-stats.ts';
import { dropName, labelsKey, type Labels } from '../labels.ts';
import { memoized } from './label-memo.ts';
import { bucketQuantile, bucketQuantile3 } from './quantile.ts';
import type { Sample } from './values.ts';

/** Where the function's histogram argument is, for annotations, and the step's time (forced monotonicity). */
export interface HistogramCallOptions {
  version: 2 | 3;
  notes: Annotations;
  pos: number | undefined;
  tMs: number;
  /** Each input label set's bucket, kept across the steps of one evaluation (label-memo.ts). */
  buckets?: Map<Labels, BucketOf>;
}

/** A classic bucket series: its bound (NaN: no valid `le`), and its group's key and labels. */
export interface BucketOf {
  bound: number;
  key: string;
  labels: Labels;
}

function bucketOf(l: Labels): BucketOf {
  const le = l.le;
  const bound = le === undefined ? NaN : parseBound(le);
  if (Number.isNaN(bound)) return { bound, key: '', labels: l };
  const { le: _le, ...withoutLe } = l;
  return { bound, key: labelsKey(withoutLe), labels: dropName(withoutLe) };
}

/**
 * The histogram functions above merged cluster answers (promql/functions.go): classic buckets grouped by every
 * label but `le`, native histograms one by one; in 3.x a native histogram with the labels of a classic group
 * wins over neither (both are left out with a warning, resetHistograms in engine.go).
 */
interface ClassicGroup {
  labels: Labels;
  buckets: { upperBound: number; count: number }[];
}

function split(vec: Sample[], o?: HistogramCallOptions): { native: Sample[]; classic: Map<string, ClassicGroup> } {
  const classic = new Map<string, ClassicGroup>();
  const native: Sample[] = [];
  for (const s of vec) {
    if (s.histogram) {
      native.push(s);
      continue;
    }
    const { bound, key, labels } = memoized(o?.buckets, s.labels, bucketOf);
    if (Number.isNaN(bound)) {
      if (o?.version === 3)
        o.notes.warn(
          `bucket label "le" is missing or has a malformed value of ${JSON.stringify(s.labels.le ?? '')}`,
          o.pos,
        );
      continue;
    }
    let g = classic.get(key);
    if (!g) {
      g = { labels, buckets: [] };
      classic.set(key, g);
    }
    g.buckets.push({ upperBound: bound, count: s.value });
  }
  // The same series as a native histogram and as classic buckets: neither is evaluated.
  const conflicts = new Set(native.map((s) => labelsKey(s.labels)).filter((k) => classic.has(k)));
  for (const k of conflicts) classic.delete(k);
  if (conflicts.size && o?.version === 3) o.notes.warn('vector contains a mix of classic and native histograms', o.pos);
  return { native: native.filter((s) => !conflicts.has(labelsKey(s.labels))), classic };
}

/** strconv.ParseFloat of a bucket bound: Inf spellings, decimal and hex floats. */
function parseBound(le: string): number {
  const t = le.trim();
  if (t !== le || t === '') return NaN;
  if (/^[+]?inf(inity)?$/i.test(t)) return Infinity;
  if (/^-inf(inity)?$/i.test(t)) return -Infinity;
  return Number(t);
}

export function histogramQuantile(q: number, vec: Sample[], o: HistogramCallOptions): Sample[] {
  if (o.version === 2) {
    if (vec.some((s) => s.histogram))
      throw new UnprocessableError('native histograms are not evaluated under Prometheus 2 semantics');
    return [...split(vec, o).classic.values()].map((g) => ({ labels: g.labels, value: bucketQuantile(q, g.buckets) }));
  }
  const { native, classic } = split(vec, o);
  const classicOut = [...classic.values()].map((g) => {
    const r = bucketQuantile3(q, g.buckets);
    if (r.forced) o.notes.forcedMonotonicity(o.pos, o.tMs, r.forced);
    return { labels: g.labels, value: r.value };
  });
  return [
    ...native.map((s) => ({
      labels: dropName(s.labels),
      value: nativeQuantile(q, s.histogram as NonNullable<Sample['histogram']>),
    })),
    ...classicOut,
  ];
}

/** histogram_count, _sum, _avg, _stddev, _stdvar: native histograms only, the metric name dropped. */
const NATIVE_STATS: Record<string, (h: NonNullable<Sample['histogram']>) => number> = {
  histogram_count: (h) => h.count,
  histogram_sum: (h) => h.sum,
  histogram_avg: (h) => h.sum / h.count,
  histogram_stdvar: (h) => nativeVariance(h),
  histogram_stddev: (h) => Math.sqrt(nativeVariance(h)),
};

export function isNativeStat(f: string): boolean {
  return f in NATIVE_STATS;
}

export function nativeStat(f: string, vec: Sample[]): Sample[] {
  const fn = NATIVE_STATS[f] as (h: NonNullable<Sample['histogram']>) => number;
  return vec.flatMap((s) => (s.histogram ? [{ labels: dropName(s.labels), value: fn(s.histogram) }] : []));
}

/** histogram_fraction(lower, upper, vec): the share of each histogram's observations between the bounds. */
export function histogramFraction(
  { lower, upper }: { lower: number; upper: number },
  vec: Sample[],
  o: HistogramCallOptions,
): Sample[] {
  if (o.version === 2)
    throw new UnprocessableError(
      'histogram_fraction() over a cross-cluster expression is not evaluated under Prometheus 2 semantics',
    );
  const { native, classic } = split(vec, o);
  if (classic.size > 0)
    throw new UnprocessableError(
      'histogram_fraction() over classic buckets across clusters is not evaluated by Pharos',
    );
  return native.map((s) => ({
    labels: dropName(s.labels),
    value: nativeFraction(lower, upper, s.histogram as NonNullable<Sample['histogram']>),
  }));
}
