import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { BusMessage } from '../../../libs/bus/bus.ts';
import { KafkaBus } from '../../../libs/bus/kafka.bus.ts';
import { packRecords } from '../../../libs/bus/record-pack.ts';
import { topicsFor } from '../../../libs/bus/topics.ts';
import { configSchema } from '../../../libs/config/config.schema.ts';
import { logKey, normalizeLogs } from '../../../libs/normalize/logs.normalize.ts';
import { OpenSearchRecordStore } from '../../../libs/store/opensearch/opensearch-record.store.ts';
import { configYaml, engineConfig, runId, spawnService, until } from './pipeline.helpers.ts';

/**
 * `total` distinct log lines from 20 containers, normalized and packed as the collector would (several
 * records per message, so a fault must lose none of a message), in bus publishes of `chunk` records.
 */
export function* packedLogStream(cluster: string, total: number, chunk = 2_500): Generator<BusMessage[]> {
  for (let start = 0; start < total; start += chunk) {
    const items = Array.from({ length: Math.min(chunk, total - start) }, (_, i) => {
      const n = start + i;
      return {
        index: i,
        value: {
          time: new Date(Date.UTC(2026, 10, 20) + n).toISOString(),
          log: `request ${n} served`,
          stream: 'stdout',
          kubernetes: { namespace_name: 'shop', pod_name: `cart-${n % 20}`, container_name: 'app', host: 'node-a' },
        },
      };
    });
    yield packRecords('logs', normalizeLogs(items, { cluster, ingestedAt: Date.now() }).docs, { keyOf: logKey });
  }
}

/**
 * Indexer processes on real Kafka and OpenSearch, under a fresh topic and index prefix, for the fault tests
 * (kill -9, group changes): one config file every indexer shares, a producer, and the record count.
 */
export function indexerFixture(label: string) {
  const dir = mkdtempSync(join(tmpdir(), `pharos-${label}-`));
  const run = runId(label);
  const raw = engineConfig(run, dir);
  const file = join(dir, 'indexer.yaml');
  writeFileSync(file, configYaml(raw));
  const topic = topicsFor(configSchema.parse(raw).bus).kind('logs');
  const groupId = `${run}-indexer-logs`;
  const bus = new KafkaBus({
    brokers: ['127.0.0.1:9092'],
    clientId: `${run}-producer`,
    partitions: 3,
    replicationFactor: 1,
    logger: pino({ level: 'error' }),
  });
  const store = new OpenSearchRecordStore({
    url: 'http://127.0.0.1:9200',
    indexPrefix: run,
    requestTimeoutMs: 30_000,
    shards: 1,
    replicas: 0,
  });
  const children: ChildProcess[] = [];
  const count = async () => {
    await store.refresh('logs');
    return store.count('logs', { filters: { cluster: ['it'] } });
  };
  return {
    run,
    groupId,
    count,
    init: () => store.init(),
    /** Publishes `total` records of cluster `it` in chunks. */
    async publish(total: number, chunk?: number): Promise<void> {
      for (const messages of packedLogStream('it', total, chunk)) await bus.publish(topic, messages);
    },
    /** One more indexer process on the shared config. */
    spawnIndexer(): ChildProcess {
      const child = spawnService('indexer', file);
      children.push(child);
      return child;
    },
    /** Waits for `total` records searchable, then for no lag: whatever was re-read from the last commit is done. */
    async caughtUp(total: number): Promise<void> {
      await until(async () => (await count()) >= total, 300_000, 'all records indexed');
      await until(async () => (await bus.lagOf(topic, groupId)) === 0, 120_000, 'consumer caught up');
    },
    async close(): Promise<void> {
      for (const c of children) c.kill('SIGKILL');
      await bus.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
