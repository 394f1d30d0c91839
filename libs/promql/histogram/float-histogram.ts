import { UnprocessableError } from '../../errors/errors.ts';

/**
 * A native histogram as Prometheus's FloatHistogram (model/histogram/float_histogram.go, v0.316.0), kept as
 * sparse maps of bucket index → count. Exponential schemas (-4…8): bucket i of schema s covers
 * (2^((i-1)·2^-s), 2^(i·2^-s)], negative buckets mirrored; custom buckets (schema -53): bucket i covers
 * (bounds[i-1], bounds[i]], the last one up to +Inf. Empty buckets carry no information (the JSON API leaves
 * them out, and every operation here gives the same result with or without them).
 */
export const CUSTOM_BUCKETS_SCHEMA = -53;

export class FloatHistogram {
  schema = 0;
  /** undefined: not known (the answer showed no populated zero bucket); see fromApi. */
  zeroThreshold: number | undefined = 0;
  zeroCount = 0;
  count = 0;
  sum = 0;
  positive = new Map<number, number>();
  negative = new Map<number, number>();
  /** Custom bucket histograms (schema -53): the populated buckets as the API shows them, in order. */
  custom: { lower: number; upper: number; count: number }[] = [];
  /** False when the answer showed no regular bucket, so the schema could not be read from it. */
  schemaKnown = true;

  get usesCustomBuckets(): boolean {
    return this.schema === CUSTOM_BUCKETS_SCHEMA;
  }

  copy(): FloatHistogram {
    const h = new FloatHistogram();
    h.schema = this.schema;
    h.zeroThreshold = this.zeroThreshold;
    h.zeroCount = this.zeroCount;
    h.count = this.count;
    h.sum = this.sum;
    h.positive = new Map(this.positive);
    h.negative = new Map(this.negative);
    h.custom = this.custom.map((b) => ({ ...b }));
    h.schemaKnown = this.schemaKnown;
    return h;
  }

  /** Every count and the sum scaled (Mul / Div in Prometheus; Div by 0 removes the buckets). */
  scale(factor: number): this {
    this.zeroCount *= factor;
    this.count *= factor;
    this.sum *= factor;
    for (const m of [this.positive, this.negative]) for (const [i, c] of m) m.set(i, c * factor);
    for (const b of this.custom) b.count *= factor;
    return this;
  }

  div(scalar: number): this {
    this.zeroCount /= scalar;
    this.count /= scalar;
    this.sum /= scalar;
    if (scalar === 0) {
      this.positive.clear();
      this.negative.clear();
      this.custom = [];
      return this;
    }
    for (const m of [this.positive, this.negative]) for (const [i, c] of m) m.set(i, c / scalar);
    for (const b of this.custom) b.count /= scalar;
    return this;
  }

  /** Buckets with a count of 0 dropped (Compact(0)). */
  compact(): this {
    for (const m of [this.positive, this.negative]) for (const [i, c] of m) if (c === 0) m.delete(i);
    this.custom = this.custom.filter((b) => b.count !== 0);
    return this;
  }

  /** h + other (sign 1) or h - other (sign -1), as Add/Sub: zero buckets reconciled, the finer schema reduced. */
  addScaled(other: FloatHistogram, sign: 1 | -1): this {
    if (this.usesCustomBuckets !== other.usesCustomBuckets)
      throw new IncompatibleHistogramsError('mixed exponential and custom bucket histograms');
    if (this.usesCustomBuckets) {
      // Their empty buckets, and so their full bounds, are not in the answers: Prometheus's reconciliation of
      // different bounds cannot be reproduced.
      throw new UnprocessableError(
        "native histograms with custom buckets cannot be combined across clusters exactly (their bucket bounds are not all visible in the clusters' answers)",
      );
    }
    this.count += sign * other.count;
    this.sum += sign * other.sum;
    // A histogram whose answer showed no regular bucket adds none; its schema is taken to be the other's.
    if (!this.schemaKnown && other.schemaKnown) {
      this.schema = other.schema;
      this.schemaKnown = true;
    }
    const otherSchema = other.schemaKnown ? other.schema : this.schema;
    const otherZero = reconcileZeroBuckets(this, other);
    this.zeroCount += sign * otherZero;
    const target = Math.min(this.schema, otherSchema);
    if (this.schema > target) {
      this.positive = reduce(this.positive, this.schema, target);
      this.negative = reduce(this.negative, this.schema, target);
      this.schema = target;
    }
    const zt = this.zeroThreshold ?? 0;
    // Buckets of `other` inside the (possibly widened) zero bucket are already in otherZero.
    const op = reduce(other.positive, otherSchema, target);
    const on = reduce(other.negative, otherSchema, target);
    for (const [i, c] of op)
      if (bucketBound(i, target) > zt) this.positive.set(i, (this.positive.get(i) ?? 0) + sign * c);
    for (const [i, c] of on)
      if (bucketBound(i, target) > zt) this.negative.set(i, (this.negative.get(i) ?? 0) + sign * c);
    return this;
  }

