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

/** The pids of a process's children (Linux /proc). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
};

describe.each(['SIGTERM', 'SIGINT'] as const)('npm start, stopped by its own pid with %s', (signal) => {
  it('stops Pharos: the port closes and no node process is left', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pharos-npm-start-'));
    const port = String(19000 + Math.floor(Math.random() * 1000));
    const file = join(dir, 'pharos.yaml');
    writeFileSync(
      file,
      `server: { host: 127.0.0.1, port: ${port} }\ndataDir: ${dir}\nlog: { level: warn }\nstorage: { type: sqlite, path: ${join(dir, 'pharos.db')} }\n`,
    );
    const npm = spawn('npm', ['start', '--silent', '--', '--config', file], {
      cwd: repo,
      env: { ...process.env, PHAROS_CONFIG: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const npmExited = new Promise<void>((res) => npm.on('exit', () => res()));
    let tree: number[] = [];
    try {
      await waitForHealth(`http://127.0.0.1:${port}/healthz`, 60_000);
      // npm runs the script through sh; `exec` makes node that shell's process, npm's child.
      tree = [...childrenOf(npm.pid!), ...childrenOf(npm.pid!).flatMap(childrenOf)];
      expect(tree.length).toBeGreaterThan(0);
      npm.kill(signal);
      await npmExited;
      const deadline = Date.now() + 30_000;
      while (tree.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(tree.filter(alive)).toEqual([]);
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    } finally {
      for (const pid of tree.filter(alive)) process.kill(pid, 'SIGKILL');
      npm.kill('SIGKILL');
    }
  });
});

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
      const authed = await fetch(`http://127.0.0.1:${port}/v1/nothing`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(authed.status).toBe(404);
    } finally {
      p.child.kill('SIGTERM');
    }
    expect(await p.exited).toBe(0);
  });
});
