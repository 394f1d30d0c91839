import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogDoc } from '../../../libs/schemas/records.ts';
import { intakeApp, type IntakeApp } from './intake-app.fixture.ts';

const ndjson = (...lines: unknown[]) =>
  `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`;
// Fluent Bit's es output after its kubernetes filter, Filebeat's ECS fields, Vector's kubernetes_logs source.
const fluentBit = {
  '@timestamp': '2024-05-01T10:00:00.123Z',
  log: 'payment refused',
  stream: 'stderr',
  kubernetes: {
    namespace_name: 'shop',
    pod_name: 'cart-7d9f',
    container_name: 'cart',
    host: 'node-1',
    labels: { app: 'cart' },
    pod_id: 'p-1',
  },
  cluster: 'east',
};
const filebeat = {
  '@timestamp': '2024-05-01T10:00:01.000Z',
  message: 'GET /healthz 200',
  stream: 'stdout',
  'log.level': 'info',
  kubernetes: {
    namespace: 'shop',
    pod: { name: 'web-1', uid: 'u' },
    container: { name: 'web' },
    node: { name: 'node-2' },
    labels: { app: 'web' },
  },
  host: { name: 'node-2' },
};
const vector = {
  timestamp: '2024-05-01T10:00:02Z',
  message: 'queue drained',
  kubernetes: {
    pod_namespace: 'jobs',
    pod_name: 'worker-0',
    container_name: 'worker',
    pod_node_name: 'node-3',
    pod_labels: { app: 'worker' },
  },
  trace_id: 'ABCDEF0123456789ABCDEF0123456789',
};