  /** DetectReset without counter reset hints (the JSON API does not carry them): a decrease anywhere. */
  detectReset(previous: FloatHistogram): boolean {
    if (this.count < previous.count) return true;
    if (this.usesCustomBuckets || previous.usesCustomBuckets) {
      if (this.usesCustomBuckets !== previous.usesCustomBuckets) return true;
      const byUpper = new Map(this.custom.map((b) => [b.upper, b.count]));
      return previous.custom.some((b) => b.count !== 0 && (byUpper.get(b.upper) ?? 0) < b.count);
    }
    if (this.schemaKnown && previous.schemaKnown && this.schema > previous.schema) return true;
    const zt = this.zeroThreshold ?? previous.zeroThreshold ?? 0;
    if (zt < (previous.zeroThreshold ?? zt)) return true;
    const prev = previous.copy();
    prev.zeroThreshold ??= zt;
    const [prevZero, newThreshold] = zeroCountForLargerThreshold(prev, zt);
    if (newThreshold !== zt) return true;
    if (this.zeroCount < prevZero) return true;
    const schema = this.schemaKnown ? this.schema : prev.schema;
    const keep = (m: Map<number, number>, s: number): Map<number, number> =>
      new Map([...reduce(m, s, schema)].filter(([i]) => bucketBound(i, schema) > zt));
    const prevSchema = prev.schemaKnown ? prev.schema : schema;
    return (
      decreased(keep(this.positive, schema), keep(prev.positive, prevSchema)) ||
      decreased(keep(this.negative, schema), keep(prev.negative, prevSchema))
    );
  }

  /** Equals: same layout and bit-identical counts (after compaction on both sides). */
  equals(o: FloatHistogram): boolean {
    if (this.schema !== o.schema || !Object.is(this.count, o.count) || !Object.is(this.sum, o.sum)) return false;
    if (this.usesCustomBuckets)
      return (
        this.custom.length === o.custom.length &&
        this.custom.every((b, i) => b.upper === o.custom[i]?.upper && Object.is(b.count, o.custom[i]?.count))
      );
    if (this.zeroThreshold !== o.zeroThreshold || !Object.is(this.zeroCount, o.zeroCount)) return false;
    return sameCounts(this.positive, o.positive) && sameCounts(this.negative, o.negative);
  }
}

/** Errors Prometheus reports as an annotation while leaving the element out (ErrHistogramsIncompatibleSchema). */
export class IncompatibleHistogramsError extends Error {}

/**
 * Native histograms met where per-cluster partial sums are combined. Prometheus adds histograms one series at a
 * time, and the sum depends on that order (a wider zero bucket is adjusted to the buckets populated so far, before
 * the finer schema is reduced): one Prometheus's `sum(rate(h[5m]))` differs from its own
 * `sum(sum by (cluster) (rate(h[5m])))`. The federation then evaluates the sum itself, over the series.
 */
export class HistogramPartialsError extends Error {
  constructor() {
    super('native histograms in per-cluster partial sums');
  }
}

function sameCounts(a: Map<number, number>, b: Map<number, number>): boolean {
  const nz = (m: Map<number, number>) => [...m].filter(([, c]) => c !== 0).sort((x, y) => x[0] - y[0]);
  const x = nz(a);
  const y = nz(b);
  return (
    x.length === y.length &&
    x.every(([i, c], k) => i === (y[k] as [number, number])[0] && Object.is(c, (y[k] as [number, number])[1]))
  );
}

function decreased(curr: Map<number, number>, prev: Map<number, number>): boolean {
  for (const [i, c] of prev) if (c !== 0 && (curr.get(i) ?? 0) < c) return true;
  return false;
}

/** targetIdx of float_histogram.go: bucket i of schema `from` lies in bucket ((i-1) >> (from-to)) + 1 of `to`. */
export function reduce(m: Map<number, number>, from: number, to: number): Map<number, number> {
  if (from === to) return m;
  const out = new Map<number, number>();
  for (const [i, c] of m) {
    const t = ((i - 1) >> (from - to)) + 1;
    out.set(t, (out.get(t) ?? 0) + c);
  }
  return out;
}

