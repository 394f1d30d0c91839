import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenAuthenticator, sha256Hex } from '../../../libs/auth/token-authenticator.ts';
import { buildApp } from '../../../libs/http/app.ts';
import { createLogger } from '../../../libs/logging/logger.ts';
import type { AlertingModule } from '../alerting.module.ts';
import { alertingPlugin } from '../alerting.features.ts';
import { fakeSources, testModule } from '../testing/fakes.ts';

const bearer = (t: string) => ({ authorization: `Bearer ${t}-token-0123456789` });
const ADMIN = bearer('admin');
const EDITOR = bearer('pay-editor');
const VIEWER = bearer('pay-viewer');
const EAST = bearer('east-pay-editor');

const m = (name: string, value: string, { isRegex = false, isEqual = true } = {}) => ({
  name,
  value,
  isRegex,
  isEqual,
});
const silence = (matchers: ReturnType<typeof m>[]) => ({
  matchers,
  startsAt: new Date().toISOString(),
  endsAt: new Date(Date.now() + 3600_000).toISOString(),
  createdBy: 'me',
  comment: '',
});

describe('scoped silences, rules and receivers', () => {
  let app: FastifyInstance;
  let module: AlertingModule;
  beforeAll(async () => {
    ({ module } = await testModule(
      { receivers: [{ name: 'default' }, { name: 'hook', webhook_configs: [{ url: 'http://127.0.0.1:9/x' }] }] },
      fakeSources(() => ({ result: [] })),
    ));
    const authenticator = new TokenAuthenticator([]);
    authenticator.add({ name: 'admin', tokenSha256: sha256Hex('admin-token-0123456789'), role: 'admin' });
    authenticator.add({
      name: 'pay-editor',
      tokenSha256: sha256Hex('pay-editor-token-0123456789'),
      role: 'editor',
      scope: {
        clusters: ['*'],
        namespaces: ['payments'],
      },
    });
    authenticator.add({
      name: 'pay-viewer',
      tokenSha256: sha256Hex('pay-viewer-token-0123456789'),
      role: 'viewer',
      scope: {
        clusters: ['*'],
        namespaces: ['payments'],
      },
    });
    authenticator.add({
      name: 'east-pay-editor',
      tokenSha256: sha256Hex('east-pay-editor-token-0123456789'),
      role: 'editor',
      scope: {
        clusters: ['east'],
        namespaces: ['payments', 'shop'],
      },
    });
    app = await buildApp({
      logger: createLogger('silent'),
      metrics: new Registry(),
      authenticator,
      features: [{ name: 'alerting', routes: alertingPlugin(async () => module) }],
    });
  });
  afterAll(async () => app.close());

  it('lets a scoped editor silence only its own namespaces, and says which matcher is missing', async () => {
    const none = await app.inject({
      method: 'POST',
      url: '/v1/silences',
      headers: EDITOR,
      payload: silence([m('alertname', 'Down')]),
    });
    expect(none.statusCode).toBe(403);
    expect(none.json().error).toMatchObject({
      code: 'PHAROS_ERR_FORBIDDEN',
      message: expect.stringContaining('namespace="<value>"'),
    });
    for (const bad of [
      [m('namespace', 'shop')],
      [m('namespace', 'pay.*', { isRegex: true })],
      [m('namespace', 'payments|shop', { isRegex: true })],
      [m('namespace', 'shop', { isEqual: false })],
    ]) {
      expect(
        (await app.inject({ method: 'POST', url: '/v1/silences', headers: EDITOR, payload: silence(bad) })).statusCode,
      ).toBe(403);
    }
    const ok = await app.inject({
      method: 'POST',
      url: '/v1/silences',
      headers: EDITOR,
      payload: silence([m('alertname', 'Down'), m('namespace', 'payments')]),
    });
    expect(ok.statusCode).toBe(201);
    expect((await module.silences.get(ok.json().silenceID)).scope).toEqual({
      clusters: ['*'],
      namespaces: ['payments'],
    });
    const east = await app.inject({
      method: 'POST',
      url: '/alertmanager/api/v2/silences',
      headers: EAST,
      payload: silence([m('namespace', 'payments|shop', { isRegex: true })]),
    });
    expect(east.statusCode).toBe(403);
    expect(east.json().error.message).toContain('cluster="<value>"');
    const eastOk = await app.inject({
      method: 'POST',
      url: '/alertmanager/api/v2/silences',
      headers: EAST,
      payload: silence([m('namespace', 'payments|shop', { isRegex: true }), m('cluster', 'east')]),
    });
    expect(eastOk.statusCode).toBe(200);
    const global = await app.inject({
      method: 'POST',
      url: '/v1/silences',
      headers: ADMIN,
      payload: silence([m('alertname', 'Down')]),
    });
    expect((await module.silences.get(global.json().silenceID)).scope).toBeUndefined();
  });

  it('shows a scoped caller only silences within its scope, and hides the others behind 404', async () => {
    const mine = (
      await app.inject({
        method: 'POST',
        url: '/v1/silences',
        headers: EDITOR,
        payload: silence([m('namespace', 'payments'), m('alertname', 'Mine')]),
      })
    ).json().silenceID;
    const adminPay = (
      await app.inject({
        method: 'POST',
        url: '/v1/silences',
        headers: ADMIN,
        payload: silence([m('namespace', 'payments'), m('alertname', 'AdminPay')]),
      })
    ).json().silenceID;
    const other = (
      await app.inject({
        method: 'POST',
        url: '/v1/silences',
        headers: ADMIN,
        payload: silence([m('namespace', 'shop'), m('alertname', 'Other')]),
      })
    ).json().silenceID;
    const ids = (res: { silences: { id: string }[] }) => res.silences.map((s) => s.id);
    const seen = ids((await app.inject({ url: '/v1/silences', headers: VIEWER })).json());
    expect(seen).toEqual(expect.arrayContaining([mine, adminPay]));
    expect(seen).not.toContain(other);
    const amSeen = (await app.inject({ url: '/alertmanager/api/v2/silences', headers: VIEWER }))
      .json()
      .map((s: { id: string }) => s.id);
    expect(amSeen).not.toContain(other);
    expect(amSeen).toContain(mine);
    expect(ids((await app.inject({ url: '/v1/silences', headers: ADMIN })).json())).toEqual(
      expect.arrayContaining([mine, adminPay, other]),
    );
    expect((await app.inject({ url: `/v1/silences/${other}`, headers: VIEWER })).statusCode).toBe(404);
    expect((await app.inject({ url: `/alertmanager/api/v2/silence/${other}`, headers: VIEWER })).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: `/v1/silences/${other}`, headers: EDITOR })).statusCode).toBe(
      404,
    );
    expect(
      (await app.inject({ method: 'DELETE', url: `/alertmanager/api/v2/silence/${other}`, headers: EDITOR }))
        .statusCode,
    ).toBe(404);
    const hijack = await app.inject({
      method: 'POST',
      url: '/v1/silences',
      headers: EDITOR,
      payload: { ...silence([m('namespace', 'payments')]), id: other },
    });
    expect(hijack.statusCode).toBe(404);
    expect((await module.silences.get(other)).matchers[0]).toMatchObject({ value: 'shop' });
    expect((await app.inject({ method: 'DELETE', url: `/v1/silences/${mine}`, headers: EDITOR })).statusCode).toBe(204);
    expect((await app.inject({ method: 'DELETE', url: `/v1/silences/${other}`, headers: ADMIN })).statusCode).toBe(204);
  });

  it('keeps rule groups and receivers from scoped callers', async () => {
    const group = { name: 'secret-rules', rules: [{ alert: 'Down', expr: 'up{namespace="shop"} == 0' }] };
    expect(
      (await app.inject({ method: 'POST', url: '/v1/alert-rules', headers: ADMIN, payload: group })).statusCode,
    ).toBe(201);
    expect(
      (await app.inject({ method: 'POST', url: '/v1/alert-rules', headers: EDITOR, payload: { ...group, name: 'x' } }))
        .statusCode,
    ).toBe(403);
    expect(
      (await app.inject({ url: '/v1/alert-rules', headers: ADMIN }))
        .json()
        .groups.map((g: { group: { name: string } }) => g.group.name),
    ).toContain('secret-rules');
    expect((await app.inject({ url: '/v1/alert-rules', headers: VIEWER })).json()).toEqual({
      groups: [],
      fileProblems: [],
    });
    expect((await app.inject({ url: '/v1/alert-rules/secret-rules', headers: VIEWER })).statusCode).toBe(404);
    expect((await app.inject({ url: '/v1/alert-rules/secret-rules', headers: ADMIN })).statusCode).toBe(200);
    const receivers = await app.inject({ url: '/v1/receivers', headers: VIEWER });
    expect(receivers.statusCode).toBe(403);
    expect(receivers.json().error.code).toBe('PHAROS_ERR_FORBIDDEN');
    expect(
      (await app.inject({ method: 'POST', url: '/v1/receivers/hook/preview', headers: EDITOR, payload: {} }))
        .statusCode,
    ).toBe(403);
    expect((await app.inject({ url: '/v1/notifications', headers: VIEWER })).statusCode).toBe(403);
    expect((await app.inject({ url: '/v1/notifications', headers: ADMIN })).statusCode).toBe(200);
    expect(
      (await app.inject({ url: '/v1/receivers', headers: ADMIN }))
        .json()
        .receivers.map((r: { name: string }) => r.name),
    ).toEqual(['default', 'hook']);
  });
});
