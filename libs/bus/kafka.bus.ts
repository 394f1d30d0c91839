import kafkajs, {
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type Kafka as KafkaClient,
  type LogEntry,
  type Producer,
} from 'kafkajs';
import type { Logger } from '../logging/logger.ts';
import { UnavailableError } from '../errors/errors.ts';
import type { Bus, BusMessage, ConsumedMessage, SubscribeOptions, Subscription } from './bus.ts';
import { PartitionLanes } from './kafka-lanes.ts';

const { Kafka, logLevel, Partitioners } = kafkajs;

/**
 * The broker refuses a record batch over `message.max.bytes` (1 MiB by default), and one send makes one
 * batch per partition; sending at most this much per request keeps every batch under it.
 */
const MAX_REQUEST_BYTES = 900 * 1024;

export interface KafkaBusOptions {
  brokers: readonly string[];
  clientId: string;
  partitions: number;
  replicationFactor: number;
  logger: Logger;
  /** A publish not acknowledged by then fails with UnavailableError, so the intake can answer 503. */
  publishTimeoutMs?: number;
  /** Batches of different partitions handled at once by one consumer (parallel bulk requests). */
  partitionsConsumedConcurrently?: number;
}

/**
 * Kafka through kafkajs. Producer: idempotent, acks=all, one request in flight, so a retried send neither
 * duplicates nor reorders. Consumer: eachBatch with autoCommit off; batches are handled behind fetching,
 * per partition in order, and an offset is committed only once the handler resolved for every message up
 * to it (kafka-lanes.ts).
 */
export class KafkaBus implements Bus {
  readonly type = 'kafka';
  private readonly kafka: KafkaClient;
  private producer: Promise<Producer> | undefined;
  private admin: Promise<Admin> | undefined;
  private readonly topicsReady = new Map<string, Promise<void>>();
  private readonly consumers = new Set<Consumer>();

