import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenAuthenticator } from '../../../libs/auth/token-authenticator.ts';
import { buildApp } from '../../../libs/http/app.ts';
import { createLogger } from '../../../libs/logging/logger.ts';
import { createMetricsRegistry } from '../../../libs/metrics/metrics.ts';
import type { AuditDoc, LogDoc } from '../../../libs/schemas/records.ts';
import { MemoryRecordStore } from '../../../libs/store/memory/memory-record.store.ts';
import type { RecordStore } from '../../../libs/store/record-store.ts';
import { recordsRoutes } from './records.routes.ts';
import { RecordsService } from './records.service.ts';

const NOW = Date.UTC(2024, 2, 2);
const limits = { maxRangeDays: 7, maxPageSize: 50, defaultPageSize: 10, timeoutMs: 2_000 };
const tokens = new TokenAuthenticator([
  { name: 'admin', token: 'admin-token-0123456789', role: 'admin' },
  { name: 'team', token: 'team-token-0123456789', role: 'viewer', scope: { clusters: ['east'], namespaces: ['*'] } },
  { name: 'shipper', token: 'ingest-token-0123456789', role: 'ingest' },
]);
const admin = { authorization: 'Bearer admin-token-0123456789' };
const team = { authorization: 'Bearer team-token-0123456789' };

function logs(): LogDoc[] {
  return Array.from({ length: 30 }, (_, i) => ({
    id: `l${String(i).padStart(2, '0')}`,
    kind: 'logs' as const,
    cluster: i % 2 ? 'east' : 'west',
    namespace: i % 3 ? 'default' : 'kube-system',
    time: NOW - 3_600_000 + i * 60_000,
    ingestedAt: NOW,
    message: i % 5 ? `GET /health ok ${i}` : `ERROR connection refused, "db", ${i}`,
    pod: `api-${i % 4}`,
    ...(i % 3 === 0
      ? {
          severity: 'ERROR',
          traceId: `t${i % 2}`,
          attributes: { 'k8s.deployment.name': i % 2 ? 'api' : 'web', 'service.name': 'shop' },
        }
      : {}),
  }));
}
const audit: AuditDoc = {
  id: 'a1',
  kind: 'audit',
  cluster: 'east',
  time: NOW - 1000,
  ingestedAt: NOW,
  auditID: 'a1',
  stage: 'ResponseComplete',
  verb: 'get',
  user: 'alice',
  groups: ['dev', 'ops'],
  code: 200,
  requestURI: '/api/v1/pods',
};

async function appWith(store: RecordStore, timeoutMs = limits.timeoutMs): Promise<FastifyInstance> {
  const service = new RecordsService({ store: async () => store, limits: { ...limits, timeoutMs }, now: () => NOW });
  return buildApp({
    logger: createLogger('silent'),
    metrics: createMetricsRegistry(),
    authenticator: tokens,
    features: [{ name: 'records', routes: recordsRoutes(service) }],
  });
}

