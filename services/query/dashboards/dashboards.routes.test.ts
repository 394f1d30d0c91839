import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenAuthenticator } from '../../../libs/auth/token-authenticator.ts';
import { configSchema } from '../../../libs/config/config.schema.ts';
import { buildApp } from '../../../libs/http/app.ts';
import { createLogger } from '../../../libs/logging/logger.ts';
import { createMetricsRegistry } from '../../../libs/metrics/metrics.ts';
import { Resources } from '../../../libs/runtime/resources.ts';
import { dashboardsFeature } from './dashboards.feature.ts';
import { FakeMetrics, FakeRecords } from './testing/fake-backends.ts';
import { MemoryStateStore } from './testing/memory-state-store.ts';

const ADMIN = { authorization: 'Bearer admin-token-0123456789' };
const VIEWER = { authorization: 'Bearer viewer-token-0123456789' };
const SCOPED = { authorization: 'Bearer scoped-token-0123456789' };

const metrics = new FakeMetrics({
  kube_pod_info: [
    { cluster: 'east', namespace: 'default', pod: 'web-1' },
    { cluster: 'east', namespace: 'payments', pod: 'api-1' },
  ],
  up: [{ cluster: 'east', job: 'node' }],
});
const records = new FakeRecords();

/** A user dashboard exercising every substitution form, a failing panel, a missing metric and a collapsed row. */
const userDashboard = {
  id: 'team-view',
  title: 'Team view',
  variables: [
    { type: 'query', name: 'ns', query: 'label_values(kube_pod_info, namespace)', multi: true, includeAll: true },
    { type: 'custom', name: 'job', options: ['node', 'api'] },
  ],
  rows: [
    {
      title: 'Main',
      panels: [
        {
          type: 'timeseries',
          title: 'Pods in $ns',
          targets: [{ expr: 'count by (namespace) (kube_pod_info{namespace=~"$ns"})', legendFormat: '{{namespace}}' }],
        },
        {
          type: 'stat',
          title: 'Up',
          targets: [{ expr: 'sum(up{job="${job}"}) + sum(up{job="[[job]]"})', instant: true }],
        },
        { type: 'stat', title: 'Broken', targets: [{ expr: 'boom_total' }] },
        { type: 'timeseries', title: 'Missing', targets: [{ expr: 'rate(not_a_metric_total[$__rate_interval])' }] },
      ],
    },
    {
      title: 'More',
      collapsed: true,
      panels: [
        {
          type: 'events',
          title: 'Events',
          targets: [{ datasource: 'events', filters: { namespace: '$ns', type: 'Warning' } }],
        },
        { type: 'text', title: 'Notes', content: 'Namespaces: ${ns:csv}' },
      ],
    },
  ],
};

