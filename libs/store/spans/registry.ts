import type { PharosConfig } from '../../config/config.schema.ts';
import type { ServiceContext } from '../../runtime/context.ts';
import { OpenSearchSpanStore } from './opensearch-span.store.ts';
import type { SpanStore } from './span-store.ts';
import { SqliteSpanStore } from './sqlite-span.store.ts';

type Storage = PharosConfig['storage'];

/** Span store engines keyed by `storage.type`, beside the record stores (the same connection settings). */
export const SPAN_STORE_REGISTRY: Record<Storage['type'], (ctx: ServiceContext) => SpanStore> = {
  sqlite: (ctx) => new SqliteSpanStore({ path: (ctx.config.storage as Extract<Storage, { type: 'sqlite' }>).path }),
  opensearch: (ctx) => {
    const s = ctx.config.storage as Extract<Storage, { type: 'opensearch' }>;
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

/** The process's span store, created once (as getRecordStore). */
export function getSpanStore(ctx: ServiceContext): Promise<SpanStore> {
  return ctx.resources.get('span-store', async () => {
    const store = SPAN_STORE_REGISTRY[ctx.config.storage.type](ctx);
    await store.init();
    return { value: store, close: () => store.close() };
  });
}
