import kafkajs from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { indexerFixture } from './indexer-fixture.ts';
import { exited, until } from './pipeline.helpers.ts';

const TOTAL = 200_000;

/**
 * Indexers handle batches behind fetching (libs/bus/kafka-lanes.ts), so at a rebalance a member holds
 * batches it has taken from Kafka but not stored. A second indexer joining, then the first leaving, both
 * mid-stream, must lose none of them: they are committed only once stored, and dropped on a rebalance.
 */
describe('indexers joining and leaving the group mid-stream', () => {
  const f = indexerFixture('rebalance');
  const admin = new kafkajs.Kafka({
    brokers: ['127.0.0.1:9092'],
    clientId: `${f.run}-admin`,
    logLevel: kafkajs.logLevel.NOTHING,
  }).admin();
  afterAll(async () => {
    await admin.disconnect();
    await f.close();
  });
  const members = async () => {
    await admin.connect();
    const { groups } = await admin.describeGroups([f.groupId]);
    return groups[0]?.state === 'Stable' ? groups[0].members.length : -1;
  };

  it(`ends with exactly ${TOTAL} records`, { timeout: 600_000 }, async () => {
    await f.init();
    // Everything is on the topic first, so the indexers are busy (holding batches) when the group changes.
    await f.publish(TOTAL, 10_000);
    const first = f.spawnIndexer();
    await until(async () => (await f.count()) >= 5_000, 240_000, 'first indexer made progress');
    const second = f.spawnIndexer();
    await until(async () => (await members()) === 2, 240_000, 'second indexer in the group');
    const atJoin = await f.count();
    await until(async () => (await f.count()) >= atJoin + 10_000, 240_000, 'progress with two indexers');
    // Graceful stop: it leaves the group at once, and the second indexer takes every partition.
    const atLeave = await f.count();
    first.kill('SIGTERM');
    await exited(first);
    expect(atLeave).toBeLessThan(TOTAL);
    console.info(
      `[rebalance] ${atJoin} of ${TOTAL} records were searchable when the second indexer joined, ${atLeave} when the first left`,
    );
    await f.caughtUp(TOTAL);
    expect(await f.count()).toBe(TOTAL);
    second.kill('SIGTERM');
    await exited(second);
  });
});
