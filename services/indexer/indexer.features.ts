import type { Subscription } from '../../libs/bus/bus.ts';
import { topicsFor } from '../../libs/bus/topics.ts';
import type { Feature } from '../../libs/http/feature.ts';
import { getBus, getRecordStore } from '../../libs/runtime/backends.ts';
import type { ServiceContext } from '../../libs/runtime/context.ts';
import { RECORD_KINDS, type RecordKind } from '../../libs/schemas/records.ts';
import { bulkCoalescer } from './bulk-coalescer.ts';
import { indexBatchHandler, storeWrite } from './index-batch.ts';
import { indexerMetrics } from './indexer.metrics.ts';
import { scheduleRetention } from './retention.job.ts';
import { spansIndexerFeatures } from './spans.indexer.ts';

/**
 * Consumer group of one kind's topic, shared by every indexer instance: Kafka spreads the partitions among
 * them. One group per kind, because the members of one Kafka group must all subscribe to the same topics.
 */
export const indexerGroupId = (ctx: ServiceContext, kind: RecordKind): string =>
  `${ctx.config.bus.type === 'kafka' ? ctx.config.bus.clientId : 'pharos'}-indexer-${kind}`;

/**
 * The indexer service: one consumer per record kind (bus → validate → bulk write → commit) and the
 * retention schedule. In `all` mode with the memory bus this is the embedded pipeline into SQLite.
 */
export async function indexerFeatures(ctx: ServiceContext): Promise<Feature[]> {
  const topics = topicsFor(ctx.config.bus);
  const metrics = indexerMetrics(ctx.metrics);
  const store = () => getRecordStore(ctx);
  const subscriptions: Subscription[] = [];
  let retention: { stop(): Promise<void> } | undefined;

  const consumers: Feature = {
    name: 'indexer',
    async start() {
      const bus = await getBus(ctx);
      for (const kind of RECORD_KINDS) {
        // Bulks as raw `_bulk` clients size them: up to 2,000 docs, 3 in flight, whichever partitions they
        // come from (bench/ingest.bench.ts measured smaller, more numerous bulks costing OpenSearch more CPU).
        const { write } = bulkCoalescer({
          maxDocs: 2000,
          maxInFlight: 3,
          lingerMs: 50,
          write: storeWrite({ kind, store, metrics }),
        });
        const handle = indexBatchHandler({
          kind,
          store,
          metrics,
          logger: ctx.logger,
          write,
          deadLetter: (messages, signal) => bus.publish(topics.deadLetter, messages, signal),
        });
        const sub = await bus.subscribe({
          topic: topics.kind(kind),
          groupId: indexerGroupId(ctx, kind),
          maxBatch: 2000,
          handle,
        });
        metrics.lagSource(kind, () => sub.lag());
        subscriptions.push(sub);
      }
    },
    async stop() {
      await Promise.all(subscriptions.splice(0).map((s) => s.stop()));
    },
    ready: async () => (await store()).ping(),
  };
  const retentionFeature: Feature = {
    name: 'indexer-retention',
    async start() {
      retention = scheduleRetention({ store, retention: ctx.config.retention, logger: ctx.logger });
    },
    async stop() {
      await retention?.stop();
    },
  };
  return [consumers, retentionFeature, ...spansIndexerFeatures(ctx, metrics)];
}
