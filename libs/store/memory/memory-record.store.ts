import { InputError } from '../../errors/errors.ts';
import { recordKey } from '../../schemas/record-key.ts';
import type { RecordKind } from '../../schemas/records.ts';
import { decodeCursor, encodeCursor, queryFingerprint } from '../cursor.ts';
import { docProblem, fieldValues, filterTarget, storedField } from '../../schemas/record-fields.ts';
import type {
  AnyDoc,
  HistogramRequest,
  HistogramResult,
  RecordQuery,
  RecordStore,
  RetentionCutoff,
  SearchPage,
  SearchRequest,
  StatsRequest,
  StatsResult,
  WriteItemResult,
} from '../record-store.ts';
import { compareBytes, compareDocs, matcher } from './memory-record-match.ts';

/**
 * A record store in memory. Not an engine for production (no registry entry): it is the executable
 * statement of the query semantics that the contract suite compares SQLite and OpenSearch against, and a
 * fake for route tests.
 */
export class MemoryRecordStore implements RecordStore {
  readonly type = 'memory';
  private readonly docs: Record<RecordKind, Map<string, AnyDoc>> = {
    logs: new Map(),
    events: new Map(),
    audit: new Map(),
  };

  async init(): Promise<void> {}

  async write(kind: RecordKind, docs: readonly AnyDoc[]): Promise<WriteItemResult[]> {
    return docs.map((doc) => {
      const problem = docProblem(kind, doc);
      if (problem) return { id: String(doc?.id), ok: false, retryable: false, reason: problem };
      this.docs[kind].set(recordKey(doc), structuredClone(doc));
      return { id: doc.id, ok: true };
    });
  }

  private select(kind: RecordKind, query: RecordQuery, sort: 'asc' | 'desc' = 'desc'): AnyDoc[] {
    for (const name of Object.keys(query.filters)) {
      if (filterTarget(kind, name) === undefined)
        throw new InputError(`Unknown filter "${name}" for ${kind}`, [
          { path: name, message: 'not a filter of this kind' },
        ]);
    }
    const match = matcher(kind, query);
    return [...this.docs[kind].values()].filter(match).sort((a, b) => compareDocs(a, b, sort));
  }

  async search(kind: RecordKind, request: SearchRequest, signal?: AbortSignal): Promise<SearchPage> {
    signal?.throwIfAborted();
    const fingerprint = queryFingerprint(kind, request, request.sort);
    const after = request.cursor ? decodeCursor(request.cursor, fingerprint) : undefined;
    const all = this.select(kind, request, request.sort);
    const rest = after
      ? all.filter(
          (d) => compareDocs(d, { ...d, time: after.time, id: after.id, cluster: after.cluster }, request.sort) > 0,
        )
      : all;
    const items = rest.slice(0, request.size);
    const last = rest.length > request.size ? items[items.length - 1] : undefined;
    return {
      total: all.length,
      items: structuredClone(items),
      cursor: last ? encodeCursor({ time: last.time, id: last.id, cluster: last.cluster, fingerprint }) : null,
    };
  }

  async count(kind: RecordKind, query: RecordQuery): Promise<number> {
    return this.select(kind, query).length;
  }

  async histogram(kind: RecordKind, { intervalMs, ...query }: HistogramRequest): Promise<HistogramResult> {
    const counts = new Map<number, number>();
    const docs = this.select(kind, query);
    for (const d of docs) {
      const b = d.time - (((d.time % intervalMs) + intervalMs) % intervalMs);
      counts.set(b, (counts.get(b) ?? 0) + 1);
    }
    const buckets = [...counts].sort(([a], [b]) => a - b).map(([time, count]) => ({ time, count }));
    return { total: docs.length, buckets };
  }

  async stats(kind: RecordKind, { by, limit, ...query }: StatsRequest): Promise<StatsResult> {
    const field = storedField(kind, by);
    if (field === undefined)
      throw new InputError(`Cannot group ${kind} by "${by}": not a filter field`, [
        { path: 'by', message: 'not a filter field' },
      ]);
    const docs = this.select(kind, query);
    const counts = new Map<string, number>();
    let missing = 0;
    for (const d of docs) {
      const values = fieldValues(d, field);
      if (values.length === 0) missing++;
      for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    const groups = [...counts]
      .map(([key, count]) => ({ key, count }))
      .sort((a, b) => b.count - a.count || compareBytes(a.key, b.key))
      .slice(0, limit);
    return { total: docs.length, distinct: counts.size, groups, missing };
  }

  async *exportAll(
    kind: RecordKind,
    query: RecordQuery & { sort: 'asc' | 'desc' },
    signal?: AbortSignal,
  ): AsyncIterable<AnyDoc> {
    for (const doc of this.select(kind, query, query.sort)) {
      signal?.throwIfAborted();
      yield structuredClone(doc);
    }
  }

  async deleteOlderThan(kind: RecordKind, { before, cluster }: RetentionCutoff): Promise<number> {
    let n = 0;
    for (const [key, d] of this.docs[kind]) {
      if (d.time < before.getTime() && (cluster === undefined || d.cluster === cluster)) {
        this.docs[kind].delete(key);
        n++;
      }
    }
    return n;
  }

  async refresh(): Promise<void> {}
  async ping(): Promise<boolean> {
    return true;
  }
  async close(): Promise<void> {}
}
