import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePromQL } from '../../../libs/promql/parser.ts';
import { PROMQL_ANY } from '../../../libs/promql/parse-options.ts';
import type { SpanCountQuery } from '../../../libs/store/spans/span-count.ts';
import { SqliteSpanStore } from '../../../libs/store/spans/sqlite-span.store.ts';
import { compileGroup } from '../rules/compile.ts';
import { toSpanRuleQuery } from '../rules/span-rule-query.ts';
import { ruleTestSpans, spanDocs, times, type SpanSpec } from '../testing/span-fixtures.ts';
import { backtest } from './backtest.ts';
import { evaluateSpanRule, MAX_SPAN_GROUPS } from './span-rule.ts';

const NOW = Date.UTC(2026, 5, 1, 12);
const min = 60_000;
// ruleTestSpans, and 3 more cart spans 20 minutes ago.
const SPANS: SpanSpec[] = [
  ...ruleTestSpans(NOW),
  ...times(3, { cluster: 'east', service: 'cart', at: NOW - 20 * min }),
];

describe('span rules: evaluation over the SQLite span store', () => {
  const store = new SqliteSpanStore({ path: ':memory:' });
  beforeAll(async () => {
    await store.init();
    expect((await store.write(spanDocs(SPANS))).every((r) => r.ok)).toBe(true);
  });
  afterAll(() => store.close());

  const evaluate = async (expr: string, nowMs = NOW) =>
    (
      await evaluateSpanRule(toSpanRuleQuery(parsePromQL(expr, PROMQL_ANY)), {
        nowMs,
        store,
        clusters: ['east', 'west', 'north'],
        signal: AbortSignal.timeout(5000),
      })
    ).samples.sort((a, b) => JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)));

  it('counts per cluster and `by` fields', async () => {
    expect(await evaluate('sum by (service) (count_over_time(pharos_spans{status="error"}[5m])) > 0')).toEqual([
      { labels: { cluster: 'east', service: 'cart' }, value: 1 },
      { labels: { cluster: 'east', service: 'checkout' }, value: 4 },
    ]);
    expect(await evaluate('count_over_time(pharos_spans{service="checkout"}[5m]) > 10')).toEqual([
      { labels: { cluster: 'east' }, value: 21 },
    ]);
  });

  it('the error rate per service (the issue example), a group with no errors being 0', async () => {
    const rate =
      'sum by (service) (count_over_time(pharos_spans{status="error"}[5m])) / sum by (service) (count_over_time(pharos_spans[5m]))';
    expect(await evaluate(`${rate} > 0.05`)).toEqual([
      { labels: { cluster: 'east', service: 'cart' }, value: 0.5 },
      { labels: { cluster: 'east', service: 'checkout' }, value: 4 / 21 },
    ]);
    expect(await evaluate(`${rate} < 0.01`)).toEqual([{ labels: { cluster: 'west', service: 'checkout' }, value: 0 }]);
  });

  it('durations, kinds, names and tags as matchers; kinds, statuses and namespaces as labels', async () => {
    expect(await evaluate('count_over_time(pharos_spans{min_duration="500ms"}[5m]) > 0')).toEqual([
      { labels: { cluster: 'east' }, value: 1 },
    ]);
    expect(
      await evaluate('sum by (kind, name) (count_over_time(pharos_spans{kind="client", name="POST /pay"}[5m])) > 0'),
    ).toEqual([{ labels: { cluster: 'east', kind: 'client', name: 'POST /pay' }, value: 1 }]);
    expect(await evaluate('count_over_time(pharos_spans{tags="http.route=/c"}[5m]) > 0')).toEqual([
      { labels: { cluster: 'west' }, value: 10 },
    ]);
    expect(
      await evaluate('sum by (namespace, status) (count_over_time(pharos_spans{service="cart"}[5m])) > 0'),
    ).toEqual([
      { labels: { cluster: 'east', status: 'error' }, value: 1 },
      { labels: { cluster: 'east', status: 'unset' }, value: 1 },
    ]);
  });

  it('the share of slow spans stands for a latency quantile: p95 over 500ms when more than 5% are slower', async () => {
    expect(
      await evaluate(
        'sum by (service) (count_over_time(pharos_spans{min_duration="500ms"}[5m])) / sum by (service) (count_over_time(pharos_spans[5m])) > 0.04',
      ),
    ).toEqual([{ labels: { cluster: 'east', service: 'checkout' }, value: 1 / 21 }]);
  });

  it('fewer than N: a group seen in the window before and configured clusters without spans count as 0', async () => {
    expect(await evaluate('sum by (service) (count_over_time(pharos_spans[5m])) < 1', NOW + 5 * min)).toEqual([
      { labels: { cluster: 'east', service: 'cart' }, value: 0 },
      { labels: { cluster: 'east', service: 'checkout' }, value: 0 },
      { labels: { cluster: 'west', service: 'checkout' }, value: 0 },
    ]);
    expect(await evaluate('count_over_time(pharos_spans[5m]) < 1')).toEqual([
      { labels: { cluster: 'north' }, value: 0 },
    ]);
  });

  it('warns when there are more groups than it evaluates', async () => {
    const many = {
      countSpans: async (q: SpanCountQuery) => ({
        groups: [{ key: ['east', 'a'], count: 3 }].slice(0, q.limit),
        truncated: true,
      }),
    };
    const res = await evaluateSpanRule(
      toSpanRuleQuery(parsePromQL('sum by (service) (count_over_time(pharos_spans[5m])) > 1', PROMQL_ANY)),
      { nowMs: NOW, store: many, clusters: [], signal: AbortSignal.timeout(1000) },
    );
    expect(res.samples).toEqual([{ labels: { cluster: 'east', service: 'a' }, value: 3 }]);
    expect(res.warnings).toEqual([`more than ${MAX_SPAN_GROUPS} groups of spans; evaluated ${MAX_SPAN_GROUPS}`]);
  });

  it('backtests: pending, firing and resolved as the errors enter and leave the window', async () => {
    const group = compileGroup(
      {
        name: 'traces',
        rules: [
          {
            alert: 'Errors',
            expr: 'sum by (service) (count_over_time(pharos_spans{status="error"}[5m])) > 0',
            for: '1m',
          },
        ],
      },
      { type: 'api' },
      { defaultIntervalMs: min },
    );
    const sources = {
      federation: async () => Promise.reject(new Error('unused')),
      records: async () => Promise.reject(new Error('unused')),
      clusters: () => ['east', 'west'],
      spans: async () => store,
    };
    const res = await backtest(
      group,
      { start: NOW - min, end: NOW + 10 * min },
      { sources, resolvedRetentionMs: 15 * min, externalUrl: 'http://pharos.test', signal: AbortSignal.timeout(5000) },
    );
    // checkout's 4 errors are 2 minutes before NOW (the last 3 ms earlier), cart's one 1 minute before.
    expect(res.rules[0]?.errors).toEqual([]);
    expect(res.rules[0]?.episodes).toMatchObject([
      {
        labels: { service: 'checkout', cluster: 'east' },
        pendingAt: NOW - min,
        firingAt: NOW,
        resolvedAt: NOW + 4 * min,
      },
      { labels: { service: 'cart', cluster: 'east' }, pendingAt: NOW, firingAt: NOW + min, resolvedAt: NOW + 5 * min },
    ]);
  });
});
