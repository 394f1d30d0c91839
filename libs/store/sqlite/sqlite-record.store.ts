import { mkdirSync } from 'node:fs';
import { StatementCache } from './statement-cache.ts';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { InputError } from '../../errors/errors.ts';
import type { Logger } from '../../logging/logger.ts';
import { RECORD_KINDS, type RecordKind } from '../../schemas/records.ts';
import { lowerSimple } from '../../search/tokenize.ts';
import { decodeCursor, encodeCursor, queryFingerprint } from '../cursor.ts';
import { MULTI_VALUED_FIELDS, storedField } from '../../schemas/record-fields.ts';
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
  WriteOptions,
} from '../record-store.ts';
import { addRecordFields } from './sqlite-record-fields-migrate.ts';
import { migrateRecordTables } from './sqlite-record-migrate.ts';
import { prepareWriter, writeOne, type RecordWriter } from './sqlite-record-writer.ts';
import { ftsName, q, schemaStatements, tableName } from './sqlite-record-schema.ts';
import { fromTable, LOWER_FN, whereClause, type SqlValue } from './sqlite-record-where.ts';

export interface SqliteRecordStoreOptions {
  /** Database file; its folder is created. `:memory:` for tests. */
  path: string;
  /** Says when an older database is migrated at start. */
  logger?: Logger;
}

/** The paging order's key of a row: time, id, cluster (the same id from two clusters is two records). */
interface Keyset {
  time: number;
  id: string;
  cluster: string;
}

const EXPORT_PAGE = 1000;
const DELETE_BATCH = 5000;

/**
 * The embedded record store. better-sqlite3 is synchronous, so a statement cannot be interrupted: the
 * AbortSignal is checked between statements (export pages, delete batches), not inside one.
 */
export class SqliteRecordStore implements RecordStore {
  readonly type = 'sqlite';
  private db: Database.Database | undefined;
  private readonly writers = new Map<RecordKind, RecordWriter>();
  /** Read statements prepared once per connection (statement-cache.ts). */
  private readonly statements = new StatementCache(() => this.open());

  constructor(private readonly options: SqliteRecordStoreOptions) {}

