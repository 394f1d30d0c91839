import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { normalizeAudit } from '../../normalize/audit.normalize.ts';
import type { AuditDoc } from '../../schemas/records.ts';
import { parseSearch } from '../../search/search-parser.ts';
import { tokenize } from '../../search/tokenize.ts';
import { addRecordFields } from './sqlite-record-fields-migrate.ts';
import { migrateRecordTables } from './sqlite-record-migrate.ts';
import { SqliteRecordStore } from './sqlite-record.store.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const TRACE = resolve(ROOT, 'test/fixtures/k8s-audit/kubectl-as-impersonation.jsonl');
const raw = readFileSync(TRACE, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as Record<string, unknown>);
const NEW_FIELDS = [
  'impersonatedUser',
  'impersonatedGroups',
  'decision',
  'authzReason',
  'responseReason',
  'responseMessage',
  'objectUid',
];

/**
 * The audit table as version 0.1.0 made it (libs/store/sqlite/sqlite-record-schema.ts then): 12 filter columns, 3 text
 * fields.
 */
const OLD_COLUMNS = [
  'cluster',
  'namespace',
  'verb',
  'user',
  'groups',
  'sourceIP',
  'resource',
  'subresource',
  'name',
  'code',
  'level',
  'stage',
];
const OLD_TEXTS = ['requestURI', 'user', 'name'];

/** A database written by 0.1.0: its layout, and documents as its normalizer made them (no new fields, `raw` kept). */
function oldDatabase(path: string): AuditDoc[] {
  const docs = normalizeAudit(raw, { cluster: 'east', ingestedAt: 1 })!.docs.map(
    (d) => Object.fromEntries(Object.entries(d).filter(([k]) => !NEW_FIELDS.includes(k))) as AuditDoc,
  );
  const db = new Database(path);
  db.exec(
    `CREATE TABLE rec_audit (rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, time INTEGER NOT NULL, ${OLD_COLUMNS.map((c) => `"${c}" TEXT`).join(', ')}, doc TEXT NOT NULL)`,
  );
  db.exec(
    `CREATE VIRTUAL TABLE rec_audit_fts USING fts5(${OLD_TEXTS.map((c) => `"${c}"`).join(', ')}, content='', contentless_delete=1, tokenize="unicode61 remove_diacritics 0 categories 'L* N*'")`,
  );
  const insert = db.prepare(
    `INSERT INTO rec_audit (id, time, ${OLD_COLUMNS.map((c) => `"${c}"`).join(', ')}, doc) VALUES (?, ?, ${OLD_COLUMNS.map(() => '?').join(', ')}, ?)`,
  );
  const fts = db.prepare(
    `INSERT INTO rec_audit_fts (rowid, ${OLD_TEXTS.map((c) => `"${c}"`).join(', ')}) VALUES (?, ?, ?, ?)`,
  );
  for (const d of docs) {
    const record = d as unknown as Record<string, unknown>;
    const values = OLD_COLUMNS.map((c) =>
      Array.isArray(record[c]) ? JSON.stringify(record[c]) : record[c] === undefined ? null : String(record[c]),
    );
    const rid = insert.run(d.id, d.time, ...values, JSON.stringify(d)).lastInsertRowid;
    fts.run(
      rid,
      ...OLD_TEXTS.map((f) => (typeof record[f] === 'string' ? tokenize(record[f] as string).join(' ') : null)),
    );
  }
  db.close();
  return docs;
}

