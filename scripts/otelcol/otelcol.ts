import { execFile } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Core collector modules and the builder share this version; contrib's filelog receiver is at .1 (platform notes). */
export const OTELCOL_VERSION = '0.165.0';
const BUILDER_MODULE = `go.opentelemetry.io/collector/cmd/builder@v${OTELCOL_VERSION}`;
const MANIFEST = join(dirname(fileURLToPath(import.meta.url)), 'manifest.yaml');
/** Outside the clone, keyed by version, so a fresh clone in CI reuses a binary built before (COMMON rules). */
export const BIN_DIR = process.env.PHAROS_BIN_CACHE ?? join(homedir(), '.cache', 'pharos', 'bin');
const BUILD_TIMEOUT_MS = 15 * 60_000;

const log = (msg: string): void => void process.stderr.write(`[otelcol] ${msg}\n`);

/**
 * The path of a small OpenTelemetry Collector distribution (otlp and file_log receivers, batch processor,
 * otlp_http and debug exporters), built once with the collector builder from the Go module proxy: a cold
 * build takes about 1.5 minutes on 2 cores, later calls return the cached binary at once.
 */
export async function ensureOtelcol(): Promise<string> {
  const target = join(BIN_DIR, `otelcol-pharos-${OTELCOL_VERSION}`);
  if (existsSync(target)) return target;
  const builder = await ensureBuilder();
  const staging = mkdtempSync(join(tmpdir(), 'pharos-otelcol-'));
  try {
    // The builder writes its Go sources and the binary to dist.output_path; a staging folder keeps a
    // concurrent run from seeing half a binary.
    const manifest = readFileSync(MANIFEST, 'utf8').replace(
      'dist:\n',
      `dist:\n  output_path: ${join(staging, 'out')}\n`,
    );
    writeFileSync(join(staging, 'manifest.yaml'), manifest);
    log(`building the collector (${OTELCOL_VERSION}) with the collector builder; about 1.5 minutes the first time`);
    await run(builder, ['--config', join(staging, 'manifest.yaml')], {
      timeout: BUILD_TIMEOUT_MS,
      maxBuffer: 64 * 1024 * 1024,
      env: goEnv(),
    });
    install(join(staging, 'out', 'otelcol-pharos'), target);
    log(`built ${target}`);
  } catch (err) {
    throw new Error(`building the OpenTelemetry Collector failed: ${(err as Error).message}`);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return target;
}

async function ensureBuilder(): Promise<string> {
  const target = join(BIN_DIR, `ocb-${OTELCOL_VERSION}`);
  if (existsSync(target)) return target;
  const staging = mkdtempSync(join(tmpdir(), 'pharos-ocb-'));
  try {
    log(`go install ${BUILDER_MODULE}`);
    await run('go', ['install', BUILDER_MODULE], {
      env: { ...goEnv(), GOBIN: staging },
      timeout: BUILD_TIMEOUT_MS,
      maxBuffer: 16 * 1024 * 1024,
    });
    install(join(staging, 'builder'), target);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return target;
}

function goEnv(): NodeJS.ProcessEnv {
  // GOFLAGS=-mod=mod: the builder's generated module resolves its own go.sum.
  return { ...process.env, GOFLAGS: '-mod=mod' };
}

function install(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  const tmp = `${to}.${process.pid}`;
  copyFileSync(from, tmp);
  chmodSync(tmp, 0o755);
  renameSync(tmp, to);
}

// `npx tsx scripts/otelcol/otelcol.ts` builds (or finds) the binary and prints its path.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(`${await ensureOtelcol()}\n`);
}
