import type { Bus } from '../../../libs/bus/bus.ts';
import { packRecords } from '../../../libs/bus/record-pack.ts';
import { PharosError, UnavailableError } from '../../../libs/errors/errors.ts';
import type { Logger } from '../../../libs/logging/logger.ts';
import type { SpanDoc } from '../../../libs/schemas/span-doc.ts';
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
 * Spans onto the bus, packed as records are (libs/bus/record-pack.ts), keyed by trace id: one trace's spans
 * share a partition, so one indexer sees them together. The same span twice in one request is sent once
 * (the last wins), as lastPerRecord does for records.
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
        const messages = packRecords('spans', [...unique.values()], { keyOf: (s) => s.traceId });
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

/**
 * More spans in one request than the in-flight bound could never be taken: 413 (OTLP exporters do not retry
 * it) rather than a 503 the sender would retry for ever. The SDKs' batches (512 spans by default) are far below.
 */
export const tooManySpans = (n: number, max: number): PharosError =>
  new PharosError(
    'PHAROS_ERR_PAYLOAD_TOO_LARGE',
    `${n} spans in one request is more than collector.maxInFlight (${max}); send smaller batches`,
  );
