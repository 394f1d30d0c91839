import { isUnrestricted, type Principal, type Scope } from '../auth/principal.ts';

/**
 * Scopes of stored objects (silences, dashboards): an object made by a restricted principal keeps that
 * principal's scope; one made by an unrestricted principal (or from a file) has none and is global.
 */
export type ObjectScope = Scope | undefined;

/** The scope a new object gets: the creator's, or none (global) for an unrestricted creator. */
export function ownerScope(principal: Principal | undefined): ObjectScope {
  if (!principal || (isUnrestricted(principal.scope.clusters) && isUnrestricted(principal.scope.namespaces)))
    return undefined;
  return { clusters: [...principal.scope.clusters], namespaces: [...principal.scope.namespaces] };
}

const listWithin = (inner: readonly string[], outer: readonly string[]): boolean =>
  isUnrestricted(outer) || (!isUnrestricted(inner) && inner.every((v) => outer.includes(v)));

/** True when an object of scope `inner` lies within `outer`; a global object lies only within a full scope. */
export function scopeWithin(inner: ObjectScope, outer: Scope): boolean {
  const full: Scope = { clusters: ['*'], namespaces: ['*'] };
  const obj = inner ?? full;
  return listWithin(obj.clusters, outer.clusters) && listWithin(obj.namespaces, outer.namespaces);
}
