import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Principal } from '../auth/principal.ts';
import { roleAllows } from '../auth/principal.ts';
import { credentialFromHeader } from '../auth/token-authenticator.ts';
import { ForbiddenError, UnauthenticatedError } from '../errors/errors.ts';
import { requiredRole } from './route-auth.ts';

export interface Authenticator {
  /** Resolves a presented credential (API token or JWT) to a principal, or undefined. */
  authenticate(credential: string): Principal | undefined | Promise<Principal | undefined>;
}

/**
 * Authentication and the role/scope hook for every route. Not encapsulated (fastify-plugin), so it guards
 * every feature plugin registered after it; a route opts out only with `config.access.public`.
 * Unknown routes are also guarded, so probing the route table needs a token.
 */
export const authHook = fp(async (app: FastifyInstance, opts: { authenticator: Authenticator }) => {
  app.decorateRequest('principal', undefined as unknown as Principal);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const access = request.routeOptions.config?.access;
    // The API description is not data: /docs stays readable so users can find their way in.
    if (access?.public || request.url === '/docs' || request.url.startsWith('/docs/')) return;
    const credential = credentialFromHeader(request.headers.authorization);
    const principal = credential ? await opts.authenticator.authenticate(credential) : undefined;
    if (!principal) throw new UnauthenticatedError();
    const needed = requiredRole(request.method, access);
    if (!roleAllows(principal.role, needed)) {
      throw new ForbiddenError(`role "${principal.role}" may not ${request.method} ${request.routeOptions.url ?? request.url} (needs ${needed})`);
    }
    request.principal = principal;
  });
}, { name: 'pharos-auth' });
