import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interpolate, type VariableScope } from '../../../libs/dashboards/interpolate.ts';
import { renderSchema } from '../../../services/query/dashboards/dashboards.schemas.ts';
import { builtins, stepFor } from '../../../services/query/dashboards/render.service.ts';
import { FIXTURE_END, FIXTURE_START } from '../../fixtures/prometheus/generate.ts';
import { AUTH, repoRoot, startQueryService, unionQueryRange, type Harness, type StorageKind } from './harness.ts';

const SHARED = path();
function path(): string {
  return resolve(repoRoot, '../shared/data/dashboards');
}

const files = readdirSync(SHARED, { recursive: true })
  .map(String)
  .filter((f) => statSync(join(SHARED, f)).isFile())
  .sort();

/** What a file is, read independently of the importer: only CRDs (schemas) are not dashboards. */
const isCrd = (text: string) =>
  parseAllDocuments(text).some((d) => (d.toJS() as { kind?: string } | null)?.kind === 'CustomResourceDefinition');

const window = `from=${FIXTURE_START}&to=${FIXTURE_END}`;

interface PanelAnswer {
  id: number;
  title: string;
  type: string;
  data: {
    series: { name: string; labels: Record<string, string>; points: [number, number | null][] }[];
    records: unknown[];
    warnings: string[];
    topology?: { edges: unknown[] };
  };
  error?: { code: string; message: string };
}

describe.each<StorageKind>(['sqlite', 'opensearch'])('dashboard import and storage on %s', (storage) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startQueryService(storage);
  });
  afterAll(() => h.close());

  it('imports every Grafana and KubeSphere dashboard in ../shared/data/dashboards and refuses the CRDs', async () => {
    expect(files.length).toBeGreaterThanOrEqual(15);
    for (const file of files) {
      const text = readFileSync(join(SHARED, file), 'utf8');
      const type = extname(file) === '.json' ? 'application/json' : 'application/yaml';
      const res = await h.app.inject({
        method: 'POST',
        url: '/v1/dashboards/import',
        headers: { ...AUTH, 'content-type': type },
        payload: text,
      });
      if (isCrd(text)) {
        expect(res.statusCode, file).toBe(400);
        expect(res.json().error.message, file).toMatch(/CustomResourceDefinition .* not a dashboard/);
        continue;
      }
      expect(res.statusCode, `${file}: ${res.body.slice(0, 300)}`).toBe(201);
      const body = res.json();
      expect(body.format, file).toBe(file.endsWith('.json') ? 'grafana' : 'kubesphere');
      const stored = await h.app.inject({ url: `/v1/dashboards/${body.id}`, headers: AUTH });
      expect(stored.json().dashboard.title, file).toBe(body.dashboard.title);
    }
    const list = (await h.app.inject({ url: '/v1/dashboards', headers: AUTH })).json().dashboards;
    expect(list.filter((d: { builtin: boolean }) => !d.builtin)).toHaveLength(
      files.filter((f) => !isCrd(readFileSync(join(SHARED, f), 'utf8'))).length,
    );
  });

  it('keeps previous versions of a user dashboard', async () => {
    const created = (
      await h.app.inject({
        method: 'POST',
        url: '/v1/dashboards',
        headers: AUTH,
        payload: { title: 'Versioned', rows: [] },
      })
    ).json();
    for (const title of ['Versioned 2', 'Versioned 3']) {
      const res = await h.app.inject({
        method: 'PUT',
        url: `/v1/dashboards/${created.id}`,
        headers: AUTH,
        payload: { title },
      });
      expect(res.statusCode).toBe(200);
    }
    const versions = (await h.app.inject({ url: `/v1/dashboards/${created.id}/versions`, headers: AUTH })).json()
      .versions;
    expect(versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(
      (await h.app.inject({ url: `/v1/dashboards/${created.id}/versions/1`, headers: AUTH })).json().definition.title,
    ).toBe('Versioned');
    expect(
      (await h.app.inject({ method: 'DELETE', url: `/v1/dashboards/${created.id}`, headers: AUTH })).statusCode,
    ).toBe(204);
    expect((await h.app.inject({ url: `/v1/dashboards/${created.id}/versions`, headers: AUTH })).statusCode).toBe(404);
  });
});

