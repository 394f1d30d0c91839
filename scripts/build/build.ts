import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

/**
 * `npm run build`: the production build in dist/. tsc compiles the entry points of tsconfig.build.json and
 * everything they import (source maps beside each file), then the files the compiled code reads at run time
 * are copied beside it, so dist/ holds one installation in the sources' layout: dist/services/main.js,
 * dist/libs/…, and the shipped defaults that libs/config resolves against the installation folder.
 */

export const REPO_ROOT = resolve(import.meta.dirname, '../..');

/** Folders whose non-TypeScript files are read next to the code that uses them (the UI, index templates). */
export const ASSET_ROOTS = ['libs', 'services'] as const;

/** Files the config's defaults name relative to the installation: built-in dashboards, rules, metric templates. */
export const SHIPPED_DEFAULTS = ['dashboards', 'alert-rules', 'config/metric-templates.yaml'] as const;

/** The processes a deployment starts from dist/: the services, the image's health check, dead-letter replay. */
export const ENTRY_POINTS = [
  'services/main.js',
  'scripts/deploy/healthcheck.js',
  'scripts/replay-deadletter.js',
] as const;

export interface BuildOptions {
  /** Where the build goes; emptied first. */
  outDir: string;
  /**
   * false skips tsc's type check (tsc --noCheck emits the same JavaScript): for tests that build a layout
   * and run it, where `npm run typecheck` already checks the types.
   */
  typeCheck: boolean;
}

/** Non-TypeScript files under the asset roots, relative to the repository (tests' data lives in test/). */
export function runtimeAssets(root = REPO_ROOT): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && extname(entry.name) !== '.ts') found.push(relative(root, path));
    }
  };
  for (const dir of ASSET_ROOTS) walk(join(root, dir));
  return found.sort();
}

export function build({ outDir, typeCheck }: BuildOptions): void {
  rmSync(outDir, { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const args = [
    tsc,
    '-p',
    join(REPO_ROOT, 'tsconfig.build.json'),
    '--outDir',
    outDir,
    ...(typeCheck ? [] : ['--noCheck']),
  ];
  execFileSync(process.execPath, args, { cwd: REPO_ROOT, stdio: 'inherit' });
  for (const file of [...runtimeAssets(), ...SHIPPED_DEFAULTS]) {
    mkdirSync(dirname(join(outDir, file)), { recursive: true });
    cpSync(join(REPO_ROOT, file), join(outDir, file), { recursive: true });
  }
  const missing = ENTRY_POINTS.filter((entry) => !existsSync(join(outDir, entry)));
  if (missing.length) throw new Error(`the build holds no ${missing.join(', ')}: check tsconfig.build.json's files`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { 'out-dir': { type: 'string' }, 'no-check': { type: 'boolean' } } });
  const outDir = resolve(values['out-dir'] ?? join(REPO_ROOT, 'dist'));
  const startedAt = Date.now();
  build({ outDir, typeCheck: !values['no-check'] });
  console.log(`built ${relative(process.cwd(), outDir) || '.'} in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
}
