// Sends the same alert group through Pharos and through a real Alertmanager, both configured from one
// alertmanager.yml whose receivers point at fake providers (one fake server per sender), and returns what each
// fake received, for the parity tests to compare request by request.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { loadConfig } from '../../../libs/config/config.loader.ts';
import { createLogger } from '../../../libs/logging/logger.ts';
import { SqliteStateStore } from '../../../libs/store/state/sqlite-state.store.ts';
import { AlertingModule } from '../../../services/alerting/alerting.module.ts';
import { fingerprint } from '../../../services/alerting/engine/fingerprint.ts';
import { fakeSources } from '../../../services/alerting/testing/fakes.ts';
import { startAlertmanager, type AlertmanagerProcess } from './alertmanager-process.ts';
import { startFakeProviders, type FakeProviders, type ProviderRequest } from './fake-providers.ts';

export const PARITY_EXTERNAL_URL = 'http://alerts.example:9093';

export interface ParityAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: number;
  generatorURL: string;
}

export interface Parity {
  amFake: FakeProviders;
  pharosFake: FakeProviders;
  /**
   * Both senders get these alerts, with this endsAt (in the future: firing; in the past: resolved), or one per alert.
   */
  post(alerts: ParityAlert[], endsAt: number | number[]): Promise<void>;
  close(): Promise<void>;
}

export async function startParity(opts: { binary: string; config: (fakeUrl: string) => string }): Promise<Parity> {
  const amFake = await startFakeProviders();
  const pharosFake = await startFakeProviders();
  let am: AlertmanagerProcess | undefined;
  let module: AlertingModule | undefined;
  let store: SqliteStateStore | undefined;
  try {
    am = await startAlertmanager({
      binary: opts.binary,
      config: opts.config(amFake.url),
      externalUrl: PARITY_EXTERNAL_URL,
    });
    const dir = mkdtempSync(join(tmpdir(), 'pharos-parity-'));
    writeFileSync(join(dir, 'alertmanager.yml'), opts.config(pharosFake.url));
    writeFileSync(
      join(dir, 'pharos.yaml'),
      `alerting:\n  ruleFiles: []\n  alertmanagerConfigFile: ${join(dir, 'alertmanager.yml')}\n`,
    );
    const config = loadConfig({ file: join(dir, 'pharos.yaml'), env: {} });
    store = new SqliteStateStore(join(dir, 'state.db'));
    await store.init();
    module = new AlertingModule({
      config: config.alerting,
      store,
      sources: fakeSources(() => ({})),
      logger: createLogger(process.env.PHAROS_TEST_LOG ?? 'silent'),
      metrics: new Registry(),
      externalUrl: PARITY_EXTERNAL_URL,
      tickMs: 200,
    });
    await module.start();
  } catch (err) {
    await am?.stop();
    throw err;
  }
  const m = module;
  const a = am;
  return {
    amFake,
    pharosFake,
    async post(alerts, endsAt) {
      const ends = (i: number) => (Array.isArray(endsAt) ? (endsAt[i] as number) : endsAt);
      await a.postAlerts(
        alerts.map((x, i) => ({
          labels: x.labels,
          annotations: x.annotations,
          startsAt: new Date(x.startsAt).toISOString(),
          endsAt: new Date(ends(i)).toISOString(),
          generatorURL: x.generatorURL,
        })),
      );
      m.dispatcher.put(
        alerts.map((x, i) => ({
          fingerprint: fingerprint(x.labels),
          labels: x.labels,
          annotations: x.annotations,
          startsAt: x.startsAt,
          endsAt: ends(i),
          generatorURL: x.generatorURL,
          updatedAt: Date.now(),
        })),
      );
    },
    async close() {
      await m.stop();
      await store?.close();
      await a.stop();
      await amFake.close();
      await pharosFake.close();
    },
  };
}

/** What is compared of a request: everything but the host and the sender's own User-Agent. */
export function requestShape(r: ProviderRequest) {
  return {
    method: r.method,
    path: r.url,
    contentType: r.headers['content-type'],
    authorization: r.headers.authorization,
    body: r.json ?? r.body,
  };
}
