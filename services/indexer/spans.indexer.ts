import { schedule, type ScheduledTask } from 'node-cron';
import type { ConsumedMessage, Subscription } from '../../libs/bus/bus.ts';
import { backoffDelay } from '../../libs/async/backoff.ts';
import { sleepUntilAborted } from '../../libs/async/sleep.ts';
import { unpackRecords } from '../../libs/bus/record-pack.ts';
import { topicsFor } from '../../libs/bus/topics.ts';
import type { PharosConfig } from '../../libs/config/config.schema.ts';
import type { Feature } from '../../libs/http/feature.ts';
import type { Logger } from '../../libs/logging/logger.ts';
import { getBus, getSpanStore } from '../../libs/runtime/backends.ts';
import type { ServiceContext } from '../../libs/runtime/context.ts';
import type { AnyDoc, WriteItemResult } from '../../libs/store/record-store.ts';
import type { SpanStore } from '../../libs/store/spans/span-store.ts';
import { spanDocSchema, type SpanDoc } from '../../libs/schemas/span-doc.ts';
import { bulkCoalescer } from './bulk-coalescer.ts';

const DAY_MS = 86_400_000;

/**
 * The spans' indexer (issue 22): `<prefix>.spans` → span store, and span retention. The records' policy
 * (index-batch.ts): a batch is committed only once every span is stored, retryable failures retried with
 * capped backoff for as long as it takes. A span the store refuses for good (or that is not a span) is
 * logged and counted as dropped: the dead-letter topic's letters are records of a kind, and spans reach
 * the bus only from the OTLP intake's normalizer, so this does not happen short of a bug.
 */
export function spansIndexerFeatures(ctx: ServiceContext): Feature[] {
  const store = () => getSpanStore(ctx);
  const log = ctx.logger.child({ component: 'indexer', kind: 'spans' });
  let sub: Subscription | undefined;
  let retention: ScheduledTask | undefined;
  const groupId = `${ctx.config.bus.type === 'kafka' ? ctx.config.bus.clientId : 'pharos'}-indexer-spans`;
  return [
    {
      name: 'indexer-spans',
      async start() {
        await store();
        const bus = await getBus(ctx);
        // Bulks shared across partitions, as the records' indexer does (bulk-coalescer.ts): a few full bulks
        // cost OpenSearch less than one small bulk per partition batch. The coalescer only reads `id`.
        const coalesced = bulkCoalescer({
          maxDocs: 2000,
          maxInFlight: 3,
          lingerMs: 50,
          write: async (docs, signal) => (await store()).write(docs as unknown as SpanDoc[], signal),
        });
        const write = (docs: SpanDoc[], signal: AbortSignal) => coalesced.write(docs as unknown as AnyDoc[], signal);
        sub = await bus.subscribe({
          topic: topicsFor(ctx.config.bus).spans,
          groupId,
          maxBatch: 2000,
          handle: spanBatchHandler({ store, logger: log, write }),
        });
      },
      async stop() {
        await sub?.stop();
      },
      ready: async () => (await store()).ping(),
    },
    {
      name: 'indexer-spans-retention',
      async start() {
        retention = schedule(
          ctx.config.retention.schedule,
          async () => {
            try {
              log.info(
                { runs: await applySpanRetention(await store(), ctx.config.retention, Date.now()) },
                'span retention applied',
              );
            } catch (err) {
              log.error({ err }, 'span retention failed; the next scheduled run tries again');
            }
          },
          { name: 'pharos-span-retention', noOverlap: true },
        );
      },
      async stop() {
        await retention?.stop();
      },
    },
  ];
}

export interface SpanBatchOptions {
  store: () => Promise<SpanStore>;
  logger: Logger;
  backoff?: { initialMs: number; maxMs: number };
  /** How spans reach the store; default one write per call. */
  write?: (docs: SpanDoc[], signal: AbortSignal) => Promise<WriteItemResult[]>;
}

export function spanBatchHandler(opts: SpanBatchOptions) {
  const backoff = opts.backoff ?? { initialMs: 200, maxMs: 10_000 };
  const write =
    opts.write ?? (async (docs: SpanDoc[], signal: AbortSignal) => (await opts.store()).write(docs, signal));
  return async (batch: ConsumedMessage[], signal: AbortSignal): Promise<void> => {
    const byKey = new Map<string, SpanDoc>();
    let invalid = 0;
    for (const message of batch) {
      for (const value of unpackRecords(message.value)) {
        const parsed = spanDocSchema.safeParse(parse(value));
        if (!parsed.success) invalid += 1;
        else byKey.set(`${parsed.data.cluster}\u0000${parsed.data.id}`, parsed.data);
      }
    }
    if (invalid > 0)
      opts.logger.warn({ spans: invalid }, 'messages on the spans topic that are not spans were dropped');
    let pending = [...byKey.values()];
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt > 0) await sleepUntilAborted(backoffDelay(backoff, attempt), signal);
      signal.throwIfAborted();
      let results;
      try {
        results = await write(pending, signal);
      } catch (err) {
        signal.throwIfAborted();
        opts.logger.warn({ err, attempt, spans: pending.length }, 'span store write failed; retrying');
        continue;
      }
      const retry: SpanDoc[] = [];
      results.forEach((r, i) => {
        if (r.ok) return;
        if (r.retryable) retry.push(pending[i] as SpanDoc);
        else opts.logger.warn({ id: r.id, reason: r.reason }, 'span store refused a span; dropped');
      });
      pending = retry;
    }
  };
}

/** retention.spans (and per-cluster `spans` overrides): whole days on OpenSearch, rows on SQLite. */
export async function applySpanRetention(
  store: SpanStore,
  retention: PharosConfig['retention'],
  now: number,
): Promise<{ cluster?: string; deleted: number }[]> {
  const overrides = Object.entries(retention.clusters).filter(([, o]) => o.spans !== undefined);
  const cutoff = (days: number) => new Date(now - days * DAY_MS);
  if (overrides.length === 0) return [{ deleted: await store.deleteOlderThan(cutoff(retention.spans)) }];
  // With overrides, cluster by cluster (those with spans and the overridden ones), as applyRetention does
  // for records: a longer override is never cut short by the default.
  const clusters = new Set([...(await store.clusters()), ...overrides.map(([c]) => c)]);
  const runs: { cluster?: string; deleted: number }[] = [];
  for (const cluster of clusters)
    runs.push({
      cluster,
      deleted: await store.deleteOlderThan(cutoff(retention.clusters[cluster]?.spans ?? retention.spans), cluster),
    });
  return runs;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
