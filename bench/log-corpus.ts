import { Client } from '@opensearch-project/opensearch';
import type { LogDoc } from '../libs/schemas/records.ts';
import { kindPattern } from '../libs/store/opensearch/index-names.ts';
import { OpenSearchRecordStore } from '../libs/store/opensearch/opensearch-record.store.ts';
import { prng } from '../test/integration/records/record-fixtures.ts';

/**
 * The benchmarks' log corpus on OpenSearch (index prefix pharos-bench): BENCH_DOCS (1,000,000) log lines over 7
 * days from 2024-06-01, three clusters, six namespaces; loaded once and reused by `query` and `ui`.
 */
export const URL_OS = 'http://127.0.0.1:9200';
export const PREFIX = 'pharos-bench';
export const DOCS = Number(process.env.BENCH_DOCS ?? 1_000_000);
export const START = Date.UTC(2024, 5, 1);
export const DAYS = 7;
export const END = START + DAYS * 86_400_000;

export const MESSAGES = [
  'GET /api/v1/users 200 12ms',
  'ERROR connection refused to db-0:5432',
  'WARN timeout waiting for lock on orders',
  'Retrying request id=abc-123 after timeout',
  'user alice logged in',
  'panic: runtime error: index out of range',
  'health check ok',
  'POST /api/v1/orders 201 48ms',
  'cache miss for key session:42',
  'kube-system/coredns ready',
];
export const NS = ['default', 'kube-system', 'monitoring', 'payments', 'checkout', 'search'];

/** Loads the corpus unless the indices already hold it (then they are reused as they are). */
export async function loadLogCorpus(store: OpenSearchRecordStore, client: Client): Promise<void> {
  const existing = await client.count({
    index: kindPattern(PREFIX, 'logs'),
    ignore_unavailable: true,
    allow_no_indices: true,
  });
  const have = (existing.body as { count: number }).count;
  if (have >= DOCS) return void console.log(`reusing ${have} documents under ${PREFIX}-logs-*`);
  console.log(`loading ${DOCS} documents (found ${have}) …`);
  const rnd = prng(2024);
  const started = Date.now();
  // A fixed spacing (1,000,000 documents over the 7 days) keeps each id on the same day whatever BENCH_DOCS is,
  // so a smaller run loads a prefix of the larger one instead of leaving copies in other daily indices.
  const step = (END - START) / 1_000_000;
  const CHUNK = 5000;
  for (let i = 0; i < DOCS; i += CHUNK * 2) {
    const batch = (offset: number): LogDoc[] =>
      Array.from({ length: Math.min(CHUNK, DOCS - offset) }, (_, j) => {
        const n = offset + j;
        const app = ['api', 'worker', 'db', 'proxy', 'web'][Math.floor(rnd() * 5)] as string;
        return {
          id: `bench-${n}`,
          kind: 'logs',
          cluster: ['east', 'west', 'north'][n % 3] as string,
          namespace: NS[Math.floor(rnd() * NS.length)] as string,
          time: Math.floor(START + n * step),
          ingestedAt: START,
          message: `${MESSAGES[Math.floor(rnd() * MESSAGES.length)]} #${n % 997}`,
          pod: `${app}-${Math.floor(rnd() * 20)}`,
          container: app,
          node: `node-${Math.floor(rnd() * 8)}`,
          stream: 'stdout',
        };
      });
    const writes = [i, i + CHUNK].filter((o) => o < DOCS).map((o) => writeWithRetry(store, batch(o)));
    await Promise.all(writes);
    if (i % 100_000 === 0) console.log(`  ${i} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
  await store.refresh('logs');
  await client.indices.forcemerge({ index: kindPattern(PREFIX, 'logs'), max_num_segments: 1 }).catch(() => undefined);
  console.log(`loaded in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** The shared engine may restart under other test runs: retry retryable items for a few minutes. */
async function writeWithRetry(store: OpenSearchRecordStore, docs: LogDoc[]): Promise<void> {
  let pending = docs;
  for (let attempt = 0; pending.length > 0; attempt++) {
    const results = await store.write('logs', pending);
    const failed = results.filter((r) => !r.ok);
    if (failed.some((r) => !r.ok && !r.retryable) || attempt > 60)
      throw new Error(`bulk failures: ${JSON.stringify(failed.slice(0, 3))}`);
    const again = new Set(failed.map((r) => r.id));
    pending = pending.filter((d) => again.has(d.id));
    if (pending.length) await new Promise((r) => setTimeout(r, 5000));
  }
}

export async function waitForEngine(client: Client): Promise<void> {
  for (let i = 0; i < 60; i++) {
    const ok = await client.cluster.health({ wait_for_status: 'yellow', timeout: '5s' }).then(
      () => true,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 5000));
  }
  throw new Error(`OpenSearch at ${URL_OS} is not answering`);
}

/** A client and a record store on the corpus, loaded if it is not there yet. */
export async function openLogCorpus(): Promise<{ client: Client; store: OpenSearchRecordStore }> {
  const client = new Client({ node: URL_OS });
  const store = new OpenSearchRecordStore({
    url: URL_OS,
    indexPrefix: PREFIX,
    requestTimeoutMs: 120_000,
    shards: 1,
    replicas: 0,
  });
  await waitForEngine(client);
  await store.init();
  await loadLogCorpus(store, client);
  return { client, store };
}
