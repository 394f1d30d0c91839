import type { Consumer } from 'kafkajs';
import type { Logger } from '../logging/logger.ts';
import type { ConsumedMessage, SubscribeOptions } from './bus.ts';
import { backoffDelay } from '../async/backoff.ts';
import { sleepUntilAborted } from '../async/sleep.ts';

/**
 * Handling behind fetching, for one Kafka consumer. kafkajs fetches from a broker only once every batch of
 * its previous fetch was handled, so with handlers that wait for OpenSearch the store idles while the next
 * fetch travels and the last bulk of a round drains (bench/ingest.bench.ts: ~2 bulks in flight of 3).
 * Here a chunk is handed to the handler at once and kafkajs is told to fetch on; each partition's lane
 * commits a chunk's offsets only when it and every earlier chunk of the partition are done, so a commit
 * never passes a record that is not stored. Commits go out together every COMMIT_EVERY_MS. Bounded by
 * `maxPendingBytes`.
 *
 * A failed chunk (the handler threw, or finished only part of it) stops its lane: nothing behind it is
 * committed, the partition is paused, and after a backoff kafkajs is sent back to the first record not done.
 * A rebalance or stop aborts everything in flight; kafkajs then starts again from the committed offsets.
 */
export const MAX_PENDING_BYTES = 32 * 1024 * 1024;
/** A commit is a Kafka request: one per chunk was a few hundred per 100k records, for nothing. */
const COMMIT_EVERY_MS = 200;
/** A lane whose handler threw waits 1 s, 2 s, 4 s … up to 30 s before fetching the chunk again. */
const LANE_BACKOFF = { initialMs: 1000, maxMs: 30_000 };

type Handle = SubscribeOptions['handle'];
type LaneConsumer = Pick<Consumer, 'commitOffsets' | 'pause' | 'resume' | 'seek'>;

interface Lane {
  tail: Promise<void>;
  /** Bumped when the lane fails or is reset: chunks taken under an older epoch are not committed. */
  epoch: number;
  recovering: boolean;
  failures: number;
}

export interface PartitionLanesOptions {
  consumer: LaneConsumer;
  topic: string;
  handle: Handle;
  log: Logger;
  /** Bytes of fetched records handed to the handler and not yet settled, at most (MAX_PENDING_BYTES by default). */
  maxPendingBytes?: number;
}

/** A chunk handed to the handler, with the lane and epoch it was taken under and the handler's outcome. */
interface TakenChunk {
  lane: Lane;
  epoch: number;
  chunk: ConsumedMessage[];
  handled: Promise<{ processed: number; failed: boolean }>;
}

export class PartitionLanes {
  private readonly lanes = new Map<number, Lane>();
  private pendingBytes = 0;
  private readonly waiting = new Set<() => void>();
  private readonly toCommit = new Map<number, string>();
  private commitTimer: NodeJS.Timeout | undefined;
  private abort = new AbortController();
  private closed = false;

  private readonly consumer: LaneConsumer;
  private readonly topic: string;
  private readonly handle: Handle;
  private readonly log: Logger;
  private readonly maxPendingBytes: number;

  constructor(options: PartitionLanesOptions) {
    this.consumer = options.consumer;
    this.topic = options.topic;
    this.handle = options.handle;
    this.log = options.log;
    this.maxPendingBytes = options.maxPendingBytes ?? MAX_PENDING_BYTES;
  }

  /**
   * Waits for room (heartbeating meanwhile), then hands `chunk` to the handler; its commit waits for the
   * partition's earlier chunks. False when the chunk was not taken (its partition is recovering, or a
   * rebalance came first): the caller must not resolve its offsets.
   */
  async submit(chunk: ConsumedMessage[], kafka: { heartbeat(): Promise<void>; isStale(): boolean }): Promise<boolean> {
    const partition = chunk[0]!.partition;
    const bytes = chunk.reduce((n, m) => n + m.value.length + m.key.length, 0);
    const signal = this.abort.signal;
    if (this.closed || !(await this.room(bytes, kafka.heartbeat, signal))) return false;
    const lane = this.lane(partition);
    // Stale: the lane failed while this chunk waited and sent kafkajs back; it comes again from there.
    if (lane.recovering || kafka.isStale()) return false;
    const epoch = lane.epoch;
    this.pendingBytes += bytes;
    // Handled at once, alongside the partition's earlier chunks; committed only after them. Records of one
    // id carry the same content (ids are derived from it), so the order in which they are written is moot.
    const handled = this.handleChunk(chunk, signal);
    lane.tail = lane.tail
      .then(() => this.settle({ lane, epoch, chunk, handled }, signal))
      .finally(() => {
        this.pendingBytes -= bytes;
        this.wakeAll();
      });
    return true;
  }

