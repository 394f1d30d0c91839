import { readFileSync } from 'node:fs';
import { Client } from '@opensearch-project/opensearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogDoc } from '../../../libs/schemas/records.ts';
import { parseSearch } from '../../../libs/search/search-parser.ts';
import { indexName, kindPattern } from '../../../libs/store/opensearch/index-names.ts';
import { OpenSearchRecordStore } from '../../../libs/store/opensearch/opensearch-record.store.ts';
import type { RecordQuery } from '../../../libs/store/record-store.ts';
import { OPENSEARCH_URL } from './record-engines.ts';

/**
 * The records' `id` stopped being indexed for search (it is only sorted on; index-templates.ts), a parameter an
 * existing field cannot change. A daily index made by the version before keeps its mapping:
 * start-up must still give it the fields it lacks (here traceId and spanId, as if they had come later: an all-or-nothing put of every field would be refused), and
 * every query must answer for its records exactly as for the same records in an index of the new mapping.
 */
const prefix = `pharos-it-upgrade-${Date.now().toString(36)}`;
const client = new Client({ node: OPENSEARCH_URL });
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 2, 10, 12);
const former = JSON.parse(readFileSync(new URL('./logs-mapping-before-doc-cost.json', import.meta.url), 'utf8')) as {
  settings: object;
  mappings: { dynamic: boolean; properties: Record<string, object> };
};

type Props = Record<string, { type?: string; doc_values?: boolean; index?: boolean }>;

/** Day `d`'s records: the same six on each day, so every answer holds each record once per day. */
function day(d: number): LogDoc[] {
  const base = T0 + d * DAY;
  const log = (n: number, fields: Partial<LogDoc>): LogDoc => ({
    id: `d${d}-${n}`,
    kind: 'logs',
    cluster: 'east',
    time: base + Math.floor(n / 2) * 1000,
    ingestedAt: base,
    message: `request ${n} served`,
    namespace: n % 2 ? 'shop' : 'db',
    pod: `api-${n}`,
    stream: 'stdout',
    ...fields,
  });
  return [
    log(0, {
      severity: 'ERROR',
      severityNumber: 17,
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
    }),
    log(1, { severity: 'Info', severityNumber: 9, attributes: { 'service.name': 'cart' } }),
    log(2, { severity: 'info', traceId: 'ABCDEF0123', attributes: { 'service.name': 'Cart', 'k8s.node.name': 'n1' } }),
    log(3, { severity: 'WARN', spanId: 'B7AD6B7169203331' }),
    log(4, { message: 'timeout talking to db-0' }),
    log(5, { severity: 'error', attributes: { 'service.name': 'db' } }),
  ];
}

const mappingOf = async (index: string): Promise<Props> => {
  const res = await client.indices.getMapping({ index });
  return (Object.values(res.body)[0] as { mappings: { properties: Props } }).mappings.properties;
};

describe('a logs index of the mapping before the doc-cost change, beside one of the current mapping (OpenSearch)', () => {
  const store = new OpenSearchRecordStore({
    url: OPENSEARCH_URL,
    indexPrefix: prefix,
    requestTimeoutMs: 30_000,
    shards: 1,
    replicas: 0,
  });
  const old = day(0);
  const current = day(1);
  const oldIndex = indexName(prefix, 'logs', old[0]!);
  const newIndex = indexName(prefix, 'logs', current[0]!);

  beforeAll(async () => {
    const { traceId: _t, spanId: _s, ...properties } = former.mappings.properties;
    await client.indices.create({
      index: oldIndex,
      body: { settings: former.settings, mappings: { ...former.mappings, properties } },
    });
    await store.init();
    await store.write('logs', [...old, ...current]);
    await store.refresh('logs');
  });
  afterAll(async () => {
    await client.indices.delete({ index: kindPattern(prefix, 'logs') }).catch(() => undefined);
    await store.close();
  });

  it('keeps the former index’s fields as they were and adds the ones it lacked; new indices get the new mapping', async () => {
    const before = await mappingOf(oldIndex);
    expect(before.severity).toEqual(former.mappings.properties.severity);
    expect(before.id).toEqual({ type: 'keyword' });
    expect(before.traceId).toEqual(former.mappings.properties.traceId);
    expect(before.spanId).toEqual(former.mappings.properties.spanId);
    const after = await mappingOf(newIndex);
    expect(after.id).toEqual({ type: 'keyword', index: false });
  });

  /** The ids a query finds, each day's as `<n>`: both days must give the same. */
  async function both(query: Partial<RecordQuery> & { q?: string }): Promise<string[][]> {
    const { q, ...rest } = query;
    const page = await store.search('logs', {
      filters: {},
      ...rest,
      ...(q ? { q: parseSearch(q) } : {}),
      size: 50,
      sort: 'asc',
    } as never);
    return [0, 1].map((d) => page.items.filter((r) => r.id.startsWith(`d${d}-`)).map((r) => r.id.slice(3)));
  }

  it.each([
    ['severity filter (exact)', { filters: { severity: ['ERROR'] } }, ['0']],
    ['severity in q (case-insensitive)', { q: 'severity:ERROR' }, ['0', '5']],
    ['traceId filter (exact)', { filters: { traceId: ['ABCDEF0123'] } }, ['2']],
    ['traceId in q', { q: 'traceId:abcdef0123 OR traceId:0AF7651916CD43DD8448EB211C80319C' }, ['0', '2']],
    ['spanId in q', { q: 'spanId:b7ad6b7169203331' }, ['0', '3']],
    ['attribute filter', { filters: { 'attr.service.name': ['cart'] } }, ['1']],
    ['attribute in q', { q: 'attr.service.name:CART' }, ['1', '2']],
    ['namespace and text', { filters: { namespace: ['db'] }, q: 'timeout' }, ['4']],
    ['pod in q', { q: 'pod:API-3 OR pod:api-5' }, ['3', '5']],
    ['not', { q: 'NOT severity:info AND NOT severity:warn' }, ['0', '4', '5']],
  ])('answers %s alike on both', async (_name, query, expected) => {
    const [former0, current1] = await both(query as never);
    expect(former0).toEqual(expected);
    expect(current1).toEqual(expected);
  });

  it('sorts, pages, counts, groups and histograms both alike', async () => {
    const asc = await store.search('logs', { filters: {}, size: 5, sort: 'asc' });
    const rest = await store.search('logs', { filters: {}, size: 20, sort: 'asc', cursor: asc.cursor! });
    expect([...asc.items, ...rest.items].map((r) => r.id)).toEqual([...old, ...current].map((r) => r.id));
    expect(await store.count('logs', { filters: { namespace: ['shop'] } })).toBe(6);
    const stats = await store.stats('logs', { filters: {}, by: 'namespace', limit: 5 });
    expect(stats.groups).toEqual([
      { key: 'db', count: 6 },
      { key: 'shop', count: 6 },
    ]);
    const histogram = await store.histogram('logs', { filters: {}, intervalMs: DAY });
    expect(histogram.buckets.map((b) => b.count)).toEqual([6, 6]);
    const exported: LogDoc[] = [];
    for await (const d of store.exportAll('logs', { filters: {}, sort: 'desc' })) exported.push(d as LogDoc);
    expect(exported).toEqual([...old, ...current].reverse());
  });
});
