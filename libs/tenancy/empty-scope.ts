import { isUnrestricted, type Scope } from '../auth/principal.ts';
import { ForbiddenError } from '../errors/errors.ts';

/**
 * The one rule for empty scope lists, the same on every API (docs/security.md, Scope): a scope that lists
 * no cluster or no namespace grants nothing. Configured tokens cannot have one (refused at boot), nor can
 * tokens made with the admin API (400); a JWT's scope claim can, and such a caller is refused (403) by the
 * auth hook before any route runs, so no API can read an empty list as "no filter".
 */
export function emptyScopeProblem(scope: Scope): string | undefined {
  const empty = [
    scope.clusters.length === 0 ? 'clusters' : undefined,
    scope.namespaces.length === 0 ? 'namespaces' : undefined,
  ].filter(Boolean);
  return empty.length ? `its scope lists no ${empty.join(' and no ')}, so it grants nothing` : undefined;
}

/** The scope's two lists, by the field (record filter, PromQL label) each one restricts. */
export const SCOPE_FIELDS = [
  ['cluster', 'clusters'],
  ['namespace', 'namespaces'],
] as const;

/**
 * The values one list of the scope allows, or `undefined` when it allows every value (`*`). The second line
 * behind the auth hook, shared by every data kind (records, spans, PromQL): an empty list is a 403 here too,
 * never "no filter", so no policy can read it differently (issue 20: the records API once showed everything
 * for `namespaces: []` while dashboards refused it).
 */
export function grantedValues(scope: Scope, list: 'clusters' | 'namespaces'): readonly string[] | undefined {
  const values = scope[list];
  if (isUnrestricted(values)) return undefined;
  if (values.length === 0) throw new ForbiddenError(`your scope lists no ${list}, so it grants no ${list}`);
  return values;
}
