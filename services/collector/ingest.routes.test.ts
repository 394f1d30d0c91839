import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../libs/auth/principal.ts';
import type { Bus, ConsumedMessage } from '../../libs/bus/bus.ts';
import { MemoryBus } from '../../libs/bus/memory.bus.ts';
import { SqliteBus } from '../../libs/bus/sqlite.bus.ts';
import { topicsFor } from '../../libs/bus/topics.ts';
import { buildApp } from '../../libs/http/app.ts';
import { ingestMetrics } from './ingest.metrics.ts';
import { ingestRoutes } from './ingest.routes.ts';
import { createIngestService } from './ingest.service.ts';

const PRINCIPALS: Record<string, Principal> = {
  ingest: { name: 'collector', role: 'ingest', scope: { clusters: ['*'], namespaces: ['*'] }, via: 'token' },
  eastOnly: { name: 'east-collector', role: 'ingest', scope: { clusters: ['east'], namespaces: ['*'] }, via: 'token' },
  viewer: { name: 'viewer', role: 'viewer', scope: { clusters: ['*'], namespaces: ['*'] }, via: 'token' },
};
const topics = topicsFor({ type: 'memory' });
const event = (auditID: string, extra: Record<string, unknown> = {}) => ({
  kind: 'Event',
  apiVersion: 'audit.k8s.io/v1',
  level: 'Metadata',
  auditID,
  stage: 'ResponseComplete',
  verb: 'get',
  requestURI: '/api/v1/pods',
  user: { username: 'alice' },
  requestReceivedTimestamp: '2024-01-01T00:00:00.000000Z',
  ...extra,
});

async function appWith(bus: Bus, maxInFlight = 1000): Promise<{ app: FastifyInstance; registry: Registry }> {
  const registry = new Registry();
  const metrics = ingestMetrics(registry);
  const ingest = createIngestService({
    bus: async () => bus,
    topics,
    maxInFlight,
    metrics,
    logger: pino({ level: 'silent' }),
  });
  const app = await buildApp({
    logger: pino({ level: 'silent' }),
    metrics: registry,
    authenticator: { authenticate: (c) => PRINCIPALS[c] },
    features: [{ name: 'collector-intake', routes: ingestRoutes({ ingest, metrics, cluster: 'local' }) }],
  });
  return { app, registry };
}

/** Reads a topic from the start (a new group) until `expected` messages matching `match` came. */
async function drain(
  bus: Bus,
  topic: string,
  { expected, match = () => true }: { expected: number; match?: (m: ConsumedMessage) => boolean },
): Promise<ConsumedMessage[]> {
  const got: ConsumedMessage[] = [];
  const sub = await bus.subscribe({
    topic,
    groupId: `drain-${Math.random()}`,
    handle: async (b) => void got.push(...b.filter(match)),
  });
  for (let i = 0; i < 200 && got.length < expected; i++) await new Promise((r) => setTimeout(r, 10));
  await sub.stop();
  return got;
}

