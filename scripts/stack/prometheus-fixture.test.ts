// Properties of the Prometheus fixture that the stack backfills and the federation tests rely on: deterministic,
// no `cluster` label except on the union, counters that only reset where planned, consistent histograms, and
// label values that collide across clusters.
import { describe, expect, it } from 'vitest';
import {
  CLUSTERS,
  CLUSTER_NAMES,
  FIXTURE_EVENTS,
  FIXTURE_SAMPLE_COUNT,
  generateCluster,
  generateServer,
  openMetricsChunks,
  selectSeries,
  timestampAt,
  type MetricFamily,
} from '../../test/fixtures/prometheus/generate.ts';

const seriesOf = (families: MetricFamily[]) => families.flatMap((f) => f.series);
const bytes = (values: Float64Array): Buffer => Buffer.from(values.buffer, values.byteOffset, values.byteLength);

describe('prometheus fixture', () => {
  it('is deterministic', () => {
    const text = (families: MetricFamily[]): string => [...openMetricsChunks(families)].join('');
    expect(text(generateCluster('west'))).toBe(text(generateCluster('west')));
  });

  it.each(CLUSTER_NAMES)('keeps %s to a few hundred series without a cluster label', (cluster) => {
    const series = seriesOf(generateServer(cluster));
    expect(series.length).toBeGreaterThan(150);
    expect(series.length).toBeLessThan(500);
    expect(series.every((s) => !('cluster' in s.labels) && s.values.length === FIXTURE_SAMPLE_COUNT)).toBe(true);
  });

  it('puts every cluster series in the union, labelled with its cluster', () => {
    const union = seriesOf(generateServer('union'));
    for (const cluster of CLUSTER_NAMES) {
      const own = seriesOf(generateServer(cluster));
      const labelled = union.filter((s) => s.labels.cluster === cluster);
      expect(labelled.map((s) => ({ name: s.name, labels: s.labels }))).toEqual(
        own.map((s) => ({ name: s.name, labels: { cluster, ...s.labels } })),
      );
      const sameValues = labelled.every((s, i) => bytes(s.values).equals(bytes(own[i]?.values ?? new Float64Array())));
      expect(sameValues).toBe(true);
    }
    expect(union.length).toBe(CLUSTER_NAMES.reduce((n, c) => n + seriesOf(generateServer(c)).length, 0));
  });

  it('resets counters only at the planned restarts', () => {
    const resets: string[] = [];
    for (const cluster of CLUSTER_NAMES) {
      for (const family of generateServer(cluster).filter((f) => f.type !== 'gauge')) {
        for (const s of family.series) {
          s.values.forEach((v, i) => {
            if (i > 0 && v < (s.values[i - 1] as number)) resets.push(`${cluster} ${s.name} ${timestampAt(i)}`);
          });
        }
      }
    }
    const { demoRestart, containerRestart } = FIXTURE_EVENTS;
    expect(new Set(resets)).toEqual(
      new Set([
        `${demoRestart.cluster} demo_cpu_usage_seconds_total ${demoRestart.at}`,
        `${demoRestart.cluster} demo_api_request_duration_seconds_bucket ${demoRestart.at}`,
        `${demoRestart.cluster} demo_api_request_duration_seconds_sum ${demoRestart.at}`,
        `${demoRestart.cluster} demo_api_request_duration_seconds_count ${demoRestart.at}`,
        `${containerRestart.cluster} container_cpu_usage_seconds_total ${containerRestart.at}`,
      ]),
    );
  });

  it('keeps histogram buckets cumulative, with +Inf equal to the count', () => {
    const families = generateServer('east');
    for (const count of selectSeries(families, 'demo_api_request_duration_seconds_count')) {
      const buckets = selectSeries(families, 'demo_api_request_duration_seconds_bucket', count.labels);
      expect(buckets.at(-1)?.labels.le).toBe('+Inf');
      expect(buckets.at(-1)?.values).toEqual(count.values);
      for (let i = 0; i < FIXTURE_SAMPLE_COUNT; i += 60) {
        const row = buckets.map((b) => b.values[i] as number);
        expect(row).toEqual([...row].sort((a, b) => a - b));
      }
    }
  });

  it('repeats label values across clusters, with some namespaces in one cluster only', () => {
    const instances = CLUSTER_NAMES.map((c) => new Set(CLUSTERS[c].demoInstances));
    expect([...(instances[0] ?? [])].filter((i) => instances.every((set) => set.has(i))).length).toBeGreaterThan(0);
    const namespaces = CLUSTER_NAMES.flatMap((c) => Object.keys(CLUSTERS[c].namespaces));
    const counts = new Map<string, number>();
    for (const ns of namespaces) counts.set(ns, (counts.get(ns) ?? 0) + 1);
    expect([...counts.values()].some((n) => n === CLUSTER_NAMES.length)).toBe(true);
    expect([...counts.values()].some((n) => n === 1)).toBe(true);
    const pods = CLUSTER_NAMES.map(
      (c) => new Set(selectSeries(generateServer(c), 'kube_pod_info').map((s) => s.labels.pod)),
    );
    expect([...(pods[0] ?? [])].some((pod) => pods[1]?.has(pod))).toBe(true);
  });
});