describe('dashboard rendering over the fixture Prometheus servers', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startQueryService('sqlite');
  });
  afterAll(() => h.close());

  const importFile = async (file: string) => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/dashboards/import',
      headers: { ...AUTH, 'content-type': 'application/json' },
      payload: readFileSync(join(SHARED, file), 'utf8'),
    });
    expect(res.statusCode).toBe(201);
    return res.json().id as string;
  };

  it.each([
    'grafana_kubernetes-mixin_k8s-resources-cluster.json',
    'grafana_kubernetes-mixin_apiserver.json',
    'grafana_node-exporter-mixin_nodes.json',
  ])('renders imported %s: data where the union Prometheus has data, a per-panel error elsewhere', async (file) => {
    const id = await importFile(file);
    const res = await h.app.inject({ url: `/v1/dashboards/${id}/render?${window}&var-cluster=east`, headers: AUTH });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expectRenderSchema(body);
    const definition = (await h.app.inject({ url: `/v1/dashboards/${id}`, headers: AUTH })).json().dashboard;
    const scope = scopeFrom(body.variables);
    const range = { from: FIXTURE_START * 1000, to: FIXTURE_END * 1000 };
    const step = stepFor(range, 300, 15_000);
    for (const panel of definition.rows.flatMap((r: { panels: unknown[] }) => r.panels) as {
      id: number;
      targets: { expr?: string; hide?: boolean }[];
    }[]) {
      const answer = body.panels.find((p: PanelAnswer) => p.id === panel.id) as PanelAnswer;
      const exprs = panel.targets
        .filter((t) => t.expr && !t.hide)
        .map((t) => interpolate(t.expr!, { ...scope, ...builtins(range, step) }));
      if (exprs.length === 0) continue;
      const union = await Promise.all(
        exprs.map((e) => unionQueryRange(e, { start: FIXTURE_START, end: FIXTURE_END, step: step / 1000 })),
      );
      const unionHasData = union.some((r) => r.length > 0);
      expect(answer.data.series.length > 0, `${answer.title}: ${JSON.stringify(answer.error)}`).toBe(unionHasData);
      if (!unionHasData) {
        expect(answer.error?.code, answer.title).toBe('PHAROS_ERR_NOT_FOUND');
        expect(answer.error?.message, answer.title).toMatch(
          /^no data: .*(not found in any cluster|match(es)? no series)/,
        );
      }
    }
  });

  it('renders an imported Grafana dashboard over the fixture metrics with the union Prometheus values', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/dashboards/import',
      headers: AUTH,
      payload: fixtureGrafanaDashboard(),
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().unconverted.map((n: { path: string }) => n.path)).toEqual(['templating.list.0']);
    const render = await h.app.inject({
      url: `/v1/dashboards/${res.json().id}/render?${window}&var-cluster=east&var-cluster=west&var-namespace=$__all`,
      headers: AUTH,
    });
    expect(render.statusCode).toBe(200);
    const panels = render.json().panels as PanelAnswer[];
    expect(panels.map((p) => p.title)).toEqual(['CPU by cluster', 'Pods', 'Memory by cluster', 'Pods by namespace']);
    for (const p of panels) expect(p.error, p.title).toBeUndefined();
    const cpu = panels[0]!;
    const step = stepFor({ from: FIXTURE_START * 1000, to: FIXTURE_END * 1000 }, 300, 15_000) / 1000;
    const expected = await unionQueryRange(
      'sum by (cluster) (rate(container_cpu_usage_seconds_total{cluster=~"(east|west)"}[1m15s]))',
      { start: FIXTURE_START, end: FIXTURE_END, step },
    );
    expect(cpu.data.series.map((s) => s.name).sort()).toEqual(['east', 'west']);
    for (const s of cpu.data.series) {
      const oracle = expected.find((e) => e.metric.cluster === s.labels.cluster)!;
      expect(s.points.length).toBe(oracle.values.length);
      s.points.forEach(([t, v], i) => {
        expect(t).toBe(oracle.values[i]![0] * 1000);
        expect(v).toBeCloseTo(Number(oracle.values[i]![1]), 9);
      });
    }
    // Instant targets are evaluated at `to`.
    expect(panels[1]!.data.series[0]!.points).toEqual([[FIXTURE_END * 1000, expect.any(Number)]]);
    expect(panels[3]!.data.series.length).toBeGreaterThan(4);
  });

  it('renders every built-in dashboard with data in every metrics panel', async () => {
    const list = (await h.app.inject({ url: '/v1/dashboards', headers: AUTH }))
      .json()
      .dashboards.filter((d: { builtin: boolean }) => d.builtin);
    expect(list.map((d: { id: string }) => d.id).sort()).toEqual([
      'audit',
      'cluster-overview',
      'events',
      'namespace',
      'node',
      'workload',
    ]);
    for (const d of list) {
      const res = await h.app.inject({ url: `/v1/dashboards/${d.id}/render?${window}`, headers: AUTH });
      expect(res.statusCode, d.id).toBe(200);
      expectRenderSchema(res.json());
      for (const p of res.json().panels as PanelAnswer[]) {
        expect(p.error, `${d.id}/${p.title}`).toBeUndefined();
        // Topology panels answer a graph (empty here: this suite sends no spans and the fixtures have no mesh series).
        if (p.type === 'topology') expect(p.data.topology?.edges, `${d.id}/${p.title}`).toEqual([]);
        else if (p.data.records.length === 0) expect(p.data.series.length, `${d.id}/${p.title}`).toBeGreaterThan(0);
      }
    }
  });
});

