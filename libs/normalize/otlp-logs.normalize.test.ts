import { describe, expect, it } from 'vitest';
import type { OtlpLogRecord } from '../otlp/otlp-logs.decode.ts';
import { MAX_ATTRIBUTE_CHARS, MAX_ATTRIBUTES } from './log-doc.ts';
import { normalizeOtlpLogs, severityName } from './otlp-logs.normalize.ts';

const record = (over: Partial<OtlpLogRecord> = {}): OtlpLogRecord => ({
  timeUnixNano: '1714557600123456789',
  observedTimeUnixNano: '0',
  severityNumber: 0,
  severityText: '',
  body: 'hello',
  attributes: {},
  traceId: '',
  spanId: '',
  eventName: '',
  ...over,
});
const local = () => ({ cluster: 'local' });
const one = (r: OtlpLogRecord, resource = {}) =>
  normalizeOtlpLogs([{ resource, scopeLogs: [{ scope: { name: '', version: '' }, logRecords: [r] }] }], local, 0);

describe('OTLP log records → records', () => {
  it('names severities by number as the logs data model does', () => {
    expect([1, 2, 5, 9, 12, 13, 17, 21, 24].map(severityName)).toEqual([
      'TRACE',
      'TRACE2',
      'DEBUG',
      'INFO',
      'INFO4',
      'WARN',
      'ERROR',
      'FATAL',
      'FATAL4',
    ]);
    expect(severityName(0)).toBeUndefined();
  });

  it("reads Fluent Bit's kubernetes map when its opentelemetry output sends it as an attribute", () => {
    const kubernetes = {
      namespace_name: 'shop',
      pod_name: 'cart-0',
      container_name: 'cart',
      host: 'node-1',
      labels: { app: 'cart' },
    };
    const { logs } = one(record({ body: 'line', attributes: { kubernetes, stream: 'stderr' } }));
    expect(logs[0]).toMatchObject({
      namespace: 'shop',
      pod: 'cart-0',
      container: 'cart',
      node: 'node-1',
      stream: 'stderr',
      attributes: { 'kubernetes.labels.app': 'cart' },
    });
  });

  it('keeps ids stable across resends and attribute order, and apart for real repeats within a batch', () => {
    const a = one(record({ attributes: { x: '1', y: '2' } })).logs[0]!;
    const b = one(record({ attributes: { y: '2', x: '1' } })).logs[0]!;
    expect(a.id).toBe(b.id);
    const twice = normalizeOtlpLogs(
      [{ resource: {}, scopeLogs: [{ scope: { name: '', version: '' }, logRecords: [record(), record()] }] }],
      local,
      0,
    );
    const single = one(record()).logs[0]!.id;
    expect(twice.logs.map((d) => d.id)).toEqual([single, `${single}:1`]);
  });

  it('gives records with and without attributes of their own the ids and maps of earlier versions', () => {
    const r = (attributes: OtlpLogRecord['attributes']) => record({ severityNumber: 9, attributes });
    const resource = { 'k8s.namespace.name': 'shop', 'k8s.pod.label.app': 'cart' };
    const { logs } = normalizeOtlpLogs(
      [
        {
          resource,
          scopeLogs: [
            {
              scope: { name: 'bench', version: '' },
              logRecords: [r({ 'log.iostream': 'stdout' }), r({ 'log.iostream': 'stderr', user: 'ann' })],
            },
          ],
        },
      ],
      local,
      0,
    );
    // The ids earlier versions computed: a resend across an upgrade overwrites, never duplicates.
    expect(logs.map((d) => d.id)).toEqual(['10115ab03fca539f70a654b5cf8863d4', '6175b5e9b50358945530552ba96fa6ec']);
    expect(logs[0]!.attributes).toEqual({ 'k8s.pod.label.app': 'cart', 'otel.scope.name': 'bench' });
    expect(logs[1]!.attributes).toEqual({ 'k8s.pod.label.app': 'cart', 'otel.scope.name': 'bench', user: 'ann' });
  });

  it('bounds attributes so a chatty sender cannot make records the bus refuses', () => {
    const many = Object.fromEntries(
      Array.from({ length: MAX_ATTRIBUTES + 10 }, (_, i) => [
        `k${i}`,
        i === 0 ? 'v'.repeat(MAX_ATTRIBUTE_CHARS + 5) : 'v',
      ]),
    );
    const { attributes } = one(record({ attributes: many })).logs[0]!;
    expect(Object.keys(attributes!)).toHaveLength(MAX_ATTRIBUTES);
    expect(attributes!.k0).toHaveLength(MAX_ATTRIBUTE_CHARS + 1);
  });

  it('rejects a record with no time, and one whose own cluster is not a cluster name', () => {
    const clusterOf = (own: string | undefined) =>
      own ? { reason: `cluster "${own}" is not valid` } : { cluster: 'c' };
    const logRecords = [
      record({ timeUnixNano: '0' }),
      record({ attributes: { 'k8s.cluster.name': 'bad name' } }),
      record(),
    ];
    const result = normalizeOtlpLogs(
      [{ resource: {}, scopeLogs: [{ scope: { name: '', version: '' }, logRecords }] }],
      clusterOf,
      0,
    );
    expect(result.rejected).toEqual([
      { index: 0, reason: expect.stringContaining('both unset') },
      { index: 1, reason: 'cluster "bad name" is not valid' },
    ]);
    expect(result.logs.map((d) => d.cluster)).toEqual(['c']);
  });
});
