import { UnprocessableError } from '../../errors/errors.ts';
import type { FloatHistogram } from '../histogram/float-histogram.ts';
import { kahanInc } from './kahan.ts';
import { histogramRate, instantHistogram } from './range-histograms.ts';
import type { RangeArgs, RangeResult, Window } from './range-functions.ts';

/**
 * The range functions that depend on where the points sit in the window (promql/functions.go, v2.42.0 and
 * v0.316.0): rate/increase/delta extrapolate to the window's edges, irate/idelta take the last two points,
 * deriv/predict_linear regress over time, holt_winters / double_exponential_smoothing smooth.
 */
type RangeFn = (w: Window, a: RangeArgs) => RangeResult;

const num = (value: number): RangeResult => ({ value });

function split(w: Window): { ft: number[]; fv: number[]; ht: number[]; hv: FloatHistogram[] } {
  const out = { ft: [] as number[], fv: [] as number[], ht: [] as number[], hv: [] as FloatHistogram[] };
  w.t.forEach((t, i) => {
    const h = w.h[i];
    if (h) {
      out.ht.push(t);
      out.hv.push(h);
    } else {
      out.ft.push(t);
      out.fv.push(w.v[i] as number);
    }
  });
  return out;
}

/** linearRegression: least squares of value over seconds since `interceptMs` (3.x with Kahan sums). */
export function linearRegression(vs: number[], ts: number[], interceptMs: number): [number, number] {
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
  const [sumX, sumY, sumXY, sumX2] = [sx, sy, sxy, sx2].map((a) => (a[0] as number) + (a[1] as number)) as [
    number,
    number,
    number,
    number,
  ];
  const slope = (sumXY - (sumX * sumY) / n) / (sumX2 - (sumX * sumX) / n);
  return [slope, sumY / n - (slope * sumX) / n];
}

/**
 * extrapolatedRate (rate, increase, delta). 2.42 limits the extrapolation towards the counter's zero point
 * before deciding whether to extrapolate to the window's start; 3.x decides first and limits after.
 */
export function extrapolated(isCounter: boolean, isRate: boolean): RangeFn {
  return (w, a) => {
    const parts = split(w);
    const hist = parts.hv.length > 0;
    if (hist && parts.fv.length > 0) return undefined;
    if (hist && a.version === 2)
      throw new UnprocessableError('native histograms are not evaluated under Prometheus 2 semantics');
    const pts = hist ? parts.ht : parts.ft;
    if (pts.length < 2) return undefined;
    const rangeStart = a.tMs - (a.rangeMs + a.offsetMs);
    const rangeEnd = a.tMs - a.offsetMs;
    let result = 0;
    let resultHist: FloatHistogram | undefined;
    let first = 0;
    if (hist) {
      resultHist = histogramRate(parts.hv, isCounter);
      if (!resultHist) return undefined;
      first = (parts.hv[0] as FloatHistogram).count;
    } else {
      const v = parts.fv;
      first = v[0] as number;
      result = (v[v.length - 1] as number) - first;
      if (isCounter)
        for (let i = 1; i < v.length; i++) if ((v[i] as number) < (v[i - 1] as number)) result += v[i - 1] as number;
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
export function instant(isRate: boolean): RangeFn {
  return (w, a) => {
    if (w.t.length < 2) return undefined;
    const n = w.t.length;
    const [t0, t1] = [w.t[n - 2] as number, w.t[n - 1] as number];
    const [h0, h1] = [w.h[n - 2], w.h[n - 1]];
    if (t1 === t0) return undefined;
    if (h0 || h1) {
      if (!h0 || !h1 || a.version === 2) return undefined;
      return { histogram: instantHistogram(h0, h1, { isRate, seconds: (t1 - t0) / 1000 }) };
    }
    const [v0, v1] = [w.v[n - 2] as number, w.v[n - 1] as number];
    let result = isRate && v1 < v0 ? v1 : v1 - v0;
    if (isRate) result /= (t1 - t0) / 1000;
    return num(result);
  };
}

/** holt_winters of 2.42 / double_exponential_smoothing of 3.x: the same smoothing, factors in (0, 1). */
export const smoothing: RangeFn = (w, a) => {
  const [sf = NaN, tf = NaN] = a.params;
  if (!(sf > 0 && sf < 1)) throw new UnprocessableError(`invalid smoothing factor. Expected: 0 < sf < 1, got: ${sf}`);
  if (!(tf > 0 && tf < 1)) throw new UnprocessableError(`invalid trend factor. Expected: 0 < tf < 1, got: ${tf}`);
  const vs = split(w).fv;
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
