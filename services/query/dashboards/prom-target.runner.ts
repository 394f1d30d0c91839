import type { PromTarget } from '../../../libs/dashboards/dashboard.schema.ts';
import { interpolate } from '../../../libs/dashboards/interpolate.ts';
import { filterSeries, scopeQuery } from '../../../libs/tenancy/promql-scope.ts';
import { scopeKeyOf } from '../../../libs/tenancy/scope-key.ts';
import type { FederatedResult, PromSample } from '../../../libs/federation/federation.types.ts';
import type { Series, TargetContext, TargetOutput } from './render.types.ts';

/**
 * Runs one PromQL target through the federation: a range query over the panel's range at its step, or an
 * instant query at `to` (Grafana's "instant" evaluates at the end of the range).
 */
export async function runPromTarget(target: PromTarget, ctx: TargetContext): Promise<TargetOutput> {
  // The caller's scope is ANDed onto every selector, and the answer re-checked (libs/tenancy).
  const query = scopeQuery(interpolate(target.expr, ctx.scope), ctx.principalScope);
  const metrics = await ctx.metrics();
  const scopeKey = scopeKeyOf(ctx.principalScope);
  const directives = { scopeKey, ...(ctx.cacheControl ? { cacheControl: ctx.cacheControl } : {}) };
  let result = target.instant
    ? await metrics.instant({ query, time: ctx.range.to / 1000, ...directives }, ctx.signal)
    : await metrics.range(
        { query, start: ctx.range.from / 1000, end: ctx.range.to / 1000, step: ctx.stepMs / 1000, ...directives },
        ctx.signal,
      );
  const warnings = warningsOf(result);
  if (result.resultType === 'vector' || result.resultType === 'matrix') {
    const { kept, dropped } = filterSeries(result.result as PromSample[], ctx.principalScope);
    if (dropped) warnings.push(`${dropped} series outside your scope were left out`);
    result = { ...result, result: kept };
  }
  return {
    series: toSeries(result, { refId: ctx.refId, legendFormat: target.legendFormat, expr: query }),
    records: [],
    warnings,
  };
}

function warningsOf(result: FederatedResult): string[] {
  const failed = Object.entries(result.clusters ?? {})
    .filter(([, s]) => s.status === 'error')
    .map(([name, s]) => `cluster ${name}: ${s.error ?? 'failed'}`);
  return [...(result.warnings ?? []), ...failed];
}

/**
 * Prometheus JSON (https://prometheus.io/docs/prometheus/latest/querying/api/#expression-query-result-formats) →
 * series.
 */
export function toSeries(
  result: FederatedResult,
  { refId, legendFormat, expr }: { refId: string; legendFormat: string | undefined; expr: string },
): Series[] {
  if (result.resultType === 'scalar') {
    const [t, v] = result.result as [number, string];
    return [{ refId, name: legendFormat || expr, labels: {}, points: [[Math.round(t * 1000), num(v)]] }];
  }
  if (result.resultType === 'string') return [];
  return (result.result as PromSample[]).map((s) => ({
    refId,
    name: legend(s.metric, legendFormat, expr),
    labels: s.metric,
    points: (s.values ?? (s.value ? [s.value] : [])).map(
      ([t, v]) => [Math.round(t * 1000), num(v)] as [number, number | null],
    ),
  }));
}

const num = (v: string): number | null => {
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
};

/** `{{label}}` templates as Grafana applies them; without one, Prometheus's `name{k="v", …}`. */
export function legend(labels: Record<string, string>, format: string | undefined, expr: string): string {
  if (format) return format.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, name: string) => labels[name] ?? '');
  const { __name__: name = '', ...rest } = labels;
  const pairs = Object.entries(rest).map(([k, v]) => `${k}="${v}"`);
  if (!name && pairs.length === 0) return expr;
  return pairs.length ? `${name}{${pairs.join(', ')}}` : name;
}
