import { describe, expect, it } from 'vitest';
import { alertingConfigSchema } from '../../../../libs/config/sections/alerting.ts';
import { notificationData } from '../notification-data.ts';
import { NotificationTemplates } from '../templates.ts';
import { integrationsOf } from './registry.ts';

// Secrets (tokens in webhook paths, query strings, headers) never appear in what Pharos shows: integration targets
// (the notification log, /v1/receivers) and error messages (the log, /v1/notifications).
const SECRET = 'S3CR3T-TOKEN';
const closed = 'http://127.0.0.1:9'; // nothing listens on the discard port here: every attempt fails to connect

const receiver = {
  name: 'all',
  slack_configs: [{ api_url: `${closed}/services/T/B/${SECRET}` }],
  msteams_configs: [{ webhook_url: `${closed}/webhookb2/${SECRET}` }],
  msteamsv2_configs: [{ webhook_url: `${closed}/workflows?sig=${SECRET}` }],
  discord_configs: [{ webhook_url: `${closed}/api/webhooks/1/${SECRET}` }],
  telegram_configs: [{ bot_token: `1:${SECRET}`, chat_id: 5, api_url: closed }],
  pagerduty_configs: [{ routing_key: SECRET, url: `${closed}/v2/enqueue` }],
  opsgenie_configs: [{ api_key: SECRET, api_url: `${closed}/` }],
  wechat_configs: [{ api_secret: SECRET, corp_id: 'ww1', api_url: `${closed}/` }],
  webhook_configs: [{ url: `http://user:${SECRET}@127.0.0.1:9/hook?token=${SECRET}` }],
  dingtalk_configs: [{ webhook_url: `${closed}/robot/send?access_token=${SECRET}`, secret: SECRET }],
  feishu_configs: [{ webhook_url: `${closed}/open-apis/bot/v2/hook/${SECRET}`, secret: SECRET }],
};

describe('secrets stay out of targets and errors', () => {
  const c = alertingConfigSchema.parse({ ruleFiles: [], route: { receiver: 'all' }, receivers: [receiver] });
  const integrations = integrationsOf(c.receivers[0]!, {
    global: c.global,
    templates: new NotificationTemplates('http://pharos.test'),
  });
  const data = notificationData({
    receiver: 'all',
    groupKey: 'k',
    groupLabels: {},
    now: Date.now(),
    externalUrl: '',
    alerts: [
      {
        fingerprint: 'f',
        labels: { alertname: 'A' },
        annotations: {},
        startsAt: Date.now(),
        generatorURL: '',
        updatedAt: Date.now(),
      },
    ],
  });

  it('builds every kind', () => {
    expect(integrations.map((i) => i.type).sort()).toEqual([
      'dingtalk',
      'discord',
      'feishu',
      'msteams',
      'msteamsv2',
      'opsgenie',
      'pagerduty',
      'slack',
      'telegram',
      'webhook',
      'wechat',
    ]);
  });

  it.each(integrations.map((i) => [i.type, i] as const))('%s', async (_t, integ) => {
    expect(integ.target).not.toContain(SECRET);
    const err = await integ.notify(data, AbortSignal.timeout(5000), { timeoutMs: 2000 }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err?.message).not.toContain(SECRET);
    expect((err as { retry?: boolean }).retry).toBe(true);
  });
});
