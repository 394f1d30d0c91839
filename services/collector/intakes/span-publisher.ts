import type { Bus } from '../../../libs/bus/bus.ts';
import { packRecords } from '../../../libs/bus/record-pack.ts';
import { PharosError, UnavailableError } from '../../../libs/errors/errors.ts';
import type { Logger } from '../../../libs/logging/logger.ts';
import type { SpanDoc } from '../../../libs/schemas/span-doc.ts';
import { spanJson } from '../../../libs/traces/spans.normalize.ts';
import type { IngestMetrics } from '../ingest.metrics.ts';

export interface SpanPublisherOptions {
  bus: () => Promise<Bus>;
  /** `<prefix>.spans`. */
  topic: string;
  /** collector.maxInFlight: spans waiting for the bus; more and the intake answers 503 (retryable). */
  maxInFlight: number;
  metrics: IngestMetrics;
  logger: Logger;
}

export interface SpanPublisher {
  /** Most spans one request may carry (collector.maxInFlight): more could never be taken. */
  readonly maxSpans: number;
  /** Resolves once the bus has every span (the intake answers 200 only then); UnavailableError otherwise. */
  publish(spans: readonly SpanDoc[], signal?: AbortSignal): Promise<void>;
}

/**
 * Spans onto the bus, packed as records are (libs/bus/record-pack.ts), keyed by a bucket of the trace id
 * (traceBucketKey): one trace's spans share a key, hence a partition, so one indexer sees them together. The
 * same span twice is sent once (the last wins), as lastPerRecord does for records.
 *
 * Requests that arrive within a few milliseconds of each other, or while a send is on its way, go together in
 * the next send (coalesced, as a Kafka producer's batching does: LINGER_MS; the producer has one request in
 * flight, so requests during a send would have waited for it anyway). One
 * send of four 500-span requests packs about four times the spans per bucket: kafkajs's cost per message
 * (framing, headers, buffer growth) is most of its cost per span when a message holds a few spans (4 spans a
 * message: ~20 µs a span of the collector's CPU, 16: ~13). Every request still answers only once the bus has
 * its spans, and a failed send fails every request in it (503: their senders retry; ids are idempotent).
 */
export function createSpanPublisher(opts: SpanPublisherOptions): SpanPublisher {
  let inFlight = 0;
  const log = opts.logger.child({ component: 'ingest', kind: 'spans' });
  const count = (spans: readonly SpanDoc[], result: 'accepted' | 'unavailable') => {
    const byCluster = new Map<string, number>();
    for (const s of spans) byCluster.set(s.cluster, (byCluster.get(s.cluster) ?? 0) + 1);
    for (const [cluster, n] of byCluster) opts.metrics.count({ kind: 'spans', cluster, result }, n);
  };
  const send = coalescedSend(async (spans) => {
    const unique = new Map<string, SpanDoc>();
    for (const s of spans) unique.set(`${s.cluster}\u0000${s.id}`, s);
    const messages = packRecords('spans', [...unique.values()], {
      keyOf: (s) => traceBucketKey(s.traceId),
      serialize: spanJson,
    });
    await (await opts.bus()).publish(opts.topic, messages);
  });
  return {
    maxSpans: opts.maxInFlight,
    async publish(spans, signal) {
      if (spans.length === 0) return;
      if (spans.length > opts.maxInFlight) throw tooManySpans(spans.length, opts.maxInFlight);
      if (inFlight + spans.length > opts.maxInFlight) {
        count(spans, 'unavailable');
        throw new UnavailableError(
          `the collector already holds ${inFlight} spans waiting for the bus (collector.maxInFlight ${opts.maxInFlight}); retry later`,
        );
      }
      inFlight += spans.length;
      try {
        await send(spans, signal);
        count(spans, 'accepted');
      } catch (err) {
        count(spans, 'unavailable');
        log.warn({ err, spans: spans.length }, 'bus publish failed; the sender will retry');
        throw err instanceof PharosError
          ? err
          : new UnavailableError(`the bus is unavailable: ${(err as Error).message}`, err);
      } finally {
        inFlight -= spans.length;
      }
    },
  };
}

