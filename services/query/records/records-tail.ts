import type { Scope } from '../../../libs/auth/principal.ts';
import { backoffDelay } from '../../../libs/async/backoff.ts';
import { sleepUntilAborted } from '../../../libs/async/sleep.ts';
import type { TailConfig } from '../../../libs/config/sections/tail.ts';
import { LimitError, PharosError } from '../../../libs/errors/errors.ts';
import type { RecordKind } from '../../../libs/schemas/records.ts';
import type { AnyDoc, RecordQuery, RecordStore } from '../../../libs/store/record-store.ts';
import { recordInScope, scopeRecordFilters } from '../../../libs/tenancy/record-scope.ts';
import { queryTime, toRecordQuery, type QueryLimits } from './records-query.ts';
import type { TailQuery } from './records-tail.schemas.ts';
import { TailSlots } from './tail-slots.ts';

/** What a tail stream carries; the route writes each as one Server-Sent Event. */
export type TailEvent =
  | { type: 'open'; start: number; pollIntervalMs: number; lateMs: number }
  | { type: 'record'; doc: AnyDoc }
  | { type: 'dropped'; count: number; message: string }
  | { type: 'error'; code: string; message: string }
  | { type: 'resumed' }
  | { type: 'end'; reason: string }
  | { type: 'heartbeat' };

export interface RecordsTailOptions {
  store: () => Promise<RecordStore>;
  limits: QueryLimits;
  tail: TailConfig;
  now?: () => number;
}

/** Records up to this far in the future (clock skew between a node and Pharos) are shown too. */
const FUTURE_MS = 5 * 60_000;
/** Longest pause between polls while the store fails. */
const MAX_BACKOFF_MS = 10_000;
const DAY_MS = 86_400_000;

/** An open tail: what it reads (`base`, already scoped) of which kind, for whom, from `start` on. */
interface OpenTail {
  kind: RecordKind;
  base: RecordQuery;
  scope: Scope;
  start: number;
}

/**
 * Live tail of logs, events or audit: each stream polls the record store with its own filters, `q` and the
 * caller's scope (the same rules as the search API), and hands over every record it has not shown yet.
 * Bounded: streams per process and per principal (TailSlots), records per poll, and the ids it remembers
 * (only those inside the late-arrival window). Knows no HTTP; closeAll() ends every stream (shutdown).
 */
export class RecordsTail {
  private readonly slots: TailSlots;
  private readonly now: () => number;

  constructor(private readonly options: RecordsTailOptions) {
    this.slots = new TailSlots(options.tail.maxStreams, options.tail.maxStreamsPerPrincipal);
    this.now = options.now ?? Date.now;
  }

  get openStreams(): number {
    return this.slots.size;
  }

  /**
   * Checks the query and the scope and takes a slot before returning, so a bad request or a full house is an
   * error answer, not a cut stream. The stream ends when `signal` aborts or closeAll() is called.
   */
  open(
    { kind, query }: { kind: RecordKind; query: TailQuery },
    caller: { name: string; scope: Scope },
    signal: AbortSignal,
  ): AsyncIterable<TailEvent> {
    const { start, ...rest } = query;
    const now = this.now();
    const parsed = toRecordQuery(kind, rest as Record<string, string | string[] | undefined>, {
      limits: this.options.limits,
      now,
    });
    const base: RecordQuery = {
      filters: scopeRecordFilters(parsed.filters, caller.scope),
      ...(parsed.q ? { q: parsed.q } : {}),
    };
    // The schema checked `start` as one time string (the attr.<key> catch-all widens its type only).
    const floor = start === undefined ? now : queryTime(start as string);
    if (now - floor > this.options.limits.maxRangeDays * DAY_MS)
      throw new LimitError(`start is more than ${this.options.limits.maxRangeDays} days ago (query.maxRangeDays)`);
    const slot = this.slots.take(caller.name, signal);
    return this.run({ kind, base, scope: caller.scope, start: floor }, slot);
  }

  closeAll(): void {
    this.slots.closeAll();
  }

