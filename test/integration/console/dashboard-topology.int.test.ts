import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderSchema } from '../../../services/query/dashboards/dashboards.schemas.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../stack/webhook-receiver.ts';
import { until } from '../../support/until.ts';
import { openBrowser, SCREENSHOTS, signIn, type Browser } from './browser.ts';
import { TOKENS, startConsoleApp, type Backend, type ConsoleApp } from './console-app.ts';
import { hex, traceRequest, type Call } from './trace-fixtures.ts';

/**
 * A dashboard's topology panels over real spans (OTLP/HTTP into the whole of Pharos, on the embedded default and on
 * Kafka + OpenSearch): the render API answers the traces service's topology under the caller's scope — the same
 * graph `/v1/topology` gives that token — with the dashboard's `$cluster` variable as the panel's filter, and the
 * console draws it with the Traces page's graph, a click on a call listing its slowest traces.
 */
interface Edge {
  id: string;
  requests: number;
  errors: number;
}
interface Topology {
  nodes: { id: string }[];
  edges: Edge[];
}
interface Render {
  from: number;
  to: number;
  panels: { id: number; title: string; type: string; data: { topology?: Topology }; error?: { code: string } }[];
}

const CROSS = 'west/shop/frontend->east/pay/checkout';
const LOCAL = 'east/pay/checkout->east/pay/payments';
/** `/v1/topology` over a render's window (epoch seconds with ms, as the API takes them). */
const window = (r: Render) => `start=${r.from / 1000}&end=${r.to / 1000}`;
const figures = (t: Topology | undefined) => t?.edges.map((e) => [e.id, e.requests, e.errors]);

const DASHBOARD = {
  id: 'service-calls',
  title: 'Service calls',
  time: { from: 'now-1h', to: 'now' },
  variables: [{ type: 'custom', name: 'cluster', options: ['east', 'west'], multi: true, includeAll: true }],
  rows: [
    {
      panels: [
        {
          id: 1,
          type: 'topology',
          title: 'Calls in $cluster',
          gridPos: { x: 0, y: 0, w: 24, h: 14 },
          targets: [{ datasource: 'topology', sources: ['spans'], cluster: '$cluster' }],
        },
        {
          id: 2,
          type: 'topology',
          title: 'Shop calls',
          gridPos: { x: 0, y: 14, w: 24, h: 10 },
          targets: [{ datasource: 'topology', sources: ['spans'], namespace: 'shop' }],
        },
      ],
    },
  ],
};