describe('ingest routes', () => {
  const bus = new MemoryBus();
  let app: FastifyInstance;
  let registry: Registry;
  beforeAll(async () => ({ app, registry } = await appWith(bus)));
  afterAll(() => app.close());
  const post = (
    url: string,
    payload: unknown,
    { token = 'ingest', contentType = 'application/json' }: { token?: string; contentType?: string } = {},
  ) =>
    app.inject({
      method: 'POST',
      url,
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
      headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
    });

  it('stores the valid items of an audit EventList and reports the invalid ones by index', async () => {
    const res = await post('/v1/ingest/audit?cluster=east', {
      kind: 'EventList',
      apiVersion: 'audit.k8s.io/v1',
      items: [event('a1'), { auditID: 'x' }, event('a2', { stage: 'RequestReceived' })],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ accepted: 2, rejected: [{ index: 1, reason: expect.stringContaining('stage') }] });
    const got = await drain(bus, topics.kind('audit'), { expected: 2 });
    expect(got.map((m) => JSON.parse(m.value).id).sort()).toEqual(['a1:ResponseComplete', 'a2:RequestReceived']);
    expect(got[0]!.headers).toMatchObject({ 'pharos-cluster': 'east', 'pharos-kind': 'audit' });
    expect(await registry.metrics()).toMatch(
      /pharos_ingest_records_total\{kind="audit",cluster="east",result="accepted",protocol="pharos"\} 2/,
    );
  });

  it('answers 400 with a code for unparseable JSON, and for a batch with no valid item', async () => {
    const bad = await post('/v1/ingest/audit', '{"kind": "EventList", items: [');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('PHAROS_ERR_BAD_JSON');
    const none = await post('/v1/ingest/audit', { kind: 'EventList', items: [{ nope: 1 }] });
    expect(none.statusCode).toBe(400);
    expect(none.json().error).toMatchObject({ code: 'PHAROS_ERR_VALIDATION', details: [{ path: 'items.0' }] });
    expect((await post('/v1/ingest/audit', '"text"')).statusCode).toBe(400);
  });

  it('takes events and NDJSON / array logs, stamping collector.cluster', async () => {
    const ev = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { uid: 'e1', namespace: 'ns' },
      involvedObject: { kind: 'Pod', name: 'p', uid: 'p1' },
      count: 3,
      lastTimestamp: '2024-01-01T00:00:00Z',
    };
    expect((await post('/v1/ingest/events', { kind: 'EventList', apiVersion: 'v1', items: [ev] })).json()).toEqual({
      accepted: 1,
      rejected: [],
    });
    const line = {
      date: 1714557600.5,
      log: 'hello',
      kubernetes: { namespace_name: 'ns', pod_name: 'p', container_name: 'c' },
    };
    const nd = await post('/v1/ingest/logs', `${JSON.stringify(line)}\nnot json\n`, {
      token: 'ingest',
      contentType: 'application/x-ndjson',
    });
    expect(nd.json()).toEqual({ accepted: 1, rejected: [{ index: 1, reason: expect.stringContaining('not JSON') }] });
    expect((await post('/v1/ingest/logs', [line, { ...line, log: 'again' }])).json()).toEqual({
      accepted: 2,
      rejected: [],
    });
    const events = await drain(bus, topics.kind('events'), { expected: 1 });
    expect(JSON.parse(events[0]!.value)).toMatchObject({ id: 'e1:3', cluster: 'local' });
    expect(events[0]!.key).toBe('p1');
  });

  it('refuses non-ingest roles and clusters outside the token scope', async () => {
    expect((await post('/v1/ingest/audit', event('v'), { token: 'viewer' })).statusCode).toBe(403);
    expect((await post('/v1/ingest/audit?cluster=west', event('v'), { token: 'eastOnly' })).statusCode).toBe(403);
    expect((await post('/v1/ingest/audit?cluster=east', event('v'), { token: 'eastOnly' })).statusCode).toBe(200);
    expect((await post('/v1/ingest/audit?cluster=bad%20name', event('v'))).statusCode).toBe(400);
  });

  it('holds a scoped token to its clusters without ?cluster= too, and never lets a body choose the cluster', async () => {
    // collector.cluster ("local") is where a batch without ?cluster= goes: not a cluster of this token.
    const unnamed = await post('/v1/ingest/logs', [{ date: 1714557600, log: 'x' }], { token: 'eastOnly' });
    expect(unnamed.statusCode).toBe(403);
    expect(unnamed.json().error.message).toMatch(/"local".*\?cluster=east/);
    const forged = {
      date: 1714557600,
      log: 'forged',
      cluster: 'west',
      kubernetes: { namespace_name: 'ns', pod_name: 'p', container_name: 'c', cluster: 'west' },
    };
    expect((await post('/v1/ingest/logs?cluster=east', [forged], { token: 'eastOnly' })).statusCode).toBe(200);
    expect(
      (await post('/v1/ingest/audit?cluster=east', event('forged', { cluster: 'west' }), { token: 'eastOnly' }))
        .statusCode,
    ).toBe(200);
    const isForged = (m: ConsumedMessage) => m.value.includes('forged');
    const got = [
      ...(await drain(bus, topics.kind('logs'), { expected: 1, match: isForged })),
      ...(await drain(bus, topics.kind('audit'), { expected: 1, match: isForged })),
    ];
    expect(got).toHaveLength(2);
    for (const m of got) {
      expect(m.headers).toMatchObject({ 'pharos-cluster': 'east' });
      expect(JSON.parse(m.value)).toMatchObject({ cluster: 'east' });
    }
  });
});

