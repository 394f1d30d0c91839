// promtool 2.42 against Pharos's Prometheus API over a real port, with the token as the HTTP Basic password
// taken from the URL (promtool has no bearer-token option), and answers checked against the union server.
import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROMETHEUS_PORTS } from '../../fixtures/prometheus/generate.ts';
import { EVAL_TIME } from './differential.ts';
import { startFederation, TOKEN } from './harness.ts';

const run = promisify(execFile);

describe('promtool query against /prometheus', () => {
  let server: Awaited<ReturnType<typeof startFederation>>;
  let pharos = '';
  const union = `http://127.0.0.1:${PROMETHEUS_PORTS.union}`;

  beforeAll(async () => {
    server = await startFederation();
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = server.app.server.address() as AddressInfo;
    pharos = `http://promtool:${TOKEN}@127.0.0.1:${port}/prometheus`;
  });
  afterAll(async () => server.close());

  const promtool = async (args: string[]): Promise<unknown> => {
    const { stdout } = await run('promtool', ['query', ...args, '-o', 'json'], { timeout: 30_000 });
    return JSON.parse(stdout);
  };

  it('instant: a cross-cluster aggregation equals the union server', async () => {
    const q = 'count(count by (namespace) (kube_pod_info))';
    const [ours, theirs] = await Promise.all([
      promtool(['instant', `--time=${EVAL_TIME}`, pharos, q]),
      promtool(['instant', `--time=${EVAL_TIME}`, union, q]),
    ]);
    expect(ours).toEqual(theirs);
  });

  it('range: per-cluster sums equal the union server', async () => {
    const q = 'sum by (cluster) (rate(container_cpu_usage_seconds_total[5m]))';
    const args = ['range', `--start=${EVAL_TIME - 600}`, `--end=${EVAL_TIME}`, '--step=60s'];
    const [ours, theirs] = await Promise.all([promtool([...args, pharos, q]), promtool([...args, union, q])]);
    expect(ours).toEqual(theirs);
  });

  it('series: every series carries its cluster', async () => {
    const args = ['series', '--match=up{job="node-exporter"}', `--start=${EVAL_TIME - 60}`, `--end=${EVAL_TIME}`];
    const ours = (await promtool([...args, pharos])) as Record<string, string>[];
    const theirs = (await promtool([...args, union])) as Record<string, string>[];
    const key = (s: Record<string, string>) => JSON.stringify(Object.entries(s).sort());
    expect(ours.map(key).sort()).toEqual(theirs.map(key).sort());
    expect(ours.every((s) => ['east', 'west', 'north'].includes(s.cluster as string))).toBe(true);
  });

  it('labels: values of a label across clusters, including cluster itself', async () => {
    const args = ['labels', `--start=${EVAL_TIME - 60}`, `--end=${EVAL_TIME}`];
    expect(await promtool([...args, pharos, 'namespace'])).toEqual(await promtool([...args, union, 'namespace']));
    expect(await promtool([...args, pharos, 'cluster'])).toEqual(['east', 'north', 'west']);
  });

  it('a bad token is refused', async () => {
    await expect(
      run('promtool', ['query', 'instant', pharos.replace(TOKEN, 'wrong-token-0123456789'), 'up'], { timeout: 30_000 }),
    ).rejects.toThrow();
  });
});
