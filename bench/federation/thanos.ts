import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../scripts/deploy/image-layout.ts';
import { httpOk, type BenchProcesses } from './processes.ts';
import type { PromServer } from './prometheus-sets.ts';

/**
 * Thanos 0.42.5, the peer Pharos is measured against: a sidecar per Prometheus and one Thanos Query over them
 * (which pulls raw series over gRPC and evaluates centrally). Built from the Go module source the way
 * ../shared/notes/platform.md says (`go install` cannot build it: the module needs Go ≥ 1.26.10 and has
 * replace directives; without the slicelabels tag every sidecar panics), once per machine, into the binary cache
 * shared with CI (~/.cache/pharos/bin, PHAROS_BIN_CACHE to move it).
 */
const VERSION = '0.42.5';
const MODULE = `github.com/thanos-io/thanos@v${VERSION}`;
const GO_ENV = { ...process.env, GOTOOLCHAIN: 'go1.26.10' };
const BUILD_TIMEOUT_MS = 90 * 60_000;

const exec = promisify(execFile);

export const thanosBinary = (): string =>
  join(process.env.PHAROS_BIN_CACHE ?? join(homedir(), '.cache', 'pharos', 'bin'), `thanos-${VERSION}`);

export async function ensureThanos(log: (m: string) => void): Promise<string> {
  const bin = thanosBinary();
  if (existsSync(bin)) return bin;
  const cache = join(bin, '..');
  await mkdir(cache, { recursive: true });
  // The source is copied to a fixed place beside the cache, so a rebuild finds Go's build cache for it too.
  const src = join(cache, '..', 'src', `thanos-${VERSION}`);
  // Built into a folder of its own and renamed into place: a concurrent run never sees half a binary.
  const staging = await mkdtemp(join(cache, '.thanos-build-'));
  const startedAt = Date.now();
  const ticker = setInterval(
    () => log(`  … still building Thanos (${Math.round((Date.now() - startedAt) / 1000)} s)`),
    30_000,
  );
  try {
    log(`building Thanos ${VERSION} from ${MODULE} (first time on this machine, minutes on 2 cores; cached as ${bin})`);
    if (!existsSync(join(src, 'go.mod'))) {
      const { stdout } = await exec('go', ['mod', 'download', '-json', MODULE], {
        env: GO_ENV,
        cwd: tmpdir(),
        maxBuffer: 16 * 2 ** 20,
      });
      await rm(src, { recursive: true, force: true });
      await cp((JSON.parse(stdout) as { Dir: string }).Dir, src, { recursive: true });
      await chmodTree(src);
    }
    await goBuild(src, join(staging, 'thanos'));
    await rename(join(staging, 'thanos'), bin);
    log(`built Thanos in ${Math.round((Date.now() - startedAt) / 1000)} s`);
  } finally {
    clearInterval(ticker);
    await rm(staging, { recursive: true, force: true });
  }
  return bin;
}

/** The module cache is read-only; the copy must be writable for the build (and for removing it). */
async function chmodTree(dir: string): Promise<void> {
  await exec('chmod', ['-R', 'u+w', dir]);
}

function goBuild(src: string, out: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('go', ['build', '-tags', 'netgo,slicelabels', '-o', out, './cmd/thanos'], {
      cwd: src,
      env: GO_ENV,
      timeout: BUILD_TIMEOUT_MS,
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`go build exited with ${code}\n${output.split('\n').slice(-30).join('\n')}`)),
    );
  });
}

export interface ThanosQuery {
  url: string;
  pid: number | undefined;
}

/** A sidecar per server, then Thanos Query over all of them; ready when /api/v1/stores lists every sidecar. */
export async function startThanos(
  proc: BenchProcesses,
  { bin, set, servers }: { bin: string; set: string; servers: PromServer[] },
): Promise<ThanosQuery> {
  const endpoints: string[] = [];
  for (const s of servers) {
    const [grpc, http] = [await freePort(), await freePort()];
    const name = `thanos-sidecar-${set}-${s.cluster}`;
    proc.start(name, {
      command: bin,
      args: [
        'sidecar',
        `--prometheus.url=${s.url}`,
        `--tsdb.path=${s.dataDir}`,
        `--grpc-address=127.0.0.1:${grpc}`,
        `--http-address=127.0.0.1:${http}`,
        '--log.level=warn',
      ],
    });
    await proc.waitFor(name, () => httpOk(`http://127.0.0.1:${http}/-/ready`));
    endpoints.push(`127.0.0.1:${grpc}`);
  }
  const [grpc, http] = [await freePort(), await freePort()];
  const name = `thanos-query-${set}`;
  const child = proc.start(name, {
    command: bin,
    args: [
      'query',
      `--http-address=127.0.0.1:${http}`,
      `--grpc-address=127.0.0.1:${grpc}`,
      ...endpoints.map((e) => `--endpoint=${e}`),
      '--log.level=warn',
    ],
  });
  const url = `http://127.0.0.1:${http}`;
  await proc.waitFor(name, async () => {
    const r = (await (await fetch(`${url}/api/v1/stores`)).json()) as { data?: Record<string, unknown[]> };
    return Object.values(r.data ?? {}).flat().length >= endpoints.length;
  });
  return { url, pid: child.pid };
}