describe('Elasticsearch bulk intake', () => {
  let t: IntakeApp;
  beforeAll(async () => void (t = await intakeApp()));
  afterAll(() => t.app.close());
  const bulk = (payload: string | Buffer, url = '/elasticsearch/_bulk', headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url,
      payload,
      headers: { authorization: 'Bearer ingest', 'content-type': 'application/x-ndjson', ...headers },
    });

  it("stores index and create actions, _type tolerated, and maps each agent's Kubernetes fields", async () => {
    const res = await bulk(
      ndjson(
        { index: { _index: 'logs-k8s', _type: '_doc' } },
        fluentBit,
        { create: { _index: 'filebeat-8', _id: 'fb-1' } },
        filebeat,
        { index: {} },
        vector,
      ),
      '/elasticsearch/vector-logs/_bulk',
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-elastic-product']).toBe('Elasticsearch');
    const answer = res.json();
    expect(answer).toMatchObject({
      errors: false,
      items: [
        { index: { _index: 'logs-k8s', status: 201 } },
        { create: { _index: 'filebeat-8', _id: 'fb-1', status: 201 } },
        { index: { _index: 'vector-logs', status: 201 } },
      ],
    });
    // Published packed per container and cluster, so not in request order.
    const byMessage = (docs: LogDoc[], order: string[]) => order.map((m) => docs.find((d) => d.message === m)!);
    const logs = byMessage((await t.published('logs')) as LogDoc[], [
      'payment refused',
      'GET /healthz 200',
      'queue drained',
    ]);
    expect((await t.published('logs')).length).toBe(3);
    expect(logs[0]).toMatchObject({
      cluster: 'east',
      namespace: 'shop',
      pod: 'cart-7d9f',
      container: 'cart',
      node: 'node-1',
      stream: 'stderr',
      message: 'payment refused',
      time: Date.parse(fluentBit['@timestamp']),
      labels: { app: 'cart' },
      attributes: { 'es.index': 'logs-k8s', 'kubernetes.pod_id': 'p-1' },
    });
    expect(logs[1]).toMatchObject({
      cluster: 'local',
      namespace: 'shop',
      pod: 'web-1',
      container: 'web',
      node: 'node-2',
      stream: 'stdout',
      severity: 'info',
      message: 'GET /healthz 200',
      labels: { app: 'web' },
      attributes: { 'host.name': 'node-2', 'kubernetes.pod.uid': 'u' },
    });
    expect(logs[2]).toMatchObject({
      namespace: 'jobs',
      pod: 'worker-0',
      container: 'worker',
      node: 'node-3',
      message: 'queue drained',
      traceId: 'abcdef0123456789abcdef0123456789',
      labels: { app: 'worker' },
      attributes: { 'es.index': 'vector-logs' },
    });
    expect(logs[0]!.attributes).not.toHaveProperty('kubernetes.namespace_name');
    // _id is the identity: the same _id again overwrites; without one, the same content does.
    await bulk(
      ndjson(
        { create: { _index: 'filebeat-8', _id: 'fb-1' } },
        { ...filebeat, message: 'changed' },
        { index: {} },
        vector,
      ),
      '/elasticsearch/vector-logs/_bulk',
    );
    const again = ((await t.published('logs')) as LogDoc[]).slice(3);
    expect(again.find((d) => d.message === 'changed')!.id).toBe(logs[1]!.id);
    expect(again.find((d) => d.message === 'queue drained')!.id).toBe(logs[2]!.id);
  });

  it('stores the good items of a bulk with a bad one and reports the bad one in its item', async () => {
    const before = (await t.published('logs')).length;
    const res = await bulk(
      gzipSync(
        ndjson(
          { index: { _index: 'a' } },
          { ...fluentBit, log: 'first' },
          { index: { _index: 'a' } },
          '{"log": "broken',
          { index: { _index: 'a' } },
          { '@timestamp': '2024-05-01T10:00:00Z' },
          { delete: { _index: 'a', _id: 'x' } },
          { index: { _index: 'a' } },
          { ...fluentBit, log: 'last' },
        ),
      ),
      '/elasticsearch/_bulk',
      { 'content-encoding': 'gzip' },
    );
    expect(res.statusCode).toBe(200);
    const { errors, items } = res.json();
    expect(errors).toBe(true);
    expect(items.map((i: Record<string, { status: number }>) => Object.values(i)[0]!.status)).toEqual([
      201, 400, 400, 400, 201,
    ]);
    expect(items[1].index.error).toEqual({
      type: 'document_parsing_exception',
      reason: expect.stringContaining('failed to parse'),
    });
    expect(items[2].index.error.reason).toMatch(/no message/);
    expect(items[3].delete.error.type).toBe('action_request_validation_exception');
    expect(
      ((await t.published('logs')) as LogDoc[])
        .slice(before)
        .map((d) => d.message)
        .sort(),
    ).toEqual(['first', 'last']);
  });

  it("refuses unreadable requests whole in Elasticsearch's error shape", async () => {
    const before = (await t.published('logs')).length;
    const broken = await bulk('not json\n{}\n');
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).toMatchObject({
      status: 400,
      error: {
        type: 'illegal_argument_exception',
        reason: expect.stringContaining('Malformed action/metadata line'),
        code: 'PHAROS_ERR_VALIDATION',
      },
    });
    expect(
      (await bulk(ndjson({ index: {} }, fluentBit), '/elasticsearch/_bulk', { 'content-type': 'text/html' }))
        .statusCode,
    ).toBe(415);
    expect(
      (await bulk(ndjson({ index: {} }, fluentBit), '/elasticsearch/_bulk', { 'content-encoding': 'gzip' })).statusCode,
    ).toBe(400);
    expect((await bulk(ndjson({ index: {} }))).statusCode).toBe(400);
    const anonymous = await t.app.inject({
      method: 'POST',
      url: '/elasticsearch/_bulk',
      payload: ndjson({ index: {} }, fluentBit),
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['www-authenticate']).toMatch(/Basic/);
    expect(anonymous.json().error.type).toBe('security_exception');
    expect((await t.published('logs')).length).toBe(before);
  });

  it('answers the probes clients make before sending', async () => {
    const get = (url: string, method: 'GET' | 'HEAD' | 'PUT' = 'GET') =>
      t.app.inject({
        method,
        url,
        headers: { authorization: `Basic ${Buffer.from('elastic:ingest').toString('base64')}` },
        ...(method === 'PUT' ? { payload: { index_patterns: ['x'] } } : {}),
      });
    const root = await get('/elasticsearch/');
    expect(root.statusCode).toBe(200);
    expect(root.headers['x-elastic-product']).toBe('Elasticsearch');
    expect(root.json()).toMatchObject({ version: { number: '8.19.0' }, tagline: 'You Know, for Search' });
    expect((await get('/elasticsearch', 'HEAD')).statusCode).toBe(200);
    expect((await get('/elasticsearch/_license')).json().license.status).toBe('active');
    expect((await get('/elasticsearch/_index_template/filebeat-8', 'HEAD')).statusCode).toBe(200);
    expect((await get('/elasticsearch/_index_template/filebeat-8', 'PUT')).json()).toEqual({ acknowledged: true });
  });
});
