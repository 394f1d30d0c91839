// The query frontend's cache never serves an answer across scopes (issue 21): through the Prometheus API of a
// Pharos process over the fixture clusters, a viewer scoped to east, one scoped to west/checkout and the full
// scope ask the same queries in turn; each gets what the union server answers for its own scope, whoever asked
// first, and a repeat by the same caller is served from the cache; label values (the metadata cache) the same.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenAuthenticator } from '../../../libs/auth/token-authenticator.ts';
import { configSchema } from '../../../libs/config/config.schema.ts';
import { buildApp } from '../../../libs/http/app.ts';
import { createLogger } from '../../../libs/logging/logger.ts';
import { createMetricsRegistry } from '../../../libs/metrics/metrics.ts';
import type { ServiceContext } from '../../../libs/runtime/context.ts';
import { Resources } from '../../../libs/runtime/resources.ts';
import { federationFeature } from '../../../services/query/prometheus-api/federation.feature.ts';
import { FIXTURE_START, PROMETHEUS_PORTS } from '../../fixtures/prometheus/generate.ts';
import { diffResults, type PromData } from './compare.ts';
import { fixtureClusters } from './harness.ts';

const TOKENS = {
  east: 'frontend-scope-east-0123456789',
  west: 'frontend-scope-west-0123456789',
  full: 'frontend-scope-full-0123456789',
};
const SCOPES = {
  east: { clusters: ['east'], namespaces: ['*'] },
  west: { clusters: ['west'], namespaces: ['checkout'] },
  full: { clusters: ['*'], namespaces: ['*'] },
} as const;
type Who = keyof typeof SCOPES;

/** The same scope as union-server matchers: what one Prometheus holding every cluster answers for that caller. */
const UNION_MATCHERS: Record<Who, string> = {
  east: 'cluster="east"',
  west: 'cluster="west",namespace="checkout"',
  full: '',
};

const WINDOW = { start: FIXTURE_START + 3600, end: FIXTURE_START + 7200, step: 60 };
const QUERIES = [
  {
    pharos: 'sum by (namespace) (rate(container_cpu_usage_seconds_total[5m]))',
    union: (m: string) => `sum by (namespace) (rate(container_cpu_usage_seconds_total{${m}}[5m]))`,
  },
  { pharos: 'count(kube_pod_info)', union: (m: string) => `count(kube_pod_info{${m}})` },
];

let app: FastifyInstance;
let ctx: ServiceContext;

beforeAll(async () => {
  const config = configSchema.parse({
    clusters: fixtureClusters(),
    auth: {
      tokens: (Object.keys(SCOPES) as Who[]).map((who) => ({
        name: who,
        token: TOKENS[who],
        role: 'viewer',
        scope: SCOPES[who],
      })),
    },
  });
  const authenticator = new TokenAuthenticator(config.auth.tokens);
  ctx = {
    config,
    logger: createLogger('warn'),
    metrics: createMetricsRegistry(),
    authenticator,
    resources: new Resources(),
  };
  app = await buildApp({ logger: ctx.logger, metrics: ctx.metrics, authenticator, features: [federationFeature(ctx)] });
});

afterAll(async () => {
  await app.close();
  await ctx.resources.closeAll();
});

/** Shifted by `shift` seconds: another evaluation time, or another grid phase, so another cache entry. */
function paramsOf(kind: 'instant' | 'range', query: string, shift: number): Record<string, string> {
  return kind === 'instant'
    ? { query, time: String(WINDOW.end + shift) }
    : { query, start: String(WINDOW.start + shift), end: String(WINDOW.end), step: String(WINDOW.step) };
}

async function ask(
  who: Who,
  { kind, query, shift }: { kind: 'instant' | 'range'; query: string; shift: number },
): Promise<PromData> {
  const params = paramsOf(kind, query, shift);
  const res = await app.inject({
    method: 'POST',
    url: `/prometheus/api/v1/${kind === 'instant' ? 'query' : 'query_range'}`,
    headers: { authorization: `Bearer ${TOKENS[who]}`, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(params).toString(),
  });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { data: PromData }).data;
}

