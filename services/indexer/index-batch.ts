import { performance } from 'node:perf_hooks';
import type { BusMessage, ConsumedMessage } from '../../libs/bus/bus.ts';
import { backoffDelay } from '../../libs/async/backoff.ts';
import { sleepUntilAborted } from '../../libs/async/sleep.ts';
import { unpackRecords } from '../../libs/bus/record-pack.ts';
import { PharosError } from '../../libs/errors/errors.ts';
import type { Logger } from '../../libs/logging/logger.ts';
import { issuesText } from '../../libs/normalize/normalize.types.ts';
import { recordKey } from '../../libs/schemas/record-key.ts';
import { busDocSchemaByKind, type RecordKind } from '../../libs/schemas/records.ts';
import type { AnyDoc, RecordStore, WriteItemResult } from '../../libs/store/record-store.ts';
import type { BulkWrite } from './bulk-coalescer.ts';
import { toDeadLetter } from './dead-letter.ts';
import type { IndexerMetrics } from './indexer.metrics.ts';

export interface IndexBatchOptions {
  kind: RecordKind;
  store: () => Promise<RecordStore>;
  /** Publishes dead letters; must resolve only once they are durable (the batch is committed after). */
  deadLetter: (messages: BusMessage[], signal: AbortSignal) => Promise<void>;
  metrics: IndexerMetrics;
  logger: Logger;
  /** Backoff between retries of retryable failures: doubles from `initialMs` up to `maxMs`. */
  backoff?: { initialMs: number; maxMs: number };
  /** How docs reach the store; default one bulk per call (`storeWrite`). The indexer shares a bulkCoalescer. */
  write?: BulkWrite;
}

/**
 * The indexer's handler for one bus batch, and its error policy (STYLE §4: the consumer maps errors to
 * retry or dead-letter). A record that fails its zod schema, or that the store refuses for good (a
 * mapping conflict, a 4xx), goes to the dead-letter topic with the reason. A retryable failure (429, 5xx,
 * store unreachable) is retried with capped exponential backoff for as long as it takes: the handler
 * resolves, and the bus commits the offsets, only when every record is stored or dead-lettered.
 */
export function indexBatchHandler(
  opts: IndexBatchOptions,
): (batch: ConsumedMessage[], signal: AbortSignal) => Promise<void> {
  const { kind, metrics } = opts;
  const schema = busDocSchemaByKind[kind];
  const log = opts.logger.child({ component: 'indexer', kind });
  const backoff = opts.backoff ?? { initialMs: 200, maxMs: 10_000 };
  const write = opts.write ?? storeWrite(opts);

  return async (batch, signal) => {
    const dead: BusMessage[] = [];
    // Last occurrence of a record wins, as it would in the store; one bulk then never carries a record twice.
    // Keyed by cluster and id (libs/schemas/record-key.ts): another cluster's record with the same id is
    // another record, not a duplicate. `copies` counts the messages an entry stands for, so records-out
    // matches records-in.
    const byKey = new Map<
      string,
      { doc: AnyDoc; json: string | undefined; value: string; packed: ConsumedMessage; copies: number }
    >();
    // A message may carry several records (libs/bus/record-pack.ts); each one is validated, stored or
    // dead-lettered on its own, under a copy of its message that holds just that record (made only then).
    for (const packed of batch) {
      for (const value of unpackRecords(packed.value)) {
        const input = parseJson(value);
        const parsed = schema.safeParse(input);
        if (!parsed.success)
          dead.push(
            toDeadLetter(kind, single(packed, value), `invalid ${kind} record: ${issuesText(parsed.error.issues)}`),
          );
        else {
          const doc = parsed.data as AnyDoc;
          // The text as received is the doc when validation kept every key: the store then need not serialize it.
          const json = sameKeys(input, doc) ? value : undefined;
          const key = recordKey(doc);
          byKey.set(key, { doc, json, value, packed, copies: (byKey.get(key)?.copies ?? 0) + 1 });
        }
      }
    }
    let pending = [...byKey.values()];
    let indexed = 0;
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt > 0) {
        metrics.retried(kind, pending.length);
        await sleepUntilAborted(backoffDelay(backoff, attempt), signal);
      }
      signal.throwIfAborted();
      const results = await write(
        pending.map((p) => p.doc),
        signal,
        pending.map((p) => p.json),
      );
      const retry: typeof pending = [];
      results.forEach((r, i) => {
        const item = pending[i]!;
        if (r.ok) indexed += item.copies;
        else if (r.retryable) retry.push(item);
        else dead.push(toDeadLetter(kind, single(item.packed, item.value), `store refused: ${r.reason}`));
      });
      if (retry.length)
        log.warn({ attempt, records: retry.length, reason: firstReason(results) }, 'store write failed; retrying');
      pending = retry;
    }
    if (dead.length) {
      await opts.deadLetter(dead, signal);
      log.warn({ records: dead.length }, 'records dead-lettered');
    }
    metrics.indexed(kind, indexed);
    metrics.deadLettered(kind, dead.length);
  };
}

/** One bulk write, timed; a store that throws (unreachable, timed out) counts as every item retryable. */
export function storeWrite(opts: Pick<IndexBatchOptions, 'kind' | 'store' | 'metrics'>): BulkWrite {
  return async (docs, signal, json) => {
    const started = performance.now();
    try {
      const store = await opts.store();
      return await store.write(opts.kind, docs, { signal, json });
    } catch (err) {
      signal.throwIfAborted();
      const retryable = !(err instanceof PharosError) || err.retryable;
      return docs.map((d) => ({ id: d.id, ok: false, retryable, reason: (err as Error).message }));
    } finally {
      opts.metrics.bulkSeconds(opts.kind, (performance.now() - started) / 1000);
    }
  };
}

function firstReason(results: WriteItemResult[]): string | undefined {
  const failed = results.find((r) => !r.ok);
  return failed && !failed.ok ? failed.reason : undefined;
}

/** The message as it would be had it carried only `value`. */
export function single(packed: ConsumedMessage, value: string): ConsumedMessage {
  return value === packed.value ? packed : { ...packed, value };
}

/**
 * True when validation kept every top-level key of the input. The doc schemas have no defaults or
 * transforms and their nested values are strings, string arrays, string maps or `raw` (kept as is), so then
 * the input text is exactly the validated doc and the store can write it without serializing again.
 * A record with an extra key is written as validated, without it.
 */
function sameKeys(input: unknown, doc: object): boolean {
  return Object.keys(input as object).length === Object.keys(doc).length;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
