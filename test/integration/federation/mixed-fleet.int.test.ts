// A mixed fleet (issue 16): east on Prometheus 2.42, west and north on 3.16, the same data. Cluster-local answers
// are each member's own, with a warning; what Pharos combines across clusters follows Prometheus 3 (2.42 leaves
// rewritten to 3.x's windows) or is refused with 422 naming the versions. promqlVersion overrides the versions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLUSTER_NAMES, PROMETHEUS3_PORTS, PROMETHEUS_PORTS } from '../../fixtures/prometheus/generate.ts';
import { diffResults } from './compare.ts';
import { EVAL_TIME, union } from './differential.ts';
import { AUTH, startFederation } from './harness.ts';

const mixed = () =>
  CLUSTER_NAMES.map((name) => ({
    name,
    prometheus: { url: `http://127.0.0.1:${(name === 'east' ? PROMETHEUS_PORTS : PROMETHEUS3_PORTS)[name]}` },
  }));

describe('a mixed fleet: east 2.42, west and north 3.16', () => {
  let server: Awaited<ReturnType<typeof startFederation>>;
  beforeAll(async () => {
    server = await startFederation(mixed());
  });
  afterAll(async () => server.close());

  const query = (q: string) =>
    server.app.inject({
      url: `/prometheus/api/v1/query?query=${encodeURIComponent(q)}&time=${EVAL_TIME}`,
      headers: AUTH,
    });

  it('answers a cluster-local query with each member under its own rules, and says so', async () => {
    const res = await query('count_over_time(demo_memory_usage_bytes[5m])');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.warnings.join(' ')).toContain(
      'members run different Prometheus versions (east: Prometheus 2.42.0+ds; west, north: Prometheus 3.16.0)',
    );
    expect(body.semantics.perMember).toEqual({ east: '2.42.0+ds', west: '3.16.0', north: '3.16.0' });
    // A window starting on a sample: 21 points in 2.42's closed window, 20 in 3.x's left-open one.
    const counts = new Set(
      (body.data.result as { metric: { cluster: string }; value: [number, string] }[]).map(
        (s) => `${s.metric.cluster}=${s.value[1]}`,
      ),
    );
    expect([...counts].sort()).toEqual(['east=21', 'north=20', 'west=20']);
  });

  it('combines instant selectors across clusters as one Prometheus 3 would (2.42 lookback rewritten)', async () => {
    for (const q of ['count(demo_intermittent_metric @ 1767227085)', 'count(count by (instance) (up))']) {
      const res = await query(q);
      expect(res.statusCode, q).toBe(200);
      expect(res.json().semantics).toEqual({ promql: '3.16.0' });
      const expected = await union('3', 'query', { query: q, time: String(EVAL_TIME) });
      if (!expected.ok) throw new Error(expected.error);
      expect(diffResults(expected.data, res.json().data, { ordered: false }), q).toBeUndefined();
    }
  });

  it('refuses with 422 what depends on the version difference, naming the versions', async () => {
    const res = await query('sum(rate(demo_cpu_usage_seconds_total[5m]))');
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ errorType: 'execution', code: 'PHAROS_ERR_UNPROCESSABLE' });
    expect(res.json().error).toContain('east: Prometheus 2.42.0+ds; west, north: Prometheus 3.16.0');
    expect(res.json().error).toContain('rate() over a range extrapolates');
    // One version's clusters alone are answered under that version's rules.
    const west = await query('sum(rate(demo_cpu_usage_seconds_total{cluster=~"west|north"}[5m]))');
    expect(west.statusCode).toBe(200);
  });

  it('buildinfo describes the mixed fleet', async () => {
    const res = await server.app.inject({ url: '/prometheus/api/v1/status/buildinfo', headers: AUTH });
    expect(res.json().data).toMatchObject({
      version: '3.16.0',
      members: { east: { version: '2.42.0+ds' }, west: { version: '3.16.0' } },
    });
    expect(res.json().data.semantics).toContain('mixed fleet');
  });
});

describe('federation.promqlVersion overrides what the members report', () => {
  let server: Awaited<ReturnType<typeof startFederation>>;
  beforeAll(async () => {
    server = await startFederation(mixed(), { promqlVersion: 2 });
  });
  afterAll(async () => server.close());

  it('evaluates with 2.42 rules and refuses 3.x syntax, without calling the fleet mixed', async () => {
    const res = await server.app.inject({
      url: `/prometheus/api/v1/query?query=${encodeURIComponent('count_over_time(sum(up)[5m:1m])')}&time=${EVAL_TIME}`,
      headers: AUTH,
    });
    expect(res.statusCode).toBe(200);
    // 2.42's closed window holds the subquery point on its left edge: 6 points.
    expect(res.json().data.result).toEqual([{ metric: {}, value: [EVAL_TIME, '6'] }]);
    const bad = await server.app.inject({
      url: `/prometheus/api/v1/query?query=${encodeURIComponent('sum by ("instance") (up)')}&time=${EVAL_TIME}`,
      headers: AUTH,
    });
    expect(bad.statusCode).toBe(400);
  });
});
