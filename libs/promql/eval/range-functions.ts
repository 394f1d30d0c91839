import { UnprocessableError } from '../../errors/errors.ts';
import type { FloatHistogram } from '../histogram/float-histogram.ts';
import { kahanInc } from './kahan.ts';
import { quantile } from './quantile.ts';
import { sumHistograms } from './range-histograms.ts';
import { extrapolated, instant, linearRegression, smoothing } from './range-rates.ts';

/**
 * The range-vector functions Pharos applies to a subquery over merged answers (promql/functions.go at
 * v2.42.0 and v0.316.0). A window holds the points of one series inside the subquery's range: floats and,
 * in Prometheus 3, native histograms (each point one or the other).
 */
export interface Window {
  t: number[];
  v: number[];
  /** The histogram of each point, undefined for a float point. */
  h: (FloatHistogram | undefined)[];
}

export interface RangeArgs {
  version: 2 | 3;
  /** Evaluation time, and the window's range and offset (rate's extrapolation needs its edges). */
  tMs: number;
  rangeMs: number;
  offsetMs: number;
  /** Scalar arguments: quantile_over_time's φ, predict_linear's t, the smoothing factors. */
  params: number[];
}

export type RangeResult = { value: number } | { histogram: FloatHistogram } | undefined;
type RangeFn = (w: Window, a: RangeArgs) => RangeResult;

const floatsOf = (w: Window): { t: number[]; v: number[] } => {
  const t: number[] = [];
  const v: number[] = [];
  w.v.forEach((x, i) => {
    if (!w.h[i]) {
      t.push(w.t[i] as number);
      v.push(x);
    }
  });
  return { t, v };
};
const histsOf = (w: Window): { t: number[]; h: FloatHistogram[] } => {
  const t: number[] = [];
  const h: FloatHistogram[] = [];
  w.h.forEach((x, i) => {
    if (x) {
      t.push(w.t[i] as number);
      h.push(x);
    }
  });
  return { t, h };
};
const hasHistograms = (w: Window): boolean => w.h.some((x) => x !== undefined);
const num = (value: number): RangeResult => ({ value });

/** A function that reads floats only: histograms are ignored (with an info annotation in 3.x). */
function floatOnly(f: (v: number[], t: number[], a: RangeArgs) => number | undefined): RangeFn {
  return (w, a) => {
    const { t, v } = floatsOf(w);
    if (v.length === 0) return undefined;
    const r = f(v, t, a);
    return r === undefined ? undefined : num(r);
  };
}

function kahanSum(vs: number[]): number {
  let sum = 0;
  let c = 0;
  for (const x of vs) [sum, c] = kahanInc(x, sum, c);
  return Number.isFinite(sum) ? sum + c : sum;
}

/** avg_over_time of 3.x: the direct mean with Kahan summation, incremental once the sum would overflow. */
function avg3(vs: number[]): number {
  let sum = vs[0] as number;
  let count = 1;
  let mean = 0;
  let c = 0;
  let incremental = false;
  for (let i = 1; i < vs.length; i++) {
    const f = vs[i] as number;
    count = i + 1;
    if (!incremental) {
      const [ns, nc] = kahanInc(f, sum, c);
      if (Number.isFinite(ns) || Number.isNaN(ns)) {
        [sum, c] = [ns, nc];
        continue;
      }
      incremental = true;
      mean = sum / (count - 1);
      c /= count - 1;
    }
    const q = (count - 1) / count;
    [mean, c] = kahanInc(f / count, q * mean, q * c);
  }
  return incremental ? mean + c : sum / count + c / count;
}

/** avg_over_time of 2.42: the incremental mean with its guards for infinities. */
function avg2(vs: number[]): number {
  let mean = 0;
  let count = 0;
  for (const v of vs) {
    count++;
    if (!Number.isFinite(mean) && !Number.isNaN(mean)) {
      if (!Number.isFinite(v) && !Number.isNaN(v) && mean > 0 === v > 0) continue;
      if (Number.isFinite(v)) continue;
    }
    mean += v / count - mean / count;
  }
  return mean;
}

/** Welford's variance; 3.x compensates mean and aux with Kahan summation. */
function variance(vs: number[], version: 2 | 3): number {
  let count = 0;
  let mean = 0;
  let cMean = 0;
  let aux = 0;
  let cAux = 0;
  for (const v of vs) {
    count++;
    if (version === 2) {
      const delta = v - mean;
      mean += delta / count;
      aux += delta * (v - mean);
      continue;
    }
    const delta = v - (mean + cMean);
    [mean, cMean] = kahanInc(delta / count, mean, cMean);
    [aux, cAux] = kahanInc(delta * (v - (mean + cMean)), aux, cAux);
  }
  return (aux + cAux) / count;
}

function compare(better: (cur: number, best: number) => boolean, timestamp: boolean): RangeFn {
  return floatOnly((vs, ts) => {
    let best = vs[0] as number;
    let at = ts[0] as number;
    vs.forEach((v, i) => {
      if (better(v, best)) [best, at] = [v, ts[i] as number];
    });
    return timestamp ? at / 1000 : best;
  });
}

