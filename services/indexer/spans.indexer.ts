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
import type { SpanStore, SpanWrite } from '../../libs/store/spans/span-store.ts';
import { isExactSpanDoc } from '../../libs/schemas/span-check.ts';
import { spanDocSchema, type SpanDoc } from '../../libs/schemas/span-doc.ts';
import { issuesText } from '../../libs/normalize/normalize.types.ts';
import { pairingSpanOf, PairingWindow } from '../../libs/traces/span-pairing.ts';
import { bulkCoalescer } from './bulk-coalescer.ts';
import { toDeadLetter } from './dead-letter.ts';
import { single } from './index-batch.ts';
import type { IndexerMetrics } from './indexer.metrics.ts';

const DAY_MS = 86_400_000;

/**
 * The spans' indexer (issue 22): `<prefix>.spans` → span store, the service graph's edges paired on the way
 * (spanBatchHandler), and span retention. The records' policy (index-batch.ts): a batch is committed only
 * once every span and edge is stored, retryable failures retried with capped backoff for as long as it
 * takes, and a span the store refuses for good (or that is not a span) dead-lettered on the records' topic
 * (`<prefix>.deadletter`, kind `spans`), so the replay puts it back.
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
        // Spans and the edges they made in the same bulks, so a reader sees a batch's edges with its spans.
        const coalesced = bulkCoalescer({
          maxDocs: 2000,
          maxInFlight: 3,
          lingerMs: 50,
          write: timedSpanWrite(store, metrics),
        });
        const write = (items: SpanWrite[], signal: AbortSignal) =>
          coalesced.write(items as unknown as AnyDoc[], signal);
        const deadLetter = (messages: BusMessage[], signal: AbortSignal) =>
          bus.publish(topics.deadLetter, messages, signal);
        sub = await bus.subscribe({
          topic: topics.spans,
          groupId,
          maxBatch: 2000,
          handle: spanBatchHandler({
            store,
            logger: log,
            write,
            deadLetter,
            metrics,
            pairing: pairingWindow(ctx.config),
          }),
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
 * done (its offsets committed) only once both are stored or dead-lettered; a redelivery writes the same ids.
 * The records' error policy (index-batch.ts) for spans: a message on the spans topic that is not a span, or
 * a span the store refuses for good (OpenSearch's 400s: an attribute value over Lucene's 32,766-byte term,
 * a time outside `date_nanos`), goes to the dead-letter topic as a letter of kind `spans`, under a copy of
 * its message holding just that span. An edge refused for good is logged and dropped: it is made from spans,
 * and a replay of their letters makes it again.
 */
export function spanBatchHandler(opts: SpanBatchOptions) {
  const backoff = opts.backoff ?? { initialMs: 200, maxMs: 10_000 };
  const write =
    opts.write ?? (async (items: SpanWrite[], signal: AbortSignal) => (await opts.store()).writeAll(items, signal));
  const retry = { backoff, logger: opts.logger };
  return async (batch: ConsumedMessage[], signal: AbortSignal): Promise<void> => {
    const { spans, dead } = parseBatch(batch);
    // Paired before the first await: a partition's next chunk may be handed over before this one is done
    // (libs/bus/kafka-lanes.ts), and it must find these spans held.
    const { edges, lookup } = opts.pairing.add(spans.map((s) => pairingSpanOf(s.doc)));
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
    const paired = [...edges, ...opts.pairing.settle(lookup, found)];
    const items: BatchItem[] = [
      ...paired.map((edge) => ({ write: { id: edge.id, edge } })),
      ...spans.map((s) => ({ write: { id: s.doc.id, span: s.doc, ...(s.json ? { json: s.json } : {}) }, span: s })),
    ];
    const indexed = await storeAll({ items, write, dead, ...retry, metrics: opts.metrics }, signal);
    opts.pairing.stored(paired);
    if (dead.length > 0) {
      await opts.deadLetter(dead, signal);
      opts.logger.warn({ spans: dead.length }, 'spans dead-lettered');
    }
    opts.metrics.indexed('spans', indexed);
    opts.metrics.deadLettered('spans', dead.length);
  };
}

