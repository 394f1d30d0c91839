import { join } from 'node:path';
import type { Feature } from '../../libs/http/feature.ts';
import type { ServiceContext } from '../../libs/runtime/context.ts';
import type { IngestMetrics } from './ingest.metrics.ts';
import type { IngestService } from './ingest.service.ts';
import { fileCheckpoint } from './kube-events.checkpoint.ts';
import { KubeEventsWatcher } from './kube-events.watcher.ts';

/** Background list+watch of the cluster's Events (collector.kubernetes.enabled). */
export function kubeEventsFeature(ctx: ServiceContext, ingest: IngestService, metrics: IngestMetrics): Feature {
  const k = ctx.config.collector.kubernetes;
  const cluster = ctx.config.collector.cluster;
  const controller = new AbortController();
  let running: Promise<void> | undefined;
  return {
    name: 'collector-kube-events',
    async start() {
      // Loaded here, not at the top: @kubernetes/client-node is some 40 MB of module text and code that a
      // collector taking only intake traffic (and every other service) never needs.
      const { kubeEventsApi } = await import('./kube-events.api.ts');
      const watcher = new KubeEventsWatcher({
        api: kubeEventsApi({ kubeconfig: k.kubeconfig, inCluster: k.inCluster }),
        ingest,
        metrics,
        checkpoint: fileCheckpoint(join(ctx.config.dataDir, 'kube-events', `${cluster}.checkpoint.json`)),
        cluster,
        logger: ctx.logger,
      });
      running = watcher.run(controller.signal);
    },
    async stop() {
      controller.abort();
      await running;
    },
  };
}
