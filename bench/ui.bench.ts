import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { TokenAuthenticator } from '../libs/auth/token-authenticator.ts';
import { configSchema } from '../libs/config/config.schema.ts';
import { buildApp } from '../libs/http/app.ts';
import { createLogger } from '../libs/logging/logger.ts';
import { createMetricsRegistry } from '../libs/metrics/metrics.ts';
import type { ServiceContext } from '../libs/runtime/context.ts';
import { Resources } from '../libs/runtime/resources.ts';
import { consoleFeature } from '../services/query/console/console.feature.ts';
import { recordsFeature } from '../services/query/records/records.feature.ts';
import { CHROMIUM_FLAGS } from '../test/integration/console/browser.ts';
import { DOCS, END, PREFIX, START, URL_OS, openLogCorpus } from './log-corpus.ts';

/**
 * The console's Explore view over the benchmark corpus (1,000,000 log lines over 7 days, OpenSearch): time from
 * navigation to the first screen (result count, first page of rows, histogram, cluster/namespace pickers) and to
 * the open facets filled in, in headless Chromium, against the same API calls made directly and concurrently from
 * Node in the same run (the calls the page was seen to make). Goal: the first screen under 1 s.
 * Run: `npm run bench -- ui` (BENCH_ROUNDS, default 15).
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const WARMUP = 3;
const TOKEN = 'bench-ui-token-0123456789abcdef';
const VIEW = `/ui/explore/logs?start=${new Date(START).toISOString()}&end=${new Date(END).toISOString()}`;

const pct = (values: number[], p: number): number =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)] as number;

/**
 * From navigation (from a blank tab, as a link opened anew) to the first screen: the count, the first page of
 * rows, the histogram's bars and the cluster / namespace pickers; then to the open facets filled in, which the
 * page asks for once the first screen's answers are in.
 */
async function load(page: Page, url: string): Promise<{ first: number; facets: number }> {
  await page.goto('about:blank');
  const t0 = performance.now();
  await page.goto(url);
  await page.waitForFunction(
    () => {
      const count = document.querySelector('#result-count')?.getAttribute('data-total');
      const pickers = [...document.querySelectorAll('#pick-cluster option, #pick-namespace option')].filter(
        (o) => !o.textContent?.includes('…'),
      ).length;
      return (
        Boolean(count) &&
        document.querySelectorAll('#results tbody tr').length > 0 &&
        document.querySelector('#histogram canvas') !== null &&
        pickers >= 4
      );
    },
    undefined,
    { polling: 'raf', timeout: 60_000 },
  );
  const first = performance.now() - t0;
  await page.waitForFunction(
    () => {
      const open = document.querySelectorAll('.facet-head[aria-expanded=true]').length;
      return (
        open > 0 &&
        [...document.querySelectorAll('.facet .facet-values')].filter((ul) => !ul.querySelector('.skeleton')).length ===
          open
      );
    },
    undefined,
    { polling: 'raf', timeout: 60_000 },
  );
  return { first, facets: performance.now() - t0 };
}

/** Facet counts (`/stats?…&size=5`) come after the first screen; everything else is part of it. */
const isFacet = (path: string) => path.includes('/stats?') && path.endsWith('&size=5');

async function main(): Promise<void> {
  const { client, store } = await openLogCorpus();
  await store.close();
  const config = configSchema.parse({
    storage: { type: 'opensearch', url: URL_OS, indexPrefix: PREFIX },
    auth: { tokens: [{ name: 'bench', token: TOKEN, role: 'viewer' }] },
  });
  const authenticator = new TokenAuthenticator(config.auth.tokens);
  const ctx: ServiceContext = {
    config,
    logger: createLogger('warn'),
    metrics: createMetricsRegistry(),
    authenticator,
    resources: new Resources(),
  };
  const app = await buildApp({
    logger: ctx.logger,
    metrics: ctx.metrics,
    authenticator,
    features: [recordsFeature(ctx), consoleFeature(ctx)],
  });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'pharos-bench-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: '/usr/bin/chromium',
    headless: false,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 800 },
  });
  const page = await context.newPage();
  const calls = new Set<string>();
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith('/v1/')) calls.add(u.pathname + u.search);
  });
  await page.goto(`${base}/ui/`);
  await page.evaluate((t) => localStorage.setItem('pharos.token', t), TOKEN);
  const firstMs: number[] = [];
  const facetsMs: number[] = [];
  const directFirstMs: number[] = [];
  const directAllMs: number[] = [];
  const direct = async (paths: string[]) => {
    const t0 = performance.now();
    await Promise.all(
      paths.map(async (path) => {
        const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
        await res.json();
        if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
      }),
    );
    return performance.now() - t0;
  };
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    // Alternate which goes first, so caches warmed by one side favour neither.
    const order = round % 2 === 0 ? ['page', 'direct'] : ['direct', 'page'];
    for (const side of order) {
      if (side === 'page') {
        const t = await load(page, `${base}${VIEW}`);
        if (round >= WARMUP) {
          firstMs.push(t.first);
          facetsMs.push(t.facets);
        }
      } else if (calls.size > 0) {
        const all = [...calls];
        const first = await direct(all.filter((c) => !isFacet(c)));
        const every = await direct(all);
        if (round >= WARMUP) {
          directFirstMs.push(first);
          directAllMs.push(every);
        }
      }
    }
  }
  await context.close();
  rmSync(dir, { recursive: true, force: true });
  await app.close();
  await ctx.resources.closeAll();
  await client.close();
  console.log(
    `Explore over ${DOCS.toLocaleString('en-US')} log records (7 days), ${ROUNDS} rounds after ${WARMUP} warm-up; the page made ${calls.size} API calls:`,
  );
  for (const c of calls) console.log(`  ${c}`);
  const row = (name: string, xs: number[]) => ({
    what: name,
    'p50 ms': +pct(xs, 50).toFixed(0),
    'p95 ms': +pct(xs, 95).toFixed(0),
    'max ms': +Math.max(...xs).toFixed(0),
  });
  console.table([
    row('console: first screen (Chromium)', firstMs),
    row('  its API calls, direct (Node)', directFirstMs),
    row('console: facets filled in too', facetsMs),
    row('  all its API calls, direct', directAllMs),
  ]);
  const p50 = pct(firstMs, 50);
  console.log(
    `first screen p50 ${p50.toFixed(0)} ms (goal < 1000 ms), ${(p50 / pct(directFirstMs, 50)).toFixed(2)}× its API calls made directly; with facets ${pct(facetsMs, 50).toFixed(0)} ms, ${(pct(facetsMs, 50) / pct(directAllMs, 50)).toFixed(2)}×`,
  );
  if (p50 >= 1000) process.exitCode = 1;
}

await main();