describe('ingest when the bus cannot take records', () => {
  it('answers 503 instead of accepting and losing, when the bus is down or the in-flight bound is reached', async () => {
    const down = {
      type: 'x',
      publish: async () => {
        throw new Error('ECONNREFUSED');
      },
    } as unknown as Bus;
    const { app } = await appWith(down);
    const res = await app.inject({
      method: 'POST',
      url: '/v1/ingest/audit',
      payload: event('a'),
      headers: { authorization: 'Bearer ingest' },
    });
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('PHAROS_ERR_UNAVAILABLE');
    await app.close();

    // The durable bus refuses past bus.maxBacklogBytes of unconsumed records: 503, nothing accepted.
    const dir = mkdtempSync(join(tmpdir(), 'pharos-ingest-backlog-'));
    const durable = new SqliteBus({ path: join(dir, 'bus.db'), maxBacklogBytes: 2000 });
    const full = await appWith(durable);
    const batch = Array.from({ length: 10 }, (_, i) => event(`full-${i}`));
    const first = await full.app.inject({
      method: 'POST',
      url: '/v1/ingest/audit',
      payload: batch.slice(0, 2),
      headers: { authorization: 'Bearer ingest' },
    });
    expect(first.statusCode).toBe(200);
    const refused = await full.app.inject({
      method: 'POST',
      url: '/v1/ingest/audit',
      payload: batch,
      headers: { authorization: 'Bearer ingest' },
    });
    expect(refused.statusCode).toBe(503);
    expect(refused.json().error).toMatchObject({
      code: 'PHAROS_ERR_UNAVAILABLE',
      message: expect.stringMatching(/bus\.maxBacklogBytes/),
    });
    await full.app.close();
    await durable.close();
    rmSync(dir, { recursive: true, force: true });

    const small = await appWith(new MemoryBus(), 2);
    const over = await small.app.inject({
      method: 'POST',
      url: '/v1/ingest/audit',
      payload: [event('a'), event('b'), event('c')],
      headers: { authorization: 'Bearer ingest' },
    });
    expect(over.statusCode).toBe(503);
    expect(over.json().error.message).toMatch(/maxInFlight/);
    await small.app.close();
  });
});

describe('a client that hangs up', () => {
  /** A bus whose publish waits `holdMs` (or until the signal aborts) and records how it ended. */
  function slowBus(holdMs: number) {
    const seen: { signal?: AbortSignal; ended?: 'published' | 'aborted' } = {};
    const bus: Bus = new MemoryBus();
    bus.publish = (_topic, _messages, signal) =>
      new Promise<void>((resolve, reject) => {
        seen.signal = signal;
        const timer = setTimeout(() => {
          seen.ended = 'published';
          resolve();
        }, holdMs);
        signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          seen.ended = 'aborted';
          reject(signal.reason);
        });
      });
    return { bus, seen };
  }

  async function postOverSocket(app: FastifyInstance, hangUpAfterMs?: number): Promise<number | 'hung up'> {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    return new Promise((resolve) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/v1/ingest/audit',
          headers: { authorization: 'Bearer ingest', 'content-type': 'application/json' },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', () => resolve('hung up'));
      req.end(JSON.stringify([event('hang-1')]));
      if (hangUpAfterMs !== undefined) setTimeout(() => req.destroy(), hangUpAfterMs);
    });
  }

  it('stops the wait for the bus when it leaves before the answer', async () => {
    const { bus, seen } = slowBus(60_000);
    const { app } = await appWith(bus);
    expect(await postOverSocket(app, 100)).toBe('hung up');
    await expect.poll(() => seen.ended).toBe('aborted');
    await app.close();
  });

  it('never aborts a batch it was answered for', async () => {
    const { bus, seen } = slowBus(100);
    const { app } = await appWith(bus);
    expect(await postOverSocket(app)).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.ended).toBe('published');
    expect(seen.signal?.aborted).toBe(false);
    await app.close();
  });
});
