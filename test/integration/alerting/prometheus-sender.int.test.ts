import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenAuthenticator, sha256Hex } from '../../../libs/auth/token-authenticator.ts';
import { buildApp } from '../../../libs/http/app.ts';
import { createLogger } from '../../../libs/logging/logger.ts';
import type { AlertingModule } from '../../../services/alerting/alerting.module.ts';
import { alertingPlugin } from '../../../services/alerting/alerting.features.ts';
import { webhookPayloadSchema } from '../../../services/alerting/notify/receivers/webhook-payload.ts';
import { fakeSources, testModule } from '../../../services/alerting/testing/fakes.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../stack/webhook-receiver.ts';

const TOKEN = 'prometheus-ingest-0123456789';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

// A real Prometheus 2.42 with Pharos as its Alertmanager (api v2, path_prefix /alertmanager, bearer token).
// resend-delay 1s: Prometheus drops the very first batch when it comes before the Alertmanager is discovered, and
// would otherwise wait a minute to resend.
describe('an existing Prometheus sends its alerts to Pharos', () => {
  let app: FastifyInstance;
  let module: AlertingModule;
  let hook: WebhookReceiver;
  let prom: ChildProcess | undefined;

  beforeAll(async () => {
    hook = await startWebhookReceiver();
    ({ module } = await testModule(
      {
        route: {
          receiver: 'hook',
          group_by: ['alertname'],
          group_wait: '1s',
          group_interval: '2s',
          repeat_interval: '1h',
        },
        receivers: [{ name: 'hook', webhook_configs: [{ url: `${hook.url}/am` }] }],
      },
      fakeSources(() => ({})),
      { tickMs: 200 },
    ));
    const authenticator = new TokenAuthenticator([]);
    authenticator.add({ name: 'prometheus', tokenSha256: sha256Hex(TOKEN), role: 'ingest' });
    app = await buildApp({
      logger: createLogger('silent'),
      metrics: new Registry(),
      authenticator,
      features: [{ name: 'alerting', routes: alertingPlugin(async () => module) }],
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    await module.start();
    const pharosPort = (app.server.address() as AddressInfo).port;

    const dir = mkdtempSync(join(tmpdir(), 'pharos-prom-sender-'));
    writeFileSync(
      join(dir, 'rules.yml'),
      'groups:\n  - name: sender\n    interval: 1s\n    rules:\n      - alert: FromPrometheus\n        expr: vector(1)\n        labels: { severity: info, cluster: lab }\n        annotations: { summary: "sent by a real Prometheus" }\n',
    );
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global: { evaluation_interval: 1s }\nrule_files: [${join(dir, 'rules.yml')}]\nalerting:\n  alertmanagers:\n    - api_version: v2\n      path_prefix: /alertmanager\n      authorization: { credentials: ${TOKEN} }\n      static_configs: [{ targets: ['127.0.0.1:${pharosPort}'] }]\n`,
    );
    const port = await freePort();
    prom = spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--rules.alert.resend-delay=1s',
      ],
      { stdio: ['ignore', 'ignore', process.env.PHAROS_TEST_LOG ? 'inherit' : 'ignore'] },
    );
  });

  afterAll(async () => {
    prom?.kill('SIGTERM');
    await module?.stop();
    await app?.close();
    await hook?.close();
  });

  it('receives the alert on /alertmanager/api/v2/alerts and notifies through its route', async () => {
    const [req] = await hook.waitForRequests(1, 60_000);
    const body = webhookPayloadSchema.parse(req?.json);
    expect(body).toMatchObject({ status: 'firing', receiver: 'hook', groupKey: '{}:{alertname="FromPrometheus"}' });
    expect(body.alerts[0]).toMatchObject({
      labels: { alertname: 'FromPrometheus', severity: 'info', cluster: 'lab' },
      annotations: { summary: 'sent by a real Prometheus' },
    });
    expect(body.alerts[0]?.generatorURL).toContain('/graph?g0.expr=vector');
    const listed = await app.inject({
      url: '/alertmanager/api/v2/alerts',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(listed.statusCode).toBe(403); // the ingest role may post alerts, not read them
  });
});
