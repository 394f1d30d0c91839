import type { FederationCacheConfig } from '../config/sections/federation-cache.ts';
import type { Logger } from '../logging/logger.ts';
import type { ByteCache } from './byte-cache.ts';
import { MemcachedCache } from './memcached.cache.ts';
import { MemoryLruCache } from './memory-lru.cache.ts';

/** Cache backends keyed by `federation.cache.backend`; each takes its config section and a logger. */
export const CACHE_REGISTRY: Record<FederationCacheConfig['backend'], (cfg: FederationCacheConfig, logger: Logger) => ByteCache> = {
  memory: (cfg) => new MemoryLruCache({ maxBytes: cfg.memory.maxBytes }),
  memcached: (cfg, logger) =>
    new MemcachedCache({
      servers: cfg.memcached.servers,
      timeoutMs: cfg.memcached.timeoutMs,
      retryAfterMs: cfg.memcached.retryAfterMs,
      onDown: (server, err) => logger.warn({ server, err: err.message }, `memcached down: queries go on without the cache, retried every ${cfg.memcached.retryAfterMs} ms`),
    }),
};
