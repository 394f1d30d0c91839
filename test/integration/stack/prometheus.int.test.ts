// The four Prometheus servers from the stack hold exactly the fixture data: instant queries at explicit times
// return the values the generator computes, and the union server equals the three clusters combined.
import { describe, expect, it } from 'vitest';
import {
  CLUSTERS,
  CLUSTER_NAMES,
  FIXTURE_END,
  FIXTURE_SERVERS,
  FIXTURE_START,
  FIXTURE_STEP_SECONDS,
  PROMETHEUS_PORTS,
  generateServer,
  selectSeries,
  valueAt,
  type FixtureServer,
  type Series,
} from '../../fixtures/prometheus/generate.ts';

interface Sample {
  metric: Record<string, string>;
  value: number;
}

async function instantQuery(server: FixtureServer, query: string, time: number): Promise<Sample[]> {
  const url = new URL(`http://127.0.0.1:${PROMETHEUS_PORTS[server]}/api/v1/query`);
  url.searchParams.set('query', query);
  url.searchParams.set('time', String(time));
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const body = (await response.json()) as {
    status: string;
    data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
  };
  expect(body.status).toBe('success');
  return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
}

const keyOf = (labels: Record<string, string>): string =>
  JSON.stringify(
    Object.entries(labels)
      .filter(([k]) => k !== '__name__')
      .sort(([a], [b]) => a.localeCompare(b)),
  );

function expected(series: Series[], time: number): Map<string, number> {
  const values = new Map<string, number>();
  for (const s of series) {
    const value = valueAt(s, time);
    if (value !== undefined) values.set(keyOf(s.labels), value);
  }
  return values;
}

const asMap = (samples: Sample[]): Map<string, number> => new Map(samples.map((s) => [keyOf(s.metric), s.value]));

/** Samples at the step before `time` count, so a time between samples tests the lookback too. */
const AN_HOUR_IN = FIXTURE_START + 3600 + 7;

describe.each(FIXTURE_SERVERS)('prometheus %s (stack)', (server) => {
  const families = generateServer(server);

  it('returns the backfilled values of a selector', async () => {
    const samples = await instantQuery(server, 'demo_memory_usage_bytes', AN_HOUR_IN);
    expect(asMap(samples)).toEqual(expected(selectSeries(families, 'demo_memory_usage_bytes'), AN_HOUR_IN));
    expect(samples.length).toBeGreaterThan(0);
  });

  it('holds every fixture series and nothing else', async () => {
    const samples = await instantQuery(server, 'count by (__name__) ({__name__=~".+"})', AN_HOUR_IN);
    const counts = new Map<string, number>();
    for (const s of families.flatMap((f) => f.series)) {
      if (valueAt(s, AN_HOUR_IN) !== undefined) counts.set(s.name, (counts.get(s.name) ?? 0) + 1);
    }
    expect(new Map(samples.map((s) => [s.metric.__name__ as string, s.value]))).toEqual(counts);
  });

  it('shows the gaps of demo_intermittent_metric as generated', async () => {
    for (let minute = 0; minute < 60; minute += 5) {
      const time = FIXTURE_START + minute * 60;
      const samples = await instantQuery(server, 'demo_intermittent_metric', time);
      expect(asMap(samples), `at +${minute} min`).toEqual(
        expected(selectSeries(families, 'demo_intermittent_metric'), time),
      );
    }
  });

  it('counts counter resets as generated', async () => {
    const range = 7200;
    const samples = await instantQuery(server, `resets(demo_cpu_usage_seconds_total[${range}s])`, FIXTURE_END);
    const first = (FIXTURE_END - range - FIXTURE_START) / FIXTURE_STEP_SECONDS;
    const resets = new Map(
      selectSeries(families, 'demo_cpu_usage_seconds_total').map((s) => {
        let count = 0;
        for (let i = first + 1; i < s.values.length; i++)
          if ((s.values[i] as number) < (s.values[i - 1] as number)) count++;
        return [keyOf(s.labels), count];
      }),
    );
    expect(asMap(samples)).toEqual(resets);
  });
});

describe('prometheus union (stack)', () => {
  it('sum(demo_num_cpus) equals the sum over the three clusters, which all differ', async () => {
    const perCluster = await Promise.all(
      CLUSTER_NAMES.map(async (cluster) => (await instantQuery(cluster, 'sum(demo_num_cpus)', AN_HOUR_IN))[0]?.value),
    );
    const [union] = await instantQuery('union', 'sum(demo_num_cpus)', AN_HOUR_IN);
    const fromFixture = selectSeries(generateServer('union'), 'demo_num_cpus').reduce(
      (sum, s) => sum + (valueAt(s, AN_HOUR_IN) ?? 0),
      0,
    );
    expect(union?.value).toBe(perCluster.reduce((a = 0, b = 0) => a + b, 0));
    expect(union?.value).toBe(fromFixture);
    expect(new Set(perCluster).size).toBe(CLUSTER_NAMES.length);
  });

  it('labels every series with its cluster, whose values repeat across clusters', async () => {
    const byCluster = await instantQuery('union', 'count by (cluster) ({__name__=~".+"})', AN_HOUR_IN);
    expect(byCluster.map((s) => s.metric.cluster).sort()).toEqual([...CLUSTER_NAMES].sort());
    // Namespaces repeat: the union has fewer distinct namespaces than the clusters have in total.
    const [distinct] = await instantQuery('union', 'count(count by (namespace) (kube_pod_info))', AN_HOUR_IN);
    const all = CLUSTER_NAMES.flatMap((c) => Object.keys(CLUSTERS[c].namespaces));
    expect(distinct?.value).toBe(new Set(all).size);
    expect(distinct?.value).toBeLessThan(all.length);
  });
});
