import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpanDoc } from '../../schemas/span-doc.ts';
import { SqliteSpanStore } from './sqlite-span.store.ts';

const span = (n: number, over: Partial<SpanDoc>): SpanDoc =>
  ({
    id: `s${n}`,
    cluster: 'east',
    time: 1000 + n,
    ingestedAt: 0,
    traceId: n.toString(16).padStart(32, 'a'),
    spanId: n.toString(16).padStart(16, 'b'),
    parentSpanId: '',
    traceState: '',
    name: 'GET /',
    kind: 'SPAN_KIND_SERVER',
    serviceName: 'cart',
    startTime: '',
    endTime: '',
    durationInNanos: 1000,
    startTimeUnixNano: '0',
    endTimeUnixNano: '0',
    status: { code: 0 },
    traceGroup: null,
    attributes: {},
    resource: { attributes: {} },
    instrumentationScope: { name: '', version: '' },
    events: [],
    links: [],
    droppedAttributesCount: 0,
    ...over,
  }) as SpanDoc;

describe('SqliteSpanStore.countSpans', () => {
  const store = new SqliteSpanStore({ path: ':memory:' });
  beforeAll(async () => {
    await store.init();
    await store.write([
      span(1, { serviceName: 'pay', namespace: 'shop' }),
      span(2, { serviceName: 'cart', status: { code: 2 } }),
      span(3, { serviceName: 'cart' }),
      span(4, { serviceName: 'ledger', cluster: 'west', kind: 'SPAN_KIND_CLIENT' }),
    ]);
  });
  afterAll(() => store.close());

  it('counts per group, keys as text in `by` order, no namespace as ""', async () => {
    expect(await store.countSpans({ by: ['cluster', 'namespace', 'status'], limit: 10 })).toEqual({
      groups: [
        { key: ['east', '', '0'], count: 1 },
        { key: ['east', '', '2'], count: 1 },
        { key: ['east', 'shop', '0'], count: 1 },
        { key: ['west', '', '0'], count: 1 },
      ],
      truncated: false,
    });
  });

  it('keeps the first groups by key past the limit, and says so', async () => {
    expect(await store.countSpans({ by: ['service'], limit: 2 })).toEqual({
      groups: [
        { key: ['cart'], count: 2 },
        { key: ['ledger'], count: 1 },
      ],
      truncated: true,
    });
  });

  it('filters by status codes and the span query, one group without `by`, none when nothing matches', async () => {
    expect(await store.countSpans({ by: [], statusCodes: [0], kinds: ['SPAN_KIND_SERVER'], limit: 10 })).toEqual({
      groups: [{ key: [], count: 2 }],
      truncated: false,
    });
    expect(await store.countSpans({ by: [], statusCodes: [], limit: 10 })).toEqual({ groups: [], truncated: false });
    expect(await store.countSpans({ by: ['cluster'], start: 5000, limit: 10 })).toEqual({
      groups: [],
      truncated: false,
    });
  });
});
