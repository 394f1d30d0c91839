import type { RecordTarget } from '../../../libs/dashboards/dashboard.schema.ts';
import { interpolate, interpolateFilter } from '../../../libs/dashboards/interpolate.ts';
import { LimitError } from '../../../libs/errors/errors.ts';
import { recordInScope, scopeRecordFilters } from '../../../libs/tenancy/record-scope.ts';
import type { TargetContext, TargetOutput } from './render.types.ts';

/**
 * Runs a logs/events/audit target: the Query API's filters and `q`, over the panel's range, newest first,
 * inside the caller's cluster/namespace scope, enforced as the Query API does (libs/tenancy).
 */
export async function runRecordTarget(target: RecordTarget, ctx: TargetContext): Promise<TargetOutput> {
  if (ctx.range.to - ctx.range.from > ctx.maxRecordRangeMs) {
    throw new LimitError(
      `the time range is over ${Math.round(ctx.maxRecordRangeMs / 86_400_000)} days (query.maxRangeDays) for ${target.datasource}; narrow from/to`,
    );
  }
  const filters: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(target.filters)) {
    const values = interpolateFilter(Array.isArray(value) ? value : [value], ctx.scope);
    if (values) filters[name] = values;
  }
  const scoped = scopeRecordFilters(filters, ctx.principalScope);
  const q = target.q ? interpolate(target.q, ctx.scope, 'search').trim() : '';
  const records = await ctx.records();
  const page = await records.search(
    target.datasource,
    {
      filters: scoped as Record<string, string[]>,
      ...(q ? { q } : {}),
      start: ctx.range.from,
      end: ctx.range.to,
      size: target.limit,
    },
    ctx.signal,
  );
  // `raw` is the whole original object: too big for a panel, and the Query API serves it on demand.
  const items = page.items
    .filter((doc) => recordInScope(doc, ctx.principalScope))
    .map((doc) => {
      const { raw: _raw, ...rest } = doc as unknown as Record<string, unknown>;
      return rest;
    });
  return {
    series: [],
    records: [{ refId: ctx.refId, source: target.datasource, total: page.total, items }],
    warnings: [],
  };
}