/**
 * A span of the batch, with its message and line (the copy of the message that holds just the line is its dead
 * letter, made only then) and how many it stands for; `json`, its line when that is exactly the span (checkSpan).
 */
interface BatchSpan {
  doc: SpanDoc;
  json: string | undefined;
  packed: ConsumedMessage;
  line: string;
  copies: number;
}

type BatchItem = { write: SpanWrite; span?: BatchSpan };

/** The batch's spans, the last occurrence of each winning as in the store; the messages that are not spans. */
function parseBatch(batch: ConsumedMessage[]): { spans: BatchSpan[]; dead: BusMessage[] } {
  const dead: BusMessage[] = [];
  const byKey = new Map<string, BatchSpan>();
  for (const packed of batch) {
    for (const value of unpackRecords(packed.value)) {
      const checked = checkSpan(value);
      if (typeof checked === 'string') {
        dead.push(toDeadLetter('spans', single(packed, value), `invalid span: ${checked}`));
        continue;
      }
      const key = `${checked.doc.cluster}\u0000${checked.doc.id}`;
      byKey.set(key, {
        ...checked,
        packed,
        line: value,
        copies: (byKey.get(key)?.copies ?? 0) + 1,
      });
    }
  }
  return { spans: [...byKey.values()], dead };
}

/**
 * One line of the spans topic: the span, with `json` (the line itself) when the line is exactly the span, so
 * the store writes it without serializing it again (the records' indexer does the same: index-batch.ts); else
 * the issues that make it no span. A span the collector wrote passes isExactSpanDoc, which checks it in place;
 * anything else is up to spanDocSchema, which drops keys it does not know (such a span is written as
 * validated, without them) and words the reason of a dead letter.
 */
function checkSpan(value: string): { doc: SpanDoc; json: string | undefined } | string {
  const input = parse(value);
  if (isExactSpanDoc(input)) return { doc: input, json: value };
  const parsed = spanDocSchema.safeParse(input);
  return parsed.success ? { doc: parsed.data, json: undefined } : issuesText(parsed.error.issues);
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

interface StoreJob extends Retry {
  items: BatchItem[];
  write: (items: SpanWrite[], signal: AbortSignal) => Promise<WriteItemResult[]>;
  /** Where spans refused for good go (their letters). */
  dead: BusMessage[];
  metrics: IndexerMetrics;
}

/**
 * Writes spans and edges until each is stored or refused for good: retryable failures retried with capped
 * backoff for as long as it takes. Answers how many span messages were stored.
 */
async function storeAll(job: StoreJob, signal: AbortSignal): Promise<number> {
  let pending = job.items;
  let indexed = 0;
  for (let attempt = 0; pending.length > 0; attempt += 1) {
    if (attempt > 0) {
      job.metrics.retried('spans', pending.length);
      await sleepUntilAborted(backoffDelay(job.backoff, attempt), signal);
    }
    signal.throwIfAborted();
    let results;
    try {
      results = await job.write(
        pending.map((p) => p.write),
        signal,
      );
    } catch (err) {
      signal.throwIfAborted();
      job.logger.warn({ err, attempt, docs: pending.length }, 'span store write failed; retrying');
      continue;
    }
    const again: BatchItem[] = [];
    results.forEach((r, i) => {
      const item = pending[i] as BatchItem;
      if (r.ok) indexed += item.span?.copies ?? 0;
      else if (r.retryable) again.push(item);
      else if (item.span)
        job.dead.push(toDeadLetter('spans', single(item.span.packed, item.span.line), `store refused: ${r.reason}`));
      else job.logger.warn({ id: r.id, reason: r.reason }, 'store refused an edge; dropped');
    });
    pending = again;
  }
  return indexed;
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

/** One bulk write of spans and edges, timed in pharos_indexer_bulk_duration_seconds{kind="spans"}. */
function timedSpanWrite(store: () => Promise<SpanStore>, metrics: IndexerMetrics) {
  return async (docs: AnyDoc[], signal: AbortSignal): Promise<WriteItemResult[]> => {
    const started = performance.now();
    try {
      return await (await store()).writeAll(docs as unknown as SpanWrite[], signal);
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
