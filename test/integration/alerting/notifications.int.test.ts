import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateStore } from '../../../libs/store/state-store.ts';
import type { AlertingModule } from '../../../services/alerting/alerting.module.ts';
import { webhookPayloadSchema } from '../../../services/alerting/notify/receivers/webhook-payload.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../stack/smtp-receiver.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../stack/webhook-receiver.ts';
import { openSearchStore, RULE_GROUP, sleep, startModule, switchableSource } from './harness.ts';

describe('notifications over real SMTP and HTTP', () => {
  let smtp: SmtpReceiver;
  let hook: WebhookReceiver;
  let store: StateStore;
  let drop: () => Promise<void>;
  let module: AlertingModule;
  const src = switchableSource();

  beforeAll(async () => {
    smtp = await startSmtpReceiver({ auth: { user: 'pharos', pass: 'smtp-secret' } });
    hook = await startWebhookReceiver();
    ({ store, drop } = await openSearchStore('notify'));
    module = startModule({
      store,
      sources: src.sources,
      holder: 'notify-test',
      receivers: [
        {
          name: 'team',
          email_configs: [
            {
              to: 'oncall@example.test',
              from: 'pharos@example.test',
              smarthost: `127.0.0.1:${smtp.port}`,
              require_tls: false,
              send_resolved: true,
              auth_username: 'pharos',
              auth_password: 'smtp-secret',
            },
          ],
          webhook_configs: [{ url: `${hook.url}/alerts`, hmac_secret: 'shh' }],
        },
      ],
    });
    await module.catalog.create(RULE_GROUP);
    await module.start();
  });

  afterAll(async () => {
    await module?.stop();
    await smtp?.close();
    await hook?.close();
    await store?.close();
    await drop?.();
  });

  it('sends one firing and one resolved notification per episode, by email and webhook, no duplicates', async () => {
    src.down.add('east/node-1:9100');
    const [firingHook] = await hook.waitForRequests(1, 30_000);
    const [firingMail] = await smtp.waitForMessages(1, 30_000);
    src.down.clear();
    const both = await hook.waitForRequests(2, 30_000);
    await smtp.waitForMessages(2, 30_000);
    await sleep(6000); // several group_intervals: nothing more may arrive

    expect(hook.requests).toHaveLength(2);
    expect(smtp.messages).toHaveLength(2);
    const bodies = both.map((r) => webhookPayloadSchema.parse(r.json));
    expect(bodies.map((b) => b.status)).toEqual(['firing', 'resolved']);
    expect(bodies[0]).toMatchObject({
      receiver: 'team',
      groupLabels: { alertname: 'NodeDown', cluster: 'east' },
      externalURL: 'http://pharos.test',
      groupKey: '{}:{alertname="NodeDown", cluster="east"}',
    });
    expect(bodies[0]?.alerts[0]).toMatchObject({
      labels: { alertname: 'NodeDown', cluster: 'east', instance: 'node-1:9100', severity: 'critical' },
      annotations: { summary: 'node-1:9100 in east is down' },
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: expect.stringContaining('http://pharos.test/v1/alert-rules/'),
    });
    expect(bodies[0]?.alerts[0]?.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(bodies[1]?.alerts[0]?.endsAt).not.toBe('0001-01-01T00:00:00Z');
    expect(firingHook?.headers['x-pharos-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);

    expect(firingMail?.to).toEqual(['oncall@example.test']);
    expect(firingMail?.user).toBe('pharos');
    // Alertmanager's default subject (__subject): group label values, then the other common label values.
    expect(firingMail?.subject).toBe('[FIRING:1] NodeDown east (node-1:9100 node critical)');
    expect(firingMail?.text).toContain('node-1:9100 in east is down');
    expect(firingMail?.html).toContain('<h3>[FIRING] NodeDown</h3>');
    expect(smtp.messages[1]?.subject).toBe('[RESOLVED] NodeDown east (node-1:9100 node critical)');

    const log = await module.nflog.list({ limit: 10 });
    expect(log.items.map((n) => `${n.integration}:${n.status}:${n.result}`).sort()).toEqual([
      'email:firing:sent',
      'email:resolved:sent',
      'webhook:firing:sent',
      'webhook:resolved:sent',
    ]);
    const history = await module.repo.history({ alertname: 'NodeDown', limit: 10 });
    expect(history.items.map((h) => `${h.from}->${h.to}`)).toEqual([
      'firing->inactive',
      'pending->firing',
      'inactive->pending',
    ]);
  });
});
