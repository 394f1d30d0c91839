import { z } from 'zod';
import type { SelfAuditConfig } from '../config/sections/auth.ts';
import { InputError } from '../errors/errors.ts';
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
  /** allowed (< 400), denied (401/403/429), rejected (other 4xx), failed (5xx). */
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
  status < 400
    ? 'allowed'
    : status === 401 || status === 403 || status === 429
      ? 'denied'
      : status < 500
        ? 'rejected'
        : 'failed';

/** A batch of entries as stored: one state document per flush, so the store sees a few writes a second at most. */
interface Batch {
  from: number;
  to: number;
  entries: SelfAuditEntry[];
}

/** Ids sort by the batch's first time (zero-padded ms), so the store's id order is time order. */
const timeKey = (ms: number): string => String(Math.max(0, Math.trunc(ms))).padStart(15, '0');
/** A batch holds at most this much time, so a time bound can start its scan this much earlier. */
const MAX_BATCH_SPAN_MS = 60_000;
const MAX_BATCH_ENTRIES = 1000;
/** Batches read per query call at most; a page that is not full still returns a cursor to go on. */
const MAX_SCAN_BATCHES = 500;

/**
 * Pharos's own audit trail. Recording never waits on the store: entries go to a bounded buffer that a timer
 * writes out as one document per batch (one write instead of one per request: the OpenSearch engine
 * refreshes on every write). When the buffer is full the oldest entries are dropped and counted in the log.
 * Old batches are pruned after `retentionDays`.
 */
export class SelfAuditLog {
  private buffer: SelfAuditEntry[] = [];
  private seq = 0;
  private dropped = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly opts: {
      store: () => Promise<StateStore>;
      config: SelfAuditConfig;
      logger: Logger;
      flushMs?: number;
      now?: () => number;
    },
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
    this.buffer.push(entry);
    this.timer ??= setTimeout(() => void this.flush(), this.opts.flushMs ?? 200).unref();
  }

  /** Writes out everything buffered so far; concurrent callers share one pass. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.flushing) await this.flushing;
    if (!this.buffer.length) return;
    const entries = this.buffer.sort((a, b) => a.time - b.time);
    this.buffer = [];
    this.flushing = this.write(entries).finally(() => (this.flushing = undefined));
    await this.flushing;
  }

  private async write(entries: SelfAuditEntry[]): Promise<void> {
    try {
      const store = await this.opts.store();
      for (const batch of splitBatches(entries)) {
        this.seq = (this.seq + 1) % 1_000_000;
        const id = `${timeKey(batch.from)}-${String(this.seq).padStart(6, '0')}-${process.pid}`;
        await store.put(SELF_AUDIT_COLLECTION, { id, value: batch });
      }
    } catch (err) {
      this.opts.logger.error({ err, lost: entries.length }, 'self-audit: could not store entries');
    }
    if (this.dropped) {
      this.opts.logger.warn({ dropped: this.dropped }, 'self-audit: buffer full, oldest entries dropped');
      this.dropped = 0;
    }
  }

  /**
   * Entries matching the filters, in time order within each batch and batch by batch. The cursor names the
   * last batch read and how many of its entries were already returned.
   */
  async query(q: SelfAuditQuery): Promise<{ items: SelfAuditEntry[]; next: string | null }> {
    await this.flush();
    const store = await this.opts.store();
    const keep = (e: SelfAuditEntry) =>
      (q.since === undefined || e.time >= q.since) &&
      (q.until === undefined || e.time < q.until) &&
      (['principal', 'role', 'method', 'route', 'outcome'] as const).every((k) => q[k] === undefined || e[k] === q[k]);
    const desc = q.order === 'desc';
    const start = decodeAuditCursor(q.cursor) ?? { after: startKey(q), skip: 0 };
    const items: SelfAuditEntry[] = [];
    let after = start.after;
    let skip = start.skip;
    for (let scanned = 0; scanned < MAX_SCAN_BATCHES;) {
      const page = await store.list<Batch>(SELF_AUDIT_COLLECTION, {
        limit: 50,
        order: q.order,
        ...(after ? { after: encodeCursor(after) } : {}),
      });
      for (const doc of page.items) {
        scanned += 1;
        if (pastEnd(doc.value, q)) return { items, next: null };
        const ordered = desc ? [...doc.value.entries].reverse() : doc.value.entries;
        for (let i = skip; i < ordered.length; i++) {
          const e = ordered[i] as SelfAuditEntry;
          if (!keep(e)) continue;
          items.push(e);
          // A full page: the cursor resumes after this entry (next one in the same batch, or the next batch).
          if (items.length === q.limit)
            return {
              items,
              next: encodeAuditCursor({
                after: i + 1 < ordered.length ? prevKey(doc.id, desc) : doc.id,
                skip: i + 1 < ordered.length ? i + 1 : 0,
              }),
            };
        }
        skip = 0;
        after = doc.id;
      }
      if (!page.next) return { items, next: null };
    }
    return { items, next: after ? encodeAuditCursor({ after, skip: 0 }) : null };
  }

  /** Deletes batches whose newest entry is older than the retention. */
  async prune(): Promise<number> {
    const cutoff = (this.opts.now ?? Date.now)() - this.opts.config.retentionDays * 86_400_000;
    const store = await this.opts.store();
    let removed = 0;
    for (;;) {
      const page = await store.list<Batch>(SELF_AUDIT_COLLECTION, { limit: 200, order: 'asc' });
      const old = page.items.filter((d) => d.value.to < cutoff);
      for (const d of old) await store.delete(SELF_AUDIT_COLLECTION, d.id);
      removed += old.reduce((n, d) => n + d.value.entries.length, 0);
      if (old.length < page.items.length || !page.next || old.length === 0) return removed;
    }
  }

  async stop(): Promise<void> {
    await this.flush();
  }
}

