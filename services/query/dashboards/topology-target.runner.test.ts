import { describe, expect, it } from 'vitest';
import { FULL_SCOPE, type Scope } from '../../../libs/auth/principal.ts';
import { validateDashboard } from '../../../libs/dashboards/dashboard.parse.ts';
import { ForbiddenError } from '../../../libs/errors/errors.ts';
import { createLogger } from '../../../libs/logging/logger.ts';
import { filterTopology, type Topology } from '../../../libs/traces/topology.ts';
import type { TopologyAnswer, TracesService } from '../traces/traces.service.ts';
import type { TopologyPort } from './dashboards.ports.ts';
import { DashboardRenderer } from './render.service.ts';
import { FakeMetrics, FakeRecords } from './testing/fake-backends.ts';
import { MAX_TOPOLOGY_ASKS } from './topology-target.runner.ts';

const H = 3600e3;
const node = (cluster: string, namespace: string, service: string) => ({
  id: `${cluster}/${namespace}/${service}`,
  service,
  cluster,
  namespace,
  requests: 1,
  errors: 0,
});
const edge = (source: string, target: string) => ({
  id: `${source}->${target}`,
  source,
  target,
  requests: 4,
  errors: 1,
  requestRate: 4 / 3600,
  errorRate: 0.25,
  p50Ms: 10,
  p95Ms: 40,
  type: 'request' as const,
  crossCluster: source.split('/')[0] !== target.split('/')[0],
});
/** west/shop/frontend → east/pay/checkout → east/pay/payments, and north/ops/cron → north/ops/db. */
const GRAPH: Topology = {
  nodes: [
    node('east', 'pay', 'checkout'),
    node('east', 'pay', 'payments'),
    node('north', 'ops', 'cron'),
    node('north', 'ops', 'db'),
    node('west', 'shop', 'frontend'),
  ],
  edges: [
    edge('east/pay/checkout', 'east/pay/payments'),
    edge('north/ops/cron', 'north/ops/db'),
    edge('west/shop/frontend', 'east/pay/checkout'),
  ],
};

type TopologyParams = Parameters<TracesService['topology']>[0];

/** The traces service's topology as seen from a panel: the same graph, filtered as the service filters it. */
class FakeTopology implements TopologyPort {
  readonly calls: { params: TopologyParams; scope: Scope }[] = [];
  async topology(params: TopologyParams, scope: Scope): Promise<TopologyAnswer> {
    this.calls.push({ params, scope });
    if (params.cluster && !scope.clusters.includes('*') && !scope.clusters.includes(params.cluster))
      throw new ForbiddenError(`cluster ${params.cluster} is outside your scope`);
    return {
      ...filterTopology(GRAPH, params),
      start: params.start ?? 0,
      end: params.end ?? 0,
      spans: 42,
      partial: params.sources?.includes('istio') ?? false,
      ...(params.sources?.includes('istio') ? { warnings: ['istio: cluster west did not answer'] } : {}),
    };
  }
}

function renderer(topology?: TopologyPort) {
  return new DashboardRenderer({
    metrics: async () => new FakeMetrics(),
    records: async () => new FakeRecords(),
    ...(topology ? { topology: async () => topology } : {}),
    logger: createLogger('silent'),
    timeoutMs: 2000,
    concurrency: 4,
    maxRecordRangeDays: 31,
  });
}

const dashboard = (target: Record<string, unknown>) =>
  validateDashboard({
    title: 'Services',
    variables: [
      { type: 'custom', name: 'cluster', options: ['east', 'west', 'north'], multi: true, includeAll: true },
      { type: 'custom', name: 'namespace', options: ['pay', 'shop', 'ops'], multi: true, includeAll: true },
    ],
    rows: [
      { panels: [{ type: 'topology', title: 'Calls in $cluster', targets: [{ datasource: 'topology', ...target }] }] },
    ],
  });

const render = (
  r: DashboardRenderer,
  d: ReturnType<typeof dashboard>,
  opts: { requested?: Record<string, string[]>; scope?: Scope } = {},
) =>
  r.render(d, {
    range: { from: 10 * H, to: 11 * H },
    requested: opts.requested ?? {},
    principalScope: opts.scope ?? FULL_SCOPE,
    maxDataPoints: 300,
  });

