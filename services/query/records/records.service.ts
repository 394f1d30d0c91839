import type { Scope } from '../../../libs/auth/principal.ts';
import { LimitError } from '../../../libs/errors/errors.ts';
import type { RecordKind } from '../../../libs/schemas/records.ts';
import { scopeRecordFilters } from '../../../libs/tenancy/record-scope.ts';
import type {
  AnyDoc,
  HistogramResult,
  RecordQuery,
  RecordStore,
  SearchPage,
  StatsResult,
} from '../../../libs/store/record-store.ts';
import { intervalMs, pageSize, toRecordQuery, type QueryLimits } from './records-query.ts';
import type { ExportQuery, HistogramQuery, SearchQuery, StatsQuery } from './records.schemas.ts';

export interface RecordsServiceOptions {
  /** The record store, resolved on first use so the process starts while a backend is still coming up. */
  store: () => Promise<RecordStore>;
  limits: QueryLimits;
  now?: () => number;
}

/**
 * The time range a query covered, epoch milliseconds (start inclusive, end exclusive): every answer says it,
 * because without `start` a query covers only the last 24 hours and older records (an import of last
 * month's audit) would otherwise just look missing.
 */
export interface EffectiveRange {
  start: number;
  end: number;
}

/** Buckets one histogram may return; more would be a chart no one can read and a large answer. */
export const MAX_BUCKETS = 10_000;

/**
 * Logs, events and audit queries: turns validated query strings into store queries under the caller's scope,
 * enforces the limits (range, page size, bucket count, timeout) and shapes the answers. Knows no HTTP.
 */
export class RecordsService {
  private readonly now: () => number;
  constructor(private readonly options: RecordsServiceOptions) {
    this.now = options.now ?? Date.now;
  }

  async search(kind: RecordKind, query: SearchQuery, scope: Scope): Promise<SearchPage & EffectiveRange> {
    const size = pageSize(query.size, this.options.limits);
    const base = this.resolve(kind, query, scope);
    const page = await this.timed((store, signal) =>
      store.search(
        kind,
        { ...base, sort: query.sort, size, ...(query.cursor ? { cursor: query.cursor } : {}) },
        signal,
      ),
    );
    return { ...page, start: base.start, end: base.end };
  }

  async histogram(kind: RecordKind, query: HistogramQuery, scope: Scope): Promise<HistogramResult & EffectiveRange> {
    const base = this.resolve(kind, query, scope);
    const interval = intervalMs(query.interval);
    const first = base.start - (((base.start % interval) + interval) % interval);
    const count = Math.ceil((base.end - first) / interval);
    if (count > MAX_BUCKETS)
      throw new LimitError(
        `interval ${query.interval} gives ${count} buckets over this range, over ${MAX_BUCKETS}; widen the interval or narrow the range`,
      );
    const found = await this.timed((store, signal) => store.histogram(kind, { ...base, intervalMs: interval }, signal));
    // Empty buckets are filled in, so a chart has every step of the range.
    const byTime = new Map(found.buckets.map((b) => [b.time, b.count]));
    const buckets = Array.from({ length: count }, (_, i) => ({
      time: first + i * interval,
      count: byTime.get(first + i * interval) ?? 0,
    }));
    return { total: found.total, buckets, start: base.start, end: base.end };
  }

  async stats(kind: RecordKind, query: StatsQuery, scope: Scope): Promise<StatsResult & EffectiveRange> {
    const base = this.resolve(kind, query, scope);
    const result = await this.timed((store, signal) =>
      store.stats(kind, { ...base, by: query.by, limit: query.size }, signal),
    );
    return { ...result, start: base.start, end: base.end };
  }

  /**
   * Every matching record, for streaming. The first record is read before returning, so a bad query or a
   * down backend is still an error response, not a cut stream. No timeout: an export may be long; the
   * signal (client gone) stops it.
   */
  async export(
    { kind, query }: { kind: RecordKind; query: ExportQuery },
    scope: Scope,
    signal: AbortSignal,
  ): Promise<EffectiveRange & { docs: AsyncIterable<AnyDoc> }> {
    const base = this.resolve(kind, query, scope);
    const store = await this.options.store();
    const iterator = store.exportAll(kind, { ...base, sort: query.sort }, signal)[Symbol.asyncIterator]();
    const first = await iterator.next();
    const docs = (async function* () {
      try {
        if (first.done) return;
        yield first.value;
        for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
      } finally {
        // Stopped early (client gone): let the store release what it holds (an OpenSearch point in time).
        await iterator.return?.();
      }
    })();
    return { start: base.start, end: base.end, docs };
  }

  private resolve(
    kind: RecordKind,
    query: SearchQuery | HistogramQuery | StatsQuery | ExportQuery,
    scope: Scope,
  ): RecordQuery & { start: number; end: number } {
    const base = toRecordQuery(kind, query as Record<string, string | string[] | undefined>, {
      limits: this.options.limits,
      now: this.now(),
    });
    return { ...base, filters: scopeRecordFilters(base.filters, scope) };
  }

  /** Runs a store call under query.timeoutMs; an overrun is a limit error (400), as the other limits are. */
  private async timed<T>(run: (store: RecordStore, signal: AbortSignal) => Promise<T>): Promise<T> {
    const { timeoutMs } = this.options.limits;
    const store = await this.options.store();
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      return await run(store, signal);
    } catch (err) {
      if (signal.aborted)
        throw new LimitError(
          `The query took longer than ${timeoutMs} ms (query.timeoutMs); narrow the time range or add filters`,
        );
      throw err;
    }
  }
}
