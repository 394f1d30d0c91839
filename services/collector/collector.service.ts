import { getBus } from '../../libs/runtime/backends.ts';
import { topicsFor } from '../../libs/bus/topics.ts';
import type { Feature } from '../../libs/http/feature.ts';
import type { ServiceContext } from '../../libs/runtime/context.ts';
import { ingestMetrics } from './ingest.metrics.ts';
import { ingestRoutes } from './ingest.routes.ts';
import { createIngestService } from './ingest.service.ts';
import { kubeEventsFeature } from './kube-events.feature.ts';

/** The collector service: HTTP intakes for audit, events and logs, and (when enabled) the Kubernetes event watch. */
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
  ];
  if (ctx.config.collector.kubernetes.enabled) features.push(kubeEventsFeature(ctx, ingest, metrics));
  return features;
}
