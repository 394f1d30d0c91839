import type Database from 'better-sqlite3';
import type { SpanCountField, SpanCountQuery, SpanCounts } from './span-count.ts';
import { where } from './sqlite-span.store.ts';

/** The trace_spans column of each count field (sqlite-span.store.ts's schema). */
const COLUMNS: Record<SpanCountField, string> = {
  cluster: 'cluster',
  namespace: "coalesce(namespace, '')",
  service: 'service',
  name: 'name',
  kind: 'kind',
  status: 'CAST(status AS TEXT)',
};

/** One GROUP BY over the filtered spans: exact counts, at most `limit` groups, the first by key (as OpenSearch's). */
export function countSqliteSpans(db: Database.Database, query: SpanCountQuery): SpanCounts {
  const filter = where(query);
  const parts = filter.sql ? [filter.sql.replace(/^WHERE /, '')] : [];
  const params = [...filter.params];
  if (query.statusCodes !== undefined) {
    parts.push(query.statusCodes.length ? `status IN (${query.statusCodes.map(() => '?').join(',')})` : '0');
    params.push(...query.statusCodes);
  }
  const keys = query.by.map((f) => COLUMNS[f]);
  const select = [...keys, 'count(*)'].join(', ');
  const positions = keys.map((_, i) => i + 1).join(', ');
  const group = keys.length ? `GROUP BY ${positions} ORDER BY ${positions}` : '';
  const sql = `SELECT ${select} FROM trace_spans ${parts.length ? `WHERE ${parts.join(' AND ')}` : ''} ${group} LIMIT ?`;
  const rows = db
    .prepare(sql)
    .raw()
    .all(...params, query.limit + 1) as (string | number)[][];
  const groups = rows
    .filter((r) => Number(r[keys.length]) > 0)
    .slice(0, query.limit)
    .map((r) => ({ key: r.slice(0, keys.length).map(String), count: Number(r[keys.length]) }));
  return { groups, truncated: rows.length > query.limit };
}