  async init(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.db) return;
    if (this.options.path !== ':memory:') mkdirSync(dirname(this.options.path), { recursive: true });
    const db = new Database(this.options.path);
    db.pragma('journal_mode = WAL');
    // FULL: the indexer commits its bus offsets (synced, libs/bus/sqlite.bus.ts) after a write returns; a
    // write only in an unsynced WAL could be lost at a power cut while the commit survives. One sync per
    // bulk of up to 2,000 records costs little beside the bulk itself.
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    db.function(LOWER_FN, { deterministic: true }, (v: unknown) => (typeof v === 'string' ? lowerSimple(v) : v));
    // Databases of earlier versions, one step after the other: the (cluster, id) key, then the filter and
    // text fields added since (additive; either order gives the same result: sqlite-record-fields-migrate.ts).
    migrateRecordTables(db, this.options.logger);
    for (const kind of RECORD_KINDS) {
      const fields = addRecordFields(db, kind);
      if (fields.rows > 0)
        this.options.logger?.info({ kind, ...fields }, 'record table given the fields added since its version');
    }
    for (const kind of RECORD_KINDS) for (const sql of schemaStatements(kind)) db.exec(sql);
    this.db = db;
  }

  async write(
    kind: RecordKind,
    docs: readonly AnyDoc[],
    { signal, json }: WriteOptions = {},
  ): Promise<WriteItemResult[]> {
    signal?.throwIfAborted();
    const db = this.open();
    const writer = this.writer(kind);
    const results: WriteItemResult[] = [];
    const run = db.transaction(() => {
      docs.forEach((doc, i) => results.push(writeOne(kind, writer, { doc, json: json?.[i] })));
    });
    try {
      run();
    } catch (err) {
      // The transaction rolled back: every item failed; SQLITE_BUSY (another writer) is worth a retry.
      const code = (err as { code?: string }).code ?? '';
      const reason = `sqlite: ${(err as Error).message}`;
      return docs.map((d) => ({
        id: String(d?.id),
        ok: false,
        retryable: code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'),
        reason,
      }));
    }
    return results;
  }

  private writer(kind: RecordKind): RecordWriter {
    let writer = this.writers.get(kind);
    if (!writer) this.writers.set(kind, (writer = prepareWriter(this.open(), kind)));
    return writer;
  }

  async search(kind: RecordKind, request: SearchRequest, signal?: AbortSignal): Promise<SearchPage> {
    signal?.throwIfAborted();
    const fingerprint = queryFingerprint(kind, request, request.sort);
    const after = request.cursor ? decodeCursor(request.cursor, fingerprint) : undefined;
    const where = whereClause(kind, request);
    const total = this.countWhere(kind, where.sql, where.params);
    const rows = this.page(kind, {
      where: where.sql,
      params: where.params,
      sort: request.sort,
      size: request.size + 1,
      after,
    });
    const items = rows.slice(0, request.size).map((r) => JSON.parse(r.doc) as AnyDoc);
    const last = rows.length > request.size ? rows[request.size - 1] : undefined;
    return {
      total,
      items,
      cursor: last ? encodeCursor({ time: last.time, id: last.id, cluster: last.cluster, fingerprint }) : null,
    };
  }

  private page(
    kind: RecordKind,
    p: { where: string; params: SqlValue[]; sort: 'asc' | 'desc'; size: number; after?: Keyset | undefined },
  ): (Keyset & { doc: string })[] {
    const dir = p.sort === 'asc' ? 'ASC' : 'DESC';
    const keyset = p.after ? ` AND (t.time, t.id, t.cluster) ${p.sort === 'asc' ? '>' : '<'} (?, ?, ?)` : '';
    const params = p.after ? [...p.params, p.after.time, p.after.id, p.after.cluster, p.size] : [...p.params, p.size];
    const sql = `SELECT t.doc, t.time, t.id, t.cluster FROM ${fromTable(kind)} WHERE ${p.where}${keyset} ORDER BY t.time ${dir}, t.id ${dir}, t.cluster ${dir} LIMIT ?`;
    return this.prepared(sql).all(...params) as (Keyset & { doc: string })[];
  }

  private countWhere(kind: RecordKind, where: string, params: SqlValue[]): number {
    const row = this.prepared(`SELECT count(*) AS n FROM ${fromTable(kind)} WHERE ${where}`).get(...params) as {
      n: number;
    };
    return row.n;
  }

  async count(kind: RecordKind, query: RecordQuery, signal?: AbortSignal): Promise<number> {
    signal?.throwIfAborted();
    const where = whereClause(kind, query);
    return this.countWhere(kind, where.sql, where.params);
  }

  async histogram(
    kind: RecordKind,
    { intervalMs, ...query }: HistogramRequest,
    signal?: AbortSignal,
  ): Promise<HistogramResult> {
    signal?.throwIfAborted();
    const where = whereClause(kind, query);
    // Floor to a multiple of the interval since the epoch, also for times before 1970.
    const bucket = `(t.time - (((t.time % ?) + ?) % ?))`;
    const rows = this.open()
      .prepare(`SELECT ${bucket} AS b, count(*) AS n FROM ${fromTable(kind)} WHERE ${where.sql} GROUP BY b ORDER BY b`)
      .all(intervalMs, intervalMs, intervalMs, ...where.params) as { b: number; n: number }[];
    const buckets = rows.map((r) => ({ time: r.b, count: r.n }));
    return { total: buckets.reduce((s, b) => s + b.count, 0), buckets };
  }

  async stats(kind: RecordKind, { by, limit, ...query }: StatsRequest, signal?: AbortSignal): Promise<StatsResult> {
    signal?.throwIfAborted();
    const field = storedField(kind, by);
    if (field === undefined)
      throw new InputError(`Cannot group ${kind} by "${by}": not a filter field`, [
        { path: 'by', message: 'not a filter field' },
      ]);
    const where = whereClause(kind, query);
    const db = this.open();
    const source = MULTI_VALUED_FIELDS.has(field)
      ? `${fromTable(kind)}, json_each(t.${q(field)}) j WHERE ${where.sql}`
      : `${fromTable(kind)} WHERE ${where.sql} AND t.${q(field)} IS NOT NULL`;
    const key = MULTI_VALUED_FIELDS.has(field) ? 'j.value' : `t.${q(field)}`;
    const groups = db
      .prepare(
        `SELECT ${key} AS key, count(*) AS count FROM ${source} GROUP BY ${key} ORDER BY count DESC, key ASC LIMIT ?`,
      )
      .all(...where.params, limit) as { key: string; count: number }[];
    const distinct = (
      db.prepare(`SELECT count(DISTINCT ${key}) AS d FROM ${source}`).get(...where.params) as { d: number }
    ).d;
    const total = this.countWhere(kind, where.sql, where.params);
    // A list column holds NULL when the record has no value (writeOne), as a plain column does.
    const missing = this.countWhere(kind, `${where.sql} AND t.${q(field)} IS NULL`, where.params);
    return { total, distinct, groups: groups.map((g) => ({ key: String(g.key), count: g.count })), missing };
  }

  async *exportAll(
    kind: RecordKind,
    query: RecordQuery & { sort: 'asc' | 'desc' },
    signal?: AbortSignal,
  ): AsyncIterable<AnyDoc> {
    const where = whereClause(kind, query);
    let after: Keyset | undefined;
    for (;;) {
      signal?.throwIfAborted();
      const rows = this.page(kind, {
        where: where.sql,
        params: where.params,
        sort: query.sort,
        size: EXPORT_PAGE,
        after,
      });
      for (const row of rows) yield JSON.parse(row.doc) as AnyDoc;
      const last = rows[rows.length - 1];
      if (!last || rows.length < EXPORT_PAGE) return;
      after = { time: last.time, id: last.id, cluster: last.cluster };
    }
  }

  async deleteOlderThan(kind: RecordKind, { before, cluster }: RetentionCutoff, signal?: AbortSignal): Promise<number> {
    const db = this.open();
    const t = tableName(kind);
    const select = db.prepare(
      `SELECT rid FROM ${t} WHERE time < ?${cluster === undefined ? '' : ' AND cluster = ?'} LIMIT ${DELETE_BATCH}`,
    );
    const delRow = db.prepare(`DELETE FROM ${t} WHERE rid = ?`);
    const delFts = db.prepare(`DELETE FROM ${ftsName(kind)} WHERE rowid = ?`);
    const params = cluster === undefined ? [before.getTime()] : [before.getTime(), cluster];
    let deleted = 0;
    // Batches keep each write transaction short, so ingestion is not blocked for the whole retention run.
    for (;;) {
      signal?.throwIfAborted();
      const rids = (select.all(...params) as { rid: number }[]).map((r) => r.rid);
      if (rids.length === 0) return deleted;
      db.transaction(() => {
        for (const rid of rids) {
          delFts.run(rid);
          delRow.run(rid);
        }
      })();
      deleted += rids.length;
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
    this.writers.clear();
    this.statements.clear();
  }

  private prepared(sql: string): Database.Statement {
    return this.statements.get(sql);
  }

  private open(): Database.Database {
    if (!this.db) throw new Error('SqliteRecordStore used before init()');
    return this.db;
  }
}
