// Pharos with only the federation feature, on the three fixture Prometheus servers (plus any extra cluster
// entries a test adds, e.g. one pointing at a closed port).
import type { FastifyInstance } from 'fastify';
import { TokenAuthenticator } from '../../../libs/auth/token-authenticator.ts';
import { configSchema } from '../../../libs/config/config.schema.ts';
import { buildApp } from '../../../libs/http/app.ts';
import { createLogger } from '../../../libs/logging/logger.ts';
import { createMetricsRegistry } from '../../../libs/metrics/metrics.ts';
import type { ServiceContext } from '../../../libs/runtime/context.ts';
import { Resources } from '../../../libs/runtime/resources.ts';
import { federationFeature } from '../../../services/query/prometheus-api/federation.feature.ts';
import { CLUSTER_NAMES, PROMETHEUS_PORTS } from '../../fixtures/prometheus/generate.ts';

export const TOKEN = 'federation-viewer-token-0123456789';
export const AUTH = { authorization: `Bearer ${TOKEN}` };

export interface ClusterEntry {
  name: string;
  prometheus: { url: string; replicas?: string[]; replicaLabel?: string; timeoutMs?: number };
}

export const fixtureClusters = (): ClusterEntry[] =>
  CLUSTER_NAMES.map((name) => ({ name, prometheus: { url: `http://127.0.0.1:${PROMETHEUS_PORTS[name]}` } }));

export async function startFederation(
  clusters: ClusterEntry[] = fixtureClusters(),
  federation: Record<string, unknown> = {},
): Promise<{ app: FastifyInstance; close(): Promise<void> }> {
  const config = configSchema.parse({
    clusters,
    federation,
    auth: { tokens: [{ name: 'it-viewer', token: TOKEN, role: 'viewer' }] },
  });
  const authenticator = new TokenAuthenticator(config.auth.tokens);
  const ctx: ServiceContext = {
    config,
    logger: createLogger('warn'),
    metrics: createMetricsRegistry(),
    authenticator,
    resources: new Resources(),
  };
  const app = await buildApp({
    logger: ctx.logger,
    metrics: ctx.metrics,
    authenticator,
    features: [federationFeature(ctx)],
  });
  return {
    app,
    close: async () => {
      await app.close();
      await ctx.resources.closeAll();
    },
  };
}
