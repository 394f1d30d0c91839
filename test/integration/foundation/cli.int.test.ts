import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../../..');
const main = join(repo, 'services/main.ts');
// --import resolves from the child's cwd (a temp folder), so name tsx's loader by absolute URL.
const tsxLoader = pathToFileURL(join(repo, 'node_modules/tsx/dist/loader.mjs')).href;

function run(args: string[], cwd: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', tsxLoader, main, ...args], {
    cwd,
    env: { ...process.env, PHAROS_LOG__LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  return { child, output: () => out, exited };
}

async function waitForHealth(url: string, ms: number): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    try {
      if ((await fetch(url)).status === 200) return Date.now() - t0;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no 200 from ${url} within ${ms} ms`);
}

describe('pharos process', () => {
  it('prints every problem of a bad config file and exits non-zero, without a stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pharos-cli-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'server:\n  port: -1\nstorage:\n  type: opensearch\nbus:\n  type: kafka\n');
    const p = run(['--config', file], dir);
    expect(await p.exited).not.toBe(0);
    const out = p.output();
    expect(out).toMatch(/3 problem\(s\)/);
    expect(out).toMatch(/server\.port/);
    expect(out).toMatch(/storage\.url/);
    expect(out).toMatch(/bus\.brokers/);
    expect(out).not.toMatch(/\n\s+at /);
  });

  it('starts on the embedded default with no config, generates an admin token and shuts down on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pharos-start-'));
    const port = String(18000 + Math.floor(Math.random() * 1000));
    const p = run([], dir, { PHAROS_SERVER__PORT: port });
    try {
      await waitForHealth(`http://127.0.0.1:${port}/healthz`, 15_000);
      const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(metrics.headers.get('content-type')).toMatch(/text\/plain/);
      expect(await metrics.text()).toMatch(/pharos_process_cpu_user_seconds_total/);
      const token = readFileSync(join(dir, 'data/admin-token'), 'utf8').trim();
      expect(p.output()).toContain(token);
      expect((await fetch(`http://127.0.0.1:${port}/v1/nothing`)).status).toBe(401);
      const authed = await fetch(`http://127.0.0.1:${port}/v1/nothing`, { headers: { authorization: `Bearer ${token}` } });
      expect(authed.status).toBe(404);
    } finally {
      p.child.kill('SIGTERM');
    }
    expect(await p.exited).toBe(0);
  });
});