const fracTables = new Map<number, number[]>();

/**
 * Bounds as Prometheus printed them: its table of 2^(j/2^schema) (exponentialBounds) is not always the nearest
 * double (nor Math.pow's), so a bound read from a member's answer is remembered and printed back as it was.
 */
const seenBounds = new Map<string, number>();

export function rememberBound(idx: number, schema: number, value: number): void {
  const computed = computedBound(idx, schema);
  if (value !== computed && Math.abs(value - computed) <= 1e-12 * Math.abs(computed) && seenBounds.size < 100_000)
    seenBounds.set(`${schema}/${idx}`, value);
}

/** getBoundExponential: the upper bound of bucket `idx` (the absolute one, for negative buckets). */
export function bucketBound(idx: number, schema: number): number {
  return seenBounds.get(`${schema}/${idx}`) ?? computedBound(idx, schema);
}

function computedBound(idx: number, schema: number): number {
  if (schema < 0) {
    const exp = idx * 2 ** -schema;
    return exp === 1024 ? Number.MAX_VALUE : 2 ** exp;
  }
  let table = fracTables.get(schema);
  if (!table) {
    table = Array.from({ length: 2 ** schema }, (_, j) => 2 ** (j / 2 ** schema) / 2);
    fracTables.set(schema, table);
  }
  const size = 2 ** schema;
  const frac = table[((idx % size) + size) % size] as number;
  const exp = Math.floor(idx / size) + 1;
  if (frac === 0.5 && exp === 1025) return Number.MAX_VALUE;
  return frac * 2 ** exp;
}

/**
 * zeroCountForLargerThreshold: the zero count `h` would have with a zero bucket of at least `larger`, and the
 * threshold that really gives (widened to the upper bound of a populated bucket the threshold falls into).
 */
function zeroCountForLargerThreshold(h: FloatHistogram, largerIn: number): [number, number] {
  let larger = largerIn;
  if (larger === h.zeroThreshold) return [h.zeroCount, larger];
  const pos = [...h.positive].filter(([, c]) => c !== 0).sort((a, b) => a[0] - b[0]);
  const neg = [...h.negative].filter(([, c]) => c !== 0).sort((a, b) => a[0] - b[0]);
  for (;;) {
    let zc = h.zeroCount;
    let restart = false;
    for (const [i, c] of pos) {
      if (bucketBound(i - 1, h.schema) >= larger) break;
      zc += c;
      if (bucketBound(i, h.schema) > larger) {
        larger = bucketBound(i, h.schema);
        break;
      }
    }
    for (const [i, c] of neg) {
      if (bucketBound(i - 1, h.schema) >= larger) break;
      zc += c;
      if (bucketBound(i, h.schema) > larger) {
        larger = bucketBound(i, h.schema);
        restart = true;
        break;
      }
    }
    if (!restart) return [zc, larger];
  }
}

/**
 * reconcileZeroBuckets: widens `h`'s zero bucket as needed and returns `other`'s zero count for it.
 * Prometheus's JSON leaves out an empty zero bucket, and with it the threshold: an unknown threshold is taken
 * to be the other histogram's (the instrumentation libraries' default, 2^-128, is the same everywhere).
 */
function reconcileZeroBuckets(h: FloatHistogram, otherIn: FloatHistogram): number {
  if (h.zeroThreshold === undefined && otherIn.zeroThreshold === undefined) return otherIn.zeroCount;
  h.zeroThreshold ??= otherIn.zeroThreshold;
  const other =
    otherIn.zeroThreshold === undefined ? Object.assign(otherIn.copy(), { zeroThreshold: h.zeroThreshold }) : otherIn;
  let otherZero = other.zeroCount;
  let otherThreshold = other.zeroThreshold as number;
  while (otherThreshold !== h.zeroThreshold) {
    if ((h.zeroThreshold as number) > otherThreshold)
      [otherZero, otherThreshold] = zeroCountForLargerThreshold(other, h.zeroThreshold as number);
    if (otherThreshold > (h.zeroThreshold as number)) {
      const [zc, zt] = zeroCountForLargerThreshold(h, otherThreshold);
      h.zeroCount = zc;
      h.zeroThreshold = zt;
      for (const m of [h.positive, h.negative])
        for (const i of [...m.keys()]) if (bucketBound(i - 1, h.schema) < zt) m.delete(i);
    }
  }
  return otherZero;
}
