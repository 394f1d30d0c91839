/**
 * Which PromQL a query is parsed as: the syntax and functions of the Prometheus version whose semantics
 * Pharos serves (the members' version, see libs/federation/fleet-semantics.ts), and the
 * features those members have switched on (--enable-feature=promql-experimental-functions,
 * promql-binop-fill-modifiers). A query the members' Prometheus would refuse is refused the same way.
 */
export interface ParseOptions {
  /** 'any': the syntax and functions of either (holt_winters and double_exponential_smoothing both known). */
  version: 2 | 3 | 'any';
  /** 3.x: experimental functions and the limitk/limit_ratio aggregations. */
  experimental: boolean;
  /** 3.16: `fill()`, `fill_left()`, `fill_right()` on binary operators. */
  fillModifiers: boolean;
}

export const PROMQL_2: ParseOptions = Object.freeze({ version: 2, experimental: false, fillModifiers: false });
export const PROMQL_3: ParseOptions = Object.freeze({ version: 3, experimental: false, fillModifiers: false });

/**
 * Everything any supported version accepts. For code that only rewrites a query and hands it on (scope
 * enforcement, rule files): the federation parses it again with the members' rules.
 */
export const PROMQL_ANY: ParseOptions = Object.freeze({ version: 'any', experimental: true, fillModifiers: true });

/** 3.x syntax (quoted UTF-8 names, duration expressions, extended range selectors) is allowed. */
export const allows3 = (o: ParseOptions): boolean => o.version !== 2;
