import { UnprocessableError } from '../../errors/errors.ts';
import type { Call, Expr, LabelMatcher, Subquery } from '../ast.ts';
import { unparen } from '../planner.ts';
import { evalTimeOf, overTime, subqueryMatrix, windowAt } from './subquery.ts';
import { dropName, type Labels } from '../labels.ts';
import type { StepContext } from './evaluator.ts';
import { clamp, dateFunction, histogramQuantile, isDateFunction, isMathFunction, labelJoin, labelReplace, mathFunction, round, sortVector } from './functions.ts';
import { asScalar, asString, asVector, assertUniqueLabelsets, type Sample, type StepValue } from './values.ts';

type Eval = (e: Expr, ctx: StepContext) => StepValue;

/**
 * Function calls above merged answers. What is not here (range-vector functions over cross-cluster
 * subqueries, native-histogram functions) is refused with 422 naming the function.
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
  const f = e.func;
  const sq = e.args.map(unparen).find((a): a is Subquery => a.kind === 'subquery' && a.gridId !== undefined);
  if (sq) {
    const matrix = subqueryMatrix(sq, ctx, (x, index, tMs) => evalStep(x, { ...ctx, index, tMs }));
    // Scalar arguments: quantile_over_time's φ first, predict_linear's t and the smoothing factors after.
    const params = e.args.map(unparen).flatMap((a, i) => (a === sq ? [] : [asScalar(arg(i))]));
    const t = evalTimeOf(sq, ctx.tMs, ctx.grids);
    return vec(overTime(f, windowAt(matrix, sq, t, ctx.sem), { tMs: t, sq, params, sem: ctx.sem }));
  }
  if (isMathFunction(f)) return vec(mathFunction(f, asVector(arg(0))));
  if (isDateFunction(f)) {
    const input = e.args.length === 0 ? [{ labels: {}, value: ctx.tMs / 1000 }] : asVector(arg(0));
    return vec(dateFunction(f, input));
  }
  switch (f) {
    case 'time': return { type: 'scalar', value: ctx.tMs / 1000 };
    case 'pi': return { type: 'scalar', value: Math.PI };
    case 'vector': return vec([{ labels: {}, value: asScalar(arg(0)) }]);
    case 'scalar': {
      const v = asVector(arg(0));
      return { type: 'scalar', value: v.length === 1 ? (v[0] as Sample).value : NaN };
    }
    case 'absent':
    case 'absent_over_time':
      return vec(asVector(arg(0)).length > 0 ? [] : [{ labels: absentLabels(e.args[0]), value: 1 }]);
    case 'sort': return vec(sortVector(asVector(arg(0)), false), false);
    case 'sort_desc': return vec(sortVector(asVector(arg(0)), true), false);
    case 'clamp': return vec(clamp(asVector(arg(0)), asScalar(arg(1)), asScalar(arg(2))));
    case 'clamp_min': return vec(clamp(asVector(arg(0)), asScalar(arg(1)), Infinity));
    case 'clamp_max': return vec(clamp(asVector(arg(0)), -Infinity, asScalar(arg(1))));
    case 'round': return vec(round(asVector(arg(0)), e.args.length > 1 ? asScalar(arg(1)) : 1));
    case 'timestamp':
      // Above merged answers every sample is computed, and a computed sample's timestamp is the step's time.
      return vec(asVector(arg(0)).map((s) => ({ labels: dropName(s.labels), value: ctx.tMs / 1000 })));
    case 'label_replace':
      return vec(labelReplace(asVector(arg(0)), asString(arg(1)), asString(arg(2)), asString(arg(3)), asString(arg(4))));
    case 'label_join':
      return vec(labelJoin(asVector(arg(0)), asString(arg(1)), asString(arg(2)), e.args.slice(3).map((_, i) => asString(arg(i + 3)))));
    case 'histogram_quantile': return vec(histogramQuantile(asScalar(arg(0)), asVector(arg(1))));
    default:
      throw new UnprocessableError(`${f}() over a cross-cluster expression cannot be federated exactly`);
  }
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

