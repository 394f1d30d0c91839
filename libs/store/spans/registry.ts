import type { PharosConfig } from '../../config/config.schema.ts';
import { OpenSearchSpanStore } from './opensearch-span.store.ts';
import type { SpanStore } from './span-store.ts';
import { SqliteSpanStore } from './sqlite-span.store.ts';

type Storage = PharosConfig['storage'];

/** Span store engines keyed by `storage.type`, beside the record stores (the same connection settings). */
export const SPAN_STORE_REGISTRY: Record<Storage['type'], (s: Storage) => SpanStore> = {
  sqlite: (s) => new SqliteSpanStore({ path: (s as Extract<Storage, { type: 'sqlite' }>).path }),
  opensearch: (storage) => {
    const s = storage as Extract<Storage, { type: 'opensearch' }>;
    return new OpenSearchSpanStore({
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
