import { isUnrestricted, scopeAllows, type Scope } from '../auth/principal.ts';
import { ForbiddenError } from '../errors/errors.ts';
import { scopeWithin, type ObjectScope } from './object-scope.ts';
import { isFullScope } from './promql-scope.ts';

/**
 * Scope policy for alerting's data (docs/security.md, Scoped objects): alerts by their labels, silences by their
 * owner's scope and their matchers, rules and receivers by an unrestricted scope only.
 */

/**
 * A caller limited to some clusters or namespaces sees only alerts whose `cluster` and `namespace` labels are in
 * its scope; a namespace-scoped caller does not see alerts without a namespace (node-level), as in PromQL
 * (promql-scope.ts).
 */
export function alertVisible(scope: Scope, labels: Readonly<Record<string, string>>): boolean {
  return scopeAllows(scope, labels.cluster, labels.namespace);
}

/**
 * Rules and receivers act on every cluster's data (a rule's query is not scoped), so changing them, backtesting or
 * test-sending needs a scope unrestricted in clusters and namespaces. `what` names the refused action.
 */
export function assertFullScope(scope: Scope, what: string): void {
  if (!isFullScope(scope))
    throw new ForbiddenError(`${what} needs a token not restricted to some clusters or namespaces`);
}

/** A silence matcher as Alertmanager's API v2 has it (services/alerting/notify/silences.ts). */
export interface SilenceMatcherLike {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual?: boolean | undefined;
}

const LITERAL = /^[^\\.^$|?*+()[\]{}]+$/;

/** The values a matcher pins its label to: `=` gives one, `=~"a|b"` of literals gives them; anything else none. */
function pinnedValues(m: SilenceMatcherLike): string[] | undefined {
  if (m.isEqual === false) return undefined;
  if (!m.isRegex) return [m.value];
  const parts = m.value.split('|');
  return parts.every((p) => LITERAL.test(p)) ? parts : undefined;
}

/** The label (`namespace`, `cluster`) a silence's matchers do not confine to `scope`, if any. */
export function unconfinedLabel(
  matchers: readonly SilenceMatcherLike[],
  scope: Scope,
): 'cluster' | 'namespace' | undefined {
  for (const [label, allowed] of [
    ['namespace', scope.namespaces],
    ['cluster', scope.clusters],
  ] as const) {
    if (isUnrestricted(allowed)) continue;
    const ok = matchers.some((m) => m.name === label && pinnedValues(m)?.every((v) => allowed.includes(v)));
    if (!ok) return label;
  }
  return undefined;
}

/** A restricted caller sees a silence made within its scope, or one whose matchers confine it there. */
export function silenceVisible(
  scope: Scope,
  silence: { scope?: ObjectScope; matchers: readonly SilenceMatcherLike[] },
): boolean {
  return scopeWithin(silence.scope, scope) || unconfinedLabel(silence.matchers, scope) === undefined;
}

/**
 * The scope a new silence gets: none (global) from an unrestricted caller; from a restricted one, its own scope,
 * provided the matchers pin `namespace` (and `cluster`, when clusters are restricted) to values of that scope.
 */
export function silenceOwnerScope(scope: Scope, matchers: readonly SilenceMatcherLike[]): ObjectScope {
  if (isUnrestricted(scope.clusters) && isUnrestricted(scope.namespaces)) return undefined;
  const label = unconfinedLabel(matchers, scope);
  if (label) {
    const allowed = label === 'namespace' ? scope.namespaces : scope.clusters;
    throw new ForbiddenError(
      `a silence from a token restricted to some ${label}s needs a matcher ${label}="<value>" (or ${label}=~"a|b") with values among ${allowed.join(', ')}`,
    );
  }
  return { clusters: [...scope.clusters], namespaces: [...scope.namespaces] };
}
