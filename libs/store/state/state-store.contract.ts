import { expect, it } from 'vitest';
import type { StateStore } from '../state-store.ts';

/**
 * The behaviour every state store engine must show. Called inside a `describe.each` over the engines, with a
 * factory giving a fresh, initialised store and a unique collection prefix per test.
 */
export function stateStoreContract(make: () => Promise<{ store: StateStore; prefix: string }>): void {
  it('puts, gets and versions a document', async () => {
    const { store, prefix } = await make();
    const c = `${prefix}docs`;
    expect(await store.get(c, 'a')).toBeUndefined();
    const v1 = await store.put(c, { id: 'a', value: { name: 'x', n: 1 } });
    expect(v1.version).toBe(1);
    const v2 = await store.put(c, { id: 'a', value: { name: 'y', n: 2 } });
    expect(v2.version).toBe(2);
    const got = await store.get<{ name: string; n: number }>(c, 'a');
    expect(got?.value).toEqual({ name: 'y', n: 2 });
    expect(got?.version).toBe(2);
    expect(typeof got?.updatedAt).toBe('number');
  });

  it('enforces expectedVersion (0 = must not exist) with a ConflictError', async () => {
    const { store, prefix } = await make();
    const c = `${prefix}cas`;
    await store.put(c, { id: 'a', value: { v: 1 }, expectedVersion: 0 });
    await expect(store.put(c, { id: 'a', value: { v: 2 }, expectedVersion: 0 })).rejects.toMatchObject({
      code: 'PHAROS_ERR_CONFLICT',
    });
    await expect(store.put(c, { id: 'a', value: { v: 2 }, expectedVersion: 5 })).rejects.toMatchObject({
      code: 'PHAROS_ERR_CONFLICT',
    });
    expect((await store.put(c, { id: 'a', value: { v: 2 }, expectedVersion: 1 })).version).toBe(2);
  });

  it('lets exactly one of two racing writers with the same expectedVersion win', async () => {
    const { store, prefix } = await make();
    const c = `${prefix}race`;
    await store.put(c, { id: 'a', value: { v: 0 } });
    const results = await Promise.allSettled([
      store.put(c, { id: 'a', value: { v: 1 }, expectedVersion: 1 }),
      store.put(c, { id: 'a', value: { v: 2 }, expectedVersion: 1 }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((await store.get(c, 'a'))?.version).toBe(2);
  });

  it('deletes and reports whether something was deleted', async () => {
    const { store, prefix } = await make();
    const c = `${prefix}del`;
    await store.put(c, { id: 'a', value: { v: 1 } });
    expect(await store.delete(c, 'a')).toBe(true);
    expect(await store.delete(c, 'a')).toBe(false);
    expect(await store.get(c, 'a')).toBeUndefined();
  });

  it('lists by id in both orders, pages with a cursor, and filters with where', async () => {
    const { store, prefix } = await make();
    const c = `${prefix}list`;
    for (let i = 0; i < 7; i++) await store.put(c, { id: `id-${i}`, value: { kind: i % 2 ? 'odd' : 'even', i } });
    await store.put(`${prefix}other`, { id: 'id-x', value: { kind: 'odd' } });
    const first = await store.list<{ i: number }>(c, { limit: 3 });
    expect(first.items.map((d) => d.id)).toEqual(['id-0', 'id-1', 'id-2']);
    const second = await store.list<{ i: number }>(c, { limit: 3, after: first.next ?? undefined });
    expect(second.items.map((d) => d.id)).toEqual(['id-3', 'id-4', 'id-5']);
    const third = await store.list(c, { limit: 3, after: second.next ?? undefined });
    expect(third.items.map((d) => d.id)).toEqual(['id-6']);
    expect(third.next).toBeNull();
    const desc = await store.list(c, { order: 'desc', limit: 2 });
    expect(desc.items.map((d) => d.id)).toEqual(['id-6', 'id-5']);
    const odd = await store.list<{ i: number }>(c, { where: { kind: 'odd' } });
    expect(odd.items.map((d) => d.value.i)).toEqual([1, 3, 5]);
    expect((await store.list(c, { where: { kind: 'none' } })).items).toEqual([]);
  });

  it('rejects a bad cursor and a bad where field with a validation error', async () => {
    const { store, prefix } = await make();
    await expect(store.list(`${prefix}x`, { after: 'not-a-cursor' })).rejects.toMatchObject({
      code: 'PHAROS_ERR_VALIDATION',
    });
    await expect(store.list(`${prefix}x`, { where: { 'a.b': 'x' } })).rejects.toMatchObject({
      code: 'PHAROS_ERR_VALIDATION',
    });
  });

  it('grants a lease to one holder until it expires or is released', async () => {
    const { store, prefix } = await make();
    const lease = `${prefix}leader`;
    expect(await store.acquireLease({ name: lease, holder: 'a', ttlMs: 60_000 })).toBe(true);
    expect(await store.acquireLease({ name: lease, holder: 'b', ttlMs: 60_000 })).toBe(false);
    expect(await store.acquireLease({ name: lease, holder: 'a', ttlMs: 60_000 })).toBe(true);
    await store.releaseLease?.(lease, 'a');
    expect(await store.acquireLease({ name: lease, holder: 'b', ttlMs: 1 })).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    expect(await store.acquireLease({ name: lease, holder: 'a', ttlMs: 60_000 })).toBe(true);
  });

  it('gives a contended lease to exactly one of two racing holders', async () => {
    const { store, prefix } = await make();
    const lease = `${prefix}race`;
    const won = await Promise.all([
      store.acquireLease({ name: lease, holder: 'a', ttlMs: 60_000 }),
      store.acquireLease({ name: lease, holder: 'b', ttlMs: 60_000 }),
    ]);
    expect(won.filter(Boolean)).toHaveLength(1);
  });

  it('writes many documents at once, each version going up by one, visible to list', async () => {
    const { store, prefix } = await make();
    if (!store.putMany) return;
    const c = `${prefix}many`;
    await store.put(c, { id: 'b', value: { kind: 'x', n: 0 } });
    await store.putMany(c, [
      { id: 'a', value: { kind: 'x', n: 1 } },
      { id: 'b', value: { kind: 'y', n: 2 } },
      { id: 'c', value: { kind: 'x', n: 3 } },
    ]);
    const listed = await store.list<{ n: number }>(c);
    expect(listed.items.map((d) => [d.id, d.version, d.value.n])).toEqual([
      ['a', 1, 1],
      ['b', 2, 2],
      ['c', 1, 3],
    ]);
    expect((await store.list(c, { where: { kind: 'x' } })).items.map((d) => d.id)).toEqual(['a', 'c']);
    await store.putMany(c, []);
  });
}
