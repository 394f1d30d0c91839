import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseDockerfile } from '../../../scripts/deploy/deploy-files.ts';
import { REPO_ROOT } from '../../../scripts/deploy/kustomize.ts';

/**
 * The image's file system, laid out in a temp folder from the Dockerfile's own COPY lines (minus what
 * .dockerignore drops: tests), so a process started in `<root>/app` sees what the container sees. Only
 * node_modules is linked rather than installed.
 */
export interface ImageLayout {
  root: string;
  app: string;
  /** A path of the image (e.g. /etc/pharos/pharos.yaml) inside the layout. */
  path(imagePath: string): string;
}

export function buildImageLayout(): ImageLayout {
  const root = mkdtempSync(join(tmpdir(), 'pharos-image-'));
  const app = join(root, 'app');
  const path = (imagePath: string) => join(root, imagePath);
  mkdirSync(app, { recursive: true });
  const runtime = parseDockerfile(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8')).stages.at(-1)!;
  for (const { op, args } of runtime.instructions) {
    if (op !== 'COPY' || args.startsWith('--from')) continue;
    const parts = args.split(' ');
    const dest = parts.at(-1)!;
    for (const src of parts.slice(0, -1)) {
      const target = dest.startsWith('/') ? path(dest) : join(app, dest.endsWith('/') ? src : dest);
      mkdirSync(dirname(target), { recursive: true });
      cpSync(join(REPO_ROOT, src), target, { recursive: true, filter: (f) => !f.endsWith('.test.ts') });
    }
  }
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(app, 'node_modules'));
  return { root, app, path };
}

/** Writes a ConfigMap's data as the kubelet mounts it: files in ..<timestamp>/, ..data → it, keys → ..data/key. */
export function mountConfigMap(dir: string, data: Record<string, string>): void {
  const stamp = '..2026_01_01_00_00_00.000000001';
  mkdirSync(join(dir, stamp), { recursive: true });
  symlinkSync(stamp, join(dir, '..data'));
  for (const [key, text] of Object.entries(data)) {
    writeFileSync(join(dir, stamp, key), text);
    symlinkSync(join('..data', key), join(dir, key));
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface Started {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** Runs a command in the image's working directory, as its ENTRYPOINT or HEALTHCHECK would. */
export function runInImage(layout: ImageLayout, argv: string[], env: Record<string, string>): Started {
  const child = spawn(process.execPath, argv, { cwd: layout.app, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/**
 * Polls until `check` holds, or fails with the last answer and the processes' output; at once when
 * `gaveUp` says there is no point waiting (a process exited).
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  opts: { timeoutMs: number; context: () => string; gaveUp?: () => string | undefined },
): Promise<T> {
  const { timeoutMs, context } = opts;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const reason = opts.gaveUp?.();
    if (reason) throw new Error(`${what}: ${reason}\n${context()}`);
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms (last error: ${String(last)})\n${context()}`);
}
