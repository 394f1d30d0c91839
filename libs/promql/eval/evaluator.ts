import { UnprocessableError } from '../../errors/errors.ts';
import { positionOf, type Expr } from '../ast.ts';
import { histogramToJson, type HistogramJson } from '../histogram/histogram-json.ts';
import { compareLabels, dropName, labelsKey, type Labels } from '../labels.ts';
import { formatValue } from '../literals.ts';
import { aggregate, type GroupOf } from './aggregate.ts';
import { LabelMemo, memoized } from './label-memo.ts';
import { scalarBinop, vectorBinop, vectorScalarBinop, type BinopMemo } from './binary.ts';
import { callFunction } from './calls.ts';
import { evalTimeOf, subqueryMatrix, windowAt, type Grid, type SubqueryContext } from './subquery.ts';
import { Annotations } from './annotations.ts';
import { formatG } from '../go-format.ts';
import type { EvalSemantics } from './semantics.ts';
import { asVector, assertUniqueLabelsets, type Sample, type StepValue } from './values.ts';
import { unparen } from '../planner.ts';

/**
 * Merged cluster answers of each leaf, one instant vector per step: an array of them, or one built when its step
 * is asked (the federated engine keeps the points in compact arrays, libs/federation/leaf-steps.ts).
 */
export type LeafSteps = ReadonlyMap<number, { at(index: number): Sample[] | undefined }>;

export interface StepContext extends SubqueryContext {
  /** Step index in the grid being evaluated (the query's own, or a subquery's). */
  index: number;
  /** Evaluation time of this step, ms. */
  tMs: number;
  leaves: LeafSteps;
  /** What this evaluation derived from label sets, kept across its steps (label-memo.ts). */
  memo?: LabelMemo;
}

/** Per-query evaluation state shared by every step. */
export interface EvalEnv {
  leaves: LeafSteps;
  grids: ReadonlyMap<number, Grid>;
  sem: EvalSemantics;
  /** Collects Prometheus 3's annotations; the caller renders them for the query text. */
  notes?: Annotations;
}

/** Annotations of step-invariant parts are dropped after the first step: Prometheus evaluates those parts once. */
const DISCARDED = new Annotations();

/** Evaluates a planned tree at one step, with PromQL's semantics (promql/engine.go of the members' version). */
export function evalStep(e: Expr, ctxIn: StepContext): StepValue {
  const ctx =
    ctxIn.index > 0 && ctxIn.notes !== DISCARDED && (e.kind === 'call' || e.kind === 'aggregate') && isStepInvariant(e)
      ? { ...ctxIn, notes: DISCARDED }
      : ctxIn;
  switch (e.kind) {
    case 'number':
      return { type: 'scalar', value: e.value };
    case 'string':
      return { type: 'string', value: e.value };
    case 'leaf':
      return { type: 'vector', samples: ctx.leaves.get(e.id)?.at(ctx.index) ?? [] };
    case 'paren':
      return evalStep(e.expr, ctx);
    case 'unary':
      return evalUnary(e.op, evalStep(e.expr, ctx), ctx.memo?.site<Labels>(e, 'dropName'));
    case 'binary':
      return evalBinary(e, ctx);
    case 'aggregate': {
      const param = e.param ? evalStep(e.param, ctx) : undefined;
      const v3 = ctx.sem.version === 3;
      if (v3 && e.op === 'quantile' && param?.type === 'scalar' && !(param.value >= 0 && param.value <= 1)) {
        ctx.notes.warn(`quantile value should be between 0 and 1, got ${formatG(param.value)}`, positionOf(e.param));
      }
      const samples = aggregate(
        {
          op: e.op,
          grouping: e.grouping,
          without: e.without,
          version: ctx.sem.version,
          ...(e.combinesPartials ? { partials: true } : {}),
          ...(e.partialForm ? { form: e.partialForm } : {}),
          ...(param?.type === 'scalar' ? { param: param.value } : {}),
          ...(param?.type === 'string' ? { label: param.value } : {}),
          note: aggregateNote(e, ctx.notes),
          ...(ctx.memo ? { groups: ctx.memo.site<GroupOf>(e, 'group') } : {}),
        },
        asVector(evalStep(e.expr, ctx)),
      );
      return { type: 'vector', samples };
    }
    case 'call':
      return callFunction(e, ctx, evalStep);
    default:
      throw new UnprocessableError(`cannot evaluate ${e.kind} above merged cluster answers`);
  }
}

