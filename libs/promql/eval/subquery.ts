import { UnprocessableError } from '../../errors/errors.ts';
import { childrenOf, type Expr, type Subquery } from '../ast.ts';
import { dropName, labelsKey, type Labels } from '../labels.ts';
import { quantile } from './quantile.ts';
import type { Sample, StepValue } from './values.ts';

/** A time grid: the query's own steps, or a subquery's (multiples of its step). */
export interface Grid {
  startMs: number;
  endMs: number;
  stepMs: number;
  steps: number;
}

/** Prometheus's default evaluation interval, used by subqueries written without a step ([5m:]). */
export const DEFAULT_SUBQUERY_STEP_MS = 60_000;

/**
 * The grid of a subquery inside a parent grid (engine.go, SubqueryExpr, 2.42): from the first multiple of
 * the step at or after parentStart - offset - range, to parentEnd - offset.
 */
export function subqueryGrid(parent: Grid, sq: Subquery): Grid {
  const step = sq.stepMs || DEFAULT_SUBQUERY_STEP_MS;
  const lo = parent.startMs - sq.offsetMs - sq.rangeMs;
  let start = Math.trunc(lo / step) * step;
  if (start < lo) start += step;
  const end = parent.endMs - sq.offsetMs;
  return { startMs: start, endMs: end, stepMs: step, steps: end >= start ? Math.floor((end - start) / step) + 1 : 0 };
}

/** The query's own grid is kept under this id, for `@ start()` / `@ end()`. */
export const QUERY_GRID = -1;

/**
 * The time a subquery is evaluated at: the step's time, or its `@` time (a subquery with `@` is evaluated
 * once at that time, whatever the step: engine.go's step-invariant handling).
 */
export function evalTimeOf(sq: Subquery, tMs: number, grids: ReadonlyMap<number, Grid>): number {
  if (!sq.at) return tMs;
  if (sq.at.kind === 'time') return sq.at.ms;
  const q = grids.get(QUERY_GRID) as Grid;
  return sq.at.kind === 'start' ? q.startMs : q.endMs;
}

/** Grids of every subquery Pharos evaluates, keyed by gridId, nested ones inside their parent's grid. */
export function gridsOf(e: Expr, parent: Grid, out = new Map<number, Grid>([[QUERY_GRID, parent]])): Map<number, Grid> {
  switch (e.kind) {
    case 'subquery': {
      if (e.gridId === undefined) return out;
      const at = e.at ? evalTimeOf(e, 0, out) : undefined;
      const g = subqueryGrid(at === undefined ? parent : { startMs: at, endMs: at, stepMs: 1, steps: 1 }, e);
      out.set(e.gridId, g);
      return gridsOf(e.expr, g, out);
    }
    default:
      for (const child of childrenOf(e)) gridsOf(child, parent, out);
      return out;
  }
}

export interface SeriesPoints {
  labels: Labels;
  t: number[];
  v: number[];
}

export interface SubqueryContext {
  tMs: number;
  grids: ReadonlyMap<number, Grid>;
  /** Each subquery's matrix, computed once per query (it does not depend on the outer step). */
  cache: Map<number, SeriesPoints[]>;
}

/** The whole matrix of a subquery over merged answers, by evaluating its inner expression at each grid point. */
export function subqueryMatrix(sq: Subquery, ctx: SubqueryContext, evalAt: (e: Expr, index: number, tMs: number) => StepValue): SeriesPoints[] {
  const id = sq.gridId;
  const grid = id === undefined ? undefined : ctx.grids.get(id);
  if (id === undefined || !grid) throw new UnprocessableError('subquery without a planned grid');
  const cached = ctx.cache.get(id);
  if (cached) return cached;
  const series = new Map<string, SeriesPoints>();
  for (let i = 0; i < grid.steps; i++) {
    const t = grid.startMs + i * grid.stepMs;
    const v = evalAt(sq.expr, i, t);
    const samples: Sample[] = v.type === 'vector' ? v.samples : v.type === 'scalar' ? [{ labels: {}, value: v.value }] : [];
    for (const s of samples) {
      const k = labelsKey(s.labels);
      let e = series.get(k);
      if (!e) {
        e = { labels: s.labels, t: [], v: [] };
        series.set(k, e);
      }
      e.t.push(t);
      e.v.push(s.value);
    }
  }
  const out = [...series.values()];
  ctx.cache.set(id, out);
  return out;
}

