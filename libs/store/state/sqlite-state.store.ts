import { mkdirSync } from 'node:fs';
import { StatementCache } from '../sqlite/statement-cache.ts';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ConflictError } from '../../errors/errors.ts';
import type { LeaseRequest, ListOptions, StateStore, StateWrite, Versioned } from '../state-store.ts';
import { checkField, decodeCursor, encodeCursor, listLimit } from './state-keys.ts';

interface Row {
  id: string;
  version: number;
  updated_at: number;
  value: string;
}

/**
 * State store on SQLite. It may share the database file with the record store, so it keeps to its own
 * `state_*` tables and its own connection; WAL lets readers run beside the one writer, and busy_timeout
 * waits out the other connection's write lock instead of failing with SQLITE_BUSY.
 */
export class SqliteStateStore implements StateStore {
  readonly type = 'sqlite';
  private db: Database.Database | undefined;
  /** Read statements prepared once per connection (statement-cache.ts). */
  private readonly statements = new StatementCache(() => this.conn());

  constructor(
    private readonly path: string,
    private readonly now: () => number = Date.now,
  ) {}

  async init(): Promise<void> {
    if (this.db) return;
    if (this.path !== ':memory:') mkdirSync(dirname(this.path), { recursive: true });
    const db = new Database(this.path);
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    db.exec(`
      CREATE TABLE IF NOT EXISTS state_docs (
        collection TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL, updated_at INTEGER NOT NULL,
        value TEXT NOT NULL, PRIMARY KEY (collection, id)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS state_leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at INTEGER NOT NULL);
    `);
    this.db = db;
  }

  private conn(): Database.Database {
    if (!this.db) throw new Error('SqliteStateStore used before init()');
    return this.db;
  }

  private prepared(sql: string): Database.Statement {
    return this.statements.get(sql);
  }

  async get<T>(collection: string, id: string, signal?: AbortSignal): Promise<Versioned<T> | undefined> {
    signal?.throwIfAborted();
    const row = this.prepared(
      'SELECT id, version, updated_at, value FROM state_docs WHERE collection = ? AND id = ?',
    ).get(collection, id) as Row | undefined;
    return row ? toVersioned<T>(row) : undefined;
  }

  async put<T>(
    collection: string,
    { id, value, expectedVersion }: StateWrite<T>,
    signal?: AbortSignal,
  ): Promise<Versioned<T>> {
    signal?.throwIfAborted();
    const db = this.conn();
    // One transaction: the version check and the write cannot be split by the other connection.
    return db
      .transaction(() => {
        const current = this.prepared('SELECT version FROM state_docs WHERE collection = ? AND id = ?').get(
          collection,
          id,
        ) as { version: number } | undefined;
        const have = current?.version ?? 0;
        if (expectedVersion !== undefined && expectedVersion !== have) {
          throw new ConflictError(
            `${collection}/${id} is at version ${have}, not ${expectedVersion}: reload and retry`,
          );
        }
        const doc: Versioned<T> = { id, version: have + 1, updatedAt: this.now(), value };
        this.prepared(
          'INSERT OR REPLACE INTO state_docs (collection, id, version, updated_at, value) VALUES (?, ?, ?, ?, ?)',
        ).run(collection, id, doc.version, doc.updatedAt, JSON.stringify(value));
        return doc;
      })
      .immediate();
  }

  async putMany<T>(
    collection: string,
    items: readonly { id: string; value: T }[],
    signal?: AbortSignal,
  ): Promise<void> {
    signal?.throwIfAborted();
    const db = this.conn();
    const now = this.now();
    const upsert = this.prepared(
      `INSERT INTO state_docs (collection, id, version, updated_at, value) VALUES (?, ?, 1, ?, ?)
       ON CONFLICT(collection, id) DO UPDATE SET version = version + 1, updated_at = excluded.updated_at, value = excluded.value`,
    );
    db.transaction(() => {
      for (const item of items) upsert.run(collection, item.id, now, JSON.stringify(item.value));
    }).immediate();
  }

  async delete(collection: string, id: string, signal?: AbortSignal): Promise<boolean> {
    signal?.throwIfAborted();
    return this.prepared('DELETE FROM state_docs WHERE collection = ? AND id = ?').run(collection, id).changes > 0;
  }

  async list<T>(
    collection: string,
    options: ListOptions = {},
    signal?: AbortSignal,
  ): Promise<{ items: Versioned<T>[]; next: string | null }> {
    signal?.throwIfAborted();
    const limit = listLimit(options.limit);
    const desc = options.order === 'desc';
    const clauses = ['collection = ?'];
    const params: unknown[] = [collection];
    for (const [field, expected] of Object.entries(options.where ?? {})) {
      clauses.push('json_extract(value, ?) = ?');
      params.push(`$."${checkField(field)}"`, expected);
    }
    const after = decodeCursor(options.after);
    if (after !== undefined) {
      clauses.push(desc ? 'id < ?' : 'id > ?');
      params.push(after);
    }
    const sql = `SELECT id, version, updated_at, value FROM state_docs WHERE ${clauses.join(' AND ')} ORDER BY id ${desc ? 'DESC' : 'ASC'} LIMIT ?`;
    const rows = this.prepared(sql).all(...params, limit + 1) as Row[];
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => toVersioned<T>(r)),
      next: rows.length > limit && last ? encodeCursor(last.id) : null,
    };
  }

  async acquireLease({ name, holder, ttlMs }: LeaseRequest, signal?: AbortSignal): Promise<boolean> {
    signal?.throwIfAborted();
    const now = this.now();
    // Take the lease when it is free, expired or already ours; a single UPSERT keeps it atomic.
    const result = this.prepared(
      `INSERT INTO state_leases (name, holder, expires_at) VALUES (?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE state_leases.holder = excluded.holder OR state_leases.expires_at <= ?`,
    ).run(name, holder, now + ttlMs, now);
    return result.changes > 0;
  }

  async releaseLease(name: string, holder: string, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    this.prepared('UPDATE state_leases SET expires_at = 0 WHERE name = ? AND holder = ?').run(name, holder);
  }

  async close(): Promise<void> {
    this.statements.clear();
    this.db?.close();
    this.db = undefined;
  }
}

function toVersioned<T>(row: Row): Versioned<T> {
  return { id: row.id, version: row.version, updatedAt: row.updated_at, value: JSON.parse(row.value) as T };
}
