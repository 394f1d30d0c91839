import { schedule, type ScheduledTask } from 'node-cron';
import { performance } from 'node:perf_hooks';
import type { BusMessage, ConsumedMessage, Subscription } from '../../libs/bus/bus.ts';
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
import { issuesText } from '../../libs/normalize/normalize.types.ts';
import { bulkCoalescer } from './bulk-coalescer.ts';
import { toDeadLetter } from './dead-letter.ts';
import { single } from './index-batch.ts';
import type { IndexerMetrics } from './indexer.metrics.ts';

const DAY_MS = 86_400_000;

/**
 * The spans' indexer (issue 22): `<prefix>.spans` → span store, and span retention. The records' policy
 * (index-batch.ts): a batch is committed only once every span is stored, retryable failures retried with
 * capped backoff for as long as it takes, and a span the store refuses for good (or that is not a span)
 * dead-lettered on the records' topic (`<prefix>.deadletter`, kind `spans`), so the replay puts it back.
 */
export function spansIndexerFeatures(ctx: ServiceContext, metrics: IndexerMetrics): Feature[] {
  const store = () => getSpanStore(ctx);
  const log = ctx.logger.child({ component: 'indexer', kind: 'spans' });
  const topics = topicsFor(ctx.config.bus);
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
          write: timedSpanWrite(store, metrics),
        });
        const write = (docs: SpanDoc[], signal: AbortSignal) => coalesced.write(docs as unknown as AnyDoc[], signal);
        const deadLetter = (messages: BusMessage[], signal: AbortSignal) =>
          bus.publish(topics.deadLetter, messages, signal);
        sub = await bus.subscribe({
          topic: topics.spans,
          groupId,
          maxBatch: 2000,
          handle: spanBatchHandler({ store, logger: log, write, deadLetter, metrics }),
        });
        const current = sub;
        metrics.lagSource('spans', () => current.lag());
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
  /** Publishes dead letters; must resolve only once they are durable (the batch is committed after). */
  deadLetter: (messages: BusMessage[], signal: AbortSignal) => Promise<void>;
  metrics: IndexerMetrics;
  logger: Logger;
  backoff?: { initialMs: number; maxMs: number };
  /** How spans reach the store; default one write per call. */
  write?: (docs: SpanDoc[], signal: AbortSignal) => Promise<WriteItemResult[]>;
}

/**
 * The records' error policy (index-batch.ts) for spans: a message on the spans topic that is not a span, or
 * a span the store refuses for good (OpenSearch's 400s: an attribute value over Lucene's 32,766-byte term,
 * a time outside `date_nanos`), goes to the dead-letter topic as a letter of kind `spans`, under a copy of
 * its message holding just that span; retryable failures are retried with capped backoff until stored.
 */
export function spanBatchHandler(opts: SpanBatchOptions) {
  const backoff = opts.backoff ?? { initialMs: 200, maxMs: 10_000 };
  const write =
    opts.write ?? (async (docs: SpanDoc[], signal: AbortSignal) => (await opts.store()).write(docs, signal));
  return async (batch: ConsumedMessage[], signal: AbortSignal): Promise<void> => {
    const dead: BusMessage[] = [];
    // Last occurrence of a span wins, as in the store; `copies` counts the messages it stands for.
    const byKey = new Map<string, { doc: SpanDoc; message: ConsumedMessage; copies: number }>();
    for (const packed of batch) {
      for (const value of unpackRecords(packed.value)) {
        const parsed = spanDocSchema.safeParse(parse(value));
        if (!parsed.success) {
          const reason = `invalid span: ${issuesText(parsed.error.issues)}`;
          dead.push(toDeadLetter('spans', single(packed, value), reason));
          continue;
        }
        const key = `${parsed.data.cluster}\u0000${parsed.data.id}`;
        byKey.set(key, { doc: parsed.data, message: single(packed, value), copies: (byKey.get(key)?.copies ?? 0) + 1 });
      }
    }
    let pending = [...byKey.values()];
    let indexed = 0;
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt > 0) {
        opts.metrics.retried('spans', pending.length);
        await sleepUntilAborted(backoffDelay(backoff, attempt), signal);
      }
      signal.throwIfAborted();
      let results;
      try {
        results = await write(
          pending.map((p) => p.doc),
          signal,
        );
      } catch (err) {
        signal.throwIfAborted();
        opts.logger.warn({ err, attempt, spans: pending.length }, 'span store write failed; retrying');
        continue;
      }
      const retry: typeof pending = [];
      results.forEach((r, i) => {
        const item = pending[i]!;
        if (r.ok) indexed += item.copies;
        else if (r.retryable) retry.push(item);
        else dead.push(toDeadLetter('spans', item.message, `store refused: ${r.reason}`));
      });
      pending = retry;
    }
    if (dead.length > 0) {
      await opts.deadLetter(dead, signal);
      opts.logger.warn({ spans: dead.length }, 'spans dead-lettered');
    }
    opts.metrics.indexed('spans', indexed);
    opts.metrics.deadLettered('spans', dead.length);
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

/** One bulk write of spans, timed in pharos_indexer_bulk_duration_seconds{kind="spans"}. */
function timedSpanWrite(store: () => Promise<SpanStore>, metrics: IndexerMetrics) {
  return async (docs: AnyDoc[], signal: AbortSignal): Promise<WriteItemResult[]> => {
    const started = performance.now();
    try {
      return await (await store()).write(docs as unknown as SpanDoc[], signal);
    } finally {
      metrics.bulkSeconds('spans', (performance.now() - started) / 1000);
    }
  };
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
