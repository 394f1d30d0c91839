import { gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus } from '../../../libs/bus/memory.bus.ts';
import { unpackRecords } from '../../../libs/bus/record-pack.ts';
import { buildApp } from '../../../libs/http/app.ts';
import { OtlpTypes } from '../../../libs/otlp/otlp.proto.ts';
import type { SpanDoc } from '../../../libs/schemas/span-doc.ts';
import { ingestMetrics } from '../ingest.metrics.ts';
import { createIngestService } from '../ingest.service.ts';
import { createIntakeService } from './intake.service.ts';
import { PRINCIPALS, topics } from './intake-app.fixture.ts';
import { otlpTracesRoutes } from './otlp-traces.routes.ts';
import { createSpanPublisher } from './span-publisher.ts';

const T0 = 1_714_557_600_123_456_789n;
const TRACE = '5b8efff798038103d269b633813fc60c';
const kv = (key: string, value: string) => ({ key, value: { stringValue: value } });
const span = (spanId: string, extra: Record<string, unknown> = {}) => ({
  traceId: TRACE,
  spanId,
  name: 'GET /cart',
  kind: 2,
  startTimeUnixNano: T0.toString(),
  endTimeUnixNano: (T0 + 2_500_000n).toString(),
  attributes: [kv('http.route', '/cart')],
  status: { code: 2, message: 'boom' },
  ...extra,
});
const request = (spans: unknown[], cluster = 'east') => ({
  resourceSpans: [
    {
      resource: {
        attributes: [kv('k8s.cluster.name', cluster), kv('k8s.namespace.name', 'shop'), kv('service.name', 'cart')],
      },
      scopeSpans: [{ scope: { name: 'http', version: '1' }, spans }],
    },
  ],
});

function protobuf(req: ReturnType<typeof request>): Buffer {
  const copy = structuredClone(req) as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] };
  for (const s of copy.resourceSpans[0]!.scopeSpans[0]!.spans) {
    for (const id of ['traceId', 'spanId', 'parentSpanId'])
      if (typeof s[id] === 'string') s[id] = Buffer.from(s[id] as string, 'hex').toString('base64');
  }
  return Buffer.from(
    OtlpTypes.ExportTraceServiceRequest.encode(OtlpTypes.ExportTraceServiceRequest.fromObject(copy)).finish(),
  );
}

