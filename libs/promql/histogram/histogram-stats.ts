import { kahanInc } from '../eval/kahan.ts';
import type { FloatHistogram } from './float-histogram.ts';
import { histogramBuckets } from './histogram-json.ts';

/**
 * histogram_quantile, histogram_fraction and histogram_stddev/stdvar of one native histogram, as
 * promql/quantile.go and functions.go (v0.316.0) compute them from the buckets in AllBucketIterator order.
 */
type Bucket = { lower: number; upper: number; count: number };

const hasPositive = (h: FloatHistogram): boolean =>
  h.usesCustomBuckets ? false : [...h.positive.values()].some((c) => c !== 0);
const hasNegative = (h: FloatHistogram): boolean =>
  h.usesCustomBuckets ? false : [...h.negative.values()].some((c) => c !== 0);

/** HistogramQuantile: forward iteration below the median (or with NaN observations), backward above it. */
export function nativeQuantile(q: number, h: FloatHistogram): number {
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  if (h.count === 0 || Number.isNaN(q)) return NaN;
  const forward = Number.isNaN(h.sum) || q < 0.5;
  const all = histogramBuckets(h);
  const buckets: Bucket[] = forward ? all : [...all].reverse();
  let rank = forward ? q * h.count : (1 - q) * h.count;
  let count = 0;
  let bucket: Bucket = { lower: 0, upper: 0, count: 0 };
  let idx = 0;
  for (; idx < buckets.length; idx++) {
    bucket = { ...(buckets[idx] as Bucket) };
    if (bucket.count === 0) continue;
    count += bucket.count;
    if (count >= rank) break;
  }
  if (!h.usesCustomBuckets && bucket.lower < 0 && bucket.upper > 0) {
    if (!hasNegative(h) && hasPositive(h)) bucket.lower = 0;
    else if (!hasPositive(h) && hasNegative(h)) bucket.upper = 0;
  } else if (h.usesCustomBuckets) {
    if (bucket.lower === -Infinity) {
      if (bucket.upper <= 0) return bucket.upper;
      bucket.lower = 0;
    } else if (bucket.upper === Infinity) return bucket.lower;
  }
  if (count > h.count) count = h.count;
  if (count < rank) return Number.isNaN(h.sum) ? NaN : bucket.upper;
  if (forward) rank -= count - bucket.count;
  else rank = count - rank;
  const fraction = rank / bucket.count;
  if (h.usesCustomBuckets || (bucket.lower <= 0 && bucket.upper >= 0))
    return bucket.lower + (bucket.upper - bucket.lower) * fraction;
  const logLower = Math.log2(Math.abs(bucket.lower));
  const logUpper = Math.log2(Math.abs(bucket.upper));
  if (bucket.lower > 0) return 2 ** (logLower + (logUpper - logLower) * fraction);
  return -(2 ** (logUpper + (logLower - logUpper) * (1 - fraction)));
}

function fractionBelow(b: Bucket, v: number, linear: boolean): number {
  if (linear) return (v - b.lower) / (b.upper - b.lower);
  const logLower = Math.log2(Math.abs(b.lower));
  const logUpper = Math.log2(Math.abs(b.upper));
  const logV = Math.log2(Math.abs(v));
  if (v > 0) return (logV - logLower) / (logUpper - logLower);
  return 1 - (logV - logUpper) / (logLower - logUpper);
}

/** HistogramFraction: the share of observations in [lower, upper], interpolated inside the edge buckets. */
export function nativeFraction(lower: number, upper: number, h: FloatHistogram): number {
  if (h.count === 0 || Number.isNaN(lower) || Number.isNaN(upper)) return NaN;
  if (lower >= upper) return 0;
  let count = 0;
  let rank = 0;
  let lowerRank = 0;
  let upperRank = 0;
  let lowerSet = false;
  let upperSet = false;
  for (const orig of histogramBuckets(h)) {
    const b: Bucket = { ...orig };
    count += b.count;
    let zeroBucket = false;
    if (h.usesCustomBuckets) {
      if (b.lower === -Infinity && b.upper > 0) b.lower = 0;
    } else if (b.lower <= 0 && b.upper >= 0) {
      zeroBucket = true;
      if (!hasNegative(h) && hasPositive(h)) b.lower = 0;
      else if (!hasPositive(h) && hasNegative(h)) b.upper = 0;
    }
    const linear = h.usesCustomBuckets || zeroBucket;
    const at = (v: number): number =>
      linear && b.lower === -Infinity ? b.count : rank + b.count * fractionBelow(b, v, linear);
    if (!lowerSet && b.lower >= lower) [lowerRank, lowerSet] = [rank, true];
    if (!upperSet && b.lower >= upper) [upperRank, upperSet] = [rank, true];
    if (lowerSet && upperSet) break;
    if (!lowerSet && b.lower < lower && b.upper > lower) [lowerRank, lowerSet] = [at(lower), true];
    if (!upperSet && b.lower < upper && b.upper > upper) [upperRank, upperSet] = [at(upper), true];
    if (lowerSet && upperSet) break;
    rank += b.count;
  }
  // With NaN observations the buckets hold fewer than count; otherwise count is the histogram's.
  const total = Number.isNaN(h.sum) ? histogramBuckets(h).reduce((a, b) => a + b.count, 0) : h.count;
  if (!lowerSet || lowerRank > total) lowerRank = total;
  if (!upperSet || upperRank > total) upperRank = total;
  void count;
  return (upperRank - lowerRank) / h.count;
}

/** histogramVariance: bucket midpoints (geometric for exponential buckets, 0 in the zero bucket). */
export function nativeVariance(h: FloatHistogram): number {
  const mean = h.sum / h.count;
  let variance = 0;
  let c = 0;
  for (const b of histogramBuckets(h)) {
    if (b.count === 0) continue;
    let val: number;
    if (h.usesCustomBuckets) val = (b.upper + b.lower) / 2;
    else if (b.lower <= 0 && b.upper >= 0) val = 0;
    else {
      val = Math.sqrt(b.upper * b.lower);
      if (b.upper < 0) val = -val;
    }
    const delta = val - mean;
    [variance, c] = kahanInc(b.count * delta * delta, variance, c);
  }
  return (variance + c) / h.count;
}