describe('topology panels', () => {
  it('render the traces service’s topology over the panel’s range, with variables substituted and the caller’s scope', async () => {
    const fake = new FakeTopology();
    const scope: Scope = { clusters: ['east', 'west'], namespaces: ['*'] };
    const out = await render(
      renderer(fake),
      dashboard({ cluster: '$cluster', namespace: '${namespace}', sources: ['spans'] }),
      { requested: { cluster: ['east'], namespace: ['pay'] }, scope },
    );
    expect(fake.calls).toEqual([
      {
        params: { start: 10 * H, end: 11 * H, cluster: 'east', namespace: 'pay', sources: ['spans'] },
        scope,
      },
    ]);
    const [panel] = out.panels;
    expect(panel).toMatchObject({ type: 'topology', title: 'Calls in east', data: { series: [], records: [] } });
    expect(panel!.error).toBeUndefined();
    expect(panel!.data.topology).toMatchObject({ start: 10 * H, end: 11 * H, spans: 42, partial: false });
    expect(panel!.data.topology!.edges.map((e) => e.id)).toEqual([
      'east/pay/checkout->east/pay/payments',
      'west/shop/frontend->east/pay/checkout',
    ]);
    expect(panel!.data.topology!.nodes.map((n) => n.id)).toEqual([
      'east/pay/checkout',
      'east/pay/payments',
      'west/shop/frontend',
    ]);
  });

  it('drop a filter whose variable is All, and read every source when none is named', async () => {
    const fake = new FakeTopology();
    const out = await render(renderer(fake), dashboard({ cluster: '$cluster', namespace: '$namespace' }), {
      requested: { cluster: ['$__all'], namespace: ['$__all'] },
    });
    expect(fake.calls.map((c) => c.params)).toEqual([
      { start: 10 * H, end: 11 * H, cluster: undefined, namespace: undefined, sources: undefined },
    ]);
    expect(out.panels[0]!.data.topology!.edges).toHaveLength(3);
  });

  it('show the calls with an end in any selected cluster when a variable has several values', async () => {
    const fake = new FakeTopology();
    const out = await render(renderer(fake), dashboard({ cluster: '$cluster' }), {
      requested: { cluster: ['west', 'north'] },
    });
    expect(fake.calls.map((c) => c.params.cluster)).toEqual(['west', 'north']);
    const t = out.panels[0]!.data.topology!;
    expect(t.edges.map((e) => e.id)).toEqual(['north/ops/cron->north/ops/db', 'west/shop/frontend->east/pay/checkout']);
    expect(t.nodes.map((n) => n.id)).toEqual([
      'east/pay/checkout',
      'north/ops/cron',
      'north/ops/db',
      'west/shop/frontend',
    ]);
    expect(t.spans).toBe(42);
  });

  it('report a partial answer’s warnings on the panel', async () => {
    const out = await render(renderer(new FakeTopology()), dashboard({ sources: ['spans', 'istio'] }));
    expect(out.panels[0]!.data.warnings).toEqual(['istio: cluster west did not answer']);
    expect(out.panels[0]!.data.topology!.partial).toBe(true);
  });

  it('answer a cluster outside the caller’s scope with a per-panel 403, beside the other panels', async () => {
    const d = validateDashboard({
      title: 'two',
      rows: [
        {
          panels: [
            { type: 'topology', title: 'north', targets: [{ datasource: 'topology', cluster: 'north' }] },
            { type: 'topology', title: 'east', targets: [{ datasource: 'topology', cluster: 'east' }] },
          ],
        },
      ],
    });
    const out = await render(renderer(new FakeTopology()), d, { scope: { clusters: ['east'], namespaces: ['*'] } });
    expect(out.panels.map((p) => [p.title, p.error?.code, p.data.topology?.edges.length])).toEqual([
      ['north', 'PHAROS_ERR_FORBIDDEN', undefined],
      ['east', undefined, 2],
    ]);
  });

  it('refuse a selection of more cluster × namespace pairs than a panel reads', async () => {
    const clusters = Array.from({ length: MAX_TOPOLOGY_ASKS + 1 }, (_, i) => `c${i}`);
    const d = validateDashboard({
      title: 'wide',
      variables: [{ type: 'custom', name: 'cluster', options: clusters, multi: true }],
      rows: [{ panels: [{ type: 'topology', targets: [{ datasource: 'topology', cluster: '$cluster' }] }] }],
    });
    const fake = new FakeTopology();
    const out = await render(renderer(fake), d, { requested: { cluster: clusters } });
    expect(out.panels[0]!.error).toMatchObject({ code: 'PHAROS_ERR_LIMIT' });
    expect(fake.calls).toEqual([]);
  });

  it('say so when the process has no traces service', async () => {
    const out = await render(renderer(), dashboard({}));
    expect(out.panels[0]!.error).toMatchObject({ code: 'PHAROS_ERR_UNAVAILABLE' });
  });
});
