import { UnprocessableError } from '../../errors/errors.ts';
import { childrenOf, type Expr, type Subquery } from '../ast.ts';
import type { FloatHistogram } from '../histogram/float-histogram.ts';
import { dropName, labelsKey, type Labels } from '../labels.ts';
import { positionOf } from '../ast.ts';
import type { Annotations } from './annotations.ts';
import { applyRangeFunction, type Window } from './range-functions.ts';
import type { EvalSemantics } from './semantics.ts';
import type { Sample, StepValue } from './values.ts';

/** A time grid: the query's own steps, or a subquery's (multiples of its step). */
export interface Grid {
  startMs: number;
  endMs: number;
  stepMs: number;
  steps: number;
  /**
   * The query's own grid: its `end` parameter, which `@ end()` and `end()` mean (PreprocessExpr gets the
   * EvalStmt's End, not the last step on the grid when `end - start` is not a multiple of the step).
   */
  queryEndMs?: number;
}

/**
 * The grid of a subquery inside a parent grid (engine.go, SubqueryExpr): from the first multiple of the step
 * after parentStart - offset - range (2.42: at or after; 3.x: strictly after, the window being left-open), to
 * parentEnd - offset. Without a step, the members' global evaluation_interval.
 */
export function subqueryGrid(parent: Grid, sq: Subquery, sem: EvalSemantics): Grid {
  const step = sq.stepMs || sem.subqueryStepMs;
  if (!Number.isFinite(step))
    throw new UnprocessableError(
      'the members have different global evaluation_interval settings, which a subquery without a step ([5m:]) uses; write its step out ([5m:1m])',
    );
  const lo = parent.startMs - sq.offsetMs - sq.rangeMs;
  let start = Math.trunc(lo / step) * step;
  if (sem.version === 2 ? start < lo : start <= lo) start += step;
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
  return sq.at.kind === 'start' ? q.startMs : (q.queryEndMs ?? q.endMs);
}

/** Grids of every subquery Pharos evaluates, keyed by gridId, nested ones inside their parent's grid. */
export function gridsOf(e: Expr, parent: Grid, sem: EvalSemantics): Map<number, Grid> {
  const out = new Map<number, Grid>([[QUERY_GRID, parent]]);
  addGrids(e, parent, { sem, out });
  return out;
}

/** Adds to `out` the grids of the subqueries in `e`, whose enclosing grid is `parent`. */
function addGrids(e: Expr, parent: Grid, into: { sem: EvalSemantics; out: Map<number, Grid> }): void {
  const { sem, out } = into;
  switch (e.kind) {
    case 'subquery': {
      if (e.gridId === undefined) return;
      const at = e.at ? evalTimeOf(e, 0, out) : undefined;
      const g = subqueryGrid(at === undefined ? parent : { startMs: at, endMs: at, stepMs: 1, steps: 1 }, e, sem);
      out.set(e.gridId, g);
      addGrids(e.expr, g, into);
      return;
    }
    default:
      for (const child of childrenOf(e)) addGrids(child, parent, into);
  }
}

export interface SeriesPoints {
  labels: Labels;
  t: number[];
  v: number[];
  h: (FloatHistogram | undefined)[];
}

export interface SubqueryContext {
  tMs: number;
  sem: EvalSemantics;
  grids: ReadonlyMap<number, Grid>;
  /** Each subquery's matrix, computed once per query (it does not depend on the outer step). */
  cache: Map<number, SeriesPoints[]>;
  /** Prometheus 3's annotations of what Pharos evaluates. */
  notes: Annotations;
  /** The evaluation has several steps (a range query, or inside a subquery): sort() warns that it is void. */
  multiStep: boolean;
}

