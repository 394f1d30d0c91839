import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../stack/webhook-receiver.ts';
import { until } from '../../support/until.ts';
import { openBrowser, SCREENSHOTS, signIn, type Browser } from './browser.ts';
import { TOKENS, startConsoleApp, type Backend, type ConsoleApp } from './console-app.ts';
import { hex, ns, resource, traceRequest, type Call } from './trace-fixtures.ts';

/**
 * The Traces page in headless Chromium over the whole of Pharos, on the embedded default and on Kafka +
 * OpenSearch: spans sent through OTLP/HTTP (JSON) — a frontend in cluster west calling a checkout in cluster east,
 * one call slow and failing — drawn as a graph whose cross-cluster edge lists its slowest traces, a trace's
 * waterfall, and the links between a trace and its logs (OTLP log records carrying the trace id).
 */
describe.each<Backend>(['embedded', 'kafka+opensearch'])('console traces on %s', (backend) => {
  let app: ConsoleApp;
  let webhook: WebhookReceiver;
  let browser: Browser;
  let page: Page;
  const now = Date.now();
  const slow: Call = { traceId: hex(16), at: now - 10 * 60_000, serverMs: 420, failed: true, pays: true };
  const fast: Call = { traceId: hex(16), at: now - 8 * 60_000, serverMs: 12, failed: false, pays: false };
  const edgeId = 'west/shop/frontend->east/pay/checkout';
  const shot = (name: string) =>
    page.screenshot({ path: join(SCREENSHOTS, `${backend.replace('+', '-')}-${name}.png`), fullPage: false });

  beforeAll(async () => {
    webhook = await startWebhookReceiver();
    app = await startConsoleApp(backend, `${webhook.url}/hook`);
    for (const call of [slow, fast]) {
      const res = await app.post('/otlp/v1/traces', traceRequest(call), { token: TOKENS.ingest });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    // A log line the checkout wrote inside the slow call: OTLP keeps the span's trace id in the record.
    const logs = {
      resourceLogs: [
        {
          resource: resource('checkout', 'east', 'pay'),
          scopeLogs: [
            {
              scope: { name: 'checkout-logger' },
              logRecords: [
                {
                  timeUnixNano: ns(slow.at + 100),
                  severityNumber: 17,
                  body: { stringValue: 'payment refused by the bank' },
                  traceId: slow.traceId,
                  spanId: hex(8),
                },
              ],
            },
          ],
        },
      ],
    };
    const res = await app.post('/otlp/v1/logs', logs, { token: TOKENS.ingest });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    await until(
      async () => {
        const t = await app.get<{ edges: unknown[] }>('/v1/topology?sources=spans').catch(() => ({ edges: [] }));
        const l = await app.get<{ total: number }>(`/v1/logs?traceId=${slow.traceId}`).catch(() => ({ total: 0 }));
        return t.edges.length === 2 && l.total === 1;
      },
      180_000,
      'spans and the log line indexed',
    );
    browser = await openBrowser(app.base);
    page = await browser.page();
    await page.goto(`${app.base}/ui/traces`);
    await signIn(page, TOKENS.admin);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await webhook?.close();
  });

  it('draws the topology from the spans in layers: three services, a cross-cluster edge with its figures, the same edges in the table', async () => {
    const api = await app.get<{ edges: { id: string; requests: number; errors: number; p95Ms: number }[] }>(
      '/v1/topology?sources=spans',
    );
    const edges = api.edges.map((e) => [e.id, e.requests, e.errors]).sort();
    expect(edges).toEqual([
      ['east/pay/checkout->east/pay/payments', 1, 0],
      [edgeId, 2, 1],
    ]);
    for (const path of ['/ui/traces', `/ui/traces/${slow.traceId}`]) {
      const res = await fetch(`${app.base}${path}`);
      expect(res.status, path).toBe(200);
      // The page's modules are named up front (modulepreload), as for the other pages.
      expect(await res.text(), path).toContain('<link rel="modulepreload" href="/ui/pages/trace-view.js">');
    }
    await page.goto(`${app.base}/ui/traces?sources=spans`);
    await page.locator('#topology[data-edges="2"][data-nodes="3"]').waitFor();
    expect(await page.locator('.topbar nav a.active').textContent()).toBe('Traces');
    const nodes = await page
      .locator('#topology-graph .node')
      .evaluateAll((els) =>
        els.map(
          (e) => `${e.querySelector('.node-service')?.textContent} ${e.querySelector('.node-place')?.textContent}`,
        ),
      );
    expect(nodes.sort()).toEqual(['checkout east/pay', 'frontend west/shop', 'payments east/pay']);
    // Callers left of their callees: frontend, then checkout, then payments.
    const x = async (id: string) => {
      const transform = (await page.locator(`.node[data-node="${id}"]`).getAttribute('transform')) ?? '';
      return Number(/translate\(([\d.]+)/.exec(transform)?.[1]);
    };
    expect(await x('west/shop/frontend')).toBeLessThan(await x('east/pay/checkout'));
    expect(await x('east/pay/checkout')).toBeLessThan(await x('east/pay/payments'));
    const local = page.locator('#topology-graph .edge[data-edge="east/pay/checkout->east/pay/payments"]');
    expect(await local.getAttribute('class')).not.toContain('cross');
    const edge = page.locator(`#topology-graph .edge[data-edge="${edgeId}"]`);
    expect(await edge.getAttribute('class')).toContain('cross');
    expect(await edge.locator('.edge-label').textContent()).toMatch(/req\/s · 50\.0% err · p95 \d+ ms/);
    const row = page.locator(`#edge-table tr[data-edge="${edgeId}"]`);
    expect(await row.locator('td').allTextContents()).toEqual([
      expect.stringContaining('frontend'),
      expect.stringMatching(/checkout.*cross-cluster/),
      '2',
      expect.any(String),
      '1',
      '50.0%',
      expect.stringMatching(/ms$/),
      `${Math.round(api.edges.find((e) => e.id === edgeId)!.p95Ms)} ms`,
      'spans',
      'slowest traces',
    ]);
    await shot('traces-topology');
  });

  it('lists an edge’s slowest traces on a click, slowest first, and opens a trace’s waterfall', async () => {
    await page.goto(`${app.base}/ui/traces?sources=spans`);
    await page.locator(`#topology-graph .edge[data-edge="${edgeId}"]`).click();
    await page.locator('#trace-list tbody tr').nth(1).waitFor();
    expect(new URL(page.url()).searchParams.get('edge')).toBe(edgeId);
    expect(
      await page.locator('#trace-list tbody tr').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-trace'))),
    ).toEqual([slow.traceId, fast.traceId]);
    await shot('traces-edge');
    await page.locator(`#trace-list a[href="/ui/traces/${slow.traceId}"]`).click();
    await page.locator('#waterfall tbody tr').nth(4).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/ui/traces/${slow.traceId}`);
    const rows = await page
      .locator('#waterfall tbody tr')
      .evaluateAll((rs) =>
        rs.map((r) => [...r.querySelectorAll('td')].slice(0, 4).map((td) => td.textContent?.trim())),
      );
    expect(rows).toEqual([
      ['frontend', 'GET / server', 'west/shop', '424 ms'],
      ['frontend', 'GET /checkout client', 'west/shop', '422 ms'],
      ['checkout', 'GET /checkout server error', 'east/pay', '420 ms'],
      ['checkout', 'POST /charge client', 'east/pay', '400 ms'],
      ['payments', 'POST /charge server', 'east/pay', '390 ms'],
    ]);
    expect(await page.locator('#trace-withheld').count()).toBe(0);
    await shot('traces-waterfall');
    await page.locator('#waterfall tbody tr').nth(2).click();
    await page.locator('#span-drawer').waitFor();
    expect(await page.locator('#span-fields').textContent()).toContain('error: payment refused');
    expect(await page.locator('#span-attributes').textContent()).toContain('http.methodGET');
    await shot('traces-span');
  });

  it('links a trace to its logs in Explore, and a log record’s trace id back to the trace', async () => {
    await page.goto(`${app.base}/ui/traces/${slow.traceId}`);
    await page.locator('#waterfall tbody tr').nth(2).waitFor();
    await page.click('#trace-logs');
    await page.locator('#result-count[data-total="1"]').waitFor();
    const url = new URL(page.url());
    expect(url.pathname).toBe('/ui/explore/logs');
    expect(url.searchParams.get('traceId')).toBe(slow.traceId);
    await page.locator('#results tbody tr').first().click();
    const link = page.locator('#record-drawer #record-trace-link');
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe(`/ui/traces/${slow.traceId}`);
    await shot('traces-log-drawer');
    await link.click();
    await page.locator('#waterfall tbody tr').nth(2).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/ui/traces/${slow.traceId}`);
  });

  it('says when spans of a trace are outside the token’s scope', async () => {
    const scoped = await openBrowser(app.base);
    try {
      const p = await scoped.page();
      await p.goto(`${app.base}/ui/traces/${slow.traceId}`);
      await signIn(p, TOKENS.pay);
      // The pay viewer sees the checkout's and payments' spans: the frontend's two (namespace shop) are withheld.
      await p.locator('#trace-withheld').waitFor();
      expect(await p.locator('#trace-withheld').textContent()).toContain('2 spans are outside your token’s scope');
      expect(await p.locator('#waterfall tbody tr').count()).toBe(3);
      expect(await p.locator('#waterfall tbody tr td').first().textContent()).toBe('checkout');
      await p.screenshot({ path: join(SCREENSHOTS, `${backend.replace('+', '-')}-traces-withheld.png`) });
    } finally {
      await scoped.close();
    }
    expect(browser.errors).toEqual([]);
  });
});
