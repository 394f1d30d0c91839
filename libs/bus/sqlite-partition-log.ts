import type Database from 'better-sqlite3';
import { UnavailableError } from '../errors/errors.ts';
import type { BusMessage } from './bus.ts';
import type { LoggedMessage, LogPosition, LogRead, PartitionLog } from './log-bus.ts';
import { busStatements, type BusStatements } from './sqlite-bus.schema.ts';

export interface SqliteLogLimits {
  /** Partitions of a topic this file does not hold yet. */
  partitions: number;
  maxBacklog: number;
  maxBacklogBytes: number;
  maxBatchBytes: number;
  retainConsumed: number;
}

interface TopicRow {
  tid: number;
  partitions: number;
}

interface Pending {
  topic: string;
  messages: readonly { partition: number; message: BusMessage }[];
  resolve(): void;
  reject(err: Error): void;
}

/**
 * The partition log of the durable bus in one SQLite file (it owns the connection). Every append is one write
 * transaction, and the
 * appends that arrive in the same turn of the event loop share it (group commit: one WAL sync for all of
 * them, resolved together once it returns). better-sqlite3 is synchronous, so when the transaction
 * returns the commit is in the WAL (and synced, with synchronous=FULL). Offsets are assigned inside the
 * write transaction, so another process appending to the same file (the dead-letter replay) gets its own.
 */
export class SqlitePartitionLog implements PartitionLog {
  private readonly sql: BusStatements;
  private readonly topics = new Map<string, TopicRow>();
  private queue: Pending[] = [];

  constructor(
    private readonly db: Database.Database,
    private readonly limits: SqliteLogLimits,
  ) {
    this.sql = busStatements(db);
  }

  partitions(topic: string): number {
    return this.topic(topic).partitions;
  }

