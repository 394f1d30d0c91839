import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex, TokenAuthenticator } from '../../../libs/auth/token-authenticator.ts';
import { configSchema } from '../../../libs/config/config.schema.ts';
import { buildApp } from '../../../libs/http/app.ts';
import { createLogger } from '../../../libs/logging/logger.ts';
import { Resources } from '../../../libs/runtime/resources.ts';
import { SqliteStateStore } from '../../../libs/store/state/sqlite-state.store.ts';
import { freePort } from '../../../scripts/deploy/image-layout.ts';
import { AlertingModule } from '../../../services/alerting/alerting.module.ts';
import { alertingPlugin, processSources } from '../../../services/alerting/alerting.features.ts';
import { CLUSTER_NAMES, PROMETHEUS_PORTS } from '../../fixtures/prometheus/generate.ts';
import { until } from '../../support/until.ts';

/**
 * /prometheus/api/v1/rules and /alerts against a real Prometheus 2.42 (Debian) evaluating the same rule file:
 * same keys at every level, same values, except what must differ:
 * - evaluationTime, lastEvaluation (group and rule), activeAt: each evaluates on its own clock;
 * - health of the recording rule: "unknown" in Pharos, which loads recording rules but does not evaluate them
 *   (no TSDB to write to, docs/alerting.md), "ok" in Prometheus; its evaluationTime is 0 and lastEvaluation the
 *   zero time for the same reason.
 */
const RULES = `groups:
- name: shapes
  interval: 1s
  rules:
  - alert: AlwaysFiring
    expr: vector(1) > 0
    labels: { severity: info }
    annotations: { summary: 'value {{ $value }}' }
  - alert: StillPending
    expr: vector(2.5)
    for: 1h
    keep_firing_for: 5m
  - alert: NeverFires
    expr: vector(1)<0
  - alert: Missing
    expr: absent(pharos_metric_nobody_has{job="ghost"})
    annotations: { description: 'no {{ $labels.job }}' }
  - alert: EastOnly
    expr: label_replace(vector(3), "cluster", "east", "", "")
    labels: { team: ops }
  - record: job:up:sum
    expr: sum by (job)(up)
`;

const TOKEN = 'rules-api-token-0123456789';
const VOLATILE = new Set(['evaluationTime', 'lastEvaluation', 'activeAt']);

/** Replaces the values that must differ by their type, so the rest compares exactly. */
function normalise(v: unknown, key = ''): unknown {
  if (VOLATILE.has(key)) return typeof v;
  if (Array.isArray(v)) return v.map((x) => normalise(x));
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, x]) => [k, normalise(x, k)]),
    );
  return v;
}

/** The recording rule's health is the one value that must differ (see above). */
function comparable(x: { data: { groups: Record<string, unknown>[] } }): unknown {
  for (const g of x.data.groups)
    for (const r of g.rules as Record<string, unknown>[])
      if (r.type === 'recording') r.health = 'differs (not evaluated by Pharos)';
  return normalise(x);
}

