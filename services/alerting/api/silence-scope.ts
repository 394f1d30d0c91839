import type { FastifyRequest } from 'fastify';
import { isUnrestricted, type Scope } from '../../../libs/auth/principal.ts';
import { ForbiddenError, NotFoundError } from '../../../libs/errors/errors.ts';
import { ownerScope, scopeWithin } from '../../../libs/tenancy/object-scope.ts';
import type { Silence, SilenceMatcher } from '../notify/silences.ts';

const LITERAL = /^[^\\.^$|?*+()[\]{}]+$/;

/** The values a matcher pins its label to: `=` gives one, `=~"a|b"` of literals gives them; anything else none. */
function pinnedValues(m: SilenceMatcher): string[] | undefined {
  if (m.isEqual === false) return undefined;
  if (!m.isRegex) return [m.value];
  const parts = m.value.split('|');
  return parts.every((p) => LITERAL.test(p)) ? parts : undefined;
}

/** The label (`namespace`, `cluster`) a silence's matchers do not confine to `scope`, if any. */
export function unconfinedLabel(
  matchers: readonly SilenceMatcher[],
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
export function silenceVisible(req: FastifyRequest, s: Silence): boolean {
  if (!req.principal) return true;
  return scopeWithin(s.scope, req.principal.scope) || unconfinedLabel(s.matchers, req.principal.scope) === undefined;
}

/** 404, not 403, for a silence outside the caller's scope, so its existence is not revealed. */
export function assertSilenceVisible(req: FastifyRequest, s: Silence): Silence {
  if (!silenceVisible(req, s)) throw new NotFoundError(`silence ${s.id} not found`);
  return s;
}

/**
 * A restricted editor may only silence alerts of its own scope: the matchers must pin `namespace` (and
 * `cluster`, when clusters are restricted) to values of the scope. The silence keeps the creator's scope.
 */
export function scopedSilenceInput<T extends { matchers: SilenceMatcher[] }>(
  req: FastifyRequest,
  body: T,
): T & { scope?: Scope } {
  const scope = ownerScope(req.principal);
  if (!scope) return body;
  const label = unconfinedLabel(body.matchers, scope);
  if (label) {
    const allowed = label === 'namespace' ? scope.namespaces : scope.clusters;
    throw new ForbiddenError(
      `a silence from a token restricted to some ${label}s needs a matcher ${label}="<value>" (or ${label}=~"a|b") with values among ${allowed.join(', ')}`,
    );
  }
  return { ...body, scope };
}
