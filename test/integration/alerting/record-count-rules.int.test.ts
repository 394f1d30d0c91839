import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditDoc, EventDoc, LogDoc } from '../../../libs/schemas/records.ts';
import { OpenSearchRecordStore } from '../../../libs/store/opensearch/opensearch-record.store.ts';
import type { RecordStore } from '../../../libs/store/record-store.ts';
import { SqliteRecordStore } from '../../../libs/store/sqlite/sqlite-record.store.ts';
import { queryRule, type RuleSources } from '../../../services/alerting/engine/rule-query.ts';
import { compileGroup, type AlertRule } from '../../../services/alerting/rules/compile.ts';
import { loadRuleFiles } from '../../../services/alerting/rules/rule-files.ts';

const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);
const min = 60_000;
let seq = 0;
const base = (cluster: string, namespace: string | undefined, ago: number) => ({
  id: `it-${seq++}`,
  cluster,
  ...(namespace ? { namespace } : {}),
  time: NOW - ago,
  ingestedAt: NOW - ago,
});
const event = ({
  cluster,
  namespace,
  name,
  reason,
  ago,
}: {
  cluster: string;
  namespace: string;
  name: string;
  reason: string;
  ago: number;
}): EventDoc => ({
  ...base(cluster, namespace, ago),
  kind: 'events',
  reason,
  type: 'Warning',
  name,
  objectKind: 'Pod',
  message: `${reason} for ${name}`,
});
const audit = (cluster: string, over: Partial<AuditDoc>, ago: number): AuditDoc => ({
  ...base(cluster, over.namespace, ago),
  kind: 'audit',
  auditID: `a-${seq}`,
  stage: 'ResponseComplete',
  verb: 'get',
  user: 'alice',
  code: 200,
  ...over,
});
const log = (cluster: string, namespace: string, ago: number): LogDoc => ({
  ...base(cluster, namespace, ago),
  kind: 'logs',
  message: 'payment accepted',
  pod: 'pay-1',
});

const DOCS = {
  events: [
    ...[1, 2, 3].map((m) =>
      event({ cluster: 'east', namespace: 'shop', name: 'cart-1', reason: 'BackOff', ago: m * min }),
    ),
    ...[1, 2].map((m) =>
      event({ cluster: 'west', namespace: 'shop', name: 'cart-1', reason: 'BackOff', ago: m * min }),
    ),
    event({ cluster: 'east', namespace: 'shop', name: 'cart-2', reason: 'BackOff', ago: 30 * min }),
    event({ cluster: 'west', namespace: 'db', name: 'pg-0', reason: 'FailedMount', ago: 2 * min }),
  ],
  audit: [
    audit(
      'east',
      { namespace: 'shop', verb: 'create', resource: 'pods', subresource: 'exec', name: 'cart-1', user: 'bob' },
      1 * min,
    ),
    audit('east', { namespace: 'shop', resource: 'secrets', name: 'db-creds', user: 'alice' }, 2 * min),
    audit(
      'east',
      { namespace: 'shop', resource: 'secrets', name: 'db-creds', user: 'system:serviceaccount:shop:app' },
      2 * min,
    ),
    audit(
      'west',
      {
        namespace: 'ci',
        verb: 'create',
        resource: 'pods',
        user: 'mallory',
        raw: { requestObject: { spec: { containers: [{ securityContext: { privileged: true } }] } } },
      },
      1 * min,
    ),
    audit(
      'west',
      {
        namespace: 'ci',
        verb: 'create',
        resource: 'pods',
        user: 'carol',
        raw: { requestObject: { spec: { containers: [{}] } } },
      },
      1 * min,
    ),
    ...Array.from({ length: 25 }, (_, i) =>
      audit('north', { resource: 'nodes', user: 'scanner', code: 403 }, (i % 4) * min + 1000),
    ),
  ],
  logs: [log('east', 'payments', 15 * min), log('west', 'payments', 15 * min), log('west', 'payments', 3 * min)],
};

