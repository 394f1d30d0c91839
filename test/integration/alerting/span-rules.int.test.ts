import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenSearchSpanStore } from '../../../libs/store/spans/opensearch-span.store.ts';
import { SPAN_INDEX_HEAD } from '../../../libs/store/spans/opensearch-span.index.ts';
import type { SpanStore } from '../../../libs/store/spans/span-store.ts';
import { SqliteSpanStore } from '../../../libs/store/spans/sqlite-span.store.ts';
import { SqliteStateStore } from '../../../libs/store/state/sqlite-state.store.ts';
import type { StateStore } from '../../../libs/store/state-store.ts';
import type { AlertingModule } from '../../../services/alerting/alerting.module.ts';
import { queryRule, type RuleSources } from '../../../services/alerting/engine/rule-query.ts';
import { compileGroup, type AlertRule } from '../../../services/alerting/rules/compile.ts';
import { loadRuleFiles } from '../../../services/alerting/rules/rule-files.ts';
import { ruleTestSpans, spanDocs, times, type SpanSpec } from '../../../services/alerting/testing/span-fixtures.ts';
import { runId } from '../ingest/pipeline.helpers.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../stack/webhook-receiver.ts';
import { OPENSEARCH, openSearchStore, startModule } from './harness.ts';

/**
 * Alert rules over spans on both span stores: counts pushed to SQLite (GROUP BY) and OpenSearch (composite
 * aggregation), then an error-rate rule firing and resolving through the real engine and a webhook.
 */
const NOW = Date.UTC(2026, 5, 1, 12);
const min = 60_000;
const FIXED: SpanSpec[] = [
  ...ruleTestSpans(NOW),
  // More groups than one page of OpenSearch's composite aggregation (1,000).
  ...Array.from({ length: 1200 }, (_, i) => ({ cluster: 'north', service: 'many', name: `op-${i}`, at: NOW - min })),
];

type Made = { store: SpanStore; state: StateStore; cleanup: () => Promise<void> };
const ENGINES: [string, () => Promise<Made>][] = [
  [
    'SQLite',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'pharos-span-rules-'));
      const store = new SqliteSpanStore({ path: join(dir, 'records.db') });
      const state = new SqliteStateStore(join(dir, 'records.db'));
      await state.init();
      return { store, state, cleanup: async () => void (await Promise.all([store.close(), state.close()])) };
    },
  ],
  [
    'OpenSearch',
    async () => {
      const prefix = runId('span-rules');
      const store = new OpenSearchSpanStore({
        url: OPENSEARCH,
        indexPrefix: prefix,
        requestTimeoutMs: 30_000,
        shards: 1,
        replicas: 0,
      });
      const { store: state, drop } = await openSearchStore('span-rules');
      return {
        store,
        state,
        cleanup: async () => {
          await fetch(`${OPENSEARCH}/${SPAN_INDEX_HEAD}-${prefix}.*`, { method: 'DELETE' }).catch(() => undefined);
          await store.close();
          await state.close();
          await drop();
        },
      };
    },
  ],
];

const rule = (expr: string): AlertRule =>
  compileGroup({ name: 'g', rules: [{ alert: 'A', expr }] }, { type: 'api' }, { defaultIntervalMs: 60_000 })
    .rules[0] as AlertRule;
const ERROR_RATE =
  'sum by (service) (count_over_time(pharos_spans{status="error"}[5m])) / sum by (service) (count_over_time(pharos_spans[5m]))';

const EXAMPLE = 'docs/examples/trace-alert-rules.yaml';
const example = loadRuleFiles([EXAMPLE], { defaultIntervalMs: 60_000 });
const exampleRule = (name: string) => example.groups.flatMap((g) => g.rules).find((r) => r.name === name) as AlertRule;

describe('the example rule file of span rules', () => {
  it('passes promtool check rules and loads in Pharos as rules over spans', async () => {
    const { stdout } = await promisify(execFile)('promtool', ['check', 'rules', EXAMPLE]);
    expect(stdout).toContain('SUCCESS: 3 rules found');
    expect(example.problems).toEqual([]);
    const rules = example.groups.flatMap((g) => g.rules) as AlertRule[];
    expect(rules.map((r) => [r.name, r.source])).toEqual([
      ['ServiceErrorRate', 'spans'],
      ['ServiceSlowRequests', 'spans'],
      ['ServiceStoppedServing', 'spans'],
    ]);
  });
});