describe('/v1/dashboards', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    const config = configSchema.parse({ dashboards: { dir: resolve(import.meta.dirname, '../../../dashboards') } });
    const authenticator = new TokenAuthenticator([
      { name: 'admin', token: 'admin-token-0123456789', role: 'admin' },
      { name: 'viewer', token: 'viewer-token-0123456789', role: 'viewer' },
      {
        name: 'scoped',
        token: 'scoped-token-0123456789',
        role: 'viewer',
        scope: { clusters: ['*'], namespaces: ['payments'] },
      },
    ]);
    const ctx = {
      config,
      logger: createLogger('silent'),
      metrics: createMetricsRegistry(),
      authenticator,
      resources: new Resources(),
    };
    const store = new MemoryStateStore();
    const feature = dashboardsFeature(ctx, {
      stateStore: async () => store,
      metrics: async () => metrics,
      records: async () => records,
    });
    app = await buildApp({ logger: ctx.logger, metrics: ctx.metrics, authenticator, features: [feature] });
  });
  afterAll(() => app.close());

  it('lists the built-in dashboards, which are read-only', async () => {
    const list = await app.inject({ url: '/v1/dashboards', headers: VIEWER });
    expect(list.statusCode).toBe(200);
    const ids = list.json().dashboards.map((d: { id: string }) => d.id);
    expect(ids).toEqual(
      expect.arrayContaining(['cluster-overview', 'node', 'namespace', 'workload', 'events', 'audit']),
    );
    const put = await app.inject({
      method: 'PUT',
      url: '/v1/dashboards/node',
      headers: ADMIN,
      payload: { title: 'x' },
    });
    expect(put.statusCode).toBe(409);
    expect(put.json().error.message).toMatch(/read-only/);
    expect((await app.inject({ method: 'DELETE', url: '/v1/dashboards/node', headers: ADMIN })).statusCode).toBe(409);
  });

  it('creates, updates with history, guards concurrent edits and deletes', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/v1/dashboards',
      headers: ADMIN,
      payload: { title: 'Scratch pad', rows: [] },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ id: 'scratch-pad', version: 1, builtin: false, author: 'admin' });
    const updated = await app.inject({
      method: 'PUT',
      url: '/v1/dashboards/scratch-pad',
      headers: { ...ADMIN, 'if-match': '1' },
      payload: { title: 'Scratch pad 2' },
    });
    expect(updated.json()).toMatchObject({ version: 2, dashboard: { title: 'Scratch pad 2' } });
    const stale = await app.inject({
      method: 'PUT',
      url: '/v1/dashboards/scratch-pad',
      headers: { ...ADMIN, 'if-match': '1' },
      payload: { title: 'lost update' },
    });
    expect(stale.statusCode).toBe(409);
    expect((await app.inject({ url: '/v1/dashboards/scratch-pad/versions', headers: VIEWER })).json().versions).toEqual(
      [expect.objectContaining({ dashboardId: 'scratch-pad', version: 1, author: 'admin' })],
    );
    expect(
      (await app.inject({ url: '/v1/dashboards/scratch-pad/versions/1', headers: VIEWER })).json().definition.title,
    ).toBe('Scratch pad');
    expect((await app.inject({ method: 'DELETE', url: '/v1/dashboards/scratch-pad', headers: ADMIN })).statusCode).toBe(
      204,
    );
    expect((await app.inject({ url: '/v1/dashboards/scratch-pad', headers: VIEWER })).statusCode).toBe(404);
  });

  it('accepts YAML definitions and refuses writes from viewers', async () => {
    const yaml =
      'id: from-yaml\ntitle: From YAML\nrows:\n  - panels:\n      - type: stat\n        targets: [{ expr: up }]\n';
    const res = await app.inject({
      method: 'POST',
      url: '/v1/dashboards',
      headers: { ...ADMIN, 'content-type': 'application/yaml' },
      payload: yaml,
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().dashboard.rows[0].panels[0]).toMatchObject({ id: 1, type: 'stat' });
    const viewer = await app.inject({
      method: 'POST',
      url: '/v1/dashboards',
      headers: VIEWER,
      payload: { title: 'nope' },
    });
    expect(viewer.statusCode).toBe(403);
  });

  it('points validation errors at the field', async () => {
    const bad = {
      title: 'Bad',
      rows: [
        {
          panels: [
            { type: 'pie', targets: [] },
            { type: 'events', targets: [{ datasource: 'events', filters: { colour: 'x' } }] },
          ],
        },
      ],
    };
    const res = await app.inject({ method: 'POST', url: '/v1/dashboards', headers: ADMIN, payload: bad });
    expect(res.statusCode).toBe(400);
    const paths = res.json().error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(
      expect.arrayContaining(['body.rows.0.panels.0.type', 'body.rows.0.panels.1.targets.0.filters.colour']),
    );
    const yaml = await app.inject({
      method: 'POST',
      url: '/v1/dashboards',
      headers: { ...ADMIN, 'content-type': 'application/yaml' },
      payload: 'title: [unclosed',
    });
    expect(yaml.statusCode).toBe(400);
    expect(yaml.json().error.code).toBe('PHAROS_ERR_VALIDATION');
  });

  it('renders every panel, collapsed rows too, with variables substituted and per-panel errors', async () => {
    expect(
      (await app.inject({ method: 'POST', url: '/v1/dashboards', headers: ADMIN, payload: userDashboard })).statusCode,
    ).toBe(201);
    metrics.calls.length = 0;
    const url =
      '/v1/dashboards/team-view/render?from=2026-01-01T00:00:00Z&to=2026-01-01T03:00:00Z&var-ns=default&var-ns=pay.ments';
    const res = await app.inject({ url, headers: VIEWER });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    const byTitle = Object.fromEntries(body.panels.map((p: { title: string }) => [p.title, p]));
    expect(Object.keys(byTitle)).toEqual(['Pods in default + pay.ments', 'Up', 'Broken', 'Missing', 'Events', 'Notes']);
    const queries = metrics.calls.map((c) => c.query);
    expect(queries).toContain('count by (namespace) (kube_pod_info{namespace=~"(default|pay\\\\.ments)"})');
    expect(queries).toContain('sum(up{job="node"}) + sum(up{job="node"})');
    const pods = byTitle['Pods in default + pay.ments'];
    expect(pods.error).toBeUndefined();
    expect(pods.data.series[0]).toMatchObject({
      refId: 'A',
      name: 'default',
      points: [
        [Date.UTC(2026, 0, 1), 1],
        [Date.UTC(2026, 0, 1) + 60_000, null],
      ],
    });
    expect(pods.data.warnings).toContain('cluster west: down');
    const instant = metrics.calls.find((c) => c.kind === 'instant');
    expect(instant?.time).toBe(Date.UTC(2026, 0, 1, 3) / 1000);
    expect(byTitle.Broken.error).toEqual({ code: 'PHAROS_ERR_INTERNAL', message: 'panel failed: prometheus exploded' });
    expect(byTitle.Missing.error).toMatchObject({
      code: 'PHAROS_ERR_NOT_FOUND',
      message: expect.stringContaining('not_a_metric_total'),
    });
    expect(queries).toContain('rate(not_a_metric_total[1m15s])');
    expect(byTitle.Events.data.records[0]).toMatchObject({ source: 'events', total: 1 });
    expect(byTitle.Events.data.records[0].items[0].raw).toBeUndefined();
    expect(records.calls.at(-1)?.query.filters).toEqual({ namespace: ['default', 'pay.ments'], type: ['Warning'] });
    expect(byTitle.Notes.data.content).toBe('Namespaces: default,pay.ments');
  });

  it('uses All and defaults when no variable is given, and lists options for pickers', async () => {
    metrics.calls.length = 0;
    const res = await app.inject({ url: '/v1/dashboards/team-view/render?from=now-1h&to=now', headers: VIEWER });
    expect(res.statusCode).toBe(200);
    expect(metrics.calls.map((c) => c.query)).toContain(
      'count by (namespace) (kube_pod_info{namespace=~"(default|payments)"})',
    );
    const vars = await app.inject({ url: '/v1/dashboards/team-view/variables?var-job=api', headers: VIEWER });
    expect(vars.json().variables).toEqual([
      expect.objectContaining({ name: 'ns', options: ['default', 'payments'], current: ['$__all'], includeAll: true }),
      expect.objectContaining({ name: 'job', options: ['node', 'api'], current: ['api'] }),
    ]);
  });

  it('keeps a scoped caller inside its namespaces', async () => {
    records.calls.length = 0;
    const res = await app.inject({ url: '/v1/dashboards/team-view/render?var-ns=default', headers: SCOPED });
    const events = res.json().panels.find((p: { title: string }) => p.title === 'Events');
    expect(events.error.code).toBe('PHAROS_ERR_FORBIDDEN');
    const vars = await app.inject({ url: '/v1/dashboards/team-view/variables', headers: SCOPED });
    expect(vars.json().variables[0].options).toEqual(['payments']);
  });

  it('rejects bad render parameters with 400', async () => {
    const unknown = await app.inject({ url: '/v1/dashboards/team-view/render?var-nope=1', headers: VIEWER });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.message).toMatch(/var-nope/);
    expect(
      (await app.inject({ url: '/v1/dashboards/team-view/render?from=yesterday', headers: VIEWER })).statusCode,
    ).toBe(400);
    expect(
      (await app.inject({ url: '/v1/dashboards/team-view/render?from=now&to=now-1h', headers: VIEWER })).statusCode,
    ).toBe(400);
    expect((await app.inject({ url: '/v1/dashboards/team-view/render?colour=1', headers: VIEWER })).statusCode).toBe(
      400,
    );
    expect((await app.inject({ url: '/v1/dashboards/Bad%20Id/render', headers: VIEWER })).statusCode).toBe(400);
    expect((await app.inject({ url: '/v1/dashboards/absent/render', headers: VIEWER })).statusCode).toBe(404);
    const long = (await app.inject({ url: '/v1/dashboards/team-view/render?from=now-90d', headers: VIEWER })).json();
    expect(long.panels.find((p: { title: string }) => p.title === 'Events').error).toMatchObject({
      code: 'PHAROS_ERR_LIMIT',
      message: expect.stringMatching(/maxRangeDays/),
    });
  });

  it('imports Grafana JSON, lists what was not converted, and refuses what is not a dashboard', async () => {
    const grafana = {
      uid: 'abc',
      title: 'Imported',
      schemaVersion: 39,
      templating: { list: [{ type: 'datasource', name: 'datasource', query: 'prometheus' }] },
      panels: [
        {
          type: 'timeseries',
          title: 'CPU',
          gridPos: { x: 0, y: 0, w: 12, h: 8 },
          fieldConfig: { defaults: { unit: 'percentunit' } },
          targets: [{ expr: 'up', refId: 'A' }],
        },
        { type: 'news', title: 'Feed', gridPos: { x: 12, y: 0, w: 12, h: 8 } },
      ],
    };
    const res = await app.inject({ method: 'POST', url: '/v1/dashboards/import', headers: ADMIN, payload: grafana });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      format: 'grafana',
      id: 'abc',
      version: 1,
      dashboard: { rows: [{ panels: [{ type: 'timeseries', unit: 'percentunit' }] }] },
    });
    expect(res.json().unconverted.map((n: { path: string }) => n.path)).toEqual(['templating.list.0', 'panels.1']);
    const again = await app.inject({ method: 'POST', url: '/v1/dashboards/import', headers: ADMIN, payload: grafana });
    expect(again.json().id).toBe('abc-2');
    const dry = await app.inject({
      method: 'POST',
      url: '/v1/dashboards/import?dryRun=true',
      headers: ADMIN,
      payload: grafana,
    });
    expect(dry.statusCode).toBe(200);
    expect(dry.json().id).toBeUndefined();
    const crd =
      'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: { name: dashboards.monitoring.kubesphere.io }\n';
    const refused = await app.inject({
      method: 'POST',
      url: '/v1/dashboards/import',
      headers: { ...ADMIN, 'content-type': 'text/plain' },
      payload: crd,
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.message).toMatch(/CustomResourceDefinition .* not a dashboard/);
  });
});