/** The points of each series inside [t - offset - range, t - offset] (2.42 includes both ends). */
export function windowAt(matrix: SeriesPoints[], sq: Subquery, tMs: number): { labels: Labels; values: number[]; times: number[] }[] {
  const maxt = tMs - sq.offsetMs;
  const mint = maxt - sq.rangeMs;
  const out: { labels: Labels; values: number[]; times: number[] }[] = [];
  for (const s of matrix) {
    const values: number[] = [];
    const times: number[] = [];
    for (let i = 0; i < s.t.length; i++) {
      const t = s.t[i] as number;
      if (t >= mint && t <= maxt) {
        values.push(s.v[i] as number);
        times.push(t);
      }
    }
    if (values.length) out.push({ labels: s.labels, values, times });
  }
  return out;
}

type OverTime = (vs: number[], param: number) => number;

/** The *_over_time functions of 2.42 (promql/functions.go), without its Kahan compensation (within 1e-12). */
const OVER_TIME: Record<string, OverTime> = {
  sum_over_time: (vs) => vs.reduce((a, b) => a + b, 0),
  count_over_time: (vs) => vs.length,
  last_over_time: (vs) => vs[vs.length - 1] as number,
  present_over_time: () => 1,
  max_over_time: (vs) => vs.reduce((m, v) => (v > m || Number.isNaN(m) ? v : m)),
  min_over_time: (vs) => vs.reduce((m, v) => (v < m || Number.isNaN(m) ? v : m)),
  avg_over_time: (vs) => {
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
  },
  stdvar_over_time: (vs) => welford(vs),
  stddev_over_time: (vs) => Math.sqrt(welford(vs)),
  quantile_over_time: (vs, q) => quantile(q, vs),
};

function welford(vs: number[]): number {
  let count = 0;
  let mean = 0;
  let aux = 0;
  for (const v of vs) {
    count++;
    const delta = v - mean;
    mean += delta / count;
    aux += delta * (v - mean);
  }
  return aux / count;
}

/** f(subquery) at one outer step; the metric name is dropped except by last_over_time. */
export function overTime(func: string, windows: ReturnType<typeof windowAt>, param: number, at: { tMs: number; sq: Subquery; params?: number[] }): Sample[] {
  if (func === 'absent_over_time') return windows.length ? [] : [{ labels: {}, value: 1 }];
  const f = OVER_TIME[func];
  const r = RANGE_FUNCTIONS[func];
  if (!f && !r) throw new UnprocessableError(`${func}() over a subquery of a cross-cluster expression cannot be federated exactly`);
  const out: Sample[] = [];
  for (const w of windows) {
    const value = f ? f(w.values, param) : (r as RangeFn)(w.values, w.times, { ...at, param });
    if (value !== undefined) out.push({ labels: func === 'last_over_time' ? w.labels : dropName(w.labels), value });
  }
  return out;
}

type RangeFn = (vs: number[], ts: number[], at: { tMs: number; sq: Subquery; param: number; params?: number[] }) => number | undefined;

/** funcHoltWinters of 2.42: double exponential smoothing with factors in (0, 1). */
const holtWinters: RangeFn = (vs, _ts, { params }) => {
  const [sf = NaN, tf = NaN] = params ?? [];
  if (!(sf > 0 && sf < 1)) throw new UnprocessableError(`invalid smoothing factor. Expected: 0 < sf < 1, got: ${sf}`);
  if (!(tf > 0 && tf < 1)) throw new UnprocessableError(`invalid trend factor. Expected: 0 < tf < 1, got: ${tf}`);
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
  return s1;
};

