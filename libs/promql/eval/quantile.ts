/**
 * quantile() of promql/quantile.go: linear interpolation between the closest ranks. 3.x answers NaN for a
 * NaN φ and takes the lower value itself when the rank is whole (Inf · 0 would be NaN).
 */
export function quantile(q: number, values: number[], version: 2 | 3 = 2): number {
  if (values.length === 0) return NaN;
  if (version === 3 && Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const sorted = ascending(values);
  const n = sorted.length;
  const rank = q * (n - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(n - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  if (version === 3 && weight === 0) return sorted[lower] as number;
  return (sorted[lower] as number) * (1 - weight) + (sorted[upper] as number) * weight;
}

const byValue = (a: number, b: number): number =>
  Number.isNaN(a) ? (Number.isNaN(b) ? 0 : -1) : Number.isNaN(b) ? 1 : a - b;

/**
 * The values ascending, NaN first (Go's order of them in quantile.go). A typed array sorts numerically without a
 * comparator call per pair (several times faster over the thousands of values a step of `quantile` over a large
 * fleet holds), NaN last, which is moved to the front. It also puts -0 before 0, where the comparator keeps them
 * in input order: the comparator is used when both occur, so the answer stays the one it was.
 */
function ascending(values: readonly number[]): ArrayLike<number> {
  let nan = 0;
  let negativeZero = false;
  let positiveZero = false;
  for (const v of values) {
    if (v !== v) nan++;
    else if (v === 0) {
      if (Object.is(v, -0)) negativeZero = true;
      else positiveZero = true;
    }
  }
  if (negativeZero && positiveZero) return [...values].sort(byValue);
  const sorted = new Float64Array(values).sort();
  if (nan === 0) return sorted;
  const out = new Float64Array(sorted.length).fill(NaN, 0, nan);
  out.set(sorted.subarray(0, sorted.length - nan), nan);
  return out;
}

interface Bucket {
  upperBound: number;
  count: number;
}

/** bucketQuantile() of 2.42: classic buckets, coalesced by bound and forced monotonic. */
export function bucketQuantile(q: number, input: Bucket[]): number {
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const sorted = [...input].sort((a, b) => a.upperBound - b.upperBound);
  if (sorted[sorted.length - 1]?.upperBound !== Infinity) return NaN;
  const buckets: Bucket[] = [];
  for (const b of sorted) {
    const last = buckets[buckets.length - 1];
    if (last && last.upperBound === b.upperBound) last.count += b.count;
    else buckets.push({ ...b });
  }
  let max = -Infinity;
  for (const b of buckets) {
    if (b.count > max) max = b.count;
    else if (b.count < max) b.count = max;
  }
  if (buckets.length < 2) return NaN;
  const observations = (buckets[buckets.length - 1] as Bucket).count;
  if (observations === 0) return NaN;
  let rank = q * observations;
  let b = buckets.findIndex((x, i) => i < buckets.length - 1 && x.count >= rank);
  if (b < 0) b = buckets.length - 1;
  if (b === buckets.length - 1) return (buckets[buckets.length - 2] as Bucket).upperBound;
  const first = buckets[0] as Bucket;
  if (b === 0 && first.upperBound <= 0) return first.upperBound;
  let start = 0;
  const end = (buckets[b] as Bucket).upperBound;
  let count = (buckets[b] as Bucket).count;
  if (b > 0) {
    const prev = buckets[b - 1] as Bucket;
    start = prev.upperBound;
    count -= prev.count;
    rank -= prev.count;
  }
  return start + (end - start) * (rank / count);
}

const SMALL_DELTA = 1e-12;
const MIN_NORMAL = 2.2250738585072014e-308;

/** almost.Equal of Prometheus 3: relative difference below epsilon (absolute near zero). */
function almostEqual(a: number, b: number, epsilon: number): boolean {
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (a === b) return true;
  const absSum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || absSum < MIN_NORMAL) return diff < epsilon * MIN_NORMAL;
  return diff / Math.min(absSum, Number.MAX_VALUE) < epsilon;
}

/**
 * BucketQuantile of Prometheus 3: NaN for a NaN φ, and before forcing monotonicity, differences between
 * neighbouring buckets below a relative 1e-12 (float noise) are ignored in either direction.
 */
export function bucketQuantile3(
  q: number,
  input: Bucket[],
): { value: number; forced?: { minBucket: number; maxBucket: number; maxDiff: number } } {
  if (Number.isNaN(q)) return { value: NaN };
  if (q < 0) return { value: -Infinity };
  if (q > 1) return { value: Infinity };
  if (input.length === 0) return { value: NaN };
  const sorted = [...input].sort((a, b) => a.upperBound - b.upperBound);
  if (sorted[sorted.length - 1]?.upperBound !== Infinity) return { value: NaN };
  const buckets: Bucket[] = [];
  for (const b of sorted) {
    const last = buckets[buckets.length - 1];
    if (last && last.upperBound === b.upperBound) last.count += b.count;
    else buckets.push({ ...b });
  }
  let prev = (buckets[0] as Bucket).count;
  let forced: { minBucket: number; maxBucket: number; maxDiff: number } | undefined;
  for (let i = 1; i < buckets.length; i++) {
    const b = buckets[i] as Bucket;
    if (b.count === prev) continue;
    if (almostEqual(prev, b.count, SMALL_DELTA)) {
      b.count = prev;
      continue;
    }
    if (b.count < prev) {
      forced ??= { minBucket: Infinity, maxBucket: -Infinity, maxDiff: 0 };
      forced.minBucket = Math.min(forced.minBucket, b.upperBound);
      forced.maxBucket = Math.max(forced.maxBucket, b.upperBound);
      forced.maxDiff = Math.max(forced.maxDiff, prev - b.count);
      b.count = prev;
      continue;
    }
    prev = b.count;
  }
  const value = ((): number => {
    if (buckets.length < 2) return NaN;
    const observations = (buckets[buckets.length - 1] as Bucket).count;
    if (observations === 0) return NaN;
    return interpolate(q * observations, buckets);
  })();
  return forced ? { value, forced } : { value };
}

function interpolate(rankIn: number, buckets: Bucket[]): number {
  let rank = rankIn;
  let b = buckets.findIndex((x, i) => i < buckets.length - 1 && x.count >= rank);
  if (b < 0) b = buckets.length - 1;
  if (b === buckets.length - 1) return (buckets[buckets.length - 2] as Bucket).upperBound;
  if (b === 0 && (buckets[0] as Bucket).upperBound <= 0) return (buckets[0] as Bucket).upperBound;
  let start = 0;
  const end = (buckets[b] as Bucket).upperBound;
  let count = (buckets[b] as Bucket).count;
  if (b > 0) {
    const p = buckets[b - 1] as Bucket;
    start = p.upperBound;
    count -= p.count;
    rank -= p.count;
  }
  return start + (end - start) * (rank / count);
}
