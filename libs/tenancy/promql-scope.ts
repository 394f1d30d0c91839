import { isUnrestricted, type Scope } from '../auth/principal.ts';
import { InputError } from '../errors/errors.ts';
import type { Expr, LabelMatcher, VectorSelector } from '../promql/ast.ts';
import { parsePromQL } from '../promql/parser.ts';
import { PROMQL_ANY } from '../promql/parse-options.ts';
import { printExpr } from '../promql/printer.ts';
import { rewriteSelectors } from '../promql/rewrite.ts';
import { grantedValues, SCOPE_FIELDS } from './empty-scope.ts';

/**
 * PromQL scope enforcement. Every selector of the parsed query (also inside functions, aggregations,
 * binary operations, subqueries, `offset`/`@` selectors) gets the caller's scope matchers ANDed on:
 * `cluster=~"a|b"` and `namespace=~"x|y"`. Prometheus anchors regex matchers (`^(?:x|y)$`) and a regex
 * that cannot match "" excludes series without the label, so node-level metrics (no `namespace` label)
 * are invisible to a namespace-scoped caller. Matchers the caller wrote stay: several matchers on one
 * label are ANDed by Prometheus, so `namespace!="payments"` or `namespace=~".+"` can only narrow.
 * The answers are checked again (`seriesInScope`), because functions such as `label_replace` and
 * `absent` write labels that no selector matched.
 */
export const CLUSTER_LABEL = 'cluster';
export const NAMESPACE_LABEL = 'namespace';

const RE2_META = /[\\.+*?()|[\]{}^$]/g;

/** The scope as PromQL matchers; empty for an unrestricted scope. An empty list grants nothing: refused. */
export function scopeMatchers(scope: Scope): LabelMatcher[] {
  const out: LabelMatcher[] = [];
  for (const [name, list] of SCOPE_FIELDS) {
    const values = grantedValues(scope, list);
    if (values === undefined) continue;
    out.push({ name, op: '=~', value: values.map((v) => v.replace(RE2_META, '\\$&')).join('|') });
  }
  return out;
}

export const isFullScope = (scope: Scope): boolean =>
  isUnrestricted(scope.clusters) && isUnrestricted(scope.namespaces);

/** Adds the scope matchers to every selector of the tree (rewrite hook of libs/promql). */
export function scopeExpr(expr: Expr, scope: Scope): Expr {
  const extra = scopeMatchers(scope);
  if (extra.length === 0) return expr;
  return rewriteSelectors(expr, (s: VectorSelector) => ({ ...s, matchers: [...s.matchers, ...extra] }));
}

/** Text in, scoped text out (for a Prometheus that keeps the `cluster` label, e.g. a union/Thanos view). */
export function scopeQuery(query: string, scope: Scope): string {
  return isFullScope(scope) ? query : printExpr(scopeExpr(parsePromQL(query, PROMQL_ANY), scope));
}

/**
 * `match[]` of /api/v1/series, /labels and /label/<name>/values, scoped the same way. Each must be a
 * series selector. With no `match[]`, a restricted caller gets one that selects exactly its scope
 * (Prometheus needs a matcher that does not match "": `namespace=~"payments"` qualifies).
 */
export function scopeSeriesMatch(match: readonly string[], scope: Scope): string[] {
  if (isFullScope(scope)) return [...match];
  const extra = scopeMatchers(scope);
  if (match.length === 0) return [printExpr({ kind: 'vector', matchers: extra, offsetMs: 0 })];
  return match.map((m, i) => {
    const e = parsePromQL(m, PROMQL_ANY);
    if (e.kind !== 'vector') throw new InputError(`match[${i}] must be a series selector such as up{job="api"}`);
    return printExpr({ ...e, matchers: [...e.matchers, ...extra] });
  });
}

/**
 * The re-check on answers: a series whose `cluster` or `namespace` label names something outside the
 * scope is not the caller's. A series without the label is fine: it is an aggregate computed over
 * selectors that were all scoped (or a constant such as `vector(1)`).
 */
export function seriesInScope(labels: Readonly<Record<string, string>>, scope: Scope): boolean {
  const c = labels[CLUSTER_LABEL];
  const n = labels[NAMESPACE_LABEL];
  if (c !== undefined && c !== '' && !isUnrestricted(scope.clusters) && !scope.clusters.includes(c)) return false;
  if (n !== undefined && n !== '' && !isUnrestricted(scope.namespaces) && !scope.namespaces.includes(n)) return false;
  return true;
}

/** Keeps the in-scope series of a vector/matrix result (`metric` labels) and says how many were dropped. */
export function filterSeries<T extends { metric: Readonly<Record<string, string>> }>(
  series: readonly T[],
  scope: Scope,
): { kept: T[]; dropped: number } {
  if (isFullScope(scope)) return { kept: [...series], dropped: 0 };
  const kept = series.filter((s) => seriesInScope(s.metric, scope));
  return { kept, dropped: series.length - kept.length };
}

/** /series answers are label sets themselves. */
export function filterLabelSets<T extends Readonly<Record<string, string>>>(sets: readonly T[], scope: Scope): T[] {
  return isFullScope(scope) ? [...sets] : sets.filter((l) => seriesInScope(l, scope));
}

/** /label/<name>/values: values of `cluster`/`namespace` outside the scope are removed. */
export function filterLabelValues(name: string, values: readonly string[], scope: Scope): string[] {
  if (name === CLUSTER_LABEL && !isUnrestricted(scope.clusters))
    return values.filter((v) => scope.clusters.includes(v));
  if (name === NAMESPACE_LABEL && !isUnrestricted(scope.namespaces))
    return values.filter((v) => scope.namespaces.includes(v));
  return [...values];
}