  constructor(private readonly opts: KafkaBusOptions) {
    const log = opts.logger.child({ component: 'kafka' });
    this.kafka = new Kafka({
      clientId: opts.clientId,
      brokers: [...opts.brokers],
      retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 5_000 },
      logLevel: logLevel.WARN,
      logCreator: () => (entry: LogEntry) => {
        const { message, ...rest } = entry.log;
        log[entry.level <= logLevel.ERROR ? 'error' : 'warn']({ ...rest, namespace: entry.namespace }, message);
      },
    });
  }

  async publish(topic: string, messages: readonly BusMessage[], signal?: AbortSignal): Promise<void> {
    if (messages.length === 0) return;
    const timeoutMs = this.opts.publishTimeoutMs ?? 10_000;
    const work = (async () => {
      await this.ensureTopic(topic);
      const producer = await this.getProducer();
      for (const chunk of byteChunks(messages, MAX_REQUEST_BYTES)) {
        await producer.send({
          topic,
          acks: -1,
          timeout: timeoutMs,
          messages: chunk.map((m) => ({ key: m.key, value: m.value, headers: m.headers ?? {} })),
        });
      }
    })();
    try {
      await withTimeout(work, timeoutMs, signal);
    } catch (err) {
      throw new UnavailableError(
        `Kafka did not acknowledge ${messages.length} message(s) on ${topic}: ${(err as Error).message}`,
        err,
      );
    }
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    await this.ensureTopic(options.topic);
    // Fetches of up to 4 MiB per partition, so a backlog is read in batches as large as the handler takes;
    // and of at least 512 KiB unless 200 ms passed: handling runs behind fetching (kafka-lanes.ts), and
    // without a floor every fetch returned the few records published since the last one.
    const consumer = this.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: 200,
      minBytes: 512 * 1024,
      maxBytesPerPartition: 4 * 1024 * 1024,
      maxBytes: 16 * 1024 * 1024,
      retry: { retries: 10 },
    });
    this.consumers.add(consumer);
    const lanes = new PartitionLanes({
      consumer,
      topic: options.topic,
      handle: options.handle,
      log: this.opts.logger.child({ component: 'kafka', topic: options.topic }),
    });
    // A new generation starts from the committed offsets: what the old one still holds is dropped.
    for (const event of [consumer.events.REBALANCING, consumer.events.GROUP_JOIN, consumer.events.CRASH])
      consumer.on(event, () => lanes.reset());
    await consumer.connect();
    await consumer.subscribe({ topics: [options.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.opts.partitionsConsumedConcurrently ?? 3,
      eachBatch: (payload) => this.handleBatch(options, payload, lanes),
    });
    return {
      stop: async () => {
        await lanes.flush();
        lanes.close();
        await consumer.disconnect();
        await lanes.idle();
        this.consumers.delete(consumer);
      },
      lag: () => this.lagOf(options.topic, options.groupId),
    };
  }

  /**
   * Hands a fetched batch to the partition's lane (kafka-lanes.ts) in chunks of `maxBatch` and resolves each
   * chunk taken, so kafkajs fetches on while the lane works; the lane commits once the chunk is handled.
   */
  private async handleBatch(
    options: SubscribeOptions,
    payload: EachBatchPayload,
    lanes: PartitionLanes,
  ): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    const maxBatch = options.maxBatch ?? 1000;
    for (let start = 0; start < batch.messages.length; start += maxBatch) {
      if (!isRunning() || isStale()) return;
      const chunk: ConsumedMessage[] = batch.messages.slice(start, start + maxBatch).map((m) => ({
        topic: batch.topic,
        partition: batch.partition,
        offset: m.offset,
        key: m.key?.toString() ?? '',
        value: m.value?.toString() ?? '',
        headers: Object.fromEntries(
          Object.entries(m.headers ?? {}).map(([k, v]) => [k, Array.isArray(v) ? String(v[0]) : String(v ?? '')]),
        ),
      }));
      // Not taken: kafkajs fetches it again from the last resolved offset (or from where the lane sent it).
      if (!(await lanes.submit(chunk, { heartbeat, isStale }))) return;
      resolveOffset(chunk[chunk.length - 1]!.offset);
    }
  }

  async endOffsets(topic: string): Promise<Record<number, string>> {
    await this.ensureTopic(topic);
    const admin = await this.getAdmin();
    return Object.fromEntries((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p.high]));
  }

  /** Unconsumed messages of a group on a topic (any group, not only this process's), summed over partitions. */
  async lagOf(topic: string, groupId: string): Promise<number> {
    const admin = await this.getAdmin();
    const [ends, committed] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId, topics: [topic] }),
    ]);
    const done = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    return ends.reduce((sum, p) => {
      const c = done.get(p.partition) ?? -1;
      return sum + Number(p.high) - (c < 0 ? Number(p.low) : c);
    }, 0);
  }

  async groupLag(topic: string, groupId: string): Promise<number | undefined> {
    const admin = await this.getAdmin();
    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    // Kafka answers -1 for every partition of a group that never committed (or does not exist).
    if (!(committed[0]?.partitions ?? []).some((p) => Number(p.offset) >= 0)) return undefined;
    return this.lagOf(topic, groupId);
  }

  /** Creates the topic with `bus.partitions` on first use; an existing topic is left as it is. */
  ensureTopic(topic: string): Promise<void> {
    let ready = this.topicsReady.get(topic);
    if (!ready) {
      ready = (async () => {
        const admin = await this.getAdmin();
        await admin.createTopics({
          waitForLeaders: true,
          topics: [{ topic, numPartitions: this.opts.partitions, replicationFactor: this.opts.replicationFactor }],
        });
      })();
      ready.catch(() => this.topicsReady.delete(topic));
      this.topicsReady.set(topic, ready);
    }
    return ready;
  }

  private getProducer(): Promise<Producer> {
    if (!this.producer) {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      this.producer = producer.connect().then(() => producer);
      this.producer.catch(() => (this.producer = undefined));
    }
    return this.producer;
  }

  private getAdmin(): Promise<Admin> {
    if (!this.admin) {
      const admin = this.kafka.admin();
      this.admin = admin.connect().then(() => admin);
      this.admin.catch(() => (this.admin = undefined));
    }
    return this.admin;
  }

  async ping(signal?: AbortSignal): Promise<boolean> {
    try {
      const admin = await withTimeout(this.getAdmin(), 5_000, signal);
      await withTimeout(admin.listTopics(), 5_000, signal);
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.consumers].map((c) => c.disconnect()));
    const [producer, admin] = await Promise.allSettled([this.producer, this.admin]);
    if (producer.status === 'fulfilled') await producer.value?.disconnect().catch(() => undefined);
    if (admin.status === 'fulfilled') await admin.value?.disconnect().catch(() => undefined);
  }
}

/** Races a promise against a timeout and an abort signal; the loser is left to settle on its own. */
async function withTimeout<T>(work: Promise<T>, ms: number, signal?: AbortSignal): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    onAbort = () => reject(new Error('aborted'));
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  work.catch(() => undefined);
  try {
    return await Promise.race([work, limit]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

/** Splits messages into runs whose keys and values stay under `limit` bytes (a larger single message goes alone). */
function byteChunks(messages: readonly BusMessage[], limit: number): BusMessage[][] {
  const chunks: BusMessage[][] = [];
  let current: BusMessage[] = [];
  let size = 0;
  for (const m of messages) {
    const bytes = Buffer.byteLength(m.value) + Buffer.byteLength(m.key) + 64;
    if (current.length && size + bytes > limit) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(m);
    size += bytes;
  }
  if (current.length) chunks.push(current);
  return chunks;
}