/**
 * How long a send waits for more requests before it starts, unless it already has SEND_SPANS: Kafka's own
 * producer default since 4.0 (`linger.ms` 5, KIP-1030), for the same reason. Without it a send took what came
 * during the previous one, some 1.4 requests of the bench's 4 concurrent senders.
 */
export const LINGER_MS = 5;

/** Spans of one coalesced send at most: four 500-span requests, some 1.6 MiB, two Kafka produce requests. */
export const SEND_SPANS = 4000;

interface Queued {
  spans: readonly SpanDoc[];
  done: (err?: unknown) => void;
}

/**
 * `send` for the spans of every call that came while the previous send was under way, one send at a time. A
 * call whose signal aborts while it still waits leaves the queue (its spans are not sent); once its send has
 * started it waits for the outcome, as a bus publish under way cannot be taken back. At most SEND_SPANS a send,
 * each after LINGER_MS for more to come.
 */
export function coalescedSend(
  send: (spans: readonly SpanDoc[]) => Promise<void>,
  { lingerMs = LINGER_MS }: { lingerMs?: number } = {},
): (spans: readonly SpanDoc[], signal?: AbortSignal) => Promise<void> {
  let queue: Queued[] = [];
  let sending = false;
  const queuedSpans = () => queue.reduce((n, q) => n + q.spans.length, 0);
  const drain = async () => {
    sending = true;
    while (queue.length > 0) {
      if (lingerMs > 0 && queuedSpans() < SEND_SPANS) await new Promise((r) => setTimeout(r, lingerMs));
      // Up to SEND_SPANS spans a send (one call's, however many): a publish must finish within the bus's timeout.
      let n = 0;
      let take = 0;
      while (take < queue.length && (take === 0 || n + (queue[take] as Queued).spans.length <= SEND_SPANS))
        n += (queue[take++] as Queued).spans.length;
      const group = queue.slice(0, take);
      queue = queue.slice(take);
      const outcome = await send(group.flatMap((q) => q.spans)).then(
        () => undefined,
        (err: unknown) => err ?? new Error('bus publish failed'),
      );
      for (const q of group) q.done(outcome);
    }
    sending = false;
  };
  return (spans, signal) =>
    new Promise<void>((resolve, reject) => {
      signal?.throwIfAborted();
      const onAbort = () => {
        if (!queue.includes(entry)) return;
        queue = queue.filter((q) => q !== entry);
        reject(signal?.reason ?? new Error('aborted'));
      };
      const entry: Queued = {
        spans,
        done: (err) => {
          signal?.removeEventListener('abort', onAbort);
          if (err === undefined) resolve();
          else reject(err);
        },
      };
      queue.push(entry);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (!sending) void drain();
    });
}

/** Keys of the spans topic: enough to spread over any partition count a deployment uses, few enough to pack. */
export const TRACE_BUCKETS = 64;

/**
 * The bus key of a trace's spans: one of TRACE_BUCKETS buckets by a hash (FNV-1a) of the trace id, not the
 * trace id itself. Keyed by trace id, every trace is its own message (record-pack.ts packs one key and
 * cluster per message), and an SDK batch holds mostly different traces of a few spans each: 100,000 spans
 * were some 100,000 Kafka messages, whose per-message framing, checksums and partitioning cost the collector
 * and indexer more CPU than the spans. A bucket packs the request's traces that share it; all spans of a
 * trace still get one key, so one partition and one indexer (the pairing window's premise).
 */
export function traceBucketKey(traceId: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < traceId.length; i++) h = Math.imul(h ^ traceId.charCodeAt(i), 0x01000193);
  return `traces-${(h >>> 0) % TRACE_BUCKETS}`;
}

/**
 * More spans in one request than the in-flight bound could never be taken: 413 (OTLP exporters do not retry
 * it) rather than a 503 the sender would retry for ever. The SDKs' batches (512 spans by default) are far below.
 */
export const tooManySpans = (n: number, max: number): PharosError =>
  new PharosError(
    'PHAROS_ERR_PAYLOAD_TOO_LARGE',
    `${n} spans in one request is more than collector.maxInFlight (${max}); send smaller batches`,
  );
