import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenAuthenticator } from '../../../libs/auth/token-authenticator.ts';
import { buildApp } from '../../../libs/http/app.ts';
import { createLogger } from '../../../libs/logging/logger.ts';
import { createMetricsRegistry } from '../../../libs/metrics/metrics.ts';
import { Client } from '@opensearch-project/opensearch';
import { RECORD_KINDS, type LogDoc } from '../../../libs/schemas/records.ts';
import { decodeCursor } from '../../../libs/store/cursor.ts';
import type { RecordStore } from '../../../libs/store/record-store.ts';
import { recordsRoutes } from '../../../services/query/records/records.routes.ts';
import { RecordsService } from '../../../services/query/records/records.service.ts';
import { ENGINES, OPENSEARCH_URL } from './record-engines.ts';
import { allFixtures, LOG_WINDOW_START } from './record-fixtures.ts';

const TOKEN = 'records-api-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
const window = `start=${LOG_WINDOW_START / 1000}&end=${LOG_WINDOW_START / 1000 + 5 * 86_400}`;

// The HTTP API over each real engine: what a client sees, through buildApp and the auth hook.
describe.each(ENGINES)('records API on $name', (engine) => {
  let store: RecordStore;
  let app: FastifyInstance;
  const data = allFixtures();

  beforeAll(async () => {
    store = await engine.create();
    for (const kind of RECORD_KINDS) await store.write(kind, data[kind]);
    await store.refresh();
    const service = new RecordsService({
      store: async () => store,
      limits: { maxRangeDays: 50_000, maxPageSize: 1000, defaultPageSize: 100, timeoutMs: 30_000 },
    });
    const authenticator = new TokenAuthenticator([{ name: 'reader', token: TOKEN, role: 'viewer' }]);
    app = await buildApp({
      logger: createLogger('silent'),
      metrics: createMetricsRegistry(),
      authenticator,
      features: [{ name: 'records', routes: recordsRoutes(service) }],
    });
  });
  afterAll(async () => {
    await app?.close();
    if (store) await engine.destroy(store);
  });

  it('streams an export across store pages, honouring the filters, in NDJSON and CSV', async () => {
    const nd = await app.inject({ url: `/v1/logs/export?${window}&sort=asc`, headers: auth });
    expect(nd.statusCode).toBe(200);
    const ids = nd.body
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as LogDoc).id);
    expect(ids).toHaveLength(data.logs.length);
    expect(new Set(ids).size).toBe(data.logs.length);
    const csv = await app.inject({ url: `/v1/logs/export?${window}&format=csv&cluster=east&q=refused`, headers: auth });
    const expected = data.logs.filter((d) => d.cluster === 'east' && /refused/i.test((d as LogDoc).message)).length;
    expect(csv.body.trim().split('\r\n')).toHaveLength(expected + 1);
  });

  it('pages with the cursor over HTTP and agrees with the total', async () => {
    const seen = new Set<string>();
    let cursor: string | null = null;
    let total = 0;
    do {
      const res = await app.inject({
        url: `/v1/audit?start=0&end=4102444800&size=25${cursor ? `&cursor=${cursor}` : ''}`,
        headers: auth,
      });
      expect(res.statusCode).toBe(200);
      const body: { total: number; items: { id: string }[]; cursor: string | null } = res.json();
      total = body.total;
      for (const d of body.items) seen.add(d.id);
      cursor = body.cursor;
    } while (cursor);
    expect(seen.size).toBe(total);
    expect(total).toBe(data.audit.length);
  });

  it('answers histogram and stats in the contract shape', async () => {
    const h = (
      await app.inject({
        url: `/v1/events/histogram?start=2021-08-01T00:00:00Z&end=2022-12-01T00:00:00Z&interval=1d&type=Warning`,
        headers: auth,
      })
    ).json();
    expect(h.total).toBe(304);
    expect(h.buckets.reduce((s: number, b: { count: number }) => s + b.count, 0)).toBe(304);
    const s = (
      await app.inject({ url: `/v1/audit/stats?start=0&end=4102444800&by=verb&size=3`, headers: auth })
    ).json();
    expect(s.groups[0]).toEqual({ key: 'get', count: 54 });
    expect(s.groups).toHaveLength(3);
  });

  it('refuses bad input with 400 and a code, and no token with 401', async () => {
    expect((await app.inject({ url: '/v1/logs' })).statusCode).toBe(401);
    for (const url of [
      '/v1/logs?q=(oops',
      '/v1/logs?size=5000',
      '/v1/logs?cursor=zzz',
      '/v1/audit/stats?by=message',
      '/v1/events?start=0&end=4102444800&q=nosuch:x',
    ]) {
      const res = await app.inject({ url, headers: auth });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.code).toMatch(/^PHAROS_ERR_(VALIDATION|LIMIT)$/);
    }
  });

  // Only OpenSearch cursors carry a point in time.
  if (engine.name === 'opensearch')
    it('answers 400 when the cursor point in time is gone', async () => {
      const url = `/v1/logs?${window}&size=10`;
      const first = (await app.inject({ url, headers: auth })).json();
      const second = (await app.inject({ url: `${url}&cursor=${first.cursor}`, headers: auth })).json();
      const packed = JSON.parse(Buffer.from(second.cursor, 'base64url').toString('utf8')) as unknown[];
      // The cursor packs [time, id, cluster, fingerprint, pit] (libs/store/cursor.ts).
      const state = decodeCursor(second.cursor, packed[3] as string);
      expect(state.pit).toBeTypeOf('string');
      const client = new Client({ node: OPENSEARCH_URL });
      await client.deletePit({ body: { pit_id: [state.pit as string] } });
      await client.close();
      const gone = await app.inject({ url: `${url}&cursor=${second.cursor}`, headers: auth });
      expect(gone.statusCode).toBe(400);
      expect(gone.json().error.message).toMatch(/point in time expired/);
    });
});
