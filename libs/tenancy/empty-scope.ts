import type { Scope } from '../auth/principal.ts';

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
