import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { alertingConfigSchema, type AlertingConfig } from '../../../libs/config/sections/alerting.ts';
import { createLogger } from '../../../libs/logging/logger.ts';
import type { FederatedResult, InstantQuery } from '../../../libs/federation/federation.types.ts';
import { SqliteStateStore } from '../../../libs/store/state/sqlite-state.store.ts';
import { AlertingModule, type AlertingModuleOptions } from '../alerting.module.ts';
import type { RuleSources } from '../engine/rule-query.ts';
import type { Integration } from '../notify/receivers/integration.ts';
import type { NotificationData } from '../notify/notification-data.ts';

/** A federation stand-in: answers instant queries from a function of (query, time in s). */
export function fakeSources(
  answer: (q: InstantQuery) => Partial<FederatedResult>,
  clusters = ['east', 'west'],
): RuleSources {
  const fed = {
    instant: async (q: InstantQuery): Promise<FederatedResult> => ({
      resultType: 'vector',
      result: [],
      warnings: [],
      clusters: Object.fromEntries(clusters.map((c) => [c, { status: 'ok' as const }])),
      ...answer(q),
    }),
    clusters: () => clusters,
  };
  return {
    federation: async () => fed,
    records: async () => {
      throw new Error('no record store in this test');
    },
    clusters: () => clusters,
  };
}

export async function testModule(
  config: Partial<Record<keyof AlertingConfig, unknown>>,
  sources: RuleSources,
  extra: Partial<AlertingModuleOptions> = {},
): Promise<{ module: AlertingModule; store: SqliteStateStore; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-alerting-'));
  const store = new SqliteStateStore(join(dir, 'state.db'));
  await store.init();
  const module = new AlertingModule({
    config: alertingConfigSchema.parse({ ruleFiles: [], ...config }),
    store,
    sources,
    logger: createLogger('silent'),
    metrics: new Registry(),
    externalUrl: 'http://pharos.test',
    ...extra,
  });
  return { module, store, dir };
}

/** An integration that records what it was asked to send and can be told to fail. */
export function recordingIntegration(): Integration & { sent: NotificationData[]; failing: boolean } {
  const sent: NotificationData[] = [];
  const integ = {
    type: 'fake',
    index: 0,
    target: 'memory',
    sendResolved: true,
    sent,
    failing: false,
    render: (d: NotificationData) => d,
    async notify(d: NotificationData) {
      if (integ.failing) throw new Error('down');
      sent.push(d);
    },
  };
  return integ;
}
