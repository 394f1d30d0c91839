import type { Client } from '@opensearch-project/opensearch';
import { osCall } from './opensearch-call.ts';

const DAY_MS = 86_400_000;
/** Indices named in one delete request: keeps its URL well under OpenSearch's 4 KB line limit. */
const DELETE_BATCH = 50;

export interface DailyRetention {
  /** The indices to consider, e.g. `pharos-logs-*`. */
  pattern: string;
  /**
   * The first millisecond of an index's day, or undefined for an index that is not one of ours (or not the cluster's).
   */
  dayOf(index: string): number | undefined;
  before: Date;
  signal?: AbortSignal | undefined;
}

/**
 * Retention over daily indices (the record store's and the span store's): whole days only, an index is
 * dropped when its last millisecond is before the cutoff. Answers how many documents went.
 */
export async function deleteDailyIndicesBefore(client: Client, r: DailyRetention): Promise<number> {
  const res = await osCall<{ index: string; 'docs.count': string | null }[]>(
    () => client.cat.indices({ index: r.pattern, format: 'json', h: 'index,docs.count', expand_wildcards: 'open' }),
    r.signal,
  );
  const old = res.body.filter((i) => {
    const day = r.dayOf(i.index);
    return day !== undefined && day + DAY_MS <= r.before.getTime();
  });
  for (let i = 0; i < old.length; i += DELETE_BATCH) {
    const batch = old.slice(i, i + DELETE_BATCH).map((x) => x.index);
    await osCall(() => client.indices.delete({ index: batch.join(',') }), r.signal);
  }
  return old.reduce((sum, i) => sum + Number(i['docs.count'] ?? 0), 0);
}
