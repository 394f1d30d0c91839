import { Client } from '@opensearch-project/opensearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineConfig, runId } from '../ingest/pipeline.helpers.ts';
import { OPENSEARCH_URL } from '../records/record-engines.ts';
import { buildFullApp, type FullApp } from './full-app.ts';
import { seedRecords } from './records-seed.ts';
import { CONTRACT_APIS, type Answer } from './scope-contract-apis.ts';
import {
  ALERT_KEYS,
  allows,
  as,
  AT,
  contractTokens,
  dashboardOf,
  EMPTY_SCOPES,
  emptyJwt,
  jwtConfig,
  ruleOf,
  SCOPED,
  SCOPES,
  seedSpans,
  SILENCES,
  type TokenName,
} from './scope-contract-fixtures.ts';

/**
 * Issue 20, item 3: every public read API over the same scoped fixtures, on both backends (records in several clusters
 * and
 * namespaces and without a namespace, the fixture Prometheus servers, spans, alerts, silences, rule groups,
 * dashboards), with tokens scoped to `*`, one namespace, one cluster and namespace, several of each, one
 * cluster only, and JWTs with empty lists. Each API shows exactly the data `allows` (one rule, written from
 * docs/security.md) lets through — what the admin sees, filtered — or, for an empty list, 403.
 */
async function until(ok: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the rule engine did not fire the contract rules');
}

/** The embedded default, and Kafka + OpenSearch (records, spans and state on OpenSearch) under a fresh prefix. */
const BACKENDS: Array<[string, () => Record<string, unknown>]> = [
  ['the embedded default (SQLite + in-process bus)', () => ({})],
  [
    'Kafka + OpenSearch',
    () => {
      const { storage, bus } = engineConfig(runId('scopecontract'), '');
      return { storage, bus };
    },
  ],
];

async function dropIndices(overrides: Record<string, unknown>): Promise<void> {
  const prefix = (overrides.storage as { indexPrefix?: string } | undefined)?.indexPrefix;
  if (!prefix) return;
  const client = new Client({ node: OPENSEARCH_URL });
  try {
    const opts = { ignore_unavailable: true, allow_no_indices: true, expand_wildcards: 'all' } as const;
    await client.indices.delete({ index: `${prefix}*`, ...opts });
    await client.indices.delete({ index: `otel-v1-apm-span-${prefix}.*`, ...opts });
    await client.indices.deleteIndexTemplate({ name: `${prefix}*` }).catch(() => undefined);
  } finally {
    await client.close();
  }
}

