import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseDockerfile, type DockerStage } from './deploy-files.ts';
import { REPO_ROOT } from './kustomize.ts';

/**
 * What the Dockerfile's stages say the image holds and runs, read without Docker: the runtime stage's
 * ENTRYPOINT, HEALTHCHECK and ENV, and the production dependencies its `--from=deps` node_modules holds.
 */

export function dockerStages(): DockerStage[] {
  return parseDockerfile(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8')).stages;
}

export function runtimeStage(stages = dockerStages()): DockerStage {
  return stages.at(-1)!;
}

/** The exec form (JSON array) of the runtime stage's ENTRYPOINT, or of its HEALTHCHECK's CMD. */
export function imageCommand(which: 'ENTRYPOINT' | 'HEALTHCHECK', stage = runtimeStage()): string[] {
  const args = stage.instructions.filter((i) => i.op === which).at(-1)?.args ?? '';
  const json = which === 'HEALTHCHECK' ? /\bCMD\s+(\[.*\])\s*$/.exec(args)?.[1] : args;
  if (!json) throw new Error(`the Dockerfile's runtime stage has no ${which} in exec form`);
  return JSON.parse(json) as string[];
}

/** The runtime stage's ENV variables (`ENV K=V K2="V 2"`). */
export function imageEnv(stage = runtimeStage()): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { args } of stage.instructions.filter((i) => i.op === 'ENV')) {
    for (const m of args.matchAll(/(\w+)=("([^"]*)"|\S+)/g)) env[m[1]!] = m[3] ?? m[2]!;
  }
  return env;
}

interface LockEntry {
  dev?: boolean;
}

/**
 * The packages `npm ci --omit=dev` installs at the top of node_modules: the lockfile's entries not marked
 * `dev` (a dev-only package and everything only it needs are), present on this machine (an optional
 * package for another platform is not). Nested ones come inside their parent's folder.
 */
export function productionPackages(root = REPO_ROOT): string[] {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  return Object.entries(lock.packages)
    .filter(([path, entry]) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(path) && !entry.dev)
    .map(([path]) => path.slice('node_modules/'.length))
    .filter((name) => existsSync(join(root, 'node_modules', name)))
    .sort();
}

/** node_modules holding only the production packages, each linked to this checkout's installed copy. */
export function linkProductionModules(dest: string, root = REPO_ROOT): string[] {
  const names = productionPackages(root);
  for (const name of names) {
    mkdirSync(dirname(join(dest, name)), { recursive: true });
    symlinkSync(join(root, 'node_modules', name), join(dest, name));
  }
  return names;
}
