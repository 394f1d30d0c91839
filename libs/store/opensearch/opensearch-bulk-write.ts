import type { Client } from '@opensearch-project/opensearch';
import { ATTRIBUTE_FIELD, type AnyDoc, type RecordKind } from '../../schemas/records.ts';
import { docProblem } from '../../schemas/record-fields.ts';
import type { WriteItemResult, WriteOptions } from '../record-store.ts';
import { ndjsonBody } from './ndjson-body.ts';
import { osCall, reasonOf } from './opensearch-call.ts';
import { indexName } from './index-names.ts';
import { withAttributeTerms } from './attribute-terms.ts';

const DAY_MS = 86_400_000;
const BULK_CHUNK = 2000;
/**
 * Only what the per-item verdict needs: the full bulk answer repeats index, id, version, shards and seq_no
 * for every item, and parsing it cost the indexer more CPU than building the request.
 */
const BULK_FILTER = 'errors,items.*.status,items.*.error';

export interface BulkTarget {
  client: Client;
  indexPrefix: string;
  kind: RecordKind;
}

/**
 * The record store's writes: `_bulk` index actions into each doc's daily index, by chunks, with one verdict per
 * item (ok, or refused with whether a retry can help) so the indexer retries or dead-letters item by item.
 */
export async function bulkWrite(
  target: BulkTarget,
  docs: readonly AnyDoc[],
  { signal, json }: WriteOptions = {},
): Promise<WriteItemResult[]> {
  const results: WriteItemResult[] = [];
  for (let i = 0; i < docs.length; i += BULK_CHUNK) {
    const chunk = { docs: docs.slice(i, i + BULK_CHUNK), json: json?.slice(i, i + BULK_CHUNK) };
    results.push(...(await writeChunk(target, chunk, signal)));
  }
  return results;
}

async function writeChunk(
  target: BulkTarget,
  { docs, json }: { docs: readonly AnyDoc[]; json?: readonly (string | undefined)[] },
  signal?: AbortSignal,
): Promise<WriteItemResult[]> {
  const { client, indexPrefix, kind } = target;
  const results: WriteItemResult[] = new Array(docs.length);
  // NDJSON built here, not by the client, so a doc whose JSON text the caller has is not serialized again.
  const lines: string[] = [];
  const sent: number[] = [];
  // A chunk's docs fall in a few daily indices: the action line's head is made once per cluster and day.
  const heads = new Map<string, string>();
  const attributes = ATTRIBUTE_FIELD[kind];
  docs.forEach((doc, i) => {
    const problem = docProblem(kind, doc);
    if (problem) results[i] = { id: String(doc?.id), ok: false, retryable: false, reason: problem };
    else {
      const key = `${doc.cluster}\u0000${Math.floor(doc.time / DAY_MS)}`;
      let head = heads.get(key);
      if (head === undefined) {
        head = `{"index":{"_index":${JSON.stringify(indexName(indexPrefix, kind, doc))},"_id":`;
        heads.set(key, head);
      }
      const text = attributes ? withAttributeTerms(doc, attributes, json?.[i]) : (json?.[i] ?? JSON.stringify(doc));
      lines.push(`${head}${JSON.stringify(doc.id)}}}`, text);
      sent.push(i);
    }
  });
  if (sent.length === 0) return results;
  const body = ndjsonBody(lines);
  type BulkItem = { index?: { status: number; error?: { type?: string; reason?: string } } };
  let items: BulkItem[];
  try {
    items = (await osCall<{ items: BulkItem[] }>(() => client.bulk({ body, filter_path: BULK_FILTER }), signal)).body
      .items;
  } catch (err) {
    if (signal?.aborted) throw err;
    for (const i of sent)
      results[i] = { id: (docs[i] as AnyDoc).id, ok: false, retryable: true, reason: reasonOf(err) };
    return results;
  }
  sent.forEach((docIndex, n) => {
    const r = items[n]?.index;
    const id = (docs[docIndex] as AnyDoc).id;
    if (r && !r.error && r.status < 300) results[docIndex] = { id, ok: true };
    else {
      const status = r?.status ?? 500;
      results[docIndex] = {
        id,
        ok: false,
        retryable: status === 429 || status >= 500,
        reason: `${status} ${r?.error?.type ?? ''}: ${r?.error?.reason ?? 'no item result'}`,
      };
    }
  });
  return results;
}
