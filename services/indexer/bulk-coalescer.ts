import type { AnyDoc, WriteItemResult } from '../../libs/store/record-store.ts';

/** `json[i]`, when given, is docs[i] as JSON text (RecordStore.write). */
export type BulkWrite = (
  docs: AnyDoc[],
  signal: AbortSignal,
  json?: (string | undefined)[],
) => Promise<WriteItemResult[]>;

export interface CoalescerOptions {
  /** Docs per bulk request at most. */
  maxDocs: number;
  /** Bulk requests in flight at most. */
  maxInFlight: number;
  /** How long a short bulk waits for more docs. */
  lingerMs: number;
  write: BulkWrite;
}

interface Ticket {
  results: WriteItemResult[];
  remaining: number;
  resolve(results: WriteItemResult[]): void;
}

/**
 * One queue of bulk writes shared by every partition a consumer handles. Each partition's batch alone often
 * makes a small bulk, and a bulk per batch per partition means many small requests in flight at once:
 * OpenSearch then spends more CPU per document than on a few full ones. Here batches are cut into bulks of
 * `maxDocs` across partitions, at most `maxInFlight` at a time. A caller's promise resolves with its own
 * docs' results; a bulk that throws counts as every item retryable, so the caller retries as before.
 */
export function bulkCoalescer(opts: CoalescerOptions): { write: BulkWrite } {
  const queue: { doc: AnyDoc; json: string | undefined; ticket: Ticket; index: number }[] = [];
  let inFlight = 0;
  let linger: NodeJS.Timeout | undefined;
  // The shared bulk is not tied to one caller's signal: an aborted caller rejects on its own (its batch is
  // delivered again) and ids are idempotent, so finishing the bulk for the other callers is harmless.
  const never = new AbortController().signal;

  const send = () => {
    const part = queue.splice(0, opts.maxDocs);
    inFlight += 1;
    void opts
      .write(
        part.map((p) => p.doc),
        never,
        part.map((p) => p.json),
      )
      .catch((err: unknown) =>
        part.map((p): WriteItemResult => ({
          id: p.doc.id,
          ok: false,
          retryable: true,
          reason: (err as Error).message,
        })),
      )
      .then((results) => {
        part.forEach((p, i) => {
          p.ticket.results[p.index] = results[i] ?? {
            id: p.doc.id,
            ok: false,
            retryable: true,
            reason: 'no item result',
          };
          if (--p.ticket.remaining === 0) p.ticket.resolve(p.ticket.results);
        });
      })
      .finally(() => {
        inFlight -= 1;
        pump();
      });
  };

  const pump = () => {
    while (inFlight < opts.maxInFlight && queue.length > 0) {
      // A full bulk goes now; a short one lingers for more. Batches come in behind fetching
      // (libs/bus/kafka-lanes.ts), often small: sent at once they made bulks of ~250 docs, five times as many.
      if (queue.length < opts.maxDocs) {
        linger ??= setTimeout(() => {
          linger = undefined;
          if (queue.length > 0 && inFlight < opts.maxInFlight) send();
        }, opts.lingerMs);
        return;
      }
      send();
    }
  };

  return {
    write(docs, signal, json) {
      if (docs.length === 0) return Promise.resolve([]);
      return new Promise<WriteItemResult[]>((resolve, reject) => {
        const onAbort = () => reject(signal.reason ?? new Error('aborted'));
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        const ticket: Ticket = {
          results: new Array(docs.length),
          remaining: docs.length,
          resolve: (r) => {
            signal.removeEventListener('abort', onAbort);
            resolve(r);
          },
        };
        docs.forEach((doc, index) => queue.push({ doc, json: json?.[index], ticket, index }));
        pump();
      });
    },
  };
}
