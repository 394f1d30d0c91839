import { describe, expect, it } from 'vitest';
import { isoNanos, normalizeSpans, spanJson } from './spans.normalize.ts';

/** isoNanos as first written, through BigInt for every time. */
function reference(nanos: string): string {
  const n = BigInt(nanos);
  const ms = Number(n / 1_000_000n);
  const frac = (n % 1_000_000_000n).toString().padStart(9, '0');
  return `${new Date(ms).toISOString().slice(0, 19)}.${frac}Z`;
}

describe('span normalization', () => {
  it('writes nanosecond times as the BigInt reading does, for every length of time', () => {
    const times = ['0', '1', '999999', '1000000', '999999999', '1000000000', '1234567890', '1767225600000000000'];
    for (let digits = 1; digits <= 19; digits++)
      for (let i = 0; i < 20; i++)
        times.push(
          Array.from({ length: digits }, (_, d) => (d === 0 ? 1 + ((i * 7) % 9) : (i * 31 + d * 17) % 10)).join(''),
        );
    times.push('9223372036854775807', '18446744073709551615');
    for (const t of times) expect(isoNanos(t), t).toBe(reference(t));
  });

  it('hands the publisher the JSON text it measured each span by, the same as serializing it', () => {
    const start = '1767225600123456789';
    const span = {
      traceId: 'a'.repeat(32),
      spanId: 'b'.repeat(16),
      parentSpanId: '',
      traceState: '',
      name: 'GET /',
      kind: 2,
      startTimeUnixNano: start,
      endTimeUnixNano: '1767225600223456789',
      attributes: { 'http.method': 'GET' },
      droppedAttributesCount: 0,
      events: [{ name: 'e', timeUnixNano: start, attributes: {} }],
      links: [],
      status: { code: 0, message: '' },
    };
    const { spans } = normalizeSpans(
      [{ resource: { 'k8s.cluster.name': 'east' }, scopeSpans: [{ scope: { name: '', version: '' }, spans: [span] }] }],
      (c) => ({ cluster: c as string }),
      Date.UTC(2026, 0, 1),
    );
    expect(spans).toHaveLength(1);
    expect(spanJson(spans[0]!)).toBe(JSON.stringify(spans[0]));
    expect(spans[0]!.startTime).toBe('2026-01-01T00:00:00.123456789Z');
    // A doc made elsewhere is serialized when asked.
    const copy = { ...spans[0]!, name: 'other' };
    expect(spanJson(copy)).toBe(JSON.stringify(copy));
  });
});
