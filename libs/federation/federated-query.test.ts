import { describe, expect, it } from 'vitest';
import { federationConfigSchema } from '../config/sections/federation.ts';
import { InputError, LimitError, TimeoutError, UnavailableError } from '../errors/errors.ts';
import { FederatedQuery } from './federated-query.ts';
import {
  ClusterUnavailableError,
  type ApiAnswer,
  type ClusterCall,
  type ClusterClient,
  type ClusterConfig,
} from './prometheus.client.ts';

const cluster = (name: string): ClusterConfig => ({
  name,
  prometheus: { url: `http://${name}.invalid`, replicas: [], replicaLabel: 'replica', timeoutMs: 1000 },
});

/** Each cluster answers every query with one series `up{job="a"}` = 1, except those told to fail. */
class FakeClient implements ClusterClient {
  readonly seen: { cluster: string; path: string; query: string | null }[] = [];
  constructor(
    private readonly failing: Record<string, Error> = {},
    private readonly delayMs = 0,
  ) {}
  async call({ cluster: c, path, params }: ClusterCall, signal: AbortSignal): Promise<ApiAnswer> {
    // The members' buildinfo and flags are asked too (member-info.ts); `seen` keeps the queries.
    if (!path.startsWith('status/')) this.seen.push({ cluster: c.name, path, query: params.get('query') });
    if (this.delayMs)
      await new Promise((r, j) => {
        const t = setTimeout(r, this.delayMs);
        signal.addEventListener('abort', () => {
          clearTimeout(t);
          j(signal.reason);
        });
      });
    const fail = this.failing[c.name];
    if (fail) throw fail;
    if (path === 'query')
      return {
        data: { resultType: 'vector', result: [{ metric: { job: 'a' }, value: [Number(params.get('time')), '1'] }] },
        warnings: [],
      };
    if (path === 'status/buildinfo') return { data: { version: '2.42.0' }, warnings: [] };
    if (path === 'status/flags') return { data: { 'query.lookback-delta': '5m' }, warnings: [] };
    return { data: [], warnings: [] };
  }
}

/** Each cluster answers every query with two series of the same value: a tie for any pushed topk(1). */
class TiedClient extends FakeClient {
  override async call(c: ClusterCall, signal: AbortSignal): Promise<ApiAnswer> {
    const a = await super.call(c, signal);
    if (c.path !== 'query') return a;
    const at = Number(c.params.get('time'));
    const result = ['p1', 'p2'].map((pod) => ({ metric: { pod }, value: [at, '1'] }));
    return { ...a, data: { resultType: 'vector', result } };
  }
}

const make = (client: ClusterClient, limits: Record<string, unknown> = {}) =>
  new FederatedQuery({
    clusters: ['east', 'west', 'north'].map(cluster),
    limits: federationConfigSchema.parse(limits),
    client,
  });

