import type { Client } from '@opensearch-project/opensearch';
import { ndjsonBody } from '../opensearch/ndjson-body.ts';
import { osCall, reasonOf } from '../opensearch/opensearch-call.ts';
import type { WriteItemResult } from '../record-store.ts';

type BulkItem = { index?: { status: number; error?: { type?: string; reason?: string } } };

/**
 * One `_bulk` of index actions (spans, edges; a `source` given as a string is already the document's JSON),
 * one verdict per item: ok, or refused with whether a retry can
 * help (429 and 5xx can). A failed request fails every item as retryable. Only what the verdict needs is
 * asked back (filter_path): the full answer repeats index, version and shards for every item.
 */
export async function bulkIndex<D extends { id: string }>(
  client: Client,
  {
    docs,
    indexOf,
    source = (d) => d,
  }: { docs: readonly D[]; indexOf: (doc: D) => string; source?: (doc: D) => object | string },
  signal?: AbortSignal,
): Promise<WriteItemResult[]> {
  if (docs.length === 0) return [];
  const lines: string[] = [];
  // A bulk's docs fall in a few daily indices: each one's action head is made once (as the records' bulkWrite).
  const heads = new Map<string, string>();
  for (const d of docs) {
    const doc = source(d);
    const index = indexOf(d);
    let head = heads.get(index);
    if (head === undefined) heads.set(index, (head = `{"index":{"_index":${JSON.stringify(index)},"_id":`));
    lines.push(`${head}${JSON.stringify(d.id)}}}`, typeof doc === 'string' ? doc : JSON.stringify(doc));
  }
  let items: BulkItem[];
  try {
    items = (
      await osCall<{ items: BulkItem[] }>(
        () => client.bulk({ body: ndjsonBody(lines), filter_path: 'errors,items.*.status,items.*.error' }),
        signal,
      )
    ).body.items;
  } catch (err) {
    if (signal?.aborted) throw err;
    return docs.map((d) => ({ id: d.id, ok: false, retryable: true, reason: reasonOf(err) }));
  }
  return docs.map((d, i) => {
    const r = items[i]?.index;
    if (r && !r.error && r.status < 300) return { id: d.id, ok: true };
    const status = r?.status ?? 500;
    return {
      id: d.id,
      ok: false,
      retryable: status === 429 || status >= 500,
      reason: `${status} ${r?.error?.type ?? ''}: ${r?.error?.reason ?? 'no item result'}`,
    };
  });
}
