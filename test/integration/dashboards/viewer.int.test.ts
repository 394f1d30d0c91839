import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_END, FIXTURE_START } from '../../fixtures/prometheus/generate.ts';
import { getRecordStore } from '../../../libs/runtime/backends.ts';
import { ADMIN_TOKEN, repoRoot, startQueryService, type Harness } from './harness.ts';

/**
 * The /ui viewer in headless Chromium (Debian's `chromium`, driven by playwright-core) against the real
 * query service over the fixture Prometheus servers: token prompt, dashboard list, a built-in dashboard
 * over the fixture window, charts that drew their points, pickers that re-render. Screenshots go to
 * test-output/dashboards/.
 */
const OUT = join(repoRoot, 'test-output', 'dashboards');
const range = `from=${FIXTURE_START * 1000}&to=${FIXTURE_END * 1000}`;

describe('web viewer in headless Chromium', () => {
  let h: Harness;
  let base: string;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    h = await startQueryService('sqlite');
    await seedRecords(h);
    base = await h.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    // The page may only talk to Pharos: uPlot comes from node_modules through /ui/vendor, never a CDN.
    await page.route('**/*', (route) => (route.request().url().startsWith(base) ? route.continue() : route.abort()));
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('asks for the token, keeps it, and lists the dashboards', async () => {
    await page.goto(`${base}/ui/`);
    await page.locator('#token-form').waitFor({ state: 'visible' });
    await page.fill('#token-input', ADMIN_TOKEN);
    await page.click('#token-form button[type=submit]');
    await page.locator('#dashboard-list li').first().waitFor();
    const titles = await page.locator('#dashboard-list a').allTextContents();
    expect(titles).toEqual(
      expect.arrayContaining(['Cluster overview', 'Node', 'Namespace', 'Workload', 'Events', 'Audit']),
    );
    expect(await page.evaluate(() => localStorage.getItem('pharos.token'))).toBe(ADMIN_TOKEN);
  });

  it('opens the cluster overview over the test data and draws every chart', async () => {
    await page.goto(`${base}/ui/#/d/cluster-overview?${range}`);
    await page.locator('main[data-dashboard=cluster-overview]').waitFor();
    await page.locator('.panel-timeseries .panel-body[data-points]').first().waitFor();
    const charts = await chartStats(page);
    expect(charts.length).toBe(2);
    for (const c of charts) {
      expect(c.points, c.title).toBeGreaterThan(100);
      expect(c.series, c.title).toBe(3);
      // Pixels in the series colours, not just axes and grid: the lines were drawn.
      expect(c.coloured, c.title).toBeGreaterThan(200);
    }
    const stats = await page.locator('.panel-stat .stat-value').allTextContents();
    expect(stats.slice(0, 3)).toEqual(['3', '8', expect.stringMatching(/^\d+$/)]);
    expect(await page.locator('.panel-gauge svg').count()).toBe(2);
    expect(await page.locator('.panel-table tbody tr').count()).toBeGreaterThan(3);
    expect(await page.locator('.panel-bargauge .bar-row').count()).toBe(3);
    expect(await page.locator('.panel-events tbody tr').count()).toBe(1);
    expect(await page.locator('.panel-events tbody tr.warn').first().textContent()).toContain('BackOff');
    expect(await page.locator('.panel-error').count()).toBe(0);
    await page.screenshot({ path: join(OUT, 'cluster-overview.png'), fullPage: true });
  });

  it('re-renders when a variable or the time range changes', async () => {
    await page.selectOption('select[data-var=cluster]', ['east']);
    await page.waitForFunction(
      () => document.querySelector('.panel-timeseries .panel-body')?.getAttribute('data-series') === '1',
    );
    expect(page.url()).toContain('var-cluster=east');
    const charts = await chartStats(page);
    expect(charts.every((c) => c.series === 1 && c.points > 100)).toBe(true);
    await page.fill('#range-from', String((FIXTURE_END - 3600) * 1000));
    await page.click('#toolbar button[type=submit]');
    await page.waitForFunction(
      () => Number(document.querySelector('.panel-timeseries .panel-body')?.getAttribute('data-points')) < 100,
    );
    expect((await chartStats(page))[0]!.points).toBeGreaterThan(30);
  });

  it('shows tables and collapsed rows of the namespace dashboard', async () => {
    await page.goto(`${base}/ui/#/d/namespace?${range}&var-cluster=west`);
    await page.locator('main[data-dashboard=namespace]').waitFor();
    await page.locator('.panel-timeseries .panel-body[data-points]').first().waitFor();
    expect(await page.locator('.panel-table tbody tr').count()).toBe(11);
    expect(await page.locator('.panel-logs').isVisible()).toBe(false);
    await page.click('text=▸ Events and logs');
    await page.locator('.panel-logs .panel-body[data-points]').waitFor();
    expect(await page.locator('.panel-logs tbody tr').count()).toBe(3);
    expect(await page.locator('.panel-events tbody tr').count()).toBe(2);
    await page.screenshot({ path: join(OUT, 'namespace.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});

/** A few events and log lines in the fixture window, through the real record store. */
async function seedRecords(h: Harness): Promise<void> {
  const store = await getRecordStore(h.ctx);
  const at = (minutes: number) => (FIXTURE_START + minutes * 60) * 1000;
  const event = (n: number, { type, reason, message }: { type: string; reason: string; message: string }) => ({
    id: `viewer-ev-${n}`,
    kind: 'events' as const,
    cluster: 'west',
    namespace: 'checkout',
    time: at(120 + n),
    ingestedAt: at(121 + n),
    objectKind: 'Pod',
    name: 'checkout-0',
    type,
    reason,
    message,
  });
  await store.write('events', [
    event(1, { type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container checkout' }),
    event(2, { type: 'Normal', reason: 'Pulled', message: 'Container image pulled' }),
  ]);
  const log = (n: number, message: string) => ({
    id: `viewer-log-${n}`,
    kind: 'logs' as const,
    cluster: 'west',
    namespace: 'checkout',
    pod: 'checkout-0',
    container: 'checkout',
    time: at(100 + n),
    ingestedAt: at(100 + n),
    message,
  });
  await store.write('logs', [
    log(1, 'starting checkout service'),
    log(2, 'listening on :8080'),
    log(3, 'payment backend slow: 2.3s'),
  ]);
  await store.refresh();
}

/** Per chart: points handed to uPlot, series count, and canvas pixels in a series colour. */
function chartStats(page: Page) {
  return page.evaluate(() => {
    const palette = ['#7eb26d', '#eab839', '#6ed0e0'].map((hex) =>
      [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)),
    );
    return [...document.querySelectorAll('.panel-timeseries')].map((panel) => {
      const body = panel.querySelector('.panel-body') as HTMLElement;
      const canvas = panel.querySelector('canvas') as HTMLCanvasElement | null;
      let coloured = 0;
      if (canvas) {
        const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
        for (let i = 0; i < data.length; i += 4) {
          if (
            palette.some(
              ([r, g, b]) =>
                Math.abs(data[i]! - r!) < 12 && Math.abs(data[i + 1]! - g!) < 12 && Math.abs(data[i + 2]! - b!) < 12,
            )
          )
            coloured++;
        }
      }
      return {
        title: panel.querySelector('.panel-title')?.textContent ?? '',
        points: Number(body.dataset.points ?? 0),
        series: Number(body.dataset.series ?? 0),
        coloured,
      };
    });
  });
}
