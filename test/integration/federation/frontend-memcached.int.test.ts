// The query frontend on memcached (issue 21): two Pharos query replicas share the stack's memcached (one computes,
// the other is served its answer); memcached down — refused, gone mid-way, or hanging — makes answers slower, never
// an error or a different answer, and caching resumes when it is back. The outage cases run a memcached of their
// own on a free port (the stack's stays up for everyone else).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server } from 'node:net';
import os from 'node:os';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { federationConfigSchema } from '../../../libs/config/sections/federation.ts';
import { createLogger } from '../../../libs/logging/logger.ts';
import { FederatedQuery } from '../../../libs/federation/federated-query.ts';
import { frontFederation } from '../../../libs/federation/federation-frontend.ts';
import type { FederatedQueryService, FederatedResult } from '../../../libs/federation/federation.types.ts';
import { HttpClusterClient } from '../../../libs/federation/prometheus.client.ts';
import { freePort } from '../../../scripts/deploy/image-layout.ts';
import { MEMCACHED_PORT } from '../../../scripts/stack/memcached.ts';
import { FIXTURE_START } from '../../fixtures/prometheus/generate.ts';
import { clusterConfigs } from './differential.ts';

const RANGE = {
  query: 'sum by (cluster, namespace) (rate(container_cpu_usage_seconds_total[5m]))',
  start: FIXTURE_START + 1800,
  end: FIXTURE_START + 3 * 3600 - 60,
  step: 30,
};

interface Replica {
  fed: FederatedQueryService;
  registry: Registry;
  close(): Promise<void>;
}

const open: Replica[] = [];
const children: ChildProcess[] = [];
const servers: Server[] = [];

afterEach(async () => {
  for (const r of open.splice(0)) await r.close();
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const s of servers.splice(0)) s.close();
});

function replica(servers: string[], memcached: Record<string, unknown> = {}): Replica {
  const clusters = clusterConfigs();
  const limits = federationConfigSchema.parse({
    cache: {
      backend: 'memcached',
      splitInterval: '1h',
      memcached: { servers, timeoutMs: 200, retryAfterMs: 300, ...memcached },
    },
  });
  const engine = new FederatedQuery({ clusters, limits, client: new HttpClusterClient() });
  const registry = new Registry();
  const f = frontFederation({ engine, clusters, limits, metrics: registry, logger: createLogger('silent') });
  const r = { fed: f.service, registry, close: f.close };
  open.push(r);
  return r;
}

const total = async (r: Replica, name: string) =>
  ((await r.registry.getSingleMetric(name)?.get())?.values ?? []).reduce((a, v) => a + v.value, 0);

/** The engine's own answer, no frontend: what every answer must equal. */
async function direct(scopeKey: string): Promise<FederatedResult> {
  const fed = new FederatedQuery({
    clusters: clusterConfigs(),
    limits: federationConfigSchema.parse({}),
    client: new HttpClusterClient(),
  });
  return fed.range({ ...RANGE, scopeKey });
}

async function startMemcached(port: number): Promise<ChildProcess> {
  const child = spawn(
    'memcached',
    ['-l', '127.0.0.1', '-p', String(port), '-U', '0', '-m', '16', '-u', os.userInfo().username],
    { stdio: 'ignore' },
  );
  children.push(child);
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(true));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(false)));
    });
    if (up) return child;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('memcached did not start');
}

