import type { PharosConfig } from '../../config/config.schema.ts';
import type { ServiceContext } from '../../runtime/context.ts';
import type { StateStore } from '../state-store.ts';
import { OpenSearchStateStore } from './opensearch-state.store.ts';
import { SqliteStateStore } from './sqlite-state.store.ts';

type Storage = PharosConfig['storage'];

/** State store engines keyed by `storage.type`. */
export const STATE_STORE_REGISTRY: Record<Storage['type'], (ctx: ServiceContext) => StateStore> = {
  sqlite: (ctx) => new SqliteStateStore((ctx.config.storage as Extract<Storage, { type: 'sqlite' }>).path),
  opensearch: (ctx) => {
    const s = ctx.config.storage as Extract<Storage, { type: 'opensearch' }>;
    return new OpenSearchStateStore({
      url: s.url,
      indexPrefix: s.indexPrefix,
      username: s.username,
      password: s.password,
      requestTimeoutMs: s.requestTimeoutMs,
    });
  },
};
