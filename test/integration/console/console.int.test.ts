import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../stack/webhook-receiver.ts';
import { until } from '../../support/until.ts';
import { openBrowser, SCREENSHOTS, signIn, type Browser } from './browser.ts';
import {
  EVENTS_TOTAL,
  SCOPED_NAMESPACE,
  TOKENS,
  logLines,
  seed,
  startConsoleApp,
  type Backend,
  type ConsoleApp,
} from './console-app.ts';

/**
 * The console at /ui in headless Chromium (Debian's, via playwright-core) over the whole of Pharos on real data
 * (../shared/data: OpenShift events and audit), on the embedded default and on Kafka + OpenSearch. What the page
 * shows is compared with what the API answers for the same query. Screenshots: test-output/console/.
 */
const RANGE = { start: '2021-08-01T00:00:00Z', end: '2021-09-30T00:00:00Z' };
const AZURE = { start: '2021-09-13T14:40:00Z', end: '2021-09-13T15:00:00Z' };
const q = (params: Record<string, string>) => new URLSearchParams(params).toString();
/** Namespaces of the real data other than the scoped one: none may appear anywhere for the scoped token. */
const OTHER_NAMESPACES = [
  'openshift-etcd-operator',
  'openshift-cluster-storage-operator',
  'kube-system',
  'openshift-kube-apiserver',
  'checkout',
  'warmup',
];

