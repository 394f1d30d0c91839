import type Database from 'better-sqlite3';
import type { Logger } from '../../logging/logger.ts';
import { RECORD_KINDS, type RecordKind } from '../../schemas/records.ts';
import { createTableStatement, q, tableName } from './sqlite-record-schema.ts';

/**
 * Databases made before the record key was (cluster, id) have `id TEXT NOT NULL UNIQUE`, which makes a
 * second cluster's record with the same id replace the first. SQLite cannot drop a column constraint
 * (https://www.sqlite.org/lang_altertable.html#otheralter), so such a table is rebuilt: a new table beside
 * it, every row copied with its rowid (the FTS table is keyed by it and stays as it is), the old one
 * dropped, the new one renamed; the indices are made again by the schema statements that follow. One
 * transaction per kind: a crash midway leaves the old table untouched and the next start does it again.
 */
export function migrateRecordTables(db: Database.Database, logger?: Logger): void {
  for (const kind of RECORD_KINDS) {
    if (!hasIdOnlyUniqueKey(db, tableName(kind))) continue;
    const started = Date.now();
    const rows = rebuild(db, kind);
    logger?.info({ kind, rows, ms: Date.now() - started }, 'record table migrated to the (cluster, id) key');
  }
}

/** True when the table exists and has a unique index on `id` alone (the old schema). */
function hasIdOnlyUniqueKey(db: Database.Database, table: string): boolean {
  const indices = db.prepare(`SELECT name, "unique" AS u FROM pragma_index_list(?)`).all(table) as {
    name: string;
    u: number;
  }[];
  return indices.some((i) => {
    if (i.u !== 1) return false;
    const columns = (db.prepare('SELECT name FROM pragma_index_info(?)').all(i.name) as { name: string }[]).map(
      (c) => c.name,
    );
    return columns.length === 1 && columns[0] === 'id';
  });
}

function rebuild(db: Database.Database, kind: RecordKind): number {
  const table = tableName(kind);
  const next = `${table}__rekeyed`;
  return db.transaction(() => {
    db.exec(`DROP TABLE IF EXISTS ${next}`);
    db.exec(createTableStatement(kind, next));
    // The columns both tables have: a newer schema may have added some, which then stay empty.
    const columnsOf = (t: string) =>
      (db.prepare('SELECT name FROM pragma_table_info(?)').all(t) as { name: string }[]).map((c) => c.name);
    const old = new Set(columnsOf(table));
    const shared = columnsOf(next)
      .filter((c) => old.has(c))
      .map(q)
      .join(', ');
    const copied = db.prepare(`INSERT INTO ${next} (${shared}) SELECT ${shared} FROM ${table}`).run().changes;
    db.exec(`DROP TABLE ${table}`);
    db.exec(`ALTER TABLE ${next} RENAME TO ${table}`);
    return copied;
  })();
}
