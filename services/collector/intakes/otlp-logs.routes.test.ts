import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bus } from '../../../libs/bus/bus.ts';
import { OtlpTypes } from '../../../libs/otlp/otlp.proto.ts';
import type { EventDoc, LogDoc } from '../../../libs/schemas/records.ts';
import { intakeApp, type IntakeApp } from './intake-app.fixture.ts';

const T0 = 1_714_557_600_123_456_789n; // 2024-05-01T10:00:00.123456789Z
const kv = (key: string, value: unknown) => ({
  key,
  value: typeof value === 'number' ? { intValue: value } : typeof value === 'object' ? value : { stringValue: value },
});
const resource = (cluster = 'east') => ({
  attributes: [
    kv('k8s.cluster.name', cluster),
    kv('k8s.namespace.name', 'shop'),
    kv('k8s.pod.name', 'cart-7d9f'),
    kv('k8s.container.name', 'cart'),
    kv('k8s.node.name', 'node-1'),
    kv('service.name', 'cart'),
  ],
});
const records = [
  {
    timeUnixNano: T0.toString(),
    severityNumber: 17,
    severityText: 'ERROR',
    body: { stringValue: 'payment refused' },
    attributes: [kv('log.iostream', 'stderr'), kv('http.status_code', 402)],
    traceId: '5b8efff798038103d269b633813fc60c',
    spanId: 'eee19b7ec3c1b174',
  },
  {
    timeUnixNano: '0',
    observedTimeUnixNano: (T0 + 1000n).toString(),
    severityNumber: 9,
    body: { kvlistValue: { values: [kv('msg', 'checkout'), kv('items', 3)] } },
  },
];
const jsonRequest = (cluster?: string) => ({
  resourceLogs: [
    {
      resource: resource(cluster),
      scopeLogs: [{ scope: { name: 'cart-logger', version: '1.2' }, logRecords: records }],
    },
  ],
});

function protobufRequest(request: ReturnType<typeof jsonRequest>): Buffer {
  // protobufjs' fromObject takes bytes as base64: convert the hex ids first.
  const withBytes = structuredClone(request) as unknown as {
    resourceLogs: { scopeLogs: { logRecords: Record<string, unknown>[] }[] }[];
  };
  for (const r of withBytes.resourceLogs[0]!.scopeLogs[0]!.logRecords) {
    for (const id of ['traceId', 'spanId'])
      if (typeof r[id] === 'string') r[id] = Buffer.from(r[id] as string, 'hex').toString('base64');
  }
  return Buffer.from(
    OtlpTypes.ExportLogsServiceRequest.encode(OtlpTypes.ExportLogsServiceRequest.fromObject(withBytes)).finish(),
  );
}