describe('query frontend on memcached', () => {
  it('a second replica is served what the first computed', async () => {
    // A scope of its own per run: memcached outlives test runs, and this one must start cold.
    const scopeKey = randomUUID();
    const expected = await direct(scopeKey);
    // A timeout far above any memcached round trip: at 200 ms a loaded machine can time out a's write (then
    // dropped, as it should be), and b would miss for a reason this test is not about.
    const a = replica([`127.0.0.1:${MEMCACHED_PORT}`], { timeoutMs: 10_000 });
    const b = replica([`127.0.0.1:${MEMCACHED_PORT}`], { timeoutMs: 10_000 });
    expect((await a.fed.range({ ...RANGE, scopeKey })).result).toEqual(expected.result);
    expect(await total(a, 'pharos_federation_cache_misses_total')).toBeGreaterThan(0);
    expect(await total(a, 'pharos_federation_cache_errors_total')).toBe(0);
    expect((await b.fed.range({ ...RANGE, scopeKey })).result).toEqual(expected.result);
    expect(await total(b, 'pharos_federation_cache_misses_total')).toBe(0);
    expect(await total(b, 'pharos_federation_cache_hits_total')).toBeGreaterThan(0);
    expect(await total(b, 'pharos_federation_cache_bytes')).toBeGreaterThan(0);
    expect(await total(b, 'pharos_federation_cache_errors_total')).toBe(0);
  });

  it('memcached refusing connections: every answer is the engine’s, no error', async () => {
    const r = replica([`127.0.0.1:${await freePort()}`]);
    const expected = await direct('');
    for (let i = 0; i < 3; i++) expect((await r.fed.range(RANGE)).result).toEqual(expected.result);
    expect(await total(r, 'pharos_federation_cache_errors_total')).toBeGreaterThan(0);
    expect(await total(r, 'pharos_federation_cache_hits_total')).toBe(0);
  });

  it('memcached hanging (accepts, never answers): answers after its timeout, no error', async () => {
    const hang = createServer(() => undefined).listen(0, '127.0.0.1');
    servers.push(hang);
    await once(hang, 'listening');
    const r = replica([`127.0.0.1:${(hang.address() as AddressInfo).port}`], { retryAfterMs: 60_000 });
    const expected = await direct('');
    const t0 = performance.now();
    expect((await r.fed.range(RANGE)).result).toEqual(expected.result);
    const first = performance.now() - t0;
    // Marked down after the first timeout: the next queries do not wait for it.
    const t1 = performance.now();
    expect((await r.fed.range(RANGE)).result).toEqual(expected.result);
    expect(await total(r, 'pharos_federation_cache_errors_total')).toBeGreaterThan(0);
    console.log(
      `[frontend memcached] hanging server: first answer ${first.toFixed(0)} ms (waits the 200 ms timeout), next ${(performance.now() - t1).toFixed(0)} ms`,
    );
  });

  it('memcached going away mid-way and coming back: answers stay right, caching resumes', async () => {
    const port = await freePort();
    let mc = await startMemcached(port);
    const r = replica([`127.0.0.1:${port}`]);
    const scopeKey = randomUUID();
    const expected = await direct(scopeKey);
    expect((await r.fed.range({ ...RANGE, scopeKey })).result).toEqual(expected.result);
    expect((await r.fed.range({ ...RANGE, scopeKey })).result).toEqual(expected.result);
    const hitsUp = await total(r, 'pharos_federation_cache_hits_total');
    expect(hitsUp).toBeGreaterThan(0);
    mc.kill('SIGKILL');
    await once(mc, 'exit');
    for (let i = 0; i < 3; i++) expect((await r.fed.range({ ...RANGE, scopeKey })).result).toEqual(expected.result);
    expect(await total(r, 'pharos_federation_cache_errors_total')).toBeGreaterThan(0);
    expect(await total(r, 'pharos_federation_cache_hits_total')).toBe(hitsUp);
    mc = await startMemcached(port);
    await new Promise((res) => setTimeout(res, 400)); // past retryAfterMs
    expect((await r.fed.range({ ...RANGE, scopeKey })).result).toEqual(expected.result); // cold again: the new memcached is empty
    expect((await r.fed.range({ ...RANGE, scopeKey })).result).toEqual(expected.result);
    expect(await total(r, 'pharos_federation_cache_hits_total')).toBeGreaterThan(hitsUp);
  });
});
