import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { TokenAuthenticator } from '../auth/token-authenticator.ts';
import { createLogger } from '../logging/logger.ts';
import { createMetricsRegistry } from '../metrics/metrics.ts';
import { InputError } from '../errors/errors.ts';
import { buildApp } from './app.ts';
import type { Feature } from './feature.ts';

const echo: Feature = {
  name: 'echo',
  routes: async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    r.post('/v1/echo', { schema: { body: z.object({ n: z.number().int().max(10) }) } }, async (req) => ({
      n: req.body.n,
      who: req.principal.name,
    }));
    r.get('/v1/fail', async () => {
      throw new InputError('bad thing', [{ path: 'query.x', message: 'nope' }]);
    });
    r.get('/v1/boom', async () => {
      throw new Error('secret internals');
    });
    r.post('/v1/ingest-only', { config: { access: { role: 'ingest' } } }, async () => ({ ok: true }));
  },
};

describe('buildApp', () => {
  let app: FastifyInstance;
  const auth = (t: string) => ({ authorization: `Bearer ${t}` });
  beforeAll(async () => {
    app = await buildApp({
      logger: createLogger('silent'),
      metrics: createMetricsRegistry(),
      authenticator: new TokenAuthenticator([
        { name: 'admin', token: 'admin-token-0123456789', role: 'admin' },
        { name: 'viewer', token: 'viewer-token-0123456789', role: 'viewer' },
        { name: 'collector', token: 'ingest-token-0123456789', role: 'ingest' },
      ]),
      features: [echo],
    });
  });
  afterAll(() => app.close());

  it('serves health and metrics without a token', async () => {
    expect((await app.inject('/healthz')).statusCode).toBe(200);
    expect((await app.inject('/readyz')).json()).toEqual({ status: 'ready', notReady: [] });
    const m = await app.inject('/metrics');
    expect(m.headers['content-type']).toMatch(/text\/plain/);
    expect(m.body).toMatch(/^# HELP /m);
  });

  it('refuses every other route without valid credentials, including unknown ones', async () => {
    for (const url of ['/v1/fail', '/v1/nothing-here', '/prometheus/api/v1/query']) {
      const res = await app.inject(url);
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('PHAROS_ERR_UNAUTHENTICATED');
    }
    expect((await app.inject({ url: '/v1/fail', headers: auth('wrong') })).statusCode).toBe(401);
  });

  it('accepts the token as a Basic password (promtool)', async () => {
    const basic = `Basic ${Buffer.from('any:viewer-token-0123456789').toString('base64')}`;
    expect((await app.inject({ url: '/v1/fail', headers: { authorization: basic } })).statusCode).toBe(400);
  });

  it('enforces roles', async () => {
    const post = (t: string) => app.inject({ method: 'POST', url: '/v1/echo', headers: auth(t), payload: { n: 1 } });
    expect((await post('viewer-token-0123456789')).statusCode).toBe(403);
    expect((await post('admin-token-0123456789')).json()).toEqual({ n: 1, who: 'admin' });
    expect((await app.inject({ url: '/v1/fail', headers: auth('ingest-token-0123456789') })).statusCode).toBe(403);
    expect(
      (await app.inject({ method: 'POST', url: '/v1/ingest-only', headers: auth('ingest-token-0123456789') }))
        .statusCode,
    ).toBe(200);
    expect(
      (await app.inject({ method: 'POST', url: '/v1/ingest-only', headers: auth('viewer-token-0123456789') }))
        .statusCode,
    ).toBe(403);
  });

  it('maps bad input to 4xx with a code, never 500', async () => {
    const h = { ...auth('admin-token-0123456789'), 'content-type': 'application/json' };
    const badJson = await app.inject({ method: 'POST', url: '/v1/echo', headers: h, payload: '{"n":' });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json().error.code).toBe('PHAROS_ERR_BAD_JSON');
    const wrongType = await app.inject({ method: 'POST', url: '/v1/echo', headers: h, payload: '{"n":"x"}' });
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.json().error).toMatchObject({ code: 'PHAROS_ERR_VALIDATION', details: [{ path: 'body.n' }] });
    const media = await app.inject({
      method: 'POST',
      url: '/v1/echo',
      headers: { ...auth('admin-token-0123456789'), 'content-type': 'application/xml' },
      payload: '<n/>',
    });
    expect(media.statusCode).toBe(415);
    expect(media.json().error.code).toBe('PHAROS_ERR_UNSUPPORTED_MEDIA_TYPE');
    const domain = await app.inject({ url: '/v1/fail', headers: h });
    expect(domain.json()).toEqual({
      error: { code: 'PHAROS_ERR_VALIDATION', message: 'bad thing', details: [{ path: 'query.x', message: 'nope' }] },
    });
  });

  it('hides internals of unexpected errors', async () => {
    const res = await app.inject({ url: '/v1/boom', headers: auth('admin-token-0123456789') });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toMatch(/secret internals/);
    expect(res.json().error.code).toBe('PHAROS_ERR_INTERNAL');
  });
});
