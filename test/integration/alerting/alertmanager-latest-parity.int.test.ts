import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureLatestAlertmanager } from '../../../scripts/stack/alertmanager-latest.ts';
import { requestShape, startParity, type Parity } from './parity-harness.ts';

/**
 * The receivers and options Alertmanager 0.25 lacks, against the newer Alertmanager built from its Go module
 * (scripts/stack/alertmanager-latest.ts): Microsoft Teams MessageCard (msteams, 0.26) and Workflows Adaptive Card
 * (msteamsv2, 0.28), Telegram topics (message_thread_id), Discord content/username, Slack message_text.
 * Differences: the User-Agent only (each sender names itself), as in alertmanager-parity.int.test.ts.
 */
const CONFIG = (fake: string) => `
global:
  telegram_api_url: ${fake}/telegram
route:
  receiver: teams
  group_by: ['...']
  group_wait: 1s
  group_interval: 1s
receivers:
- name: teams
  msteams_configs:
  - webhook_url: ${fake}/msteams/webhookb2/connector-secret
  msteamsv2_configs:
  - webhook_url: ${fake}/msteamsv2/workflows/trigger?sig=workflow-secret
  telegram_configs:
  - bot_token: '42:thread-bot'
    chat_id: -42
    message_thread_id: 7
    parse_mode: ''
  discord_configs:
  - webhook_url: ${fake}/discord/api/webhooks/1/tok
    content: '{{ .CommonLabels.alertname }} needs someone'
    username: pharos-bot
  slack_configs:
  - api_url: ${fake}/slack/services/T1/B1/secret
    message_text: '{{ .Status }}'
    send_resolved: true
`;

const now = Date.now();
const alerts = [
  {
    labels: { alertname: 'QueueStuck', queue: 'payments', severity: 'critical' },
    annotations: { description: 'No progress for 10m on *payments*' },
    startsAt: now - 600_000,
    generatorURL: 'http://prometheus.example/graph?g0.expr=q',
  },
];

describe('notifications equal to the newer Alertmanager for receivers 0.25 lacks', () => {
  let parity: Parity;
  beforeAll(async () => {
    const bins = await ensureLatestAlertmanager((m) => console.log(m));
    parity = await startParity({ binary: bins.alertmanager, config: CONFIG });
  }, 30 * 60_000);
  afterAll(async () => parity?.close());

  const providers = ['msteams', 'msteamsv2', 'telegram', 'discord', 'slack'];

  it('sends the same requests to Teams (both kinds), Telegram topics, Discord and Slack', async () => {
    const { amFake, pharosFake } = parity;
    await parity.post(alerts, now + 3600_000);
    for (const p of providers) {
      await amFake.waitFor(p, 1);
      await pharosFake.waitFor(p, 1);
    }
    await parity.post(alerts, Date.now() - 1000);
    for (const p of providers) {
      await amFake.waitFor(p, 2);
      await pharosFake.waitFor(p, 2);
    }
    for (const p of providers) {
      expect({ provider: p, requests: pharosFake.of(p).map(requestShape) }).toEqual({
        provider: p,
        requests: amFake.of(p).map(requestShape),
      });
    }
    expect(amFake.of('msteamsv2')[0]?.headers['user-agent']).toMatch(/^Alertmanager\/0\.35/);
  });
});
