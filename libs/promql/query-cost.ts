import { LimitError } from '../errors/errors.ts';
import { childrenOf, type Expr } from './ast.ts';
import { EVAL_2_42, type EvalSemantics } from './eval/semantics.ts';
import { QUERY_GRID, evalTimeOf, subqueryGrid, type Grid } from './eval/subquery.ts';
import { formatDuration } from '../time/duration.ts';

/**
 * What one query may make a Prometheus (or Pharos) evaluate, in points per series, checked before any cluster
 * is asked. A member Prometheus allocates a subquery's whole grid for every series it evaluates (2.42's
 * rangeEval preallocates one point per step), so `max_over_time(x[30d:1ms])` asks for 2.6 billion points per
 * series and kills it; Prometheus limits range queries (11,000 points, web/api/v1/api.go) but not subqueries.
 *
 * - a range query: (end - start) / step + 1 points ≤ maxPointsPerSeries, as Prometheus;
 * - a subquery, at each step it is evaluated: range / step + 1 points ≤ maxPointsPerSeries (the same rule
 *   applied to the subquery's window, as Cortex's query frontend does with `max-subquery-steps`);
 * - a subquery over the whole query: the points of its grid, from the first step's window to the last step
 *   ((query range + subquery range) / step + 1, nested subqueries inside their parent's grid)
 *   ≤ maxSubqueryPointsPerSeries: what the member allocates per series. A subquery with `@` is evaluated once.
 * - a subquery Pharos evaluates above merged answers fetches its inner part as a range query on its grid:
 *   that grid ≤ maxPointsPerSeries, which the member would refuse anyway.
 */
export interface PointLimits {
  maxPointsPerSeries: number;
  maxSubqueryPointsPerSeries: number;
}

const fmt = (n: number): string => n.toLocaleString('en-US');

/** Range queries: Prometheus's own message, with the limit named. */
export function checkRangeResolution(points: number, limits: PointLimits): void {
  const max = limits.maxPointsPerSeries;
  if (points > max)
    throw new LimitError(
      `exceeded maximum resolution of ${fmt(max)} points per timeseries (federation.maxPointsPerSeries; this query asks ${fmt(points)}). Try decreasing the query resolution (?step=XX)`,
    );
}

/**
 * Every subquery of `expr` (planned or not; inside leaves too) against the limits, `grid` being the query's own
 * (one step for an instant query). Throws LimitError naming the limit and the subquery.
 */
export function checkSubqueryPoints(
  expr: Expr,
  grid: Grid,
  { limits, sem = EVAL_2_42 }: { limits: PointLimits; sem?: EvalSemantics },
): void {
  walk(expr, grid, { limits, grids: new Map([[QUERY_GRID, grid]]), sem });
}

interface Walk {
  limits: PointLimits;
  grids: Map<number, Grid>;
  /** The members' rules: the subquery grid's first step and the step of `[5m:]` (their evaluation_interval). */
  sem: EvalSemantics;
}

function walk(e: Expr, parent: Grid, w: Walk): void {
  if (e.kind !== 'subquery') {
    for (const child of childrenOf(e)) walk(child, parent, w);
    return;
  }
  const step = e.stepMs || w.sem.subqueryStepMs;
  const text = `[${formatDuration(e.rangeMs)}:${formatDuration(step)}]`;
  const { maxPointsPerSeries, maxSubqueryPointsPerSeries } = w.limits;
  const perStep = Math.floor(e.rangeMs / step) + 1;
  if (perStep > maxPointsPerSeries) {
    throw new LimitError(
      `the subquery ${text} evaluates ${fmt(perStep)} points per series at each step (range / step + 1), over federation.maxPointsPerSeries=${maxPointsPerSeries}: make its step (after the colon) larger or its range shorter`,
    );
  }
  const at = e.at ? evalTimeOf(e, 0, w.grids) : undefined;
  const grid = subqueryGrid(at === undefined ? parent : { startMs: at, endMs: at, stepMs: 1, steps: 1 }, e, w.sem);
  if (grid.steps > maxSubqueryPointsPerSeries) {
    throw new LimitError(
      `the subquery ${text} evaluates ${fmt(grid.steps)} points per series over this query's time range, over federation.maxSubqueryPointsPerSeries=${maxSubqueryPointsPerSeries}: make its step larger or the query's time range shorter`,
    );
  }
  if (e.gridId !== undefined && containsLeaf(e.expr) && grid.steps > maxPointsPerSeries) {
    throw new LimitError(
      `the subquery ${text} is above a cross-cluster expression, so Pharos fetches its inner part as a range query of ${fmt(grid.steps)} points per series, over federation.maxPointsPerSeries=${maxPointsPerSeries}: make its step larger or the query's time range shorter`,
    );
  }
  walk(e.expr, grid, w);
}

const containsLeaf = (e: Expr): boolean => e.kind === 'leaf' || childrenOf(e).some(containsLeaf);
