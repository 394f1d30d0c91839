import { InputError } from '../errors/errors.ts';
import { mapChildren, samePosition, type DurationExpr, type Expr } from './ast.ts';
import { formatDuration } from '../time/duration.ts';

/**
 * Duration expressions of Prometheus 3 (`x[5m+1m]`, `[step()*2:]`, `offset -(1m)`), computed as
 * promql/durations.go does: in float seconds, `step()` and `range()` being the query's step and end - start
 * (0 for an instant query), the result truncated to whole milliseconds.
 */
export interface DurationContext {
  stepMs: number;
  rangeMs: number;
}

export function durationSeconds(d: DurationExpr, ctx: DurationContext): number {
  switch (d.kind) {
    case 'dnum':
      return d.seconds;
    case 'dstep':
      return ctx.stepMs / 1000;
    case 'drange':
      return ctx.rangeMs / 1000;
    case 'dparen':
      return durationSeconds(d.expr, ctx);
    case 'dunary':
      return d.op === '-' ? -durationSeconds(d.expr, ctx) : durationSeconds(d.expr, ctx);
    case 'dbinary': {
      const l = durationSeconds(d.lhs, ctx);
      const r = durationSeconds(d.rhs, ctx);
      switch (d.op) {
        case '+':
          return l + r;
        case '-':
          return l - r;
        case '*':
          return l * r;
        case '/':
          if (r === 0) throw new InputError('division by zero in a duration expression');
          return l / r;
        case '%':
          if (r === 0) throw new InputError('modulo by zero in a duration expression');
          return l % r;
        case '^':
          return Math.pow(l, r);
      }
    }
  }
}

/** calculateDuration: finite, positive unless an offset, within int64 nanoseconds; then whole milliseconds. */
export function durationMs(d: DurationExpr, ctx: DurationContext, allowNegative: boolean): number {
  const s = durationSeconds(d, ctx);
  if (!Number.isFinite(s)) throw new InputError('duration is NaN or infinite');
  if (s <= 0 && !allowNegative) throw new InputError('duration must be greater than 0');
  if (Math.abs(s) > 2 ** 63 / 1e9) throw new InputError('duration is out of range');
  return Math.trunc(s * 1000);
}

/** True when the expression needs the query's step or range (it cannot be computed while parsing). */
export function needsQueryTimes(d: DurationExpr): boolean {
  switch (d.kind) {
    case 'dstep':
    case 'drange':
      return true;
    case 'dnum':
      return false;
    case 'dparen':
    case 'dunary':
      return needsQueryTimes(d.expr);
    case 'dbinary':
      return needsQueryTimes(d.lhs) || needsQueryTimes(d.rhs);
  }
}

/** Every duration expression of the tree replaced by its value; the result prints as plain durations. */
export function resolveDurations(e: Expr, ctx: DurationContext): Expr {
  return samePosition(e, resolveNode(e, ctx));
}

function resolveNode(e: Expr, ctx: DurationContext): Expr {
  const mapped = mapChildren(e, (x) => resolveDurations(x, ctx));
  switch (mapped.kind) {
    case 'vector':
      return resolveSelector(mapped, ctx);
    case 'matrix': {
      const { rangeExpr, ...rest } = mapped;
      return {
        ...rest,
        selector: resolveSelector(mapped.selector, ctx),
        ...(rangeExpr ? { rangeMs: durationMs(rangeExpr, ctx, false) } : {}),
      };
    }
    case 'subquery': {
      const { rangeExpr, stepExpr, offsetExpr, ...rest } = mapped;
      return {
        ...rest,
        ...(rangeExpr ? { rangeMs: durationMs(rangeExpr, ctx, false) } : {}),
        ...(stepExpr ? { stepMs: durationMs(stepExpr, ctx, false) } : {}),
        ...(offsetExpr ? { offsetMs: durationMs(offsetExpr, ctx, true) } : {}),
      };
    }
    default:
      return mapped;
  }
}

function resolveSelector<T extends { offsetMs: number; offsetExpr?: DurationExpr }>(s: T, ctx: DurationContext): T {
  if (!s.offsetExpr) return s;
  const { offsetExpr, ...rest } = s;
  return { ...rest, offsetMs: durationMs(offsetExpr, ctx, true) } as T;
}

/** True when any duration of the tree is still an expression. */
export function hasDurationExpr(e: Expr): boolean {
  let found = false;
  const visit = (x: Expr): Expr => {
    if (
      (x.kind === 'vector' && x.offsetExpr) ||
      (x.kind === 'matrix' && (x.rangeExpr || x.selector.offsetExpr)) ||
      (x.kind === 'subquery' && (x.rangeExpr || x.stepExpr || x.offsetExpr))
    )
      found = true;
    return mapChildren(x, visit);
  };
  visit(e);
  return found;
}

const OP_PRECEDENCE: Record<string, number> = { '+': 1, '-': 1, '*': 2, '/': 2, '%': 2, '^': 3 };

/** Duration expression → text (printer.ts); literals print as Prometheus durations where they are whole ms. */
export function printDuration(d: DurationExpr): string {
  switch (d.kind) {
    case 'dnum': {
      const ms = d.seconds * 1000;
      return Number.isInteger(ms) && ms > 0 ? formatDuration(ms) : String(d.seconds);
    }
    case 'dstep':
      return 'step()';
    case 'drange':
      return 'range()';
    case 'dparen':
      return `(${printDuration(d.expr)})`;
    case 'dunary':
      return `${d.op}${d.expr.kind === 'dbinary' ? `(${printDuration(d.expr)})` : printDuration(d.expr)}`;
    case 'dbinary': {
      const p = OP_PRECEDENCE[d.op] as number;
      const side = (x: DurationExpr): string =>
        x.kind === 'dbinary' && (OP_PRECEDENCE[x.op] as number) <= p ? `(${printDuration(x)})` : printDuration(x);
      return `${side(d.lhs)} ${d.op} ${side(d.rhs)}`;
    }
  }
}

export interface QueryTimes {
  startMs: number;
  endMs: number;
  /** 0 for an instant query. */
  stepMs: number;
}

/**
 * Before planning, as Prometheus 3's engine does: duration expressions computed (step() and range() being the
 * query's), and the experimental start(), end(), range(), step() functions folded into numbers
 * (foldQueryContextFunctions: step() is 0 for an instant query).
 */
export function resolveQueryTimes(e: Expr, t: QueryTimes): Expr {
  const ctx = { stepMs: t.stepMs, rangeMs: t.endMs - t.startMs };
  const fold = (x: Expr): Expr => {
    if (x.kind === 'call' && x.args.length === 0) {
      if (x.func === 'start') return { kind: 'number', value: t.startMs / 1000 };
      if (x.func === 'end') return { kind: 'number', value: t.endMs / 1000 };
      if (x.func === 'range') return { kind: 'number', value: (t.endMs - t.startMs) / 1000 };
      if (x.func === 'step') return { kind: 'number', value: t.startMs === t.endMs ? 0 : t.stepMs / 1000 };
    }
    return mapChildren(x, fold);
  };
  return resolveDurations(fold(e), ctx);
}
