// Process plumbing for the local stack: detached daemons with pidfiles, foreground tools, readiness polling.
// Daemons are started in their own process group (detached) so they outlive `npm run stack -- up` and vitest's
// globalSetup, and so `down` can signal the whole group.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { HOST } from './paths.ts';

export interface DaemonSpec {
  /** Label used in messages, e.g. "prometheus/east". */
  id: string;
  /** Folder holding the pidfile; its path must appear in the daemon's command line (see livePid). */
  dir: string;
  command: string;
  args: string[];
  logFile: string;
  env?: NodeJS.ProcessEnv;
}

const pidFileOf = (dir: string): string => path.join(dir, 'pid');

function cmdlineOf(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return undefined;
  }
}

/** Alive and not a zombie: a zombie (exited, not yet reaped) has an empty command line. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const cmdline = cmdlineOf(pid);
  return cmdline === undefined ? true : cmdline.length > 0;
}

/**
 * The pid recorded for `dir` if that process still runs and is ours. A pidfile can outlive its process (reboot,
 * kill -9) and the pid be reused, so the daemon's command line must mention `dir`; stale pidfiles are removed.
 */
export function livePid(dir: string): number | undefined {
  let pid: number;
  try {
    pid = Number.parseInt(fs.readFileSync(pidFileOf(dir), 'utf8').trim(), 10);
  } catch {
    return undefined;
  }
  const cmdline = Number.isInteger(pid) && pid > 0 && isAlive(pid) ? cmdlineOf(pid) : undefined;
  if (cmdline !== undefined && cmdline.includes(dir)) return pid;
  fs.rmSync(pidFileOf(dir), { force: true });
  return undefined;
}

export async function spawnDaemon(spec: DaemonSpec): Promise<number> {
  await fsp.mkdir(spec.dir, { recursive: true });
  const log = fs.openSync(spec.logFile, 'a');
  try {
    fs.writeSync(log, `\n==== ${new Date().toISOString()} start ${spec.command} ${spec.args.join(' ')}\n`);
    const child = spawn(spec.command, spec.args, {
      cwd: spec.dir,
      env: spec.env ?? process.env,
      detached: true,
      stdio: ['ignore', log, log],
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => resolve(child.pid as number));
    });
    child.unref();
    await fsp.writeFile(pidFileOf(spec.dir), `${pid}\n`);
    return pid;
  } finally {
    fs.closeSync(log);
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** SIGTERM, wait up to `graceMs`, then SIGKILL. Returns whether a daemon was running. */
export async function stopDaemon(dir: string, graceMs: number): Promise<boolean> {
  const pid = livePid(dir);
  if (pid === undefined) return false;
  signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(200);
  if (isAlive(pid)) {
    signalGroup(pid, 'SIGKILL');
    while (isAlive(pid)) await sleep(100);
  }
  fs.rmSync(pidFileOf(dir), { force: true });
  return true;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/** Runs a tool to completion; on failure the error carries the end of its output. */
export async function run(command: string, args: string[], options: RunOptions = {}): Promise<string> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, signal: options.signal });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) {
    const tail = output.split('\n').slice(-40).join('\n');
    throw new Error(`${command} ${args.join(' ')} exited with ${code}\n${tail}`);
  }
  return output;
}

export async function tail(file: string, lines = 40): Promise<string> {
  try {
    return (await fsp.readFile(file, 'utf8')).split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export interface WaitOptions {
  what: string;
  timeoutMs: number;
  /** The daemon being waited for: if it dies, fail at once with the end of its log. */
  pid?: number;
  logFile?: string;
  intervalMs?: number;
}

export async function waitUntil(probe: (signal: AbortSignal) => Promise<boolean>, options: WaitOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    if (await probe(AbortSignal.timeout(Math.min(remaining, 70_000))).catch(() => false)) return;
    if (options.pid !== undefined && !isAlive(options.pid)) {
      const log = options.logFile ? await tail(options.logFile) : '';
      throw new Error(`${options.what}: process ${options.pid} exited before it was ready\n${log}`);
    }
    await sleep(options.intervalMs ?? 500);
  }
  const log = options.logFile ? `\n${await tail(options.logFile)}` : '';
  throw new Error(`${options.what}: not ready after ${options.timeoutMs} ms${log}`);
}

export function canConnect(port: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: HOST, port, signal });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function httpOk(url: string, signal: AbortSignal): Promise<boolean> {
  try {
    const response = await fetch(url, { signal });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/** Fails early, with the package to install, when a daemon's binary is missing (CI installs them with apt-get). */
export function requireCommand(command: string, installHint: string): void {
  const found = (process.env.PATH ?? '')
    .split(path.delimiter)
    .some((dir) => dir !== '' && fs.existsSync(path.join(dir, command)));
  if (!found) throw new Error(`${command} not found on PATH: ${installHint}`);
}
