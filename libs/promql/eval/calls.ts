import { UnprocessableError } from '../../errors/errors.ts';
import { positionOf, type Call, type Expr, type LabelMatcher, type Subquery } from '../ast.ts';
import { formatG } from '../go-format.ts';
import { unparen } from '../planner.ts';
import { evalTimeOf, overTime, subqueryMatrix, windowAt } from './subquery.ts';
import { compareLabels, dropName, type Labels } from '../labels.ts';
import type { StepContext } from './evaluator.ts';
import {
  clamp,
  dateFunction,
  isDateFunction,
  isMathFunction,
  labelJoin,
  labelReplace,
  mathFunction,
  round,
  sortVector,
} from './functions.ts';
import {
  histogramFraction,
  histogramQuantile,
  isNativeStat,
  nativeStat,
  type BucketOf,
} from './histogram-functions.ts';
import { naturalLess } from './natural-sort.ts';
import { asScalar, asString, asVector, assertUniqueLabelsets, type Sample, type StepValue } from './values.ts';

type Eval = (e: Expr, ctx: StepContext) => StepValue;

const SORTS = new Set(['sort', 'sort_desc', 'sort_by_label', 'sort_by_label_desc']);

/** Prometheus 3's instant-vector functions work on floats only and leave native histograms out. */
const floats = (v: Sample[]): Sample[] => v.filter((s) => !s.histogram);

/**
 * Function calls above merged answers. What is not here (range-vector functions over cross-cluster
 * subqueries Pharos does not evaluate, info(), histogram_quantiles()) is refused with 422 naming the function.
 */
