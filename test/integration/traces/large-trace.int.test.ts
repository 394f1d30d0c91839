import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scope } from '../../../libs/auth/principal.ts';
import type { OtlpSpan } from '../../../libs/otlp/otlp-traces.decode.ts';
import { normalizeSpans } from '../../../libs/traces/spans.normalize.ts';
import { TracesService } from '../../../services/query/traces/traces.service.ts';
import { spanStoreEngines } from './span-store-engines.ts';

/**
 * A trace of 100,000 spans on both span stores (issue 22, bad input): the trace answer is cut to
 * maxTraceSpans and says so; search still finds it, says its summary is of a cut read, and a small trace
 * beside it is summarized whole (not crowded out of a shared read). Nothing reads more than maxTraceSpans
 * (+1) spans at once.
 */
const NOW = Date.now() - 120_000;
const BIG = 'b'.repeat(31) + '1';
const SMALL = 'c'.repeat(31) + '2';
const SPANS = 100_000;
const MAX_TRACE_SPANS = 20_000;
const SCOPE: Scope = { clusters: ['*'], namespaces: ['*'] };

function span(traceId: string, n: number, from: number): OtlpSpan {
  const start = BigInt(NOW + from) * 1_000_000n;
  return {
    traceId,
    spanId: n.toString(16).padStart(16, '0'),
    parentSpanId: n === 1 ? '' : '0000000000000001',
    traceState: '',
    name: n === 1 ? 'batch' : `step ${n % 100}`,
    kind: n === 1 ? 2 : 1,
    startTimeUnixNano: start.toString(),
    endTimeUnixNano: (start + 1_000_000n).toString(),
    attributes: { 'job.step': n },
    droppedAttributesCount: 0,
    events: [],
    links: [],
    status: { code: 0, message: '' },
  };
}

const ENGINES = spanStoreEngines('bigtrace', 60_000);

describe.each(ENGINES)('a trace of 100,000 spans: %s', (_name, make) => {
  const store = make();
  const service = new TracesService({ store: async () => store, maxTraceSpans: MAX_TRACE_SPANS, maxTopologyEdges: 10 });
  beforeAll(async () => {
    await store.init();
    // Written in slices, each normalized on its own: the whole trace never sits in memory as documents.
    const slice = 5_000;
    for (let from = 1; from <= SPANS; from += slice) {
      const spans = Array.from({ length: Math.min(slice, SPANS - from + 1) }, (_, i) =>
        span(BIG, from + i, (from + i) % 60_000),
      );
      const docs = normalizeSpans(
        [
          {
            resource: { 'service.name': 'batch', 'k8s.cluster.name': 'east' },
            scopeSpans: [{ scope: { name: 'j', version: '1' }, spans }],
          },
        ],
        (c) => ({ cluster: c as string }),
        NOW,
      ).spans;
      expect((await store.write(docs)).every((r) => r.ok)).toBe(true);
    }
    const small = normalizeSpans(
      [
        {
          resource: { 'service.name': 'api', 'k8s.cluster.name': 'east' },
          scopeSpans: [{ scope: { name: 'j', version: '1' }, spans: [span(SMALL, 1, 30_000), span(SMALL, 2, 30_010)] }],
        },
      ],
      (c) => ({ cluster: c as string }),
      NOW,
    ).spans;
    await store.write(small);
    await store.refresh();
  }, 600_000);
  afterAll(async () => {
    await store.deleteOlderThan(new Date(Date.now() + 86_400_000)).catch(() => undefined);
    await store.close();
  });

  it('answers the trace cut to maxTraceSpans, and says so', { timeout: 120_000 }, async () => {
    const answer = await service.trace(BIG, SCOPE);
    expect(answer.truncated).toBe(true);
    expect(answer.spans).toHaveLength(MAX_TRACE_SPANS);
    expect(answer.withheld).toBe(0);
  });

  it(
    'finds it in search, reports its summary as cut, and summarizes the small trace beside it whole',
    { timeout: 120_000 },
    async () => {
      const result = await service.search(
        { start: NOW - 1000, end: NOW + 120_000, tags: { 'k8s.cluster.name': 'east' }, limit: 20 },
        SCOPE,
      );
      expect(result.traces.map((t) => t.traceID).sort()).toEqual([BIG, SMALL]);
      expect(result.truncatedTraces).toEqual([BIG]);
      const small = result.traces.find((t) => t.traceID === SMALL)!;
      expect(small).toMatchObject({ rootServiceName: 'api', durationMs: 11 });
      // The cut trace is summarized from the spans read (its newest 20,000): its start is theirs.
      const big = result.traces.find((t) => t.traceID === BIG)!;
      expect(BigInt(big.startTimeUnixNano)).toBeGreaterThan(BigInt(NOW) * 1_000_000n);
    },
  );
});
