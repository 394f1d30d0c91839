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

export interface SubscribeOptions {
  topic: string;
  groupId: string;
  /**
   * Handles one batch. Offsets are committed only after it resolves; if it throws, the batch is delivered
   * again (at-least-once). Idempotent ids downstream make redelivery harmless.
   */
  handle(batch: ConsumedMessage[], signal: AbortSignal): Promise<void>;
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
  ping(signal?: AbortSignal): Promise<boolean>;
  close(): Promise<void>;
}
