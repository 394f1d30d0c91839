// Delivers one group's notification through one integration with the production delivery code (retries,
// Retry-After, the notification log), against the fake providers, so a test sees what the provider received and
// what Pharos logged.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertingConfigSchema } from '../../../libs/config/sections/alerting.ts';
import { createLogger } from '../../../libs/logging/logger.ts';
import { SqliteStateStore } from '../../../libs/store/state/sqlite-state.store.ts';
import { fingerprint } from '../../../services/alerting/engine/fingerprint.ts';
import type { NotifiableAlert } from '../../../services/alerting/engine/notifiable.ts';
import { Delivery } from '../../../services/alerting/notify/delivery.ts';
import { NotificationLog, type NotificationRecord } from '../../../services/alerting/notify/notification-log.ts';
import { integrationsOf } from '../../../services/alerting/notify/receivers/registry.ts';
import { NotificationTemplates } from '../../../services/alerting/notify/templates.ts';

export const EXTERNAL_URL = 'http://pharos.test';

export interface ProviderHarness {
  /** One notification of `status` for a fresh group (so the notification log never deduplicates it). */
  notify(status: 'firing' | 'resolved'): Promise<NotificationRecord>;
  close(): Promise<void>;
}

const LABELS = {
  alertname: 'KubePodCrashLooping',
  cluster: 'east',
  namespace: 'payments',
  pod: 'api-7d9f',
  severity: 'critical',
};

/** `receiver` is one alertmanager.yml receiver (as parsed from YAML), `global` its global section. */
export async function providerHarness(
  receiver: Record<string, unknown>,
  global: Record<string, unknown> = {},
): Promise<ProviderHarness> {
  const config = alertingConfigSchema.parse({
    ruleFiles: [],
    global,
    route: { receiver: String(receiver.name) },
    receivers: [receiver],
  });
  const store = new SqliteStateStore(join(mkdtempSync(join(tmpdir(), 'pharos-prov-')), 's.db'));
  await store.init();
  const nflog = new NotificationLog(store);
  const [integ] = integrationsOf(config.receivers[0]!, {
    global: config.global,
    templates: new NotificationTemplates(EXTERNAL_URL),
  });
  if (!integ) throw new Error('no integration in the receiver');
  const delivery = new Delivery({
    nflog,
    externalUrl: EXTERNAL_URL,
    logger: createLogger(process.env.PHAROS_TEST_LOG ?? 'silent'),
    now: Date.now,
    // Short backoff so retries show within a test; Retry-After still wins.
    settings: () => ({ retry: { initialMs: 100, maxMs: 200, giveUpAfterMs: 20_000 }, timeoutMs: 5000 }),
  });
  let n = 0;
  return {
    async notify(status) {
      const now = Date.now();
      const alert: NotifiableAlert = {
        fingerprint: fingerprint(LABELS),
        labels: LABELS,
        annotations: { summary: 'api-7d9f restarts', description: 'Pod payments/api-7d9f restarted 5 times' },
        startsAt: now - 600_000,
        ...(status === 'resolved' ? { endsAt: now - 1000 } : {}),
        generatorURL: 'http://prometheus.example/graph?g0.expr=restarts',
        updatedAt: now,
      };
      const groupKey = `{}:{alertname="KubePodCrashLooping", run="${++n}"}`;
      const firing = new Set(status === 'firing' ? [alert.fingerprint] : []);
      const resolved = new Set(status === 'resolved' ? [alert.fingerprint] : []);
      // A resolved notification follows a firing one in the log (otherwise there is nothing to resolve).
      if (status === 'resolved')
        await nflog.markSent({
          groupKey,
          receiver: String(receiver.name),
          integration: `${integ.type}[0]`,
          firing: [alert.fingerprint],
          resolved: [],
          at: now - 60_000,
        });
      await delivery.deliver(
        {
          groupKey,
          groupLabels: { alertname: LABELS.alertname },
          receiver: String(receiver.name),
          repeatIntervalMs: 3600_000,
          integ,
          active: [alert],
          firing,
          resolved,
          now,
        },
        AbortSignal.timeout(30_000),
      );
      const page = await nflog.list({ limit: 1 });
      return page.items[0] as NotificationRecord;
    },
    close: () => store.close(),
  };
}
