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
 * same span twice in one request is sent once (the last wins), as lastPerRecord does for records.
 */
export function createSpanPublisher(opts: SpanPublisherOptions): SpanPublisher {
  let inFlight = 0;
  const log = opts.logger.child({ component: 'ingest', kind: 'spans' });
  const count = (spans: readonly SpanDoc[], result: 'accepted' | 'unavailable') => {
    const byCluster = new Map<string, number>();
    for (const s of spans) byCluster.set(s.cluster, (byCluster.get(s.cluster) ?? 0) + 1);
    for (const [cluster, n] of byCluster) opts.metrics.count({ kind: 'spans', cluster, result }, n);
  };
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
        const unique = new Map<string, SpanDoc>();
        for (const s of spans) unique.set(`${s.cluster}\u0000${s.id}`, s);
        const messages = packRecords('spans', [...unique.values()], {
          keyOf: (s) => traceBucketKey(s.traceId),
          serialize: spanJson,
        });
        await (await opts.bus()).publish(opts.topic, messages, signal);
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
