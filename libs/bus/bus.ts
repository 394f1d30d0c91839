/**
 * The bus between collectors and indexers: in-process for the embedded default, Kafka to scale. Both pass
 * the same contract suite (libs/bus/bus.contract.ts).
 */
export interface BusMessage {
  /** Partitioning key: one object's records share a key, so they stay in order. */
  key: string;
  value: string;
  headers?: Record<string, string>;
}

export interface ConsumedMessage extends BusMessage {
  topic: string;
  partition: number;
  offset: string;
}

/**
 * A handler may finish only the first `processed` messages of a batch: the bus commits those and leaves
 * the rest uncommitted (a reader that must stop at a fence, like the dead-letter replay).
 */
export interface HandledPart {
  processed: number;
}

export interface SubscribeOptions {
  topic: string;
  groupId: string;
  /**
   * Handles one batch. Offsets are committed only after it resolves; if it throws, the batch is delivered
   * again (at-least-once). Idempotent ids downstream make redelivery harmless. Batches of one partition
   * are handed over in order, but the Kafka bus may start the next before the last resolved (handling
   * behind fetching); commits still follow the partition's order.
   */
  handle(batch: ConsumedMessage[], signal: AbortSignal): Promise<void | HandledPart>;
  /** Largest batch handed to `handle`. */
  maxBatch?: number;
}

export interface Subscription {
  /** Stops fetching, waits for the batch in hand, commits, leaves the group. */
  stop(): Promise<void>;
  /** Messages not yet consumed by this group (consumer lag), summed over partitions. */
  lag(): Promise<number>;
}

export interface Bus {
  readonly type: string;
  /** Resolves once the bus has the messages durably (Kafka: acks=all). Throws UnavailableError if it cannot. */
  publish(topic: string, messages: readonly BusMessage[], signal?: AbortSignal): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Per partition, the offset the next published message will get (Kafka's high-water mark). */
  endOffsets(topic: string): Promise<Record<number, string>>;
  /**
   * Messages of `topic` not yet consumed by the group `groupId`, whichever process its members run in (the
   * console's indexer lag); undefined when the group has committed nothing there (unknown, or not started).
   */
  groupLag(topic: string, groupId: string): Promise<number | undefined>;
  ping(signal?: AbortSignal): Promise<boolean>;
  close(): Promise<void>;
}
