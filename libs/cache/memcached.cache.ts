import { createHash } from 'node:crypto';
import type { ByteCache, ByteCacheStats } from './byte-cache.ts';
import { MemcachedConnection } from './memcached.connection.ts';
import { getCommand, parseGet, parseStats, parseStore, setCommand, STATS_COMMAND } from './memcached.protocol.ts';

export interface MemcachedCacheOptions {
  /** `host:port` of each server. */
  servers: readonly string[];
  timeoutMs: number;
  /** A server that failed is not asked again for this long. */
  retryAfterMs: number;
  now?: () => number;
  /** Told once per outage, when a server starts failing. */
  onDown?: (server: string, err: Error) => void;
}

interface Server {
  name: string;
  conn: MemcachedConnection;
  downUntil: number;
}

/**
 * memcached shared by several Pharos query replicas. Each key lives on one server, chosen by rendezvous
 * (highest random weight) hashing, so adding or removing a server moves only its own share of keys. A server
 * that fails or times out is skipped for `retryAfterMs`: while it is down its keys are misses and writes to it
 * are dropped, so the answer comes from the engine, only slower.
 */
export class MemcachedCache implements ByteCache {
  readonly backend = 'memcached';
  private readonly servers: Server[];
  private readonly now: () => number;
  private errors = 0;

  constructor(private readonly opts: MemcachedCacheOptions) {
    this.now = opts.now ?? Date.now;
    this.servers = opts.servers.map((name) => {
      const i = name.lastIndexOf(':');
      return {
        name,
        conn: new MemcachedConnection({
          host: name.slice(0, i),
          port: Number(name.slice(i + 1)),
          timeoutMs: opts.timeoutMs,
        }),
        downUntil: 0,
      };
    });
  }

  async getMany(keys: readonly string[]): Promise<Map<string, Buffer>> {
    const byServer = new Map<Server, string[]>();
    for (const key of keys) {
      const s = this.serverFor(key);
      if (s.downUntil > this.now()) continue;
      byServer.set(s, [...(byServer.get(s) ?? []), key]);
    }
    const found = new Map<string, Buffer>();
    await Promise.all(
      [...byServer].map(async ([server, mine]) => {
        const values = await this.guard(server, () => server.conn.request(getCommand(mine), parseGet));
        for (const [k, v] of values ?? []) found.set(k, v);
      }),
    );
    return found;
  }

  async set(key: string, value: Buffer, ttlSeconds: number): Promise<void> {
    const server = this.serverFor(key);
    if (server.downUntil > this.now()) return;
    const reply = await this.guard(server, () =>
      server.conn.request(setCommand(key, value, { ttlSeconds, nowMs: this.now() }), parseStore),
    );
    // SERVER_ERROR "object too large for cache" and the like: not kept, the server itself is fine.
    if (reply !== undefined && reply !== 'STORED') this.errors++;
  }

  /** Summed over the servers that answer. */
  async stats(): Promise<ByteCacheStats> {
    const total = { bytes: 0, items: 0, evictions: 0, errors: this.errors };
    await Promise.all(
      this.servers.map(async (server) => {
        if (server.downUntil > this.now()) return;
        const s = await this.guard(server, () => server.conn.request(STATS_COMMAND, parseStats));
        total.bytes += Number(s?.bytes ?? 0);
        total.items += Number(s?.curr_items ?? 0);
        total.evictions += Number(s?.evictions ?? 0);
      }),
    );
    return { ...total, errors: this.errors };
  }

  async close(): Promise<void> {
    for (const s of this.servers) s.conn.close();
  }

  private serverFor(key: string): Server {
    let best = this.servers[0] as Server;
    let bestScore = -1;
    for (const s of this.servers) {
      const score = createHash('sha1').update(s.name).update('\0').update(key).digest().readUInt32BE(0);
      if (score > bestScore) [best, bestScore] = [s, score];
    }
    return best;
  }

  /** The request's value, or undefined when the server failed (it is then left alone for a while). */
  private async guard<T>(server: Server, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      this.errors++;
      if (server.downUntil <= this.now()) this.opts.onDown?.(server.name, err as Error);
      server.downUntil = this.now() + this.opts.retryAfterMs;
      return undefined;
    }
  }
}
