import { TokenAuthenticator } from '../libs/auth/token-authenticator.ts';
import { buildApp } from '../libs/http/app.ts';
import { createLogger } from '../libs/logging/logger.ts';
import { createMetricsRegistry } from '../libs/metrics/metrics.ts';
import { parseSearch } from '../libs/search/search-parser.ts';
import { kindPattern } from '../libs/store/opensearch/index-names.ts';
import { buildQuery, sortClause } from '../libs/store/opensearch/opensearch-record-query.ts';
import type { RecordQuery } from '../libs/store/record-store.ts';
import { recordsRoutes } from '../services/query/records/records.routes.ts';
import { RecordsService } from '../services/query/records/records.service.ts';
import { DOCS, END, PREFIX, START, URL_OS, openLogCorpus } from './log-corpus.ts';

/**
 * Query API overhead on OpenSearch: ~10 representative log queries over ≥ 1,000,000 documents, each sent
 * through Pharos (HTTP to a listening server) and, interleaved in the same run, straight to OpenSearch with
 * the same Query DSL. Prints p50/p95 per query and the Pharos/direct ratio. The data (prefix pharos-bench)
 * is loaded once and reused. Run: `npm run bench -- query` (BENCH_DOCS, BENCH_ROUNDS to change sizes).
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const TOKEN = 'bench-token-0123456789abcdef';

interface BenchQuery {
  name: string;
  /** Path and query string of the Pharos request. */
  pharos: string;
  /** The same search, as the Query DSL body sent straight to OpenSearch. */
  direct: object;
}

const range = `start=${START / 1000}&end=${END / 1000}`;
const base = (query: Partial<RecordQuery>): RecordQuery => ({ filters: {}, start: START, end: END, ...query });
const search = (query: RecordQuery, size = 100) => ({
  query: buildQuery('logs', query),
  sort: sortClause('desc'),
  size: size + 1,
  track_total_hits: true,
});
const aggs = (query: RecordQuery, a: object) => ({
  size: 0,
  track_total_hits: true,
  query: buildQuery('logs', query),
  aggs: a,
});
const terms = (field: string, size: number) => ({
  g: { terms: { field, size, shard_size: Math.max(size * 10, 10_000), order: [{ _count: 'desc' }, { _key: 'asc' }] } },
  d: { cardinality: { field, precision_threshold: 40_000 } },
});
const hist = (ms: number) => ({
  h: { date_histogram: { field: 'time', fixed_interval: `${ms}ms`, min_doc_count: 1 } },
});

const QUERIES: BenchQuery[] = [
  { name: 'latest 100', pharos: `/v1/logs?${range}&size=100`, direct: search(base({})) },
  {
    name: 'cluster+namespace',
    pharos: `/v1/logs?${range}&cluster=east&namespace=payments`,
    direct: search(base({ filters: { cluster: ['east'], namespace: ['payments'] } })),
  },
  { name: 'q word', pharos: `/v1/logs?${range}&q=error`, direct: search(base({ q: parseSearch('error') })) },
  {
    name: 'q phrase',
    pharos: `/v1/logs?${range}&q=${encodeURIComponent('"connection refused"')}`,
    direct: search(base({ q: parseSearch('"connection refused"') })),
  },
  {
    name: 'q boolean+field',
    pharos: `/v1/logs?${range}&q=${encodeURIComponent('(error OR timeout) AND NOT pod:api-0')}`,
    direct: search(base({ q: parseSearch('(error OR timeout) AND NOT pod:api-0') })),
  },
  {
    name: 'page of 1000',
    pharos: `/v1/logs?${range}&cluster=west&size=1000`,
    direct: search(base({ filters: { cluster: ['west'] } }), 1000),
  },
  {
    name: 'histogram 1h/7d',
    pharos: `/v1/logs/histogram?${range}&interval=1h`,
    direct: aggs(base({}), hist(3_600_000)),
  },
  {
    name: 'histogram 5m/1d+q',
    pharos: `/v1/logs/histogram?start=${START / 1000}&end=${START / 1000 + 86_400}&interval=5m&q=timeout`,
    direct: aggs({ filters: {}, start: START, end: START + 86_400_000, q: parseSearch('timeout') }, hist(300_000)),
  },
  { name: 'stats by pod', pharos: `/v1/logs/stats?${range}&by=pod&size=10`, direct: aggs(base({}), terms('pod', 10)) },
  {
    name: 'stats ns with q',
    pharos: `/v1/logs/stats?${range}&by=namespace&q=refused`,
    direct: aggs(base({ q: parseSearch('refused') }), terms('namespace', 10)),
  },
];

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

async function timed(run: () => Promise<Response>): Promise<number> {
  const t0 = performance.now();
  const res = await run();
  // A client reads and parses the answer either way.
  await res.json();
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const { client, store } = await openLogCorpus();
  const service = new RecordsService({
    store: async () => store,
    limits: { maxRangeDays: 31, maxPageSize: 1000, defaultPageSize: 100, timeoutMs: 60_000 },
  });
  const authenticator = new TokenAuthenticator([{ name: 'bench', token: TOKEN, role: 'viewer' }]);
  const app = await buildApp({
    logger: createLogger('warn'),
    metrics: createMetricsRegistry(),
    authenticator,
    features: [{ name: 'records', routes: recordsRoutes(service) }],
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const index = kindPattern(PREFIX, 'logs');
  const times = new Map(QUERIES.map((q) => [q.name, { pharos: [] as number[], direct: [] as number[] }]));
  const pharos = (q: BenchQuery) => () =>
    fetch(`${address}${q.pharos}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const direct = (q: BenchQuery) => () =>
    fetch(`${URL_OS}/${index}/_search?ignore_unavailable=true&allow_no_indices=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(q.direct),
    });
  const WARMUP = 3;
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    for (const q of QUERIES) {
      // Alternate which side goes first, so caches warmed by one side favour neither.
      const order = round % 2 === 0 ? (['pharos', 'direct'] as const) : (['direct', 'pharos'] as const);
      for (const side of order) {
        const ms = await timed(side === 'pharos' ? pharos(q) : direct(q));
        if (round >= WARMUP) times.get(q.name)?.[side].push(ms);
      }
    }
  }
  await app.close();
  await store.close();
  await client.close();
  report(times);
}

function report(times: Map<string, { pharos: number[]; direct: number[] }>): void {
  const rows = [...times].map(([name, t]) => {
    const p = { p50: pct(t.pharos, 50), p95: pct(t.pharos, 95) };
    const d = { p50: pct(t.direct, 50), p95: pct(t.direct, 95) };
    return {
      query: name,
      'pharos p50 ms': +p.p50.toFixed(1),
      'pharos p95 ms': +p.p95.toFixed(1),
      'direct p50 ms': +d.p50.toFixed(1),
      'direct p95 ms': +d.p95.toFixed(1),
      'ratio p50': +(p.p50 / d.p50).toFixed(2),
      'ratio p95': +(p.p95 / d.p95).toFixed(2),
    };
  });
  console.table(rows);
  const geo = (xs: number[]) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
  console.log(
    `${DOCS} documents, ${ROUNDS} rounds; geometric mean ratio p50 ${geo(rows.map((r) => r['ratio p50'])).toFixed(2)}, p95 ${geo(rows.map((r) => r['ratio p95'])).toFixed(2)} (goal ≤ 1.2)`,
  );
}

await main();
