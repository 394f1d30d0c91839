import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { TokenAuthenticator } from '../../../libs/auth/token-authenticator.ts';
import { configSchema } from '../../../libs/config/config.schema.ts';
import { buildApp } from '../../../libs/http/app.ts';
import { createLogger } from '../../../libs/logging/logger.ts';
import { createMetricsRegistry } from '../../../libs/metrics/metrics.ts';
import type { ServiceContext } from '../../../libs/runtime/context.ts';
import { Resources } from '../../../libs/runtime/resources.ts';
import { dashboardBackends } from '../../../services/query/dashboards/dashboards.backends.ts';
import { consoleFeature } from '../../../services/query/console/console.feature.ts';
import { dashboardsFeature } from '../../../services/query/dashboards/dashboards.feature.ts';
import { CLUSTER_NAMES, PROMETHEUS_PORTS } from '../../fixtures/prometheus/generate.ts';

export const repoRoot = resolve(import.meta.dirname, '../../..');
export const ADMIN_TOKEN = 'dashboards-admin-token-0123456789';
export const AUTH = { authorization: `Bearer ${ADMIN_TOKEN}` };

export type StorageKind = 'sqlite' | 'opensearch';

/** A viewer token limited to some clusters and namespaces (`*`: all). */
export interface ScopedViewer {
  name: string;
  token: string;
  scope: { clusters: string[]; namespaces: string[] };
}

export interface Harness {
  app: FastifyInstance;
  ctx: ServiceContext;
  close(): Promise<void>;
}

/**
 * The dashboards feature with the backends the query service gives it (and the console at /ui that shows
 * them), on real engines: the three
 * fixture Prometheus servers behind the federation, and SQLite or OpenSearch for state and records.
 */
export async function startQueryService(storage: StorageKind, viewers: ScopedViewer[] = []): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-dash-int-'));
  const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const config = configSchema.parse({
    dataDir: dir,
    storage:
      storage === 'sqlite'
        ? { type: 'sqlite', path: join(dir, 'pharos.db') }
        : { type: 'opensearch', url: 'http://127.0.0.1:9200', indexPrefix: `pharos-dash-it-${run}` },
    clusters: CLUSTER_NAMES.map((name) => ({
      name,
      prometheus: { url: `http://127.0.0.1:${PROMETHEUS_PORTS[name]}` },
    })),
    dashboards: { dir: join(repoRoot, 'dashboards') },
  });
  const authenticator = new TokenAuthenticator([
    { name: 'it-admin', token: ADMIN_TOKEN, role: 'admin' },
    ...viewers.map((v) => ({ ...v, role: 'viewer' as const })),
  ]);
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
    features: [dashboardsFeature(ctx, dashboardBackends(ctx)), consoleFeature(ctx)],
  });
  return {
    app,
    ctx,
    close: async () => {
      await app.close();
      await ctx.resources.closeAll();
      if (storage === 'opensearch')
        await fetch(`http://127.0.0.1:9200/pharos-dash-it-${run}*`, { method: 'DELETE' }).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The union fixture server holds every cluster's series with a `cluster` label: the oracle for federated answers. */
export async function unionQueryRange(
  query: string,
  { start, end, step }: { start: number; end: number; step: number },
): Promise<{ metric: Record<string, string>; values: [number, string][] }[]> {
  const params = new URLSearchParams({ query, start: String(start), end: String(end), step: String(step) });
  const res = await fetch(`http://127.0.0.1:${PROMETHEUS_PORTS.union}/api/v1/query_range?${params}`);
  const body = (await res.json()) as {
    status: string;
    data?: { result: { metric: Record<string, string>; values: [number, string][] }[] };
    error?: string;
  };
  if (body.status !== 'success') throw new Error(`union Prometheus refused ${query}: ${body.error}`);
  return body.data?.result ?? [];
}
