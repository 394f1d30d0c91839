import type { FederationCacheConfig } from '../config/sections/federation-cache.ts';
import type { Logger } from '../logging/logger.ts';
import type { ByteCache } from './byte-cache.ts';
import { MemcachedCache } from './memcached.cache.ts';
import { MemoryLruCache } from './memory-lru.cache.ts';

export const DECODED_WEIGHT = 5;

/** Cache backends keyed by `federation.cache.backend`; each takes its config section and a logger. */
export const CACHE_REGISTRY: Record<
  FederationCacheConfig['backend'],
  (cfg: FederationCacheConfig, logger: Logger) => ByteCache
> = {
  // The query frontend keeps each entry's decoded value beside its JSON (libs/federation/frontend/entry-codec.ts),
  // measured at about 3.9 times the JSON's bytes in V8's heap for range answers: an entry counts 5 times its JSON.
  memory: (cfg) => new MemoryLruCache({ maxBytes: cfg.memory.maxBytes, valueWeight: DECODED_WEIGHT }),
  memcached: (cfg, logger) =>
    new MemcachedCache({
      servers: cfg.memcached.servers,
      timeoutMs: cfg.memcached.timeoutMs,
      retryAfterMs: cfg.memcached.retryAfterMs,
      onDown: (server, err) =>
        logger.warn(
          { server, err: err.message },
          `memcached down: queries go on without the cache, retried every ${cfg.memcached.retryAfterMs} ms`,
        ),
    }),
};
