import { describe, expect, it } from 'vitest';
import { importDashboard } from './importers.ts';

const panelsOf = (d: { rows: { panels: unknown[] }[] }) => d.rows.flatMap((r) => r.panels) as Record<string, unknown>[];

describe('Grafana import', () => {
  const grafana = {
    uid: 'My-Board',
    title: 'Board',
    schemaVersion: 36,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    templating: {
      list: [
        {
          type: 'query',
          name: 'ns',
          query: { query: 'label_values(kube_pod_info, namespace)', refId: 'x' },
          multi: true,
          includeAll: true,
          allValue: '.*',
          sort: 2,
          current: { value: ['a', 'b'] },
          hide: 0,
        },
        { type: 'query', name: 'res', query: 'query_result(up)', current: { value: 'x' } },
        { type: 'custom', name: 'size', query: 'small : 1,large : 2,a\\,b' },
        { type: 'interval', name: 'iv', query: '1m,5m,bogus', auto: true, auto_count: 20, auto_min: '30s' },
        { type: 'constant', name: 'k', query: 'v' },
        { type: 'adhoc', name: 'filters' },
      ],
    },
    panels: [
      {
        id: 1,
        type: 'stat',
        title: 'Up',
        gridPos: { x: 0, y: 0, w: 6, h: 4 },
        options: { reduceOptions: { calcs: ['mean'] } },
        fieldConfig: {
          defaults: {
            unit: 'percentunit',
            decimals: 1,
            min: 0,
            max: 1,
            thresholds: {
              mode: 'absolute',
              steps: [
                { color: 'green', value: null },
                { color: 'red', value: 80 },
              ],
            },
          },
        },
        targets: [{ expr: 'up', instant: true, refId: 'A' }],
      },
      {
        id: 2,
        type: 'row',
        title: 'Details',
        gridPos: { x: 0, y: 4, w: 24, h: 1 },
        collapsed: true,
        panels: [
          {
            id: 3,
            type: 'graph',
            title: 'Old graph',
            gridPos: { x: 0, y: 5, w: 12, h: 8 },
            yaxes: [{ format: 'bytes', decimals: 2 }],
            targets: [
              { expr: 'x', legendFormat: '__auto', interval: '1m' },
              { expr: 'y', datasource: { type: 'loki', uid: 'l' } },
            ],
          },
          {
            id: 4,
            type: 'singlestat',
            title: 'Legacy',
            gridPos: { x: 12, y: 5, w: 6, h: 4 },
            gauge: { show: true, minValue: 0, maxValue: 100 },
            thresholds: '50,80',
            colors: ['green', 'orange', 'red'],
            valueName: 'current',
            targets: [{ expr: 'z' }],
          },
        ],
      },
      { id: 5, type: 'heatmap', title: 'Heat', gridPos: { x: 0, y: 5, w: 24, h: 8 }, targets: [{ expr: 'h' }] },
      { id: 6, type: 'news', title: 'News', gridPos: { x: 0, y: 13, w: 24, h: 8 } },
      {
        id: 7,
        type: 'text',
        title: 'Read me',
        gridPos: { x: 0, y: 21, w: 24, h: 2 },
        options: { content: '# Hi $ns', mode: 'markdown' },
        repeat: 'ns',
      },
    ],
  };

  it('converts panels, rows, units, thresholds and targets', () => {
    const { dashboard, id, format } = importDashboard(grafana);
    expect({ id, format }).toEqual({ id: 'my-board', format: 'grafana' });
    expect(dashboard).toMatchObject({ title: 'Board', refresh: '30s', time: { from: 'now-6h', to: 'now' } });
    expect(dashboard.rows.map((r) => [r.title, r.collapsed, r.panels.map((p) => p.id)])).toEqual([
      ['', false, [1]],
      ['Details', true, [3, 4, 5, 7]],
    ]);
    const [up, graph, legacy, heat] = panelsOf(dashboard);
    expect(up).toMatchObject({
      type: 'stat',
      unit: 'percentunit',
      decimals: 1,
      min: 0,
      max: 1,
      reduce: 'mean',
      thresholds: {
        steps: [
          { value: null, color: 'green' },
          { value: 80, color: 'red' },
        ],
      },
      targets: [{ expr: 'up', instant: true, refId: 'A' }],
    });
    expect(graph).toMatchObject({
      type: 'timeseries',
      unit: 'bytes',
      decimals: 2,
      gridPos: { x: 0, y: 0, w: 12, h: 8 },
      targets: [{ expr: 'x', step: '1m', instant: false }],
    });
    expect((graph!.targets as unknown[]).length).toBe(1);
    expect(legacy).toMatchObject({
      type: 'gauge',
      min: 0,
      max: 100,
      reduce: 'last',
      thresholds: {
        steps: [
          { value: null, color: 'green' },
          { value: 50, color: 'orange' },
          { value: 80, color: 'red' },
        ],
      },
    });
    expect(heat).toMatchObject({ type: 'timeseries' });
  });

  it('converts variables and says what it could not', () => {
    const { dashboard, unconverted } = importDashboard(grafana);
    expect(dashboard.variables).toEqual([
      expect.objectContaining({
        type: 'query',
        name: 'ns',
        multi: true,
        includeAll: true,
        allValue: '.*',
        sort: 'desc',
        default: ['a', 'b'],
      }),
      expect.objectContaining({ type: 'custom', name: 'res', options: ['x'] }),
      expect.objectContaining({ type: 'custom', name: 'size', options: ['1', '2', 'a,b'] }),
      expect.objectContaining({
        type: 'interval',
        name: 'iv',
        options: ['1m', '5m'],
        auto: true,
        autoCount: 20,
        autoMin: '30s',
      }),
      expect.objectContaining({ type: 'custom', name: 'k', options: ['v'], hide: true }),
    ]);
    expect(unconverted.map((n) => n.path)).toEqual([
      'templating.list.1',
      'templating.list.5',
      'panels.1.panels.0.targets.1',
      'panels.2',
      'panels.3',
      'panels.4',
    ]);
    expect(unconverted.find((n) => n.path === 'panels.3')?.message).toMatch(/"news" has no Pharos equivalent/);
    expect(unconverted.find((n) => n.path === 'panels.4')?.message).toMatch(/repeat/);
  });

  it('tolerates repeated panel ids and variable names', () => {
    const doc = {
      title: 'Dup',
      panels: [
        { id: 1, type: 'stat', targets: [{ expr: 'a' }] },
        { id: 1, type: 'stat', targets: [{ expr: 'b' }] },
      ],
      templating: {
        list: [
          { type: 'custom', name: 'x', query: 'a' },
          { type: 'custom', name: 'x', query: 'b' },
        ],
      },
    };
    const { dashboard, unconverted } = importDashboard(doc);
    expect(panelsOf(dashboard).map((p) => p.id)).toEqual([1, 2]);
    expect(dashboard.variables).toHaveLength(1);
    expect(unconverted.map((n) => n.message)).toEqual(['variable $x is defined twice; the second is left out']);
  });

  it('reads the pre-16 rows model and unwraps API exports', () => {
    const old = {
      dashboard: {
        title: 'Old',
        schemaVersion: 14,
        rows: [
          {
            title: 'R',
            height: '300px',
            panels: [
              { type: 'graph', span: 6, targets: [{ expr: 'a' }] },
              { type: 'singlestat', span: 6, targets: [{ expr: 'b' }] },
              { type: 'graph', span: 12, targets: [{ expr: 'c' }] },
            ],
          },
        ],
      },
    };
    const { dashboard, unconverted } = importDashboard(old);
    expect(dashboard.rows[0]!.panels.map((p) => p.gridPos)).toEqual([
      { x: 0, y: 0, w: 12, h: 10 },
      { x: 12, y: 0, w: 12, h: 10 },
      { x: 0, y: 10, w: 24, h: 10 },
    ]);
    expect(unconverted[0]!.message).toMatch(/predates 16/);
  });
});

