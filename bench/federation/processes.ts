import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The benchmark's own processes (Prometheus servers, Thanos sidecars and Query, Pharos): started with their
 * output in a log file under the run's folder, stopped by the pids this module started, never by name.
 */
export class BenchProcesses {
  private readonly started: { name: string; child: ChildProcess }[] = [];

  constructor(private readonly logDir: string) {}

  /** Spawns `command` as the process `name`, its output to `<logDir>/<name>.log`. */
  start(
    name: string,
    { command, args, env = process.env }: { command: string; args: string[]; env?: NodeJS.ProcessEnv },
  ): ChildProcess {
    const log = openSync(join(this.logDir, `${name}.log`), 'a');
    const child = spawn(command, args, { stdio: ['ignore', log, log], env });
    this.started.push({ name, child });
    return child;
  }

  logTail(name: string): string {
    try {
      return readFileSync(join(this.logDir, `${name}.log`), 'utf8')
        .split('\n')
        .slice(-15)
        .join('\n');
    } catch {
      return '';
    }
  }

  /** Polls `probe` until it holds; fails with the end of the process's log when it exits first or time runs out. */
  async waitFor(name: string, probe: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
    const child = this.started.find((s) => s.name === name)?.child;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await probe().catch(() => false)) return;
      if (child && child.exitCode !== null)
        throw new Error(`${name} exited (${child.exitCode}):\n${this.logTail(name)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`${name} not ready after ${timeoutMs} ms:\n${this.logTail(name)}`);
  }

  async stopAll(): Promise<void> {
    await Promise.all(
      this.started.splice(0).map(async ({ child }) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}

export const httpOk = (url: string): Promise<boolean> =>
  fetch(url).then(
    async (r) => (await r.arrayBuffer(), r.ok),
    () => false,
  );

/** Peak and current resident memory (VmHWM, VmRSS) of a process, MiB. */
export function memoryOf(pid: number | undefined): { peakMb: number; rssMb: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
    return { peakMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
  } catch {
    return { peakMb: 0, rssMb: 0 };
  }
}
