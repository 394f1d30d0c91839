import { UnprocessableError } from '../../errors/errors.ts';
import type { FloatHistogram } from '../histogram/float-histogram.ts';
import { kahanInc } from './kahan.ts';
import { quantile } from './quantile.ts';
import { histogramRate, instantHistogram, sumHistograms } from './range-histograms.ts';

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

/** linearRegression: least squares of value over seconds since `interceptMs` (3.x with Kahan sums). */
function linearRegression(vs: number[], ts: number[], interceptMs: number): [number, number] {
  const initY = vs[0] as number;
  if (vs.every((v) => v === initY)) return Number.isFinite(initY) || Number.isNaN(initY) ? [0, initY] : [NaN, NaN];
  let n = 0;
  const sx = [0, 0];
  const sy = [0, 0];
  const sxy = [0, 0];
  const sx2 = [0, 0];
  const inc = (acc: number[], x: number) => {
    [acc[0], acc[1]] = kahanInc(x, acc[0] as number, acc[1] as number);
  };
  for (let i = 0; i < vs.length; i++) {
    const x = ((ts[i] as number) - interceptMs) / 1e3;
    const y = vs[i] as number;
    n++;
    inc(sx, x);
    inc(sy, y);
    inc(sxy, x * y);
    inc(sx2, x * x);
  }
  const [sumX, sumY, sumXY, sumX2] = [sx, sy, sxy, sx2].map((a) => (a[0] as number) + (a[1] as number)) as [number, number, number, number];
  const slope = (sumXY - (sumX * sumY) / n) / (sumX2 - (sumX * sumX) / n);
  return [slope, sumY / n - (slope * sumX) / n];
}

/**
 * extrapolatedRate (rate, increase, delta). 2.42 limits the extrapolation towards the counter's zero point
 * before deciding whether to extrapolate to the window's start; 3.x decides first and limits after.
 */
function extrapolated(isCounter: boolean, isRate: boolean): RangeFn {
  return (w, a) => {
    const hist = hasHistograms(w);
    if (hist && floatsOf(w).v.length > 0) return undefined;
    if (hist && a.version === 2) throw new UnprocessableError('native histograms are not evaluated under Prometheus 2 semantics');
    const pts = hist ? histsOf(w).t : floatsOf(w).t;
    if (pts.length < 2) return undefined;
    const rangeStart = a.tMs - (a.rangeMs + a.offsetMs);
    const rangeEnd = a.tMs - a.offsetMs;
    let result = 0;
    let resultHist: FloatHistogram | undefined;
    let first = 0;
    if (hist) {
      const { h } = histsOf(w);
      resultHist = histogramRate(h, isCounter);
      if (!resultHist) return undefined;
      first = (h[0] as FloatHistogram).count;
    } else {
      const { v } = floatsOf(w);
      first = v[0] as number;
      result = (v[v.length - 1] as number) - first;
      if (isCounter) for (let i = 1; i < v.length; i++) if ((v[i] as number) < (v[i - 1] as number)) result += v[i - 1] as number;
    }
    const total = resultHist ? resultHist.count : result;
    let toStart = ((pts[0] as number) - rangeStart) / 1000;
    let toEnd = (rangeEnd - (pts[pts.length - 1] as number)) / 1000;
    const sampled = ((pts[pts.length - 1] as number) - (pts[0] as number)) / 1000;
    const avgGap = sampled / (pts.length - 1);
    const threshold = avgGap * 1.1;
    // Counters cannot go below zero: the extrapolation to the start stops at the counter's zero point.
    const zeroPoint = isCounter && total > 0 && first >= 0 ? sampled * (first / total) : undefined;
    if (a.version === 2) {
      if (zeroPoint !== undefined) toStart = Math.min(toStart, zeroPoint);
      if (toStart >= threshold) toStart = avgGap / 2;
    } else {
      if (toStart >= threshold) toStart = avgGap / 2;
      if (zeroPoint !== undefined && zeroPoint < toStart) toStart = zeroPoint;
    }
    if (toEnd >= threshold) toEnd = avgGap / 2;
    let factor = sampled !== 0 ? (sampled + toStart + toEnd) / sampled : 1;
    if (isRate) factor /= a.rangeMs / 1000;
    if (resultHist) return { histogram: resultHist.scale(factor) };
    return num(result * factor);
  };
}

/** instantValue (irate, idelta): the last two points. */
function instant(isRate: boolean): RangeFn {
  return (w, a) => {
    if (w.t.length < 2) return undefined;
    const n = w.t.length;
    const [t0, t1] = [w.t[n - 2] as number, w.t[n - 1] as number];
    const [h0, h1] = [w.h[n - 2], w.h[n - 1]];
    if (t1 === t0) return undefined;
    if (h0 || h1) {
      if (!h0 || !h1 || a.version === 2) return undefined;
      return { histogram: instantHistogram(h0, h1, isRate, (t1 - t0) / 1000) };
    }
    const [v0, v1] = [w.v[n - 2] as number, w.v[n - 1] as number];
    let result = isRate && v1 < v0 ? v1 : v1 - v0;
    if (isRate) result /= (t1 - t0) / 1000;
    return num(result);
  };
}

/** holt_winters of 2.42 / double_exponential_smoothing of 3.x: the same smoothing, factors in (0, 1). */
const smoothing: RangeFn = (w, a) => {
  const [sf = NaN, tf = NaN] = a.params;
  if (!(sf > 0 && sf < 1)) throw new UnprocessableError(`invalid smoothing factor. Expected: 0 < sf < 1, got: ${sf}`);
  if (!(tf > 0 && tf < 1)) throw new UnprocessableError(`invalid trend factor. Expected: 0 < tf < 1, got: ${tf}`);
  const { v: vs } = floatsOf(w);
  if (vs.length < 2) return undefined;
  let s0 = 0;
  let s1 = vs[0] as number;
  let b = (vs[1] as number) - s1;
  for (let i = 1; i < vs.length; i++) {
    const x = sf * (vs[i] as number);
    if (i - 1 !== 0) b = tf * (s1 - s0) + (1 - tf) * b;
    const y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  return num(s1);
};

/** changes / resets over floats and histograms in time order (3.x), floats only in 2.42. */
function transitions(count: (prev: number, cur: number) => boolean, hist: (prev: FloatHistogram, cur: FloatHistogram) => boolean): RangeFn {
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

const lastOrFirst = (last: boolean): RangeFn => (w) => {
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
    return quantile(0.5, v.map((x) => Math.abs(x - median)), 3);
  }),
  rate: extrapolated(true, true),
  increase: extrapolated(true, false),
  delta: extrapolated(false, false),
  irate: instant(true),
  idelta: instant(false),
  changes: transitions((p, c) => c !== p && !(Number.isNaN(c) && Number.isNaN(p)), (p, c) => !c.equals(p)),
  resets: transitions((p, c) => c < p, (p, c) => c.detectReset(p)),
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
  if (!f) throw new UnprocessableError(`${name}() over a subquery of a cross-cluster expression cannot be federated exactly`);
  if (a.version === 2 && hasHistograms(w)) throw new UnprocessableError(`${name}() over native histograms is not evaluated under Prometheus 2 semantics`);
  return f(w, a);
}
