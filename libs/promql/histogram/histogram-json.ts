import { formatValue, parseValue } from '../literals.ts';
import { bucketBound, CUSTOM_BUCKETS_SCHEMA, FloatHistogram, rememberBound } from './float-histogram.ts';

/**
 * Native histograms in Prometheus's JSON (web/api/v1, jsonutil.MarshalHistogram): `count`, `sum` and the
 * populated buckets as [boundaries, lower, upper, count], boundaries 0 = (l,u], 1 = [l,u), 2 = (l,u), 3 = [l,u].
 * The JSON has no schema, indices or zero threshold: they are read back from the bucket bounds, which for
 * exponential schemas are powers 2^(i·2^-schema).
 */
export interface HistogramJson {
  count: string;
  sum: string;
  buckets?: [number, string, string, string][];
}

const MIN_SCHEMA = -4;
const MAX_SCHEMA = 8;

function sameFloat(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
}

/** (schema, index) of a bucket with absolute bounds (lo, hi], or undefined when it is not exponential. */
function exponentialIndex(lo: number, hi: number): [number, number] | undefined {
  if (!(lo > 0) || !Number.isFinite(hi)) return undefined;
  if (hi === Number.MAX_VALUE) return undefined;
  const s = Math.round(-Math.log2(Math.log2(hi / lo)));
  if (s < MIN_SCHEMA || s > MAX_SCHEMA) return undefined;
  const idx = Math.round(Math.log2(hi) * 2 ** s);
  return sameFloat(bucketBound(idx, s), hi) && sameFloat(bucketBound(idx - 1, s), lo) ? [s, idx] : undefined;
}

export function histogramFromJson(j: HistogramJson): FloatHistogram {
  const h = new FloatHistogram();
  h.count = parseValue(j.count);
  h.sum = parseValue(j.sum);
  h.zeroThreshold = undefined;
  const rows = (j.buckets ?? []).map(([b, l, u, c]) => ({
    b,
    lower: parseValue(l),
    upper: parseValue(u),
    count: parseValue(c),
  }));
  const zero = rows.find((r) => r.b === 3 && r.lower === -r.upper);
  if (zero) [h.zeroThreshold, h.zeroCount] = [zero.upper, zero.count];
  const regular = rows
    .filter((r) => r !== zero)
    .map((r) => ({
      ...r,
      positive: r.upper > 0,
      lo: Math.min(Math.abs(r.lower), Math.abs(r.upper)),
      hi: Math.max(Math.abs(r.lower), Math.abs(r.upper)),
    }));
  // The bucket the zero threshold falls into shows the threshold as its inner bound (floatBucketIterator).
  const straddles = (r: { lo: number }) => h.zeroThreshold !== undefined && r.lo === h.zeroThreshold;
  const schemas = regular.filter((r) => !straddles(r) && !isOverflow(r)).map((r) => exponentialIndex(r.lo, r.hi)?.[0]);
  // Custom bucket histograms: an open-ended first bucket, or bounds that are not 2^(i·2^-schema).
  if (
    regular.some((r) => r.lower === -Infinity || (r.upper === Infinity && !isOverflow(r))) ||
    schemas.some((x) => x === undefined)
  ) {
    h.schema = CUSTOM_BUCKETS_SCHEMA;
    h.zeroThreshold = 0;
    h.custom = regular.map(({ lower, upper, count }) => ({ lower, upper, count }));
    return h;
  }
  const known = schemas.filter((x): x is number => x !== undefined);
  h.schemaKnown = known.length > 0;
  h.schema = known.length ? Math.min(...known) : 0;
  for (const r of regular) {
    const idx = r.hi === Infinity ? overflowIndex(h.schema) : Math.round(Math.log2(r.hi) * 2 ** h.schema);
    (r.positive ? h.positive : h.negative).set(idx, r.count);
    if (h.schemaKnown && r.hi !== Infinity) rememberBound(idx, h.schema, r.hi);
    if (h.schemaKnown && !straddles(r) && !isOverflow(r)) rememberBound(idx - 1, h.schema, r.lo);
  }
  return h;
}

/** The bucket for ±Inf observations: (MaxFloat64, +Inf]. */
function isOverflow(r: { lower: number; upper: number }): boolean {
  return (
    (r.lower === Number.MAX_VALUE && r.upper === Infinity) || (r.upper === -Number.MAX_VALUE && r.lower === -Infinity)
  );
}

/** Index of the overflow bucket: one above the bucket whose upper bound is MaxFloat64 (2^1024 in the formula). */
function overflowIndex(schema: number): number {
  return 1024 * 2 ** schema + 1;
}

/** AllBucketIterator order: negative buckets from the most negative, the zero bucket, positive ascending. */
export function histogramBuckets(
  h: FloatHistogram,
): { boundaries: number; lower: number; upper: number; count: number }[] {
  if (h.usesCustomBuckets) return h.custom.filter((b) => b.count !== 0).map((b) => ({ boundaries: 0, ...b }));
  const out: { boundaries: number; lower: number; upper: number; count: number }[] = [];
  const neg = [...h.negative].filter(([, c]) => c !== 0).sort((a, b) => b[0] - a[0]);
  // The bucket the zero threshold falls into starts at the threshold (floatBucketIterator).
  const inner = (i: number): number => Math.max(bound(i - 1, h.schema), h.zeroThreshold ?? 0);
  for (const [i, c] of neg) out.push({ boundaries: 1, lower: -bound(i, h.schema), upper: -inner(i), count: c });
  if (h.zeroCount > 0)
    out.push({ boundaries: 3, lower: -(h.zeroThreshold ?? 0), upper: h.zeroThreshold ?? 0, count: h.zeroCount });
  const pos = [...h.positive].filter(([, c]) => c !== 0).sort((a, b) => a[0] - b[0]);
  for (const [i, c] of pos) out.push({ boundaries: 0, lower: inner(i), upper: bound(i, h.schema), count: c });
  return out;
}

function bound(idx: number, schema: number): number {
  return idx === overflowIndex(schema) ? Infinity : bucketBound(idx, schema);
}

export function histogramToJson(h: FloatHistogram): HistogramJson {
  const buckets = histogramBuckets(h).map((b): [number, string, string, string] => [
    b.boundaries,
    formatValue(b.lower),
    formatValue(b.upper),
    formatValue(b.count),
  ]);
  return { count: formatValue(h.count), sum: formatValue(h.sum), ...(buckets.length ? { buckets } : {}) };
}
