// Partial response and HA replicas on real Prometheus servers. The shared fixture servers stay up: a "stopped"
// cluster is an entry pointing at a closed port, and a dead HA replica likewise.
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROMETHEUS_PORTS } from '../../fixtures/prometheus/generate.ts';
import { EVAL_TIME } from './differential.ts';
import { AUTH, fixtureClusters, startFederation } from './harness.ts';

/** A port that was free a moment ago and is closed now: connections to it are refused. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

async function union(query: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = await fetch(`http://127.0.0.1:${PROMETHEUS_PORTS.union}/api/v1/query`, {
    method: 'POST',
    body: new URLSearchParams({ query, time: String(EVAL_TIME) }),
  });
  return ((await res.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } })
    .data.result;
}

const byKey = (r: { metric: Record<string, string>; value: [number, string] }[]) =>
  Object.fromEntries(r.map((s) => [JSON.stringify(Object.entries(s.metric).sort()), s.value[1]]));

describe('one cluster stopped', () => {
  let server: Awaited<ReturnType<typeof startFederation>>;
  beforeAll(async () => {
    server = await startFederation([
      ...fixtureClusters(),
      { name: 'south', prometheus: { url: `http://127.0.0.1:${await closedPort()}`, timeoutMs: 3000 } },
    ]);
  });
  afterAll(async () => server.close());

  it('answers 200 with a warning naming it, the other clusters intact', async () => {
    const q = 'sum by (cluster, namespace) (container_memory_working_set_bytes)';
    const res = await server.app.inject({
      url: `/prometheus/api/v1/query?query=${encodeURIComponent(q)}&time=${EVAL_TIME}`,
      headers: AUTH,
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.warnings.join(' ')).toContain('"south"');
    expect(body.clusters.south.status).toBe('error');
    expect(body.clusters.east.status).toBe('ok');
    expect(res.headers['x-pharos-clusters']).toContain('south=error');
    expect(byKey(body.data.result)).toEqual(byKey(await union(q)));
  });

  it('partial_response=false fails the query instead', async () => {
    const res = await server.app.inject({
      url: `/prometheus/api/v1/query?query=up&time=${EVAL_TIME}&partial_response=false`,
      headers: AUTH,
    });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'error', errorType: 'unavailable' });
    expect(res.json().error).toContain('south');
  });

  it('a cluster matcher that excludes the stopped cluster gets no warning', async () => {
    const res = await server.app.inject({
      url: `/prometheus/api/v1/query?query=${encodeURIComponent('count(up{cluster=~"east|west"})')}&time=${EVAL_TIME}`,
      headers: AUTH,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().warnings).toBeUndefined();
    expect(res.json().data.result).toEqual([
      { metric: {}, value: [EVAL_TIME, String((await union('count(up{cluster=~"east|west"})'))[0]?.value[1])] },
    ]);
  });
});

describe('HA replicas', () => {
  let server: Awaited<ReturnType<typeof startFederation>>;
  beforeAll(async () => {
    // east listed with a dead replica and a second live replica holding the same data.
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const east = `http://127.0.0.1:${PROMETHEUS_PORTS.east}`;
    const clusters = fixtureClusters().map((c) =>
      c.name === 'east' ? { name: 'east', prometheus: { url: dead, replicas: [east, east], timeoutMs: 3000 } } : c,
    );
    server = await startFederation(clusters);
  });
  afterAll(async () => server.close());

  it('deduplicates replicas and survives a dead one without a warning', async () => {
    const q = 'container_memory_working_set_bytes{namespace="payments"}';
    const res = await server.app.inject({
      url: `/prometheus/api/v1/query?query=${encodeURIComponent(q)}&time=${EVAL_TIME}`,
      headers: AUTH,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().warnings).toBeUndefined();
    expect(byKey(res.json().data.result)).toEqual(byKey(await union(q)));
  });
});

describe('limits', () => {
  let server: Awaited<ReturnType<typeof startFederation>>;
  beforeAll(async () => {
    server = await startFederation(fixtureClusters(), { maxResponseBytes: 2000, maxSeries: 20 });
  });
  afterAll(async () => server.close());

  it('stops reading a cluster answer over maxResponseBytes, and refuses more than maxSeries', async () => {
    const big = await server.app.inject({
      url: `/prometheus/api/v1/query?query=container_memory_working_set_bytes&time=${EVAL_TIME}`,
      headers: AUTH,
    });
    expect(big.statusCode).toBe(400);
    expect(big.json()).toMatchObject({ status: 'error', errorType: 'bad_data', code: 'PHAROS_ERR_LIMIT' });
    expect(big.json().error).toContain('maxResponseBytes');
    const series = await server.app.inject({
      url: `/prometheus/api/v1/series?match[]=up&start=${EVAL_TIME - 60}&end=${EVAL_TIME}`,
      headers: AUTH,
    });
    expect(series.json()).toMatchObject({ errorType: 'bad_data', code: 'PHAROS_ERR_LIMIT' });
    const small = await server.app.inject({
      url: `/prometheus/api/v1/query?query=sum(up)&time=${EVAL_TIME}`,
      headers: AUTH,
    });
    expect(small.statusCode).toBe(200);
  });
});