  /** A rebalance or stop: aborts in-flight handlers and forgets uncommitted offsets; nothing more is committed. */
  reset(): void {
    // Offsets of the old generation are not committed: what they cover is stored, so it is only stored again.
    clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    this.toCommit.clear();
    this.abort.abort(new Error('consumer group rebalance or stop'));
    this.abort = new AbortController();
    for (const lane of this.lanes.values()) lane.epoch += 1;
    this.wakeAll();
  }

  /** Stop: like a reset, and nothing is taken any more. */
  close(): void {
    this.closed = true;
    this.reset();
  }

  /** Settles once every lane is done with what it holds. */
  async idle(): Promise<void> {
    await Promise.all([...this.lanes.values()].map((l) => l.tail));
  }

  /** How much of the chunk the handler finished; never rejects. */
  private async handleChunk(
    chunk: ConsumedMessage[],
    signal: AbortSignal,
  ): Promise<{ processed: number; failed: boolean }> {
    try {
      const done = await this.handle(chunk, signal);
      return { processed: done ? Math.max(0, Math.min(done.processed, chunk.length)) : chunk.length, failed: false };
    } catch (err) {
      if (!signal.aborted)
        this.log.warn(
          { err, topic: this.topic, partition: chunk[0]!.partition, offset: chunk[0]!.offset },
          'batch handler failed; the batch will be delivered again',
        );
      return { processed: 0, failed: true };
    }
  }

  /** In the lane's order: commits what the handler finished, or sends kafkajs back to what it did not. */
  private async settle({ lane, epoch, chunk, handled }: TakenChunk, signal: AbortSignal): Promise<void> {
    const { processed, failed } = await handled;
    if (lane.epoch !== epoch || signal.aborted) return;
    if (processed > 0) this.done(chunk[processed - 1]!);
    if (processed === chunk.length) {
      lane.failures = 0;
      return;
    }
    // A handler that stopped at a fence (processed < length) is asked again soon; one that threw, later and later.
    const delayMs = failed ? backoffDelay(LANE_BACKOFF, lane.failures + 1) : 200;
    await this.recover(lane, { from: chunk[processed]!, delayMs }, signal);
  }

  /** Marks a partition done up to `last`; commits go out together every COMMIT_EVERY_MS, not one per chunk. */
  private done(last: ConsumedMessage): void {
    this.toCommit.set(last.partition, (BigInt(last.offset) + 1n).toString());
    this.commitTimer ??= setTimeout(() => void this.flush(), COMMIT_EVERY_MS);
  }

  /** Commits what is done and not yet committed. */
  async flush(): Promise<void> {
    clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    if (this.toCommit.size === 0) return;
    const offsets = [...this.toCommit].map(([partition, offset]) => ({ topic: this.topic, partition, offset }));
    this.toCommit.clear();
    try {
      await this.consumer.commitOffsets(offsets);
    } catch (err) {
      // Stored but not committed (the partition moved in a rebalance): its next owner stores it again, same ids.
      this.log.warn({ err, topic: this.topic }, 'offset commit failed');
    }
  }

  /** Stops the lane's commits, pauses the partition and, after `delayMs`, fetches again from `from`. */
  private async recover(
    lane: Lane,
    { from, delayMs }: { from: ConsumedMessage; delayMs: number },
    signal: AbortSignal,
  ): Promise<void> {
    lane.epoch += 1;
    lane.failures += 1;
    lane.recovering = true;
    const tp = [{ topic: from.topic, partitions: [from.partition] }];
    this.consumer.pause(tp);
    await sleepUntilAborted(delayMs, signal);
    this.consumer.seek({ topic: from.topic, partition: from.partition, offset: from.offset });
    lane.recovering = false;
    this.consumer.resume(tp);
  }

  /** Waits until `bytes` more fit under the bound (one chunk always fits when nothing is pending). */
  private async room(bytes: number, heartbeat: () => Promise<void>, signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted && this.pendingBytes > 0 && this.pendingBytes + bytes > this.maxPendingBytes) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.waiting.delete(done);
          resolve();
        };
        const timer = setTimeout(done, 2_000);
        this.waiting.add(done);
      });
      // A failed heartbeat is a rebalance: what is queued may now belong to another member.
      if (!signal.aborted) await heartbeat().catch(() => this.reset());
    }
    return !signal.aborted;
  }

  private wakeAll(): void {
    for (const wake of [...this.waiting]) wake();
  }

  private lane(partition: number): Lane {
    let lane = this.lanes.get(partition);
    if (!lane) {
      lane = { tail: Promise.resolve(), epoch: 0, recovering: false, failures: 0 };
      this.lanes.set(partition, lane);
    }
    return lane;
  }
}
