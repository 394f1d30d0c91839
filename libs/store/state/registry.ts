import type { PharosConfig } from '../../config/config.schema.ts';
import type { StateStore } from '../state-store.ts';
import { OpenSearchStateStore } from './opensearch-state.store.ts';
import { SqliteStateStore } from './sqlite-state.store.ts';

type Storage = PharosConfig['storage'];

/** State store engines keyed by `storage.type`. */
export const STATE_STORE_REGISTRY: Record<Storage['type'], (s: Storage) => StateStore> = {
  sqlite: (s) => new SqliteStateStore((s as Extract<Storage, { type: 'sqlite' }>).path),
  opensearch: (storage) => {
    const s = storage as Extract<Storage, { type: 'opensearch' }>;
    return new OpenSearchStateStore({
      url: s.url,
      indexPrefix: s.indexPrefix,
      username: s.username,
      password: s.password,
      requestTimeoutMs: s.requestTimeoutMs,
    });
  },
};
