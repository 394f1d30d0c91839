// Issue 21, Deliver 2: what the new push-down sends to the members and gets back. Each 3.16 cluster server is
// reached through a recording proxy; answers are compared with the 3.16 union server (the differential suite
// covers every fleet and both query kinds; this test shows which leaf queries the members really received).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { federationConfigSchema } from '../../../libs/config/sections/federation.ts';
import { FederatedQuery } from '../../../libs/federation/federated-query.ts';
import { HttpClusterClient } from '../../../libs/federation/prometheus.client.ts';
import { CLUSTER_NAMES, PROMETHEUS3_PORTS } from '../../fixtures/prometheus/generate.ts';
import { diffResults } from './compare.ts';
import { EVAL_TIME, RANGE, union } from './differential.ts';
import { startRecordingProxy, type RecordingProxy } from './recording-proxy.ts';

describe('push-down of stddev, count_values and topk to the members (issue 21)', () => {
  let proxies: RecordingProxy[];
  let fed: FederatedQuery;

  beforeAll(async () => {
    proxies = await Promise.all(
      CLUSTER_NAMES.map((name) => startRecordingProxy(`http://127.0.0.1:${PROMETHEUS3_PORTS[name]}`, () => false)),
    );
    fed = new FederatedQuery({
      clusters: CLUSTER_NAMES.map((name, i) => ({
        name,
        prometheus: {
          url: (proxies[i] as RecordingProxy).url,
          replicas: [],
          replicaLabel: 'replica',
          timeoutMs: 30_000,
        },
      })),
      limits: federationConfigSchema.parse({}),
      client: new HttpClusterClient(),
    });
  });

  afterAll(async () => {
    for (const p of proxies ?? []) await p.close();
  });

  /** The query, answered by Pharos and by the union; returns the leaf queries each member received. */
  async function ask(query: string, kind: 'instant' | 'range' = 'instant') {
    for (const p of proxies) p.requests.length = 0;
    const r = kind === 'instant' ? await fed.instant({ query, time: EVAL_TIME }) : await fed.range({ query, ...RANGE });
    const params: Record<string, string> =
      kind === 'instant'
        ? { query, time: String(EVAL_TIME) }
        : { query, start: String(RANGE.start), end: String(RANGE.end), step: String(RANGE.step) };
    const u = await union('3', kind === 'instant' ? 'query' : 'query_range', params);
    if (!u.ok) throw new Error(u.error);
    expect(diffResults(u.data, r, { ordered: false }), query).toBeUndefined();
    const leaves = proxies.map((p) => p.requests.filter((x) => /\/query(_range)?$/.test(x.path)));
    return {
      r,
      queries: leaves.map((l) => l.map((x) => x.params.query)),
      bytes: leaves.flat().reduce((a, x) => a + (x.responseBytes ?? 0), 0),
      series: (r.result as unknown[]).length,
    };
  }

  it.each(['instant', 'range'] as const)(
    'topk without ties: each member sends its top k + 1 only (%s)',
    async (kind) => {
      const { queries } = await ask('topk(5, container_memory_working_set_bytes)', kind);
      expect(queries).toEqual(CLUSTER_NAMES.map(() => ['topk (6, container_memory_working_set_bytes)']));
    },
  );

  it('topk with a tie at the k-th place across clusters: asked again for the whole argument', async () => {
    // Restart counts are 0–3; the 2nd and 3rd best are both 2, in different clusters.
    const { queries } = await ask('topk(2, kube_pod_container_status_restarts_total)');
    expect(queries).toEqual(
      CLUSTER_NAMES.map(() => [
        'topk (3, kube_pod_container_status_restarts_total)',
        'kube_pod_container_status_restarts_total',
      ]),
    );
    // Equal picked values alone leave no choice of series: pushed (the answer is still the union's, checked in ask).
    const picked = await ask('topk(1, kube_pod_container_status_restarts_total)');
    expect(picked.queries.flat()).toEqual(
      CLUSTER_NAMES.map(() => 'topk (2, kube_pod_container_status_restarts_total)'),
    );
  });

  it("stddev and count_values: one leaf per member, the members' partials combined", async () => {
    const sd = await ask('stddev by (namespace) (container_memory_working_set_bytes)', 'range');
    for (const q of sd.queries) expect(q).toEqual([expect.stringContaining('"__pharos_partial__", "stdvar"')]);
    const cv = await ask('count_values("v", kube_pod_container_status_restarts_total)');
    expect(cv.queries).toEqual(
      CLUSTER_NAMES.map(() => ['count_values ("v", kube_pod_container_status_restarts_total)']),
    );
  });

  it('fetches less than the whole argument (figures printed for the report)', async () => {
    for (const query of ['topk(5, container_memory_working_set_bytes)', 'stddev(container_memory_working_set_bytes)']) {
      const pushed = await ask(query, 'range');
      const inner = await ask('container_memory_working_set_bytes', 'range');
      console.log(
        `[pushdown ${query}] leaf answers ${pushed.bytes} bytes vs the whole argument ${inner.bytes} bytes (${inner.series} series)`,
      );
      expect(pushed.bytes).toBeLessThan(inner.bytes);
    }
  });
});
