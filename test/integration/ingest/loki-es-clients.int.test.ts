import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { compress } from 'snappyjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PushRequest } from '../../../libs/loki/loki-push.proto.ts';
import type { LogDoc } from '../../../libs/schemas/records.ts';
import { acceptedBy, listen, SETUPS, type ListeningPipeline } from './agent-intakes.helpers.ts';
import { INGEST_TOKEN, until } from './pipeline.helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'pharos-loki-es-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const T0 = Date.UTC(2024, 4, 1, 10);
const nanos = (ms: number, extra = 0) => `${BigInt(ms) * 1_000_000n + BigInt(extra)}`;
const byMessage = (docs: LogDoc[]) => new Map(docs.map((d) => [d.message, d]));

describe.each(SETUPS)('Loki push and Elasticsearch bulk into Pharos: %s', (_name, makeConfig) => {
  let t: ListeningPipeline;
  beforeAll(async () => void (t = await listen(makeConfig(dir, []))));
  afterAll(() => t?.close());
  const push = (body: Buffer | string, contentType: string) =>
    fetch(`${t.url}/loki/api/v1/push`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`promtail:${INGEST_TOKEN}`).toString('base64')}`,
        'content-type': contentType,
      },
      body: body as BodyInit,
    });

  it('Loki push JSON: labels to fields, the rest and structured metadata to attributes, field by field', async () => {
    const body = {
      streams: [
        {
          stream: {
            cluster: 'loki-json',
            namespace: 'shop',
            pod: 'cart-0',
            container: 'cart',
            node_name: 'node-1',
            level: 'error',
            app: 'cart',
          },
          values: [
            [nanos(T0, 42), 'payment refused', { trace_id: 'AB'.repeat(16), order: '17' }],
            [nanos(T0 + 1), 'retry scheduled'],
          ],
        },
        {
          stream: {
            cluster: 'loki-json',
            k8s_namespace_name: 'jobs',
            k8s_pod_name: 'worker-0',
            k8s_container_name: 'worker',
            stream: 'stderr',
          },
          values: [[nanos(T0 + 2), 'queue drained']],
        },
      ],
    };
    expect((await push(JSON.stringify(body), 'application/json')).status).toBe(204);
    await until(async () => (await t.count('logs', 'loki-json')) >= 3, 60_000, 'the Loki JSON entries');
    const docs = byMessage(await t.records('logs', 'loki-json'));
    expect(docs.size).toBe(3);
    expect(docs.get('payment refused')).toEqual({
      id: expect.any(String),
      kind: 'logs',
      cluster: 'loki-json',
      namespace: 'shop',
      pod: 'cart-0',
      container: 'cart',
      node: 'node-1',
      severity: 'error',
      time: T0,
      ingestedAt: expect.any(Number),
      message: 'payment refused',
      traceId: 'ab'.repeat(16),
      attributes: { app: 'cart', order: '17' },
    });
    expect(docs.get('retry scheduled')).toMatchObject({ namespace: 'shop', time: T0 + 1, attributes: { app: 'cart' } });
    expect(docs.get('queue drained')).toMatchObject({
      namespace: 'jobs',
      pod: 'worker-0',
      container: 'worker',
      stream: 'stderr',
      time: T0 + 2,
    });
    expect(await t.store.count('logs', { filters: { cluster: ['loki-json'], 'attr.app': ['cart'] } })).toBe(2);
    expect(await acceptedBy(t.p, 'loki', 'loki-json')).toBe(3);
  });

  it('Loki push snappy protobuf, field by field, and a resend stores nothing twice', async () => {
    const message = PushRequest.fromObject({
      streams: [
        {
          labels:
            '{cluster="loki-proto", namespace="shop", pod="web-1", container="web", detected_level="warn", job="shop/web"}',
          entries: [
            {
              timestamp: { seconds: T0 / 1000, nanos: 5_000_000 },
              line: 'slow request',
              structuredMetadata: [
                { name: 'span_id', value: 'EEE19B7EC3C1B174' },
                { name: 'route', value: '/cart' },
              ],
            },
            { timestamp: { seconds: T0 / 1000 + 1, nanos: 0 }, line: 'ok' },
          ],
        },
      ],
    });
    const body = Buffer.from(compress(PushRequest.encode(message).finish()));
    for (let i = 0; i < 2; i++) expect((await push(body, 'application/x-protobuf')).status).toBe(204);
    await until(async () => (await acceptedBy(t.p, 'loki', 'loki-proto')) >= 4, 30_000, 'both pushes accepted');
    await until(async () => (await t.count('logs', 'loki-proto')) >= 2, 60_000, 'the Loki protobuf entries');
    await new Promise((r) => setTimeout(r, 1000));
    const docs = byMessage(await t.records('logs', 'loki-proto'));
    expect(docs.size).toBe(2);
    expect(await t.count('logs', 'loki-proto')).toBe(2);
    expect(docs.get('slow request')).toMatchObject({
      namespace: 'shop',
      pod: 'web-1',
      container: 'web',
      severity: 'warn',
      time: T0 + 5,
      spanId: 'eee19b7ec3c1b174',
      attributes: { job: 'shop/web', route: '/cart' },
    });
    expect(docs.get('ok')).toMatchObject({ time: T0 + 1000, attributes: { job: 'shop/web' } });
  });

  it('Elasticsearch bulk through the official client: index, create and _type, field by field; one bad item stores the others', async () => {
    const client = new Client({
      node: `${t.url}/elasticsearch`,
      auth: { username: 'fluent-bit', password: INGEST_TOKEN },
    });
    const info = await client.info();
    expect(info.version.number).toMatch(/^8\./);
    const fluentBit = (log: string, ms: number) => ({
      '@timestamp': new Date(T0 + ms).toISOString(),
      log,
      stream: 'stdout',
      kubernetes: {
        namespace_name: 'shop',
        pod_name: 'cart-0',
        container_name: 'cart',
        host: 'node-1',
        labels: { app: 'cart' },
      },
      cluster: 'es-bulk',
    });
    const answer = await client.bulk({
      operations: [
        { index: { _index: 'fluent-bit', _type: '_doc' } },
        fluentBit('first via index', 0),
        { create: { _index: 'filebeat-8.19', _id: 'fb-1' } },
        {
          '@timestamp': new Date(T0 + 1).toISOString(),
          message: 'via create',
          'log.level': 'warn',
          kubernetes: {
            namespace: 'jobs',
            pod: { name: 'worker-0' },
            container: { name: 'worker' },
            node: { name: 'node-2' },
          },
          cluster: 'es-bulk',
        },
        { index: { _index: 'fluent-bit' } },
        { cluster: 'es-bulk', log: 'no timestamp' },
        { index: { _index: 'vector' } },
        {
          timestamp: new Date(T0 + 2).toISOString(),
          message: 'via vector',
          kubernetes: { pod_namespace: 'shop', pod_name: 'web-1', container_name: 'web', pod_node_name: 'node-3' },
          cluster: 'es-bulk',
          user: { id: 7 },
        },
      ] as never[],
    });
    expect(answer.errors).toBe(true);
    expect(answer.items.map((i) => Object.values(i)[0]!.status)).toEqual([201, 201, 400, 201]);
    expect(answer.items[1]!.create).toMatchObject({ _id: 'fb-1', _index: 'filebeat-8.19' });
    expect(answer.items[2]!.index!.error).toMatchObject({
      type: 'document_parsing_exception',
      reason: expect.stringContaining('no time'),
    });
    await until(async () => (await t.count('logs', 'es-bulk')) >= 3, 60_000, 'the bulk items');
    const docs = byMessage(await t.records('logs', 'es-bulk'));
    expect(docs.size).toBe(3);
    expect(docs.get('first via index')).toMatchObject({
      namespace: 'shop',
      pod: 'cart-0',
      container: 'cart',
      node: 'node-1',
      stream: 'stdout',
      time: T0,
      labels: { app: 'cart' },
      attributes: { 'es.index': 'fluent-bit' },
    });
    expect(docs.get('via create')).toMatchObject({
      namespace: 'jobs',
      pod: 'worker-0',
      container: 'worker',
      node: 'node-2',
      severity: 'warn',
      time: T0 + 1,
      attributes: { 'es.index': 'filebeat-8.19' },
    });
    expect(docs.get('via vector')).toMatchObject({
      namespace: 'shop',
      pod: 'web-1',
      container: 'web',
      node: 'node-3',
      time: T0 + 2,
      attributes: { 'user.id': '7', 'es.index': 'vector' },
    });
    expect(await acceptedBy(t.p, 'elasticsearch', 'es-bulk')).toBe(3);
    await client.close();
  });
});