async function union(kind: 'instant' | 'range', query: string, shift: number): Promise<PromData> {
  const params = paramsOf(kind, query, shift);
  const res = await fetch(
    `http://127.0.0.1:${PROMETHEUS_PORTS.union}/api/v1/${kind === 'instant' ? 'query' : 'query_range'}`,
    { method: 'POST', body: new URLSearchParams(params) },
  );
  return ((await res.json()) as { data: PromData }).data;
}

/** Label values over the window (shifted): what template variables ask on every dashboard reload. */
async function askValues(who: Who, label: string, shift: number): Promise<string[]> {
  const qs = new URLSearchParams({ start: String(WINDOW.start + shift), end: String(WINDOW.end) });
  const res = await app.inject({
    url: `/prometheus/api/v1/label/${label}/values?${qs}`,
    headers: { authorization: `Bearer ${TOKENS[who]}` },
  });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { data: string[] }).data;
}

async function unionValues(who: Who, label: string, shift: number): Promise<string[]> {
  const qs = new URLSearchParams({ start: String(WINDOW.start + shift), end: String(WINDOW.end) });
  if (UNION_MATCHERS[who]) qs.append('match[]', `{${UNION_MATCHERS[who]}}`);
  const res = await fetch(`http://127.0.0.1:${PROMETHEUS_PORTS.union}/api/v1/label/${label}/values?${qs}`);
  return ((await res.json()) as { data: string[] }).data;
}

const hits = async () =>
  ((await ctx.metrics.getSingleMetric('pharos_federation_cache_hits_total')?.get())?.values ?? []).reduce(
    (a, v) => a + v.value,
    0,
  );

describe('query frontend cache and scopes', () => {
  // Every order of two different scopes, each followed by a repeat of the first: viewer first, then another
  // scope, and the other way round.
  const ORDERS: [Who, Who][] = [
    ['east', 'west'],
    ['west', 'east'],
    ['east', 'full'],
    ['full', 'east'],
  ];

  it.each(['range', 'instant'] as const)(
    '%s: each scope gets its own answer whoever asked first; a repeat is a hit',
    async (kind) => {
      for (const [i, [first, second]] of ORDERS.entries()) {
        for (const q of QUERIES) {
          // Each order on a window of its own (shifted by i seconds), so its first ask starts cold.
          const query = q.pharos;
          const expected = {
            [first]: await union(kind, q.union(UNION_MATCHERS[first]), i),
            [second]: await union(kind, q.union(UNION_MATCHERS[second]), i),
          } as Record<Who, PromData>;
          const before = await hits();
          const a = await ask(first, { kind, query, shift: i });
          const b = await ask(second, { kind, query, shift: i });
          expect(await hits(), `${first} then ${second}: the second scope must not hit the first one's entry`).toBe(
            before,
          );
          const again = await ask(first, { kind, query, shift: i });
          expect(await hits()).toBeGreaterThan(before);
          expect(diffResults(expected[first], a, { ordered: false }), `${first}: ${query}`).toBeUndefined();
          expect(diffResults(expected[second], b, { ordered: false }), `${second}: ${query}`).toBeUndefined();
          expect(again).toEqual(a);
          expect(
            diffResults(expected[first], expected[second], { ordered: false }),
            'the scopes see different data',
          ).toBeDefined();
        }
      }
    },
  );

  it('label values: each scope gets its own, whoever asked first; a repeat is a hit', async () => {
    for (const [i, [first, second]] of ORDERS.entries()) {
      for (const label of ['namespace', 'cluster']) {
        const before = await hits();
        const a = await askValues(first, label, 10 + i);
        const b = await askValues(second, label, 10 + i);
        expect(await hits(), `${first} then ${second}: ${label}`).toBe(before);
        expect(await askValues(first, label, 10 + i)).toEqual(a);
        expect(await hits()).toBeGreaterThan(before);
        expect(a, `${first}: ${label}`).toEqual(await unionValues(first, label, 10 + i));
        expect(b, `${second}: ${label}`).toEqual(await unionValues(second, label, 10 + i));
      }
    }
  });
});
