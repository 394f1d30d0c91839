/**
 * A cache of byte strings by key: what the query frontend keeps its results in. Backends are keyed by type in
 * registry.ts (`memory`, `memcached`). A backend never throws for being unreachable: a failed read is a miss
 * and a failed write is dropped (counted in `errors`), so a cache outage makes answers slower, not wrong.
 */
export interface ByteCache {
  readonly backend: string;
  /** The values found, by key; missing, expired and unreadable keys are absent. */
  getMany(keys: readonly string[], signal?: AbortSignal): Promise<Map<string, Buffer>>;
  set(key: string, value: Buffer, ttlSeconds: number): Promise<void>;
  /** Bytes held and entries evicted for space, as the backend reports them (memcached: its own `stats`). */
  stats(): Promise<ByteCacheStats>;
  close(): Promise<void>;
}

export interface ByteCacheStats {
  bytes: number;
  items: number;
  evictions: number;
  /** Reads and writes that failed (backend down, timeout, refused). */
  errors: number;
}
