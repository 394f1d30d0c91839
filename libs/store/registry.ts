import type { PharosConfig } from '../config/config.schema.ts';
import type { ServiceContext } from '../runtime/context.ts';
import { OpenSearchRecordStore } from './opensearch/opensearch-record.store.ts';
import type { RecordStore } from './record-store.ts';
import { SqliteRecordStore } from './sqlite/sqlite-record.store.ts';

type Storage = PharosConfig['storage'];

/** Record store engines keyed by `storage.type`. */
export const RECORD_STORE_REGISTRY: Record<Storage['type'], (ctx: ServiceContext) => RecordStore> = {
  sqlite: (ctx) =>
    new SqliteRecordStore({
      path: (ctx.config.storage as Extract<Storage, { type: 'sqlite' }>).path,
      logger: ctx.logger,
    }),
  opensearch: (ctx) => {
    const s = ctx.config.storage as Extract<Storage, { type: 'opensearch' }>;
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