describe('KubeSphere import', () => {
  it('converts v1alpha1 with rows, units and steps', () => {
    const yaml = `apiVersion: monitoring.kubesphere.io/v1alpha1
kind: ClusterDashboard
metadata: { name: mysql }
spec:
  title: MySQL
  templating: [{ name: instance, query: 'label_values(mysql_up, instance)' }]
  panels:
    - { id: 1, type: singlestat, title: Up, format: 'percent (0.0-1.0)', decimals: 1, targets: [{ expr: mysql_up }] }
    - { id: 2, type: row, title: Traffic }
    - { id: 3, type: graph, title: Bytes, yaxes: [{ format: Byte/s }], targets: [{ expr: 'rate(b[5m])', legendFormat: '{{instance}}', refId: 1, step: 1m }] }
    - { id: 4, type: graph, title: More, targets: [{ expr: c }] }
    - { id: 5, type: graph, title: Third, targets: [{ expr: d }] }
`;
    const { dashboard, id, format } = importDashboard(yaml);
    expect({ id, format }).toEqual({ id: 'ks-cluster-mysql', format: 'kubesphere' });
    expect(dashboard.variables).toEqual([
      expect.objectContaining({ type: 'query', name: 'instance', query: 'label_values(mysql_up, instance)' }),
    ]);
    expect(dashboard.rows.map((r) => r.title)).toEqual(['', 'Traffic']);
    expect(panelsOf(dashboard)[0]).toMatchObject({ type: 'stat', unit: 'percentunit', decimals: 1 });
    expect(panelsOf(dashboard)[1]).toMatchObject({
      unit: 'Bps',
      targets: [{ expr: 'rate(b[5m])', legendFormat: '{{instance}}', refId: '1', step: '1m' }],
    });
    expect(dashboard.rows[1]!.panels.map((p) => p.gridPos)).toEqual([
      { x: 0, y: 0, w: 12, h: 8 },
      { x: 12, y: 0, w: 12, h: 8 },
      { x: 0, y: 8, w: 12, h: 8 },
    ]);
  });

  it('converts v1alpha2 templatings and namespaced ids', () => {
    const doc = {
      apiVersion: 'monitoring.kubesphere.io/v1alpha2',
      kind: 'Dashboard',
      metadata: { name: 'gpu', namespace: 'ml' },
      spec: {
        title: 'GPU',
        time: { from: 'now-15m', to: 'now' },
        templatings: [
          { name: 'gpu', type: 'query', query: 'label_values(gpu)', multi: true, includeAll: true, sort: 1 },
        ],
        panels: [{ id: 1, type: 'graph', targets: [{ expr: 'DCGM_FI_DEV_GPU_TEMP' }] }],
      },
    };
    const { dashboard, id } = importDashboard(doc);
    expect(id).toBe('ks-ml-gpu');
    expect(dashboard.variables[0]).toMatchObject({ name: 'gpu', multi: true, includeAll: true, sort: 'asc' });
  });

  it('refuses CRDs, other objects and unsupported versions with a reason', () => {
    expect(() =>
      importDashboard(
        '---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: { name: dashboards.monitoring.kubesphere.io }\n',
      ),
    ).toThrow(/CustomResourceDefinition dashboards.monitoring.kubesphere.io \(a schema\), not a dashboard/);
    expect(() => importDashboard({ apiVersion: 'monitoring.kubesphere.io/v1beta1', kind: 'Dashboard' })).toThrow(
      /v1beta1 is not supported/,
    );
    expect(() => importDashboard({ apiVersion: 'v1', kind: 'ConfigMap' })).toThrow(
      /ConfigMap \(v1\) is not a dashboard/,
    );
    expect(() => importDashboard({ hello: 'world' })).toThrow(/not a recognised dashboard/);
    // A stray key named like Grafana's (found by the fuzz suite) does not make an object a dashboard.
    expect(() => importDashboard({ field: 'x', panels: '00001', time: null })).toThrow(/not a recognised dashboard/);
    expect(() => importDashboard({ schemaVersion: 39, panels: '00001' })).toThrow(
      /panels: expected a list of panels, got string/,
    );
    expect(() => importDashboard('[1, 2]')).toThrow(/got a list/);
    expect(() => importDashboard('a: 1\n---\nb: 2\n')).toThrow(/holds 2 documents/);
  });
});
