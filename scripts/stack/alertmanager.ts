// Alertmanager with one webhook receiver. Its gossip listener is turned off (--cluster.listen-address=), so it
// needs no port besides its API and never looks for peers.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Engine, Service } from './engine.ts';
import { HOST, stackPath } from './paths.ts';
import { httpOk, requireCommand } from './process.ts';

export const ALERTMANAGER_PORT = 19095;
/** Where the default receiver posts; a test that wants the notifications starts a webhook receiver on it. */
export const ALERTMANAGER_WEBHOOK_PORT = 19096;

const dir = stackPath('alertmanager');

// Short group timings so tests see notifications within seconds rather than Alertmanager's default 30 s wait.
const CONFIG = `# Written by scripts/stack/alertmanager.ts.
route:
  receiver: pharos-webhook
  group_by: ['alertname', 'cluster']
  group_wait: 1s
  group_interval: 5s
  repeat_interval: 1h
receivers:
  - name: pharos-webhook
    webhook_configs:
      - url: http://${HOST}:${ALERTMANAGER_WEBHOOK_PORT}/alertmanager
        send_resolved: true
`;

const server: Service = {
  id: 'alertmanager',
  dir,
  logFile: path.join(dir, 'alertmanager.log'),
  ports: [ALERTMANAGER_PORT],
  readyTimeoutMs: 30_000,
  stopGraceMs: 5_000,
  command: () => ({
    command: 'prometheus-alertmanager',
    args: [
      `--config.file=${path.join(dir, 'alertmanager.yml')}`,
      `--storage.path=${path.join(dir, 'data')}`,
      `--web.listen-address=${HOST}:${ALERTMANAGER_PORT}`,
      '--cluster.listen-address=',
    ],
  }),
  ready: (signal) => httpOk(`http://${HOST}:${ALERTMANAGER_PORT}/-/ready`, signal),
};

export const alertmanager: Engine = {
  name: 'alertmanager',
  services: [server],
  async prepare() {
    requireCommand('prometheus-alertmanager', 'apt-get install prometheus-alertmanager');
    await fs.mkdir(path.join(dir, 'data'), { recursive: true });
    await fs.writeFile(path.join(dir, 'alertmanager.yml'), CONFIG);
  },
};