  private async *run(tail: OpenTail, slot: { signal: AbortSignal; release(): void }): AsyncGenerator<TailEvent> {
    const { start } = tail;
    const { pollIntervalMs, lateMs, heartbeatMs, maxDurationMs } = this.options.tail;
    const window = new TailWindow(start, lateMs);
    const until = this.now() + maxDurationMs;
    let failing = false;
    // Failed polls in a row: the next waits back off (libs/async's policy) from twice the poll interval.
    let failures = 0;
    let lastSent = this.now();
    try {
      yield { type: 'open', start, pollIntervalMs, lateMs };
      while (!slot.signal.aborted) {
        let events: TailEvent[];
        try {
          events = await this.poll(tail, window, slot.signal);
          if (failing) events.unshift({ type: 'resumed' });
          failing = false;
          failures = 0;
        } catch (err) {
          if (slot.signal.aborted) break;
          const e = err instanceof PharosError ? err : undefined;
          events = failing
            ? []
            : [
                {
                  type: 'error',
                  code: e?.code ?? 'PHAROS_ERR_UNAVAILABLE',
                  message: `live tail paused, retrying: ${(err as Error).message}`,
                },
              ];
          failing = true;
          failures += 1;
        }
        if (events.length === 0 && this.now() - lastSent >= heartbeatMs) events.push({ type: 'heartbeat' });
        for (const e of events) yield e;
        if (events.length) lastSent = this.now();
        if (this.now() >= until) {
          yield {
            type: 'end',
            reason: `the stream reached query.tail.maxDurationMs (${maxDurationMs} ms); open a new one from the newest record shown`,
          };
          break;
        }
        await sleepUntilAborted(
          Math.min(
            failing ? backoffDelay({ initialMs: pollIntervalMs, maxMs: MAX_BACKOFF_MS }, failures + 1) : pollIntervalMs,
            Math.max(0, until - this.now()),
          ),
          slot.signal,
        );
      }
    } finally {
      slot.release();
    }
  }

  /** One store read: the newest `maxPerPoll` matching records since the window's floor, minus those shown. */
  private async poll({ kind, base, scope }: OpenTail, window: TailWindow, signal: AbortSignal): Promise<TailEvent[]> {
    const { maxPerPoll } = this.options.tail;
    const store = await this.options.store();
    const now = this.now();
    const timeout = AbortSignal.any([signal, AbortSignal.timeout(this.options.limits.timeoutMs)]);
    const page = await store.search(
      kind,
      { ...base, start: window.floor, end: now + FUTURE_MS, sort: 'desc', size: maxPerPoll },
      timeout,
    );
    const fresh = page.items.filter((d) => !window.has(d.id) && recordInScope(d, scope)).reverse();
    const events: TailEvent[] = [];
    const skipped = page.items.length === maxPerPoll ? page.total - fresh.length - window.sizeSinceFloor() : 0;
    if (skipped > 0) {
      events.push({
        type: 'dropped',
        count: skipped,
        message: `${skipped} matching records arrived faster than the tail shows (query.tail.maxPerPoll=${maxPerPoll} per poll); narrow the query to see them all`,
      });
      window.raiseFloor(fresh[0]?.time ?? window.floor);
    }
    for (const doc of fresh) events.push({ type: 'record', doc });
    window.add(fresh, now);
    return events;
  }
}

/**
 * The ids shown so far whose time is inside the late-arrival window: a record is new if its id is not here.
 * The floor follows the newest record shown (never past the clock) minus `lateMs`, and ids below it are
 * forgotten, so memory follows the records of that window only.
 */
export class TailWindow {
  private readonly seen = new Map<string, number>();
  constructor(
    public floor: number,
    private readonly lateMs: number,
  ) {}

  has(id: string): boolean {
    return this.seen.has(id);
  }

  /** Ids remembered at or after the floor: these are part of any poll's total. */
  sizeSinceFloor(): number {
    let n = 0;
    for (const t of this.seen.values()) if (t >= this.floor) n++;
    return n;
  }

  add(docs: readonly AnyDoc[], now: number): void {
    let newest = -Infinity;
    for (const d of docs) {
      this.seen.set(d.id, d.time);
      newest = Math.max(newest, d.time);
    }
    if (newest > -Infinity) this.raiseFloor(Math.min(newest, now) - this.lateMs);
  }

  raiseFloor(to: number): void {
    if (to <= this.floor) return;
    this.floor = to;
    for (const [id, t] of this.seen) if (t < to) this.seen.delete(id);
  }
}
