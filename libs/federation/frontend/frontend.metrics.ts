import { Counter, Gauge, type Registry } from 'prom-client';
import type { ByteCache, ByteCacheStats } from '../../cache/byte-cache.ts';

/** Lookups of the query frontend's cache, counted per key: a hit found a usable entry, a miss did not. */
export interface FrontendMetrics {
  hits: Counter<'backend' | 'kind'>;
  misses: Counter<'backend' | 'kind'>;
}

function once<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

/** A scrape reads the backend's stats once (memcached: one `stats` per server), shared by the gauges below. */
function sharedStats(cache: ByteCache): () => Promise<ByteCacheStats> {
  let last: { at: number; stats: Promise<ByteCacheStats> } | undefined;
  return () => {
    if (!last || Date.now() - last.at > 1000) last = { at: Date.now(), stats: cache.stats() };
    return last.stats;
  };
}

/**
 * hits, misses, bytes, evictions (and backend errors) on the process registry. Bytes and evictions are the
 * backend's own figures, read at scrape time; for memcached they are the servers' totals (`stats`), which
 * include anything else stored there.
 */
export function frontendMetrics(registry: Registry, cache: ByteCache): FrontendMetrics {
  const registers = [registry];
  const stats = sharedStats(cache);
  const backend = cache.backend;
  const gauge = (name: string, help: string, pick: (s: ByteCacheStats) => number) =>
    once(
      registry,
      name,
      () =>
        new Gauge({
          name,
          help,
          labelNames: ['backend'],
          registers,
          async collect() {
            this.set({ backend }, pick(await stats()));
          },
        }),
    );
  // The backend keeps the count; a scrape reports it as it is.
  const counter = (name: string, help: string, pick: (s: ByteCacheStats) => number) =>
    once(
      registry,
      name,
      () =>
        new Counter({
          name,
          help,
          labelNames: ['backend'],
          registers,
          async collect() {
            const v = pick(await stats());
            this.reset();
            this.inc({ backend }, v);
          },
        }),
    );
  gauge(
    'pharos_federation_cache_bytes',
    "Bytes the query frontend's cache holds (memcached: the servers' total).",
    (s) => s.bytes,
  );
  gauge('pharos_federation_cache_items', "Entries the query frontend's cache holds.", (s) => s.items);
  counter(
    'pharos_federation_cache_evictions_total',
    'Entries evicted from the cache to make room.',
    (s) => s.evictions,
  );
  counter(
    'pharos_federation_cache_errors_total',
    'Cache reads and writes that failed (backend down, timeout, refused); the query went on without the cache.',
    (s) => s.errors,
  );
  return {
    hits: once(
      registry,
      'pharos_federation_cache_hits_total',
      () =>
        new Counter({
          name: 'pharos_federation_cache_hits_total',
          help: 'Cache lookups (one per range part, instant query or series/labels call) that found a usable entry.',
          labelNames: ['backend', 'kind'],
          registers,
        }),
    ),
    misses: once(
      registry,
      'pharos_federation_cache_misses_total',
      () =>
        new Counter({
          name: 'pharos_federation_cache_misses_total',
          help: 'Cache lookups that found nothing usable: the engine answered.',
          labelNames: ['backend', 'kind'],
          registers,
        }),
    ),
  };
}
