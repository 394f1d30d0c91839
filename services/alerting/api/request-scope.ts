import type { FastifyRequest } from 'fastify';
import { FULL_SCOPE, type Scope } from '../../../libs/auth/principal.ts';
import { assertFullScope } from '../../../libs/tenancy/alert-scope.ts';

/** The caller's scope; a route registered without the auth hook (unit tests of a plugin) acts unrestricted. */
export const callerScope = (req: FastifyRequest): Scope => req.principal?.scope ?? FULL_SCOPE;

/** 403 unless the caller's scope is unrestricted, naming the refused route. */
export function requireFullScope(req: FastifyRequest): void {
  assertFullScope(callerScope(req), `${req.method} ${req.routeOptions.url ?? req.url}`);
}