/** The annotations of one aggregation step (a function made per step: not bound to a name, see label-memo.ts). */
function aggregateNote(
  e: Extract<Expr, { kind: 'aggregate' }>,
  notes: Annotations,
): (kind: 'ignored' | 'mixed') => void {
  return function (kind) {
    if (kind === 'ignored') notes.info(`ignored histogram in ${e.op} aggregation`, positionOf(e.expr));
    else notes.warn('encountered a mix of histograms and floats for aggregation', positionOf(e.expr));
  };
}

/** AtModifierUnsafeFunctions: they read the evaluation time, so they are never step-invariant. */
const TIME_DEPENDENT = new Set([
  'days_in_month',
  'day_of_month',
  'day_of_week',
  'day_of_year',
  'end',
  'hour',
  'minute',
  'month',
  'year',
  'predict_linear',
  'range',
  'start',
  'step',
  'time',
  'timestamp',
]);
const invariance = new WeakMap<Expr, boolean>();

/** preprocessExprHelper of engine.go: a part with no selector or subquery but those fixed by `@`. */
export function isStepInvariant(e: Expr): boolean {
  const known = invariance.get(e);
  if (known !== undefined) return known;
  let r: boolean;
  switch (e.kind) {
    case 'number':
    case 'string':
      r = true;
      break;
    case 'vector':
      r = e.at !== undefined;
      break;
    case 'matrix':
      r = e.selector.at !== undefined;
      break;
    case 'subquery':
      r = e.at !== undefined;
      break;
    case 'leaf':
    case 'paren':
    case 'unary':
      r = isStepInvariant(e.expr);
      break;
    case 'binary':
      r = isStepInvariant(e.lhs) && isStepInvariant(e.rhs);
      break;
    case 'aggregate':
      r = isStepInvariant(e.expr);
      break;
    case 'call':
      r = !TIME_DEPENDENT.has(e.func) && e.args.every((a, i) => (e.func === 'info' && i === 1) || isStepInvariant(a));
      break;
  }
  invariance.set(e, r);
  return r;
}

function evalUnary(op: '-' | '+', v: StepValue, memo: Map<Labels, Labels> | undefined): StepValue {
  if (op === '+') return v;
  if (v.type === 'scalar') return { type: 'scalar', value: -v.value };
  const samples = asVector(v).map((s): Sample => {
    const labels = memoized(memo, s.labels, dropName);
    return s.histogram ? { labels, value: NaN, histogram: s.histogram.copy().scale(-1) } : { labels, value: -s.value };
  });
  assertUniqueLabelsets(samples);
  return { type: 'vector', samples };
}

function evalBinary(e: Extract<Expr, { kind: 'binary' }>, ctx: StepContext): StepValue {
  const l = evalStep(e.lhs, ctx);
  const r = evalStep(e.rhs, ctx);
  if (l.type === 'scalar' && r.type === 'scalar') return { type: 'scalar', value: scalarBinop(e, l.value, r.value) };
  let samples: Sample[];
  const memo = ctx.memo && binopMemo(ctx.memo, e);
  if (l.type === 'vector' && r.type === 'scalar')
    samples = vectorScalarBinop(e, l.samples, { scalar: r.value, swap: false, memo });
  else if (l.type === 'scalar' && r.type === 'vector')
    samples = vectorScalarBinop(e, r.samples, { scalar: l.value, swap: true, memo });
  else {
    if (!e.matching) throw new UnprocessableError('vector matching missing');
    if (e.matching.fill)
      throw new UnprocessableError(
        'binary operations with fill modifiers are not evaluated above merged cluster answers',
      );
    samples = vectorBinop({
      op: e.op,
      bool: e.bool,
      lhs: asVector(l),
      rhs: asVector(r),
      m: e.matching,
      version: ctx.sem.version,
      ...(memo ? { memo } : {}),
    });
  }
  assertUniqueLabelsets(samples);
  return { type: 'vector', samples };
}

