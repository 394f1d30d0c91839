import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Principal } from '../auth/principal.ts';
import { roleAllows } from '../auth/principal.ts';
import type { RateDecision } from '../auth/rate-limiter.ts';
import { outcomeOf, type SelfAuditEntry } from '../auth/self-audit.log.ts';
import { credentialFromHeader } from '../auth/token-authenticator.ts';
import { ForbiddenError, PharosError, UnauthenticatedError } from '../errors/errors.ts';
import { emptyScopeProblem } from '../tenancy/empty-scope.ts';
import { requiredRole } from './route-auth.ts';

export interface Authenticator {
  /** Resolves a presented credential (API token or JWT) to a principal, or undefined. */
  authenticate(credential: string): Principal | undefined | Promise<Principal | undefined>;
}

/** Optional guards beside authentication (libs/runtime/security.ts builds them from the config). */
export interface AccessGuards {
  /** Per-principal request rate (token bucket). */
  rateLimiter?: { take(key: string): RateDecision };
  /** Pharos's own audit trail: one entry per answered request. */
  audit?: { record(entry: SelfAuditEntry): void };
}

const isPublic = (request: FastifyRequest): boolean =>
  Boolean(request.routeOptions.config?.access?.public) || request.url === '/docs' || request.url.startsWith('/docs/');

/**
 * Authentication and the role/scope hook for every route. Not encapsulated (fastify-plugin), so it guards
 * every feature plugin registered after it; a route opts out only with `config.access.public`.
 * Unknown routes are also guarded, so probing the route table needs a token.
 */
export const authHook = fp(
  async (app: FastifyInstance, opts: { authenticator: Authenticator } & AccessGuards) => {
    app.decorateRequest('principal', undefined as unknown as Principal);
    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      // The API description is not data: /docs stays readable so users can find their way in.
      if (isPublic(request)) return;
      const credential = credentialFromHeader(request.headers.authorization);
      const principal = credential ? await opts.authenticator.authenticate(credential) : undefined;
      if (!principal) throw new UnauthenticatedError();
      // Set before the checks below so the audit trail names who was refused.
      request.principal = principal;
      const rate = opts.rateLimiter?.take(principal.name);
      if (rate && !rate.allowed) {
        void reply.header('retry-after', String(rate.retryAfterSec));
        throw new PharosError(
          'PHAROS_ERR_RATE_LIMITED',
          `too many requests for "${principal.name}": retry after ${rate.retryAfterSec}s`,
        );
      }
      const empty = emptyScopeProblem(principal.scope);
      if (empty) throw new ForbiddenError(`"${principal.name}" may not call any API: ${empty}`);
      const needed = requiredRole(request.method, request.routeOptions.config?.access);
      if (!roleAllows(principal.role, needed)) {
        throw new ForbiddenError(
          `role "${principal.role}" may not ${request.method} ${request.routeOptions.url ?? request.url} (needs ${needed})`,
        );
      }
    });
    if (opts.audit) {
      const audit = opts.audit;
      app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
        if (isPublic(request)) return;
        const p = request.principal;
        audit.record({
          time: Date.now(),
          principal: p?.name ?? 'anonymous',
          via: p?.via ?? 'anonymous',
          role: p?.role ?? 'none',
          scope: { clusters: [...(p?.scope.clusters ?? [])], namespaces: [...(p?.scope.namespaces ?? [])] },
          method: request.method,
          route: request.routeOptions.url ?? 'unmatched',
          status: reply.statusCode,
          outcome: outcomeOf(reply.statusCode),
          durationMs: Math.round(reply.elapsedTime * 100) / 100,
          requestId: String(request.id),
        });
      });
    }
  },
  { name: 'pharos-auth' },
);
