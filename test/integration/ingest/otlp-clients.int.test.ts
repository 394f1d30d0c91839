import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter as JsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventDoc } from '../../../libs/schemas/records.ts';
import { ensureOtelcol } from '../../../scripts/otelcol/otelcol.ts';
import {
  acceptedBy,
  listen,
  runCollector,
  scopedToken,
  SETUPS,
  type ListeningPipeline,
} from './agent-intakes.helpers.ts';
import { INGEST_TOKEN, until } from './pipeline.helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'pharos-otlp-clients-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const N = 600;
const T0 = Date.UTC(2024, 4, 1, 10);
const COLLECTOR_CLUSTERS = ['otelcol-proto', 'otelcol-json'];

describe.each(SETUPS)('real OTLP clients into Pharos: %s', (_name, makeConfig) => {
  let t: ListeningPipeline;
  beforeAll(async () => {
    // Built before the tests' clocks (a cold build takes about 1.5 minutes; .ci/run builds it ahead).
    await ensureOtelcol();
    t = await listen(makeConfig(dir, COLLECTOR_CLUSTERS));
  });
  afterAll(() => t?.close());

  it.each([
    ['protobuf', ProtoExporter],
    ['JSON', JsonExporter],
  ] as const)(
    "the OpenTelemetry JS SDK's %s exporter: every record once, with its fields",
    async (encoding, Exporter) => {
      const cluster = `sdk-${encoding.toLowerCase()}`;
      const exporter = new Exporter({
        url: `${t.url}/otlp/v1/logs`,
        headers: { authorization: `Bearer ${INGEST_TOKEN}` },
      });
      const provider = new LoggerProvider({
        resource: resourceFromAttributes({
          'k8s.cluster.name': cluster,
          'k8s.namespace.name': 'shop',
          'k8s.pod.name': 'cart-0',
          'k8s.container.name': 'cart',
          'service.name': 'cart',
        }),
        processors: [new BatchLogRecordProcessor({ exporter, maxExportBatchSize: 128, scheduledDelayMillis: 50 })],
      });
      const logger = provider.getLogger('cart-logger', '1.0.0');
      for (let i = 0; i < N; i++) {
        logger.emit({
          timestamp: T0 + i,
          severityNumber: i % 10 === 0 ? SeverityNumber.ERROR : SeverityNumber.INFO,
          severityText: i % 10 === 0 ? 'ERROR' : 'INFO',
          body: i % 50 === 0 ? { order: i, items: ['a', 'b'] } : `order ${i} handled`,
          attributes: { 'order.id': i, 'log.iostream': i % 2 ? 'stdout' : 'stderr', 'http.route': '/checkout' },
          context: undefined,
        });
      }
      await provider.forceFlush();
      await provider.shutdown();
      await until(async () => (await t.count('logs', cluster)) >= N, 90_000, `${N} ${encoding} records of ${cluster}`);
      const docs = await t.records('logs', cluster);
      expect(docs).toHaveLength(N);
      expect(new Set(docs.map((d) => d.attributes?.['order.id'])).size).toBe(N);
      const seventh = docs.find((d) => d.attributes?.['order.id'] === '7')!;
      expect(seventh).toMatchObject({
        cluster,
        namespace: 'shop',
        pod: 'cart-0',
        container: 'cart',
        stream: 'stdout',
        time: T0 + 7,
        message: 'order 7 handled',
        severity: 'INFO',
        severityNumber: 9,
        attributes: {
          'service.name': 'cart',
          'http.route': '/checkout',
          'otel.scope.name': 'cart-logger',
          'otel.scope.version': '1.0.0',
        },
      });
      expect(docs.find((d) => d.attributes?.['order.id'] === '50')).toMatchObject({
        message: '{"order":50,"items":["a","b"]}',
        severity: 'ERROR',
        severityNumber: 17,
        stream: 'stderr',
      });
      // Filterable by attribute and searchable, on this store.
      expect(await t.store.count('logs', { filters: { cluster: [cluster], 'attr.order.id': ['7', '8'] } })).toBe(2);
      expect(await t.store.count('logs', { filters: { cluster: [cluster], severity: ['ERROR'] } })).toBe(N / 10);
      expect(await acceptedBy(t.p, 'otlp', cluster)).toBe(N);
    },
  );

  it('a real OpenTelemetry Collector (file_log → otlp_http, protobuf+gzip and JSON+gzip): every line once, counts matching', async () => {
    const lines = (tag: string) =>
      Array.from({ length: N }, (_, i) =>
        JSON.stringify({ msg: `${tag} line ${i}`, level: i % 3 === 0 ? 'warn' : 'info', seq: String(i) }),
      ).join('\n');
    const files = COLLECTOR_CLUSTERS.map((c) => {
      const file = join(dir, `${c}-${Date.now()}.log`);
      writeFileSync(file, `${lines(c)}\n`);
      return file;
    });
    const receiver = (file: string) => ({
      include: [file],
      start_at: 'beginning',
      operators: [
        { type: 'json_parser', severity: { parse_from: 'attributes.level' } },
        { type: 'move', from: 'attributes.msg', to: 'body' },
      ],
    });
    // No cluster in the records: each exporter's token is scoped to one cluster, so that is theirs.
    const exporter = (cluster: string, encoding: 'proto' | 'json') => ({
      logs_endpoint: `${t.url}/otlp/v1/logs`,
      encoding,
      headers: { authorization: `Bearer ${scopedToken(cluster)}` },
      retry_on_failure: { initial_interval: '200ms' },
    });
    const collector = await runCollector({
      receivers: { 'file_log/proto': receiver(files[0]!), 'file_log/json': receiver(files[1]!) },
      processors: { batch: { send_batch_size: 200, timeout: '200ms' } },
      exporters: {
        'otlp_http/proto': exporter(COLLECTOR_CLUSTERS[0]!, 'proto'),
        'otlp_http/json': exporter(COLLECTOR_CLUSTERS[1]!, 'json'),
      },
      service: {
        telemetry: { metrics: { level: 'none' }, logs: { level: 'warn' } },
        pipelines: {
          'logs/proto': { receivers: ['file_log/proto'], processors: ['batch'], exporters: ['otlp_http/proto'] },
          'logs/json': { receivers: ['file_log/json'], processors: ['batch'], exporters: ['otlp_http/json'] },
        },
      },
    });
    try {
      for (const cluster of COLLECTOR_CLUSTERS) {
        await until(
          async () => (await t.count('logs', cluster)) >= N,
          120_000,
          () => `${N} records of ${cluster}; collector said: ${collector.output().slice(-2000)}`,
        );
        const docs = await t.records('logs', cluster);
        expect(docs).toHaveLength(N);
        expect(new Set(docs.map((d) => d.message))).toEqual(
          new Set(Array.from({ length: N }, (_, i) => `${cluster} line ${i}`)),
        );
        expect(docs.find((d) => d.message === `${cluster} line 3`)).toMatchObject({
          severity: 'warn',
          severityNumber: 13,
          attributes: { seq: '3', level: 'warn', 'log.file.name': expect.stringContaining(cluster) },
        });
        expect(await acceptedBy(t.p, 'otlp', cluster)).toBe(N);
      }
    } finally {
      await collector.stop();
    }
  });

  it("an Event from the Collector's k8sobjects receiver and the same Event from Pharos's own intake are one record", async () => {
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { uid: `ev-${Date.now()}`, name: 'cart.17c', namespace: 'shop' },
      involvedObject: { kind: 'Pod', name: 'cart-0', uid: 'pod-1', namespace: 'shop' },
      reason: 'BackOff',
      message: 'Back-off restarting failed container',
      type: 'Warning',
      count: 3,
      firstTimestamp: '2024-05-01T09:00:00Z',
      lastTimestamp: '2024-05-01T10:00:00Z',
    };
    const toAny = (v: unknown): unknown =>
      typeof v === 'string'
        ? { stringValue: v }
        : typeof v === 'number'
          ? { intValue: String(v) }
          : { kvlistValue: { values: Object.entries(v as object).map(([key, x]) => ({ key, value: toAny(x) })) } };
    const otlp = {
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'k8s.cluster.name', value: { stringValue: 'events-dedup' } }] },
          scopeLogs: [
            {
              logRecords: [
                {
                  observedTimeUnixNano: `${BigInt(T0) * 1_000_000n}`,
                  body: toAny({ type: 'ADDED', object: event }),
                  attributes: [{ key: 'event.domain', value: { stringValue: 'k8s' } }],
                },
              ],
            },
          ],
        },
      ],
    };
    const viaOtlp = await fetch(`${t.url}/otlp/v1/logs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(otlp),
    });
    expect(viaOtlp.status).toBe(200);
    const viaPharos = await fetch(`${t.url}/v1/ingest/events?cluster=events-dedup`, {
      method: 'POST',
      headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(event),
    });
    expect(viaPharos.status).toBe(200);
    await until(async () => (await t.count('events', 'events-dedup')) >= 1, 60_000, 'the event stored');
    await new Promise((r) => setTimeout(r, 1500));
    const events = await t.records<EventDoc>('events', 'events-dedup');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      id: `${event.metadata.uid}:3`,
      reason: 'BackOff',
      type: 'Warning',
      objectKind: 'Pod',
      name: 'cart-0',
      count: 3,
    });
  });
});
