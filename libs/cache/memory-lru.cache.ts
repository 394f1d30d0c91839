import type { ByteCache, ByteCacheStats } from './byte-cache.ts';

export interface MemoryLruOptions {
  /** Bytes of keys and values held at most. */
  maxBytes: number;
  /**
   * What a value's byte counts for (default 1): a caller that keeps more per entry than the Buffer (the query
   * frontend keeps its decoded value beside it) says how much more, so maxBytes bounds what the entries take.
   */
  valueWeight?: number;
  now?: () => number;
}

interface Slot {
  value: Buffer;
  expiresAt: number;
}

/**
 * In-process LRU bounded in bytes. A Map keeps insertion order, so re-inserting on every read makes its first
 * key the least recently used one: eviction takes keys from the front until the new entry fits.
 */
export class MemoryLruCache implements ByteCache {
  readonly backend = 'memory';
  private readonly slots = new Map<string, Slot>();
  private bytes = 0;
  private evictions = 0;
  private readonly now: () => number;
  private readonly weight: number;

  constructor(private readonly opts: MemoryLruOptions) {
    this.now = opts.now ?? Date.now;
    this.weight = opts.valueWeight ?? 1;
  }

  async getMany(keys: readonly string[]): Promise<Map<string, Buffer>> {
    const found = new Map<string, Buffer>();
    for (const key of keys) {
      const slot = this.slots.get(key);
      if (!slot) continue;
      this.slots.delete(key);
      if (slot.expiresAt <= this.now()) {
        this.bytes -= this.sizeOf(key, slot.value);
        continue;
      }
      this.slots.set(key, slot);
      found.set(key, slot.value);
    }
    return found;
  }

  async set(key: string, value: Buffer, ttlSeconds: number): Promise<void> {
    const size = this.sizeOf(key, value);
    this.remove(key);
    if (size > this.opts.maxBytes) return;
    while (this.bytes + size > this.opts.maxBytes) {
      const oldest = this.slots.keys().next().value as string;
      this.remove(oldest);
      this.evictions++;
    }
    this.slots.set(key, { value, expiresAt: this.now() + ttlSeconds * 1000 });
    this.bytes += size;
  }

  async stats(): Promise<ByteCacheStats> {
    return { bytes: this.bytes, items: this.slots.size, evictions: this.evictions, errors: 0 };
  }

  async close(): Promise<void> {
    this.slots.clear();
    this.bytes = 0;
  }

  private remove(key: string): void {
    const slot = this.slots.get(key);
    if (!slot) return;
    this.slots.delete(key);
    this.bytes -= this.sizeOf(key, slot.value);
  }

  /** A key's UTF-16 length stands in for its bytes (keys are short ASCII digests). */
  private sizeOf(key: string, value: Buffer): number {
    return key.length + Math.ceil(value.byteLength * this.weight);
  }
}