describe('SQLite record store: databases of earlier versions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-migrate-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const all = { start: 0, end: Date.UTC(2100, 0, 1) };

  it('gain the new audit columns and text fields at start, filled from the stored raw events', async () => {
    const path = join(dir, 'old.db');
    const old = oldDatabase(path);
    const store = new SqliteRecordStore({ path });
    await store.init();
    try {
      const count = async (filters: Record<string, string[]>, q?: string) =>
        store.count('audit', { filters, ...all, ...(q ? { q: parseSearch(q) } : {}) });
      expect(await count({})).toBe(old.length);
      const asBob = raw.filter(
        (e) => (e.impersonatedUser as { username?: string } | undefined)?.username === 'bob',
      ).length;
      const forbid = raw.filter(
        (e) => (e.annotations as Record<string, string> | undefined)?.['authorization.k8s.io/decision'] === 'forbid',
      ).length;
      const forbiddenText = raw.filter((e) =>
        /\bforbidden\b/i.test(String((e.responseStatus as { message?: string } | undefined)?.message ?? '')),
      ).length;
      expect(asBob).toBeGreaterThan(25);
      expect(await count({ impersonatedUser: ['bob'] })).toBe(asBob);
      expect(await count({ decision: ['forbid'] })).toBe(forbid);
      expect(await count({ responseReason: ['Forbidden'] })).toBe(forbid);
      expect(await count({}, 'forbidden')).toBe(forbiddenText);
      expect(await count({ impersonatedGroup: ['qa'] })).toBeGreaterThan(0);
      // What the old text index held still matches, and the documents now carry the fields.
      expect(await count({}, 'requestURI:"namespaces/dev"')).toBe(
        raw.filter((e) => String(e.requestURI).includes('/namespaces/dev')).length,
      );
      const page = await store.search('audit', { filters: { decision: ['forbid'] }, ...all, sort: 'asc', size: 1 });
      expect(page.items[0]).toMatchObject({
        decision: 'forbid',
        responseReason: 'Forbidden',
        responseMessage: expect.stringMatching(/is forbidden: User/),
      });
      const stats = await store.stats('audit', { filters: {}, ...all, by: 'decision', limit: 10 });
      expect(stats.groups.reduce((s, g) => s + g.count, 0) + stats.missing).toBe(stats.total);
    } finally {
      await store.close();
    }
    // Once migrated, a second start has nothing to do.
    const db = new Database(path);
    try {
      expect(addRecordFields(db, 'audit')).toEqual({ addedColumns: [], rebuiltText: false, rows: 0 });
    } finally {
      db.close();
    }
  });

  it('end the same whichever step runs first: the fields before or after the (cluster, id) rekey', () => {
    const layout = (order: 'fields-first' | 'rekey-first') => {
      const path = join(dir, `${order}.db`);
      oldDatabase(path);
      const db = new Database(path);
      try {
        if (order === 'fields-first') addRecordFields(db, 'audit');
        migrateRecordTables(db);
        // After the rekey the new columns exist (its rebuild makes today's table) but are empty.
        const second = addRecordFields(db, 'audit');
        if (order === 'rekey-first')
          expect(second).toMatchObject({ addedColumns: [], rebuiltText: true, rows: old.length });
        else expect(second).toEqual({ addedColumns: [], rebuiltText: false, rows: 0 });
        const rows = db
          .prepare(
            `SELECT cluster, id, impersonatedUser, decision, responseReason, objectUid, impersonatedGroups FROM rec_audit ORDER BY rid`,
          )
          .all();
        const text = db.prepare(`SELECT count(*) AS n FROM rec_audit_fts WHERE rec_audit_fts MATCH 'forbidden'`).get();
        return { rows, text };
      } finally {
        db.close();
      }
    };
    const old = normalizeAudit(raw, { cluster: 'east', ingestedAt: 1 })!.docs;
    const fieldsFirst = layout('fields-first');
    expect(layout('rekey-first')).toEqual(fieldsFirst);
    expect(
      fieldsFirst.rows.filter((r) => (r as { impersonatedUser: string | null }).impersonatedUser === 'bob'),
    ).toHaveLength(old.filter((d) => d.impersonatedUser === 'bob').length);
    expect((fieldsFirst.text as { n: number }).n).toBeGreaterThan(0);
  });

  it('leave a new database alone', () => {
    const db = new Database(':memory:');
    try {
      expect(addRecordFields(db, 'audit')).toEqual({ addedColumns: [], rebuiltText: false, rows: 0 });
    } finally {
      db.close();
    }
  });
});
