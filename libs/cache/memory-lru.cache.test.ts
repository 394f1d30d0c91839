import { describe, expect, it } from 'vitest';
import { MemoryLruCache } from './memory-lru.cache.ts';

const buf = (n: number, fill = 'x') => Buffer.alloc(n, fill);

describe('MemoryLruCache', () => {
  it('stays within maxBytes, evicting the least recently used first', async () => {
    const c = new MemoryLruCache({ maxBytes: 300 });
    await c.set('a', buf(99), 60);
    await c.set('b', buf(99), 60);
    await c.set('c', buf(99), 60);
    await c.getMany(['a']); // a is now the most recently used
    await c.set('d', buf(99), 60);
    expect([...(await c.getMany(['a', 'b', 'c', 'd'])).keys()]).toEqual(['a', 'c', 'd']);
    expect(await c.stats()).toEqual({ bytes: 300, items: 3, evictions: 1, errors: 0 });
  });

  it('replaces a key in place, drops an entry larger than the whole cache, and expires by ttl', async () => {
    let now = 1000;
    const c = new MemoryLruCache({ maxBytes: 100, now: () => now });
    await c.set('k', buf(10, 'a'), 1);
    await c.set('k', buf(20, 'b'), 1);
    expect((await c.stats()).bytes).toBe(21);
    await c.set('huge', buf(200), 60);
    expect((await c.getMany(['huge'])).size).toBe(0);
    expect((await c.getMany(['k'])).get('k')?.toString()).toBe('b'.repeat(20));
    now += 1000;
    expect((await c.getMany(['k'])).size).toBe(0);
    expect(await c.stats()).toEqual({ bytes: 0, items: 0, evictions: 0, errors: 0 });
  });

  it('counts a value valueWeight times its bytes (the decoded value kept beside it)', async () => {
    const c = new MemoryLruCache({ maxBytes: 100, valueWeight: 5 });
    await c.set('a', buf(10), 60);
    expect((await c.stats()).bytes).toBe(51);
    await c.set('b', buf(10), 60);
    expect(await c.stats()).toMatchObject({ items: 1, evictions: 1 });
    expect((await c.getMany(['a', 'b'])).size).toBe(1);
  });
});
