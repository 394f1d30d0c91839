import type { PharosConfig } from '../config/config.schema.ts';
import type { Logger } from '../logging/logger.ts';
import { OpenSearchRecordStore } from './opensearch/opensearch-record.store.ts';
import type { RecordStore } from './record-store.ts';
import { SqliteRecordStore } from './sqlite/sqlite-record.store.ts';

type Storage = PharosConfig['storage'];

/** Record store engines keyed by `storage.type`; each takes the storage section and a logger, not the context. */
export const RECORD_STORE_REGISTRY: Record<Storage['type'], (s: Storage, logger: Logger) => RecordStore> = {
  sqlite: (s, logger) => new SqliteRecordStore({ path: (s as Extract<Storage, { type: 'sqlite' }>).path, logger }),
  opensearch: (storage) => {
    const s = storage as Extract<Storage, { type: 'opensearch' }>;
    return new OpenSearchRecordStore({
      url: s.url,
      indexPrefix: s.indexPrefix,
      username: s.username,
      password: s.password,
      requestTimeoutMs: s.requestTimeoutMs,
      shards: s.shards,
      replicas: s.replicas,
    });
  },
};
