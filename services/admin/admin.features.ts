import { securityFor } from '../../libs/runtime/security.ts';
import type { Feature } from '../../libs/http/feature.ts';
import type { ServiceContext } from '../../libs/runtime/context.ts';
import { selfAuditRoutes } from './audit.routes.ts';
import { tokenRoutes } from './token.routes.ts';

const PRUNE_EVERY_MS = 3_600_000;

/** The admin API: runtime API tokens and Pharos's own audit trail (with its retention). */
export async function adminFeatures(ctx: ServiceContext): Promise<Feature[]> {
  const security = await securityFor(ctx);
  const log = ctx.logger.child({ component: 'admin' });
  let pruner: NodeJS.Timeout | undefined;
  const prune = () =>
    void security.audit.prune().catch((err: unknown) => log.error({ err }, 'self-audit prune failed'));
  return [
    {
      name: 'admin',
      routes: async (app) => {
        await app.register(tokenRoutes({ tokens: security.tokens, configuredName: (n) => ctx.authenticator.has(n) }));
        await app.register(selfAuditRoutes({ audit: security.audit }));
      },
      start: async () => {
        if (!security.audit.enabled) return;
        prune();
        pruner = setInterval(prune, PRUNE_EVERY_MS).unref();
      },
      stop: async () => {
        if (pruner) clearInterval(pruner);
        await security.audit.stop();
      },
    },
  ];
}