describe.each<Backend>(['embedded', 'kafka+opensearch'])('console on %s', (backend) => {
  let app: ConsoleApp;
  let webhook: WebhookReceiver;
  let browser: Browser;
  let page: Page;
  const shot = (name: string, p: Page = page) =>
    p.screenshot({ path: join(SCREENSHOTS, `${backend.replace('+', '-')}-${name}.png`), fullPage: false });
  const rows = (p: Page = page) => p.locator('#results tbody tr').count();

  beforeAll(async () => {
    webhook = await startWebhookReceiver();
    app = await startConsoleApp(backend, `${webhook.url}/hook`);
    await seed(app);
    browser = await openBrowser(app.base);
    page = await browser.page();
    await page.goto(`${app.base}/ui/`);
    await signIn(page, TOKENS.admin);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await webhook?.close();
  });

  it('answers 200 on a direct load of every page path, asks for a token with a password field, then shows the page asked for', async () => {
    const paths = [
      '/ui',
      '/ui/explore/logs?q=&start=now-1h&end=now&cluster=east&namespace=shop',
      '/ui/explore/events',
      '/ui/explore/audit',
      '/ui/alerts',
      '/ui/silences',
      '/ui/rules',
      '/ui/clusters',
      '/ui/dashboards/cluster-overview',
    ];
    for (const path of paths) {
      const res = await fetch(`${app.base}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toMatch(/^text\/html/);
    }
    const target = `/ui/explore/events?${q({ ...AZURE, namespace: SCOPED_NAMESPACE })}`;
    const fresh = await openBrowser(app.base);
    try {
      const p = await fresh.page();
      await p.goto(`${app.base}${target}`);
      await signIn(p, TOKENS.admin);
      await p.locator('#result-count[data-total="109"]').waitFor();
      expect(new URL(p.url()).pathname + new URL(p.url()).search).toBe(target);
    } finally {
      await fresh.close();
    }
  });

  it('shows the same count as the API for a search, with facets and a histogram that follow the filters', async () => {
    const params = { ...AZURE, q: 'reason:FailedScheduling OR pod', type: 'Warning' };
    const api = await app.get<{ total: number }>(`/v1/events?${q({ ...params, size: '1' })}`);
    expect(api.total).toBeGreaterThan(10);
    await page.goto(`${app.base}/ui/explore/events?${q(params)}`);
    await page.locator(`#result-count[data-total="${api.total}"]`).waitFor();
    expect(await page.locator('#result-count').textContent()).toContain(api.total.toLocaleString('en-US'));
    await page.locator(`#histogram[data-total="${api.total}"]`).waitFor();
    const reasons = await app.get<{ groups: { key: string; count: number }[] }>(
      `/v1/events/stats?${q({ ...params, by: 'reason', size: '5' })}`,
    );
    const facet = page.locator('.facet[data-field=reason] .facet-values li label');
    await facet.first().waitFor();
    expect(await facet.locator('.facet-key').allTextContents()).toEqual(reasons.groups.map((g) => g.key));
    expect(await facet.locator('.facet-count').allTextContents()).toEqual(
      reasons.groups.map((g) => g.count.toLocaleString('en-US')),
    );
    await shot('explore-events');
    // A bad query is answered inline under the query box, in the API's words.
    await page.fill('#q', 'reason:(');
    await page.press('#q', 'Enter');
    await page.locator('#q-error [role=alert]').waitFor();
    expect(await page.locator('#q-error').textContent()).toMatch(/q|search/i);
  });

  it('pages by cursor while scrolling, past 1,000 results, to the last record', async () => {
    await page.goto(`${app.base}/ui/explore/events?${q(RANGE)}`);
    await page.locator(`#result-count[data-total="${EVENTS_TOTAL}"]`).waitFor();
    await until(
      async () => {
        await page.mouse.wheel(0, 20_000);
        return (await page.locator('#end-of-results').count()) > 0;
      },
      60_000,
      'scrolled to the end of the results',
    );
    expect(await rows()).toBe(EVENTS_TOTAL);
    const ids = await page
      .locator('#results tbody tr')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')));
    expect(new Set(ids).size).toBe(EVENTS_TOTAL);
  });

  it('opens a record with every stored field and its raw original, and shows its context from the same object', async () => {
    await page.goto(
      `${app.base}/ui/explore/events?${q({ ...AZURE, namespace: 'openshift-etcd-operator', reason: 'OperatorStatusChanged' })}`,
    );
    const row = page.locator('#results tbody tr').nth(3);
    await row.waitFor();
    const id = (await row.getAttribute('data-id'))!;
    await row.focus();
    await page.keyboard.press('Enter');
    await page.locator('#record-drawer #record-fields').waitFor();
    expect(new URL(page.url()).searchParams.get('record')).toBe(id);
    const doc = (
      await app.get<{ items: Record<string, unknown>[] }>(
        `/v1/events?${q({ ...AZURE, namespace: 'openshift-etcd-operator', reason: 'OperatorStatusChanged', size: '1000' })}`,
      )
    ).items.find((d) => d.id === id)!;
    const fields = await page
      .locator('#record-fields tr')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-field')));
    expect(fields.sort()).toEqual(
      Object.keys(doc)
        .filter((k) => k !== 'raw')
        .sort(),
    );
    expect(JSON.parse((await page.locator('#record-raw').textContent())!)).toEqual(doc.raw);
    await page.click('#show-context');
    await page.locator('#record-context li.current').waitFor();
    const context = await app.get<{ items: { id: string; time: number }[] }>(
      `/v1/events?${q({ cluster: 'east', namespace: 'openshift-etcd-operator', kind: String(doc.objectKind), name: String(doc.name), start: new Date((doc.time as number) - 86_400_000).toISOString(), end: new Date((doc.time as number) + 1).toISOString(), size: '11' })}`,
    );
    const shown = await page
      .locator('#record-context li')
      .evaluateAll((lis) => lis.map((li) => li.getAttribute('data-id')));
    for (const before of context.items) expect(shown).toContain(before.id);
    expect(await page.locator('#record-context li.current').getAttribute('data-id')).toBe(id);
    await shot('explore-record-context');
    await page.keyboard.press('Escape');
    await page.locator('#record-drawer').waitFor({ state: 'detached' });
  });

  it('live-tails a log line posted during the test within 2 s', async () => {
    await page.goto(`${app.base}/ui/explore/logs?${q({ namespace: 'checkout', live: '1' })}`);
    await page.locator('#live-status', { hasText: 'live' }).waitFor();
    const marker = `payment accepted order-${Date.now()}`;
    const posted = Date.now();
    const res = await app.post(
      '/v1/ingest/logs?cluster=east',
      logLines({ namespace: 'checkout', pod: 'checkout-7f9c' }, [marker]),
      { token: TOKENS.ingest, contentType: 'application/x-ndjson' },
    );
    expect(res.status).toBe(200);
    await page.locator('#results tbody tr.live', { hasText: marker }).waitFor({ timeout: 10_000 });
    const seenAfter = Date.now() - posted;
    expect(seenAfter, `live row after ${seenAfter} ms`).toBeLessThan(2_000);
    await shot('explore-live');
  });

  it('silences a firing alert from the alerts page; the Alertmanager API then lists the silence', async () => {
    // A rule over log records that fires on the checkout lines, evaluated every second.
    const group = {
      name: 'console-it',
      interval: '1s',
      rules: [
        {
          alert: 'CheckoutLogs',
          expr: 'sum by (namespace) (count_over_time(pharos_logs{namespace="checkout"}[10m])) > 0',
          labels: { severity: 'warning' },
          annotations: { summary: 'checkout wrote {{ $value }} lines' },
        },
      ],
    };
    expect((await app.post('/v1/alert-rules', group)).status).toBe(201);
    await app.post(
      '/v1/ingest/logs?cluster=east',
      logLines({ namespace: 'checkout', pod: 'checkout-7f9c' }, ['order placed', 'order shipped']),
      { token: TOKENS.ingest, contentType: 'application/x-ndjson' },
    );
    await until(
      async () =>
        (await app.get<unknown[]>('/alertmanager/api/v2/alerts?filter=alertname%3D%22CheckoutLogs%22')).length === 1,
      30_000,
      'CheckoutLogs firing',
    );
    // Its firing notification goes out before it is silenced (the notification log is checked below).
    await webhook.waitForRequests(1, 30_000);
    await page.goto(`${app.base}/ui/alerts`);
    const row = page.locator('.alert-group[data-group=CheckoutLogs] .alert-row[data-state=firing]');
    await row.waitFor();
    await shot('alerts');
    await row.locator('text=Details').click();
    await page.locator('.history[data-transitions]').waitFor();
    await until(
      async () => Number(await page.locator('.history').getAttribute('data-transitions')) >= 1,
      10_000,
      'history shown',
    );
    await row.locator('text=Silence…').click();
    await page.locator('#silence-form').waitFor();
    await page.locator('#silence-preview[data-count="1"]').waitFor();
    await page.fill('#silence-comment', 'deploying checkout');
    await shot('silence-editor');
    await page.click('#silence-save');
    await page.locator('#silence-list tr[data-state=active]').first().waitFor();
    const silences = await app.get<
      { id: string; matchers: { name: string; value: string }[]; comment: string; status: { state: string } }[]
    >('/alertmanager/api/v2/silences');
    const made = silences.find((s) => s.comment === 'deploying checkout');
    expect(made?.status.state).toBe('active');
    expect(Object.fromEntries(made!.matchers.map((m) => [m.name, m.value]))).toEqual({
      alertname: 'CheckoutLogs',
      cluster: 'east',
      namespace: 'checkout',
      severity: 'warning',
    });
    await until(
      async () => {
        const [a] = await app.get<{ status: { silencedBy: string[] } }[]>(
          '/alertmanager/api/v2/alerts?filter=alertname%3D%22CheckoutLogs%22',
        );
        return a?.status.silencedBy.includes(made!.id) ?? false;
      },
      10_000,
      'alert silenced',
    );
    await shot('silences');
  });

  it('shows rules with health and last evaluation, a backtest timeline, and the notification log', async () => {
    // API groups have the id api/<name>; the backtest is opened by the URL, as a shared link would.
    await page.goto(
      `${app.base}/ui/rules?${q({ backtest: 'api/console-it', bstart: 'now-15m', bend: 'now', step: '30s' })}`,
    );
    await page.locator('.rule-group[data-name=console-it] tr[data-rule=CheckoutLogs][data-health=ok]').waitFor();
    await page.locator('.backtest-rule[data-rule=CheckoutLogs] .timeline').waitFor();
    expect(
      Number(await page.locator('.backtest-rule[data-rule=CheckoutLogs]').getAttribute('data-episodes')),
    ).toBeGreaterThanOrEqual(1);
    await shot('rules');
    await page.goto(`${app.base}/ui/alerts?tab=notifications`);
    await page.locator('#notifications tr[data-result=sent]').first().waitFor();
  });

  it('lists configured and seen clusters with Prometheus health, collector activity and indexer lag', async () => {
    // "edge" is in no clusters[]: it only sends records.
    await app.post(
      '/v1/ingest/logs?cluster=edge',
      logLines({ namespace: 'shop', pod: 'web-1' }, ['GET / 200', 'GET /cart 200']),
      { token: TOKENS.ingest, contentType: 'application/x-ndjson' },
    );
    await until(
      async () =>
        (await app.get<{ clusters: { name: string }[] }>('/v1/clusters')).clusters.some((c) => c.name === 'edge'),
      30_000,
      'edge seen',
    );
    await page.goto(`${app.base}/ui/clusters`);
    await page.locator('#cluster-table tr[data-cluster=edge]').waitFor();
    expect(
      await page
        .locator('#cluster-table tbody tr')
        .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-cluster'))),
    ).toEqual(['east', 'edge', 'north', 'west']);
    expect(await page.locator('tr[data-cluster=east]').textContent()).toMatch(/up · 2\.42\.\d/);
    expect(await page.locator('tr[data-cluster=edge]').textContent()).toContain('not configured');
    expect(await page.locator('tr[data-cluster=east]').textContent()).toMatch(/logs 0 · events 0 · audit 0/);
    await shot('clusters');
  });

  it('offers clusters seen only in records on dashboards, whose metric panels say "no data" quietly', async () => {
    await page.goto(`${app.base}/ui/dashboards/cluster-overview?var-cluster=edge`);
    await page.locator('main[data-dashboard=cluster-overview]').waitFor();
    expect(await page.locator('select[data-var=cluster] option').allTextContents()).toEqual(
      expect.arrayContaining(['east', 'edge', 'north', 'west']),
    );
    await page.locator('.panel-nodata').first().waitFor();
    expect(await page.locator('.panel-error').count()).toBe(0);
    expect(await page.locator('.panel-nodata').first().textContent()).toBe('No data for cluster edge');
    await shot('dashboard-edge');
    await page.goto(`${app.base}/ui/dashboards/cluster-overview?from=1767225600000&to=1767236400000`);
    await page.locator('.panel-timeseries .panel-body[data-points]').first().waitFor();
    await shot('dashboard');
  });

  it('reproduces a shared URL: same filters, range, split, selected record, same results', async () => {
    await page.goto(`${app.base}/ui/explore/events?${q({ ...AZURE, type: 'Warning', split: 'reason' })}`);
    const row = page.locator('#results tbody tr').nth(2);
    await row.waitFor();
    await row.click();
    await page.locator('#record-fields').waitFor();
    await page.keyboard.press('Escape');
    // Drag across the histogram (the records are at 14:47–14:52): the range becomes absolute times in the URL.
    const box = (await page.locator('#histogram .u-over').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.62, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    await until(() => new URL(page.url()).searchParams.get('start') !== AZURE.start, 10_000, 'zoomed');
    await page.locator('#result-count[data-total]:not([data-total=""])').waitFor();
    await row.click();
    await page.locator('#record-fields').waitFor();
    const url = page.url();
    const view = (p: Page) =>
      p.evaluate(() => ({
        count: document.querySelector('#result-count')?.getAttribute('data-total'),
        ids: [...document.querySelectorAll('#results tbody tr')].slice(0, 50).map((tr) => tr.getAttribute('data-id')),
        record: document.querySelector('#results tr.selected')?.getAttribute('data-id'),
        fields: document.querySelector('#record-fields')?.textContent,
        legend: [...document.querySelectorAll('#histogram .u-legend .u-label')].map((l) => l.textContent),
        chips: document.querySelector('#filter-chips')?.textContent,
      }));
    const before = await view(page);
    const other = await openBrowser(app.base);
    try {
      const fresh = await other.page();
      await fresh.goto(url);
      await signIn(fresh, TOKENS.admin);
      await fresh.locator('#record-fields').waitFor();
      await fresh.locator(`#result-count[data-total="${before.count}"]`).waitFor();
      await fresh.locator('#histogram .u-legend').waitFor();
      expect(await view(fresh)).toEqual(before);
      expect(other.errors).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('shows a token scoped to one namespace nothing of another namespace on any page, and says why', async () => {
    const scoped = await openBrowser(app.base);
    try {
      const p = await scoped.page();
      await p.goto(`${app.base}/ui/explore/events?${q(RANGE)}`);
      await signIn(p, TOKENS.multus);
      await p.locator('#scope-badge.restricted').waitFor();
      const api = await app.get<{ total: number }>(`/v1/events?${q({ ...RANGE, size: '1' })}`, TOKENS.multus);
      await p.locator(`#result-count[data-total="${api.total}"]`).waitFor();
      expect(await p.locator('#pick-namespace option').allTextContents()).toEqual([
        'All (1)',
        `${SCOPED_NAMESPACE} (${api.total.toLocaleString('en-US')})`,
      ]);
      const pages: [string, string][] = [
        [`/ui/explore/events?${q(RANGE)}`, '#results tbody tr'],
        [
          '/ui/explore/audit?start=2023-06-12T00:00:00Z&end=2023-06-13T00:00:00Z',
          '#result-count[data-total]:not([data-total=""])',
        ],
        ['/ui/explore/logs', '#result-count[data-total]:not([data-total=""])'],
        ['/ui/alerts', '.scope-note'],
        ['/ui/silences', '.scope-note'],
        ['/ui/rules', '.scope-note'],
        ['/ui/clusters', '#cluster-table'],
        ['/ui/dashboards/namespace', 'main[data-dashboard=namespace]'],
        ['/ui/', '#dashboard-list'],
      ];
      for (const [path, ready] of pages) {
        await p.goto(`${app.base}${path}`);
        await p.locator(ready).first().waitFor();
        await p.waitForLoadState('networkidle');
        const text = await p.locator('body').innerText();
        for (const ns of OTHER_NAMESPACES) expect(text, `${path} shows ${ns}`).not.toContain(ns);
        await p.screenshot({
          path: join(
            SCREENSHOTS,
            `${backend.replace('+', '-')}-scoped-${path.split('?')[0]!.replace(/\W+/g, '-')}.png`,
          ),
        });
      }
      // Asking for another namespace by URL is refused, and the page says what to do.
      await p.goto(`${app.base}/ui/explore/events?${q({ ...RANGE, namespace: 'kube-system' })}`);
      await p.locator('[role=alert][data-code=PHAROS_ERR_FORBIDDEN]').waitFor();
      expect(await p.locator('[role=alert][data-code=PHAROS_ERR_FORBIDDEN]').textContent()).toMatch(
        /outside (this token's|your) scope.*ask an admin/,
      );
    } finally {
      await scoped.close();
    }
    expect(browser.errors).toEqual([]);
  });
});
