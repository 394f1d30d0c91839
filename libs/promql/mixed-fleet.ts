import { UnprocessableError } from '../errors/errors.ts';
import { mapChildren, type Expr, type LabelMatcher, type MatrixSelector, type VectorSelector } from './ast.ts';
import { FUNCTIONS } from './functions.ts';
import { isValidLabelName } from './labels.ts';
import { printExpr } from './printer.ts';

/**
 * A cluster-local subtree rewritten so that a Prometheus 2.x member computes what Prometheus 3 would (issue 16,
 * mixed fleets), or refused when no rewrite is exact. Timestamps are whole milliseconds, so 3.x's left-open
 * windows (t - r, t] are 2.x's closed [t - r + 1ms, t]:
 * - instant selectors: `s and present_over_time(s[lookback - 1ms])` drops a series whose newest sample sits
 *   exactly on the lookback edge (2.x still returns it, 3.x does not); staleness is kept by `s` itself;
 * - range selectors and subqueries `[r]` → `[r - 1ms]`, for functions whose result does not depend on the
 *   range's length (not rate/increase/delta, which extrapolate to the window's edges);
 * - regex matchers `re` → `(?s:re)`: in 3.x `.` matches a newline;
 * - matchers on `le` / `quantile` are refused: 3.x stores those values normalized ("1" → "1.0").
 */
export interface MemberRewrite {
  lookbackMs: number;
  /** The served default subquery step, written out (the member's own evaluation_interval may differ). */
  subqueryStepMs: number;
}

/** Range functions whose value over (t - r, t] depends only on the samples in it, the same in 2.42 and 3.x. */
const WINDOW_ONLY = new Set([
  'avg_over_time',
  'min_over_time',
  'max_over_time',
  'sum_over_time',
  'count_over_time',
  'last_over_time',
  'present_over_time',
  'stddev_over_time',
  'stdvar_over_time',
  'quantile_over_time',
  'absent_over_time',
  'changes',
  'resets',
  'irate',
  'idelta',
  'deriv',
  'predict_linear',
]);

const refuse = (why: string): never => {
  throw new UnprocessableError(why);
};

function checkMatchers(matchers: LabelMatcher[]): LabelMatcher[] {
  return matchers.map((m) => {
    if (!isValidLabelName(m.name) && m.name !== '__name__')
      refuse(`label name "${m.name}" cannot be sent to a Prometheus 2 member`);
    if (m.name === '__name__' && m.op === '=' && !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(m.value))
      refuse(`metric name "${m.value}" cannot be sent to a Prometheus 2 member`);
    if (m.name === 'le' || m.name === 'quantile')
      refuse(
        `a matcher on "${m.name}" means different values in Prometheus 2 and 3 (3.x normalizes them on ingestion)`,
      );
    return m.op === '=~' || m.op === '!~' ? { ...m, value: `(?s:${m.value})` } : m;
  });
}

function instantSelector(s: VectorSelector, r: MemberRewrite): Expr {
  const sel: VectorSelector = { ...s, matchers: checkMatchers(s.matchers) };
  const window: MatrixSelector = { kind: 'matrix', selector: sel, rangeMs: r.lookbackMs - 1 };
  return {
    kind: 'paren',
    expr: {
      kind: 'binary',
      op: 'and',
      lhs: sel,
      rhs: { kind: 'call', func: 'present_over_time', args: [window] },
      bool: false,
      matching: { on: false, labels: [], card: 'many-to-many', include: [] },
    },
  };
}

function windowArg(a: Expr, func: string, r: MemberRewrite): Expr {
  if (a.kind === 'matrix') {
    if (a.anchored || a.smoothed) refuse('anchored and smoothed range selectors do not exist in Prometheus 2');
    return { ...a, selector: { ...a.selector, matchers: checkMatchers(a.selector.matchers) }, rangeMs: a.rangeMs - 1 };
  }
  if (a.kind === 'subquery')
    return { ...a, expr: rewrite(a.expr, r), rangeMs: a.rangeMs - 1, stepMs: a.stepMs || r.subqueryStepMs };
  if (a.kind === 'paren') return { ...a, expr: windowArg(a.expr, func, r) };
  return rewrite(a, r);
}

function rewrite(e: Expr, r: MemberRewrite): Expr {
  switch (e.kind) {
    case 'vector':
      return instantSelector(e, r);
    case 'matrix':
    case 'subquery':
      return refuse(
        `a bare ${e.kind === 'matrix' ? 'range selector' : 'subquery'} gives different points in Prometheus 2 and 3`,
      );
    case 'call': {
      if (!FUNCTIONS[e.func]) refuse(`${e.func}() does not exist in Prometheus 2`);
      if (e.func === 'timestamp')
        refuse("timestamp() of a selector reads the samples' own times, which the lookback rewrite hides");
      const windowed = e.args.findIndex((a) => a.kind === 'matrix' || a.kind === 'subquery' || a.kind === 'paren');
      if (
        windowed >= 0 &&
        !WINDOW_ONLY.has(e.func) &&
        (e.args[windowed]?.kind === 'matrix' || e.args[windowed]?.kind === 'subquery')
      ) {
        refuse(
          `${e.func}() over a range extrapolates to the window's edges, which are closed in Prometheus 2 and left-open in 3`,
        );
      }
      return {
        ...e,
        args: e.args.map((a) =>
          a.kind === 'matrix' || a.kind === 'subquery' ? windowArg(a, e.func, r) : rewrite(a, r),
        ),
      };
    }
    case 'aggregate':
      if (e.op === 'limitk' || e.op === 'limit_ratio') refuse(`${e.op}() does not exist in Prometheus 2`);
      if (!e.without && e.grouping.some((l) => !isValidLabelName(l)))
        refuse('quoted label names do not exist in Prometheus 2');
      return mapChildren(e, (x) => rewrite(x, r));
    case 'binary':
      if (e.op === '</' || e.op === '>/' || e.matching?.fill)
        refuse(`this operator form does not exist in Prometheus 2`);
      return mapChildren(e, (x) => rewrite(x, r));
    default:
      return mapChildren(e, (x) => rewrite(x, r));
  }
}

/** The leaf text for a Prometheus 2 member of a fleet served with Prometheus 3's rules. */
export function leafForPrometheus2(e: Expr, r: MemberRewrite): string {
  return printExpr(rewrite(e, r));
}
