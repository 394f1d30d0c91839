import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../../../libs/errors/errors.ts';

/**
 * The web viewer: plain ES modules from services/query/ui and uPlot from node_modules (no CDN, no build
 * step), read into memory at boot. The files are public — they hold no data; every API call they make
 * carries the user's token.
 */
const UI_DIR = join(import.meta.dirname, '../ui');
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

interface Asset {
  type: string;
  body: Buffer;
}

export function loadUiAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const file of readdirSync(UI_DIR)) {
    const type = TYPES[extname(file)];
    if (type) assets.set(file, { type, body: readFileSync(join(UI_DIR, file)) });
  }
  const uplot = dirname(createRequire(import.meta.url).resolve('uplot/dist/uPlot.esm.js'));
  assets.set('vendor/uplot.js', { type: TYPES['.js']!, body: readFileSync(join(uplot, 'uPlot.esm.js')) });
  assets.set('vendor/uplot.css', { type: TYPES['.css']!, body: readFileSync(join(uplot, 'uPlot.min.css')) });
  return assets;
}

export function uiRoutes(assets: Map<string, Asset> = loadUiAssets()) {
  return async function routes(app: FastifyInstance): Promise<void> {
    const config = { access: { public: true } };
    const send = (name: string) => {
      const asset = assets.get(name);
      if (!asset) throw new NotFoundError(`no file /ui/${name}`);
      return asset;
    };
    const schema = { hide: true };
    app.get('/ui', { config, schema }, async (_req, reply) => reply.redirect('/ui/'));
    app.get('/ui/', { config, schema }, async (_req, reply) => {
      const a = send('index.html');
      return reply.type(a.type).header('cache-control', 'no-cache').send(a.body);
    });
    app.get('/ui/*', { config, schema }, async (req, reply) => {
      const a = send((req.params as { '*': string })['*']);
      return reply.type(a.type).header('cache-control', 'no-cache').send(a.body);
    });
  };
}
