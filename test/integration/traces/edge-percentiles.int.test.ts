import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpanEdgeDoc } from '../../../libs/schemas/span-edge.ts';
import { EXACT_PERCENTILE_CALLS } from '../../../libs/store/spans/opensearch-span-edges.ts';
import { spanStoreEngines } from './span-store-engines.ts';

/**
 * The topology's latency percentiles per edge on both stores (docs/traces.md "Figures"): nearest-rank and
 * exact up to EXACT_PERCENTILE_CALLS calls on both; above it exact on SQLite and within 0.1% of the
 * nearest-rank value on OpenSearch (an HDR histogram of three significant digits), with the counts exact.
 */
const NOW = Date.UTC(2026, 1, 3, 12);
const DAY = 86_400_000;

/** `n` calls from `source` to checkout, the i-th lasting `ms(i)` ms; every seventh failed. */
function edges(source: string, n: number, ms: (i: number) => number): SpanEdgeDoc[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${source}-${i}`,
    cluster: 'east',
    time: NOW + i,
    traceId: `${source}-t${i}`,
    clientSpanId: `c${i}`,
    serverSpanId: `s${i}`,
    sourceCluster: 'west',
    sourceNamespace: 'shop',
    sourceService: source,
    targetCluster: 'east',
    targetNamespace: 'pay',
    targetService: 'checkout',
    type: 'request',
    failed: i % 7 === 0,
    durationInNanos: ms(i) * 1_000_000,
  }));
}

/** Nearest rank, as docs/traces.md defines p50/p95: the ceil(q·n)-th smallest. */
const nearestRank = (sorted: number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;

// A permutation of 1..n ms (written in no order), so a wrong sort or rank shows.
const shuffled = (n: number) => (i: number) => ((i * 37) % n) + 1;
const SMALL = EXACT_PERCENTILE_CALLS;
const LARGE = 2_503;

describe.each(spanStoreEngines('edgepct', 30_000))('topology percentiles: %s', (name, make) => {
  const store = make();
  beforeAll(async () => {
    await store.init();
    await store.writeEdges([...edges('small', SMALL, shuffled(SMALL)), ...edges('large', LARGE, shuffled(LARGE))]);
    await store.refresh();
  });
  afterAll(async () => {
    await store.deleteOlderThan(new Date(NOW + 10 * DAY)).catch(() => undefined);
    await store.close();
  });
  const edge = async (source: string) => {
    const { groups } = await store.edgeAggregates({ start: NOW - 60_000, end: NOW + 60_000 }, 100);
    return groups.find((g) => g.source.service === source)!;
  };

  it(`is exact nearest-rank for an edge of ${SMALL} calls`, async () => {
    const e = await edge('small');
    const sorted = Array.from({ length: SMALL }, (_, i) => i + 1);
    expect([e.requests, e.errors, e.p50Ms, e.p95Ms]).toEqual([
      SMALL,
      Math.ceil(SMALL / 7),
      nearestRank(sorted, 0.5),
      nearestRank(sorted, 0.95),
    ]);
  });

  it(`counts an edge of ${LARGE} calls exactly and its percentiles within 0.1%`, async () => {
    const e = await edge('large');
    const sorted = Array.from({ length: LARGE }, (_, i) => i + 1);
    expect([e.requests, e.errors]).toEqual([LARGE, Math.ceil(LARGE / 7)]);
    const within = name === 'SQLite' ? 0 : 0.001;
    for (const [got, q] of [
      [e.p50Ms, 0.5],
      [e.p95Ms, 0.95],
    ] as const) {
      const want = nearestRank(sorted, q);
      expect(Math.abs(got - want)).toBeLessThanOrEqual(want * within);
    }
  });
});
