import { isUnrestricted, type Scope } from '../auth/principal.ts';
import { ForbiddenError } from '../errors/errors.ts';
import { grantedValues, SCOPE_FIELDS } from './empty-scope.ts';

/**
 * The scope policy of records (logs, events, audit; spans reuse it, span-scope.ts), applied at the entry of
 * every service that reads them (records, live tail, dashboards' record targets). Filters are exact-match
 * lists (OR within a field, AND across fields; libs/store/record-store.ts), so the scope becomes one more
 * pair of filters:
 * - a `cluster`/`namespace` filter the caller gave must stay inside the scope, else 403 (asking for
 *   another team's namespace by name is refused, not silently emptied);
 * - without one, the filter is the scope itself;
 * - an empty scope list grants nothing: 403 (empty-scope.ts), never "no filter".
 * The free-text `q` needs nothing here: the store ANDs it with the filters, so `namespace:kube-system` in
 * `q` can only narrow. Records without a namespace (cluster-level events, audit of cluster-scoped
 * resources) match no namespace filter, so a namespace-scoped caller does not see them.
 */
export function scopeRecordFilters(
  filters: Readonly<Record<string, readonly string[]>>,
  scope: Scope,
): Record<string, readonly string[]> {
  const out: Record<string, readonly string[]> = { ...filters };
  for (const [field, list] of SCOPE_FIELDS) {
    const allowed = grantedValues(scope, list);
    if (allowed === undefined) continue;
    const asked = filters[field];
    if (asked === undefined || asked.length === 0) {
      out[field] = [...allowed];
      continue;
    }
    const outside = asked.filter((v) => !allowed.includes(v));
    if (outside.length)
      throw new ForbiddenError(
        `${field} ${outside.map((v) => `"${v}"`).join(', ')} is outside your scope (${allowed.join(', ')})`,
      );
  }
  return out;
}

/** Re-check of an answer: a record outside the scope never leaves the API, whatever the query did. */
export function recordInScope(
  doc: { cluster?: string | undefined; namespace?: string | undefined },
  scope: Scope,
): boolean {
  const clusterOk =
    isUnrestricted(scope.clusters) || (doc.cluster !== undefined && scope.clusters.includes(doc.cluster));
  const nsOk =
    isUnrestricted(scope.namespaces) || (doc.namespace !== undefined && scope.namespaces.includes(doc.namespace));
  return clusterOk && nsOk;
}
