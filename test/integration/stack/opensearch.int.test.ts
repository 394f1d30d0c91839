// OpenSearch from the stack is a real node with the modules Pharos relies on: composable index templates, bulk
// indexing, full-text search, date histograms, Painless scripts and _delete_by_query.
import { randomUUID } from 'node:crypto';
import { Client } from '@opensearch-project/opensearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPENSEARCH_PORT } from '../../../scripts/stack/opensearch.ts';

const client = new Client({ node: `http://127.0.0.1:${OPENSEARCH_PORT}` });
const prefix = `stack-test-${randomUUID().slice(0, 8)}`;
const index = `${prefix}-logs`;
const HOUR = 3600_000;
const start = Date.UTC(2026, 0, 1);

describe('opensearch (stack)', () => {
  beforeAll(async () => {
    await client.indices.putIndexTemplate({
      name: prefix,
      body: {
        index_patterns: [`${prefix}-*`],
        template: {
          settings: { number_of_shards: 1, number_of_replicas: 0 },
          mappings: {
            properties: {
              ts: { type: 'date' },
              cluster: { type: 'keyword' },
              level: { type: 'keyword' },
              message: { type: 'text' },
              bytes: { type: 'integer' },
            },
          },
        },
      },
    });
    // 5 hours × 20 documents; every 4th document is an error.
    const docs = Array.from({ length: 100 }, (_, i) => ({
      ts: new Date(start + Math.floor(i / 20) * HOUR + (i % 20) * 1000).toISOString(),
      cluster: ['east', 'west', 'north'][i % 3],
      level: i % 4 === 0 ? 'error' : 'info',
      message: i % 4 === 0 ? `request failed with timeout ${i}` : `request served ${i}`,
      bytes: i,
    }));
    const response = await client.bulk({
      refresh: true,
      body: docs.flatMap((doc) => [{ index: { _index: index } }, doc]),
    });
    expect(response.body.errors).toBe(false);
  });

  afterAll(async () => {
    await client.indices.delete({ index }).catch(() => undefined);
    await client.indices.deleteIndexTemplate({ name: prefix }).catch(() => undefined);
    await client.close();
  });

  it('applies the composable template to the new index', async () => {
    const { body } = await client.indices.getMapping({ index });
    expect(body[index]?.mappings.properties?.cluster).toEqual({ type: 'keyword' });
  });

  it('searches text and aggregates by date histogram', async () => {
    const { body } = await client.search({
      index,
      body: {
        size: 0,
        query: { match: { message: 'timeout' } },
        aggs: { per_hour: { date_histogram: { field: 'ts', fixed_interval: '1h' } } },
      },
    });
    expect(body.hits.total).toEqual({ value: 25, relation: 'eq' });
    const buckets = (body.aggregations?.per_hour as { buckets: Array<{ key: number; doc_count: number }> }).buckets;
    expect(buckets.map((b) => b.key)).toEqual([0, 1, 2, 3, 4].map((h) => start + h * HOUR));
    expect(buckets.map((b) => b.doc_count)).toEqual([5, 5, 5, 5, 5]);
  });

  it('runs Painless scripts', async () => {
    const { body } = await client.search({
      index,
      body: {
        size: 1,
        sort: [{ bytes: 'asc' }],
        script_fields: {
          kib: { script: { lang: 'painless', source: "doc['bytes'].value * params.k", params: { k: 3 } } },
        },
        aggs: { total: { sum: { script: { lang: 'painless', source: "doc['bytes'].value + 1" } } } },
      },
    });
    expect(body.hits.hits[0]?.fields?.kib).toEqual([0]);
    expect((body.aggregations?.total as { value: number }).value).toBe(5050);
  });

  it('deletes by query', async () => {
    const { body } = await client.deleteByQuery({
      index,
      refresh: true,
      body: { query: { term: { level: 'error' } } },
    });
    expect(body.deleted).toBe(25);
    const count = await client.count({ index });
    expect(count.body.count).toBe(75);
  });
});