function splitBatches(sorted: SelfAuditEntry[]): Batch[] {
  const out: Batch[] = [];
  for (const e of sorted) {
    const last = out[out.length - 1];
    if (last && e.time - last.from < MAX_BATCH_SPAN_MS && last.entries.length < MAX_BATCH_ENTRIES) {
      last.entries.push(e);
      last.to = e.time;
    } else out.push({ from: e.time, to: e.time, entries: [e] });
  }
  return out;
}

/** Where a time-bounded listing starts: a batch holding `since` may begin up to one batch span earlier. */
function startKey(q: SelfAuditQuery): string | undefined {
  if (q.order === 'asc') return q.since === undefined ? undefined : timeKey(q.since - MAX_BATCH_SPAN_MS);
  return q.until === undefined ? undefined : timeKey(q.until);
}

/** Every later batch is outside the bounds too. */
function pastEnd(b: Batch, q: SelfAuditQuery): boolean {
  return q.order === 'asc'
    ? q.until !== undefined && b.from >= q.until
    : q.since !== undefined && b.to < q.since - MAX_BATCH_SPAN_MS;
}

/** A key just before `id` in list order, so listing `after` it returns `id` again (to resume inside it). */
function prevKey(id: string, desc: boolean): string {
  return desc ? `${id}\u0000` : id.slice(0, -1) + String.fromCharCode(id.charCodeAt(id.length - 1) - 1) + '\uffff';
}

function encodeAuditCursor(c: { after: string; skip: number }): string {
  return Buffer.from(JSON.stringify(c), 'utf8').toString('base64url');
}

function decodeAuditCursor(cursor: string | undefined): { after: string; skip: number } | undefined {
  if (cursor === undefined) return undefined;
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown; skip?: unknown };
    if (typeof c.after === 'string' && Number.isInteger(c.skip) && (c.skip as number) >= 0)
      return { after: c.after, skip: c.skip as number };
  } catch {
    // fall through to the error below
  }
  throw new InputError('invalid cursor: pass the `next` value of a previous page unchanged');
}