describe('OTLP/HTTP logs intake', () => {
  let t: IntakeApp;
  beforeAll(async () => void (t = await intakeApp()));
  afterAll(() => t.app.close());
  const post = (payload: Buffer | string, headers: Record<string, string>, token = 'ingest') =>
    t.app.inject({
      method: 'POST',
      url: '/otlp/v1/logs',
      payload,
      headers: { authorization: `Bearer ${token}`, ...headers },
    });

  it('takes protobuf and maps the semantic conventions to fields, the rest to attributes', async () => {
    const res = await post(protobufRequest(jsonRequest()), { 'content-type': 'application/x-protobuf' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-protobuf');
    expect(
      OtlpTypes.ExportLogsServiceResponse.toObject(OtlpTypes.ExportLogsServiceResponse.decode(res.rawPayload)),
    ).toEqual({});
    const logs = (await t.published('logs')) as LogDoc[];
    expect(logs).toHaveLength(2);
    expect(logs[0]).toMatchObject({
      cluster: 'east',
      namespace: 'shop',
      pod: 'cart-7d9f',
      container: 'cart',
      node: 'node-1',
      stream: 'stderr',
      time: 1_714_557_600_123,
      message: 'payment refused',
      severity: 'ERROR',
      severityNumber: 17,
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
      attributes: {
        'service.name': 'cart',
        'http.status_code': '402',
        'otel.scope.name': 'cart-logger',
        'otel.scope.version': '1.2',
      },
    });
    expect(logs[0]!.attributes).not.toHaveProperty('k8s.pod.name');
    // No time_unix_nano: the observed time; a structured body is kept as JSON; severity named from its number.
    expect(logs[1]).toMatchObject({
      time: 1_714_557_600_123,
      message: '{"msg":"checkout","items":3}',
      severity: 'INFO',
      severityNumber: 9,
    });
    expect(await t.registry.metrics()).toMatch(
      /pharos_ingest_records_total\{kind="logs",cluster="east",result="accepted",protocol="otlp"\} 2/,
    );
  });

  it('takes OTLP/JSON with gzip, and a resend gets the same ids', async () => {
    const body = gzipSync(JSON.stringify(jsonRequest('west')));
    const first = await post(body, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({});
    await post(body, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    const west = ((await t.published('logs')) as LogDoc[]).filter((d) => d.cluster === 'west');
    expect(west).toHaveLength(4);
    expect(new Set(west.map((d) => d.id)).size).toBe(2);
    const east = ((await t.published('logs')) as LogDoc[]).filter((d) => d.cluster === 'east');
    // The same records from protobuf and JSON are the same records (their cluster aside).
    expect(west.map((d) => ({ ...d, id: '', cluster: '', ingestedAt: 0 }))).toContainEqual({
      ...east[0],
      id: '',
      cluster: '',
      ingestedAt: 0,
    });
  });

  it('answers partial success for records it cannot store, storing the others', async () => {
    const request = jsonRequest('north');
    request.resourceLogs[0]!.scopeLogs[0]!.logRecords.push({ body: { stringValue: 'no time at all' } } as never);
    const res = await post(JSON.stringify(request), { 'content-type': 'application/json' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      partialSuccess: {
        rejectedLogRecords: '1',
        errorMessage: expect.stringContaining('record 2: time_unix_nano and observed_time_unix_nano are both unset'),
      },
    });
    expect(((await t.published('logs')) as LogDoc[]).filter((d) => d.cluster === 'north')).toHaveLength(2);
  });

  it("turns Kubernetes Events sent as logs into events records with the watch's identity", async () => {
    const event = {
      kind: 'Event',
      apiVersion: 'v1',
      metadata: { uid: 'ev-1', name: 'cart.17c', namespace: 'shop' },
      involvedObject: { kind: 'Pod', name: 'cart-7d9f', uid: 'pod-1', namespace: 'shop' },
      reason: 'BackOff',
      message: 'Back-off restarting',
      type: 'Warning',
      count: 4,
      lastTimestamp: '2024-05-01T10:00:00Z',
    };
    const toAny = (v: unknown): unknown =>
      typeof v === 'string'
        ? { stringValue: v }
        : typeof v === 'number'
          ? { intValue: v }
          : { kvlistValue: { values: Object.entries(v as object).map(([k, x]) => ({ key: k, value: toAny(x) })) } };
    const k8sobjects = {
      timeUnixNano: T0.toString(),
      body: toAny({ type: 'MODIFIED', object: event }),
      attributes: [kv('event.domain', 'k8s'), kv('k8s.resource.name', 'events')],
    };
    const k8sEvents = {
      timeUnixNano: T0.toString(),
      severityText: 'Normal',
      body: { stringValue: 'Started container cart' },
      attributes: [
        kv('k8s.event.uid', 'ev-2'),
        kv('k8s.event.reason', 'Started'),
        kv('k8s.event.name', 'cart.18d'),
        kv('k8s.event.count', 1),
      ],
    };
    const request = {
      resourceLogs: [
        {
          resource: {
            attributes: [
              kv('k8s.cluster.name', 'east'),
              kv('k8s.namespace.name', 'shop'),
              kv('k8s.object.kind', 'Pod'),
              kv('k8s.object.name', 'cart-7d9f'),
              kv('k8s.object.uid', 'pod-1'),
            ],
          },
          scopeLogs: [{ logRecords: [k8sobjects, k8sEvents] }],
        },
      ],
    };
    const res = await post(JSON.stringify(request), { 'content-type': 'application/json' });
    expect(res.statusCode).toBe(200);
    const events = (await t.published('events')) as EventDoc[];
    expect(events.map((e) => e.id)).toEqual(['ev-1:4', 'ev-2:1']);
    expect(events[0]).toMatchObject({
      cluster: 'east',
      namespace: 'shop',
      objectKind: 'Pod',
      name: 'cart-7d9f',
      reason: 'BackOff',
      type: 'Warning',
      count: 4,
      time: Date.UTC(2024, 4, 1, 10),
    });
    expect(events[1]).toMatchObject({
      objectKind: 'Pod',
      name: 'cart-7d9f',
      objectUid: 'pod-1',
      reason: 'Started',
      type: 'Normal',
      message: 'Started container cart',
      time: 1_714_557_600_123,
    });
  });

  it("refuses bad input whole, with an OTLP Status in the request's encoding, storing nothing", async () => {
    const before = (await t.published('logs')).length;
    const good = protobufRequest(jsonRequest('south'));
    const truncated = await post(good.subarray(0, good.length - 7), { 'content-type': 'application/x-protobuf' });
    expect(truncated.statusCode).toBe(400);
    expect(truncated.headers['content-type']).toBe('application/x-protobuf');
    const status = OtlpTypes.Status.toObject(OtlpTypes.Status.decode(truncated.rawPayload)) as {
      code: number;
      message: string;
      details: { typeUrl: string; value: Uint8Array }[];
    };
    expect(status).toMatchObject({
      code: 3,
      message: expect.stringMatching(
        /^PHAROS_ERR_VALIDATION: the body is not an OTLP ExportLogsServiceRequest in protobuf/,
      ),
    });
    expect(OtlpTypes.ErrorInfo.toObject(OtlpTypes.ErrorInfo.decode(status.details[0]!.value))).toEqual({
      reason: 'PHAROS_ERR_VALIDATION',
      domain: 'pharos',
    });

    const wrongType = await post(JSON.stringify(jsonRequest()), { 'content-type': 'text/plain' });
    expect(wrongType.statusCode).toBe(415);
    expect(wrongType.json()).toMatchObject({
      code: 3,
      message: expect.stringContaining('PHAROS_ERR_UNSUPPORTED_MEDIA_TYPE'),
      details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'PHAROS_ERR_UNSUPPORTED_MEDIA_TYPE' }],
    });

    const notGzip = await post(good, { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
    expect(notGzip.statusCode).toBe(400);
    expect(OtlpTypes.Status.decode(notGzip.rawPayload).toJSON().message).toMatch(/not valid gzip/);

    const unknown = await post(JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecord: [] }] }] }), {
      'content-type': 'application/json',
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({
      message: expect.stringContaining('Unrecognized key: "logRecord"'),
      details: [
        {},
        {
          '@type': 'type.googleapis.com/google.rpc.BadRequest',
          fieldViolations: [{ field: 'resourceLogs.0.scopeLogs.0' }],
        },
      ],
    });

    const badId = await post(
      JSON.stringify({
        resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: '1', traceId: 'W7j/95gDgQPSabYzgT/GDA==' }] }] }],
      }),
      { 'content-type': 'application/json' },
    );
    expect(badId.statusCode).toBe(400);
    expect(badId.json().message).toMatch(/hex/);

    const bomb = gzipSync(Buffer.alloc(4 * 1024 * 1024));
    const over = await post(bomb, { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
    expect(over.statusCode).toBe(413);
    const tooLong = await post(Buffer.alloc(2 * 1024 * 1024), { 'content-type': 'application/x-protobuf' });
    expect(tooLong.statusCode).toBe(413);
    expect(OtlpTypes.Status.decode(tooLong.rawPayload).toJSON().message).toMatch(/PHAROS_ERR_PAYLOAD_TOO_LARGE/);
    expect((await t.published('logs')).length).toBe(before);
  });

  it('trims a record over the bus limit as the other intakes do, counted as trimmed', async () => {
    const huge = {
      resourceLogs: [
        {
          resource: { attributes: [kv('k8s.cluster.name', 'big')] },
          scopeLogs: [{ logRecords: [{ timeUnixNano: T0.toString(), body: { stringValue: 'x'.repeat(600 * 1024) } }] }],
        },
      ],
    };
    expect((await post(JSON.stringify(huge), { 'content-type': 'application/json' })).statusCode).toBe(200);
    const [doc] = ((await t.published('logs')) as LogDoc[]).filter((d) => d.cluster === 'big');
    expect(doc!.message).toMatch(/characters cut to fit the bus\]$/);
    expect(await t.registry.metrics()).toMatch(
      /pharos_ingest_records_total\{kind="logs",cluster="big",result="trimmed",protocol="otlp"\} 1/,
    );
  });

  it("enforces the ingest role and the token's clusters", async () => {
    const viewer = await post(JSON.stringify(jsonRequest()), { 'content-type': 'application/json' }, 'viewer');
    expect(viewer.statusCode).toBe(403);
    expect(viewer.json().message).toMatch(/PHAROS_ERR_FORBIDDEN/);
    expect(
      (await post(JSON.stringify(jsonRequest('west')), { 'content-type': 'application/json' }, 'eastOnly')).statusCode,
    ).toBe(403);
    expect(
      (await post(JSON.stringify(jsonRequest('east')), { 'content-type': 'application/json' }, 'eastOnly')).statusCode,
    ).toBe(200);
    const basic = `Basic ${Buffer.from('fluent:eastOnly').toString('base64')}`;
    const noCluster = { resourceLogs: [{ scopeLogs: [{ logRecords: [records[0]] }] }] };
    const res = await t.app.inject({
      method: 'POST',
      url: '/otlp/v1/logs',
      payload: JSON.stringify(noCluster),
      headers: { authorization: basic, 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(200);
    expect(
      ((await t.published('logs')) as LogDoc[]).some(
        (d) => d.message === 'payment refused' && d.cluster === 'east' && d.namespace === undefined,
      ),
    ).toBe(true);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/otlp/v1/logs',
          payload: '{}',
          headers: { 'content-type': 'application/json' },
        })
      ).statusCode,
    ).toBe(401);
  });
});

describe('OTLP/HTTP logs when the bus cannot take them', () => {
  it('answers 503 with Retry-After, which OTLP exporters retry', async () => {
    const down = {
      type: 'x',
      publish: async () => {
        throw new Error('ECONNREFUSED');
      },
    } as unknown as Bus;
    const t = await intakeApp({ bus: down });
    const res = await t.app.inject({
      method: 'POST',
      url: '/otlp/v1/logs',
      payload: JSON.stringify(jsonRequest()),
      headers: { authorization: 'Bearer ingest', 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('2');
    expect(res.json()).toMatchObject({ code: 14, message: expect.stringContaining('PHAROS_ERR_UNAVAILABLE') });
    await t.app.close();
  });
});
