import { afterAll, beforeAll, expect, it } from 'vitest';
import { InputError } from '../errors/errors.ts';
import { RECORD_KINDS, type AuditDoc, type LogDoc, type RecordKind } from '../schemas/records.ts';
import { parseSearch } from '../search/search-parser.ts';
import { MemoryRecordStore } from './memory/memory-record.store.ts';
import { CONTRACT_CASES } from './record-store.contract-cases.ts';
import type { AnyDoc, RecordStore } from './record-store.ts';

/**
 * The record store contract, run by test/integration/records with `describe.each` over every engine. Each
 * engine gets the same documents; every query of CONTRACT_CASES must give the answer of the in-memory
 * reference (libs/store/memory), which spells the semantics out in plain code.
 */
export interface EngineUnderTest {
  name: string;
  /** A fresh, initialized, empty store (its own file or index prefix). */
  create(): Promise<RecordStore>;
  /** Removes what `create` made (indices, files) and closes the store. */
  destroy(store: RecordStore): Promise<void>;
}

export function recordStoreContract(engine: EngineUnderTest, fixtures: () => Record<RecordKind, AnyDoc[]>): void {
  let store: RecordStore;
  const reference = new MemoryRecordStore();
  const data = fixtures();

  beforeAll(async () => {
    store = await engine.create();
    for (const kind of RECORD_KINDS) {
      const results = await store.write(kind, data[kind]);
      expect(results.filter((r) => !r.ok)).toEqual([]);
      await reference.write(kind, data[kind]);
    }
    await store.refresh();
  });
  afterAll(async () => {
    if (store) await engine.destroy(store);
  });

  it.each(CONTRACT_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const expected = await c.run(reference);
    c.check?.(expected);
    expect(await c.run(store)).toEqual(expected);
  });

  it('writes idempotently by id: a second write of the same documents, given as JSON text, adds nothing', async () => {
    const again = data.audit.slice(0, 30);
    const results = await store.write('audit', again, { json: again.map((d) => JSON.stringify(d)) });
    expect(results.every((r) => r.ok)).toBe(true);
    await store.refresh('audit');
    expect(await store.count('audit', { filters: {} })).toBe(data.audit.length);
    const request = { filters: {}, sort: 'asc', size: 50 } as const;
    expect((await store.search('audit', request)).items).toEqual((await reference.search('audit', request)).items);
  });

  it('keys records by cluster and id: the same id from three clusters is three records, paged one by one', async () => {
    const time = Date.UTC(2024, 2, 1);
    const audit = (cluster: string, user: string): AuditDoc => ({
      id: 'same-audit:ResponseComplete',
      kind: 'audit',
      cluster,
      time,
      ingestedAt: 0,
      auditID: 'same-audit',
      stage: 'ResponseComplete',
      user,
      verb: 'get',
    });
    const clusters = ['twin-c', 'twin-a', 'twin-b'];
    await store.write(
      'audit',
      clusters.map((c) => audit(c, `first-${c}`)),
    );
    // The same record of one cluster again replaces only that cluster's.
    await store.write('audit', [audit('twin-a', 'second-twin-a')]);
    await store.refresh('audit');
    const filters = { cluster: clusters };
    expect(await store.count('audit', { filters })).toBe(3);
    for (const sort of ['asc', 'desc'] as const) {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.search('audit', { filters, sort, size: 1, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((d) => `${d.cluster}/${(d as AuditDoc).user}`));
        cursor = page.cursor ?? undefined;
      } while (cursor);
      const expected = ['twin-a/second-twin-a', 'twin-b/first-twin-b', 'twin-c/first-twin-c'];
      expect(seen).toEqual(sort === 'asc' ? expected : [...expected].reverse());
    }
    const exported: string[] = [];
    for await (const d of store.exportAll('audit', { filters, sort: 'asc' })) exported.push(d.cluster);
    expect(exported).toEqual(['twin-a', 'twin-b', 'twin-c']);
  });

  it('reports refused items one by one, without failing the others', async () => {
    const good: LogDoc = {
      id: 'contract-good',
      kind: 'logs',
      cluster: 'contract',
      time: Date.UTC(2024, 0, 1),
      ingestedAt: 0,
      message: 'fine',
    };
    const wrongKind = { ...good, id: 'contract-wrong-kind', kind: 'events' } as unknown as AnyDoc;
    const results = await store.write('logs', [good, wrongKind]);
    expect(results[0]).toEqual({ id: 'contract-good', ok: true });
    expect(results[1]).toMatchObject({ id: 'contract-wrong-kind', ok: false, retryable: false });
    await store.refresh('logs');
    expect(await store.count('logs', { filters: { cluster: ['contract'] } })).toBe(1);
  });

  it('deletes records older than the cutoff for one cluster only', async () => {
    const day = Date.UTC(2020, 0, 10);
    const mk = (id: string, cluster: string, time: number): LogDoc => ({
      id,
      kind: 'logs',
      cluster,
      time,
      ingestedAt: 0,
      message: 'retention',
    });
    await store.write('logs', [
      mk('r-old-1', 'retain-a', day + 1000),
      mk('r-old-2', 'retain-a', day + 5000),
      mk('r-new', 'retain-a', day + 2 * 86_400_000),
      mk('r-other', 'retain-b', day + 1000),
    ]);
    await store.refresh('logs');
    const deleted = await store.deleteOlderThan('logs', { before: new Date(day + 86_400_000), cluster: 'retain-a' });
    expect([2, -1]).toContain(deleted);
    await store.refresh('logs');
    const left = await store.search('logs', { filters: { cluster: ['retain-a', 'retain-b'] }, sort: 'asc', size: 10 });
    expect(left.items.map((d) => d.id)).toEqual(['r-other', 'r-new']);
  });

  it('refuses a cursor from another query, a forged cursor and a stats field that is not a filter', async () => {
    const first = await store.search('logs', { filters: { cluster: ['east'] }, sort: 'desc', size: 5 });
    expect(first.cursor).toBeTypeOf('string');
    const replay = store.search('logs', {
      filters: { cluster: ['west'] },
      sort: 'desc',
      size: 5,
      cursor: first.cursor as string,
    });
    await expect(replay).rejects.toBeInstanceOf(InputError);
    await expect(
      store.search('logs', { filters: {}, sort: 'desc', size: 5, cursor: 'not-a-cursor' }),
    ).rejects.toBeInstanceOf(InputError);
    await expect(store.stats('logs', { filters: {}, by: 'message', limit: 5 })).rejects.toBeInstanceOf(InputError);
    await expect(
      store.search('logs', { filters: {}, q: parseSearch('nofield:x'), sort: 'desc', size: 5 }),
    ).rejects.toBeInstanceOf(InputError);
  });

  it('answers ping', async () => {
    expect(await store.ping()).toBe(true);
  });
}

