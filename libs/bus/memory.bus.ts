import { EventEmitter } from 'node:events';
import { UnavailableError } from '../errors/errors.ts';
import type { Bus, BusMessage, ConsumedMessage, SubscribeOptions, Subscription } from './bus.ts';
import { partitionFor, sleep } from './partitioner.ts';

export interface MemoryBusOptions {
  partitions?: number;
  /** Messages a topic may hold that some group has not consumed yet; over it publish fails (backpressure). */
  maxBacklog?: number;
  /** The same bound in bytes of message values: one message may pack many records (libs/bus/record-pack.ts). */
  maxBacklogBytes?: number;
  /** Value bytes handed to one handler call at most (at least one message), like Kafka's fetch size. */
  maxBatchBytes?: number;
  /** Pause before a failed batch is delivered again. */
  redeliveryDelayMs?: number;
  /** How long stop() lets the batch in hand finish before aborting it. */
  stopGraceMs?: number;
  /**
   * Consumed messages kept per partition, like Kafka's size retention, so a group that joins later still
   * reads recent history; older consumed messages are dropped so memory follows the lag.
   */
  retainConsumed?: number;
}

interface Partition {
  /** Offset of messages[0]: consumed messages are dropped from the front, offsets stay stable. */
  base: number;
  messages: BusMessage[];
  /** cum[i]: value bytes of every message ever published to the partition up to messages[i], inclusive. */
  cum: number[];
}

interface Group {
  committed: number[];
  members: Set<symbol>;
  busy: Set<number>;
}

interface Topic {
  partitions: Partition[];
  groups: Map<string, Group>;
}

/**
 * The in-process bus of the embedded default. Same semantics as Kafka where the contract suite looks: a log
 * per topic split into partitions by key, consumer groups with committed offsets that share partitions,
 * redelivery of a batch whose handler failed, commit only after success. Not durable across restarts:
 * whatever was published and not yet indexed is lost with the process (Kafka is the durable choice).
 */
export class MemoryBus implements Bus {
  readonly type = 'memory';
  private readonly topics = new Map<string, Topic>();
  private readonly wake = new EventEmitter().setMaxListeners(0);
  private readonly opts: Required<MemoryBusOptions>;
  private closed = false;

  constructor(options: MemoryBusOptions = {}) {
    this.opts = { partitions: 4, maxBacklog: 200_000, maxBacklogBytes: 256 * 2 ** 20, maxBatchBytes: 4 * 2 ** 20, redeliveryDelayMs: 200, stopGraceMs: 5_000, retainConsumed: 10_000, ...options };
  }

  async publish(topic: string, messages: readonly BusMessage[]): Promise<void> {
    if (this.closed) throw new UnavailableError('the in-process bus is closed');
    const t = this.topic(topic);
    const held = backlog(t);
    const bytes = messages.reduce((sum, m) => sum + m.value.length, 0);
    if (held.messages + messages.length > this.opts.maxBacklog || held.bytes + bytes > this.opts.maxBacklogBytes) {
      throw new UnavailableError(`the in-process bus holds ${held.messages} unconsumed messages (${held.bytes} bytes) on ${topic}, its limit is ${this.opts.maxBacklog} (${this.opts.maxBacklogBytes} bytes); retry later`);
    }
    for (const m of messages) {
      const part = t.partitions[partitionFor(m.key, t.partitions.length)]!;
      part.cum.push((part.cum.at(-1) ?? 0) + m.value.length);
      part.messages.push({ ...m });
    }
    this.wake.emit(topic);
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    const t = this.topic(options.topic);
    let group = t.groups.get(options.groupId);
    if (!group) {
      // A new group starts at the earliest offset still held, like Kafka's fromBeginning.
      group = { committed: t.partitions.map((p) => p.base), members: new Set(), busy: new Set() };
      t.groups.set(options.groupId, group);
    }
    const me = Symbol(options.groupId);
    group.members.add(me);
    const stopping = new AbortController();
    const abort = new AbortController();
    const loop = this.consume({ t, group, me, options, stopping: stopping.signal, abort: abort.signal });
    return {
      stop: async () => {
        stopping.abort();
        this.wake.emit(options.topic);
        const grace = setTimeout(() => abort.abort(), this.opts.stopGraceMs);
        await loop;
        clearTimeout(grace);
        group.members.delete(me);
      },
      lag: async () => t.partitions.reduce((sum, p, i) => sum + p.base + p.messages.length - group.committed[i]!, 0),
    };
  }

