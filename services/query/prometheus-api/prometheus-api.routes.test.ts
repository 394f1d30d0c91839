import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { describe, expect, it } from 'vitest';
import { FULL_SCOPE, type Principal } from '../../../libs/auth/principal.ts';
import { InputError, TimeoutError, UnprocessableError } from '../../../libs/errors/errors.ts';
import { errorHandler } from '../../../libs/http/error-handler.ts';
import { requestSignal } from '../../../libs/http/request-signal.ts';
import '../../../libs/http/route-auth.ts';
import type { FederatedQueryService, InstantQuery, RangeQuery } from '../../../libs/federation/federation.types.ts';
import { metricsApiRoutes } from './metrics-api.routes.ts';
import { prometheusApiRoutes } from './prometheus-api.routes.ts';
import type { MetricTemplates } from './metric-templates.ts';

/** A federation fake that records what the routes ask and fails on chosen queries. */
function fakeFederation(failures: Record<string, Error> = {}) {
  const seen: (InstantQuery | RangeQuery)[] = [];
  const answer = (q: InstantQuery | RangeQuery) => {
    seen.push(q);
    const f = Object.entries(failures).find(([k]) => q.query.includes(k));
    if (f) throw f[1];
    return {
      resultType: 'vector' as const,
      result: [
        { metric: { pod: 'p1', cluster: 'east' }, value: [1, '1'] },
        { metric: { pod: 'q1', cluster: 'west' }, value: [1, '2'] },
      ],
      warnings: [],
      clusters: { east: { status: 'ok' as const } },
    };
  };
  const fed: FederatedQueryService = {
    instant: async (q) => answer(q),
    range: async (q) => answer(q),
    series: async () => ({ data: [], warnings: [] }),
    labelNames: async () => ({ data: ['cluster'], warnings: [] }),
    labelValues: async () => ({ data: [], warnings: [] }),
    clusters: () => ['east'],
  };
  return { fed, seen };
}

async function app(fed: FederatedQueryService, templates?: MetricTemplates) {
  const a = Fastify();
  // The auth hook's job in the real app: every request carries a principal (here with full scope).
  a.decorateRequest('principal', undefined as unknown as Principal);
  a.addHook('onRequest', async (req) => {
    req.principal = { name: 'test', role: 'viewer', scope: FULL_SCOPE, via: 'token' } as unknown as Principal;
  });
  a.setErrorHandler(errorHandler);
  await a.register(requestSignal);
  a.setValidatorCompiler(validatorCompiler);
  a.setSerializerCompiler(serializerCompiler);
  await a.register(prometheusApiRoutes({ federation: async () => fed }));
  if (templates) await a.register(metricsApiRoutes({ federation: async () => fed, templates }));
  return a;
}

describe('Prometheus API routes', () => {
  it("answers GET and form POST with Prometheus's envelope and per-cluster status", async () => {
    const { fed, seen } = fakeFederation();
    const a = await app(fed);
    const get = await a.inject({
      url: '/prometheus/api/v1/query?query=up&time=2026-01-01T00:00:00Z&partial_response=false',
    });
    expect(get.json()).toMatchObject({
      status: 'success',
      data: { resultType: 'vector' },
      clusters: { east: { status: 'ok' } },
    });
    expect(get.headers['x-pharos-clusters']).toBe('east=ok');
    expect(seen[0]).toEqual({ query: 'up', time: 1767225600, partialResponse: false });
    const post = await a.inject({
      method: 'POST',
      url: '/prometheus/api/v1/query_range',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'query=up&start=0&end=60&step=15s&timeout=5s',
    });
    expect(post.statusCode).toBe(200);
    expect(seen[1]).toEqual({ query: 'up', start: 0, end: 60, step: 15, timeoutMs: 5000 });
  });

  it("sends query answers as JSON.stringify's bytes, with the JSON content type and its exact length", async () => {
    const { fed } = fakeFederation();
    const a = await app(fed);
    for (const url of [
      '/prometheus/api/v1/query?query=up&time=1',
      '/prometheus/api/v1/query_range?query=up&start=0&end=60&step=15',
    ]) {
      const res = await a.inject({ url });
      const want = JSON.stringify({
        status: 'success',
        data: { resultType: 'vector', result: (await fed.instant({ query: 'up', time: 1 })).result },
        clusters: { east: { status: 'ok' } },
      });
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.body).toBe(want);
      expect(res.headers['content-length']).toBe(String(Buffer.byteLength(want)));
    }
  });

  it.each([
    [new InputError('parse error'), 400, 'bad_data'],
    [new UnprocessableError('cannot federate'), 422, 'execution'],
    [new TimeoutError('too slow'), 503, 'timeout'],
  ])('maps %s to %i %s', async (err, status, errorType) => {
    const a = await app(fakeFederation({ up: err }).fed);
    const res = await a.inject({ url: '/prometheus/api/v1/query?query=up&time=1' });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toEqual({ status: 'error', errorType, error: err.message, code: err.code });
  });

  it('refuses missing or malformed parameters with bad_data', async () => {
    const a = await app(fakeFederation().fed);
    expect((await a.inject({ url: '/prometheus/api/v1/query_range?query=up&start=0&end=10' })).json()).toMatchObject({
      errorType: 'bad_data',
      error: 'invalid parameter "step": missing',
    });
    expect((await a.inject({ url: '/prometheus/api/v1/query?query=up&time=yesterday' })).statusCode).toBe(400);
    expect((await a.inject({ url: '/prometheus/api/v1/status/buildinfo' })).json().data.version).toBe('2.42.0');
  });
});

describe('metrics API routes', () => {
  const templates = {
    levels: Object.fromEntries(
      ['cluster', 'node', 'namespace', 'workload', 'pod', 'container'].map((l) => [
        l,
        {
          resourceLabel: l,
          metrics: { [`${l}_a`]: 'sum by (cluster, pod) (x)', [`${l}_broken`]: 'sum by (cluster, pod) (broken)' },
        },
      ]),
    ),
  } as MetricTemplates;

  it('reports each metric, a failing one beside the others, filters resources, injects scope matchers', async () => {
    const { fed, seen } = fakeFederation({ broken: new UnprocessableError('no') });
    const a = await app(fed, templates);
    const res = await a.inject({ url: '/v1/metrics/pod?namespace=ns1&cluster=east&resources_filter=p.*&time=10' });
    expect(res.statusCode).toBe(200);
    expect(res.json().results).toEqual([
      {
        metric_name: 'pod_a',
        data: { resultType: 'vector', result: [{ metric: { pod: 'p1', cluster: 'east' }, value: [1, '1'] }] },
      },
      { metric_name: 'pod_broken', error: 'PHAROS_ERR_UNPROCESSABLE: no' },
    ]);
    expect(seen[0]?.query).toBe('sum by (cluster, pod) (x{cluster="east", namespace="ns1"})');
  });

  it('filters metrics by name and runs range queries; refuses a bad regex', async () => {
    const { fed, seen } = fakeFederation();
    const a = await app(fed, templates);
    const res = await a.inject({ url: '/v1/metrics/node?metrics_filter=node_a&start=0&end=60&step=30' });
    expect(res.json().results.map((r: { metric_name: string }) => r.metric_name)).toEqual(['node_a']);
    expect(seen[0]).toMatchObject({ start: 0, end: 60, step: 30 });
    expect((await a.inject({ url: '/v1/metrics/node?metrics_filter=(' })).statusCode).toBe(400);
    expect((await a.inject({ url: '/v1/metrics/galaxy' })).statusCode).toBe(400);
  });
});
