import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateStore } from '../../../libs/store/state-store.ts';
import type { AlertingModule } from '../../../services/alerting/alerting.module.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../stack/smtp-receiver.ts';
import { openSearchStore, RULE_GROUP, sleep, startModule, switchableSource } from './harness.ts';

// The SMTP server is really off the network for 60 s; retries back off exponentially up to 3 s (the production
// default is 1 minute; the policy is the same code), so the mail arrives within seconds of the server's return.
describe('SMTP down for 60 s', () => {
  let smtp: SmtpReceiver;
  let store: StateStore;
  let drop: () => Promise<void>;
  let module: AlertingModule;
  const src = switchableSource();

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    ({ store, drop } = await openSearchStore('smtp-outage'));
    module = startModule({
      store,
      sources: src.sources,
      holder: 'smtp-outage-test',
      receivers: [
        {
          name: 'team',
          email_configs: [
            {
              to: 'oncall@example.test',
              from: 'pharos@example.test',
              smarthost: `127.0.0.1:${smtp.port}`,
              require_tls: false,
            },
          ],
        },
      ],
    });
    await module.catalog.create(RULE_GROUP);
  });

  afterAll(async () => {
    await module?.stop();
    await smtp?.close();
    await store?.close();
    await drop?.();
  });

  it('delivers the notification after the server comes back, exactly once', async () => {
    await smtp.stop();
    const downAt = Date.now();
    await module.start();
    src.down.add('west/node-2:9100');
    await sleep(60_000 - (Date.now() - downAt));
    expect(smtp.messages).toHaveLength(0);
    await smtp.start();
    const [mail] = await smtp.waitForMessages(1, 20_000);
    await sleep(4000);
    expect(smtp.messages).toHaveLength(1);
    expect(mail?.subject).toBe('[FIRING:1] NodeDown west (node-2:9100 node critical)');
    const log = await module.nflog.list({ limit: 10 });
    expect(log.items).toHaveLength(1);
    expect(log.items[0]).toMatchObject({ result: 'sent', integration: 'email', target: 'oncall@example.test' });
    expect(log.items[0]?.attempts).toBeGreaterThan(5);
  });
});
