import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { ChainAuthenticator } from '../auth/authenticator.ts';
import { JwtAuthenticator } from '../auth/jwt-authenticator.ts';
import { jwtConfigSchema } from '../config/sections/auth.ts';
import { RateLimiter } from '../auth/rate-limiter.ts';
import type { SelfAuditEntry } from '../auth/self-audit.log.ts';
import { TokenAuthenticator } from '../auth/token-authenticator.ts';
import { createLogger } from '../logging/logger.ts';
import { createMetricsRegistry } from '../metrics/metrics.ts';
import { buildApp } from './app.ts';

const SECRET = 'a-shared-secret-of-at-least-32-characters!';

describe('auth hook guards', () => {
  let app: FastifyInstance;
  const audited: SelfAuditEntry[] = [];
  const h = (t: string) => ({ authorization: `Bearer ${t}` });
  beforeAll(async () => {
    const tokens = new TokenAuthenticator([
      { name: 'admin', token: 'admin-token-0123456789', role: 'admin' },
      {
        name: 'team',
        token: 'team-token-01234567890',
        role: 'viewer',
        scope: { clusters: ['east'], namespaces: ['payments'] },
      },
    ]);
    app = await buildApp({
      logger: createLogger('silent'),
      metrics: createMetricsRegistry(),
      authenticator: new ChainAuthenticator([
        tokens,
        await JwtAuthenticator.create(
          jwtConfigSchema.parse({ issuer: 'idp', audience: 'pharos', algorithms: ['HS256'], secret: SECRET }),
        ),
      ]),
      guards: {
        rateLimiter: new RateLimiter({ perSecond: 0.001, burst: 3 }),
        audit: { record: (e) => audited.push(e) },
      },
      features: [
        { name: 't', routes: async (a) => void a.get('/v1/ping', async (req) => ({ who: req.principal.name })) },
      ],
    });
  });
  afterAll(() => app.close());

  it('answers 429 with Retry-After once the bucket is empty, per principal', async () => {
    const codes = [];
    for (let i = 0; i < 4; i++)
      codes.push((await app.inject({ url: '/v1/ping', headers: h('team-token-01234567890') })).statusCode);
    expect(codes).toEqual([200, 200, 200, 429]);
    const limited = await app.inject({ url: '/v1/ping', headers: h('team-token-01234567890') });
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
    expect(limited.json().error.code).toBe('PHAROS_ERR_RATE_LIMITED');
    expect((await app.inject({ url: '/v1/ping', headers: h('admin-token-0123456789') })).statusCode).toBe(200);
  });

  it('accepts a JWT after the API tokens, with the principal from its claims', async () => {
    const jwt = await new SignJWT({
      pharos_role: 'viewer',
      pharos_scope: { clusters: ['*'], namespaces: ['payments'] },
    })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('idp')
      .setAudience('pharos')
      .setSubject('alice')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(SECRET));
    const res = await app.inject({ url: '/v1/ping', headers: h(jwt) });
    expect(res.json()).toEqual({ who: 'jwt:alice' });
    expect((await app.inject({ url: '/v1/ping', headers: h(`${jwt}x`) })).statusCode).toBe(401);
  });

  it('refuses a principal whose scope lists no cluster or no namespace, whatever its role, and says why', async () => {
    const sign = (scope: object, sub: string) =>
      new SignJWT({ pharos_role: 'admin', pharos_scope: scope })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer('idp')
        .setAudience('pharos')
        .setSubject(sub)
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(SECRET));
    for (const [scope, what] of [
      [{ clusters: ['*'], namespaces: [] }, 'no namespaces'],
      [{ clusters: [], namespaces: ['*'] }, 'no clusters'],
      [{ clusters: [], namespaces: [] }, 'no clusters and no namespaces'],
    ] as const) {
      const res = await app.inject({ url: '/v1/ping', headers: h(await sign(scope, `empty-${what.length}`)) });
      expect(res.statusCode).toBe(403);
      expect(res.json().error).toEqual({
        code: 'PHAROS_ERR_FORBIDDEN',
        message: `"jwt:empty-${what.length}" may not call any API: its scope lists ${what}, so it grants nothing`,
      });
    }
  });

  it('records who called what, with scope and result, but not public routes', async () => {
    audited.length = 0;
    await app.inject({ url: '/v1/ping?secret=x', headers: h('admin-token-0123456789') });
    await app.inject({ method: 'DELETE', url: '/v1/ping', headers: h('admin-token-0123456789') });
    await app.inject({ url: '/v1/ping' });
    await app.inject({ url: '/healthz' });
    expect(audited.map((e) => [e.principal, e.method, e.route, e.status, e.outcome])).toEqual([
      ['admin', 'GET', '/v1/ping', 200, 'allowed'],
      ['admin', 'DELETE', 'unmatched', 404, 'rejected'],
      ['anonymous', 'GET', '/v1/ping', 401, 'denied'],
    ]);
    expect(audited[0]?.scope).toEqual({ clusters: ['*'], namespaces: ['*'] });
  });
});
