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
import type { SpanStore, SpanWrite } from '../../libs/store/spans/span-store.ts';
import { spanDocSchema, type SpanDoc } from '../../libs/schemas/span-doc.ts';
import { pairingSpanOf, PairingWindow } from '../../libs/traces/span-pairing.ts';
import { bulkCoalescer } from './bulk-coalescer.ts';

const DAY_MS = 86_400_000;

/**
 * The spans' indexer (issue 22): `<prefix>.spans` → span store, the service graph's edges paired on the way
 * (spanBatchHandler), and span retention. The records' policy (index-batch.ts): a batch is committed only
 * once every span and edge is stored, retryable failures retried with capped backoff for as long as it
 * takes. A span the store refuses for good (or that is not a span) is logged and counted as dropped: the
 * dead-letter topic's letters are records of a kind, and spans reach the bus only from the OTLP intake's
 * normalizer, so this does not happen short of a bug.
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
        // Spans and the edges they made in the same bulks, so a reader sees a batch's edges with its spans.
        const coalesced = bulkCoalescer({
          maxDocs: 2000,
          maxInFlight: 3,
          lingerMs: 50,
          write: async (docs, signal) => (await store()).writeAll(docs as unknown as SpanWrite[], signal),
        });
        const write = (items: SpanWrite[], signal: AbortSignal) =>
          coalesced.write(items as unknown as AnyDoc[], signal);
        sub = await bus.subscribe({
          topic: topicsFor(ctx.config.bus).spans,
          groupId,
          maxBatch: 2000,
          handle: spanBatchHandler({ store, logger: log, write, pairing: pairingWindow(ctx.config) }),
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
  /** This consumer's pairing window (libs/traces/span-pairing.ts); a new one after a restart is empty. */
  pairing: PairingWindow;
  backoff?: { initialMs: number; maxMs: number };
  /** How spans and edges reach the store; default one writeAll per call. */
  write?: (items: SpanWrite[], signal: AbortSignal) => Promise<WriteItemResult[]>;
}

/** Partners read for one batch at most; a batch is 2,000 spans, each with one parent and usually one child. */
export const MAX_PARTNERS = 10_000;

/**
 * A batch of the spans topic: the edges its spans make — with spans held in the pairing window, and, for those
 * still unpaired, with their partners in the span store (one lookup per batch), so a partner the window no
 * longer holds (an indexer restart, a partner later than the window) still pairs — then the spans. The batch is
 * done (its offsets committed) only once both are stored; a redelivery writes the same ids.
 */
export function spanBatchHandler(opts: SpanBatchOptions) {
  const backoff = opts.backoff ?? { initialMs: 200, maxMs: 10_000 };
  const write =
    opts.write ?? (async (items: SpanWrite[], signal: AbortSignal) => (await opts.store()).writeAll(items, signal));
  const retry = { backoff, logger: opts.logger };
  return async (batch: ConsumedMessage[], signal: AbortSignal): Promise<void> => {
    const spans = parseBatch(batch, opts.logger);
    // Paired before the first await: a partition's next chunk may be handed over before this one is done
    // (libs/bus/kafka-lanes.ts), and it must find these spans held.
    const { edges, lookup } = opts.pairing.add(spans.map(pairingSpanOf));
    const found = await withRetry(retry, signal, async () => {
      if (lookup.length === 0) return [];
      const store = await opts.store();
      if (opts.pairing.takeUnrefreshed()) await store.refresh();
      const partners = await store.partners(lookup, MAX_PARTNERS, signal);
      if (partners.length >= MAX_PARTNERS)
        opts.logger.warn({ spans: lookup.length, partners: partners.length }, 'span partners cut; edges may be missed');
      return partners;
    });
    // The edges in the spans' write: a reader that sees a batch's spans (after a refresh) sees its edges.
    const items: SpanWrite[] = [
      ...[...edges, ...opts.pairing.settle(lookup, found)].map((edge) => ({ id: edge.id, edge })),
      ...spans.map((span) => ({ id: span.id, span })),
    ];
    await storeAll({ docs: items, write, what: 'span or edge', ...retry }, signal);
  };
}

function parseBatch(batch: ConsumedMessage[], logger: Logger): SpanDoc[] {
  const byKey = new Map<string, SpanDoc>();
  let invalid = 0;
  for (const message of batch) {
    for (const value of unpackRecords(message.value)) {
      const parsed = spanDocSchema.safeParse(parse(value));
      if (!parsed.success) invalid += 1;
      else byKey.set(`${parsed.data.cluster}\u0000${parsed.data.id}`, parsed.data);
    }
  }
  if (invalid > 0) logger.warn({ spans: invalid }, 'messages on the spans topic that are not spans were dropped');
  return [...byKey.values()];
}

interface Retry {
  backoff: { initialMs: number; maxMs: number };
  logger: Logger;
}

/** `run` again after capped backoff until it resolves or the batch is aborted. */
async function withRetry<T>(retry: Retry, signal: AbortSignal, run: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    if (attempt > 0) await sleepUntilAborted(backoffDelay(retry.backoff, attempt), signal);
    signal.throwIfAborted();
    try {
      return await run();
    } catch (err) {
      signal.throwIfAborted();
      retry.logger.warn({ err, attempt }, 'span store read failed; retrying');
    }
  }
}

/**
 * The records' policy (index-batch.ts): retryable failures retried with capped backoff for as long as it
 * takes; an item the store refuses for good is logged and dropped.
 */
async function storeAll<D extends { id: string }>(
  job: Retry & { docs: D[]; write: (docs: D[], signal: AbortSignal) => Promise<WriteItemResult[]>; what: string },
  signal: AbortSignal,
): Promise<void> {
  let pending = job.docs;
  for (let attempt = 0; pending.length > 0; attempt += 1) {
    if (attempt > 0) await sleepUntilAborted(backoffDelay(job.backoff, attempt), signal);
    signal.throwIfAborted();
    let results;
    try {
      results = await job.write(pending, signal);
    } catch (err) {
      signal.throwIfAborted();
      job.logger.warn({ err, attempt, docs: pending.length }, `${job.what} store write failed; retrying`);
      continue;
    }
    const again: D[] = [];
    results.forEach((r, i) => {
      if (r.ok) return;
      if (r.retryable) again.push(pending[i] as D);
      else job.logger.warn({ id: r.id, reason: r.reason }, `store refused a ${job.what}; dropped`);
    });
    pending = again;
  }
}

/** One window per subscription (one consumer): indexer.spanPairing. */
export const pairingWindow = (config: PharosConfig): PairingWindow =>
  new PairingWindow({
    maxSpans: config.indexer.spanPairing.maxSpans,
    maxAgeMs: config.indexer.spanPairing.maxAgeSeconds * 1000,
  });

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
