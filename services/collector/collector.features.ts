import { getBus } from '../../libs/runtime/backends.ts';
import { topicsFor } from '../../libs/bus/topics.ts';
import type { Feature } from '../../libs/http/feature.ts';
import type { ServiceContext } from '../../libs/runtime/context.ts';
import { ingestMetrics, type IngestMetrics } from './ingest.metrics.ts';
import { ingestRoutes } from './ingest.routes.ts';
import { createIngestService, type IngestService } from './ingest.service.ts';
import { esBulkRoutes } from './intakes/es-bulk.routes.ts';
import { createIntakeService } from './intakes/intake.service.ts';
import { lokiPushRoutes } from './intakes/loki-push.routes.ts';
import { otlpLogsRoutes } from './intakes/otlp-logs.routes.ts';
import { otlpTracesRoutes } from './intakes/otlp-traces.routes.ts';
import { createSpanPublisher } from './intakes/span-publisher.ts';
import { kubeEventsFeature } from './kube-events.feature.ts';

/**
 * The collector service: HTTP intakes for audit, events and logs, the agents' protocols (OTLP/HTTP logs, Loki
 * push, Elasticsearch bulk), and (when enabled) the Kubernetes event watch.
 */
export async function collectorFeatures(ctx: ServiceContext): Promise<Feature[]> {
  const metrics = ingestMetrics(ctx.metrics);
  const ingest = createIngestService({
    bus: () => getBus(ctx),
    topics: topicsFor(ctx.config.bus),
    maxInFlight: ctx.config.collector.maxInFlight,
    metrics,
    logger: ctx.logger,
  });
  const features: Feature[] = [
    {
      name: 'collector-intake',
      routes: ingestRoutes({ ingest, metrics, cluster: ctx.config.collector.cluster }),
      ready: async () => (await getBus(ctx)).ping(),
    },
    ...agentIntakes(ctx, ingest, metrics),
  ];
  if (ctx.config.collector.kubernetes.enabled) features.push(kubeEventsFeature(ctx, ingest, metrics));
  return features;
}

/** OTLP, Loki and Elasticsearch intakes: each its own plugin (its own body parsing and error shape). */
function agentIntakes(ctx: ServiceContext, ingest: IngestService, metrics: IngestMetrics): Feature[] {
  const { collector, server } = ctx.config;
  const intake = createIntakeService({ ingest, metrics, cluster: collector.cluster });
  const ready = async () => (await getBus(ctx)).ping();
  const maxBodyBytes = server.bodyLimitBytes;
  return [
    { name: 'otlp-intake', routes: otlpLogsRoutes({ intake, maxBodyBytes }), ready },
    {
      name: 'otlp-traces-intake',
      routes: otlpTracesRoutes({ intake, spans: spanPublisher(ctx, metrics), metrics, maxBodyBytes }),
      ready,
    },
    {
      name: 'loki-intake',
      routes: lokiPushRoutes({
        intake,
        maxBodyBytes,
        labels: collector.loki.labels,
        tenantAsCluster: collector.loki.tenantAsCluster,
      }),
      ready,
    },
    {
      name: 'elasticsearch-intake',
      routes: esBulkRoutes({ intake, maxBodyBytes, version: collector.elasticsearch.version }),
      ready,
    },
  ];
}

function spanPublisher(ctx: ServiceContext, metrics: IngestMetrics) {
  const topic = topicsFor(ctx.config.bus).spans;
  return createSpanPublisher({
    bus: () => getBus(ctx),
    topic,
    maxInFlight: ctx.config.collector.maxInFlight,
    metrics,
    logger: ctx.logger,
  });
}