/** changes / resets over floats and histograms in time order (3.x), floats only in 2.42. */
function transitions(
  count: (prev: number, cur: number) => boolean,
  hist: (prev: FloatHistogram, cur: FloatHistogram) => boolean,
): RangeFn {
  return (w) => {
    if (w.t.length === 0) return undefined;
    let n = 0;
    for (let i = 1; i < w.t.length; i++) {
      const [hp, hc] = [w.h[i - 1], w.h[i]];
      if (hp && hc) n += hist(hp, hc) ? 1 : 0;
      else if (hp || hc) n++;
      else n += count(w.v[i - 1] as number, w.v[i] as number) ? 1 : 0;
    }
    return num(n);
  };
}

const lastOrFirst =
  (last: boolean): RangeFn =>
  (w) => {
    if (w.t.length === 0) return undefined;
    const i = last ? w.t.length - 1 : 0;
    const h = w.h[i];
    return h ? { histogram: h.copy() } : num(w.v[i] as number);
  };

const FUNCTIONS: Record<string, RangeFn> = {
  sum_over_time: (w, a) => {
    if (hasHistograms(w)) {
      if (floatsOf(w).v.length > 0 || a.version === 2) return undefined;
      return { histogram: sumHistograms(histsOf(w).h) };
    }
    const { v } = floatsOf(w);
    return v.length ? num(a.version === 3 ? kahanSum(v) : v.reduce((x, y) => x + y, 0)) : undefined;
  },
  avg_over_time: (w, a) => {
    if (hasHistograms(w)) {
      if (floatsOf(w).v.length > 0 || a.version === 2) return undefined;
      const hs = histsOf(w).h;
      return { histogram: sumHistograms(hs).div(hs.length) };
    }
    const { v } = floatsOf(w);
    return v.length ? num(a.version === 3 ? avg3(v) : avg2(v)) : undefined;
  },
  count_over_time: (w) => (w.t.length ? num(w.t.length) : undefined),
  present_over_time: (w) => (w.t.length ? num(1) : undefined),
  last_over_time: lastOrFirst(true),
  first_over_time: lastOrFirst(false),
  max_over_time: compare((c, m) => c > m || Number.isNaN(m), false),
  min_over_time: compare((c, m) => c < m || Number.isNaN(m), false),
  ts_of_max_over_time: compare((c, m) => c >= m || Number.isNaN(m), true),
  ts_of_min_over_time: compare((c, m) => c <= m || Number.isNaN(m), true),
  ts_of_first_over_time: (w) => (w.t.length ? num((w.t[0] as number) / 1000) : undefined),
  ts_of_last_over_time: (w) => (w.t.length ? num((w.t[w.t.length - 1] as number) / 1000) : undefined),
  stdvar_over_time: floatOnly((v, _t, a) => variance(v, a.version)),
  stddev_over_time: floatOnly((v, _t, a) => Math.sqrt(variance(v, a.version))),
  quantile_over_time: floatOnly((v, _t, a) => quantile(a.params[0] ?? NaN, v, a.version)),
  mad_over_time: floatOnly((v) => {
    if (v.some(Number.isNaN)) return NaN;
    const median = quantile(0.5, v, 3);
    return quantile(
      0.5,
      v.map((x) => Math.abs(x - median)),
      3,
    );
  }),
  rate: extrapolated(true, true),
  increase: extrapolated(true, false),
  delta: extrapolated(false, false),
  irate: instant(true),
  idelta: instant(false),
  changes: transitions(
    (p, c) => c !== p && !(Number.isNaN(c) && Number.isNaN(p)),
    (p, c) => !c.equals(p),
  ),
  resets: transitions(
    (p, c) => c < p,
    (p, c) => c.detectReset(p),
  ),
  deriv: floatOnly((v, t) => (v.length < 2 ? undefined : linearRegression(v, t, t[0] as number)[0])),
  predict_linear: floatOnly((v, t, a) => {
    if (v.length < 2) return undefined;
    const [slope, intercept] = linearRegression(v, t, a.tMs);
    return slope * (a.params[0] ?? NaN) + intercept;
  }),
  holt_winters: smoothing,
  double_exponential_smoothing: smoothing,
};

export function isRangeFunction(name: string): boolean {
  return name in FUNCTIONS || name === 'absent_over_time';
}

/** One range function over one window; undefined where Prometheus leaves the series out. */
export function applyRangeFunction(name: string, w: Window, a: RangeArgs): RangeResult {
  const f = FUNCTIONS[name];
  if (!f)
    throw new UnprocessableError(`${name}() over a subquery of a cross-cluster expression cannot be federated exactly`);
  if (a.version === 2 && hasHistograms(w))
    throw new UnprocessableError(`${name}() over native histograms is not evaluated under Prometheus 2 semantics`);
  return f(w, a);
}
