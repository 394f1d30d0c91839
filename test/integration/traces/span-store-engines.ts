import { OpenSearchSpanStore } from '../../../libs/store/spans/opensearch-span.store.ts';
import type { SpanStore } from '../../../libs/store/spans/span-store.ts';
import { SqliteSpanStore } from '../../../libs/store/spans/sqlite-span.store.ts';
import { runId } from '../ingest/pipeline.helpers.ts';

/**
 * Both span stores, for a `describe.each`: SQLite in memory, and OpenSearch on the stack under a prefix of this
 * run (`name` names it), one shard, no replica.
 */
export function spanStoreEngines(name: string, requestTimeoutMs: number): [string, () => SpanStore][] {
  return [
    ['SQLite', () => new SqliteSpanStore({ path: ':memory:' })],
    [
      'OpenSearch',
      () =>
        new OpenSearchSpanStore({
          url: 'http://127.0.0.1:9200',
          indexPrefix: runId(name),
          requestTimeoutMs,
          shards: 1,
          replicas: 0,
        }),
    ],
  ];
}