describe('OTLP/HTTP traces intake', () => {
  const bus = new MemoryBus();
  const seen: SpanDoc[] = [];
  let app: Awaited<ReturnType<typeof buildApp>>;
  beforeAll(async () => {
    const registry = new Registry();
    const metrics = ingestMetrics(registry);
    const logger = pino({ level: 'silent' });
    const ingest = createIngestService({ bus: async () => bus, topics, maxInFlight: 100_000, metrics, logger });
    const intake = createIntakeService({ ingest, metrics, cluster: 'local' });
    const spans = createSpanPublisher({
      bus: async () => bus,
      topic: topics.spans,
      maxInFlight: 100_000,
      metrics,
      logger,
    });
    app = await buildApp({
      logger,
      metrics: registry,
      bodyLimitBytes: 1024 * 1024,
      authenticator: { authenticate: (c) => PRINCIPALS[c] },
      features: [{ name: 'traces', routes: otlpTracesRoutes({ intake, spans, metrics, maxBodyBytes: 1024 * 1024 }) }],
    });
    await bus.subscribe({
      topic: topics.spans,
      groupId: 't',
      handle: async (batch) => {
        for (const m of batch) seen.push(...unpackRecords(m.value).map((l) => JSON.parse(l) as SpanDoc));
      },
    });
  });
  afterAll(() => app.close());
  const post = (payload: Buffer | string, headers: Record<string, string>, token = 'ingest') =>
    app.inject({
      method: 'POST',
      url: '/otlp/v1/traces',
      payload,
      headers: { authorization: `Bearer ${token}`, ...headers },
    });
  const settle = () => new Promise((r) => setTimeout(r, 30));

  it("takes protobuf and stores spans in Data Prepper's field layout", async () => {
    const res = await post(
      protobuf(
        request([
          span('eee19b7ec3c1b174'),
          span('aaa19b7ec3c1b174', { parentSpanId: 'eee19b7ec3c1b174', kind: 3, name: 'GET' }),
        ]),
      ),
      { 'content-type': 'application/x-protobuf' },
    );
    expect(res.statusCode).toBe(200);
    expect(
      OtlpTypes.ExportTraceServiceResponse.toObject(OtlpTypes.ExportTraceServiceResponse.decode(res.rawPayload)),
    ).toEqual({});
    await settle();
    const root = seen.find((s) => s.spanId === 'eee19b7ec3c1b174');
    expect(root).toMatchObject({
      id: `${TRACE}eee19b7ec3c1b174`,
      cluster: 'east',
      namespace: 'shop',
      traceId: TRACE,
      parentSpanId: '',
      name: 'GET /cart',
      kind: 'SPAN_KIND_SERVER',
      serviceName: 'cart',
      startTime: '2024-05-01T10:00:00.123456789Z',
      endTime: '2024-05-01T10:00:00.125956789Z',
      durationInNanos: 2_500_000,
      status: { code: 2, message: 'boom' },
      traceGroup: 'GET /cart',
      time: 1_714_557_600_123,
      attributes: { 'http.route': '/cart' },
      resource: { attributes: { 'service.name': 'cart', 'k8s.cluster.name': 'east' } },
    });
    expect(seen.find((s) => s.spanId === 'aaa19b7ec3c1b174')).toMatchObject({
      kind: 'SPAN_KIND_CLIENT',
      parentSpanId: 'eee19b7ec3c1b174',
      traceGroup: 'GET /cart',
    });
  });

  it('takes gzip JSON and refuses spans without trace id in partial success', async () => {
    const before = seen.length;
    const body = gzipSync(
      JSON.stringify(
        request(
          [
            span('bbb19b7ec3c1b174'),
            span('ccc19b7ec3c1b174', { traceId: '' }),
            span('ddd19b7ec3c1b174', { startTimeUnixNano: '0' }),
          ],
          'west',
        ),
      ),
    );
    const res = await post(body, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      partialSuccess: {
        rejectedSpans: '2',
        errorMessage: expect.stringMatching(/span 1: span without a valid trace id.*span 2: span without a start time/),
      },
    });
    await settle();
    expect(seen.slice(before).map((s) => [s.spanId, s.cluster])).toEqual([['bbb19b7ec3c1b174', 'west']]);
  });

  it('refuses a truncated protobuf body with 400 as a google.rpc.Status, storing nothing', async () => {
    const before = seen.length;
    const whole = protobuf(request([span('eee19b7ec3c1b174')]));
    const res = await post(whole.subarray(0, whole.length - 7), { 'content-type': 'application/x-protobuf' });
    expect(res.statusCode).toBe(400);
    const status = OtlpTypes.Status.toObject(OtlpTypes.Status.decode(res.rawPayload)) as { message: string };
    expect(status.message).toMatch(/^PHAROS_ERR_VALIDATION: the body is not an OTLP ExportTraceServiceRequest/);
    await settle();
    expect(seen.length).toBe(before);
  });

  it('refuses a misspelt JSON key, a span over the size limit alone, and another cluster for a scoped token', async () => {
    const bad = await post(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ span: [] }] }] }), {
      'content-type': 'application/json',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/Unrecognized key: "span"/);
    const huge = span('fff19b7ec3c1b174', { attributes: [kv('blob', 'x'.repeat(200_000))] });
    const big = await post(JSON.stringify(request([huge, span('abc19b7ec3c1b174')])), {
      'content-type': 'application/json',
    });
    expect(big.statusCode).toBe(200);
    expect(big.json().partialSuccess.errorMessage).toMatch(
      /span 0: span of \d+ bytes is over the limit of 131072 bytes/,
    );
    const other = await post(
      JSON.stringify(request([span('abd19b7ec3c1b174')], 'west')),
      { 'content-type': 'application/json' },
      'eastOnly',
    );
    expect(other.statusCode).toBe(403);
    const wrongType = await post('x', { 'content-type': 'text/plain' });
    expect(wrongType.statusCode).toBe(415);
  });
});

describe('OTLP/HTTP traces intake: a request of 100,000 spans', () => {
  it(
    'is refused with 413 (not a 503 the sender would retry for ever) when over collector.maxInFlight',
    { timeout: 60_000 },
    async () => {
      const bus = new MemoryBus();
      const registry = new Registry();
      const metrics = ingestMetrics(registry);
      const logger = pino({ level: 'silent' });
      const ingest = createIngestService({ bus: async () => bus, topics, maxInFlight: 20_000, metrics, logger });
      const intake = createIntakeService({ ingest, metrics, cluster: 'local' });
      const spans = createSpanPublisher({
        bus: async () => bus,
        topic: topics.spans,
        maxInFlight: 20_000,
        metrics,
        logger,
      });
      const app = await buildApp({
        logger,
        metrics: registry,
        bodyLimitBytes: 64 << 20,
        authenticator: { authenticate: (c) => PRINCIPALS[c] },
        features: [{ name: 'traces', routes: otlpTracesRoutes({ intake, spans, metrics, maxBodyBytes: 64 << 20 }) }],
      });
      try {
        const many = Array.from({ length: 100_000 }, (_, i) => span(i.toString(16).padStart(16, '1')));
        const res = await app.inject({
          method: 'POST',
          url: '/otlp/v1/traces',
          payload: protobuf(request(many)),
          headers: { authorization: 'Bearer ingest', 'content-type': 'application/x-protobuf' },
        });
        expect(res.statusCode).toBe(413);
        const status = OtlpTypes.Status.toObject(OtlpTypes.Status.decode(res.rawPayload)) as { message: string };
        expect(status.message).toMatch(
          /PHAROS_ERR_PAYLOAD_TOO_LARGE: 100000 spans in one request is more than collector.maxInFlight \(20000\)/,
        );
      } finally {
        await app.close();
      }
    },
  );
});
