import { readFileSync } from 'node:fs';
import { Client } from '@opensearch-project/opensearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogDoc } from '../../../libs/schemas/records.ts';
import { parseSearch } from '../../../libs/search/search-parser.ts';
import { indexName, kindPattern } from '../../../libs/store/opensearch/index-names.ts';
import { OpenSearchRecordStore } from '../../../libs/store/opensearch/opensearch-record.store.ts';
import { OPENSEARCH_URL } from './record-engines.ts';

/**
 * Log attributes moved from one flat_object field to `key=value` terms (libs/store/opensearch/attribute-terms.ts).
 * An index made by the earlier version keeps its flat_object: start-up must still extend it, records in it
 * and in new indices must answer the same filters, and no reader may see the terms.
 */
const prefix = `pharos-it-attrs-${Date.now().toString(36)}`;
const client = new Client({ node: OPENSEARCH_URL });
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 2, 10, 12);

const log = (id: string, time: number, attributes: Record<string, string>): LogDoc => ({
  id,
  kind: 'logs',
  cluster: 'east',
  time,
  ingestedAt: time,
  message: `line ${id}`,
  namespace: 'shop',
  attributes,
});

/**
 * A logs index as the earlier version made it: attributes one flat_object, no terms field (the mapping of the
 * version after it, before the doc-cost cuts, with its attributes as they were before that).
 */
function formerIndex(): object {
  const { settings, mappings } = JSON.parse(
    readFileSync(new URL('./logs-mapping-before-doc-cost.json', import.meta.url), 'utf8'),
  ) as { settings: object; mappings: { properties: Record<string, object> } };
  const { attrs: _terms, ...properties } = mappings.properties;
  return { settings, mappings: { dynamic: false, properties: { ...properties, attributes: { type: 'flat_object' } } } };
}

const old = log('old', T0, { 'service.name': 'cart', 'k8s.deployment.name': 'Cart-Deploy' });
const sameDay = log('same-day', T0 + 1000, { 'service.name': 'cart' });
const nextDay = log('next-day', T0 + DAY, { 'service.name': 'cart', 'k8s.deployment.name': 'cart-deploy' });
const other = log('other', T0 + DAY + 1, { 'service.name': 'db' });

describe('log attributes across the former and the current index layout (OpenSearch)', () => {
  const store = new OpenSearchRecordStore({
    url: OPENSEARCH_URL,
    indexPrefix: prefix,
    requestTimeoutMs: 30_000,
    shards: 1,
    replicas: 0,
  });
  beforeAll(async () => {
    const index = indexName(prefix, 'logs', old);
    await client.indices.create({ index, body: formerIndex() });
    await client.index({ index, id: old.id, body: old, refresh: true });
    await store.init();
    await store.write('logs', [sameDay, nextDay, other]);
    await store.refresh('logs');
  });
  afterAll(async () => {
    await client.indices.delete({ index: kindPattern(prefix, 'logs') }).catch(() => undefined);
    await store.close();
  });

  const ids = async (filters: Record<string, string[]>, q?: string) =>
    (
      await store.search('logs', { filters, ...(q ? { q: parseSearch(q) } : {}), size: 10, sort: 'asc' } as never)
    ).items.map((d) => d.id);

  it('keeps the former index and its flat_object, and gives it the terms field', async () => {
    const res = await client.indices.getMapping({ index: indexName(prefix, 'logs', old) });
    const props = (Object.values(res.body)[0] as { mappings: { properties: Record<string, { type?: string }> } })
      .mappings.properties;
    expect(props.attributes?.type).toBe('flat_object');
    expect(props.attrs?.type).toBe('keyword');
  });

  it('answers attr filters on records of both layouts alike', async () => {
    expect(await ids({ 'attr.service.name': ['cart'] })).toEqual(['old', 'same-day', 'next-day']);
    expect(await ids({ 'attr.service.name': ['db', 'cart'], namespace: ['shop'] })).toEqual([
      'old',
      'same-day',
      'next-day',
      'other',
    ]);
    expect(await ids({ 'attr.k8s.deployment.name': ['cart-deploy'] })).toEqual(['next-day']);
    expect(await ids({}, 'attr.k8s.deployment.name:CART-DEPLOY')).toEqual(['old', 'next-day']);
    expect(await ids({}, 'NOT attr.service.name:cart')).toEqual(['other']);
  });

  it('never hands readers the terms, in search or export', async () => {
    const page = await store.search('logs', { filters: {}, size: 10, sort: 'asc' } as never);
    const exported = [];
    for await (const d of store.exportAll('logs', { filters: {}, sort: 'asc' })) exported.push(d);
    for (const d of [...page.items, ...exported]) expect(Object.keys(d)).not.toContain('attrs');
    expect(page.items.find((d) => d.id === 'next-day')).toEqual(nextDay);
  });
});