export function callFunction(e: Call, ctx: StepContext, evalStep: Eval): StepValue {
  const arg = (i: number): StepValue => {
    const a = e.args[i];
    if (!a) throw new UnprocessableError(`missing argument ${i + 1} of ${e.func}()`);
    return evalStep(a, ctx);
  };
  const vec = (samples: Sample[], check = true): StepValue => {
    if (check) assertUniqueLabelsets(samples);
    return { type: 'vector', samples };
  };
  const v3 = ctx.sem.version === 3;
  const input = (i: number): Sample[] => (v3 ? floats(asVector(arg(i))) : asVector(arg(i)));
  const f = e.func;
  if (v3 && ctx.multiStep && SORTS.has(f))
    ctx.notes.warn('sort is ineffective for range queries since results are always ordered by labels', positionOf(e));
  const sq = e.args.map(unparen).find((a): a is Subquery => a.kind === 'subquery' && a.gridId !== undefined);
  if (sq) {
    const grid = ctx.grids.get(sq.gridId as number);
    const matrix = subqueryMatrix(sq, ctx, (x, index, tMs) =>
      evalStep(x, { ...ctx, index, tMs, multiStep: !!grid && grid.startMs !== grid.endMs }),
    );
    // Scalar arguments: quantile_over_time's φ first, predict_linear's t and the smoothing factors after.
    const params = e.args.map(unparen).flatMap((a, i) => (a === sq ? [] : [asScalar(arg(i))]));
    const t = evalTimeOf(sq, ctx.tMs, ctx.grids);
    return vec(
      overTime(f, windowAt(matrix, { sq, tMs: t }, ctx.sem), { tMs: t, sq, params, sem: ctx.sem, notes: ctx.notes }),
    );
  }
  if (isMathFunction(f)) return vec(mathFunction(f, input(0)));
  if (isDateFunction(f))
    return vec(dateFunction(f, e.args.length === 0 ? [{ labels: {}, value: ctx.tMs / 1000 }] : input(0)));
  if (isNativeStat(f)) {
    // Native histograms were experimental in 2.42 and are not evaluated under its rules.
    if (!v3)
      throw new UnprocessableError(
        `${f}() over a cross-cluster expression is evaluated under Prometheus 3 semantics only`,
      );
    return vec(nativeStat(f, asVector(arg(0))));
  }
  switch (f) {
    case 'time':
      return { type: 'scalar', value: ctx.tMs / 1000 };
    case 'pi':
      return { type: 'scalar', value: Math.PI };
    case 'vector':
      return vec([{ labels: {}, value: asScalar(arg(0)) }]);
    case 'scalar': {
      const v = input(0);
      return { type: 'scalar', value: v.length === 1 ? (v[0] as Sample).value : NaN };
    }
    case 'absent':
    case 'absent_over_time':
      return vec(asVector(arg(0)).length > 0 ? [] : [{ labels: absentLabels(e.args[0]), value: 1 }]);
    case 'sort':
      return vec(sortVector(input(0), false), false);
    case 'sort_desc':
      return vec(sortVector(input(0), true), false);
    case 'sort_by_label':
    case 'sort_by_label_desc':
      return vec(
        sortByLabel(
          asVector(arg(0)),
          e.args.slice(1).map((_, i) => asString(arg(i + 1))),
          f === 'sort_by_label_desc',
        ),
        false,
      );
    case 'clamp':
      return vec(clamp(input(0), asScalar(arg(1)), asScalar(arg(2))));
    case 'clamp_min':
      return vec(clamp(input(0), asScalar(arg(1)), Infinity));
    case 'clamp_max':
      return vec(clamp(input(0), -Infinity, asScalar(arg(1))));
    case 'round':
      return vec(round(input(0), e.args.length > 1 ? asScalar(arg(1)) : 1));
    case 'timestamp':
      // Above merged answers every sample is computed, and a computed sample's timestamp is the step's time.
      return vec(asVector(arg(0)).map((s) => ({ labels: dropName(s.labels), value: ctx.tMs / 1000 })));
    case 'label_replace':
      return vec(
        labelReplace(asVector(arg(0)), {
          dst: asString(arg(1)),
          repl: asString(arg(2)),
          src: asString(arg(3)),
          regex: asString(arg(4)),
          version: ctx.sem.version,
        }),
      );
    case 'label_join':
      return vec(
        labelJoin(asVector(arg(0)), {
          dst: asString(arg(1)),
          sep: asString(arg(2)),
          srcs: e.args.slice(3).map((_, i) => asString(arg(i + 3))),
          version: ctx.sem.version,
        }),
      );
    case 'histogram_quantile': {
      const q = asScalar(arg(0));
      if (v3 && !(q >= 0 && q <= 1))
        ctx.notes.warn(`quantile value should be between 0 and 1, got ${formatG(q)}`, positionOf(e.args[0]));
      return vec(
        histogramQuantile(q, asVector(arg(1)), {
          version: ctx.sem.version,
          notes: ctx.notes,
          pos: positionOf(e.args[1]),
          tMs: ctx.tMs,
          ...(ctx.memo ? { buckets: ctx.memo.site<BucketOf>(e, 'bucket') } : {}),
        }),
      );
    }
    case 'histogram_fraction':
      return vec(
        histogramFraction({ lower: asScalar(arg(0)), upper: asScalar(arg(1)) }, asVector(arg(2)), {
          version: ctx.sem.version,
          notes: ctx.notes,
          pos: positionOf(e.args[2]),
          tMs: ctx.tMs,
        }),
      );
    default:
      throw new UnprocessableError(`${f}() over a cross-cluster expression cannot be federated exactly`);
  }
}

/** sort_by_label(_desc): natural order of the given labels, then the whole label set (funcSortByLabel). */
function sortByLabel(v: Sample[], names: string[], desc: boolean): Sample[] {
  const cmp = (a: Sample, b: Sample): number => {
    for (const n of names) {
      const x = a.labels[n] ?? '';
      const y = b.labels[n] ?? '';
      if (x === y) continue;
      return naturalLess(x, y) ? -1 : 1;
    }
    return compareLabels(a.labels, b.labels);
  };
  return [...v].sort((a, b) => (desc ? -cmp(a, b) : cmp(a, b)));
}

/** The labels absent() gives: equality matchers of a bare selector, a label matched twice dropped (2.42). */
export function absentLabels(arg: Expr | undefined): Labels {
  let e = arg;
  if (e?.kind === 'leaf') e = e.expr;
  if (e?.kind === 'call' && e.func === 'present_over_time') e = e.args[0];
  const matchers: LabelMatcher[] = e?.kind === 'vector' ? e.matchers : e?.kind === 'matrix' ? e.selector.matchers : [];
  const out: Labels = {};
  const has = new Set<string>();
  for (const m of matchers) {
    if (m.name === '__name__') continue;
    if (m.op === '=' && !has.has(m.name)) {
      out[m.name] = m.value;
      has.add(m.name);
    } else delete out[m.name];
  }
  return out;
}
