// Kafka from the stack is a real broker: a produce/consume round trip through a consumer group, whose committed
// offsets the broker reports back.
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KAFKA_PORT } from '../../../scripts/stack/kafka.ts';
import { until } from '../../support/until.ts';

const kafka = new Kafka({ clientId: 'stack-int-test', brokers: [`127.0.0.1:${KAFKA_PORT}`], logLevel: logLevel.ERROR });

describe('kafka (stack)', () => {
  let admin: Admin;
  const topic = `stack-roundtrip-${randomUUID()}`;

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  });

  afterAll(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('round-trips messages through a consumer group and reports its committed offsets', async () => {
    const sent = Array.from({ length: 12 }, (_, i) => ({ key: `key-${i % 4}`, value: `message-${i}` }));
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic, messages: sent });
    await producer.disconnect();

    const groupId = `stack-group-${randomUUID()}`;
    const consumer = kafka.consumer({ groupId });
    const received: Array<{ key: string; value: string; partition: number }> = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        received.push({ key: String(message.key), value: String(message.value), partition });
        await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
      },
    });
    await until(
      () => received.length >= sent.length,
      60_000,
      () => `${sent.length} messages consumed, got ${received.length}`,
    );
    await consumer.disconnect();

    expect(received.map((m) => m.value).sort()).toEqual(sent.map((m) => m.value).sort());
    // Same key, same partition: the default partitioner hashes keys.
    for (const key of new Set(sent.map((m) => m.key))) {
      expect(new Set(received.filter((m) => m.key === key).map((m) => m.partition)).size).toBe(1);
    }
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const committed = (offsets?.partitions ?? []).map((p) => Number(p.offset)).filter((o) => o > 0);
    expect(committed.reduce((a, b) => a + b, 0)).toBe(sent.length);
  });
});
