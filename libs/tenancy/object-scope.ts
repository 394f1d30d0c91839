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

/**
 * Who may read a stored definition (a dashboard): a global one is visible to everyone, since it holds no data
 * (its data is scoped when it is rendered); a scoped one to callers whose scope contains it. Changing either
 * needs `scopeWithin` (a restricted caller cannot change a global object). Silences are stricter: their
 * matchers name what they silence, so a global one is shown only when its matchers confine it to the scope.
 */
export function definitionVisible(obj: ObjectScope, scope: Scope): boolean {
  return obj === undefined || scopeWithin(obj, scope);
}
