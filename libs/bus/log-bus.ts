import { EventEmitter } from 'node:events';
import { UnavailableError } from '../errors/errors.ts';
import type { Bus, BusMessage, ConsumedMessage, SubscribeOptions, Subscription } from './bus.ts';
import { sleepUntilAborted } from '../async/sleep.ts';
import { partitionFor } from './partitioner.ts';

/** A message as a log holds it: its offset in its partition. */
export interface LoggedMessage {
  offset: number;
  message: BusMessage;
}

/** What PartitionLog.read reads: at most `max` messages of one partition from offset `from` on. */
export interface LogRead {
  partition: number;
  from: number;
  max: number;
}

/** A group's position in one partition: `next` is the offset it reads next. */
export interface LogPosition {
  partition: number;
  next: number;
}

/**
 * Where a log bus keeps its messages and its groups' committed offsets: in memory (memory.bus.ts) or in a
 * SQLite file (sqlite.bus.ts). Offsets are dense per partition, from 0, as Kafka's.
 */
export interface PartitionLog {
  /** Partitions of a topic (made on first use). */
  partitions(topic: string): number;
  /**
   * Holds the messages, each on the partition given; resolves once held (for a durable log: once on disk).
   * Throws UnavailableError when over its backlog limits (backpressure) or when it cannot.
   */
  append(topic: string, messages: readonly { partition: number; message: BusMessage }[]): Promise<void>;
  /**
   * Messages of the partition from offset `from` on, at most `max`; the log bounds their bytes too (always one when
   * any).
   */
  read(topic: string, request: LogRead): LoggedMessage[];
  /** Makes the group known (a new group starts at the earliest message still held, like fromBeginning). */
  join(topic: string, group: string): void;
  /** Whether the group ever joined or committed on the topic. */
  hasGroup(topic: string, group: string): boolean;
  /** The group's next offset per partition. */
  committed(topic: string, group: string): number[];
  /** Commits `next` for the partition and drops what every group consumed beyond the log's retention. */
  commit(topic: string, group: string, position: LogPosition): void;
  /** Per partition, the offset the next appended message gets. */
  ends(topic: string): number[];
  close(): void;
}

export interface LogBusOptions {
  /** Pause before a failed batch is delivered again. */
  redeliveryDelayMs?: number;
  /** How long stop() lets the batch in hand finish before aborting it. */
  stopGraceMs?: number;
  /** How often an idle consumer looks again without a wake-up (a partition freed, another process's append). */
  pollMs?: number;
}

interface Members {
  members: Set<symbol>;
  busy: Set<number>;
}

interface Run {
  topic: string;
  group: string;
  state: Members;
  me: symbol;
  options: SubscribeOptions;
  stopping: AbortSignal;
  abort: AbortSignal;
}

/**
 * A bus over a partition log, with the semantics of Kafka's where the contract suite looks: messages split
 * into partitions by key, consumer groups whose members of this process share the partitions, a batch
 * delivered again when its handler failed, offsets committed only after it resolved.
 */
export class LogBus implements Bus {
  private readonly wake = new EventEmitter().setMaxListeners(0);
  private readonly groups = new Map<string, Members>();
  private readonly opts: Required<LogBusOptions>;
  private closed = false;

  constructor(
    readonly type: string,
    private readonly log: PartitionLog,
    options: LogBusOptions = {},
  ) {
    this.opts = { redeliveryDelayMs: 200, stopGraceMs: 5_000, pollMs: 100, ...options };
  }

  async publish(topic: string, messages: readonly BusMessage[]): Promise<void> {
    if (this.closed) throw new UnavailableError(`the ${this.type} bus is closed`);
    if (messages.length === 0) return;
    const n = this.log.partitions(topic);
    await this.log.append(
      topic,
      messages.map((message) => ({ partition: partitionFor(message.key, n), message })),
    );
    this.wake.emit(topic);
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    const { topic, groupId: group } = options;
    this.log.join(topic, group);
    const key = `${topic}\u0000${group}`;
    let state = this.groups.get(key);
    if (!state) this.groups.set(key, (state = { members: new Set(), busy: new Set() }));
    const me = Symbol(group);
    state.members.add(me);
    const stopping = new AbortController();
    const abort = new AbortController();
    const loop = this.consume({ topic, group, state, me, options, stopping: stopping.signal, abort: abort.signal });
    const members = state.members;
    return {
      stop: async () => {
        stopping.abort();
        this.wake.emit(topic);
        const grace = setTimeout(() => abort.abort(), this.opts.stopGraceMs);
        await loop;
        clearTimeout(grace);
        members.delete(me);
      },
      lag: async () => this.lagOf(topic, group),
    };
  }

  private async consume(run: Run): Promise<void> {
    const { topic, state, stopping } = run;
    while (!stopping.aborted && !this.closed) {
      let worked = false;
      for (const p of assigned(this.log.partitions(topic), state, run.me)) {
        if (stopping.aborted || this.closed || state.busy.has(p)) continue;
        state.busy.add(p);
        try {
          worked = (await this.handleNext(run, p)) || worked;
        } finally {
          state.busy.delete(p);
        }
      }
      if (!worked) await this.waitForPublish(topic, stopping);
    }
  }

  /** Hands the partition's next batch to the handler and commits what it processed; false when there was none. */
  private async handleNext(run: Run, p: number): Promise<boolean> {
    const { topic, group, options, stopping } = run;
    const from = this.log.committed(topic, group)[p] ?? 0;
    const slice = this.log.read(topic, { partition: p, from, max: options.maxBatch ?? 1000 });
    if (slice.length === 0) return false;
    try {
      const batch: ConsumedMessage[] = slice.map((m) => ({
        ...m.message,
        topic,
        partition: p,
        offset: String(m.offset),
      }));
      const done = await options.handle(batch, run.abort);
      const processed = done ? Math.max(0, Math.min(done.processed, slice.length)) : slice.length;
      // A closed log cannot commit: the batch is delivered again after the restart (ids are idempotent).
      if (processed > 0 && !this.closed)
        this.log.commit(topic, group, { partition: p, next: slice[processed - 1]!.offset + 1 });
      if (processed < slice.length) await sleepUntilAborted(this.opts.redeliveryDelayMs, stopping);
    } catch {
      await sleepUntilAborted(this.opts.redeliveryDelayMs, stopping);
    }
    return true;
  }

  private waitForPublish(topic: string, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake.off(topic, done);
        resolve();
      };
      const timer = setTimeout(done, this.opts.pollMs);
      this.wake.on(topic, done);
      if (signal.aborted) done();
    });
  }

  private lagOf(topic: string, group: string): number {
    const ends = this.log.ends(topic);
    const committed = this.log.committed(topic, group);
    return ends.reduce((sum, end, p) => sum + end - (committed[p] ?? 0), 0);
  }

  async groupLag(topic: string, groupId: string): Promise<number | undefined> {
    return this.log.hasGroup(topic, groupId) ? this.lagOf(topic, groupId) : undefined;
  }

  async endOffsets(topic: string): Promise<Record<number, string>> {
    return Object.fromEntries(this.log.ends(topic).map((end, p) => [p, String(end)]));
  }

  async ping(): Promise<boolean> {
    return !this.closed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake.emit('close');
    this.log.close();
  }
}

/** Partitions owned by one member: round-robin over the group's members in join order, like a range assignor. */
function assigned(partitions: number, state: Members, me: symbol): number[] {
  const members = [...state.members];
  const index = members.indexOf(me);
  return Array.from({ length: partitions }, (_, p) => p).filter((p) => p % members.length === index);
}
