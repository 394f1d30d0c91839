import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyPluginAsync } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../build/build.ts';

/**
 * package.json `overrides` give two HTTP-stack packages the previous major of a dependency, because the
 * newest (ESM-only) majors declare `node >=22`, which would exclude Node 20.19 that Pharos supports:
 * content-disposition 2 under @fastify/static (instead of 3) and cookie 1 under light-my-request (instead
 * of 2). Same functions, same output; these tests drive the code paths that call them, through the
 * packages as Pharos loads them.
 */

const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version: string }>;
};
const fromSwaggerUi = createRequire(createRequire(import.meta.url).resolve('@fastify/swagger-ui'));
const fastifyStatic = fromSwaggerUi('@fastify/static') as FastifyPluginAsync<{ root: string; serve: boolean }>;

describe('dependency overrides', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-overrides-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('install the overridden majors under their dependents', () => {
    expect(lock.packages['node_modules/@fastify/static/node_modules/content-disposition']?.version).toMatch(/^2\./);
    expect(lock.packages['node_modules/light-my-request/node_modules/cookie']?.version).toMatch(/^1\./);
  });

  it("keep @fastify/static's downloads' Content-Disposition as RFC 6266 has it (content-disposition 2)", async () => {
    writeFileSync(join(dir, 'report.csv'), 'a,b\n');
    const app = Fastify();
    await app.register(fastifyStatic, { root: dir, serve: false });
    // reply.download is @fastify/static's decorator (its types are not loaded through require).
    app.get('/export', (_req, reply) =>
      (reply as unknown as { download(file: string, name: string): unknown }).download('report.csv', 'résumé 2026.csv'),
    );
    const res = await app.inject({ url: '/export' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="r?sum? 2026.csv"; filename*=UTF-8''r%C3%A9sum%C3%A9%202026.csv`,
    );
    expect(res.body).toBe('a,b\n');
    await app.close();
  });

  it("keep fastify.inject()'s cookies, in both of light-my-request's forms (cookie 1)", async () => {
    const app = Fastify();
    app.get('/', (req) => ({ cookie: req.headers.cookie }));
    const asObject = await app.inject({ url: '/', cookies: { session: 'a b', theme: 'dark' } });
    expect(asObject.json()).toEqual({ cookie: 'session=a%20b; theme=dark' });
    const asList = await app.inject({
      url: '/',
      cookies: [{ name: 'session', value: 'x' }],
      headers: { cookie: 'first=1' },
    });
    expect(asList.json()).toEqual({ cookie: 'first=1; session=x' });
    await app.close();
  });

  it('keep /docs, served by @fastify/swagger-ui through @fastify/static', async () => {
    const app = Fastify();
    await app.register(swagger, { openapi: { info: { title: 'overrides', version: '0' } } });
    await app.register(swaggerUi, { routePrefix: '/docs' });
    await app.ready();
    const css = await app.inject({ url: '/docs/static/index.css' });
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    expect((await app.inject({ url: '/docs/json' })).json()).toMatchObject({ info: { title: 'overrides' } });
    await app.close();
  });
});
