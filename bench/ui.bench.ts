import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@opensearch-project/opensearch';
import { chromium, type Page } from 'playwright-core';
import { TokenAuthenticator } from '../libs/auth/token-authenticator.ts';
import { configSchema } from '../libs/config/config.schema.ts';
import { buildApp } from '../libs/http/app.ts';
import { createLogger } from '../libs/logging/logger.ts';
import { createMetricsRegistry } from '../libs/metrics/metrics.ts';
import type { ServiceContext } from '../libs/runtime/context.ts';
import { Resources } from '../libs/runtime/resources.ts';
import { OpenSearchRecordStore } from '../libs/store/opensearch/opensearch-record.store.ts';
import { consoleFeature } from '../services/query/console/console.feature.ts';
import { recordsFeature } from '../services/query/records/records.feature.ts';
import { CHROMIUM_FLAGS } from '../test/integration/console/browser.ts';
import { DOCS, END, PREFIX, START, URL_OS, loadLogCorpus, waitForEngine } from './log-corpus.ts';

/**
 * The console's Explore view over the benchmark corpus (1,000,000 log lines over 7 days, OpenSearch): time from
 * navigation to the first screen (result count, first page of rows, histogram, cluster/namespace pickers and
 * the open facets all drawn) in headless Chromium, against the same API calls made directly, concurrently as
 * the page makes them, from Node in the same run. The calls are the ones the page was seen to make. Goal: the
 * first screen under 1 s. Run: `npm run bench -- ui` (BENCH_ROUNDS, default 15).
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const WARMUP = 3;
const TOKEN = 'bench-ui-token-0123456789abcdef';
const VIEW = `/ui/explore/logs?start=${new Date(START).toISOString()}&end=${new Date(END).toISOString()}`;

const pct = (values: number[], p: number): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)] as number;

/** Everything above the fold has arrived: the count, rows, the histogram's bars, pickers and every open facet. */
async function firstScreen(page: Page, url: string): Promise<number> {
  const t0 = performance.now();
  await page.goto(url);
  await page.waitForFunction(() => {
    const count = document.querySelector('#result-count')?.getAttribute('data-total');
    const facetsOpen = [...document.querySelectorAll('.facet-head[aria-expanded=true]')].length;
    const facetsDone = [...document.querySelectorAll('.facet .facet-values')].filter((ul) => !ul.querySelector('.skeleton')).length;
    const pickers = [...document.querySelectorAll('#pick-cluster option, #pick-namespace option')].filter((o) => !o.textContent?.includes('…')).length;
    return Boolean(count) && document.querySelectorAll('#results tbody tr').length > 0 && document.querySelector('#histogram canvas') !== null && facetsOpen > 0 && facetsDone === facetsOpen && pickers >= 4;
  }, undefined, { polling: 'raf', timeout: 60_000 });
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const client = new Client({ node: URL_OS });
  const store = new OpenSearchRecordStore({ url: URL_OS, indexPrefix: PREFIX, requestTimeoutMs: 120_000, shards: 1, replicas: 0 });
  await waitForEngine(client);
  await store.init();
  await loadLogCorpus(store, client);
  await store.close();
  const config = configSchema.parse({ storage: { type: 'opensearch', url: URL_OS, indexPrefix: PREFIX }, auth: { tokens: [{ name: 'bench', token: TOKEN, role: 'viewer' }] } });
  const authenticator = new TokenAuthenticator(config.auth.tokens);
  const ctx: ServiceContext = { config, logger: createLogger('warn'), metrics: createMetricsRegistry(), authenticator, resources: new Resources() };
  const app = await buildApp({ logger: ctx.logger, metrics: ctx.metrics, authenticator, features: [recordsFeature(ctx), consoleFeature(ctx)] });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'pharos-bench-chromium-'));
  const context = await chromium.launchPersistentContext(dir, { executablePath: '/usr/bin/chromium', headless: false, args: CHROMIUM_FLAGS, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const calls = new Set<string>();
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith('/v1/')) calls.add(u.pathname + u.search);
  });
  await page.goto(`${base}/ui/`);
  await page.evaluate((t) => localStorage.setItem('pharos.token', t), TOKEN);
  const pageMs: number[] = [];
  const directMs: number[] = [];
  const direct = async () => {
    const t0 = performance.now();
    await Promise.all([...calls].map(async (path) => {
      const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      await res.json();
      if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    }));
    return performance.now() - t0;
  };
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    // Alternate which goes first, so caches warmed by one side favour neither.
    const order = round % 2 === 0 ? ['page', 'direct'] : ['direct', 'page'];
    for (const side of order) {
      if (side === 'direct' && calls.size === 0) continue;
      const ms = side === 'page' ? await firstScreen(page, `${base}${VIEW}`) : await direct();
      if (round >= WARMUP) (side === 'page' ? pageMs : directMs).push(ms);
    }
  }
  await context.close();
  rmSync(dir, { recursive: true, force: true });
  await app.close();
  await ctx.resources.closeAll();
  await client.close();
  console.log(`Explore over ${DOCS.toLocaleString('en-US')} log records (7 days), ${ROUNDS} rounds after ${WARMUP} warm-up; the page made ${calls.size} API calls:`);
  for (const c of calls) console.log(`  ${c}`);
  const row = (name: string, xs: number[]) => ({ what: name, 'p50 ms': +pct(xs, 50).toFixed(0), 'p95 ms': +pct(xs, 95).toFixed(0), 'max ms': +Math.max(...xs).toFixed(0) });
  console.table([row('console first screen (Chromium)', pageMs), row('same API calls, direct (Node)', directMs)]);
  const p50 = pct(pageMs, 50);
  console.log(`first screen p50 ${p50.toFixed(0)} ms (goal < 1000 ms), ${(p50 / pct(directMs, 50)).toFixed(2)}× the direct calls`);
  if (p50 >= 1000) process.exitCode = 1;
}

await main();
