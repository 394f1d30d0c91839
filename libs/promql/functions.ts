import type { ValueType } from './ast.ts';

/**
 * The functions of Prometheus 2.42 (promql/parser/functions.go at that tag), the version Pharos federates.
 * Functions added later (sort_by_label, mad_over_time, …) are rejected as unknown, like 2.42 does.
 */
export interface FunctionSignature {
  args: ValueType[];
  /** Trailing arguments that may be left out (day_of_month(), round(v)). */
  optional?: number;
  /** The last argument may repeat (label_join). */
  variadic?: boolean;
  returns: ValueType;
}

const v = 'vector' as const;
const m = 'matrix' as const;
const s = 'scalar' as const;
const str = 'string' as const;

const mathFns = ['abs', 'ceil', 'floor', 'exp', 'sqrt', 'ln', 'log2', 'log10', 'sgn', 'deg', 'rad', 'acos', 'acosh', 'asin', 'asinh', 'atan', 'atanh', 'cos', 'cosh', 'sin', 'sinh', 'tan', 'tanh'];
const overTime = ['avg_over_time', 'min_over_time', 'max_over_time', 'sum_over_time', 'count_over_time', 'last_over_time', 'present_over_time', 'stddev_over_time', 'stdvar_over_time'];
const rangeFns = ['rate', 'irate', 'increase', 'delta', 'idelta', 'deriv', 'changes', 'resets'];
const dateFns = ['day_of_month', 'day_of_week', 'day_of_year', 'days_in_month', 'hour', 'minute', 'month', 'year'];

export const FUNCTIONS: Readonly<Record<string, FunctionSignature>> = Object.freeze({
  ...Object.fromEntries(mathFns.map((f) => [f, { args: [v], returns: v }])),
  ...Object.fromEntries(overTime.map((f) => [f, { args: [m], returns: v }])),
  ...Object.fromEntries(rangeFns.map((f) => [f, { args: [m], returns: v }])),
  ...Object.fromEntries(dateFns.map((f) => [f, { args: [v], optional: 1, returns: v }])),
  absent: { args: [v], returns: v },
  absent_over_time: { args: [m], returns: v },
  clamp: { args: [v, s, s], returns: v },
  clamp_max: { args: [v, s], returns: v },
  clamp_min: { args: [v, s], returns: v },
  histogram_count: { args: [v], returns: v },
  histogram_sum: { args: [v], returns: v },
  histogram_fraction: { args: [s, s, v], returns: v },
  histogram_quantile: { args: [s, v], returns: v },
  holt_winters: { args: [m, s, s], returns: v },
  label_replace: { args: [v, str, str, str, str], returns: v },
  label_join: { args: [v, str, str, str], variadic: true, returns: v },
  pi: { args: [], returns: s },
  predict_linear: { args: [m, s], returns: v },
  quantile_over_time: { args: [s, m], returns: v },
  round: { args: [v, s], optional: 1, returns: v },
  scalar: { args: [v], returns: s },
  sort: { args: [v], returns: v },
  sort_desc: { args: [v], returns: v },
  time: { args: [], returns: s },
  timestamp: { args: [v], returns: v },
  vector: { args: [s], returns: v },
});
