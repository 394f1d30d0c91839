import type { ValueType } from './ast.ts';

/**
 * The functions of each Prometheus version Pharos federates (promql/parser/functions.go at v2.42.0 and at
 * v0.316.0 = 3.16). A function of another version is rejected as unknown, like that Prometheus does;
 * `experimental` ones (3.x) need --enable-feature=promql-experimental-functions (parse-options.ts).
 */
export interface FunctionSignature {
  args: ValueType[];
  /**
   * Go's Function.Variadic: 0 = exactly `args`; n > 0 = the last argument may be left out and up to n more of
   * its type given (round(v), histogram_quantiles); -1 = the last may repeat without limit (label_join).
   */
  variadic?: number;
  returns: ValueType;
  experimental?: boolean;
}

const v = 'vector' as const;
const m = 'matrix' as const;
const s = 'scalar' as const;
const str = 'string' as const;

const mathFns = [
  'abs',
  'ceil',
  'floor',
  'exp',
  'sqrt',
  'ln',
  'log2',
  'log10',
  'sgn',
  'deg',
  'rad',
  'acos',
  'acosh',
  'asin',
  'asinh',
  'atan',
  'atanh',
  'cos',
  'cosh',
  'sin',
  'sinh',
  'tan',
  'tanh',
];
const overTime = [
  'avg_over_time',
  'min_over_time',
  'max_over_time',
  'sum_over_time',
  'count_over_time',
  'last_over_time',
  'present_over_time',
  'stddev_over_time',
  'stdvar_over_time',
];
const rangeFns = ['rate', 'irate', 'increase', 'delta', 'idelta', 'deriv', 'changes', 'resets'];
const dateFns = ['day_of_month', 'day_of_week', 'day_of_year', 'days_in_month', 'hour', 'minute', 'month', 'year'];

const common: Record<string, FunctionSignature> = {
  ...Object.fromEntries(mathFns.map((f) => [f, { args: [v], returns: v }])),
  ...Object.fromEntries(overTime.map((f) => [f, { args: [m], returns: v }])),
  ...Object.fromEntries(rangeFns.map((f) => [f, { args: [m], returns: v }])),
  ...Object.fromEntries(dateFns.map((f) => [f, { args: [v], variadic: 1, returns: v }])),
  absent: { args: [v], returns: v },
  absent_over_time: { args: [m], returns: v },
  clamp: { args: [v, s, s], returns: v },
  clamp_max: { args: [v, s], returns: v },
  clamp_min: { args: [v, s], returns: v },
  histogram_count: { args: [v], returns: v },
  histogram_sum: { args: [v], returns: v },
  histogram_fraction: { args: [s, s, v], returns: v },
  histogram_quantile: { args: [s, v], returns: v },
  label_replace: { args: [v, str, str, str, str], returns: v },
  label_join: { args: [v, str, str, str], variadic: -1, returns: v },
  pi: { args: [], returns: s },
  predict_linear: { args: [m, s], returns: v },
  quantile_over_time: { args: [s, m], returns: v },
  round: { args: [v, s], variadic: 1, returns: v },
  scalar: { args: [v], returns: s },
  sort: { args: [v], returns: v },
  sort_desc: { args: [v], returns: v },
  time: { args: [], returns: s },
  timestamp: { args: [v], returns: v },
  vector: { args: [s], returns: v },
};

/** Prometheus 2.42. */
export const FUNCTIONS: Readonly<Record<string, FunctionSignature>> = Object.freeze({
  ...common,
  holt_winters: { args: [m, s, s], returns: v },
});

const exp = (sig: FunctionSignature): FunctionSignature => ({ ...sig, experimental: true });
const tsOf = ['ts_of_first_over_time', 'ts_of_max_over_time', 'ts_of_min_over_time', 'ts_of_last_over_time'];

/** Prometheus 3.16: holt_winters is gone (double_exponential_smoothing, experimental), many functions added. */
export const FUNCTIONS_3: Readonly<Record<string, FunctionSignature>> = Object.freeze({
  ...common,
  first_over_time: { args: [m], returns: v },
  histogram_avg: { args: [v], returns: v },
  histogram_stddev: { args: [v], returns: v },
  histogram_stdvar: { args: [v], returns: v },
  double_exponential_smoothing: exp({ args: [m, s, s], returns: v }),
  histogram_quantiles: exp({ args: [v, str, s, s], variadic: 9, returns: v }),
  info: exp({ args: [v, v], variadic: 1, returns: v }),
  integral: exp({ args: [m, s], variadic: 1, returns: v }),
  mad_over_time: exp({ args: [m], returns: v }),
  ...Object.fromEntries(tsOf.map((f) => [f, exp({ args: [m], returns: v })])),
  sort_by_label: exp({ args: [v, str], variadic: -1, returns: v }),
  sort_by_label_desc: exp({ args: [v, str], variadic: -1, returns: v }),
  start_timestamp: exp({ args: [v], returns: v }),
  start: exp({ args: [], returns: s }),
  end: exp({ args: [], returns: s }),
  step: exp({ args: [], returns: s }),
  range: exp({ args: [], returns: s }),
  min_of: exp({ args: [s, s], returns: s }),
  max_of: exp({ args: [s, s], returns: s }),
});

const FUNCTIONS_ANY: Readonly<Record<string, FunctionSignature>> = Object.freeze({
  ...FUNCTIONS_3,
  holt_winters: FUNCTIONS.holt_winters as FunctionSignature,
});

export function functionTable(version: 2 | 3 | 'any'): Readonly<Record<string, FunctionSignature>> {
  return version === 3 ? FUNCTIONS_3 : version === 2 ? FUNCTIONS : FUNCTIONS_ANY;
}
