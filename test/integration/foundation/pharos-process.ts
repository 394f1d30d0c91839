// Pharos as `npm start` runs it: one node process (services/main.ts through tsx) with a config file, so a test
// can watch /healthz from outside while it sends other requests, stop it, and start it again on the same data.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { freePort } from '../../../scripts/deploy/image-layout.ts';

const repo = resolve(import.meta.dirname, '../../..');
const tsxLoader = pathToFileURL(join(repo, 'node_modules/tsx/dist/loader.mjs')).href;

export interface PharosProcess {
  url: string;
  output(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Writes `config` (host and port filled in) to `<dir>/pharos.yaml` and starts Pharos on it; resolves once /healthz
 * answers.
 */
export async function startPharos(
  dir: string,
  config: Record<string, unknown>,
  port?: number,
): Promise<PharosProcess & { port: number }> {
  const p = port ?? (await freePort());
  const file = join(dir, 'pharos.yaml');
  writeFileSync(file, stringify({ ...config, server: { host: '127.0.0.1', port: p } }));
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', tsxLoader, join(repo, 'services/main.ts'), '--config', file],
    { cwd: repo, env: { ...process.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  const url = `http://127.0.0.1:${p}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`pharos exited with ${child.exitCode} before answering:\n${out}`);
    if (Date.now() > deadline) throw new Error(`pharos did not answer /healthz within 60 s:\n${out}`);
    if (
      await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) }).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    port: p,
    output: () => out,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/**
 * Asks /healthz every 50 ms and keeps the slowest answer: a process whose event loop is stuck (a regex
 * backtracking) answers nothing until it is free again.
 */
export class HealthProbe {
  private worst = 0;
  private answered = 0;
  private running = true;
  private readonly loop: Promise<void>;

  constructor(private readonly url: string) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (this.running) {
      const t0 = performance.now();
      const ok = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(10_000) }).then(
        (r) => r.ok,
        () => false,
      );
      const took = performance.now() - t0;
      this.worst = Math.max(this.worst, ok ? took : 10_000);
      if (ok) this.answered++;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The slowest /healthz answer since the last reset (ms), and how many answered. */
  take(): { worstMs: number; answered: number } {
    const out = { worstMs: this.worst, answered: this.answered };
    this.worst = 0;
    this.answered = 0;
    return out;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}
