import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditDoc, LogDoc } from '../../schemas/records.ts';
import { parseSearch } from '../../search/search-parser.ts';
import { SqliteStateStore } from '../state/sqlite-state.store.ts';
import { SqliteRecordStore } from './sqlite-record.store.ts';

const FIXTURE = resolve(import.meta.dirname, '../../../test/fixtures/sqlite/pharos-0.1.0.db.gz');
const T = Date.UTC(2026, 0, 15, 10);

describe('a record database made by Pharos 0.1.0 (id unique across clusters)', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const copy = () => {
    const dir = mkdtempSync(join(tmpdir(), 'pharos-migrate-'));
    dirs.push(dir);
    const path = join(dir, 'pharos.db');
    writeFileSync(path, gunzipSync(readFileSync(FIXTURE)));
    return path;
  };

  it('is migrated at start: old records stay searchable, the same id from another cluster becomes a second record', async () => {
    const path = copy();
    const store = new SqliteRecordStore({ path });
    await store.init();
    try {
      expect(await store.count('logs', { filters: {} })).toBe(2);
      expect(await store.count('events', { filters: { reason: ['BackOff'] } })).toBe(1);
      // Free text goes through the FTS table, keyed by the rowids the migration kept.
      const refused = await store.search('logs', { filters: {}, q: parseSearch('refused'), sort: 'asc', size: 10 });
      expect(refused.items.map((d) => d.id)).toEqual(['log-2']);
      const denied = await store.search('audit', {
        filters: { code: ['403'] },
        q: parseSearch('secrets'),
        sort: 'asc',
        size: 10,
      });
      expect(denied.items).toMatchObject([
        { id: 'audit-1:ResponseComplete', cluster: 'core', user: 'alice', groups: ['system:authenticated'] },
      ]);

      // Another cluster's record with core's audit id is its own record; core's stays as it was.
      const forged: AuditDoc = {
        id: 'audit-1:ResponseComplete',
        kind: 'audit',
        cluster: 'edge',
        auditID: 'audit-1',
        stage: 'ResponseComplete',
        user: 'mallory',
        verb: 'get',
        time: T,
        ingestedAt: T,
      };
      expect(await store.write('audit', [forged])).toEqual([{ id: forged.id, ok: true }]);
      const both = await store.search('audit', { filters: { user: ['alice', 'mallory'] }, sort: 'asc', size: 10 });
      expect(both.items.map((d) => [d.cluster, (d as AuditDoc).user])).toEqual([
        ['core', 'alice'],
        ['edge', 'mallory'],
      ]);
      // The same cluster's record again still replaces it (redelivery), text index included.
      const again: LogDoc = {
        id: 'log-2',
        kind: 'logs',
        cluster: 'core',
        namespace: 'shop',
        time: T + 1000,
        ingestedAt: T,
        message: 'payment retried for order 18',
      };
      await store.write('logs', [again]);
      expect(await store.count('logs', { filters: {} })).toBe(2);
      expect(await store.count('logs', { filters: {}, q: parseSearch('refused') })).toBe(0);
      expect(await store.count('logs', { filters: {}, q: parseSearch('retried') })).toBe(1);
    } finally {
      await store.close();
    }
    // The state store in the same file is untouched.
    const state = new SqliteStateStore(path);
    await state.init();
    expect((await state.get<{ title: string }>('dashboards', 'd1'))?.value).toEqual({ title: 'kept' });
    await state.close();
  });

  it('is migrated once: the next start finds the new key and changes nothing', async () => {
    const path = copy();
    for (let i = 0; i < 2; i++) {
      const store = new SqliteRecordStore({ path });
      await store.init();
      expect(await store.count('audit', { filters: {} })).toBe(2);
      await store.close();
    }
    const db = new Database(path, { readonly: true });
    const sql = (db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'rec_audit'`).get() as { sql: string }).sql;
    const tables = (
      db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'rec_%rekeyed'`).all() as unknown[]
    ).length;
    db.close();
    expect(sql).toMatch(/UNIQUE \(cluster, id\)/);
    expect(sql).not.toMatch(/id TEXT NOT NULL UNIQUE/);
    expect(tables).toBe(0);
  });
});
