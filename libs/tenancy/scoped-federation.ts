import { isUnrestricted, type Scope } from '../auth/principal.ts';
import type { FederatedQueryService, FederatedResult, PromSample } from '../federation/federation.types.ts';
import {
  filterLabelSets,
  filterLabelValues,
  filterSeries,
  isFullScope,
  scopeQuery,
  scopeSeriesMatch,
} from './promql-scope.ts';
import { scopeKeyOf } from './scope-key.ts';

/**
 * The federation as one caller may see it: every query and `match[]` scoped (promql-scope.ts), every answer
 * re-checked. Wrapping the service, rather than each route, keeps every reader of PromQL data (the
 * Prometheus API, /v1/metrics, dashboards) behind the same enforcement.
 */
export function scopedFederation(fed: FederatedQueryService, scope: Scope): FederatedQueryService {
  if (isFullScope(scope)) return fed;
  // The scope also names the cache partition of the query frontend behind `fed` (issue 21).
  const scopeKey = scopeKeyOf(scope);
  const recheck = (r: FederatedResult): FederatedResult => {
    if (r.resultType !== 'vector' && r.resultType !== 'matrix') return r;
    const { kept, dropped } = filterSeries(r.result as PromSample[], scope);
    return dropped
      ? { ...r, result: kept, warnings: [...r.warnings, `${dropped} series outside your scope were left out`] }
      : { ...r, result: kept };
  };
  return {
    instant: async (q, signal) =>
      recheck(await fed.instant({ ...q, query: scopeQuery(q.query, scope), scopeKey }, signal)),
    range: async (q, signal) => recheck(await fed.range({ ...q, query: scopeQuery(q.query, scope), scopeKey }, signal)),
    // /series requires match[] (Prometheus answers 400 without); only a given one is scoped.
    series: async (q, signal) => {
      const r = await fed.series({ ...q, match: q.match.length ? scopeSeriesMatch(q.match, scope) : [] }, signal);
      return { ...r, data: filterLabelSets(r.data, scope) };
    },
    labelNames: (q = {}, signal) => fed.labelNames({ ...q, match: scopeSeriesMatch(q.match ?? [], scope) }, signal),
    labelValues: async (name, q = {}, signal) => {
      const r = await fed.labelValues(name, { ...q, match: scopeSeriesMatch(q.match ?? [], scope) }, signal);
      return { ...r, data: filterLabelValues(name, r.data, scope) };
    },
    clusters: () => fed.clusters().filter((c) => isUnrestricted(scope.clusters) || scope.clusters.includes(c)),
  };
}
