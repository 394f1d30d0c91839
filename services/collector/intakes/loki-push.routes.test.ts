import { compress } from 'snappyjs';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PushRequest } from '../../../libs/loki/loki-push.proto.ts';
import type { LogDoc } from '../../../libs/schemas/records.ts';
import { intakeApp, type IntakeApp } from './intake-app.fixture.ts';

const NS = '1714557600123456789';
const jsonPush = {
  streams: [
    {
      stream: {
        cluster: 'east',
        namespace: 'shop',
        pod: 'cart-7d9f',
        container: 'cart',
        node_name: 'node-1',
        stream: 'stderr',
        level: 'error',
        app: 'cart',
        job: 'shop/cart',
      },
      values: [
        [NS, 'payment refused', { trace_id: '5B8EFFF798038103D269B633813FC60C', user: 'u-1' }],
        ['1714557601000000000', 'retrying'],
      ],
    },
  ],
};

function protobufPush(): Buffer {
  const message = PushRequest.fromObject({
    streams: [
      {
        labels:
          '{k8s_namespace_name="shop", k8s_pod_name="cart-7d9f", k8s_container_name="cart", cluster="west", app="cart \\"v2\\""}',
        entries: [
          {
            timestamp: { seconds: 1714557600, nanos: 123456789 },
            line: 'payment refused',
            structuredMetadata: [{ name: 'span_id', value: 'eee19b7ec3c1b174' }],
          },
        ],
      },
    ],
  });
  return Buffer.from(compress(PushRequest.encode(message).finish()));
}

describe('Loki push intake', () => {
  let t: IntakeApp;
  beforeAll(async () => void (t = await intakeApp()));
  afterAll(() => t.app.close());
  const post = (payload: Buffer | string, headers: Record<string, string>) =>
    t.app.inject({
      method: 'POST',
      url: '/loki/api/v1/push',
      payload,
      headers: { authorization: 'Bearer ingest', ...headers },
    });

  it('takes JSON: mapped labels become fields, the rest and structured metadata attributes', async () => {
    const res = await post(JSON.stringify(jsonPush), { 'content-type': 'application/json' });
    expect(res.statusCode).toBe(204);
    const logs = ((await t.published('logs')) as LogDoc[]).filter((d) => d.cluster === 'east');
    expect(logs).toHaveLength(2);
    expect(logs[0]).toEqual({
      id: expect.any(String),
      kind: 'logs',
      cluster: 'east',
      namespace: 'shop',
      pod: 'cart-7d9f',
      container: 'cart',
      node: 'node-1',
      stream: 'stderr',
      severity: 'error',
      time: 1_714_557_600_123,
      ingestedAt: expect.any(Number),
      message: 'payment refused',
      traceId: '5b8efff798038103d269b633813fc60c',
      attributes: { app: 'cart', job: 'shop/cart', user: 'u-1' },
    });
    // Loki's own de-duplication: the same stream, timestamp and line again is the same entry.
    await post(gzipSync(JSON.stringify(jsonPush)), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    const again = ((await t.published('logs')) as LogDoc[]).filter((d) => d.cluster === 'east');
    expect(new Set(again.map((d) => d.id)).size).toBe(2);
  });

  it('takes snappy-compressed protobuf with Prometheus-syntax labels', async () => {
    const res = await post(protobufPush(), { 'content-type': 'application/x-protobuf' });
    expect(res.statusCode).toBe(204);
    const [doc] = ((await t.published('logs')) as LogDoc[]).filter((d) => d.cluster === 'west');
    expect(doc).toMatchObject({
      namespace: 'shop',
      pod: 'cart-7d9f',
      container: 'cart',
      time: 1_714_557_600_123,
      message: 'payment refused',
      spanId: 'eee19b7ec3c1b174',
      attributes: { app: 'cart "v2"' },
    });
  });

  it('refuses bad bodies whole, and names the entries it could not store while storing the others', async () => {
    const before = (await t.published('logs')).length;
    expect((await post(protobufPush().subarray(0, 20), { 'content-type': 'application/x-protobuf' })).statusCode).toBe(
      400,
    );
    const unsnapped = Buffer.from(
      PushRequest.encode(
        PushRequest.fromObject({ streams: [{ labels: '{a="b"}', entries: [{ line: 'x'.repeat(300) }] }] }),
      ).finish(),
    );
    const notSnappy = await post(unsnapped, { 'content-type': 'application/x-protobuf' });
    expect(notSnappy.statusCode).toBe(400);
    expect(notSnappy.json().error.message).toMatch(/snappy|PushRequest/);
    expect((await post('{"streams": [', { 'content-type': 'application/json' })).json().error.code).toBe(
      'PHAROS_ERR_BAD_JSON',
    );
    expect(
      (
        await post(JSON.stringify({ streams: [{ stream: {}, values: [['soon', 'x']] }] }), {
          'content-type': 'application/json',
        })
      ).statusCode,
    ).toBe(400);
    expect(
      (await post(JSON.stringify(jsonPush), { 'content-type': 'application/x-www-form-urlencoded' })).statusCode,
    ).toBe(415);
    expect(
      (await post(JSON.stringify(jsonPush), { 'content-type': 'application/json', 'content-encoding': 'gzip' })).json()
        .error.message,
    ).toMatch(/not valid gzip/);
    expect((await t.published('logs')).length).toBe(before);
    const mixed = {
      streams: [
        { stream: { cluster: 'bad name!' }, values: [[NS, 'lost']] },
        { stream: { cluster: 'north' }, values: [[NS, 'kept']] },
      ],
    };
    const res = await post(JSON.stringify(mixed), { 'content-type': 'application/json' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'PHAROS_ERR_VALIDATION',
      message: expect.stringContaining('the other 1 entries are stored'),
      details: [{ path: 'entries.0' }],
    });
    expect(
      ((await t.published('logs')) as LogDoc[]).filter((d) => d.cluster === 'north').map((d) => d.message),
    ).toEqual(['kept']);
  });
});

describe('Loki X-Scope-OrgID', () => {
  it('is ignored by default, and names the cluster of streams without one when collector.loki.tenantAsCluster', async () => {
    for (const tenantAsCluster of [false, true]) {
      const t = await intakeApp({ tenantAsCluster });
      const push = { streams: [{ stream: { namespace: 'ops' }, values: [[NS, 'hello']] }] };
      const res = await t.app.inject({
        method: 'POST',
        url: '/loki/api/v1/push',
        payload: JSON.stringify(push),
        headers: { authorization: 'Bearer ingest', 'content-type': 'application/json', 'x-scope-orgid': 'tenant-a' },
      });
      expect(res.statusCode).toBe(204);
      expect(((await t.published('logs')) as LogDoc[])[0]!.cluster).toBe(tenantAsCluster ? 'tenant-a' : 'local');
      const outside = await t.app.inject({
        method: 'POST',
        url: '/loki/api/v1/push',
        payload: JSON.stringify(push),
        headers: { authorization: 'Bearer eastOnly', 'content-type': 'application/json', 'x-scope-orgid': 'west' },
      });
      expect(outside.statusCode).toBe(tenantAsCluster ? 403 : 204);
      await t.app.close();
    }
  });
});