const engines: [string, () => Promise<{ store: RecordStore; cleanup: () => Promise<void> }>][] = [
  [
    'sqlite',
    async () => {
      const store = new SqliteRecordStore({ path: join(mkdtempSync(join(tmpdir(), 'pharos-rr-')), 'records.db') });
      return { store, cleanup: () => store.close() };
    },
  ],
  [
    'opensearch',
    async () => {
      const prefix = `pharos-it-rr-${Date.now().toString(36)}`;
      const store = new OpenSearchRecordStore({
        url: 'http://127.0.0.1:9200',
        indexPrefix: prefix,
        requestTimeoutMs: 30_000,
        shards: 1,
        replicas: 0,
      });
      return {
        store,
        cleanup: async () => {
          await fetch(`http://127.0.0.1:9200/${prefix}-*`, { method: 'DELETE' }).catch(() => undefined);
          await store.close();
        },
      };
    },
  ],
];

const { groups } = loadRuleFiles(['alert-rules/*.yaml'], { defaultIntervalMs: 60_000 });
const shipped = (name: string) => groups.flatMap((g) => g.rules).find((r) => r.name === name) as AlertRule;

describe.each(engines)('record-count rules (%s)', (_name, make) => {
  let store: RecordStore;
  let cleanup: () => Promise<void>;
  let sources: RuleSources;
  beforeAll(async () => {
    ({ store, cleanup } = await make());
    await store.init();
    for (const kind of ['events', 'audit', 'logs'] as const) {
      const results = await store.write(kind, DOCS[kind]);
      expect(results.every((r) => r.ok)).toBe(true);
      await store.refresh(kind);
    }
    sources = {
      federation: async () => Promise.reject(new Error('unused')),
      records: async () => store,
      clusters: () => ['east', 'west', 'north'],
    };
  });
  afterAll(async () => cleanup?.());

  const fire = async (rule: AlertRule) =>
    (await queryRule(rule, { nowMs: NOW, sources, signal: AbortSignal.timeout(30_000) })).samples.sort((a, b) =>
      JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)),
    );

  it('at least N matches in a window, per grouping fields (KubePodBackOff: ≥ 3 in 10m per pod)', async () => {
    expect(await fire(shipped('KubePodBackOff'))).toEqual([
      { labels: { cluster: 'east', namespace: 'shop', name: 'cart-1' }, value: 3 },
    ]);
  });

  it('any match (KubeFailedMount, KubeExecIntoPod)', async () => {
    expect(await fire(shipped('KubeFailedMount'))).toEqual([
      { labels: { cluster: 'west', namespace: 'db', name: 'pg-0' }, value: 1 },
    ]);
    expect(await fire(shipped('KubeExecIntoPod'))).toEqual([
      { labels: { cluster: 'east', namespace: 'shop', name: 'cart-1', user: 'bob' }, value: 1 },
    ]);
  });

  it('checks matchers the store cannot (user!~, raw=~) in Pharos', async () => {
    expect(await fire(shipped('KubeSecretReadByUser'))).toEqual([
      { labels: { cluster: 'east', namespace: 'shop', user: 'alice' }, value: 1 },
    ]);
    expect(await fire(shipped('KubePrivilegedPodCreated'))).toEqual([
      { labels: { cluster: 'west', namespace: 'ci', user: 'mallory' }, value: 1 },
    ]);
  });

  it('bursts of 403 per user', async () => {
    expect(await fire(shipped('KubeForbiddenBurst'))).toEqual([
      { labels: { cluster: 'north', user: 'scanner' }, value: 25 },
    ]);
  });

  it('fewer than N in a window (flatline), including clusters with nothing at all', async () => {
    const group = compileGroup(
      {
        name: 'flat',
        rules: [{ alert: 'PaymentsQuiet', expr: 'count_over_time(pharos_logs{namespace="payments"}[10m]) < 1' }],
      },
      { type: 'api' },
      { defaultIntervalMs: 60_000 },
    );
    expect(await fire(group.rules[0] as AlertRule)).toEqual([
      { labels: { cluster: 'east' }, value: 0 },
      { labels: { cluster: 'north' }, value: 0 },
    ]);
  });
});
