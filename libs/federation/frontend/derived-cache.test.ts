import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { MemoryLruCache } from '../../cache/memory-lru.cache.ts';
import { DerivedCache, type DerivedAsk, type DerivedCacheSettings } from './derived-cache.ts';
import { frontendMetrics } from './frontend.metrics.ts';

const NOW = 1_767_225_600_000;
const SETTINGS: DerivedCacheSettings = {
  enabled: true,
  maxFreshnessMs: 600_000,
  ttlSeconds: 86_400,
  metadataTtlSeconds: 300,
  maxItemBytes: 1 << 20,
};
const ASK: DerivedAsk = {
  kind: 'panel',
  text: '[1,"cpu"]',
  queries: ['sum(rate(x[5m]))'],
  scopeKey: '',
  window: { fromMs: NOW - 7_200_000, toMs: NOW - 3_600_000 },
  lastMs: NOW - 3_600_000,
};

function setup(opts: { settings?: Partial<DerivedCacheSettings>; fingerprint?: string; versions?: string } = {}) {
  let now = NOW;
  const cache = new MemoryLruCache({ maxBytes: 1 << 20, now: () => now });
  const registry = new Registry();
  const derived = new DerivedCache({
    cache,
    settings: { ...SETTINGS, ...opts.settings },
    fingerprint: opts.fingerprint ?? 'clusters-a',
    memberVersions: async () => opts.versions ?? '[["east","2.42.0"]]',
    metrics: frontendMetrics(registry, cache),
    now: () => now,
  });
  const count = async (name: string) =>
    (await registry.getSingleMetric(name)!.get()).values.reduce((a, v) => a + v.value, 0);
  return { derived, advance: (ms: number) => (now += ms), count };
}

describe('DerivedCache', () => {
  it('keys on every part the frontend keys on: scope, query text, window, clusters and limits, member versions', async () => {
    const { derived } = setup();
    const base = await derived.keyOf(ASK);
    expect(base).toMatch(/^pharos:fq1:/);
    expect(await derived.keyOf({ ...ASK })).toBe(base);
    const others = await Promise.all([
      derived.keyOf({ ...ASK, scopeKey: '["east"]|*' }),
      derived.keyOf({ ...ASK, scopeKey: '["west"]|["checkout"]' }),
      derived.keyOf({ ...ASK, text: '[1,"memory"]' }),
      derived.keyOf({ ...ASK, window: { ...ASK.window, fromMs: ASK.window.fromMs! + 1 } }),
      setup({ fingerprint: 'clusters-b' }).derived.keyOf(ASK),
      setup({ versions: '[["east","3.16.0"]]' }).derived.keyOf(ASK),
    ]);
    expect(new Set([base, ...others]).size).toBe(others.length + 1);
  });

  it('keeps nothing that read the freshness window, with the cache off, for no-store or for pinned queries', async () => {
    const { derived } = setup();
    expect(await derived.keyOf({ ...ASK, lastMs: NOW - SETTINGS.maxFreshnessMs })).toBeDefined();
    expect(await derived.keyOf({ ...ASK, lastMs: NOW - SETTINGS.maxFreshnessMs + 1 })).toBeUndefined();
    expect(await derived.keyOf({ ...ASK, lastMs: Number.NaN })).toBeUndefined();
    expect(await derived.keyOf({ ...ASK, cacheControl: 'no-store' })).toBeUndefined();
    expect(await derived.keyOf({ ...ASK, queries: ['x', 'rate(y[5m] @ end())'] })).toBeUndefined();
    expect(await derived.keyOf({ ...ASK, queries: ['x offset -5m'] })).toBeUndefined();
    expect(await setup({ settings: { enabled: false } }).derived.keyOf(ASK)).toBeUndefined();
  });

  it('serves what was kept, counts hits and misses, and reads nothing for no-cache', async () => {
    const { derived, count } = setup();
    const key = (await derived.keyOf(ASK))!;
    expect(await derived.get(key, ASK)).toBeUndefined();
    await derived.set(key, Buffer.from('{"a":1}'), 'results');
    expect((await derived.get(key, ASK))?.toString()).toBe('{"a":1}');
    expect(await derived.get(key, { ...ASK, cacheControl: 'no-cache' })).toBeUndefined();
    expect(await count('pharos_federation_cache_hits_total')).toBe(1);
    expect(await count('pharos_federation_cache_misses_total')).toBe(1);
  });

  it('keeps an entry as long as what it was made from: results ttl or metadataTtl; nothing over maxItemBytes', async () => {
    const { derived, advance } = setup({ settings: { maxItemBytes: 16 } });
    const results = (await derived.keyOf(ASK))!;
    const metadata = (await derived.keyOf({ ...ASK, text: 'no data' }))!;
    const big = (await derived.keyOf({ ...ASK, text: 'big' }))!;
    await derived.set(results, Buffer.from('r'), 'results');
    await derived.set(metadata, Buffer.from('m'), 'metadata');
    await derived.set(big, Buffer.alloc(17), 'results');
    expect(await derived.get(big, ASK)).toBeUndefined();
    advance(299_000);
    expect(await derived.get(metadata, ASK)).toBeDefined();
    advance(2_000);
    expect(await derived.get(metadata, ASK)).toBeUndefined();
    expect(await derived.get(results, ASK)).toBeDefined();
  });
});
