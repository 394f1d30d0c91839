import { describe, expect, it } from 'vitest';
import { importDashboard } from './importers.ts';

/** A Grafana dashboard of node-graph panels, as Grafana 10 exports them. */
const board = (panels: Record<string, unknown>[]) => ({
  uid: 'graphs',
  title: 'Graphs',
  schemaVersion: 38,
  panels: panels.map((p, i) => ({ id: i + 1, gridPos: { x: 0, y: i * 10, w: 24, h: 10 }, ...p })),
});
const tempo = { type: 'tempo', uid: 'tempo-1' };

describe('Grafana nodeGraph panels', () => {
  it('become topology panels over Tempo’s service map: spans and servicegraph sources', () => {
    const { dashboard, unconverted } = importDashboard(
      board([
        {
          type: 'nodeGraph',
          title: 'Service map',
          description: 'who calls whom',
          datasource: tempo,
          targets: [{ refId: 'A', datasource: tempo, queryType: 'serviceMap' }],
        },
      ]),
    );
    expect(dashboard.rows[0]!.panels).toEqual([
      {
        id: 1,
        type: 'topology',
        title: 'Service map',
        description: 'who calls whom',
        gridPos: { x: 0, y: 0, w: 24, h: 10 },
        targets: [{ datasource: 'topology', sources: ['spans', 'servicegraph'], refId: 'A' }],
      },
    ]);
    expect(unconverted).toEqual([]);
  });

  it('note a service-map filter they cannot keep', () => {
    const { dashboard, unconverted } = importDashboard(
      board([
        {
          type: 'nodeGraph',
          title: 'Checkout',
          targets: [{ datasource: tempo, queryType: 'serviceMap', serviceMapQuery: '{server="checkout"}' }],
        },
      ]),
    );
    expect(dashboard.rows[0]!.panels[0]).toMatchObject({ type: 'topology' });
    expect(unconverted).toEqual([
      {
        path: 'panels.0',
        message:
          'panel "Checkout": the service map filter {server="checkout"} is not converted; the panel shows every call',
      },
    ]);
  });

  it('read Pharos’s /v1/topology through a JSON data source, with its filters and sources', () => {
    const url = 'https://pharos.example.invalid/v1/topology?format=nodegraph&cluster=$cluster&sources=spans,istio';
    const { dashboard, unconverted } = importDashboard(
      board([
        {
          type: 'nodeGraph',
          title: 'Mesh',
          datasource: { type: 'yesoreyeram-infinity-datasource', uid: 'inf' },
          targets: [
            { refId: 'nodes', type: 'json', url, root_selector: 'nodes' },
            { refId: 'edges', type: 'json', url, root_selector: 'edges' },
          ],
        },
      ]),
    );
    expect(dashboard.rows[0]!.panels[0]!.targets).toEqual([
      { datasource: 'topology', sources: ['spans', 'istio'], cluster: '$cluster', refId: 'nodes' },
    ]);
    expect(unconverted).toEqual([]);
  });

  it('leave out node graphs Pharos cannot reproduce, saying why', () => {
    const { dashboard, unconverted } = importDashboard(
      board([
        {
          type: 'nodeGraph',
          title: 'Jaeger',
          targets: [{ datasource: { type: 'jaeger' }, queryType: 'dependencyGraph' }],
        },
        { type: 'nodeGraph', title: 'Test', targets: [{ datasource: { type: 'testdata' }, scenarioId: 'node_graph' }] },
        { type: 'nodeGraph', title: 'Empty' },
        {
          type: 'nodeGraph',
          title: 'Two',
          targets: [{ urlPath: '/v1/topology?cluster=east' }, { urlPath: '/v1/topology?cluster=west' }],
        },
      ]),
    );
    expect(dashboard.rows.flatMap((r) => r.panels)).toEqual([]);
    const notOurs = (title: string) =>
      `panel "${title}" of type "nodeGraph" is not over Tempo's service map or Pharos's /v1/topology; left out`;
    expect(unconverted.map((n) => n.message)).toEqual([
      notOurs('Jaeger'),
      notOurs('Test'),
      notOurs('Empty'),
      'panel "Two": its node-graph queries ask for different topologies; left out',
    ]);
  });
});
