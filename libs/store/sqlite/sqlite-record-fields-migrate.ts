import type Database from 'better-sqlite3';
import { auditOutcomeFromRaw } from '../../normalize/audit.normalize.ts';
import type { RecordKind } from '../../schemas/records.ts';
import { tokenize } from '../../search/tokenize.ts';
import { fieldValues, filterColumns, MULTI_VALUED_FIELDS, textFields, textValue } from '../../schemas/record-fields.ts';
import type { AnyDoc } from '../record-store.ts';
import { ftsName, ftsStatement, q, tableName } from './sqlite-record-schema.ts';

/**
 * Fields a newer version derives at intake that records stored by an earlier one lack, recomputed from
 * what they kept (audit: the original event in `raw`). Keyed by kind; a kind without an entry gets its new
 * columns filled from the stored document as it is.
 */
const DERIVED: Partial<Record<RecordKind, (doc: AnyDoc) => Partial<AnyDoc>>> = {
  audit: (doc) => ('raw' in doc && doc.raw !== undefined ? auditOutcomeFromRaw(doc.raw) : {}),
};

const BATCH = 1000;

/**
 * Brings the tables of one kind, made by an earlier version, to the current layout, additively: a column
 * for every filter field that is missing, the FTS table rebuilt when its text fields changed (FTS5 tables
 * cannot gain columns), and then every filter column refilled from each stored document. Refilling all of
 * them, not only the ones added here, lets this step run after the (cluster, id) rekey
 * (sqlite-record-migrate.ts): its rebuild makes the table with today's columns but copies only the old
 * ones, so the new columns exist and are empty, and only the outdated text index tells. One transaction, so
 * a crash half-way leaves the old layout, migrated again at the next start. Nothing to do for a new or
 * current database.
 */
export function addRecordFields(
  db: Database.Database,
  kind: RecordKind,
): { addedColumns: string[]; rebuiltText: boolean; rows: number } {
  const t = tableName(kind);
  const columns = new Set(columnNames(db, t));
  if (columns.size === 0) return { addedColumns: [], rebuiltText: false, rows: 0 };
  const added = filterColumns(kind).filter((c) => !columns.has(c));
  const texts = columnNames(db, ftsName(kind));
  const rebuildText = texts.length > 0 && texts.join('\u0000') !== textFields(kind).join('\u0000');
  if (added.length === 0 && !rebuildText) return { addedColumns: [], rebuiltText: false, rows: 0 };
  let rows = 0;
  db.transaction(() => {
    for (const c of added) db.exec(`ALTER TABLE ${t} ADD COLUMN ${q(c)} TEXT`);
    if (rebuildText) {
      db.exec(`DROP TABLE ${ftsName(kind)}`);
      db.exec(ftsStatement(kind));
    }
    rows = rewriteRows(db, kind, { columns: filterColumns(kind), rebuildText });
  })();
  return { addedColumns: added, rebuiltText: rebuildText, rows };
}

/** Every row once, in rid order: derived fields into the document, the filter columns, and the text entry. */
function rewriteRows(
  db: Database.Database,
  kind: RecordKind,
  { columns, rebuildText }: { columns: readonly string[]; rebuildText: boolean },
): number {
  const t = tableName(kind);
  const texts = textFields(kind);
  const select = db.prepare(`SELECT rid, doc FROM ${t} WHERE rid > ? ORDER BY rid LIMIT ${BATCH}`);
  const update = db.prepare(`UPDATE ${t} SET doc = ?${columns.map((c) => `, ${q(c)} = ?`).join('')} WHERE rid = ?`);
  const ftsInsert = db.prepare(
    `INSERT INTO ${ftsName(kind)} (rowid, ${texts.map(q).join(', ')}) VALUES (?, ${texts.map(() => '?').join(', ')})`,
  );
  const derive = DERIVED[kind];
  let after = 0;
  let rows = 0;
  for (;;) {
    const batch = select.all(after) as { rid: number; doc: string }[];
    for (const row of batch) {
      const stored = JSON.parse(row.doc) as AnyDoc;
      const extra = derive?.(stored) ?? {};
      const doc = { ...stored, ...extra } as AnyDoc;
      update.run(
        Object.keys(extra).length > 0 ? JSON.stringify(doc) : row.doc,
        ...columns.map((c) => columnValue(doc, c)),
        row.rid,
      );
      if (rebuildText) ftsInsert.run(row.rid, ...texts.map((f) => textOf(doc, f)));
    }
    rows += batch.length;
    if (batch.length < BATCH) return rows;
    after = batch[batch.length - 1]!.rid;
  }
}

/** A filter column's value as the store writes it (sqlite-record.store.ts writeOne): lists as JSON arrays. */
export function columnValue(doc: AnyDoc, column: string): string | null {
  const values = fieldValues(doc, column);
  if (MULTI_VALUED_FIELDS.has(column)) return values.length ? JSON.stringify(values) : null;
  return values[0] ?? null;
}

/** A text field as the FTS table holds it: pre-tokenized, space-separated. */
export function textOf(doc: AnyDoc, field: string): string | null {
  const text = textValue(doc, field);
  return text === undefined ? null : tokenize(text).join(' ');
}

function columnNames(db: Database.Database, table: string): string[] {
  return (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[]).map((c) => c.name);
}
