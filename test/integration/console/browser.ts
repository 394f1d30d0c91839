import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium, headless, with nothing of its own reaching out (no sync, updates or background traffic). */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const SCREENSHOTS = join(import.meta.dirname, '../../../test-output/console');

export interface Browser {
  context: BrowserContext;
  /** A new tab that may only talk to `base` (the console loads nothing from elsewhere); page errors are kept. */
  page(): Promise<Page>;
  errors: string[];
  close(): Promise<void>;
}

/** A browser with a fresh --user-data-dir (no token, theme or cache from another run), 1280 px wide. */
export async function openBrowser(base: string, viewport = { width: 1280, height: 800 }): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'pharos-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: '/usr/bin/chromium',
    headless: false,
    args: CHROMIUM_FLAGS,
    viewport,
    timezoneId: 'Europe/Berlin',
  });
  const errors: string[] = [];
  await context.route('**/*', (route) => (route.request().url().startsWith(base) ? route.continue() : route.abort()));
  return {
    context,
    errors,
    async page() {
      const page = await context.newPage();
      page.on('pageerror', (e) => errors.push(e.message));
      return page;
    },
    async close() {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Answers the token prompt (a password field) on whatever page the browser asked for. */
export async function signIn(page: Page, token: string): Promise<void> {
  await page.locator('#token-form input[type=password]').waitFor();
  await page.fill('#token-input', token);
  await page.click('#token-form button[type=submit]');
  await page.locator('.topbar').waitFor();
}
