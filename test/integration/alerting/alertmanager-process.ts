// An Alertmanager of our own (Debian's 0.25, or the newer one built from the Go module) on a free loopback port,
// with a config of the test's, no gossip, and an external URL of the test's choosing; stopped by its pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../scripts/deploy/image-layout.ts';
import { until } from '../../support/until.ts';

export interface AlertmanagerProcess {
  url: string;
  postAlerts(alerts: unknown[]): Promise<void>;
  output(): string;
  stop(): Promise<void>;
}

export async function startAlertmanager(opts: {
  binary: string;
  config: string;
  externalUrl: string;
}): Promise<AlertmanagerProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-am-'));
  writeFileSync(join(dir, 'alertmanager.yml'), opts.config);
  const port = await freePort();
  const child: ChildProcess = spawn(
    opts.binary,
    [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      `--web.external-url=${opts.externalUrl}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  await until(
    async () => (await fetch(`${url}/-/ready`).catch(() => undefined))?.ok === true,
    30_000,
    () => `alertmanager ready\n${out}`,
  );
  return {
    url,
    async postAlerts(alerts) {
      const res = await fetch(`${url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alerts),
      });
      if (!res.ok) throw new Error(`alertmanager refused the alerts: ${res.status} ${await res.text()}`);
    },
    output: () => out,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