describe('FederatedQuery', () => {
  it('adds cluster to every series and reports per-cluster status', async () => {
    const r = await make(new FakeClient()).instant({ query: 'up', time: 100 });
    expect(r.result).toEqual(
      ['east', 'north', 'west'].map((c) => ({ metric: { job: 'a', cluster: c }, value: [100, '1'] })),
    );
    expect(r.clusters).toEqual({ east: { status: 'ok' }, west: { status: 'ok' }, north: { status: 'ok' } });
  });

  it('asks only the clusters a cluster matcher selects', async () => {
    const client = new FakeClient();
    await make(client).instant({ query: 'sum(up{cluster=~"east|north"})', time: 100 });
    expect(client.seen.map((s) => [s.cluster, s.query])).toEqual([
      ['east', 'sum (up)'],
      ['north', 'sum (up)'],
    ]);
  });

  it('leaves a failed cluster out with a warning, or fails with partial_response=false', async () => {
    const client = new FakeClient({ west: new ClusterUnavailableError('cluster "west" is unreachable') });
    const r = await make(client).instant({ query: 'count(up)', time: 100 });
    expect(r.result).toEqual([{ metric: {}, value: [100, '2'] }]);
    expect(r.warnings[0]).toContain('"west"');
    expect(r.clusters.west).toMatchObject({ status: 'error' });
    await expect(make(client).instant({ query: 'count(up)', time: 100, partialResponse: false })).rejects.toThrow(
      UnavailableError,
    );
  });

  it('pushes topk as the top k + 1 per cluster, and asks for the whole argument when a tie leaves a choice', async () => {
    const client = new FakeClient();
    const r = await make(client).instant({ query: 'topk(1, up)', time: 100 });
    expect(r.result).toHaveLength(1);
    expect(new Set(client.seen.map((s) => s.query))).toEqual(new Set(['topk (2, up)']));
    const tied = new TiedClient();
    const again = await make(tied).instant({ query: 'topk(1, up)', time: 100 });
    expect(tied.seen.map((s) => s.query)).toEqual([...Array(3).fill('topk (2, up)'), ...Array(3).fill('up')]);
    // Go's heap over the union's order (east's p1 first) keeps the first series it met.
    expect(again.result).toEqual([{ metric: { cluster: 'east', pod: 'p1' }, value: [100, '1'] }]);
  });

  it('passes a query error from a cluster on, since the union would fail the same way', async () => {
    await expect(
      make(new FakeClient({ east: new InputError('bad') })).instant({ query: 'up', time: 1 }),
    ).rejects.toThrow(InputError);
  });

  it('enforces maxSeries and the query timeout', async () => {
    await expect(make(new FakeClient(), { maxSeries: 2 }).instant({ query: 'up', time: 1 })).rejects.toThrow(
      LimitError,
    );
    await expect(make(new FakeClient({}, 500)).instant({ query: 'up', time: 1, timeoutMs: 20 })).rejects.toThrow(
      TimeoutError,
    );
  });

  it('answers constant queries without asking any cluster', async () => {
    const client = new FakeClient();
    const r = await make(client).range({ query: 'vector(1)', start: 0, end: 120, step: 60 });
    expect(r.result).toEqual([
      {
        metric: {},
        values: [
          [0, '1'],
          [60, '1'],
          [120, '1'],
        ],
      },
    ]);
    expect(client.seen).toEqual([]);
  });

  it('validates range parameters', async () => {
    await expect(make(new FakeClient()).range({ query: 'up', start: 10, end: 0, step: 1 })).rejects.toThrow(InputError);
    await expect(make(new FakeClient()).range({ query: 'up', start: 0, end: 1e6, step: 1 })).rejects.toThrow('11,000');
  });

  it('refuses what would cost a cluster too many points per series before asking any (issue 15)', async () => {
    const client = new FakeClient();
    const refused = [
      make(client).instant({ query: 'max_over_time(kube_pod_info[30d:1ms])', time: 100 }),
      make(client).instant({ query: 'sum(max_over_time(up{cluster="east"}[1d:1s]))', time: 100 }),
      make(client).range({ query: 'max_over_time(up[1h:1s])', start: 0, end: 86_400 * 30, step: 3600 }),
      make(client, { maxPointsPerSeries: 50 }).range({ query: 'up', start: 0, end: 100, step: 1 }),
    ];
    for (const r of refused) await expect(r).rejects.toThrow(LimitError);
    await expect(
      make(client, { maxSubqueryPointsPerSeries: 100 }).instant({ query: 'max_over_time(up[2h:1m])', time: 100 }),
    ).rejects.toThrow(/federation\.maxSubqueryPointsPerSeries=100/);
    expect(client.seen).toEqual([]);
    await make(client, { maxPointsPerSeries: 50 }).instant({ query: 'max_over_time(up[49m:1m])', time: 100 });
    expect(client.seen).toHaveLength(3);
  });
});