describe.each(ENGINES)('alert rules over spans (%s)', (_name, make) => {
  let made: Made;
  let sources: RuleSources;
  beforeAll(async () => {
    made = await make();
    await made.store.init();
    expect((await made.store.write(spanDocs(FIXED))).every((r) => r.ok)).toBe(true);
    await made.store.refresh();
    sources = {
      federation: async () => Promise.reject(new Error('unused')),
      records: async () => Promise.reject(new Error('unused')),
      clusters: () => ['east', 'west', 'north'],
      spans: async () => made.store,
    };
  });
  afterAll(async () => made?.cleanup());

  const evaluate = async (expr: string) =>
    (await queryRule(rule(expr), { nowMs: NOW, sources, signal: AbortSignal.timeout(30_000) })).samples.sort((a, b) =>
      JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)),
    );

  it('the error rate per service, counted by the store', async () => {
    expect(await evaluate(`${ERROR_RATE} > 0.05`)).toEqual([
      { labels: { cluster: 'east', service: 'cart' }, value: 0.5 },
      { labels: { cluster: 'east', service: 'checkout' }, value: 4 / 21 },
    ]);
  });

  it('durations, kinds, tags, and spans without a namespace grouped by it', async () => {
    expect(await evaluate('sum by (kind) (count_over_time(pharos_spans{min_duration="500ms"}[5m])) > 0')).toEqual([
      { labels: { cluster: 'east', kind: 'client' }, value: 1 },
    ]);
    expect(await evaluate('count_over_time(pharos_spans{tags="http.route=/c", namespace="shop"}[5m]) > 0')).toEqual([
      { labels: { cluster: 'west' }, value: 10 },
    ]);
    expect(
      await evaluate('sum by (namespace, status) (count_over_time(pharos_spans{cluster=~"east|west"}[10m])) > 0'),
    ).toEqual([
      { labels: { cluster: 'east', namespace: 'shop', status: 'error' }, value: 4 },
      { labels: { cluster: 'east', namespace: 'shop', status: 'unset' }, value: 17 },
      { labels: { cluster: 'east', status: 'error' }, value: 1 },
      { labels: { cluster: 'east', status: 'unset' }, value: 1 },
      { labels: { cluster: 'west', namespace: 'ledger', status: 'unset' }, value: 1 },
      { labels: { cluster: 'west', namespace: 'shop', status: 'unset' }, value: 10 },
    ]);
  });

  it('every group, past one page of groups', async () => {
    const samples = await evaluate('sum by (name) (count_over_time(pharos_spans{service="many"}[5m])) > 0');
    expect(samples).toHaveLength(1200);
    expect(new Set(samples.map((s) => s.labels.name)).size).toBe(1200);
    expect(samples.every((s) => s.value === 1 && s.labels.cluster === 'north')).toBe(true);
  });

  describe('through the alert engine', () => {
    let hook: WebhookReceiver;
    let module: AlertingModule;
    beforeAll(async () => {
      hook = await startWebhookReceiver();
    });
    afterAll(async () => {
      await module?.stop();
      await hook?.close();
    });

    const write = async (specs: SpanSpec[]) => {
      expect((await made.store.write(spanDocs(specs))).every((r) => r.ok)).toBe(true);
      await made.store.refresh();
    };

    it('fires an error-rate rule and resolves it when the rate falls', async () => {
      const rate = exampleRule('ServiceErrorRate');
      const live = { cluster: 'east', namespace: 'shop', service: 'payments', at: Date.now() - 1000 };
      await write([...times(7, live), ...times(3, { ...live, error: true })]);
      module = startModule({
        store: made.state,
        sources,
        receivers: [{ name: 'team', webhook_configs: [{ url: `${hook.url}/hook` }] }],
        holder: runId('span-rules'),
      });
      await module.catalog.create({
        name: 'traces',
        interval: '1s',
        // The example file's rule, evaluated every second and without its `for`.
        rules: [{ alert: 'ServiceErrorRate', expr: rate.expr, labels: rate.labels, annotations: rate.annotations }],
      });
      await module.start();
      const [fired] = await hook.waitForRequests(1, 60_000);
      expect(fired?.json).toMatchObject({
        status: 'firing',
        alerts: [
          {
            status: 'firing',
            labels: { alertname: 'ServiceErrorRate', cluster: 'east', service: 'payments', severity: 'warning' },
            annotations: { summary: 'payments in east: 30% of requests failed' },
          },
        ],
      });
      // 3 errors in 100 spans: 3%, under the threshold.
      await write(times(90, { ...live, at: Date.now() - 500 }));
      const [, resolved] = await hook.waitForRequests(2, 60_000);
      expect(resolved?.json).toMatchObject({
        status: 'resolved',
        alerts: [{ status: 'resolved', labels: { service: 'payments', cluster: 'east' } }],
      });
    });
  });
});
