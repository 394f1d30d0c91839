import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenAuthenticator, sha256Hex } from '../../libs/auth/token-authenticator.ts';
import { buildApp } from '../../libs/http/app.ts';
import { createLogger } from '../../libs/logging/logger.ts';
import type { AlertingModule } from './alerting.module.ts';
import { alertingPlugin } from './alerting.features.ts';
import { fakeSources, testModule } from './testing/fakes.ts';

const TOKEN = 'editor-token-0123456789';
const INGEST = 'ingest-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

describe('alerting HTTP API', () => {
  let app: FastifyInstance;
  let module: AlertingModule;
  beforeAll(async () => {
    const sources = fakeSources((q) => ({
      result:
        q.query === 'up == 0' && q.time >= 1_000_060
          ? [{ metric: { __name__: 'up', cluster: 'east', job: 'api' }, value: [q.time, '0'] }]
          : [],
    }));
    ({ module } = await testModule(
      {
        receivers: [
          { name: 'default' },
          { name: 'hook', webhook_configs: [{ url: 'http://127.0.0.1:9/x' }] },
          {
            name: 'chat',
            slack_configs: [
              {
                api_url: 'https://hooks.slack.com/services/T/B/X',
                title: '{{ .Status | toUpper }} {{ .CommonLabels.alertname }} in {{ .CommonLabels.cluster }}',
                text: '{{ range .Alerts }}{{ .Annotations.summary }}{{ end }}',
              },
            ],
          },
        ],
      },
      sources,
    ));
    const authenticator = new TokenAuthenticator([]);
    authenticator.add({ name: 'ed', tokenSha256: sha256Hex(TOKEN), role: 'admin' });
    authenticator.add({ name: 'prom', tokenSha256: sha256Hex(INGEST), role: 'ingest' });
    app = await buildApp({
      logger: createLogger('silent'),
      metrics: new Registry(),
      authenticator,
      features: [{ name: 'alerting', routes: alertingPlugin(async () => module) }],
    });
  });
  afterAll(async () => app.close());

  it('creates, reads, replaces and deletes a rule group', async () => {
    const group = {
      name: 'api-group',
      interval: '30s',
      rules: [{ alert: 'Down', expr: 'up == 0', for: '1m', labels: { severity: 'page' } }],
    };
    const created = await app.inject({ method: 'POST', url: '/v1/alert-rules', headers: auth, payload: group });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ version: 1, source: { type: 'api' } });
    expect(
      (await app.inject({ method: 'POST', url: '/v1/alert-rules', headers: auth, payload: group })).json().error.code,
    ).toBe('PHAROS_ERR_CONFLICT');
    const list = (await app.inject({ url: '/v1/alert-rules', headers: auth })).json();
    expect(list.groups.map((g: { group: { name: string } }) => g.group.name)).toContain('api-group');
    const put = await app.inject({
      method: 'PUT',
      url: '/v1/alert-rules/api-group?version=1',
      headers: auth,
      payload: { ...group, interval: '1m' },
    });
    expect(put.json()).toMatchObject({ version: 2, group: { interval: '1m' } });
    const stale = await app.inject({
      method: 'PUT',
      url: '/v1/alert-rules/api-group?version=1',
      headers: auth,
      payload: group,
    });
    expect(stale.statusCode).toBe(409);
    expect((await app.inject({ method: 'DELETE', url: '/v1/alert-rules/api-group', headers: auth })).statusCode).toBe(
      204,
    );
    expect((await app.inject({ url: '/v1/alert-rules/api-group', headers: auth })).statusCode).toBe(404);
  });

  it('points validation errors at the field', async () => {
    const bad = await app.inject({
      method: 'POST',
      url: '/v1/alert-rules',
      headers: auth,
      payload: {
        name: 'g',
        rules: [
          { alert: 'A', expr: 'sum(up' },
          { alert: 'B', expr: 'up', for: 'soon' },
        ],
      },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details).toEqual([expect.objectContaining({ path: 'body.rules.1.for' })]);
    const promql = await app.inject({
      method: 'POST',
      url: '/v1/alert-rules',
      headers: auth,
      payload: { name: 'g', rules: [{ alert: 'A', expr: 'sum(up' }] },
    });
    expect(promql.statusCode).toBe(400);
    expect(promql.json().error.details[0].path).toBe('rules.0.expr');
  });

  it('backtests a group over a past range without saving or notifying', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/alert-rules/backtest',
      headers: auth,
      payload: {
        group: { name: 'bt', interval: '30s', rules: [{ alert: 'Down', expr: 'up == 0', for: '1m' }] },
        start: 1_000_000,
        end: 1_000_300,
      },
    });
    expect(res.statusCode).toBe(200);
    const rule = res.json().rules[0];
    expect(rule.episodes).toEqual([
      {
        fingerprint: expect.any(String),
        labels: { alertname: 'Down', cluster: 'east', job: 'api' },
        pendingAt: 1_000_060_000,
        firingAt: 1_000_120_000,
      },
    ]);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/v1/alert-rules/backtest',
          headers: auth,
          payload: { start: 1, end: 2 },
        })
      ).statusCode,
    ).toBe(400);
  });

  it('speaks the Alertmanager v2 API for silences and alerts', async () => {
    const body = {
      matchers: [{ name: 'alertname', value: 'Down', isRegex: false, isEqual: true }],
      startsAt: new Date().toISOString(),
      endsAt: new Date(Date.now() + 3600_000).toISOString(),
      createdBy: 'me',
      comment: 'maintenance',
    };
    const created = await app.inject({
      method: 'POST',
      url: '/alertmanager/api/v2/silences',
      headers: auth,
      payload: body,
    });
    expect(created.statusCode).toBe(200);
    const id = created.json().silenceID;
    const listed = (await app.inject({ url: '/alertmanager/api/v2/silences', headers: auth })).json();
    expect(listed).toEqual([expect.objectContaining({ id, status: { state: 'active' }, createdBy: 'me' })]);
    const posted = await app.inject({
      method: 'POST',
      url: '/alertmanager/api/v2/alerts',
      headers: { authorization: `Bearer ${INGEST}` },
      payload: [{ labels: { alertname: 'Down', cluster: 'west' } }, { labels: { alertname: 'Other' } }],
    });
    expect(posted.statusCode).toBe(200);
    const alerts = (await app.inject({ url: '/alertmanager/api/v2/alerts', headers: auth })).json();
    expect(alerts.find((a: { labels: { alertname: string } }) => a.labels.alertname === 'Down').status).toEqual({
      state: 'suppressed',
      silencedBy: [id],
      inhibitedBy: [],
    });
    expect(alerts.find((a: { labels: { alertname: string } }) => a.labels.alertname === 'Other').status.state).toBe(
      'active',
    );
    expect(
      (await app.inject({ method: 'DELETE', url: `/alertmanager/api/v2/silence/${id}`, headers: auth })).statusCode,
    ).toBe(200);
    expect((await app.inject({ url: `/alertmanager/api/v2/silence/${id}`, headers: auth })).json().status.state).toBe(
      'expired',
    );
    expect(
      (await app.inject({ url: '/alertmanager/api/v2/alerts?receiver=(', headers: auth })).json().error,
    ).toMatchObject({ code: 'PHAROS_ERR_VALIDATION', details: [{ path: 'querystring.receiver' }] });
    expect((await app.inject({ url: '/v1/alerts/history?cursor=zzz', headers: auth })).statusCode).toBe(400);
    expect((await app.inject({ url: '/v1/alerts?filter=nope', headers: auth })).statusCode).toBe(400);
    expect((await app.inject({ method: 'DELETE', url: '/v1/silences/nope', headers: auth })).statusCode).toBe(404);
    const badSilence = await app.inject({
      method: 'POST',
      url: '/v1/silences',
      headers: auth,
      payload: { ...body, matchers: [{ name: 'x', value: '.*', isRegex: true }] },
    });
    expect(badSilence.statusCode).toBe(400);
    expect(badSilence.json().error.details[0].path).toBe('matchers');
  });

  it('renders a receiver preview without sending', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/receivers/hook/preview', headers: auth, payload: {} });
    expect(res.json().previews[0]).toMatchObject({
      type: 'webhook',
      rendered: { version: '4', status: 'firing', receiver: 'hook' },
    });
    expect(
      (await app.inject({ method: 'POST', url: '/v1/receivers/nope/preview', headers: auth, payload: {} })).statusCode,
    ).toBe(404);
    // A POST without a body (curl -X POST) previews the sample alert.
    const bare = await app.inject({ method: 'POST', url: '/v1/receivers/hook/preview', headers: auth });
    expect([bare.statusCode, bare.json().previews[0].rendered.alerts[0].labels.alertname]).toEqual([
      200,
      'PharosTestAlert',
    ]);
  });

  it("previews a receiver's custom title and text templates on given sample alerts", async () => {
    const alerts = [{ labels: { alertname: 'DiskFull', cluster: 'east' }, annotations: { summary: '95% used' } }];
    const res = await app.inject({
      method: 'POST',
      url: '/v1/receivers/chat/preview',
      headers: auth,
      payload: { alerts },
    });
    expect(res.json().previews[0]).toMatchObject({
      type: 'slack',
      target: 'https://hooks.slack.com/<redacted>',
      rendered: { attachments: [{ title: 'FIRING DiskFull in east', text: '95% used', color: 'danger' }] },
    });
  });

  it('test-sends once per integration and reports each result (here: nothing listens on the webhook port)', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/receivers/hook/test', headers: auth, payload: {} });
    expect(res.statusCode).toBe(200);
    expect(res.json().results).toEqual([
      {
        type: 'webhook',
        index: 0,
        target: 'http://127.0.0.1:9/x',
        ok: false,
        error: expect.stringMatching(/^POST http:\/\/127\.0\.0\.1:9\/x: /),
      },
    ]);
  });

  it('answers any body on every write endpoint with a 2xx or a 4xx, never a 500', async () => {
    const urls = [
      '/v1/alert-rules',
      '/v1/alert-rules/backtest',
      '/v1/silences',
      '/alertmanager/api/v2/silences',
      '/alertmanager/api/v2/alerts',
      '/v1/receivers/hook/preview',
    ];
    const ruleish = fc.record(
      {
        name: fc.string(),
        interval: fc.oneof(fc.string(), fc.constant('1m')),
        rules: fc.array(
          fc.record(
            {
              alert: fc.string(),
              expr: fc.oneof(
                fc.string(),
                fc.constant('up == 0'),
                fc.constant('count_over_time(pharos_events{reason="x"}[5m]) > 0'),
              ),
              for: fc.string(),
              labels: fc.dictionary(fc.string(), fc.string()),
              annotations: fc.dictionary(
                fc.string(),
                fc.oneof(fc.string(), fc.constant('{{ $value | humanize }}'), fc.constant('{{ if }}')),
              ),
            },
            { requiredKeys: [] },
          ),
        ),
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof(
      fc.jsonValue(),
      ruleish,
      fc.record(
        { group: ruleish, start: fc.oneof(fc.integer(), fc.string()), end: fc.oneof(fc.integer(), fc.string()) },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...urls), body, async (url, payload) => {
        const res = await app.inject({
          method: 'POST',
          url,
          headers: { ...auth, 'content-type': 'application/json' },
          payload: JSON.stringify(payload) ?? 'null',
        });
        expect(res.statusCode, `${url} ${JSON.stringify(payload)} → ${res.body}`).toBeLessThan(500);
      }),
      { numRuns: 300 },
    );
  });
});
