import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaBus } from '../../../libs/bus/kafka.bus.ts';
import { topicsFor } from '../../../libs/bus/topics.ts';
import { configSchema } from '../../../libs/config/config.schema.ts';
import { OpenSearchRecordStore } from '../../../libs/store/opensearch/opensearch-record.store.ts';
import { packedLogStream } from './log-stream.ts';
import { configYaml, engineConfig, exited, runId, spawnService, until } from './pipeline.helpers.ts';

const TOTAL = 50_000;

describe('indexer killed with SIGKILL mid-stream', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-kill-'));
  const run = runId('kill');
  const raw = engineConfig(run, dir);
  const config = configSchema.parse(raw);
  const file = join(dir, 'indexer.yaml');
  writeFileSync(file, configYaml(raw));
  const bus = new KafkaBus({ brokers: ['127.0.0.1:9092'], clientId: `${run}-producer`, partitions: 3, replicationFactor: 1, logger: pino({ level: 'error' }) });
  const store = new OpenSearchRecordStore({ url: 'http://127.0.0.1:9200', indexPrefix: run, requestTimeoutMs: 30_000, shards: 1, replicas: 0 });
  const topics = topicsFor(config.bus);
  const children: ReturnType<typeof spawnService>[] = [];
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await bus.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const count = async () => {
    await store.refresh('logs');
    return store.count('logs', { filters: { cluster: ['it'] } });
  };

  it(`ends with exactly ${TOTAL} records after kill -9 and restart`, { timeout: 600_000 }, async () => {
    await store.init();
    const first = spawnService('indexer', file);
    children.push(first);
    // Publish while the indexer runs, so the kill lands in the middle of the stream.
    const publishing = (async () => {
      for (const messages of packedLogStream('it', TOTAL)) await bus.publish(topics.kind('logs'), messages);
    })();
    await until(async () => (await count()) >= 5_000, 240_000, 'indexer made progress');
    first.kill('SIGKILL');
    await exited(first);
    const atKill = await count();
    await publishing;
    expect(atKill).toBeLessThan(TOTAL);
    console.info(`[kill -9] ${atKill} of ${TOTAL} records were searchable when the indexer was killed`);

    const second = spawnService('indexer', file);
    children.push(second);
    await until(async () => (await count()) >= TOTAL, 300_000, 'all records indexed after restart');
    // Let the restarted indexer finish whatever it re-read from the last committed offset, then count again.
    await until(async () => (await bus.lagOf(topics.kind('logs'), `${run}-indexer-logs`)) === 0, 120_000, 'consumer caught up');
    expect(await count()).toBe(TOTAL);
    second.kill('SIGTERM');
    await exited(second);
  });
});
