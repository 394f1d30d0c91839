import { UnavailableError } from '../errors/errors.ts';
import type { BusMessage } from './bus.ts';
import {
  LogBus,
  type LoggedMessage,
  type LogBusOptions,
  type LogPosition,
  type LogRead,
  type PartitionLog,
} from './log-bus.ts';

export interface MemoryBusOptions extends LogBusOptions {
  partitions?: number;
  /** Messages a topic may hold that some group has not consumed yet; over it publish fails (backpressure). */
  maxBacklog?: number;
  /** The same bound in bytes of message values: one message may pack many records (libs/bus/record-pack.ts). */
  maxBacklogBytes?: number;
  /** Value bytes handed to one handler call at most (at least one message), like Kafka's fetch size. */
  maxBatchBytes?: number;
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

interface Topic {
  partitions: Partition[];
  /** Committed next offset per partition, per group. */
  groups: Map<string, number[]>;
}

type Limits = Required<
  Pick<MemoryBusOptions, 'partitions' | 'maxBacklog' | 'maxBacklogBytes' | 'maxBatchBytes' | 'retainConsumed'>
>;

/**
 * The in-process bus: the same semantics as the durable one (sqlite.bus.ts) and Kafka's where the contract
 * suite looks, but **not durable**: whatever was published and not yet indexed is lost with the process.
 * For tests and benchmarks, or `bus.type: memory` when losing the backlog at a restart is acceptable.
 */
export class MemoryBus extends LogBus {
  constructor(options: MemoryBusOptions = {}) {
    super(
      'memory',
      new MemoryLog({
        partitions: 4,
        maxBacklog: 200_000,
        maxBacklogBytes: 256 * 2 ** 20,
        maxBatchBytes: 4 * 2 ** 20,
        retainConsumed: 10_000,
        ...options,
      }),
      options,
    );
  }
}

class MemoryLog implements PartitionLog {
  private readonly topics = new Map<string, Topic>();

  constructor(private readonly limits: Limits) {}

  partitions(topic: string): number {
    return this.topic(topic).partitions.length;
  }

  async append(topic: string, messages: readonly { partition: number; message: BusMessage }[]): Promise<void> {
    const t = this.topic(topic);
    const held = backlog(t);
    const bytes = messages.reduce((sum, m) => sum + m.message.value.length, 0);
    const { maxBacklog, maxBacklogBytes } = this.limits;
    if (held.messages + messages.length > maxBacklog || held.bytes + bytes > maxBacklogBytes) {
      throw new UnavailableError(
        `the in-process bus holds ${held.messages} unconsumed messages (${held.bytes} bytes) on ${topic}, its limit is ${maxBacklog} (${maxBacklogBytes} bytes); retry later`,
      );
    }
    for (const { partition, message } of messages) {
      const part = t.partitions[partition]!;
      part.cum.push((part.cum.at(-1) ?? 0) + message.value.length);
      part.messages.push({ ...message });
    }
  }

  read(topic: string, { partition, from, max }: LogRead): LoggedMessage[] {
    const part = this.topic(topic).partitions[partition]!;
    const start = Math.max(0, from - part.base);
    const n = batchEnd(part, { from: start, max }, this.limits.maxBatchBytes);
    return part.messages.slice(start, start + n).map((message, i) => ({ offset: part.base + start + i, message }));
  }

  join(topic: string, group: string): void {
    const t = this.topic(topic);
    if (!t.groups.has(group))
      t.groups.set(
        group,
        t.partitions.map((p) => p.base),
      );
  }

  hasGroup(topic: string, group: string): boolean {
    return this.topics.get(topic)?.groups.has(group) ?? false;
  }

  committed(topic: string, group: string): number[] {
    const t = this.topic(topic);
    return t.groups.get(group) ?? t.partitions.map((p) => p.base);
  }

  commit(topic: string, group: string, { partition, next }: LogPosition): void {
    const t = this.topic(topic);
    this.join(topic, group);
    t.groups.get(group)![partition] = next;
    trim(t, partition, this.limits.retainConsumed);
  }

  ends(topic: string): number[] {
    return this.topic(topic).partitions.map((p) => p.base + p.messages.length);
  }

  close(): void {}

  private topic(name: string): Topic {
    let t = this.topics.get(name);
    if (!t) {
      t = {
        partitions: Array.from({ length: this.limits.partitions }, () => ({ base: 0, messages: [], cum: [] })),
        groups: new Map(),
      };
      this.topics.set(name, t);
    }
    return t;
  }
}

/** Unconsumed messages and value bytes of the slowest group (all held messages when no group exists yet). */
function backlog(t: Topic): { messages: number; bytes: number } {
  const worst = { messages: 0, bytes: 0 };
  t.partitions.forEach((p, i) => {
    const end = p.base + p.messages.length;
    const lowest = t.groups.size ? Math.min(...[...t.groups.values()].map((g) => g[i]!)) : p.base;
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
function batchEnd(p: Partition, { from, max }: { from: number; max: number }, maxBytes: number): number {
  let n = Math.min(max, p.messages.length - from);
  while (n > 1 && bytesBetween(p, from, from + n) > maxBytes) n = Math.ceil(n / 2);
  return Math.max(0, n);
}

/** Drops messages every group has committed, beyond the `retain` newest of them. */
function trim(t: Topic, p: number, retain: number): void {
  const part = t.partitions[p]!;
  const lowest = Math.min(...[...t.groups.values()].map((g) => g[p]!));
  const drop = lowest - part.base - retain;
  // Splice in chunks, not per batch: shifting a large array on every commit would cost more than it frees.
  if (drop >= Math.max(1024, retain / 4)) {
    part.messages.splice(0, drop);
    part.cum.splice(0, drop);
    part.base += drop;
  }
}