/**
 * The render route writes its answer without the zod serializer (dashboards.routes.ts): the answer must already
 * be exactly what the schema would let through (parsing strips unknown keys and refuses wrong types).
 */
function expectRenderSchema(body: unknown): void {
  expect(renderSchema.parse(body)).toEqual(body);
}

/** The variables a render resolved, as the scope the renderer used (for the union oracle). */
function scopeFrom(
  variables: { name: string; current: string[]; options: string[]; multi: boolean; includeAll: boolean }[],
): VariableScope {
  const scope: VariableScope = {};
  for (const v of variables) {
    const isAll = v.current[0] === '$__all';
    scope[v.name] = { values: isAll ? v.options : v.current, isAll, regexFormat: v.multi || v.includeAll };
  }
  return scope;
}

/** A Grafana 10 export written against the fixture metrics: rows, a collapsed row, templating, instant targets. */
function fixtureGrafanaDashboard() {
  const ds = { type: 'prometheus', uid: '${datasource}' };
  return {
    uid: 'fixture-overview',
    title: 'Fixture overview',
    schemaVersion: 39,
    time: { from: 'now-3h', to: 'now' },
    templating: {
      list: [
        { type: 'datasource', name: 'datasource', query: 'prometheus' },
        {
          type: 'query',
          name: 'cluster',
          datasource: ds,
          query: { query: 'label_values(up, cluster)', refId: 'v' },
          multi: true,
          includeAll: true,
          current: { text: 'All', value: '$__all' },
        },
        {
          type: 'query',
          name: 'namespace',
          datasource: ds,
          definition: 'label_values(kube_pod_info{cluster=~"$cluster"}, namespace)',
          query: 'label_values(kube_pod_info{cluster=~"$cluster"}, namespace)',
          multi: true,
          includeAll: true,
        },
      ],
    },
    panels: [
      { type: 'row', title: 'CPU', gridPos: { x: 0, y: 0, w: 24, h: 1 }, collapsed: false, panels: [] },
      {
        id: 2,
        type: 'timeseries',
        title: 'CPU by cluster',
        datasource: ds,
        gridPos: { x: 0, y: 1, w: 16, h: 8 },
        fieldConfig: { defaults: { unit: 'short', decimals: 2 }, overrides: [] },
        targets: [
          {
            refId: 'A',
            datasource: ds,
            expr: 'sum by (cluster) (rate(container_cpu_usage_seconds_total{cluster=~"$cluster", namespace=~"$namespace"}[$__rate_interval]))',
            legendFormat: '{{cluster}}',
          },
        ],
      },
      {
        id: 3,
        type: 'stat',
        title: 'Pods',
        datasource: ds,
        gridPos: { x: 16, y: 1, w: 8, h: 8 },
        targets: [{ refId: 'A', expr: 'count(kube_pod_info{cluster=~"$cluster"})', instant: true }],
      },
      {
        type: 'row',
        title: 'Memory',
        gridPos: { x: 0, y: 9, w: 24, h: 1 },
        collapsed: true,
        panels: [
          {
            id: 5,
            type: 'timeseries',
            title: 'Memory by cluster',
            gridPos: { x: 0, y: 10, w: 12, h: 8 },
            fieldConfig: { defaults: { unit: 'bytes' } },
            targets: [
              {
                refId: 'A',
                expr: 'sum by (cluster) (container_memory_working_set_bytes{cluster=~"$cluster"})',
                legendFormat: '{{cluster}}',
              },
            ],
          },
          {
            id: 6,
            type: 'table',
            title: 'Pods by namespace',
            gridPos: { x: 12, y: 10, w: 12, h: 8 },
            targets: [
              {
                refId: 'A',
                expr: 'count by (cluster, namespace) (kube_pod_info{cluster=~"$cluster"})',
                instant: true,
                format: 'table',
              },
            ],
          },
        ],
      },
    ],
  };
}