describe.each<Backend>(['embedded', 'kafka+opensearch'])('dashboard topology panels on %s', (backend) => {
  let app: ConsoleApp;
  let webhook: WebhookReceiver;
  let browser: Browser;
  let page: Page;
  const now = Date.now();
  const slow: Call = { traceId: hex(16), at: now - 10 * 60_000, serverMs: 420, failed: true, pays: true };
  const fast: Call = { traceId: hex(16), at: now - 8 * 60_000, serverMs: 12, failed: false, pays: false };
  const render = (query: string, token?: string) =>
    app.get<Render>(`/v1/dashboards/${DASHBOARD.id}/render?from=now-1h&to=now&${query}`, token);
  const shot = (name: string, p = page) =>
    p.screenshot({ path: join(SCREENSHOTS, `${backend.replace('+', '-')}-${name}.png`), fullPage: false });

  beforeAll(async () => {
    webhook = await startWebhookReceiver();
    app = await startConsoleApp(backend, `${webhook.url}/hook`);
    for (const call of [slow, fast]) {
      const res = await app.post('/otlp/v1/traces', traceRequest(call), { token: TOKENS.ingest });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    await until(
      async () => {
        const t = await app.get<Topology>('/v1/topology?sources=spans').catch(() => ({ edges: [] }));
        return t.edges.length === 2;
      },
      180_000,
      'spans indexed',
    );
    const created = await app.post('/v1/dashboards', DASHBOARD);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    browser = await openBrowser(app.base);
    page = await browser.page();
    await page.goto(`${app.base}/ui/dashboards`);
    await signIn(page, TOKENS.admin);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await webhook?.close();
  });

  it('renders the topology of the selected clusters, the same graph /v1/topology gives the token', async () => {
    const all = await render('var-cluster=$__all');
    // The render route writes its answer without the zod serializer: it must already be what the schema lets through.
    expect(renderSchema.parse(all)).toEqual(all);
    const [calls, shop] = all.panels;
    expect(calls).toMatchObject({ id: 1, title: 'Calls in All', type: 'topology' });
    expect(calls!.error).toBeUndefined();
    expect(figures(calls!.data.topology)).toEqual([
      [LOCAL, 1, 0],
      [CROSS, 2, 1],
    ]);
    const direct = await app.get<Topology>(`/v1/topology?sources=spans&${window(all)}`);
    expect(calls!.data.topology!.nodes).toEqual(direct.nodes);
    expect(calls!.data.topology!.edges).toEqual(direct.edges);
    // Namespace shop: the frontend's call into east is the one call with an end there.
    expect(figures(shop!.data.topology)).toEqual([[CROSS, 2, 1]]);
    // $cluster = west: only the calls with an end in west; east and west together: both calls again.
    expect(figures((await render('var-cluster=west')).panels[0]!.data.topology)).toEqual([[CROSS, 2, 1]]);
    expect(figures((await render('var-cluster=east&var-cluster=west')).panels[0]!.data.topology)).toEqual([
      [LOCAL, 1, 0],
      [CROSS, 2, 1],
    ]);
  });

  it('fills the built-in namespace dashboard’s Service calls row for the picked cluster and namespace', async () => {
    const built = await app.get<Render>(
      '/v1/dashboards/namespace/render?from=now-1h&to=now&var-cluster=east&var-namespace=pay',
    );
    const panel = built.panels.find((p) => p.type === 'topology');
    expect(panel).toMatchObject({ title: 'Calls into and out of pay' });
    expect(panel!.error).toBeUndefined();
    expect(figures(panel!.data.topology)).toEqual([
      [LOCAL, 1, 0],
      [CROSS, 2, 1],
    ]);
    const west = await app.get<Render>(
      '/v1/dashboards/namespace/render?from=now-1h&to=now&var-cluster=west&var-namespace=pay',
    );
    expect(figures(west.panels.find((p) => p.type === 'topology')!.data.topology)).toEqual([]);
  });

  it('never shows a scoped token more than its scope: namespace pay sees its own call and a 403 for shop', async () => {
    const scoped = await render('var-cluster=$__all', TOKENS.pay);
    const [calls, shop] = scoped.panels;
    // The frontend's client span is in namespace shop: without it the cross-cluster call cannot be paired.
    expect(figures(calls!.data.topology)).toEqual([[LOCAL, 1, 0]]);
    expect(calls!.data.topology!.nodes.map((n) => n.id)).toEqual(['east/pay/checkout', 'east/pay/payments']);
    const direct = await app.get<Topology>(`/v1/topology?sources=spans&${window(scoped)}`, TOKENS.pay);
    expect(calls!.data.topology!.edges).toEqual(direct.edges);
    expect(shop!.error).toMatchObject({ code: 'PHAROS_ERR_FORBIDDEN' });
    expect(shop!.data.topology).toBeUndefined();
  });

  it('draws the panel with the Traces page’s graph; a click on a call lists its slowest traces', async () => {
    await page.goto(`${app.base}/ui/dashboards/${DASHBOARD.id}?from=now-1h&to=now&var-cluster=$__all`);
    const panel = page.locator('[data-panel-id="1"]');
    await panel.locator('.topology-panel[data-edges="2"][data-nodes="3"]').waitFor();
    expect(await panel.locator('.panel-title').textContent()).toBe('Calls in All');
    const nodes = await panel
      .locator('.topology-graph .node')
      .evaluateAll((els) =>
        els.map(
          (e) => `${e.querySelector('.node-service')?.textContent} ${e.querySelector('.node-place')?.textContent}`,
        ),
      );
    expect(nodes.sort()).toEqual(['checkout east/pay', 'frontend west/shop', 'payments east/pay']);
    const edge = panel.locator(`#topology-graph-1 .edge[data-edge="${CROSS}"]`);
    expect(await edge.getAttribute('class')).toContain('cross');
    expect(await edge.locator('.edge-label').textContent()).toMatch(/req\/s · 50\.0% err · p95 \d+ ms/);
    await page.locator('[data-panel-id="2"] .topology-panel[data-edges="1"]').waitFor();
    await shot('dashboard-topology');
    await edge.click();
    await panel.locator('#trace-list tbody tr').nth(1).waitFor();
    expect(
      await panel.locator('#trace-list tbody tr').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-trace'))),
    ).toEqual([slow.traceId, fast.traceId]);
    expect(await edge.getAttribute('class')).toContain('selected');
    await shot('dashboard-topology-edge');
    await panel.locator(`#trace-list a[href="/ui/traces/${slow.traceId}"]`).click();
    await page.locator('#waterfall tbody tr').nth(4).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/ui/traces/${slow.traceId}`);
  });

  it('draws a scoped token’s panels from its own render: one call, and the refused panel’s error', async () => {
    const scoped = await openBrowser(app.base);
    try {
      const p = await scoped.page();
      await p.goto(`${app.base}/ui/dashboards/${DASHBOARD.id}?from=now-1h&to=now`);
      await signIn(p, TOKENS.pay);
      await p.locator('[data-panel-id="1"] .topology-panel[data-edges="1"][data-nodes="2"]').waitFor();
      expect(await p.locator(`[data-panel-id="1"] .edge[data-edge="${CROSS}"]`).count()).toBe(0);
      expect(await p.locator('[data-panel-id="2"] .panel-error').getAttribute('title')).toBe('PHAROS_ERR_FORBIDDEN');
      await shot('dashboard-topology-scoped', p);
      expect(scoped.errors).toEqual([]);
    } finally {
      await scoped.close();
    }
    expect(browser.errors).toEqual([]);
  });
});
