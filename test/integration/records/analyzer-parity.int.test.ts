import { Client } from '@opensearch-project/opensearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lowerSimple, tokenize } from '../../../libs/search/tokenize.ts';
import { OpenSearchRecordStore } from '../../../libs/store/opensearch/opensearch-record.store.ts';
import { deletePrefix, OPENSEARCH_URL } from './record-engines.ts';

/**
 * q means the same on both engines only if the JS tokenizer (used by SQLite and the reference) and the
 * OpenSearch analyzer of the index templates cut and lowercase text identically. This asks OpenSearch's
 * _analyze API about awkward inputs and compares.
 */
const SAMPLES = [
  'GET /api/v1/namespaces/kube-system/pods?limit=500&watch=true',
  'ERROR connection_refused: db-0:5432 (retry #3)',
  'Zürich Übergabe ÉTÉ naïve café nai\u0308ve',
  'ΟΔΟΣ ΣΟΦΟΚΛΕΟΥΣ σοφός',
  'İSTANBUL ıstanbul',
  '東京タワー 123abc ４５６',
  'emoji 🚀 launch ✓ done',
  'tab\tnew\nline  spaces',
  'x'.repeat(1500),
  'user=system:serviceaccount:kube-system:default',
];

describe('tokenizer parity with the OpenSearch analyzer', () => {
  const prefix = `pharos-it-rec-an-${Date.now().toString(36)}`;
  const index = `${prefix}-logs-parity-2024.01.01`;
  const client = new Client({ node: OPENSEARCH_URL });
  beforeAll(async () => {
    const store = new OpenSearchRecordStore({
      url: OPENSEARCH_URL,
      indexPrefix: prefix,
      requestTimeoutMs: 30_000,
      shards: 1,
      replicas: 0,
    });
    await store.init();
    await store.close();
    await client.indices.create({ index });
  });
  afterAll(async () => {
    await deletePrefix(prefix);
    await client.close();
  });

  it.each(SAMPLES.map((s) => [s.slice(0, 40), s]))('splits and lowercases %j the same way', async (_label, text) => {
    const res = await client.indices.analyze({ index, body: { analyzer: 'pharos_text', text } });
    const tokens = (res.body as { tokens: { token: string }[] }).tokens.map((t) => t.token);
    expect(tokens).toEqual(tokenize(text));
  });

  it.each(SAMPLES.slice(0, 6).map((s) => [s.slice(0, 40), s]))(
    'lowercases field values %j the same way',
    async (_label, text) => {
      const res = await client.indices.analyze({ index, body: { normalizer: 'pharos_lowercase', text } });
      expect((res.body as { tokens: { token: string }[] }).tokens.map((t) => t.token)).toEqual([lowerSimple(text)]);
    },
  );
});
