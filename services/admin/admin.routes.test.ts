import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { securityFor } from '../../libs/runtime/security.ts';
import { TokenAuthenticator } from '../../libs/auth/token-authenticator.ts';
import { configSchema } from '../../libs/config/config.schema.ts';
import { buildApp } from '../../libs/http/app.ts';
import { createLogger } from '../../libs/logging/logger.ts';
import { createMetricsRegistry } from '../../libs/metrics/metrics.ts';
import type { ServiceContext } from '../../libs/runtime/context.ts';
import { Resources } from '../../libs/runtime/resources.ts';
import { adminFeatures } from './admin.features.ts';

const ADMIN = 'admin-token-0123456789';
const VIEWER = 'viewer-token-0123456789';

describe('admin API', () => {
  let app: FastifyInstance;
  let ctx: ServiceContext;
  const as = (t: string) => ({ authorization: `Bearer ${t}` });
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pharos-admin-'));
    const config = configSchema.parse({
      dataDir: dir,
      storage: { type: 'sqlite', path: join(dir, 'pharos.db') },
      auth: {
        tokens: [
          { name: 'ops', token: ADMIN, role: 'admin' },
          { name: 'viewer', token: VIEWER, role: 'viewer' },
        ],
      },
    });
    ctx = {
      config,
      logger: createLogger('silent'),
      metrics: createMetricsRegistry(),
      authenticator: new TokenAuthenticator(config.auth.tokens),
      resources: new Resources(),
    };
    const security = await securityFor(ctx);
    app = await buildApp({
      logger: ctx.logger,
      metrics: ctx.metrics,
      features: await adminFeatures(ctx),
      authenticator: security.authenticator,
      guards: { rateLimiter: security.rateLimiter, audit: security.audit },
    });
  });
  afterAll(async () => {
    await app.close();
    await (await securityFor(ctx)).audit.stop();
    await ctx.resources.closeAll();
  });

  it('creates a token returned once, which then authenticates with its role and scope', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/v1/admin/tokens',
      headers: as(ADMIN),
      payload: { name: 'team-payments', role: 'viewer', scope: { namespaces: ['payments'] } },
    });
    expect(created.statusCode).toBe(201);
    const body = created.json();
    expect(body).toMatchObject({
      name: 'team-payments',
      role: 'viewer',
      scope: { clusters: ['*'], namespaces: ['payments'] },
      createdBy: 'ops',
    });
    const list = await app.inject({ url: '/v1/admin/tokens', headers: as(ADMIN) });
    expect(list.json().items).toHaveLength(1);
    expect(list.body).not.toContain(body.token);
    expect(list.body).not.toMatch(/sha256/);
    // The new token is a viewer: reading the admin API is refused with 403, not 401.
    expect((await app.inject({ url: '/v1/admin/tokens', headers: as(body.token) })).statusCode).toBe(403);
    const revoked = await app.inject({ method: 'DELETE', url: `/v1/admin/tokens/${body.id}`, headers: as(ADMIN) });
    expect(revoked.statusCode).toBe(200);
    expect((await app.inject({ url: '/v1/admin/tokens', headers: as(body.token) })).statusCode).toBe(401);
    expect(
      (await app.inject({ method: 'DELETE', url: `/v1/admin/tokens/${body.id}`, headers: as(ADMIN) })).statusCode,
    ).toBe(404);
  });

  it('refuses bad input, duplicate and configured names, and non-admins', async () => {
    const post = (payload: unknown, t = ADMIN) =>
      app.inject({ method: 'POST', url: '/v1/admin/tokens', headers: as(t), payload: payload as object });
    expect((await post({ name: 'x', role: 'root' })).statusCode).toBe(400);
    expect((await post({ name: '../etc', role: 'viewer' })).statusCode).toBe(400);
    expect((await post({ name: 'x', role: 'viewer', scope: { namespaces: [] } })).statusCode).toBe(400);
    expect((await post({ name: 'ops', role: 'viewer' })).statusCode).toBe(409);
    expect((await post({ name: 'dup', role: 'viewer' })).statusCode).toBe(201);
    expect((await post({ name: 'dup', role: 'viewer' })).statusCode).toBe(409);
    expect((await post({ name: 'y', role: 'viewer' }, VIEWER)).statusCode).toBe(403);
    expect((await app.inject({ method: 'DELETE', url: '/v1/admin/tokens/nope', headers: as(ADMIN) })).statusCode).toBe(
      400,
    );
  });

  it('answers the self-audit trail with filters', async () => {
    await app.inject({ url: '/v1/admin/tokens', headers: as(VIEWER) });
    const res = await app.inject({ url: '/v1/admin/audit?principal=viewer&outcome=denied', headers: as(ADMIN) });
    expect(res.statusCode).toBe(200);
    const items = res.json().items;
    expect(items.length).toBeGreaterThan(0);
    expect(items[0]).toMatchObject({
      principal: 'viewer',
      role: 'viewer',
      method: 'GET',
      route: '/v1/admin/tokens',
      status: 403,
      scope: { clusters: ['*'], namespaces: ['*'] },
    });
    expect(
      (
        await app.inject({
          url: '/v1/admin/audit?since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z',
          headers: as(ADMIN),
        })
      ).statusCode,
    ).toBe(400);
    expect((await app.inject({ url: '/v1/admin/audit?limit=-4', headers: as(ADMIN) })).statusCode).toBe(400);
    expect((await app.inject({ url: '/v1/admin/audit?cursor=%%%', headers: as(ADMIN) })).statusCode).toBe(400);
    expect((await app.inject({ url: '/v1/admin/audit', headers: as(VIEWER) })).statusCode).toBe(403);
  });
});