/** The whole matrix of a subquery over merged answers, by evaluating its inner expression at each grid point. */
export function subqueryMatrix(
  sq: Subquery,
  ctx: SubqueryContext,
  evalAt: (e: Expr, index: number, tMs: number) => StepValue,
): SeriesPoints[] {
  const id = sq.gridId;
  const grid = id === undefined ? undefined : ctx.grids.get(id);
  if (id === undefined || !grid) throw new UnprocessableError('subquery without a planned grid');
  const cached = ctx.cache.get(id);
  if (cached) return cached;
  const series = new Map<string, SeriesPoints>();
  for (let i = 0; i < grid.steps; i++) {
    const t = grid.startMs + i * grid.stepMs;
    const v = evalAt(sq.expr, i, t);
    const samples: Sample[] =
      v.type === 'vector' ? v.samples : v.type === 'scalar' ? [{ labels: {}, value: v.value }] : [];
    for (const s of samples) {
      const k = labelsKey(s.labels);
      let e = series.get(k);
      if (!e) {
        e = { labels: s.labels, t: [], v: [], h: [] };
        series.set(k, e);
      }
      e.t.push(t);
      e.v.push(s.value);
      e.h.push(s.histogram);
    }
  }
  const out = [...series.values()];
  ctx.cache.set(id, out);
  return out;
}

export type LabelledWindow = Window & { labels: Labels };

/**
 * The points of each series inside the window ending at t - offset: [t - offset - range, t - offset] in
 * 2.42, (t - offset - range, t - offset] in 3.x (range selectors and subqueries are left-open).
 */
export function windowAt(
  matrix: SeriesPoints[],
  { sq, tMs }: { sq: Subquery; tMs: number },
  sem: EvalSemantics,
): LabelledWindow[] {
  const maxt = tMs - sq.offsetMs;
  const mint = maxt - sq.rangeMs;
  const inside = sem.version === 2 ? (t: number) => t >= mint && t <= maxt : (t: number) => t > mint && t <= maxt;
  const out: LabelledWindow[] = [];
  for (const s of matrix) {
    const w: LabelledWindow = { labels: s.labels, t: [], v: [], h: [] };
    for (let i = 0; i < s.t.length; i++) {
      const t = s.t[i] as number;
      if (inside(t)) {
        w.t.push(t);
        w.v.push(s.v[i] as number);
        w.h.push(s.h[i]);
      }
    }
    if (w.t.length) out.push(w);
  }
  return out;
}

/** The metric name stays only for last_over_time (and first_over_time in 3.x): they act like an offset. */
const KEEPS_NAME = new Set(['last_over_time', 'first_over_time']);

const COUNTER_SUFFIXES = ['_total', '_sum', '_count', '_bucket'];

/** f(subquery) at one outer step. */
export function overTime(
  func: string,
  windows: LabelledWindow[],
  at: { tMs: number; sq: Subquery; params: number[]; sem: EvalSemantics; notes?: Annotations },
): Sample[] {
  if (func === 'absent_over_time') return windows.length ? [] : [{ labels: {}, value: 1 }];
  const out: Sample[] = [];
  for (const w of windows) {
    const name = w.labels.__name__;
    if (
      at.notes &&
      at.sem.version === 3 &&
      (func === 'rate' || func === 'increase') &&
      name &&
      w.h.some((h) => !h) &&
      !COUNTER_SUFFIXES.some((x) => name.endsWith(x))
    ) {
      at.notes.info(
        `metric might not be a counter, name does not end in _total/_sum/_count/_bucket: ${JSON.stringify(name)}`,
        positionOf(at.sq),
      );
    }
    const r = applyRangeFunction(func, w, {
      version: at.sem.version,
      tMs: at.tMs,
      rangeMs: at.sq.rangeMs,
      offsetMs: at.sq.offsetMs,
      params: at.params,
    });
    if (!r) continue;
    const labels = KEEPS_NAME.has(func) ? w.labels : dropName(w.labels);
    out.push('histogram' in r ? { labels, value: NaN, histogram: r.histogram } : { labels, value: r.value });
  }
  return out;
}
