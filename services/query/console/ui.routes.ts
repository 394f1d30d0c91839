import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { extname, join, sep } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError } from '../../../libs/errors/errors.ts';
import { FILTER_FIELDS, RECORD_KINDS, TEXT_FIELDS } from '../../../libs/schemas/records.ts';
import { ModulePreloads } from './ui-preload.ts';

/**
 * The console's files: plain ES modules from services/query/ui (no build step) and the libraries it uses
 * from node_modules (Preact, its hooks, htm, uPlot; never a CDN), read into memory at boot. Every page path
 * (/ui/explore/logs, /ui/alerts …) answers with index.html, so a bookmarked or shared URL loads directly;
 * the app reads the path and query itself. The files are public: they hold no data.
 */
const UI_DIR = join(import.meta.dirname, '../ui');
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * Library files served under /ui/vendor/, by package export (resolved from node_modules, so `npm ci` is all it takes).
 */
const VENDOR: Record<string, string> = {
  'vendor/preact.js': 'preact',
  'vendor/preact-hooks.js': 'preact/hooks',
  'vendor/htm.js': 'htm',
  'vendor/uplot.js': 'uplot/dist/uPlot.esm.js',
  'vendor/uplot.css': 'uplot/dist/uPlot.min.css',
};

export interface UiAsset {
  type: string;
  body: Buffer;
  etag: string;
}

const asset = (file: string, body: Buffer): UiAsset => ({
  type: TYPES[extname(file)] ?? 'application/octet-stream',
  body,
  etag: `"${createHash('sha1').update(body).digest('base64url')}"`,
});

export function loadUiAssets(dir = UI_DIR): Map<string, UiAsset> {
  const assets = new Map<string, UiAsset>();
  for (const file of readdirSync(dir, { recursive: true }) as string[]) {
    const path = join(dir, file);
    if (TYPES[extname(file)] && statSync(path).isFile())
      assets.set(file.split(sep).join('/'), asset(file, readFileSync(path)));
  }
  // The record kinds and their filter fields, from the one contract (libs/schemas/records.ts), never a copy.
  const fields = `export const RECORD_KINDS = ${JSON.stringify(RECORD_KINDS)};\nexport const FILTER_FIELDS = ${JSON.stringify(FILTER_FIELDS)};\nexport const TEXT_FIELDS = ${JSON.stringify(TEXT_FIELDS)};\n`;
  assets.set('lib/fields.js', asset('fields.js', Buffer.from(fields)));
  for (const [name, spec] of Object.entries(VENDOR)) assets.set(name, asset(name, readFileSync(resolveModule(spec))));
  return assets;
}

/** The ES module build of a package (the `import` condition of its exports, as a browser would load it). */
const resolveModule = (spec: string): string => fileURLToPath(import.meta.resolve(spec));

/**
 * Content-Security-Policy of the page: scripts only from /ui and the import map by its hash, no framing, no
 * other origins (the console only talks to this Pharos). Inline styles are allowed: uPlot positions its parts
 * with them.
 */
function contentSecurityPolicy(indexHtml: string): string {
  const importMap = /<script type="importmap">([\s\S]*?)<\/script>/.exec(indexHtml)?.[1] ?? '';
  const hash = createHash('sha256').update(importMap).digest('base64');
  return [
    `default-src 'self'`,
    `script-src 'self' 'sha256-${hash}'`,
    `style-src 'self' 'unsafe-inline'`,
    `img-src 'self' data:`,
    `connect-src 'self'`,
    `frame-ancestors 'none'`,
    `base-uri 'none'`,
    `form-action 'self'`,
  ].join('; ');
}

export function consoleUiRoutes(assets: Map<string, UiAsset> = loadUiAssets()) {
  const index = assets.get('index.html');
  if (!index) throw new Error(`services/query/ui/index.html is missing`);
  const html = index.body.toString('utf8');
  const csp = contentSecurityPolicy(html);
  const preloads = new ModulePreloads(assets, html);
  const variants = new Map<string, UiAsset>();
  /** index.html naming the modules of the page asked for, so they load in parallel. */
  const pageHtml = (page: string): UiAsset => {
    const files = preloads.forPage(page);
    const key = files.join(',');
    let v = variants.get(key);
    if (!v) {
      const links = files.map((f) => `  <link rel="modulepreload" href="/ui/${f}">\n`).join('');
      v = asset('index.html', Buffer.from(html.replace('</head>', `${links}</head>`)));
      variants.set(key, v);
    }
    return v;
  };
  const send = (req: FastifyRequest, reply: FastifyReply, a: UiAsset) => {
    void reply.header('cache-control', 'no-cache').header('etag', a.etag).header('x-content-type-options', 'nosniff');
    if (req.headers['if-none-match'] === a.etag) return reply.code(304).send();
    return reply.type(a.type).send(a.body);
  };
  return async function routes(app: FastifyInstance): Promise<void> {
    const config = { access: { public: true } };
    const schema = { hide: true };
    const page = (req: FastifyRequest, reply: FastifyReply, path = '') => {
      void reply
        .header('content-security-policy', csp)
        .header('referrer-policy', 'no-referrer')
        .header('x-frame-options', 'DENY');
      return send(req, reply, pageHtml(path.split('/')[0] ?? ''));
    };
    app.get('/ui', { config, schema }, async (_req, reply) => reply.redirect('/ui/'));
    app.get('/ui/*', { config, schema }, async (req, reply) => {
      const path = (req.params as { '*': string })['*'];
      const a = assets.get(path);
      if (a) return path === 'index.html' ? page(req, reply) : send(req, reply, a);
      // A file that does not exist is a 404; any other path is a page of the app.
      if (extname(path) !== '') throw new NotFoundError(`no file /ui/${path}`);
      return page(req, reply, path);
    });
  };
}
