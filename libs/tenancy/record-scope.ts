import { isUnrestricted, type Scope } from '../auth/principal.ts';
import { ForbiddenError } from '../errors/errors.ts';

/**
 * Scope for record queries (logs, events, audit). Filters are exact-match lists (OR within a field, AND
 * across fields; libs/store/record-store.ts), so the scope becomes one more pair of filters:
 * - a `cluster`/`namespace` filter the caller gave must stay inside the scope, else 403 (asking for
 *   another team's namespace by name is refused, not silently emptied);
 * - without one, the filter is the scope itself.
 * The free-text `q` needs nothing here: the store ANDs it with the filters, so `namespace:kube-system` in
 * `q` can only narrow. Records without a namespace (cluster-level events, audit of cluster-scoped
 * resources) match no namespace filter, so a namespace-scoped caller does not see them.
 */
export function scopeRecordFilters(
  filters: Readonly<Record<string, readonly string[]>>,
  scope: Scope,
): Record<string, readonly string[]> {
  const out: Record<string, readonly string[]> = { ...filters };
  for (const [field, allowed] of [
    ['cluster', scope.clusters],
    ['namespace', scope.namespaces],
  ] as const) {
    if (isUnrestricted(allowed)) continue;
    if (allowed.length === 0)
      throw new ForbiddenError(`your scope grants no ${field === 'cluster' ? 'clusters' : 'namespaces'}`);
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
