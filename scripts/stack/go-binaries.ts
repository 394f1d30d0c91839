// Engines built from Go modules (Prometheus 3.x beside the Debian 2.42): `go install` once per machine into a
// cache outside the clone (~/.cache/pharos/bin/<name>-<version>, PHAROS_BIN_CACHE to move it), reused by every
// clone and CI run. A cold build of Prometheus takes minutes on two cores, so progress is printed while it runs.
//   npx tsx scripts/stack/go-binaries.ts prometheus3    builds (if missing) and prints the paths
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Log } from './engine.ts';
import { requireCommand } from './process.ts';

export interface GoBinarySet {
  /** Cache key: files are `<binary>-<version>`. */
  version: string;
  /** Module path without version, and the commands to install from it. */
  module: string;
  moduleVersion: string;
  commands: string[];
  /** -X settings, e.g. the version Prometheus reports in /api/v1/status/buildinfo (empty without them). */
  ldflags: string;
}

/** Prometheus 3.16 = module v0.316.0; stamped so its buildinfo says 3.16.0, as a release build does. */
export const PROMETHEUS3: GoBinarySet = {
  version: '3.16.0',
  module: 'github.com/prometheus/prometheus',
  moduleVersion: 'v0.316.0',
  commands: ['cmd/prometheus', 'cmd/promtool'],
  ldflags: ['Version=3.16.0', 'Revision=v0.316.0', 'Branch=HEAD']
    .map((kv) => `-X github.com/prometheus/common/version.${kv}`)
    .join(' '),
};

export function binCache(): string {
  return process.env.PHAROS_BIN_CACHE ?? path.join(os.homedir(), '.cache', 'pharos', 'bin');
}

export function binaryPath(set: GoBinarySet, command: string): string {
  return path.join(binCache(), `${path.basename(command)}-${set.version}`);
}

const BUILD_TIMEOUT_MS = 60 * 60_000;

/** Paths of the set's binaries, building them first when any is missing from the cache. */
export async function ensureGoBinaries(set: GoBinarySet, log: Log): Promise<Record<string, string>> {
  const paths = Object.fromEntries(set.commands.map((c) => [path.basename(c), binaryPath(set, c)]));
  if (Object.values(paths).every((p) => fs.existsSync(p))) return paths;
  requireCommand('go', 'install Go 1.26 or newer (https://go.dev/dl)');
  await fs.promises.mkdir(binCache(), { recursive: true });
  // Built into a folder of its own, then renamed into place: a concurrent run never sees half a binary.
  const staging = await fs.promises.mkdtemp(path.join(binCache(), '.build-'));
  const targets = set.commands.map((c) => `${set.module}/${c}@${set.moduleVersion}`);
  log(`building ${targets.join(' ')} with go install (first time on this machine; cached in ${binCache()})`);
  const startedAt = Date.now();
  const ticker = setInterval(
    () => log(`  … still building (${Math.round((Date.now() - startedAt) / 1000)} s)`),
    30_000,
  );
  try {
    await goInstall(targets, set.ldflags, staging);
    for (const c of set.commands) await fs.promises.rename(path.join(staging, path.basename(c)), binaryPath(set, c));
    log(`built ${Object.keys(paths).join(', ')} ${set.version} in ${Math.round((Date.now() - startedAt) / 1000)} s`);
  } finally {
    clearInterval(ticker);
    await fs.promises.rm(staging, { recursive: true, force: true });
  }
  return paths;
}

function goInstall(targets: string[], ldflags: string, gobin: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('go', ['install', '-ldflags', ldflags, ...targets], {
      env: { ...process.env, GOBIN: gobin },
      timeout: BUILD_TIMEOUT_MS,
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`go install exited with ${code}\n${output.split('\n').slice(-30).join('\n')}`)),
    );
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const sets: Record<string, GoBinarySet> = { prometheus3: PROMETHEUS3 };
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !sets[w]);
  if (wanted.length === 0 || unknown.length) {
    console.error(`usage: tsx scripts/stack/go-binaries.ts ${Object.keys(sets).join('|')}`);
    process.exit(2);
  }
  for (const w of wanted)
    console.log(JSON.stringify(await ensureGoBinaries(sets[w] as GoBinarySet, (m) => console.log(`[stack] ${m}`))));
}
