import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@opensearch-project/opensearch';
import type { EngineUnderTest } from '../../../libs/store/record-store.contract.ts';
import type { RecordStore } from '../../../libs/store/record-store.ts';
import { OpenSearchRecordStore } from '../../../libs/store/opensearch/opensearch-record.store.ts';
import { SqliteRecordStore } from '../../../libs/store/sqlite/sqlite-record.store.ts';

export const OPENSEARCH_URL = 'http://127.0.0.1:9200';
const run = `${Date.now().toString(36)}${process.pid.toString(36)}`;
let made = 0;

/** Both engines, each store in its own file or index prefix, removed afterwards. */
export const ENGINES: EngineUnderTest[] = [
  {
    name: 'sqlite',
    async create() {
      const dir = mkdtempSync(join(tmpdir(), 'pharos-records-'));
      const store = new SqliteRecordStore({ path: join(dir, 'records.db') });
      dirs.set(store, dir);
      await store.init();
      return store;
    },
    async destroy(store) {
      await store.close();
      const dir = dirs.get(store);
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  },
  {
    name: 'opensearch',
    async create() {
      const indexPrefix = `pharos-it-rec-${run}-${made++}`;
      const store = new OpenSearchRecordStore({
        url: OPENSEARCH_URL,
        indexPrefix,
        requestTimeoutMs: 60_000,
        shards: 1,
        replicas: 0,
      });
      prefixes.set(store, indexPrefix);
      await store.init();
      return store;
    },
    async destroy(store) {
      await store.close();
      const prefix = prefixes.get(store);
      if (prefix) await deletePrefix(prefix);
    },
  },
];

const dirs = new WeakMap<RecordStore, string>();
const prefixes = new WeakMap<RecordStore, string>();

export async function deletePrefix(prefix: string): Promise<void> {
  const client = new Client({ node: OPENSEARCH_URL });
  try {
    await client.indices.delete({
      index: `${prefix}-*`,
      ignore_unavailable: true,
      allow_no_indices: true,
      expand_wildcards: 'all',
    });
    await client.indices.deleteIndexTemplate({ name: `${prefix}-*` }).catch(() => undefined);
  } finally {
    await client.close();
  }
}
