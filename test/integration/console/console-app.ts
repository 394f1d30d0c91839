import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
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
import { readJson, readJsonl, runId } from '../ingest/pipeline.helpers.ts';
import { until } from '../../support/until.ts';

export type Backend = 'embedded' | 'kafka+opensearch';

export const TOKENS = {
  admin: 'console-admin-token-0123456789',
  /** A viewer limited to one namespace of the real data. */
  multus: 'console-multus-viewer-token-0123456789',
  ingest: 'console-ingest-token-0123456789',
  /** A viewer limited to namespace `pay` (the traces suite's checkout service). */
  pay: 'console-pay-viewer-token-0123456789',
} as const;
export const SCOPED_NAMESPACE = 'openshift-multus';

export interface ConsoleApp {
  base: string;
  backend: Backend;
  ctx: ServiceContext;
  /** GET a Pharos API path as the given token; the parsed JSON. */
  get<T = Record<string, unknown>>(path: string, token?: string): Promise<T>;
  post(
    path: string,
    body: unknown,
    how?: { token?: string; contentType?: string },
  ): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

/**
 * The whole of Pharos in one process as `npm start -- all` assembles it (collector, indexer, query with the
 * console, alerting), listening on a free loopback port: on the embedded default (SQLite, in-process bus) or on
 * the real Kafka and OpenSearch under a fresh topic and index prefix. Clusters east/west/north are the fixture
 * Prometheus servers; a webhook receiver (`webhookUrl`) gets the notifications.
 */
export async function startConsoleApp(backend: Backend, webhookUrl: string): Promise<ConsoleApp> {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-console-'));
  const run = runId('console');
  const engines =
    backend === 'embedded'
      ? { storage: { type: 'sqlite', path: join(dir, 'pharos.db') }, bus: { type: 'memory' } }
      : {
          storage: { type: 'opensearch', url: 'http://127.0.0.1:9200', indexPrefix: run },
          bus: { type: 'kafka', brokers: ['127.0.0.1:9092'], topicPrefix: run, clientId: run, partitions: 3 },
        };
  const raw = {
    server: { host: '127.0.0.1', port: 0 },
    dataDir: dir,
    log: { level: 'silent' },
    ...engines,
    collector: { cluster: 'east' },
    clusters: CLUSTER_NAMES.map((name) => ({
      name,
      prometheus: { url: `http://127.0.0.1:${PROMETHEUS_PORTS[name]}`, timeoutMs: 10_000 },
    })),
    // The real data spans 2021-08-03 (AWS events) to 2021-09-13 (Azure events): one view over both is 41 days.
    query: { maxRangeDays: 60, tail: { pollIntervalMs: 250 } },
    auth: {
      tokens: [
        { name: 'admin', token: TOKENS.admin, role: 'admin' },
        {
          name: 'multus-viewer',
          token: TOKENS.multus,
          role: 'viewer',
          scope: { clusters: ['*'], namespaces: [SCOPED_NAMESPACE] },
        },
        { name: 'ingest', token: TOKENS.ingest, role: 'ingest' },
        { name: 'pay-viewer', token: TOKENS.pay, role: 'viewer', scope: { clusters: ['*'], namespaces: ['pay'] } },
      ],
      rateLimit: { perSecond: 0 },
    },
    alerting: {
      ruleFiles: [],
      evaluation: { leaseTtl: '3s' },
      notification: { tick: '200ms' },
      route: {
        receiver: 'team',
        group_by: ['alertname', 'cluster'],
        group_wait: '1s',
        group_interval: '2s',
        repeat_interval: '1h',
      },
      receivers: [{ name: 'team', webhook_configs: [{ url: webhookUrl }] }],
    },
    dashboards: { dir: join(import.meta.dirname, '../../../dashboards') },
  };
  const file = join(dir, 'pharos.yaml');
  writeFileSync(file, stringify(raw));
  const config = loadConfig({ file, env: {} });
  const logger = createLogger(process.env.PHAROS_TEST_LOG ?? 'silent');
  const ctx: ServiceContext = {
    config,
    logger,
    metrics: createMetricsRegistry(),
    authenticator: new TokenAuthenticator(config.auth.tokens),
    resources: new Resources(),
  };
  const features: Feature[] = [];
  for (const name of SERVICE_NAMES) features.push(...(await SERVICES[name](ctx)));
  const security = await securityFor(ctx);
  const app: FastifyInstance = await buildApp({
    logger,
    metrics: ctx.metrics,
    features,
    authenticator: security.authenticator,
    guards: { rateLimiter: security.rateLimiter, audit: security.audit },
  });
  for (const f of features) await f.start?.();
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const headers = (token: string) => ({ authorization: `Bearer ${token}` });
  return {
    base,
    backend,
    ctx,
    async get(path, token = TOKENS.admin) {
      const res = await fetch(`${base}${path}`, { headers: headers(token) });
      const body = await res.json();
      if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(body)}`);
      return body;
    },
    async post(path, body, { token = TOKENS.admin, contentType = 'application/json' } = {}) {
      const res = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { ...headers(token), 'content-type': contentType },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      return { status: res.status, body: await res.json().catch(() => ({})) };
    },
    async close() {
      await app.close();
      for (const f of [...features].reverse()) await f.stop?.().catch(() => undefined);
      await security.audit.stop().catch(() => undefined);
      await ctx.resources.closeAll();
      if (backend !== 'embedded')
        await fetch(`http://127.0.0.1:9200/${run}*`, { method: 'DELETE' }).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The real data sets, through the collector's HTTP intakes, as clusters would send them. */
export const SEED = {
  /** 1,000 core/v1 Events of one OpenShift install on Azure, 2021-09-13 14:47–14:52 UTC. */
  east: 'k8s-events/openshift-must-gather-azure_core-v1-events_first1000.jsonl',
  /** 260 Events of a second cluster (AWS), 2021-08-03. */
  west: 'k8s-events/openshift-must-gather-aws_core-v1-events_diverse-sample.EventList.json',
  /** 100 audit events (OpenShift 4.12, RequestResponse), 2023-06-12. */
  audit: 'k8s-audit/openshift-clo_audit_in_openshift412_requestresponse.jsonl',
};
export const EVENTS_TOTAL = 1260;

export async function seed(app: ConsoleApp): Promise<void> {
  const send = async (path: string, body: unknown) => {
    const res = await app.post(path, body, { token: TOKENS.ingest });
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
  };
  await send('/v1/ingest/events?cluster=east', readJsonl(SEED.east));
  await send('/v1/ingest/events?cluster=west', readJson(SEED.west));
  await send('/v1/ingest/audit?cluster=east', readJsonl(SEED.audit));
  // A new OpenSearch index may answer "all shards failed" for a moment while its shard starts: ask again.
  const count = async (path: string) => (await app.get<{ total: number }>(path).catch(() => ({ total: -1 }))).total;
  await until(
    async () => (await count('/v1/events?start=2021-08-01T00:00:00Z&end=2021-09-30T00:00:00Z&size=1')) === EVENTS_TOTAL,
    180_000,
    'seeded events indexed',
  );
  await until(
    async () => (await count('/v1/audit?start=2023-06-12T00:00:00Z&end=2023-06-13T00:00:00Z&size=1')) === 100,
    180_000,
    'seeded audit indexed',
  );
  // One log line through the pipeline first: the logs topic's first message pays for topic metadata and the
  // consumer's first fetch, which the live-tail test should not measure.
  const res = await app.post(
    '/v1/ingest/logs?cluster=east',
    logLines({ namespace: 'warmup', pod: 'warmup-0' }, ['pipeline warm-up']),
    { token: TOKENS.ingest, contentType: 'application/x-ndjson' },
  );
  if (res.status !== 200) throw new Error(`warm-up log: ${res.status}`);
  await until(async () => (await count('/v1/logs?namespace=warmup&size=1')) === 1, 180_000, 'warm-up log indexed');
}

/**
 * Fluent Bit's JSON shape (`date` in epoch seconds, `log`, `kubernetes.*`), one line per record; the cluster is the
 * URL's.
 */
export function logLines(
  { namespace, pod }: { namespace: string; pod: string },
  messages: string[],
  at = Date.now(),
): string {
  return messages
    .map((log, i) =>
      JSON.stringify({
        date: (at + i) / 1000,
        log,
        kubernetes: { namespace_name: namespace, pod_name: pod, container_name: 'app', host: 'node-1' },
      }),
    )
    .join('\n');
}
