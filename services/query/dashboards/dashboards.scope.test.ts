import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenAuthenticator } from '../../../libs/auth/token-authenticator.ts';
import { configSchema } from '../../../libs/config/config.schema.ts';
import { buildApp } from '../../../libs/http/app.ts';
import { createLogger } from '../../../libs/logging/logger.ts';
import { createMetricsRegistry } from '../../../libs/metrics/metrics.ts';
import { Resources } from '../../../libs/runtime/resources.ts';
import { dashboardsFeature } from './dashboards.feature.ts';
import { FakeMetrics, FakeRecords } from './testing/fake-backends.ts';
import { MemoryStateStore } from './testing/memory-state-store.ts';

const bearer = (t: string) => ({ authorization: `Bearer ${t}-token-0123456789` });
const ADMIN = bearer('admin');
const PAY_EDITOR = bearer('pay-editor');
const PAY_VIEWER = bearer('pay-viewer');
const SHOP_EDITOR = bearer('shop-editor');
const board = (id: string) => ({
  id,
  title: `Board ${id}`,
  rows: [{ panels: [{ type: 'stat', title: 'Up', targets: [{ expr: 'up' }] }] }],
});

describe('/v1/dashboards scopes', () => {
  let app: FastifyInstance;
  let store: MemoryStateStore;
  beforeAll(async () => {
    const config = configSchema.parse({ dashboards: { dir: resolve(import.meta.dirname, '../../../dashboards') } });
    const payments = { clusters: ['*'], namespaces: ['payments'] };
    const authenticator = new TokenAuthenticator([
      { name: 'admin', token: 'admin-token-0123456789', role: 'admin' },
      { name: 'pay-editor', token: 'pay-editor-token-0123456789', role: 'editor', scope: payments },
      { name: 'pay-viewer', token: 'pay-viewer-token-0123456789', role: 'viewer', scope: payments },
      {
        name: 'shop-editor',
        token: 'shop-editor-token-0123456789',
        role: 'editor',
        scope: { clusters: ['*'], namespaces: ['shop'] },
      },
    ]);
    const ctx = {
      config,
      logger: createLogger('silent'),
      metrics: createMetricsRegistry(),
      authenticator,
      resources: new Resources(),
    };
    store = new MemoryStateStore();
    const feature = dashboardsFeature(ctx, {
      stateStore: async () => store,
      metrics: async () => new FakeMetrics({ up: [] }),
      records: async () => new FakeRecords(),
    });
    app = await buildApp({ logger: ctx.logger, metrics: ctx.metrics, authenticator, features: [feature] });
    for (const [headers, id] of [
      [ADMIN, 'global'],
      [PAY_EDITOR, 'pay'],
      [SHOP_EDITOR, 'shop'],
    ] as const) {
      expect(
        (await app.inject({ method: 'POST', url: '/v1/dashboards', headers, payload: board(id) })).statusCode,
      ).toBe(201);
    }
  });
  afterAll(() => app.close());

  it('stores the creator scope, and lists built-ins, global and in-scope dashboards only', async () => {
    expect((await store.get('dashboards', 'pay'))?.value).toMatchObject({
      scope: { clusters: ['*'], namespaces: ['payments'] },
    });
    expect((await store.get<{ scope?: unknown }>('dashboards', 'global'))?.value.scope).toBeUndefined();
    const ids = async (headers: Record<string, string>) =>
      (await app.inject({ url: '/v1/dashboards', headers })).json().dashboards.map((d: { id: string }) => d.id);
    const seen = await ids(PAY_VIEWER);
    expect(seen).toEqual(expect.arrayContaining(['cluster-overview', 'global', 'pay']));
    expect(seen).not.toContain('shop');
    expect(await ids(ADMIN)).toEqual(expect.arrayContaining(['global', 'pay', 'shop']));
  });

  it('answers 404 for an out-of-scope dashboard on every read and write', async () => {
    for (const url of [
      '/v1/dashboards/shop',
      '/v1/dashboards/shop/render',
      '/v1/dashboards/shop/variables',
      '/v1/dashboards/shop/versions',
      '/v1/dashboards/shop/versions/1',
    ]) {
      expect((await app.inject({ url, headers: PAY_VIEWER })).statusCode, url).toBe(404);
    }
    expect((await app.inject({ url: '/v1/dashboards/pay/render', headers: PAY_VIEWER })).statusCode).toBe(200);
    expect((await app.inject({ url: '/v1/dashboards/global', headers: PAY_VIEWER })).statusCode).toBe(200);
    expect(
      (await app.inject({ method: 'PUT', url: '/v1/dashboards/shop', headers: PAY_EDITOR, payload: board('shop') }))
        .statusCode,
    ).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: '/v1/dashboards/shop', headers: PAY_EDITOR })).statusCode).toBe(
      404,
    );
    const overwrite = await app.inject({
      method: 'POST',
      url: '/v1/dashboards/import?overwrite=true',
      headers: PAY_EDITOR,
      payload: { uid: 'shop', title: 'Hijack', schemaVersion: 39, panels: [] },
    });
    expect(overwrite.statusCode).toBe(404);
    expect((await app.inject({ url: '/v1/dashboards/shop', headers: ADMIN })).json().dashboard.title).toBe(
      'Board shop',
    );
  });

  it('lets a scoped editor change its own dashboards but not global ones', async () => {
    const put = await app.inject({
      method: 'PUT',
      url: '/v1/dashboards/pay',
      headers: PAY_EDITOR,
      payload: { ...board('pay'), title: 'Payments v2' },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ version: 2, dashboard: { title: 'Payments v2' } });
    const global = await app.inject({
      method: 'PUT',
      url: '/v1/dashboards/global',
      headers: PAY_EDITOR,
      payload: board('global'),
    });
    expect(global.statusCode).toBe(403);
    expect(global.json().error.code).toBe('PHAROS_ERR_FORBIDDEN');
    expect((await app.inject({ method: 'DELETE', url: '/v1/dashboards/global', headers: PAY_EDITOR })).statusCode).toBe(
      403,
    );
    expect(
      (
        await app.inject({
          method: 'PUT',
          url: '/v1/dashboards/shop',
          headers: ADMIN,
          payload: { ...board('shop'), title: 'By admin' },
        })
      ).statusCode,
    ).toBe(200);
    expect((await store.get('dashboards', 'shop'))?.value).toMatchObject({ scope: { namespaces: ['shop'] } });
    expect((await app.inject({ method: 'DELETE', url: '/v1/dashboards/pay', headers: PAY_EDITOR })).statusCode).toBe(
      204,
    );
  });
});