  private async consume(run: { t: Topic; group: Group; me: symbol; options: SubscribeOptions; stopping: AbortSignal; abort: AbortSignal }): Promise<void> {
    const { t, group, me, options, stopping } = run;
    const maxBatch = options.maxBatch ?? 1000;
    while (!stopping.aborted && !this.closed) {
      let worked = false;
      for (const p of assigned(t, group, me)) {
        if (stopping.aborted || group.busy.has(p)) continue;
        const part = t.partitions[p]!;
        const from = group.committed[p]!;
        const slice = part.messages.slice(from - part.base, from - part.base + batchEnd(part, from - part.base, maxBatch, this.opts.maxBatchBytes));
        if (slice.length === 0) continue;
        worked = true;
        group.busy.add(p);
        try {
          const batch: ConsumedMessage[] = slice.map((m, i) => ({ ...m, topic: options.topic, partition: p, offset: String(from + i) }));
          const done = await options.handle(batch, run.abort);
          const processed = done ? Math.max(0, Math.min(done.processed, slice.length)) : slice.length;
          group.committed[p] = from + processed;
          if (processed < slice.length) await sleep(this.opts.redeliveryDelayMs, stopping);
          trim(t, p, this.opts.retainConsumed);
        } catch {
          await sleep(this.opts.redeliveryDelayMs, stopping);
        } finally {
          group.busy.delete(p);
        }
      }
      if (!worked) await this.waitForPublish(options.topic, stopping);
    }
  }

  private waitForPublish(topic: string, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake.off(topic, done);
        resolve();
      };
      // A periodic look as well: a partition freed by a leaving member emits nothing.
      const timer = setTimeout(done, 100);
      this.wake.on(topic, done);
      if (signal.aborted) done();
    });
  }

  private topic(name: string): Topic {
    let t = this.topics.get(name);
    if (!t) {
      t = { partitions: Array.from({ length: this.opts.partitions }, () => ({ base: 0, messages: [], cum: [] })), groups: new Map() };
      this.topics.set(name, t);
    }
    return t;
  }

  async groupLag(topic: string, groupId: string): Promise<number | undefined> {
    const t = this.topics.get(topic);
    const group = t?.groups.get(groupId);
    if (!t || !group) return undefined;
    return t.partitions.reduce((sum, p, i) => sum + p.base + p.messages.length - group.committed[i]!, 0);
  }

  async endOffsets(topic: string): Promise<Record<number, string>> {
    const t = this.topic(topic);
    return Object.fromEntries(t.partitions.map((p, i) => [i, String(p.base + p.messages.length)]));
  }

  async ping(): Promise<boolean> {
    return !this.closed;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake.emit('close');
  }
}

/** Partitions owned by one member: round-robin over the group's members in join order, like a range assignor. */
function assigned(t: Topic, group: Group, me: symbol): number[] {
  const members = [...group.members];
  const index = members.indexOf(me);
  return t.partitions.map((_, i) => i).filter((p) => p % members.length === index);
}

/** Unconsumed messages and value bytes of the slowest group (all held messages when no group exists yet). */
function backlog(t: Topic): { messages: number; bytes: number } {
  const worst = { messages: 0, bytes: 0 };
  t.partitions.forEach((p, i) => {
    const end = p.base + p.messages.length;
    const lowest = t.groups.size ? Math.min(...[...t.groups.values()].map((g) => g.committed[i]!)) : p.base;
    worst.messages += end - lowest;
    worst.bytes += bytesBetween(p, lowest - p.base, p.messages.length);
  });
  return worst;
}

/** Value bytes of messages[from..to) of a partition. */
function bytesBetween(p: Partition, from: number, to: number): number {
  if (to <= from) return 0;
  return p.cum[to - 1]! - (p.cum[from]! - p.messages[from]!.value.length);
}

/** How many messages from index `from` make one batch: up to `max`, and within `maxBytes` unless it is one. */
function batchEnd(p: Partition, from: number, max: number, maxBytes: number): number {
  let n = Math.min(max, p.messages.length - from);
  while (n > 1 && bytesBetween(p, from, from + n) > maxBytes) n = Math.ceil(n / 2);
  return n;
}

/** Drops messages every group has committed, beyond the `retain` newest of them. */
function trim(t: Topic, p: number, retain: number): void {
  const part = t.partitions[p]!;
  const lowest = Math.min(...[...t.groups.values()].map((g) => g.committed[p]!));
  const drop = lowest - part.base - retain;
  // Splice in chunks, not per batch: shifting a large array on every commit would cost more than it frees.
  if (drop >= Math.max(1024, retain / 4)) {
    part.messages.splice(0, drop);
    part.cum.splice(0, drop);
    part.base += drop;
  }
}