describe.each(BACKENDS)('the scope contract, on %s', (_name, backend) => {
  let full: FullApp;
  const overrides = backend();
  const admin: Record<string, Answer> = {};

  beforeAll(async () => {
    full = await buildFullApp({
      ...overrides,
      auth: { tokens: contractTokens(), jwt: jwtConfig, rateLimit: { perSecond: 0 } },
    });
    await seedRecords(full);
    await seedSpans(full, Date.now());
    const startsAt = new Date().toISOString();
    const posted = await full.app.inject({
      method: 'POST',
      url: '/alertmanager/api/v2/alerts',
      headers: as('admin'),
      payload: ALERT_KEYS.map((k) => {
        const [cluster, ns] = k.split('/') as [string, string];
        return {
          labels: { alertname: 'ContractProbe', cluster, ...(ns === '-' ? {} : { namespace: ns }) },
          annotations: {},
          startsAt,
        };
      }),
    });
    expect(posted.statusCode, posted.body).toBe(200);
    // Alerts of the rule engine: one rule per key, firing at once (`vector(1)`, no `for`).
    const group = await full.app.inject({
      method: 'POST',
      url: '/v1/alert-rules',
      headers: as('admin'),
      payload: { name: 'contract', interval: '1s', rules: ALERT_KEYS.map(ruleOf) },
    });
    expect(group.statusCode, group.body).toBe(201);
    await until(async () => {
      const res = await full.app.inject({ url: '/v1/alerts?alertname=ContractRule', headers: as('admin') });
      return (res.json() as { alerts: unknown[] }).alerts.length === ALERT_KEYS.length;
    });
    const endsAt = new Date(Date.now() + 3_600_000).toISOString();
    for (const s of SILENCES) {
      const res = await full.app.inject({
        method: 'POST',
        url: '/alertmanager/api/v2/silences',
        headers: as('admin'),
        payload: {
          matchers: s.matchers.map((m) => ({ ...m, isEqual: true })),
          startsAt,
          endsAt,
          createdBy: 'contract',
          comment: s.key,
        },
      });
      expect(res.statusCode, res.body).toBe(200);
    }
    for (const name of Object.keys(SCOPES) as TokenName[]) {
      const res = await full.app.inject({
        method: 'POST',
        url: '/v1/dashboards',
        headers: as(name),
        payload: dashboardOf(name),
      });
      expect(res.statusCode, `${name}: ${res.body}`).toBe(201);
    }
    for (const api of CONTRACT_APIS) admin[api.name] = await api.read(full, as('admin'));
  }, 120_000);
  afterAll(async () => {
    await full?.close();
    await dropIndices(overrides);
  });

  it.each(CONTRACT_APIS.map((a) => a.name))('the admin sees data no restricted token may see: %s', (name) => {
    const answer = admin[name] as Answer;
    expect(answer.status, name).toBe(200);
    expect(answer.keys.length, name).toBeGreaterThan(0);
    const hidden = answer.keys.filter((k) => !allows(SCOPES.payments, k) || !allows(SCOPES.eastAll, k));
    expect(hidden.length, `${name}: ${answer.keys.join(' ')}`).toBeGreaterThan(0);
  });

  it.each(SCOPED)('a %s token sees exactly what its scope allows, on every API', async (token) => {
    const wrong: string[] = [];
    for (const api of CONTRACT_APIS) {
      const answer = await api.read(full, as(token));
      const expected = (admin[api.name] as Answer).keys.filter((k) => allows(SCOPES[token], k));
      if (answer.status !== 200 || JSON.stringify(answer.keys) !== JSON.stringify(expected))
        wrong.push(`${api.name}: ${answer.status} [${answer.keys.join(' ')}], expected [${expected.join(' ')}]`);
    }
    expect(wrong).toEqual([]);
  });

  // Asking by name for data outside the scope: records and spans refuse it (403, so a token cannot probe
  // another team's namespace), stored objects are absent (404), PromQL can only narrow (docs/security.md).
  it.each([
    { token: 'payments', url: '/v1/logs?namespace=shop', status: 403 },
    { token: 'eastPayments', url: '/v1/events/stats?by=reason&cluster=west', status: 403 },
    { token: 'several', url: '/v1/audit/export?namespace=payments,default', status: 403 },
    { token: 'payments', url: '/v1/topology?namespace=shop', status: 403 },
    { token: 'eastAll', url: '/v1/topology?cluster=west', status: 403 },
    { token: 'payments', url: '/v1/dashboards/contract-several', status: 404 },
    { token: 'eastAll', url: '/v1/dashboards/contract-several', status: 404 },
    {
      token: 'payments',
      url: `/prometheus/api/v1/query?query=${encodeURIComponent('kube_pod_info{namespace="kube-system"}')}&time=${AT}`,
      status: 200,
      empty: true,
    },
    { token: 'eastPayments', url: `/v1/metrics/pod?cluster=west&time=${AT}`, status: 200, empty: true },
  ] as const)('$token asking for $url gets $status', async (c) => {
    const res = await full.app.inject({ url: c.url, headers: as(c.token) });
    expect(res.statusCode, res.body.slice(0, 200)).toBe(c.status);
    if (c.status === 403) expect(res.body).toContain('PHAROS_ERR_FORBIDDEN');
    if ('empty' in c) {
      const body = res.json() as { data?: { result: unknown[] }; results?: Array<{ data?: { result: unknown[] } }> };
      const results = body.data ? [body.data] : (body.results ?? []).map((r) => r.data ?? { result: [] });
      expect(results.flatMap((r) => r.result)).toEqual([]);
    }
  });

  it.each(EMPTY_SCOPES)('a JWT whose scope is %o gets 403 on every API', async (scope) => {
    const headers = await emptyJwt(scope, `contract-empty-${scope.clusters.length}`);
    const wrong: string[] = [];
    for (const api of CONTRACT_APIS) {
      const answer = await api.read(full, headers);
      if (answer.status !== 403 || answer.keys.length) wrong.push(`${api.name}: ${answer.status}`);
    }
    expect(wrong).toEqual([]);
  });
});