describe('Prometheus rules and alerts API, against Prometheus 2.42 with the same rule file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-rules-api-'));
  const ruleFile = join(dir, 'rules.yml');
  let prom: ChildProcess;
  let promUrl = '';
  let app: FastifyInstance;
  let module: AlertingModule;
  let store: SqliteStateStore;

  beforeAll(async () => {
    writeFileSync(ruleFile, RULES);
    writeFileSync(join(dir, 'prometheus.yml'), `global:\n  evaluation_interval: 1s\nrule_files:\n  - ${ruleFile}\n`);
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    prom = spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: 'ignore' },
    );
    const config = configSchema.parse({
      clusters: CLUSTER_NAMES.map((name) => ({
        name,
        prometheus: { url: `http://127.0.0.1:${PROMETHEUS_PORTS[name]}` },
      })),
      alerting: { ruleFiles: [ruleFile], notification: { tick: '200ms' } },
    });
    const ctx = {
      config,
      logger: createLogger('silent'),
      metrics: new Registry(),
      authenticator: new TokenAuthenticator([]),
      resources: new Resources(),
    };
    store = new SqliteStateStore(join(dir, 'state.db'));
    await store.init();
    module = new AlertingModule({
      config: config.alerting,
      store,
      sources: processSources(ctx),
      logger: ctx.logger,
      metrics: ctx.metrics,
      externalUrl: 'http://pharos.test',
      tickMs: 200,
    });
    await module.start();
    const authenticator = new TokenAuthenticator([]);
    authenticator.add({ name: 'grafana', tokenSha256: sha256Hex(TOKEN), role: 'viewer' });
    authenticator.add({
      name: 'east-only',
      tokenSha256: sha256Hex(`${TOKEN}-east`),
      role: 'viewer',
      scope: { clusters: ['east'], namespaces: ['*'] },
    });
    authenticator.add({
      name: 'west-only',
      tokenSha256: sha256Hex(`${TOKEN}-west`),
      role: 'viewer',
      scope: { clusters: ['west'], namespaces: ['*'] },
    });
    app = await buildApp({
      logger: createLogger('silent'),
      metrics: new Registry(),
      authenticator,
      features: [{ name: 'alerting', routes: alertingPlugin(async () => module) }],
    });
    await until(
      async () =>
        (
          (await (await fetch(`${promUrl}/api/v1/rules`).catch(() => undefined))?.json().catch(() => undefined)) as
            { data?: { groups?: { rules: { lastEvaluation: string }[] }[] } } | undefined
        )?.data?.groups?.[0]?.rules.every((r) => !r.lastEvaluation.startsWith('0001')) === true,
      30_000,
      'prometheus evaluated the rules',
    );
    await until(
      async () => (await pharos('/prometheus/api/v1/alerts')).data.alerts.length >= 4,
      30_000,
      'pharos evaluated the rules',
    );
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await module?.stop();
    await store?.close();
    if (prom && prom.exitCode === null) {
      prom.kill('SIGTERM');
      await new Promise((r) => prom.once('exit', r));
    }
  });

  async function pharos(path: string, token = TOKEN) {
    const res = await app.inject({ method: 'GET', url: path, headers: { authorization: `Bearer ${token}` } });
    return res.json() as {
      status: string;
      data: { groups: Record<string, unknown>[]; alerts: Record<string, unknown>[] };
      errorType?: string;
    };
  }
  const prometheus = async (path: string) =>
    (await (await fetch(`${promUrl}${path}`)).json()) as Awaited<ReturnType<typeof pharos>>;

  it('answers /api/v1/rules in the same shape with the same values', async () => {
    const [p, q] = await Promise.all([pharos('/prometheus/api/v1/rules'), prometheus('/api/v1/rules')]);
    const recording = (x: Awaited<ReturnType<typeof pharos>>) =>
      (x.data.groups[0]?.rules as Record<string, unknown>[]).find((r) => r.type === 'recording');
    expect(recording(p)).toMatchObject({ health: 'unknown', lastEvaluation: '0001-01-01T00:00:00Z' });
    expect(recording(q)).toMatchObject({ health: 'ok' });
    expect(comparable(p)).toEqual(comparable(q));
  });

  it('answers /api/v1/alerts in the same shape with the same values', async () => {
    const [p, q] = await Promise.all([pharos('/prometheus/api/v1/alerts'), prometheus('/api/v1/alerts')]);
    const order = (x: Awaited<ReturnType<typeof pharos>>) =>
      (normalise(x.data.alerts) as unknown[]).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
    expect(order(p)).toEqual(order(q));
    expect(p.data.alerts.map((a) => a.state).sort()).toEqual(['firing', 'firing', 'firing', 'pending']);
  });

  it('filters by type as Prometheus 2.42 does, and refuses an unknown type', async () => {
    for (const query of ['type=record', 'type=alert', 'type=ALERT']) {
      const [p, q] = await Promise.all([
        pharos(`/prometheus/api/v1/rules?${query}`),
        prometheus(`/api/v1/rules?${query}`),
      ]);
      expect({ query, answer: comparable(p) }).toEqual({ query, answer: comparable(q) });
    }
    const [bad, promBad] = await Promise.all([
      pharos('/prometheus/api/v1/rules?type=nope'),
      prometheus('/api/v1/rules?type=nope'),
    ]);
    expect(bad).toMatchObject({ status: 'error', errorType: promBad.errorType });
  });

  // Filters Prometheus 2.42 ignores and 2.44+/3.x apply (web/api/v1/api.go rules(): rule_name[], rule_group[],
  // file[], exclude_alerts, match[]): checked on Pharos alone, against what their documentation says.
  it('applies the newer filters: rule_name[], rule_group[], file[], match[], exclude_alerts', async () => {
    const names = async (query: string) =>
      (await pharos(`/prometheus/api/v1/rules?${query}`)).data.groups.flatMap((g) =>
        (g.rules as { name: string }[]).map((r) => r.name),
      );
    expect(await names('rule_name[]=Missing&rule_name[]=NeverFires')).toEqual(['NeverFires', 'Missing']);
    expect(await names('rule_group[]=other')).toEqual([]);
    expect(await names(`file[]=${encodeURIComponent(ruleFile)}&type=record`)).toEqual(['job:up:sum']);
    expect(await names(`match[]=${encodeURIComponent('{severity="info"}')}`)).toEqual(['AlwaysFiring']);
    const without = await pharos('/prometheus/api/v1/rules?exclude_alerts=true');
    expect((without.data.groups[0]?.rules as Record<string, unknown>[]).some((r) => 'alerts' in r)).toBe(false);
    expect(await pharos('/prometheus/api/v1/rules?match[]=up%5B')).toMatchObject({
      status: 'error',
      errorType: 'bad_data',
    });
  });

  it('is scoped: a token restricted to one cluster sees no rule groups and only alerts of its cluster', async () => {
    const p = await pharos('/prometheus/api/v1/rules', `${TOKEN}-east`);
    expect(p.data.groups).toEqual([]);
    // Only EastOnly carries a cluster label; the others (vector() and absent() aggregate every cluster away) are out
    // of a restricted scope, as everywhere.
    expect(
      (await pharos('/prometheus/api/v1/alerts', `${TOKEN}-east`)).data.alerts.map(
        (a) => (a.labels as Record<string, string>).alertname,
      ),
    ).toEqual(['EastOnly']);
    expect((await pharos('/prometheus/api/v1/alerts', `${TOKEN}-west`)).data.alerts).toEqual([]);
  });
});
