import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { SpanDoc } from '../../schemas/span-doc.ts';
import type { WriteItemResult } from '../record-store.ts';
import type { SpanEdgeDoc } from '../../schemas/span-edge.ts';
import type { SpanCountQuery, SpanCounts } from './span-count.ts';
import { EDGE_SCHEMA, edgeAggregates, partners, writeEdges } from './sqlite-span-edges.ts';
import type {
  EdgeAggregate,
  EdgeQuery,
  PairingSpan,
  PartnerKey,
  SpanQuery,
  SpanStore,
  SpanWrite,
  TraceMatch,
} from './span-store.ts';
import { countSqliteSpans } from './sqlite-span-count.ts';

export interface SqliteSpanStoreOptions {
  /** Database file (storage.path: the records' file, a table of its own); `:memory:` for tests. */
  path: string;
}

/**
 * Spans on SQLite: one table keyed by (cluster, trace_id, span_id), the filter fields as columns, the doc
 * as JSON. Tag filters read the JSON (json_extract), so any attribute key works without a column.
 */
const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS trace_spans (
    cluster TEXT NOT NULL, trace_id TEXT NOT NULL, span_id TEXT NOT NULL, parent_span_id TEXT NOT NULL,
    namespace TEXT, service TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL, time INTEGER NOT NULL,
    duration INTEGER NOT NULL, status INTEGER NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (cluster, trace_id, span_id)) WITHOUT ROWID`,
  'CREATE INDEX IF NOT EXISTS trace_spans_trace ON trace_spans (trace_id)',
  'CREATE INDEX IF NOT EXISTS trace_spans_time ON trace_spans (time)',
  'CREATE INDEX IF NOT EXISTS trace_spans_service ON trace_spans (service, time)',
];

type SqlValue = string | number;
interface RowDeletion {
  table: string;
  /** The table's primary key columns. */
  key: string;
  before: Date;
  cluster: string | undefined;
  signal: AbortSignal | undefined;
}
const DELETE_BATCH = 5000;

/**
 * An attribute as text, as OpenSearch's flat_object indexes it (and tagValues lists it): booleans as
 * true/false (json_extract alone gives 1/0), numbers as their JSON text. Both `?` are the same path.
 */
const AS_TEXT =
  "(CASE json_type(doc, ?) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(json_extract(doc, ?) AS TEXT) END)";

export class SqliteSpanStore implements SpanStore {
  readonly type = 'sqlite';
  private db: Database.Database | undefined;
  private upsert: Database.Statement | undefined;

  constructor(private readonly options: SqliteSpanStoreOptions) {}

  async init(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.db) return;
    if (this.options.path !== ':memory:') mkdirSync(dirname(this.options.path), { recursive: true });
    const db = new Database(this.options.path);
    db.pragma('journal_mode = WAL');
    // As the record store (sqlite-record.store.ts): the indexer commits bus offsets after a write returns.
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    for (const sql of [...SCHEMA, ...EDGE_SCHEMA]) db.exec(sql);
    this.upsert = db.prepare(
      `INSERT INTO trace_spans (cluster, trace_id, span_id, parent_span_id, namespace, service, name, kind, time, duration, status, doc)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (cluster, trace_id, span_id) DO UPDATE SET parent_span_id = excluded.parent_span_id, namespace = excluded.namespace,
         service = excluded.service, name = excluded.name, kind = excluded.kind, time = excluded.time, duration = excluded.duration,
         status = excluded.status, doc = excluded.doc`,
    );
    this.db = db;
  }

  async write(docs: readonly SpanDoc[], signal?: AbortSignal): Promise<WriteItemResult[]> {
    signal?.throwIfAborted();
    const db = this.open();
    const upsert = this.upsert as Database.Statement;
    const results: WriteItemResult[] = [];
    const run = db.transaction(() => {
      for (const d of docs) {
        // The indexer validated every doc against spanDocSchema; this guards the keys only.
        if (typeof d?.traceId !== 'string' || typeof d.spanId !== 'string' || typeof d.cluster !== 'string') {
          results.push({
            id: String(d?.id),
            ok: false,
            retryable: false,
            reason: 'not a span: traceId, spanId and cluster are required',
          });
          continue;
        }
        upsert.run(
          d.cluster,
          d.traceId,
          d.spanId,
          d.parentSpanId,
          d.namespace ?? null,
          d.serviceName,
          d.name,
          d.kind,
          d.time,
          d.durationInNanos,
          d.status.code,
          JSON.stringify(d),
        );
        results.push({ id: d.id, ok: true });
      }
    });
    try {
      run();
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      return docs.map((d) => ({
        id: String(d?.id),
        ok: false,
        retryable: code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'),
        reason: `sqlite: ${(err as Error).message}`,
      }));
    }
    return results;
  }

  async find(query: SpanQuery, limit: number, signal?: AbortSignal): Promise<{ total: number; spans: SpanDoc[] }> {
    signal?.throwIfAborted();
    const { sql, params } = where(query);
    const db = this.open();
    const total = (db.prepare(`SELECT count(*) AS n FROM trace_spans ${sql}`).get(...params) as { n: number }).n;
    const rows = db
      .prepare(`SELECT doc FROM trace_spans ${sql} ORDER BY time DESC, trace_id, span_id LIMIT ?`)
      .all(...params, limit) as { doc: string }[];
    return { total, spans: rows.map((r) => JSON.parse(r.doc) as SpanDoc) };
  }

  async findTraces(
    query: SpanQuery,
    { traces, spansPerTrace }: { traces: number; spansPerTrace: number },
    signal?: AbortSignal,
  ): Promise<TraceMatch[]> {
    signal?.throwIfAborted();
    const { sql, params } = where(query);
    // The traces first (grouped on the indexed columns, no doc read), then each one's newest matching docs.
    const rows = this.open()
      .prepare(
        `WITH t AS (SELECT trace_id, MAX(time) AS newest, count(*) AS n FROM trace_spans ${sql}
           GROUP BY trace_id ORDER BY newest DESC, trace_id LIMIT ?)
         SELECT t.trace_id, t.n, (SELECT json_group_array(json(doc)) FROM (SELECT doc FROM trace_spans
           ${sql ? `${sql} AND` : 'WHERE'} trace_id = t.trace_id ORDER BY time DESC, span_id LIMIT ?)) AS docs
         FROM t ORDER BY t.newest DESC, t.trace_id`,
      )
      .raw()
      .all(...params, traces, ...params, spansPerTrace) as [string, number, string][];
    // As OpenSearch answers ids only (no count) for spansPerTrace 0, so both stores answer alike.
    return rows.map(([traceId, matched, docs]) =>
      spansPerTrace > 0
        ? { traceId, matched, spans: JSON.parse(docs) as SpanDoc[] }
        : { traceId, matched: 0, spans: [] },
    );
  }

  async writeAll(items: readonly SpanWrite[], signal?: AbortSignal): Promise<WriteItemResult[]> {
    const spans = items.flatMap((i) => ('span' in i ? [i.span] : []));
    const edges = items.flatMap((i) => ('edge' in i ? [i.edge] : []));
    const [s, e] = [await this.write(spans, signal), await this.writeEdges(edges, signal)];
    let [si, ei] = [0, 0];
    return items.map((i) => ('span' in i ? s[si++] : e[ei++]) as WriteItemResult);
  }

  async writeEdges(edges: readonly SpanEdgeDoc[], signal?: AbortSignal): Promise<WriteItemResult[]> {
    signal?.throwIfAborted();
    return writeEdges(this.open(), edges);
  }

  async partners(keys: readonly PartnerKey[], limit: number, signal?: AbortSignal): Promise<PairingSpan[]> {
    signal?.throwIfAborted();
    return partners(this.open(), keys, limit);
  }

  async edgeAggregates(
    query: EdgeQuery,
    limit: number,
    signal?: AbortSignal,
  ): Promise<{ total: number; groups: EdgeAggregate[] }> {
    signal?.throwIfAborted();
    return edgeAggregates(this.open(), query, limit);
  }

  async clusters(query: SpanQuery = {}, signal?: AbortSignal): Promise<string[]> {
    signal?.throwIfAborted();
    const { sql, params } = where(query);
    const rows = this.open()
      .prepare(`SELECT DISTINCT cluster FROM trace_spans ${sql} ORDER BY cluster`)
      .raw()
      .all(...params) as [string][];
    return rows.map(([c]) => c);
  }

  async deleteOlderThan(before: Date, cluster?: string, signal?: AbortSignal): Promise<number> {
    const age = { before, cluster, signal };
    const deleted = await this.deleteRows({ table: 'trace_spans', key: 'cluster, trace_id, span_id', ...age });
    await this.deleteRows({ table: 'trace_span_edges', key: 'cluster, id', ...age });
    return deleted;
  }

  private async deleteRows({ table, key, before, cluster, signal }: RowDeletion): Promise<number> {
    const db = this.open();
    const where = cluster === undefined ? 'time < ?' : 'time < ? AND cluster = ?';
    const params = cluster === undefined ? [before.getTime()] : [before.getTime(), cluster];
    const batch = db.prepare(
      `DELETE FROM ${table} WHERE (${key}) IN (SELECT ${key} FROM ${table} WHERE ${where} LIMIT ${DELETE_BATCH})`,
    );
    // In batches with a yield between them, as the record store does: one DELETE of millions of rows would
    // hold the event loop (better-sqlite3 is synchronous) and the write lock for its whole length.
    let deleted = 0;
    for (;;) {
      signal?.throwIfAborted();
      const n = batch.run(...params).changes;
      deleted += n;
      if (n < DELETE_BATCH) return deleted;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async refresh(): Promise<void> {}

  async ping(): Promise<boolean> {
    try {
      this.open().prepare('SELECT 1').get();
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.db?.close();
    this.db = undefined;
  }

  async countSpans(query: SpanCountQuery, signal?: AbortSignal): Promise<SpanCounts> {
    signal?.throwIfAborted();
    return countSqliteSpans(this.open(), query);
  }

  private open(): Database.Database {
    if (!this.db) throw new Error('SqliteSpanStore used before init()');
    return this.db;
  }
}

export function where(q: SpanQuery): { sql: string; params: SqlValue[] } {
  const parts: string[] = [];
  const params: SqlValue[] = [];
  const list = (column: string, values: readonly string[] | undefined) => {
    if (values === undefined) return;
    if (values.length === 0) parts.push('0');
    else {
      parts.push(`${column} IN (${values.map(() => '?').join(',')})`);
      params.push(...values);
    }
  };
  const cond = (sql: string, value: SqlValue | undefined) => {
    if (value === undefined) return;
    parts.push(sql);
    params.push(value);
  };
  cond('time >= ?', q.start);
  cond('time < ?', q.end);
  list('cluster', q.clusters);
  list('namespace', q.namespaces);
  list('trace_id', q.traceIds);
  list('service', q.services);
  list('name', q.names);
  list('kind', q.kinds);
  cond('duration >= ?', q.minDurationNanos);
  cond('duration <= ?', q.maxDurationNanos);
  for (const [key, value] of Object.entries(q.tags ?? {})) {
    // The key quoted in the JSON path: attribute keys are dotted (`http.route`), not nested. Keys with a
    // double quote are refused by the API (tagKey in libs/traces/tempo-tags.ts).
    parts.push(`(${AS_TEXT} = ? OR ${AS_TEXT} = ?)`);
    const span = `$.attributes."${key}"`;
    const resource = `$.resource.attributes."${key}"`;
    params.push(span, span, value, resource, resource, value);
  }
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}