  append(topic: string, messages: readonly { partition: number; message: BusMessage }[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ topic, messages, resolve, reject });
      if (this.queue.length === 1) setImmediate(() => this.flush());
    });
  }

  /** Writes every queued append in one transaction; an append over the backlog limits is refused alone. */
  private flush(): void {
    const work = this.queue;
    this.queue = [];
    if (work.length === 0) return;
    const refused = new Map<Pending, Error>();
    try {
      for (const w of work) this.topic(w.topic);
      this.db
        .transaction(() => {
          const held = new Map<number, { messages: number; bytes: number }>();
          for (const w of work) {
            const t = this.topic(w.topic);
            const h = held.get(t.tid) ?? this.backlog(t);
            held.set(t.tid, h);
            const bytes = w.messages.reduce((sum, m) => sum + m.message.value.length, 0);
            if (
              h.messages + w.messages.length > this.limits.maxBacklog ||
              h.bytes + bytes > this.limits.maxBacklogBytes
            ) {
              refused.set(
                w,
                new UnavailableError(
                  `the bus holds ${h.messages} unconsumed messages (${h.bytes} bytes) on ${w.topic}, its limit is ${this.limits.maxBacklog} (${this.limits.maxBacklogBytes} bytes, bus.maxBacklogBytes); retry later`,
                ),
              );
              continue;
            }
            this.insert(t, w.messages);
            h.messages += w.messages.length;
            h.bytes += bytes;
          }
        })
        .immediate();
    } catch (err) {
      const failure = new UnavailableError(`the bus could not store the messages: ${(err as Error).message}`, err);
      for (const w of work) w.reject(failure);
      return;
    }
    for (const w of work) {
      const err = refused.get(w);
      if (err) w.reject(err);
      else w.resolve();
    }
  }

  private insert(t: TopicRow, messages: readonly { partition: number; message: BusMessage }[]): void {
    const byPartition = new Map<number, BusMessage[]>();
    for (const { partition, message } of messages) {
      let list = byPartition.get(partition);
      if (!list) byPartition.set(partition, (list = []));
      list.push(message);
    }
    for (const [part, list] of byPartition) {
      const p = this.sql.partition.get(t.tid, part) as { next: number; bytes: number };
      let { next, bytes } = p;
      for (const m of list) {
        bytes += m.value.length;
        this.sql.insertMessage.run(
          t.tid,
          part,
          next,
          bytes,
          m.value.length,
          m.key,
          m.headers ? JSON.stringify(m.headers) : null,
          m.value,
        );
        next += 1;
      }
      this.sql.advance.run(next, bytes, t.tid, part);
    }
  }

  /** Unconsumed messages and value bytes of the slowest group (all held messages when no group exists yet). */
  private backlog(t: TopicRow): { messages: number; bytes: number } {
    const worst = { messages: 0, bytes: 0 };
    for (const p of this.sql.partitionsWithLowest.all(t.tid) as {
      part: number;
      base: number;
      next: number;
      bytes: number;
      low: number | null;
    }[]) {
      const lowest = p.low ?? p.base;
      if (lowest >= p.next) continue;
      const first = this.sql.firstFrom.get(t.tid, p.part, lowest) as { start: number } | undefined;
      worst.messages += p.next - lowest;
      worst.bytes += p.bytes - (first?.start ?? p.bytes);
    }
    return worst;
  }

  read(topic: string, { partition, from, max }: LogRead): LoggedMessage[] {
    const t = this.topic(topic);
    const first = this.sql.firstFrom.get(t.tid, partition, from) as { off: number; start: number } | undefined;
    if (!first) return [];
    // Offsets are dense and `cum` grows with them: the rows within max and maxBatchBytes are a prefix.
    const rows = this.sql.readFrom.all(
      t.tid,
      partition,
      first.off,
      first.off + max,
      first.off,
      first.start + this.limits.maxBatchBytes,
    ) as { off: number; key: string; headers: string | null; value: string }[];
    return rows.map((r) => {
      const message: BusMessage = { key: r.key, value: r.value };
      if (r.headers !== null) message.headers = JSON.parse(r.headers) as Record<string, string>;
      return { offset: r.off, message };
    });
  }

  join(topic: string, group: string): void {
    this.sql.join.run(group, this.topic(topic).tid);
  }

  hasGroup(topic: string, group: string): boolean {
    return this.sql.committed.all(this.topic(topic).tid, group).length > 0;
  }

  committed(topic: string, group: string): number[] {
    const t = this.topic(topic);
    const out = (this.sql.bases.all(t.tid) as { base: number }[]).map((r) => r.base);
    for (const r of this.sql.committed.all(t.tid, group) as { part: number; next: number }[]) out[r.part] = r.next;
    return out;
  }

  commit(topic: string, group: string, { partition, next }: LogPosition): void {
    const t = this.topic(topic);
    this.db
      .transaction(() => {
        this.sql.commit.run(t.tid, group, partition, next);
        // Retention: what every group consumed, beyond the newest `retainConsumed`, in chunks (a delete per
        // commit would cost more than it frees).
        const { base, low } = this.sql.lowest.get(t.tid, partition) as { base: number; low: number };
        const until = low - this.limits.retainConsumed;
        if (until - base >= Math.max(256, this.limits.retainConsumed / 4)) {
          this.sql.dropBefore.run(t.tid, partition, until);
          this.sql.rebase.run(until, t.tid, partition);
        }
      })
      .immediate();
  }

  ends(topic: string): number[] {
    return (this.sql.ends.all(this.topic(topic).tid) as { next: number }[]).map((r) => r.next);
  }

  /** Writes what is still queued, so nothing a caller is waiting for is left behind, and closes the file. */
  close(): void {
    try {
      this.flush();
    } finally {
      this.db.close();
    }
  }

  private topic(name: string): TopicRow {
    let t = this.topics.get(name);
    if (!t) {
      t = this.db
        .transaction(() => {
          const found = this.sql.topic.get(name) as TopicRow | undefined;
          if (found) return found;
          const tid = Number(this.sql.insertTopic.run(name, this.limits.partitions).lastInsertRowid);
          for (let p = 0; p < this.limits.partitions; p++) this.sql.insertPartition.run(tid, p);
          return { tid, partitions: this.limits.partitions };
        })
        .immediate();
      this.topics.set(name, t);
    }
    return t;
  }
}