/** The memo sites of one binary operation node. */
function binopMemo(memo: LabelMemo, e: Expr): BinopMemo {
  return {
    signatures: memo.site<string>(e, 'signature'),
    results: memo.site<Map<Labels, Labels>>(e, 'result'),
    elements: memo.site<Labels>(e, 'element'),
  };
}

export interface InstantOutput {
  resultType: 'vector' | 'scalar' | 'string';
  result: unknown;
}

/** A matrix series in Prometheus's JSON: `values` for floats, `histograms` for native histograms. */
interface MatrixSeries {
  metric: Labels;
  values?: [number, string][];
  histograms?: [number, HistogramJson][];
}

function addPoint(s: MatrixSeries, tMs: number, point: Pick<Sample, 'value' | 'histogram'>): void {
  const { value, histogram: h } = point;
  if (h) (s.histograms ??= []).push([tMs / 1000, histogramToJson(h)]);
  else (s.values ??= []).push([tMs / 1000, formatValue(value)]);
}

export function evalInstant(
  root: Expr,
  env: EvalEnv,
  tMs: number,
): InstantOutput | { resultType: 'matrix'; result: unknown } {
  const ctx: StepContext = {
    index: 0,
    tMs,
    leaves: env.leaves,
    grids: env.grids,
    sem: env.sem,
    cache: new Map(),
    notes: env.notes ?? new Annotations(),
    multiStep: false,
    memo: new LabelMemo(),
  };
  const t = tMs / 1000;
  const top = unparen(root);
  if (top.kind === 'subquery') {
    // An instant query for a subquery answers its points in the window, like a range selector.
    const m = windowAt(
      subqueryMatrix(top, ctx, (e, index, at) => evalStep(e, { ...ctx, index, tMs: at })),
      { sq: top, tMs: evalTimeOf(top, tMs, env.grids) },
      env.sem,
    );
    return {
      resultType: 'matrix',
      result: m.map((w) => {
        const s: MatrixSeries = { metric: w.labels };
        w.t.forEach((pt, i) => addPoint(s, pt, { value: w.v[i] as number, histogram: w.h[i] }));
        return s;
      }),
    };
  }
  const v = evalStep(root, ctx);
  if (v.type === 'scalar') return { resultType: 'scalar', result: [t, formatValue(v.value)] };
  if (v.type === 'string') return { resultType: 'string', result: [t, v.value] };
  return {
    resultType: 'vector',
    result: v.samples.map((s) =>
      s.histogram
        ? { metric: s.labels, histogram: [t, histogramToJson(s.histogram)] }
        : { metric: s.labels, value: [t, formatValue(s.value)] },
    ),
  };
}

export type RangeGrid = Grid;

/** Step-by-step evaluation; series sorted by labels as Prometheus returns a matrix. */
export function evalRange(root: Expr, env: EvalEnv, grid: RangeGrid): { resultType: 'matrix'; result: unknown } {
  const series = new Map<string, MatrixSeries>();
  const cache = new Map();
  const notes = env.notes ?? new Annotations();
  const memo = new LabelMemo();
  for (let i = 0; i < grid.steps; i++) {
    const tMs = grid.startMs + i * grid.stepMs;
    const v = evalStep(root, {
      index: i,
      tMs,
      leaves: env.leaves,
      grids: env.grids,
      sem: env.sem,
      cache,
      notes,
      multiStep: grid.startMs !== grid.endMs,
      memo,
    });
    if (v.type === 'string')
      throw new UnprocessableError(
        'invalid expression type "string" for range query, must be Scalar or instant Vector',
      );
    const samples: Sample[] = v.type === 'scalar' ? [{ labels: {}, value: v.value }] : v.samples;
    for (const s of samples) {
      const k = labelsKey(s.labels);
      let entry = series.get(k);
      if (!entry) {
        entry = { metric: s.labels };
        series.set(k, entry);
      }
      addPoint(entry, tMs, s);
    }
  }
  const result = [...series.values()].sort((a, b) => compareLabels(a.metric, b.metric));
  return { resultType: 'matrix', result };
}
