import type { Scope } from '../auth/principal.ts';
import { scopeRecordFilters } from './record-scope.ts';

/**
 * Scope for span queries: the record rule (record-scope.ts) on the spans' `cluster` and `namespace`
 * (`k8s.namespace.name`). A cluster or namespace asked for must be inside the scope (else 403); without one
 * the query is limited to the scope. Absent lists mean unrestricted.
 */
export function scopeSpanQuery(
  scope: Scope,
  asked: { cluster?: string | undefined; namespace?: string | undefined },
): { clusters?: string[]; namespaces?: string[] } {
  const filters: Record<string, readonly string[]> = {};
  if (asked.cluster) filters.cluster = [asked.cluster];
  if (asked.namespace) filters.namespace = [asked.namespace];
  const scoped = scopeRecordFilters(filters, scope);
  return {
    ...(scoped.cluster ? { clusters: [...scoped.cluster] } : {}),
    ...(scoped.namespace ? { namespaces: [...scoped.namespace] } : {}),
  };
}
