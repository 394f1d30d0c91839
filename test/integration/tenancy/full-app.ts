import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { stringify } from 'yaml';
import { securityFor } from '../../../libs/runtime/security.ts';
import { TokenAuthenticator } from '../../../libs/auth/token-authenticator.ts';
import { loadConfig } from '../../../libs/config/config.loader.ts';
import { buildApp } from '../../../libs/http/app.ts';
import type { Feature } from '../../../libs/http/feature.ts';
import { createLogger } from '../../../libs/logging/logger.ts';
import { createMetricsRegistry } from '../../../libs/metrics/metrics.ts';
import type { ServiceContext } from '../../../libs/runtime/context.ts';
import { Resources } from '../../../libs/runtime/resources.ts';
import { SERVICES, SERVICE_NAMES } from '../../../services/registry.ts';
import { CLUSTER_NAMES, PROMETHEUS_PORTS } from '../../fixtures/prometheus/generate.ts';

/** Tokens of the full test app: one per role, the non-admins scoped to namespace payments. */
export const TOKENS = {
  admin: 'fuzz-admin-token-0123456789',
  editor: 'fuzz-editor-token-0123456789',
  viewer: 'fuzz-viewer-token-0123456789',
  eastViewer: 'fuzz-east-viewer-token-0123456789',
  ingest: 'fuzz-ingest-token-0123456789',
} as const;

export interface FullApp {
  app: FastifyInstance;
  ctx: ServiceContext;
  /** Every route the features registered (method, url pattern). */
  routes: Array<{ method: string; url: string }>;
  dbPath: string;
  close(): Promise<void>;
}

/**
 * The whole of Pharos in one process, as `npm start` assembles it: every service's features on the embedded
 * default (SQLite in a temp dataDir, in-process bus), clusters east/west/north on the fixture Prometheus
 * servers. Routes are collected with an onRoute hook registered ahead of the features.
 */
export async function buildFullApp(
  overrides: Record<string, unknown> = {},
  exclude: readonly string[] = [],
): Promise<FullApp> {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-tenancy-'));
  const payments = { clusters: ['*'], namespaces: ['payments'] };
  const raw = {
    dataDir: dir,
    log: { level: 'silent' },
    storage: { type: 'sqlite', path: join(dir, 'pharos.db') },
    bus: { type: 'memory' },
    clusters: CLUSTER_NAMES.map((name) => ({
      name,
      prometheus: { url: `http://127.0.0.1:${PROMETHEUS_PORTS[name]}`, timeoutMs: 10_000 },
    })),
    auth: {
      tokens: [
        { name: 'admin', token: TOKENS.admin, role: 'admin' },
        { name: 'editor', token: TOKENS.editor, role: 'editor', scope: payments },
        { name: 'viewer', token: TOKENS.viewer, role: 'viewer', scope: payments },
        {
          name: 'east-viewer',
          token: TOKENS.eastViewer,
          role: 'viewer',
          scope: { clusters: ['east'], namespaces: ['payments'] },
        },
        { name: 'ingest', token: TOKENS.ingest, role: 'ingest' },
      ],
      rateLimit: { perSecond: 0 },
    },
    ...overrides,
  };
  const file = join(dir, 'pharos.yaml');
  writeFileSync(file, stringify(raw));
  const config = loadConfig({ file, env: {} });
  const logger = createLogger('silent');
  const ctx: ServiceContext = {
    config,
    logger,
    metrics: createMetricsRegistry(),
    authenticator: new TokenAuthenticator(config.auth.tokens),
    resources: new Resources(),
  };
  const routes: FullApp['routes'] = [];
  const collect: Feature = {
    name: 'route-collector',
    routes: fp(async (app: FastifyInstance) => {
      app.addHook('onRoute', (r: RouteOptions) => {
        for (const method of [r.method].flat()) if (method !== 'HEAD') routes.push({ method, url: r.url });
      });
    }),
  };
  const features: Feature[] = [collect];
  for (const name of SERVICE_NAMES)
    features.push(...(await SERVICES[name](ctx)).filter((f) => !exclude.includes(f.name)));
  const security = await securityFor(ctx);
  const app = await buildApp({
    logger,
    metrics: ctx.metrics,
    features,
    bodyLimitBytes: config.server.bodyLimitBytes,
    limits: config.server,
    authenticator: security.authenticator,
    guards: { rateLimiter: security.rateLimiter, audit: security.audit },
  });
  await app.ready();
  for (const f of features) await f.start?.();
  return {
    app,
    ctx,
    routes,
    dbPath: join(dir, 'pharos.db'),
    close: async () => {
      await app.close();
      for (const f of [...features].reverse()) await f.stop?.().catch(() => undefined);
      await security.audit.stop().catch(() => undefined);
      await ctx.resources.closeAll();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
