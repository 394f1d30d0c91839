import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PARITY_EXTERNAL_URL, requestShape, startParity, type Parity } from './parity-harness.ts';

/**
 * The same alert group, notified once by Pharos and once by the real Alertmanager 0.25 (Debian), both configured
 * from one alertmanager.yml whose receivers point at the same kind of local fake providers: the requests must be
 * equal (method, path, content type, JSON body). What differs, and why:
 * - User-Agent: "Alertmanager/0.25.0" vs "Pharos-Alerting/0.1" (each names itself).
 * - the URL's host:port: each sender has its own fake server (the paths, tokens included, are compared).
 * Nothing else differs: timestamps are the alerts' own (startsAt/endsAt, which both were given), ids are the
 * group key's SHA-256 in both (PagerDuty dedup_key, Opsgenie alias), fingerprints are the label-set hash in both.
 */
const CONFIG = (fake: string) => `
global:
  resolve_timeout: 5m
  slack_api_url: ${fake}/slack/services/T000/B000/XXXXXXXX
  pagerduty_url: ${fake}/pagerduty/v2/enqueue
  opsgenie_api_url: ${fake}/opsgenie/
  opsgenie_api_key: genie-key-123
  wechat_api_url: ${fake}/wechat/
  wechat_api_secret: wecom-secret
  wechat_api_corp_id: corp-1
  telegram_api_url: ${fake}/telegram
route:
  receiver: team.ops
  group_by: [alertname, cluster]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
- name: team.ops
  slack_configs:
  - channel: '#alerts'
    send_resolved: true
    fields:
    - title: Cluster
      value: '{{ .CommonLabels.cluster }}'
    actions:
    - type: button
      text: Runbook
      url: '{{ (index .Alerts 0).Annotations.runbook_url }}'
  pagerduty_configs:
  - routing_key: pd-routing-key
    severity: '{{ .CommonLabels.severity }}'
    component: disks
  opsgenie_configs:
  - responders: [{ name: ops, type: team }]
    tags: 'disk,{{ .CommonLabels.cluster }}'
    priority: P2
  telegram_configs:
  - bot_token: '123456:ABC-token'
    chat_id: -100123
  discord_configs:
  - webhook_url: ${fake}/discord/api/webhooks/42/discord-token
  wechat_configs:
  - to_user: '@all'
    agent_id: '1000002'
    send_resolved: true
  webhook_configs:
  - url: ${fake}/hook/alerts
`;

const now = Date.now();
const labels = [
  {
    alertname: 'DiskFull',
    cluster: 'zürich',
    instance: 'node-2:9100',
    job: 'node',
    severity: 'warning',
    device: '/dev/sda1',
  },
  {
    alertname: 'DiskFull',
    cluster: 'zürich',
    instance: 'node-1:9100',
    job: 'node',
    severity: 'warning',
    device: '/dev/sdb',
  },
];
const annotations = {
  summary: 'Disk "data" < 5% free & falling',
  runbook_url: 'https://runbooks.example/disk?x=1&y=2',
};
const alerts = labels.map((l) => ({
  labels: l,
  annotations,
  startsAt: now,
  generatorURL: 'http://prometheus.example:9090/graph?g0.expr=disk',
}));

/**
 * The group's alerts as they start now: a new group whose alert started more than group_wait ago is flushed at once
 * (Alertmanager's dispatcher, and Pharos as it), so an old startsAt would race the group's second alert into a
 * notification of its own. Resolutions are then given an endsAt just before the post, after startsAt.
 */
const starting = (as: typeof alerts) => {
  const at = Date.now();
  return as.map((a) => ({ ...a, startsAt: at }));
};
const justEnded = () => Date.now() - 100;

describe('notifications equal to Alertmanager 0.25 for the same alert group', () => {
  let parity: Parity;
  beforeAll(async () => {
    parity = await startParity({ binary: 'prometheus-alertmanager', config: CONFIG });
  });
  afterAll(async () => parity?.close());

  // Requests per provider for one firing and one resolved notification (WeCom: one token request first).
  const expected: Record<string, number> = {
    slack: 2,
    pagerduty: 2,
    opsgenie: 2,
    telegram: 2,
    discord: 2,
    wechat: 3,
    hook: 2,
  };

  it('sends the same firing and resolved requests to Slack, PagerDuty, Opsgenie, Telegram, Discord, WeChat and the webhook', async () => {
    const { amFake, pharosFake } = parity;
    const group = starting(alerts);
    await parity.post(group, now + 3600_000);
    for (const p of Object.keys(expected)) {
      await amFake.waitFor(p, expected[p] === 3 ? 2 : 1);
      await pharosFake.waitFor(p, expected[p] === 3 ? 2 : 1);
    }
    await parity.post(group, justEnded());
    for (const [p, n] of Object.entries(expected)) {
      await amFake.waitFor(p, n);
      await pharosFake.waitFor(p, n);
    }
    for (const p of Object.keys(expected)) {
      expect({ provider: p, requests: pharosFake.of(p).map(requestShape) }).toEqual({
        provider: p,
        requests: amFake.of(p).map(requestShape),
      });
    }
    expect(amFake.of('slack')[0]?.headers['user-agent']).toMatch(/^Alertmanager\/0\.25/);
    expect(pharosFake.of('slack')[0]?.headers['user-agent']).toBe('Pharos-Alerting/0.1');
    expect(pharosFake.of('hook')[0]?.json).toMatchObject({
      externalURL: PARITY_EXTERNAL_URL,
      receiver: 'team\\.ops',
      status: 'firing',
    });
  });

  // A group with one alert resolved and one still firing: the default texts' "Resolved" sections, Opsgenie's and
  // PagerDuty's firing update, WeCom's cached token (one token request in all).
  it('sends the same requests when part of a group resolves, then the rest', async () => {
    const { amFake, pharosFake } = parity;
    amFake.clear();
    pharosFake.clear();
    const group = starting(
      alerts.map((a, i) => ({ ...a, labels: { ...a.labels, cluster: 'genève', instance: `node-${i + 5}:9100` } })),
    );
    const each = (n: number) => Object.fromEntries(Object.keys(expected).map((p) => [p, n]));
    const steps: [() => number | number[], Record<string, number>][] = [
      [() => now + 3600_000, each(1)],
      [() => [now + 3600_000, justEnded()], each(2)],
      [justEnded, each(3)],
    ];
    for (const [endsAt, counts] of steps) {
      await parity.post(group, endsAt());
      for (const [p, n] of Object.entries(counts)) {
        await amFake.waitFor(p, n);
        await pharosFake.waitFor(p, n);
      }
    }
    for (const p of Object.keys(expected)) {
      expect({ provider: p, requests: pharosFake.of(p).map(requestShape) }).toEqual({
        provider: p,
        requests: amFake.of(p).map(requestShape),
      });
    }
    const slackTitles = pharosFake
      .of('slack')
      .map((r) => (r.json as { attachments: { title: string }[] }).attachments[0]?.title);
    expect(slackTitles[1]).toMatch(/^\[FIRING:1\] DiskFull genève/);
    expect(
      (pharosFake.of('hook')[1]?.json as { alerts: { status: string }[] }).alerts.map((a) => a.status).sort(),
    ).toEqual(['firing', 'resolved']);
  });
});
