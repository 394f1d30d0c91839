import { InputError, LimitError } from '../../../libs/errors/errors.ts';
import { ATTRIBUTE_FIELD, ATTRIBUTE_FILTER_PREFIX, type RecordKind } from '../../../libs/schemas/records.ts';
import { planSearch } from '../../../libs/search/search-plan.ts';
import { parseSearch } from '../../../libs/search/search-parser.ts';
import type { RecordQuery } from '../../../libs/store/record-store.ts';
import { parseTime } from '../../../libs/time/time.ts';
import { tryParseDuration } from '../../../libs/time/duration.ts';
import { filterNames, type CommonQuery } from './records.schemas.ts';

export interface QueryLimits {
  maxRangeDays: number;
  maxPageSize: number;
  defaultPageSize: number;
  timeoutMs: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Without start, a query covers the last 24 hours: cheap by default, and the UI's usual first view. */
export const DEFAULT_RANGE_MS = 24 * HOUR;

/** Query-string filters, q and time range → a store query (before scope), checking the configured limits. */
export function toRecordQuery(
  kind: RecordKind,
  query: CommonQuery,
  { limits, now }: { limits: QueryLimits; now: number },
): Required<Pick<RecordQuery, 'start' | 'end'>> & RecordQuery {
  const filters: Record<string, string[]> = {};
  const attributeNames = ATTRIBUTE_FIELD[kind]
    ? Object.keys(query).filter((k) => k.startsWith(ATTRIBUTE_FILTER_PREFIX))
    : [];
  for (const name of [...filterNames(kind), ...attributeNames]) {
    const raw = query[name];
    if (raw === undefined) continue;
    const values = [raw]
      .flat()
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter((v) => v !== '');
    if (values.length === 0)
      throw new InputError(`Filter ${name} needs at least one value`, [
        { path: `querystring.${name}`, message: 'empty' },
      ]);
    filters[name] = [...new Set(values)];
  }
  const q = query.q === undefined ? undefined : parseSearch(query.q);
  // Resolving the plan here reports unknown fields and empty terms before any store is asked.
  if (q) planSearch(kind, q);
  const { start, end } = timeRange(query, limits, now);
  return q ? { filters, q, start, end } : { filters, start, end };
}

function timeRange(query: CommonQuery, limits: QueryLimits, now: number): { start: number; end: number } {
  const end = query.end === undefined ? now : queryTime(query.end);
  const start = query.start === undefined ? end - DEFAULT_RANGE_MS : queryTime(query.start);
  if (start >= end)
    throw new InputError('start must be before end', [{ path: 'querystring.start', message: 'not before end' }]);
  if (end - start > limits.maxRangeDays * DAY) {
    throw new LimitError(`The time range is over ${limits.maxRangeDays} days (query.maxRangeDays); narrow start/end`);
  }
  return { start, end };
}

/** RFC 3339 (any case, `T` or space) or epoch seconds (the schema checked the format) → epoch milliseconds. */
export function queryTime(value: string): number {
  const t = parseTime(value);
  if (t === undefined)
    throw new InputError(`"${value}" is not a time: use RFC 3339 (2024-03-01T12:00:00Z) or epoch seconds`);
  return t;
}

/** The schema's INTERVAL (one term: 30s, 5m, 1h, 1d) → ms. */
export function intervalMs(interval: string): number {
  const ms = tryParseDuration(interval) ?? 0;
  if (ms <= 0)
    throw new InputError(`interval "${interval}" must be a positive duration such as 1m`, [
      { path: 'querystring.interval', message: 'not positive' },
    ]);
  return ms;
}

export function pageSize(size: number | undefined, limits: QueryLimits): number {
  const n = size ?? limits.defaultPageSize;
  if (n > limits.maxPageSize)
    throw new LimitError(
      `size ${n} is over the maximum page size ${limits.maxPageSize} (query.maxPageSize); use the cursor to page`,
    );
  return n;
}
