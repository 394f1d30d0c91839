import { isUnrestricted, type Scope } from '../auth/principal.ts';

/**
 * A scope as one string, the same for the same scope however its lists are ordered: the partition of a
 * cache that holds answers computed for that scope (the query frontend keys on it). An unrestricted list
 * reads as `*`; the full scope is "", the partition of callers that name none (the alert engine).
 */
export function scopeKeyOf(scope: Scope): string {
  if (isUnrestricted(scope.clusters) && isUnrestricted(scope.namespaces)) return '';
  const list = (l: readonly string[]): string => (isUnrestricted(l) ? '*' : JSON.stringify([...new Set(l)].sort()));
  return `${list(scope.clusters)}|${list(scope.namespaces)}`;
}
