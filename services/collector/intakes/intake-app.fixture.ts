import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { Principal } from '../../../libs/auth/principal.ts';
import type { Bus } from '../../../libs/bus/bus.ts';
import { MemoryBus } from '../../../libs/bus/memory.bus.ts';
import { unpackRecords } from '../../../libs/bus/record-pack.ts';
import { topicsFor } from '../../../libs/bus/topics.ts';
import { loadConfig } from '../../../libs/config/config.loader.ts';
import { buildApp } from '../../../libs/http/app.ts';
import type { RecordKind } from '../../../libs/schemas/records.ts';
import type { AnyDoc } from '../../../libs/store/record-store.ts';
import { ingestMetrics } from '../ingest.metrics.ts';
import { createIngestService } from '../ingest.service.ts';
import { esBulkRoutes } from './es-bulk.routes.ts';
import { createIntakeService } from './intake.service.ts';
import { lokiPushRoutes } from './loki-push.routes.ts';
import { otlpLogsRoutes } from './otlp-logs.routes.ts';

/** Test app with the three agent intakes on an in-process bus, and principals by token. */
export const PRINCIPALS: Record<string, Principal> = {
  ingest: { name: 'collector', role: 'ingest', scope: { clusters: ['*'], namespaces: ['*'] }, via: 'token' },
  eastOnly: { name: 'east-collector', role: 'ingest', scope: { clusters: ['east'], namespaces: ['*'] }, via: 'token' },
  viewer: { name: 'viewer', role: 'viewer', scope: { clusters: ['*'], namespaces: ['*'] }, via: 'token' },
};
export const topics = topicsFor({ type: 'memory' });

export interface IntakeApp {
  app: FastifyInstance;
  registry: Registry;
  bus: Bus;
  /** Records published so far of a kind, unpacked, in publish order. */
  published(kind: RecordKind): Promise<AnyDoc[]>;
}

export async function intakeApp(
  opts: { bus?: Bus; maxBodyBytes?: number; tenantAsCluster?: boolean } = {},
): Promise<IntakeApp> {
  const bus = opts.bus ?? new MemoryBus();
  const registry = new Registry();
  const metrics = ingestMetrics(registry);
  const logger = pino({ level: 'silent' });
  const ingest = createIngestService({ bus: async () => bus, topics, maxInFlight: 100_000, metrics, logger });
  const intake = createIntakeService({ ingest, metrics, cluster: 'local' });
  const config = loadConfig({ env: {} });
  const maxBodyBytes = opts.maxBodyBytes ?? 1024 * 1024;
  const app = await buildApp({
    logger,
    metrics: registry,
    bodyLimitBytes: maxBodyBytes,
    authenticator: { authenticate: (c) => PRINCIPALS[c] },
    features: [
      { name: 'otlp', routes: otlpLogsRoutes({ intake, maxBodyBytes }) },
      {
        name: 'loki',
        routes: lokiPushRoutes({
          intake,
          maxBodyBytes,
          labels: config.collector.loki.labels,
          tenantAsCluster: opts.tenantAsCluster ?? false,
        }),
      },
      { name: 'es', routes: esBulkRoutes({ intake, maxBodyBytes, version: config.collector.elasticsearch.version }) },
    ],
  });
  const seen = new Map<RecordKind, AnyDoc[]>();
  const subs = new Map<RecordKind, Promise<unknown>>();
  const published = async (kind: RecordKind) => {
    if (!subs.has(kind)) {
      seen.set(kind, []);
      subs.set(
        kind,
        bus.subscribe({
          topic: topics.kind(kind),
          groupId: `test-${kind}`,
          handle: async (batch) => {
            for (const m of batch)
              seen.get(kind)!.push(...unpackRecords(m.value).map((line) => JSON.parse(line) as AnyDoc));
          },
        }),
      );
      await subs.get(kind);
    }
    await new Promise((r) => setTimeout(r, 30));
    return seen.get(kind)!;
  };
  return { app, registry, bus, published };
}
