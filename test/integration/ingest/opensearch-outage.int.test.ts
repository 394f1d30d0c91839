import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRecordStore } from '../../../libs/runtime/backends.ts';
import type { RecordStore } from '../../../libs/store/record-store.ts';
import { startEngine, stopEngine } from '../../../scripts/stack/stack.ts';
import { engineConfig, runId, startInProcess, until, type InProcessPipeline } from './pipeline.helpers.ts';

const WAVE = 4_000;

/** One NDJSON body of Fluent Bit lines; `wave` keeps every line of the test distinct. */
function ndjson(wave: number, from: number, n: number): string {
  return Array.from({ length: n }, (_, i) => {
    const k = from + i;
    return JSON.stringify({
      date: 1_790_000_000 + wave * 10_000 + k / 1000,
      log: `wave ${wave} line ${k}`,
      stream: 'stdout',
      kubernetes: { namespace_name: 'pay', pod_name: `api-${k % 7}`, container_name: 'api', host: 'node-b' },
    });
  }).join('\n');
}

describe('OpenSearch stopped for 30 s during ingest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-outage-'));
  let p: InProcessPipeline;
  let store: RecordStore;
  beforeAll(async () => {
    p = await startInProcess(engineConfig(runId('outage'), dir));
    store = await getRecordStore(p.ctx);
  });
  afterAll(async () => {
    await startEngine('opensearch');
    await p?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const sendWave = async (wave: number) => {
    for (let from = 0; from < WAVE; from += 1_000) {
      const res = await p.post('/v1/ingest/logs?cluster=outage', ndjson(wave, from, 1_000), {
        contentType: 'application/x-ndjson',
      });
      expect(res.status).toBe(200);
      expect(res.body.accepted).toBe(1_000);
    }
  };
  const count = async () => {
    await store.refresh('logs');
    return store.count('logs', { filters: { cluster: ['outage'] } });
  };

  it('delivers everything once OpenSearch is back, with nothing duplicated', { timeout: 600_000 }, async () => {
    await sendWave(1);
    await until(async () => (await count()) > 0, 120_000, 'first records indexed');
    await stopEngine('opensearch');
    const stoppedAt = Date.now();
    // The intake keeps accepting: Kafka holds the records while the indexer retries the store.
    await sendWave(2);
    await new Promise((r) => setTimeout(r, Math.max(0, 30_000 - (Date.now() - stoppedAt))));
    await sendWave(3);
    await startEngine('opensearch');
    await until(async () => (await count().catch(() => 0)) >= 3 * WAVE, 300_000, 'all waves indexed');
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await count()).toBe(3 * WAVE);
    expect(await p.ctx.metrics.metrics()).toMatch(/pharos_indexer_retries_total\{kind="logs"[^}]*\} [1-9]/);
  });
});
