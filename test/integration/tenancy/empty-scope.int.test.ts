import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS, buildFullApp, type FullApp } from './full-app.ts';

/**
 * Issue 15: one rule for empty scope lists on every API. Configured tokens cannot have one (refused at
 * boot, libs/config/config.loader.test.ts) nor API-made tokens (400, services/admin); a JWT's scope claim
 * can, and then it grants nothing: every protected route of the full app (records, PromQL, metrics,
 * alerts, silences, rules, receivers, dashboards, admin, intakes) answers 403, for an admin role too.
 */
const SECRET = 'empty-scope-test-secret-of-32-characters!';
const jwt = (role: string, scope: object, sub: string) =>
  new SignJWT({ pharos_role: role, pharos_scope: scope })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer('pharos-it')
    .setAudience('pharos')
    .setSubject(sub)
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(SECRET));

const EMPTY_SCOPES = [
  { role: 'admin', scope: { clusters: ['*'], namespaces: [] }, why: 'no namespaces' },
  { role: 'editor', scope: { clusters: [], namespaces: ['payments'] }, why: 'no clusters' },
  { role: 'ingest', scope: { clusters: [], namespaces: [] }, why: 'no clusters and no namespaces' },
] as const;

const fill = (url: string) => url.replace(/:[A-Za-z0-9_]+/g, 'x').replace(/\*/g, 'x');

describe('empty scope lists grant nothing, on every API', () => {
  let full: FullApp;
  let protectedRoutes: { method: string; url: string }[];

  beforeAll(async () => {
    full = await buildFullApp({
      auth: {
        tokens: [{ name: 'admin', token: TOKENS.admin, role: 'admin' }],
        jwt: { issuer: 'pharos-it', audience: 'pharos', algorithms: ['HS256'], secret: SECRET },
        rateLimit: { perSecond: 0 },
      },
    });
    // Protected routes are those that refuse a caller without credentials; public ones (health, docs, /ui) hold no
    // data.
    protectedRoutes = [];
    for (const r of full.routes) {
      const res = await full.app.inject({ method: r.method as 'GET', url: fill(r.url) });
      if (res.statusCode === 401) protectedRoutes.push(r);
    }
  });
  afterAll(() => full?.close());

  it('finds the APIs of every service in the route table', () => {
    const paths = protectedRoutes.map((r) => r.url);
    for (const prefix of [
      '/v1/logs',
      '/v1/events',
      '/v1/audit',
      '/prometheus/api/v1/query',
      '/v1/metrics/',
      '/v1/alerts',
      '/v1/silences',
      '/alertmanager/api/v2/',
      '/v1/alert-rules',
      '/v1/receivers',
      '/v1/dashboards',
      '/v1/admin/tokens',
      '/v1/ingest/audit',
    ]) {
      expect(
        paths.some((p) => p.startsWith(prefix)),
        prefix,
      ).toBe(true);
    }
    expect(protectedRoutes.length).toBeGreaterThan(40);
  });

  it.each(EMPTY_SCOPES)('a $role JWT whose scope lists $why gets 403 on each of them', async ({ role, scope, why }) => {
    const token = await jwt(role, scope, `empty-${role}`);
    const wrong: string[] = [];
    for (const r of protectedRoutes) {
      const withBody = r.method !== 'GET' && r.method !== 'DELETE';
      const res = await full.app.inject({
        method: r.method as 'GET',
        url: fill(r.url),
        headers: { authorization: `Bearer ${token}`, ...(withBody ? { 'content-type': 'application/json' } : {}) },
        ...(withBody ? { payload: '{}' } : {}),
      });
      // The Prometheus-compatible API keeps Prometheus's envelope (docs/errors.md), with the same code and message.
      const body =
        res.statusCode === 403
          ? (res.json() as { error?: { code?: string; message?: string } | string; code?: string })
          : {};
      const error = typeof body.error === 'string' ? { code: body.code, message: body.error } : body.error;
      if (
        error?.code !== 'PHAROS_ERR_FORBIDDEN' ||
        error.message !== `"jwt:empty-${role}" may not call any API: its scope lists ${why}, so it grants nothing`
      ) {
        wrong.push(`${r.method} ${r.url} → ${res.statusCode} ${res.body.slice(0, 120)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('while the same JWT with a scope that lists something is served', async () => {
    const token = await jwt('admin', { clusters: ['*'], namespaces: ['payments'] }, 'scoped-admin');
    for (const url of [
      '/v1/logs',
      '/v1/audit/stats?by=user',
      '/v1/dashboards',
      '/v1/silences',
      '/prometheus/api/v1/labels',
    ]) {
      const res = await full.app.inject({ url, headers: { authorization: `Bearer ${token}` } });
      expect(res.statusCode, `${url}: ${res.body.slice(0, 200)}`).toBe(200);
    }
  });
});
