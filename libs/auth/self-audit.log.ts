import { z } from 'zod';
import type { SelfAuditConfig } from '../config/sections/auth.ts';
import type { Logger } from '../logging/logger.ts';
import type { StateStore } from '../store/state-store.ts';
import { encodeCursor } from '../store/state/state-keys.ts';

export const SELF_AUDIT_COLLECTION = 'pharos-audit';

/** One call to Pharos: who, with what role and scope, what, and how it ended. */
export const selfAuditEntrySchema = z.object({
  time: z.number().int(),
  principal: z.string(),
  via: z.enum(['token', 'jwt', 'anonymous']),
  role: z.string(),
  scope: z.object({ clusters: z.array(z.string()), namespaces: z.array(z.string()) }),
  method: z.string(),
  /** The route pattern (`/v1/admin/tokens/:id`), or `unmatched`; never the raw URL with its query. */
  route: z.string(),
  status: z.number().int(),
  /** allowed (< 400), denied (401/403/429), rejected (other 4xx), failed (5xx): a string so it can be filtered. */
  outcome: z.enum(['allowed', 'denied', 'rejected', 'failed']),
  durationMs: z.number(),
  requestId: z.string(),
});
export type SelfAuditEntry = z.infer<typeof selfAuditEntrySchema>;

export interface SelfAuditQuery {
  principal?: string | undefined;
  role?: string | undefined;
  method?: string | undefined;
  route?: string | undefined;
  outcome?: SelfAuditEntry['outcome'] | undefined;
  /** Inclusive start / exclusive end, epoch ms. */
  since?: number | undefined;
  until?: number | undefined;
  limit: number;
  cursor?: string | undefined;
  order: 'asc' | 'desc';
}

export const outcomeOf = (status: number): SelfAuditEntry['outcome'] =>
  status < 400 ? 'allowed' : status === 401 || status === 403 || status === 429 ? 'denied' : status < 500 ? 'rejected' : 'failed';

/** Ids sort by time (zero-padded ms, then a sequence), so the store's id order is time order. */
const timeKey = (ms: number): string => String(Math.max(0, Math.trunc(ms))).padStart(15, '0');

/**
 * Pharos's own audit trail. Recording never waits on the store: entries go to a bounded buffer that a
 * timer writes out, so a slow store cannot slow every request; when the buffer is full the oldest entries
 * are dropped and counted in the log. Old entries are pruned after `retentionDays`.
 */
export class SelfAuditLog {
  private buffer: Array<{ id: string; entry: SelfAuditEntry }> = [];
  private seq = 0;
  private dropped = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly opts: { store: () => Promise<StateStore>; config: SelfAuditConfig; logger: Logger; flushMs?: number; now?: () => number },
  ) {}

  get enabled(): boolean {
    return this.opts.config.enabled;
  }

  record(entry: SelfAuditEntry): void {
    if (!this.enabled) return;
    if (this.buffer.length >= this.opts.config.bufferSize) {
      this.buffer.shift();
      this.dropped += 1;
    }
    this.seq = (this.seq + 1) % 1_000_000;
    this.buffer.push({ id: `${timeKey(entry.time)}-${String(this.seq).padStart(6, '0')}-${process.pid}`, entry });
    this.timer ??= setTimeout(() => void this.flush(), this.opts.flushMs ?? 200).unref();
  }

  /** Writes out everything buffered so far; concurrent callers share one pass. */
  async flush(): Promise<void> {
    this.timer = undefined;
    while (this.flushing) await this.flushing;
    if (!this.buffer.length) return;
    const batch = this.buffer;
    this.buffer = [];
    this.flushing = this.write(batch).finally(() => (this.flushing = undefined));
    await this.flushing;
  }

  private async write(batch: Array<{ id: string; entry: SelfAuditEntry }>): Promise<void> {
    try {
      const store = await this.opts.store();
      for (const { id, entry } of batch) await store.put(SELF_AUDIT_COLLECTION, id, entry);
    } catch (err) {
      this.opts.logger.error({ err, lost: batch.length }, 'self-audit: could not store entries');
    }
    if (this.dropped) {
      this.opts.logger.warn({ dropped: this.dropped }, 'self-audit: buffer full, oldest entries dropped');
      this.dropped = 0;
    }
  }

  async query(q: SelfAuditQuery): Promise<{ items: SelfAuditEntry[]; next: string | null }> {
    await this.flush();
    const where: Record<string, string> = {};
    for (const k of ['principal', 'role', 'method', 'route', 'outcome'] as const) if (q[k] !== undefined) where[k] = q[k] as string;
    const start = q.order === 'asc' ? q.since : q.until;
    const after = q.cursor ?? (start !== undefined ? encodeCursor(q.order === 'asc' ? timeKey(start - 1) + '~' : timeKey(start)) : undefined);
    const store = await this.opts.store();
    const page = await store.list<SelfAuditEntry>(SELF_AUDIT_COLLECTION, { where, limit: q.limit, order: q.order, ...(after ? { after } : {}) });
    // Ids are in time order, so the first entry past the other bound ends the listing.
    const inRange = (e: SelfAuditEntry) => (q.since === undefined || e.time >= q.since) && (q.until === undefined || e.time < q.until);
    const items = page.items.map((d) => d.value);
    const kept = items.filter(inRange);
    return { items: kept, next: kept.length === items.length ? page.next : null };
  }

  /** Deletes entries older than the retention. */
  async prune(): Promise<number> {
    const cutoff = (this.opts.now ?? Date.now)() - this.opts.config.retentionDays * 86_400_000;
    const store = await this.opts.store();
    let removed = 0;
    for (;;) {
      const page = await store.list<SelfAuditEntry>(SELF_AUDIT_COLLECTION, { limit: 500, order: 'asc' });
      const old = page.items.filter((d) => d.value.time < cutoff);
      for (const d of old) await store.delete(SELF_AUDIT_COLLECTION, d.id);
      removed += old.length;
      if (old.length < page.items.length || !page.next) return removed;
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await this.flush();
  }
}
