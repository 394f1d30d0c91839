import type { RecordKind } from '../../schemas/records.ts';
import { filterColumns, MULTI_VALUED_FIELDS, textFields } from '../../schemas/record-fields.ts';

/**
 * SQLite layout of the record store, one table per kind: a column per filter field (lists as JSON arrays),
 * the whole document as JSON, and an FTS5 table holding the pre-tokenized text fields (libs/search/tokenize.ts)
 * under the same rowid. Table names carry a `rec_` prefix because the state store may share the file.
 */
export const tableName = (kind: RecordKind): string => `rec_${kind}`;
export const ftsName = (kind: RecordKind): string => `rec_${kind}_fts`;
export const q = (identifier: string): string => `"${identifier.replace(/"/g, '""')}"`;

/**
 * The FTS5 tokenizer only splits the already tokenized text on spaces: `unicode61` with letters and digits
 * as token characters (the same classes as the JS tokenizer) and no diacritic folding, so SQLite cannot add
 * matches that OpenSearch would not find.
 */
const FTS_TOKENIZER = `unicode61 remove_diacritics 0 categories 'L* N*'`;

/**
 * The kind's table, under `name` (a migration builds it beside the old one). A record's key is (cluster, id):
 * the same id from two clusters is two rows (libs/schemas/record-key.ts).
 */
export function createTableStatement(kind: RecordKind, name = tableName(kind)): string {
  const columns = filterColumns(kind).map((c) => `${q(c)} TEXT`);
  return `CREATE TABLE IF NOT EXISTS ${name} (rid INTEGER PRIMARY KEY, id TEXT NOT NULL, time INTEGER NOT NULL, ${columns.join(', ')}, doc TEXT NOT NULL, UNIQUE (cluster, id))`;
}

export function schemaStatements(kind: RecordKind): string[] {
  const t = tableName(kind);
  const columns = filterColumns(kind);
  const statements = [
    createTableStatement(kind),
    // The paging order (time, id, cluster), so a keyset page is an index range.
    `CREATE INDEX IF NOT EXISTS ${t}_time ON ${t} (time, id, cluster)`,
    ftsStatement(kind),
  ];
  for (const c of columns) {
    if (MULTI_VALUED_FIELDS.has(c)) continue; // JSON lists: matched through json_each, an index would not help
    statements.push(`CREATE INDEX IF NOT EXISTS ${t}_${c} ON ${t} (${q(c)}, time)`);
  }
  return statements;
}

/** The kind's FTS5 table: contentless (the text lives in `doc`), one column per text field. */
export function ftsStatement(kind: RecordKind): string {
  return `CREATE VIRTUAL TABLE IF NOT EXISTS ${ftsName(kind)} USING fts5(${textFields(kind)
    .map(q)
    .join(', ')}, content='', contentless_delete=1, tokenize="${FTS_TOKENIZER}")`;
}