/** extrapolatedRate of 2.42 (rate, increase, delta): extrapolates to the window's edges, not below zero for counters. */
function extrapolated(isCounter: boolean, isRate: boolean): RangeFn {
  return (vs, ts, { tMs, sq }) => {
    if (vs.length < 2) return undefined;
    const rangeStart = tMs - (sq.rangeMs + sq.offsetMs);
    const rangeEnd = tMs - sq.offsetMs;
    const first = vs[0] as number;
    let result = (vs[vs.length - 1] as number) - first;
    if (isCounter) {
      let last = 0;
      for (const v of vs) {
        if (v < last) result += last;
        last = v;
      }
    }
    let toStart = ((ts[0] as number) - rangeStart) / 1000;
    const toEnd = (rangeEnd - (ts[ts.length - 1] as number)) / 1000;
    const sampled = ((ts[ts.length - 1] as number) - (ts[0] as number)) / 1000;
    const avgGap = sampled / (vs.length - 1);
    if (isCounter && result > 0 && first >= 0) toStart = Math.min(toStart, sampled * (first / result));
    const threshold = avgGap * 1.1;
    let interval = sampled;
    interval += toStart < threshold ? toStart : avgGap / 2;
    interval += toEnd < threshold ? toEnd : avgGap / 2;
    let factor = interval / sampled;
    if (isRate) factor /= sq.rangeMs / 1000;
    return result * factor;
  };
}

/** instantValue of 2.42 (irate, idelta): the last two points. */
function instant(isRate: boolean): RangeFn {
  return (vs, ts) => {
    if (vs.length < 2) return undefined;
    const last = vs[vs.length - 1] as number;
    const prev = vs[vs.length - 2] as number;
    let result = isRate && last < prev ? last : last - prev;
    const interval = (ts[ts.length - 1] as number) - (ts[ts.length - 2] as number);
    if (interval === 0) return undefined;
    if (isRate) result /= interval / 1000;
    return result;
  };
}

/** linearRegression of 2.42: least squares of value over seconds since `interceptMs`. */
function linearRegression(vs: number[], ts: number[], interceptMs: number): [number, number] {
  const initY = vs[0] as number;
  if (vs.every((v) => v === initY)) return Number.isFinite(initY) ? [0, initY] : [NaN, NaN];
  let n = 0, sumX = 0, sumY = 0, sumXY = 0, sumX2 = 0;
  for (let i = 0; i < vs.length; i++) {
    const x = ((ts[i] as number) - interceptMs) / 1e3;
    const y = vs[i] as number;
    n++;
    sumX += x;
    sumY += y;
    sumXY += x * y;
    sumX2 += x * x;
  }
  const slope = (sumXY - (sumX * sumY) / n) / (sumX2 - (sumX * sumX) / n);
  return [slope, sumY / n - (slope * sumX) / n];
}

const RANGE_FUNCTIONS: Record<string, RangeFn> = {
  rate: extrapolated(true, true),
  increase: extrapolated(true, false),
  delta: extrapolated(false, false),
  irate: instant(true),
  idelta: instant(false),
  changes: (vs) => vs.slice(1).filter((v, i) => !(v === vs[i] || (Number.isNaN(v) && Number.isNaN(vs[i] as number)))).length,
  resets: (vs) => vs.slice(1).filter((v, i) => v < (vs[i] as number)).length,
  deriv: (vs, ts) => (vs.length < 2 ? undefined : linearRegression(vs, ts, ts[0] as number)[0]),
  holt_winters: holtWinters,
  predict_linear: (vs, ts, { tMs, param }) => {
    if (vs.length < 2) return undefined;
    const [slope, intercept] = linearRegression(vs, ts, tMs);
    return slope * param + intercept;
  },
};
