import type Database from 'better-sqlite3';
import { docProblem, filterColumns, textFields } from '../../schemas/record-fields.ts';
import type { AnyDoc, RecordKind } from '../../schemas/records.ts';
import type { WriteItemResult } from '../record-store.ts';
import { columnValue, textOf } from './sqlite-record-fields-migrate.ts';
import { ftsName, q, tableName } from './sqlite-record-schema.ts';

/** One kind's write statements: the row (filter columns and the doc's JSON) and its full-text entry. */
export interface RecordWriter {
  columns: string[];
  texts: readonly string[];
  find: Database.Statement;
  insert: Database.Statement;
  update: Database.Statement;
  ftsDelete: Database.Statement;
  ftsInsert: Database.Statement;
}

/** `json` is the doc's JSON text when the caller has it (RecordStore.write). */
export function writeOne(
  kind: RecordKind,
  writer: RecordWriter,
  { doc, json }: { doc: AnyDoc; json?: string },
): WriteItemResult {
  const problem = docProblem(kind, doc);
  if (problem) return { id: String(doc?.id), ok: false, retryable: false, reason: problem };
  const columns = writer.columns.map((c) => columnValue(doc, c));
  const texts = writer.texts.map((f) => textOf(doc, f));
  const text = json ?? JSON.stringify(doc);
  const existing = writer.find.get(doc.cluster, doc.id) as { rid: number } | undefined;
  if (existing) {
    // The same record again (redelivery): replace the row and its text entry in place.
    writer.update.run(doc.time, ...columns, text, existing.rid);
    writer.ftsDelete.run(existing.rid);
    writer.ftsInsert.run(existing.rid, ...texts);
  } else {
    const rid = writer.insert.run(doc.id, doc.time, ...columns, text).lastInsertRowid;
    writer.ftsInsert.run(rid, ...texts);
  }
  return { id: doc.id, ok: true };
}

/** The prepared statements of one kind's table and its text index, made once per kind. */
export function prepareWriter(db: Database.Database, kind: RecordKind): RecordWriter {
  const t = tableName(kind);
  const columns = filterColumns(kind);
  const cols = columns.map(q);
  const texts = textFields(kind);
  return {
    columns,
    texts,
    find: db.prepare(`SELECT rid FROM ${t} WHERE cluster = ? AND id = ?`),
    insert: db.prepare(
      `INSERT INTO ${t} (id, time, ${cols.join(', ')}, doc) VALUES (?, ?, ${cols.map(() => '?').join(', ')}, ?)`,
    ),
    update: db.prepare(`UPDATE ${t} SET time = ?, ${cols.map((c) => `${c} = ?`).join(', ')}, doc = ? WHERE rid = ?`),
    ftsDelete: db.prepare(`DELETE FROM ${ftsName(kind)} WHERE rowid = ?`),
    ftsInsert: db.prepare(
      `INSERT INTO ${ftsName(kind)} (rowid, ${texts.map(q).join(', ')}) VALUES (?, ${texts.map(() => '?').join(', ')})`,
    ),
  };
}
