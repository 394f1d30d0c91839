import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './build/build.ts';

/**
 * scripts/start.mjs (`npm start`) in an installation of its own: which entry it runs, and what it says when
 * what that mode needs is missing (no build for production, no tsx without dev dependencies).
 */
describe('npm start (scripts/start.mjs)', () => {
  const root = mkdtempSync(join(tmpdir(), 'pharos-start-'));
  mkdirSync(join(root, 'scripts'));
  copyFileSync(join(REPO_ROOT, 'scripts/start.mjs'), join(root, 'scripts/start.mjs'));
  writeFileSync(join(root, 'package.json'), '{ "type": "module" }');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const start = (env: Record<string, string>, ...args: string[]) =>
    spawnSync(process.execPath, [join(root, 'scripts/start.mjs'), ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });

  it('with NODE_ENV=production and no build, says to run the build', () => {
    const run = start({ NODE_ENV: 'production' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/npm run build/);
  });

  it('without tsx installed (no dev dependencies), says how to start instead', () => {
    const run = start({ NODE_ENV: 'development' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/tsx is a dev dependency.*NODE_ENV=production/);
  });

  it('with NODE_ENV=production, runs dist/services/main.js on plain node, as if started on it, with source maps on', () => {
    mkdirSync(join(root, 'dist/services'), { recursive: true });
    const probe =
      'console.log(JSON.stringify({ argv: process.argv.slice(1), maps: process.sourceMapsEnabled, loaders: process.execArgv }))';
    writeFileSync(join(root, 'dist/services/main.js'), probe);
    const run = start({ NODE_ENV: 'production' }, 'query', '--config', 'x.yaml');
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({
      argv: [join(root, 'dist/services/main.js'), 'query', '--config', 'x.yaml'],
      maps: true,
      loaders: [],
    });
  });
});
