import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaBus } from '../../../libs/bus/kafka.bus.ts';
import { topicsFor } from '../../../libs/bus/topics.ts';
import { configSchema } from '../../../libs/config/config.schema.ts';
import { OpenSearchRecordStore } from '../../../libs/store/opensearch/opensearch-record.store.ts';
import { packedLogStream } from './log-stream.ts';
import { configYaml, engineConfig, exited, runId, spawnService, until } from './pipeline.helpers.ts';

const TOTAL = 200_000;

/**
 * Indexers handle batches behind fetching (libs/bus/kafka-lanes.ts), so at a rebalance a member holds
 * batches it has taken from Kafka but not stored. A second indexer joining, then the first leaving, both
 * mid-stream, must lose none of them: they are committed only once stored, and dropped on a rebalance.
 */
describe('indexers joining and leaving the group mid-stream', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-rebalance-'));
  const run = runId('rebalance');
  const raw = engineConfig(run, dir);
  const topics = topicsFor(configSchema.parse(raw).bus);
  const file = join(dir, 'indexer.yaml');
  writeFileSync(file, configYaml(raw));
  const bus = new KafkaBus({ brokers: ['127.0.0.1:9092'], clientId: `${run}-producer`, partitions: 3, replicationFactor: 1, logger: pino({ level: 'error' }) });
  const store = new OpenSearchRecordStore({ url: 'http://127.0.0.1:9200', indexPrefix: run, requestTimeoutMs: 30_000, shards: 1, replicas: 0 });
  const children: ReturnType<typeof spawnService>[] = [];
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await bus.close();
    await admin.disconnect();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const admin = new kafkajs.Kafka({ brokers: ['127.0.0.1:9092'], clientId: `${run}-admin`, logLevel: kafkajs.logLevel.NOTHING }).admin();
  const members = async () => {
    await admin.connect();
    const { groups } = await admin.describeGroups([`${run}-indexer-logs`]);
    return groups[0]?.state === 'Stable' ? groups[0].members.length : -1;
  };
  const count = async () => {
    await store.refresh('logs');
    return store.count('logs', { filters: { cluster: ['it'] } });
  };

  it(`ends with exactly ${TOTAL} records`, { timeout: 600_000 }, async () => {
    await store.init();
    // Everything is on the topic first, so the indexers are busy (holding batches) when the group changes.
    for (const messages of packedLogStream('it', TOTAL, 10_000)) await bus.publish(topics.kind('logs'), messages);
    const first = spawnService('indexer', file);
    children.push(first);
    await until(async () => (await count()) >= 5_000, 240_000, 'first indexer made progress');
    const second = spawnService('indexer', file);
    children.push(second);
    await until(async () => (await members()) === 2, 240_000, 'second indexer in the group');
    const atJoin = await count();
    await until(async () => (await count()) >= atJoin + 10_000, 240_000, 'progress with two indexers');
    // Graceful stop: it leaves the group at once, and the second indexer takes every partition.
    const atLeave = await count();
    first.kill('SIGTERM');
    await exited(first);
    expect(atLeave).toBeLessThan(TOTAL);
    console.info(`[rebalance] ${atJoin} of ${TOTAL} records were searchable when the second indexer joined, ${atLeave} when the first left`);
    await until(async () => (await count()) >= TOTAL, 300_000, 'all records indexed');
    await until(async () => (await bus.lagOf(topics.kind('logs'), `${run}-indexer-logs`)) === 0, 120_000, 'consumer caught up');
    expect(await count()).toBe(TOTAL);
    second.kill('SIGTERM');
    await exited(second);
  });
});