describe('records routes', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    const store = new MemoryRecordStore();
    await store.write('logs', logs());
    await store.write('audit', [audit]);
    app = await appWith(store);
  });
  afterAll(() => app.close());
  const get = (url: string, headers: Record<string, string> = admin) => app.inject({ url, headers });

  it('filters logs by severity, traceId and attr.<key>, and refuses other unknown parameters', async () => {
    expect((await get('/v1/logs?attr.k8s.deployment.name=api&size=50')).json().total).toBe(5);
    expect(
      (await get('/v1/logs?attr.k8s.deployment.name=api,web&severity=ERROR&traceId=t1&size=50')).json().total,
    ).toBe(5);
    expect((await get('/v1/logs/stats?by=pod&attr.service.name=shop')).json().total).toBe(10);
    expect((await get('/v1/logs?q=attr.service.name:SHOP%20AND%20severity:error')).json().total).toBe(10);
    const unknown = await get('/v1/logs?labels.app=x');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.message).toMatch(/unknown parameter "labels.app"/);
    expect((await get('/v1/audit?attr.x=y')).statusCode).toBe(400);
  });

  it('needs a token, and a reader role', async () => {
    expect((await get('/v1/logs', {})).statusCode).toBe(401);
    expect((await get('/v1/logs', { authorization: 'Bearer ingest-token-0123456789' })).statusCode).toBe(403);
  });

  it('searches with filters, q and sort, newest first by default over the last 24 h', async () => {
    const res = await get('/v1/logs?cluster=east,west&namespace=default&q=ERROR%20OR%20pod:API-1&size=5');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.total).toBe(
      logs().filter((d) => d.namespace === 'default' && (d.message.startsWith('ERROR') || d.pod === 'api-1')).length,
    );
    expect(body.items.map((d: LogDoc) => d.time)).toEqual(
      [...body.items.map((d: LogDoc) => d.time)].sort((a, b) => b - a),
    );
    expect((await get('/v1/logs?sort=asc&size=1')).json().items[0].id).toBe('l00');
  });

  it('pages with the cursor, each record once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const body: { items: LogDoc[]; cursor: string | null } = (
        await get(`/v1/logs?size=7${cursor ? `&cursor=${cursor}` : ''}`)
      ).json();
      seen.push(...body.items.map((d) => d.id));
      cursor = body.cursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(30);
    expect(seen).toHaveLength(30);
  });

  it('takes start and end as RFC 3339 or epoch seconds', async () => {
    const a = (
      await get(`/v1/logs?start=${new Date(NOW - 3_600_000).toISOString()}&end=${(NOW - 3_000_000) / 1000}`)
    ).json();
    const b = (await get(`/v1/logs?start=${(NOW - 3_600_000) / 1000}&end=2024-03-01T23:10:00%2B00:00`)).json();
    const c = (await get(`/v1/logs?start=2024-03-01t23:00:00z&end=2024-03-01 23:10:00Z`)).json();
    expect(a.total).toBe(10);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });

  it('counts per epoch-aligned bucket, filling empty ones', async () => {
    const body = (
      await get(`/v1/logs/histogram?interval=15m&start=${(NOW - 7_200_000) / 1000}&end=${NOW / 1000}`)
    ).json();
    expect(body.total).toBe(30);
    expect(body.buckets).toHaveLength(8);
    expect(body.buckets.slice(0, 4).every((b: { count: number }) => b.count === 0)).toBe(true);
    expect(body.buckets[4]).toEqual({ time: NOW - 3_600_000, count: 15 });
  });

  it('gives terms counts and distinct counts, also over list fields', async () => {
    const body = (await get('/v1/logs/stats?by=pod&size=2')).json();
    expect(body).toEqual({
      total: 30,
      distinct: 4,
      groups: [
        { key: 'api-0', count: 8 },
        { key: 'api-1', count: 8 },
      ],
      missing: 0,
      start: NOW - 86_400_000,
      end: NOW,
    });
    expect((await get('/v1/audit/stats?by=group')).json().groups).toEqual([
      { key: 'dev', count: 1 },
      { key: 'ops', count: 1 },
    ]);
  });

  it('counts the records without the field as missing, so groups plus missing make the total', async () => {
    for (const [url, missing] of [
      ['/v1/audit/stats?by=namespace', 1],
      ['/v1/audit/stats?by=impersonatedUser', 1],
      ['/v1/audit/stats?by=decision', 1],
      ['/v1/audit/stats?by=user', 0],
      ['/v1/audit/stats?by=impersonatedGroup', 1],
    ] as const) {
      const body = (await get(url)).json();
      expect(body.missing, url).toBe(missing);
      expect(body.groups.reduce((s: number, g: { count: number }) => s + g.count, 0) + body.missing, url).toBe(
        body.total,
      );
    }
    const logs = (await get('/v1/logs/stats?by=node')).json();
    expect(logs).toMatchObject({ total: 30, groups: [], missing: 30 });
  });

  it('says which range every answer covered, also when start and end were left out', async () => {
    const day = { start: NOW - 86_400_000, end: NOW };
    expect((await get('/v1/logs?size=1')).json()).toMatchObject(day);
    expect((await get('/v1/logs/histogram?interval=1h')).json()).toMatchObject(day);
    expect((await get(`/v1/logs/stats?by=pod&start=${(NOW - 3_600_000) / 1000}`)).json()).toMatchObject({
      start: NOW - 3_600_000,
      end: NOW,
    });
    const explicit = (await get('/v1/audit?start=2024-03-01T00:00:00Z&end=2024-03-01T12:00:00.500Z')).json();
    expect(explicit).toMatchObject({ total: 0, start: Date.UTC(2024, 2, 1), end: Date.UTC(2024, 2, 1, 12, 0, 0, 500) });
    for (const format of ['ndjson', 'csv']) {
      const exported = await get(`/v1/audit/export?format=${format}`);
      expect(exported.headers).toMatchObject({
        'pharos-range-start': String(day.start),
        'pharos-range-end': String(day.end),
      });
    }
  });

  it('exports NDJSON and CSV with the same filters', async () => {
    const nd = await get('/v1/logs/export?cluster=east&q=refused');
    expect(nd.statusCode).toBe(200);
    expect(nd.headers['content-type']).toContain('application/x-ndjson');
    const lines = nd.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as LogDoc);
    expect(lines.map((d) => d.id)).toEqual(['l25', 'l15', 'l05']);
    const csv = await get('/v1/logs/export?format=csv&cluster=east&q=refused&sort=asc');
    expect(csv.headers['content-type']).toContain('text/csv');
    const rows = csv.body.trim().split('\r\n');
    expect(rows[0]).toBe('time,cluster,namespace,pod,container,node,stream,message,id');
    expect(rows[1]).toBe(
      `${new Date(NOW - 3_600_000 + 5 * 60_000).toISOString()},east,default,api-1,,,,"ERROR connection refused, ""db"", 5",l05`,
    );
    expect(rows).toHaveLength(4);
    const audit = (await get('/v1/audit/export?format=csv')).body.trim().split('\r\n');
    expect(audit[0]).toBe(
      'time,cluster,namespace,verb,user,groups,sourceIP,resource,subresource,name,code,stage,level,requestURI,userAgent,auditID,id,' +
        'impersonatedUser,impersonatedGroups,decision,authzReason,responseReason,responseMessage,objectUid',
    );
  });

  it('narrows to the token scope, refuses explicit out-of-scope filters, and q cannot widen it', async () => {
    const own = (await get('/v1/logs?size=50', team)).json();
    expect(own.total).toBe(15);
    expect(own.items.every((d: LogDoc) => d.cluster === 'east')).toBe(true);
    const refused = await get('/v1/logs?cluster=west', team);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('PHAROS_ERR_FORBIDDEN');
    expect((await get('/v1/logs?q=cluster:west', team)).json().total).toBe(0);
    expect((await get('/v1/logs/stats?by=cluster', team)).json().groups).toEqual([{ key: 'east', count: 15 }]);
    expect(
      (await get('/v1/logs/export?q=cluster:west%20OR%20ok', team)).body
        .trim()
        .split('\n')
        .every((l) => JSON.parse(l).cluster === 'east'),
    ).toBe(true);
  });

  it.each([
    ['/v1/logs?size=51', 'PHAROS_ERR_LIMIT', /maxPageSize/],
    ['/v1/logs?start=2024-01-01T00:00:00Z', 'PHAROS_ERR_LIMIT', /maxRangeDays/],
    ['/v1/logs?start=yesterday', 'PHAROS_ERR_VALIDATION', /RFC 3339/],
    ['/v1/logs?start=1709337600&end=1709337600', 'PHAROS_ERR_VALIDATION', /before end/],
    ['/v1/logs?size=0', 'PHAROS_ERR_VALIDATION', /size/],
    ['/v1/logs?size=ten', 'PHAROS_ERR_VALIDATION', /size/],
    ['/v1/logs?sort=up', 'PHAROS_ERR_VALIDATION', /sort/],
    ['/v1/logs?q=(error', 'PHAROS_ERR_VALIDATION', /position 7/],
    ['/v1/logs?q=verb:get', 'PHAROS_ERR_VALIDATION', /unknown field "verb"/],
    ['/v1/logs?q=%22--%22', 'PHAROS_ERR_VALIDATION', /no letters or digits/],
    ['/v1/logs?cluster=', 'PHAROS_ERR_VALIDATION', /at least one value/],
    ['/v1/logs?verb=get', 'PHAROS_ERR_VALIDATION', /verb/],
    ['/v1/logs?cursor=abc', 'PHAROS_ERR_VALIDATION', /cursor/],
    ['/v1/logs/stats?by=message', 'PHAROS_ERR_VALIDATION', /by/],
    ['/v1/logs/stats', 'PHAROS_ERR_VALIDATION', /by/],
    ['/v1/logs/histogram?interval=1w', 'PHAROS_ERR_VALIDATION', /interval/],
    ['/v1/logs/histogram?interval=0s', 'PHAROS_ERR_VALIDATION', /positive/],
    ['/v1/logs/histogram?interval=1s', 'PHAROS_ERR_LIMIT', /buckets/],
    ['/v1/logs/export?format=xml', 'PHAROS_ERR_VALIDATION', /format/],
    ['/v1/logs/export?q=AND', 'PHAROS_ERR_VALIDATION', /position 1/],
  ])('answers 400 with a code and message: %s', async (url, code, message) => {
    const res = await get(url);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe(code);
    expect(res.json().error.message).toMatch(message);
  });

  it('refuses a cursor replayed with other filters', async () => {
    const cursor = (await get('/v1/logs?size=2&cluster=east')).json().cursor;
    const res = await get(`/v1/logs?size=2&cluster=west&cursor=${cursor}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/other filters/);
  });
});

describe('records query timeout', () => {
  it('stops a query over query.timeoutMs with a 400 limit error', async () => {
    const stuck = new MemoryRecordStore();
    stuck.search = (_kind, _req, signal) =>
      new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason), { once: true }));
    const app = await appWith(stuck, 20);
    const res = await app.inject({ url: '/v1/events', headers: admin });
    await app.close();
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'PHAROS_ERR_LIMIT',
      message: expect.stringMatching(/query.timeoutMs/),
    });
  });
});
