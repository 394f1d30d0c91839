import { isUnrestricted, type Scope } from '../../../libs/auth/principal.ts';
import { ForbiddenError } from '../../../libs/errors/errors.ts';

/**
 * Applies the caller's scope to the requested filters: a restricted list (clusters, namespaces) becomes the
 * filter when the request names none, and asking by name for a value outside it is refused (403), so a
 * scoped token can neither read nor probe other data. `q` is ANDed with these filters by the stores, so a
 * `cluster:x` inside q cannot widen the scope either.
 */
export function applyScope(
  filters: Record<string, readonly string[]>,
  scope: Scope,
): Record<string, readonly string[]> {
  const out = { ...filters };
  restrict(out, 'cluster', scope.clusters);
  restrict(out, 'namespace', scope.namespaces);
  return out;
}

function restrict(
  filters: Record<string, readonly string[]>,
  name: 'cluster' | 'namespace',
  allowed: readonly string[],
): void {
  if (isUnrestricted(allowed)) return;
  // An empty list grants nothing (libs/tenancy/empty-scope.ts); as a filter it would mean "no filter".
  if (allowed.length === 0)
    throw new ForbiddenError(`this token's scope lists no ${name === 'cluster' ? 'clusters' : 'namespaces'}`);
  const asked = filters[name];
  if (asked === undefined) {
    filters[name] = [...allowed];
    return;
  }
  const outside = asked.filter((v) => !allowed.includes(v));
  if (outside.length > 0) {
    throw new ForbiddenError(
      `${name} ${outside.map((v) => `"${v}"`).join(', ')} is outside this token's scope (${allowed.join(', ')})`,
    );
  }
}
