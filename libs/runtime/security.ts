import { getStateStore } from './backends.ts';
import type { ServiceContext } from './context.ts';
import { ApiTokenStore } from '../auth/api-token.store.ts';
import { ChainAuthenticator, type CredentialSource } from '../auth/authenticator.ts';
import { JwtAuthenticator } from '../auth/jwt-authenticator.ts';
import { RateLimiter } from '../auth/rate-limiter.ts';
import { SelfAuditLog } from '../auth/self-audit.log.ts';

/**
 * Everything access control needs in one process, built once per ServiceContext so the HTTP hook (main.ts)
 * and the admin API (services/admin) share the same runtime tokens, rate limiter and audit log.
 */
export interface Security {
  authenticator: ChainAuthenticator;
  tokens: ApiTokenStore;
  rateLimiter: RateLimiter;
  audit: SelfAuditLog;
}

const made = new WeakMap<ServiceContext, Promise<Security>>();

export function securityFor(ctx: ServiceContext): Promise<Security> {
  let security = made.get(ctx);
  if (!security) {
    security = build(ctx);
    made.set(ctx, security);
  }
  return security;
}

async function build(ctx: ServiceContext): Promise<Security> {
  const store = () => getStateStore(ctx);
  const tokens = new ApiTokenStore(store);
  const sources: CredentialSource[] = [ctx.authenticator, tokens];
  if (ctx.config.auth.jwt) sources.push(await JwtAuthenticator.create(ctx.config.auth.jwt));
  const audit = new SelfAuditLog({
    store,
    config: ctx.config.auth.audit,
    logger: ctx.logger.child({ component: 'self-audit' }),
  });
  return {
    authenticator: new ChainAuthenticator(sources),
    tokens,
    rateLimiter: new RateLimiter(ctx.config.auth.rateLimit),
    audit,
  };
}
