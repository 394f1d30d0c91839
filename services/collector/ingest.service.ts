import type { Bus } from '../../libs/bus/bus.ts';
import { DEFAULT_PACK_LIMITS, packRecords } from '../../libs/bus/record-pack.ts';
import { fitRecord, MAX_RECORD_BYTES } from '../../libs/normalize/fit-record.ts';
import type { Topics } from '../../libs/bus/topics.ts';
import { PharosError, UnavailableError } from '../../libs/errors/errors.ts';
import type { Logger } from '../../libs/logging/logger.ts';
import { BUS_KEY } from '../../libs/normalize/bus-keys.ts';
import { recordKey } from '../../libs/schemas/record-key.ts';
import type { RecordKind } from '../../libs/schemas/records.ts';
import type { AnyDoc } from '../../libs/store/record-store.ts';
import type { IngestMetrics, IngestProtocol } from './ingest.metrics.ts';

export interface IngestServiceOptions {
  bus: () => Promise<Bus>;
  topics: Topics;
  /** Records accepted but not yet acknowledged by the bus; more than this and the intake answers 503. */
  maxInFlight: number;
  metrics: IngestMetrics;
  logger: Logger;
}

export interface IngestService {
  /**
   * Puts normalized docs on the bus, packed per key and cluster (libs/bus/record-pack.ts), keyed so one
   * object's records stay in order. Resolves only once the
   * bus has them (Kafka acks=all): the caller answers 2xx after this and never before, so an accepted
   * record is never lost. Throws UnavailableError when the bus is down or the in-flight bound is reached.
   */
  publish(kind: RecordKind, docs: readonly AnyDoc[], signal?: AbortSignal): Promise<void>;
  /** Records currently waiting for the bus. */
  inFlight(): number;
  /**
   * The same service (one bus, one in-flight bound) for another intake protocol: its records are counted
   * with that `protocol` label in pharos_ingest_records_total.
   */
  forProtocol(protocol: IngestProtocol): IngestService;
}

export function createIngestService(opts: IngestServiceOptions): IngestService {
  const state = { inFlight: 0 };
  const log = opts.logger.child({ component: 'ingest' });
  const forProtocol = (protocol: IngestProtocol): IngestService =>
    publisher({ opts: { ...opts, metrics: opts.metrics.forProtocol(protocol) }, state, log, forProtocol });
  return publisher({ opts, state, log, forProtocol });
}

/** One protocol's view of the service; all views share `state`, so collector.maxInFlight bounds them together. */
function publisher({
  opts,
  state,
  log,
  forProtocol,
}: {
  opts: IngestServiceOptions;
  state: { inFlight: number };
  log: Logger;
  forProtocol: (protocol: IngestProtocol) => IngestService;
}): IngestService {
  return {
    inFlight: () => state.inFlight,
    forProtocol,
    async publish(kind, docs, signal) {
      const inFlight = state.inFlight;
      if (docs.length === 0) return;
      if (inFlight + docs.length > opts.maxInFlight) {
        countByCluster(opts.metrics, { kind, docs }, 'unavailable');
        throw new UnavailableError(
          `the collector already holds ${inFlight} records waiting for the bus (collector.maxInFlight ${opts.maxInFlight}); retry later`,
        );
      }
      state.inFlight += docs.length;
      try {
        const trimmed: AnyDoc[] = [];
        const messages = packRecords(kind, lastPerRecord(docs), {
          keyOf: BUS_KEY[kind],
          limits: DEFAULT_PACK_LIMITS,
          serialize: (doc) => {
            const fitted = fitRecord(doc);
            if (fitted.trimmed) trimmed.push(doc);
            return fitted.json;
          },
        });
        if (trimmed.length > 0) {
          countByCluster(opts.metrics, { kind, docs: trimmed }, 'trimmed');
          log.warn(
            { kind, records: trimmed.length, maxBytes: MAX_RECORD_BYTES },
            'records over the bus limit are published without raw (and with message cut if need be)',
          );
        }
        const bus = await opts.bus();
        await bus.publish(opts.topics.kind(kind), messages, signal);
        countByCluster(opts.metrics, { kind, docs }, 'accepted');
      } catch (err) {
        countByCluster(opts.metrics, { kind, docs }, 'unavailable');
        log.warn({ err, kind, records: docs.length }, 'bus publish failed; the sender will retry');
        throw err instanceof PharosError
          ? err
          : new UnavailableError(`the bus is unavailable: ${(err as Error).message}`, err);
      } finally {
        state.inFlight -= docs.length;
      }
    },
  };
}

/** Counts `docs` (records of one kind) per cluster under `result`. */
function countByCluster(
  metrics: IngestMetrics,
  { kind, docs }: { kind: RecordKind; docs: readonly AnyDoc[] },
  result: 'accepted' | 'unavailable' | 'trimmed',
): void {
  const byCluster = new Map<string, number>();
  for (const d of docs) byCluster.set(d.cluster, (byCluster.get(d.cluster) ?? 0) + 1);
  for (const [cluster, n] of byCluster) metrics.count({ kind, cluster, result }, n);
}

/**
 * One record per (cluster, id), the last one winning, in the order of those last occurrences. The same id
 * twice in one batch (a repeated auditID + stage) is one record; publishing both could land them in
 * different daily indices when their timestamps differ, and then a resend would not be idempotent.
 */
function lastPerRecord(docs: readonly AnyDoc[]): AnyDoc[] {
  const last = new Map<string, number>();
  docs.forEach((d, i) => last.set(recordKey(d), i));
  return docs.length === last.size ? [...docs] : docs.filter((d, i) => last.get(recordKey(d)) === i);
}
