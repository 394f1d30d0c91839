import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';

const run = promisify(execFile);

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Pinned so every machine renders the same YAML; kubectl 1.32 embeds this same kustomize. */
export const KUSTOMIZE_MODULE = 'sigs.k8s.io/kustomize/kustomize/v5@v5.5.0';
const STACK_BIN = join(REPO_ROOT, '.stack', 'bin');
const INSTALL_TIMEOUT_MS = 10 * 60_000;

/** One rendered Kubernetes object; fields beyond these are checked by the schema validator. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

/**
 * The kustomize command to run: the pinned binary cached under .stack/bin, else one on PATH, else it is
 * built there with `go install` (about a minute on a fresh machine; the Go module proxy serves it).
 */
export async function ensureKustomize(): Promise<string> {
  const cached = join(STACK_BIN, 'kustomize');
  if (existsSync(cached)) return cached;
  const onPath = await which('kustomize');
  if (onPath) return onPath;
  // Built into a folder of its own, then renamed into place: a concurrent test run never sees half a binary.
  const staging = mkdtempSync(join(tmpdir(), 'pharos-kustomize-'));
  try {
    await run('go', ['install', KUSTOMIZE_MODULE], {
      env: { ...process.env, GOBIN: staging, GOFLAGS: '-mod=mod' },
      timeout: INSTALL_TIMEOUT_MS,
      maxBuffer: 16 * 1024 * 1024,
    });
    mkdirSync(STACK_BIN, { recursive: true });
    copyFileSync(join(staging, 'kustomize'), `${cached}.${process.pid}`);
    chmodSync(`${cached}.${process.pid}`, 0o755);
    renameSync(`${cached}.${process.pid}`, cached);
  } catch (err) {
    throw new Error(
      `kustomize is not installed and "go install ${KUSTOMIZE_MODULE}" failed: ${(err as Error).message}`,
    );
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return cached;
}

async function which(cmd: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('sh', ['-c', `command -v ${cmd}`]);
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** `kustomize build <dir>` parsed into objects; `dir` is relative to the repository root. */
export async function renderKustomization(dir: string): Promise<K8sObject[]> {
  const bin = await ensureKustomize();
  const { stdout } = await run(bin, ['build', join(REPO_ROOT, dir)], { maxBuffer: 64 * 1024 * 1024 });
  return parseObjects(stdout, dir);
}

export function parseObjects(text: string, source: string): K8sObject[] {
  return parseAllDocuments(text).flatMap((doc, i) => {
    if (doc.errors.length) throw new Error(`${source}: document ${i}: ${doc.errors[0]?.message}`);
    const value: unknown = doc.toJS();
    return value === null || value === undefined ? [] : [value as K8sObject];
  });
}

// `npx tsx scripts/deploy/kustomize.ts deploy/kubernetes/overlays/host` prints the rendered manifests.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: tsx scripts/deploy/kustomize.ts <kustomization dir>');
    process.exit(2);
  }
  const bin = await ensureKustomize();
  const { stdout } = await run(bin, ['build', resolve(dir)], { maxBuffer: 64 * 1024 * 1024 });
  process.stdout.write(stdout);
}