/** Paging through `count` records with the cursor returns each exactly once (the 100,000 check). */
export function pagingContract(engine: EngineUnderTest, docs: () => LogDoc[], pageSize: number): void {
  it(`pages through every record exactly once with the cursor (size ${pageSize})`, async () => {
    const store = await engine.create();
    try {
      const all = docs();
      // Two bulk writes in flight keep an OpenSearch node busy without overloading it; SQLite just queues them.
      for (let i = 0; i < all.length; i += 20_000) {
        const results = await Promise.all([
          store.write('logs', all.slice(i, i + 10_000)),
          store.write('logs', all.slice(i + 10_000, i + 20_000)),
        ]);
        expect(results.flat().filter((r) => !r.ok)).toEqual([]);
      }
      await store.refresh('logs');
      const seen = new Set<string>();
      let duplicates = 0;
      let cursor: string | undefined;
      let previous: number | undefined;
      let ordered = true;
      do {
        const page = await store.search('logs', {
          filters: {},
          sort: 'desc',
          size: pageSize,
          ...(cursor ? { cursor } : {}),
        });
        expect(page.total).toBe(all.length);
        for (const d of page.items) {
          if (seen.has(d.id)) duplicates++;
          seen.add(d.id);
          if (previous !== undefined && d.time > previous) ordered = false;
          previous = d.time;
        }
        cursor = page.cursor ?? undefined;
      } while (cursor);
      expect(duplicates).toBe(0);
      expect(seen.size).toBe(all.length);
      expect(ordered).toBe(true);
    } finally {
      await engine.destroy(store);
    }
  });
}
