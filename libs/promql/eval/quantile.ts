/**
 * quantile() of promql/quantile.go: linear interpolation between the closest ranks. 3.x answers NaN for a
 * NaN φ and takes the lower value itself when the rank is whole (Inf · 0 would be NaN).
 */
export function quantile(q: number, values: number[], version: 2 | 3 = 2): number {
  if (values.length === 0) return NaN;
  if (version === 3 && Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const sorted = [...values].sort((a, b) => (Number.isNaN(a) ? (Number.isNaN(b) ? 0 : -1) : Number.isNaN(b) ? 1 : a - b));
  const n = sorted.length;
  const rank = q * (n - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(n - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  if (version === 3 && weight === 0) return sorted[lower] as number;
  return (sorted[lower] as number) * (1 - weight) + (sorted[upper] as number) * weight;
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
