import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex, TokenAuthenticator } from '../../../libs/auth/token-authenticator.ts';
import { buildApp } from '../../../libs/http/app.ts';
import { createLogger } from '../../../libs/logging/logger.ts';
import { SqliteStateStore } from '../../../libs/store/state/sqlite-state.store.ts';
import { AlertingModule } from '../../../services/alerting/alerting.module.ts';
import { alertingPlugin } from '../../../services/alerting/alerting.features.ts';
import { until } from '../../support/until.ts';
import { startFakeProviders, type FakeProviders } from './fake-providers.ts';
import { fastConfig, RULE_GROUP, switchableSource } from './harness.ts';

/**
 * The whole path through the module and the HTTP API: a rule fires, Slack answers 429 with Retry-After once, the
 * notification goes out on the second attempt and Telegram's on the first; the notification log (GET
 * /v1/notifications) shows every attempt, pharos_notifications_total counts them by integration and result, and
 * POST /v1/receivers/{name}/test sends one attempt per integration, reporting the provider's refusal. No answer
 * carries a secret (the Slack URL's path, the bot token, the routing key).
 */
const TOKEN = 'receiver-api-admin-token-0123';
const SECRETS = ['s3cr3tPath', '999:TGSECRET', 'R0UT1NGKEY'];

describe('receivers through the API: delivery, the notification log, metrics, test-send', () => {
  let fake: FakeProviders;
  let module: AlertingModule;
  let store: SqliteStateStore;
  let app: FastifyInstance;
  const metrics = new Registry();
  const src = switchableSource();

  beforeAll(async () => {
    fake = await startFakeProviders();
    store = new SqliteStateStore(join(mkdtempSync(join(tmpdir(), 'pharos-recv-api-')), 's.db'));
    await store.init();
    const receivers = [
      {
        name: 'team',
        slack_configs: [
          { api_url: `${fake.url}/slack/services/T0/B0/s3cr3tPath`, channel: '#ops', send_resolved: true },
        ],
        telegram_configs: [{ bot_token: '999:TGSECRET', chat_id: 42, api_url: `${fake.url}/telegram` }],
      },
      { name: 'pager', pagerduty_configs: [{ routing_key: 'R0UT1NGKEY', url: `${fake.url}/pagerduty/v2/enqueue` }] },
    ];
    module = new AlertingModule({
      config: fastConfig(receivers),
      store,
      sources: src.sources,
      logger: createLogger('silent'),
      metrics,
      externalUrl: 'http://pharos.test',
      holder: 'recv-api',
      tickMs: 200,
    });
    await module.catalog.create(RULE_GROUP);
    await module.start();
    const authenticator = new TokenAuthenticator([]);
    authenticator.add({ name: 'admin', tokenSha256: sha256Hex(TOKEN), role: 'admin' });
    app = await buildApp({
      logger: createLogger('silent'),
      metrics: new Registry(),
      authenticator,
      features: [{ name: 'alerting', routes: alertingPlugin(async () => module) }],
    });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await module?.stop();
    await store?.close();
    await fake?.close();
  });

  const api = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
    app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${TOKEN}`, ...(payload ? { 'content-type': 'application/json' } : {}) },
      ...(payload ? { payload: JSON.stringify(payload) } : {}),
    });
  const noSecrets = (body: string) => expect(SECRETS.filter((s) => body.includes(s))).toEqual([]);

  it('retries Slack after its Retry-After, logs each attempt, counts by integration and result', async () => {
    fake.failNext('slack', { status: 429, headers: { 'retry-after': '1' }, body: 'rate_limited' });
    src.down.add('east/node-1:9100');
    const slack = await fake.waitFor('slack', 2);
    await fake.waitFor('telegram', 1);
    expect((slack[1]?.at ?? 0) - (slack[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
    expect((slack[1]?.json as { attachments: { title: string }[] }).attachments[0]?.title).toMatch(
      /^\[FIRING:1\] NodeDown east/,
    );

    await until(
      async () => (await module.nflog.list({ limit: 10 })).items.filter((r) => r.result === 'sent').length === 2,
      30_000,
      'both sent',
    );
    const res = await api('GET', '/v1/notifications');
    expect(res.statusCode).toBe(200);
    noSecrets(res.body);
    const items = (
      res.json() as {
        items: {
          integration: string;
          result: string;
          attempts: number;
          target: string;
          attemptLog: { ok: boolean; status?: number }[];
        }[];
      }
    ).items;
    const byKind = Object.fromEntries(items.map((r) => [r.integration, r]));
    expect(byKind.slack).toMatchObject({ result: 'sent', attempts: 2, target: 'slack #ops' });
    expect(byKind.slack?.attemptLog.map((a) => [a.ok, a.status])).toEqual([
      [false, 429],
      [true, 200],
    ]);
    expect(byKind.telegram).toMatchObject({ result: 'sent', attempts: 1 });

    const counted = (await metrics.getSingleMetric('pharos_notifications_total')?.get())?.values
      .map((v) => `${v.labels.integration}:${v.labels.result}=${v.value}`)
      .sort();
    expect(counted).toEqual(['slack:retried=1', 'slack:sent=1', 'telegram:sent=1']);
  });

  it('test-sends one attempt per integration of a receiver and reports each result', async () => {
    const before = { slack: fake.of('slack').length, telegram: fake.of('telegram').length };
    const res = await api('POST', '/v1/receivers/team/test', {
      alerts: [{ labels: { alertname: 'TryMe', cluster: 'west' }, annotations: { summary: 'a test' } }],
    });
    expect(res.statusCode).toBe(200);
    noSecrets(res.body);
    expect(res.json()).toEqual({
      results: [
        { type: 'slack', index: 0, target: 'slack #ops', ok: true, status: 200 },
        { type: 'telegram', index: 0, target: expect.any(String), ok: true, status: 200 },
      ],
    });
    const slack = fake.of('slack').slice(before.slack);
    const telegram = fake.of('telegram').slice(before.telegram);
    expect([slack.length, telegram.length]).toEqual([1, 1]);
    expect((slack[0]?.json as { attachments: { title: string }[] }).attachments[0]?.title).toBe(
      '[FIRING:1]  (TryMe west)',
    ); // __subject: no group labels, then the common ones;
    expect([telegram[0]?.url, (telegram[0]?.json as { chat_id: string }).chat_id]).toEqual([
      '/telegram/bot999:TGSECRET/sendMessage',
      '42',
    ]);
  });

  it("reports a provider's refusal with its status, after one attempt, without the secret", async () => {
    const before = fake.of('pagerduty').length;
    fake.failNext('pagerduty', {
      status: 400,
      body: JSON.stringify({
        status: 'invalid event',
        message: 'Event object is invalid',
        errors: ['Length of routing_key is incorrect'],
      }),
    });
    const res = await api('POST', '/v1/receivers/pager/test');
    expect(res.statusCode, res.body).toBe(200);
    noSecrets(res.body);
    expect(res.json()).toMatchObject({
      results: [{ type: 'pagerduty', ok: false, status: 400, error: expect.stringContaining('400') }],
    });
    expect(fake.of('pagerduty').length - before).toBe(1);
    const missing = await api('POST', '/v1/receivers/nobody/test');
    expect([missing.statusCode, missing.json().error.code]).toEqual([404, 'PHAROS_ERR_NOT_FOUND']);
  });
});
