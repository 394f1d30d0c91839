import type Database from 'better-sqlite3';
import type { SpanEdgeDoc } from '../../schemas/span-edge.ts';
import type { WriteItemResult } from '../record-store.ts';
import type { EdgeAggregate, EdgeQuery, PairingSpan, PartnerKey } from './span-store.ts';

/**
 * The edges paired at ingest on SQLite (table `trace_span_edges` beside `trace_spans`), and the two reads the
 * pairing and the topology make: the partners of a batch's spans, and the edges grouped by (source, target).
 */
export const EDGE_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS trace_span_edges (
    cluster TEXT NOT NULL, id TEXT NOT NULL, time INTEGER NOT NULL,
    source_cluster TEXT NOT NULL, source_namespace TEXT, source_service TEXT NOT NULL,
    target_cluster TEXT NOT NULL, target_namespace TEXT, target_service TEXT NOT NULL,
    type TEXT NOT NULL, failed INTEGER NOT NULL, duration INTEGER NOT NULL,
    PRIMARY KEY (cluster, id)) WITHOUT ROWID`,
  'CREATE INDEX IF NOT EXISTS trace_span_edges_time ON trace_span_edges (time)',
  // Partners by parent: the spans table has (cluster, trace_id, span_id) and trace_id alone.
  'CREATE INDEX IF NOT EXISTS trace_spans_parent ON trace_spans (trace_id, parent_span_id)',
];

const UPSERT = `INSERT INTO trace_span_edges (cluster, id, time, source_cluster, source_namespace, source_service,
    target_cluster, target_namespace, target_service, type, failed, duration)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (cluster, id) DO UPDATE SET time = excluded.time, source_cluster = excluded.source_cluster,
    source_namespace = excluded.source_namespace, source_service = excluded.source_service,
    target_cluster = excluded.target_cluster, target_namespace = excluded.target_namespace,
    target_service = excluded.target_service, type = excluded.type, failed = excluded.failed,
    duration = excluded.duration`;

export function writeEdges(db: Database.Database, edges: readonly SpanEdgeDoc[]): WriteItemResult[] {
  const upsert = db.prepare(UPSERT);
  try {
    db.transaction(() => {
      for (const e of edges)
        upsert.run(
          e.cluster,
          e.id,
          e.time,
          e.sourceCluster,
          e.sourceNamespace ?? null,
          e.sourceService,
          e.targetCluster,
          e.targetNamespace ?? null,
          e.targetService,
          e.type,
          e.failed ? 1 : 0,
          e.durationInNanos,
        );
    })();
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    const retryable = code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
    return edges.map((e) => ({ id: e.id, ok: false, retryable, reason: `sqlite: ${(err as Error).message}` }));
  }
  return edges.map((e) => ({ id: e.id, ok: true }));
}

type PartnerRow = [string, string | null, string, string, string, string, string, number, number, number];
const PARTNER_COLUMNS = 'cluster, namespace, trace_id, span_id, parent_span_id, service, kind, duration, status, time';
const PARTNER_KINDS = "kind IN ('SPAN_KIND_CLIENT', 'SPAN_KIND_SERVER', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER')";

/** The parents the keys name and the children that name the keys, by the primary key and the parent index. */
export function partners(db: Database.Database, keys: readonly PartnerKey[], limit: number): PairingSpan[] {
  const byId = db.prepare(
    `SELECT ${PARTNER_COLUMNS} FROM trace_spans WHERE trace_id = ? AND span_id = ? AND ${PARTNER_KINDS}`,
  );
  const byParent = db.prepare(
    `SELECT ${PARTNER_COLUMNS} FROM trace_spans WHERE trace_id = ? AND parent_span_id = ? AND ${PARTNER_KINDS} LIMIT ?`,
  );
  const out = new Map<string, PairingSpan>();
  const take = (rows: PartnerRow[]) => {
    for (const r of rows) if (out.size < limit) out.set(`${r[0]}\u0000${r[2]}:${r[3]}`, partnerOf(r));
  };
  for (const k of keys) {
    if (out.size >= limit) break;
    if (k.parentSpanId !== '') take(byId.raw().all(k.traceId, k.parentSpanId) as PartnerRow[]);
    take(byParent.raw().all(k.traceId, k.spanId, limit) as PartnerRow[]);
  }
  return [...out.values()];
}

function partnerOf([
  cluster,
  namespace,
  traceId,
  spanId,
  parentSpanId,
  serviceName,
  kind,
  durationInNanos,
  statusCode,
  time,
]: PartnerRow): PairingSpan {
  return {
    cluster,
    traceId,
    spanId,
    parentSpanId,
    serviceName,
    kind,
    durationInNanos,
    statusCode,
    time,
    ...(namespace === null ? {} : { namespace }),
  };
}

/**
 * GROUP BY the two nodes, with the nearest-rank percentiles computed the way the spans path did (rank
 * ceil(q·n) in IEEE doubles, as JavaScript's Math.ceil(q * n)): ROW_NUMBER over the group's durations.
 */
export function edgeAggregates(
  db: Database.Database,
  query: EdgeQuery,
  limit: number,
): { total: number; groups: EdgeAggregate[] } {
  const { sql, params } = edgeWhere(query);
  const group =
    "source_cluster, COALESCE(source_namespace, ''), source_service, target_cluster, COALESCE(target_namespace, ''), target_service";
  const rank = (q: number) =>
    `MIN(n, MAX(1, CASE WHEN ${q} * n > CAST(${q} * n AS INTEGER) THEN CAST(${q} * n AS INTEGER) + 1 ELSE CAST(${q} * n AS INTEGER) END))`;
  const rows = db
    .prepare(
      `WITH ranked AS (
        SELECT *, ROW_NUMBER() OVER (PARTITION BY ${group} ORDER BY duration) AS rn, COUNT(*) OVER (PARTITION BY ${group}) AS n
        FROM trace_span_edges ${sql})
      SELECT source_cluster, MAX(source_namespace), source_service, target_cluster, MAX(target_namespace), target_service,
        MAX(type), COUNT(*), SUM(failed),
        MAX(CASE WHEN rn = ${rank(0.5)} THEN duration END), MAX(CASE WHEN rn = ${rank(0.95)} THEN duration END)
      FROM ranked GROUP BY ${group} ORDER BY ${group}`,
    )
    .raw()
    .all(...params) as [
    string,
    string | null,
    string,
    string,
    string | null,
    string,
    string,
    number,
    number,
    number,
    number,
  ][];
  const node = (cluster: string, namespace: string | null, service: string) => ({
    cluster,
    service,
    ...(namespace === null ? {} : { namespace }),
  });
  const groups = rows.slice(0, limit).map(([sc, sn, ss, tc, tn, ts, type, requests, errors, p50, p95]) => ({
    source: node(sc, sn, ss),
    target: node(tc, tn, ts),
    // MAX: 'request' > 'messaging', so a pair of services called both ways is a request edge.
    type: type === 'messaging' ? ('messaging' as const) : ('request' as const),
    requests,
    errors,
    p50Ms: p50 / 1e6,
    p95Ms: p95 / 1e6,
  }));
  return { total: rows.length, groups };
}

function edgeWhere(q: EdgeQuery): { sql: string; params: (string | number)[] } {
  const parts = ['time >= ?', 'time < ?'];
  const params: (string | number)[] = [q.start, q.end];
  const both = (column: 'cluster' | 'namespace', values: readonly string[] | undefined) => {
    if (values === undefined) return;
    if (values.length === 0) return void parts.push('0');
    const list = values.map(() => '?').join(',');
    parts.push(`source_${column} IN (${list})`, `target_${column} IN (${list})`);
    params.push(...values, ...values);
  };
  both('cluster', q.clusters);
  both('namespace', q.namespaces);
  return { sql: `WHERE ${parts.join(' AND ')}`, params };
}
