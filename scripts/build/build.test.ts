import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTRY_POINTS, REPO_ROOT, SHIPPED_DEFAULTS, build, runtimeAssets } from './build.ts';

describe('npm run build', () => {
  // Inside the checkout, as dist/ is: package.json (type: module) and node_modules are found from there.
  mkdirSync(join(REPO_ROOT, 'test-output'), { recursive: true });
  const out = mkdtempSync(join(REPO_ROOT, 'test-output', 'build-'));
  const emitted = () => (readdirSync(out, { recursive: true }) as string[]).filter((f) => f.endsWith('.js'));

  // Without the type check (the same JavaScript); the smoke integration test runs `npm run build` with it.
  beforeAll(() => build({ outDir: out, typeCheck: false }), 180_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('compiles every entry point, with a source map beside each file', () => {
    for (const entry of ENTRY_POINTS) {
      expect(existsSync(join(out, entry)), entry).toBe(true);
      expect(readFileSync(join(out, entry), 'utf8')).toMatch(/\/\/# sourceMappingURL=\S+\.js\.map\s*$/);
    }
    const compiled = emitted().filter((f) => existsSync(join(REPO_ROOT, f.replace(/\.js$/, '.ts'))));
    expect(compiled.length).toBeGreaterThan(100);
    expect(compiled.filter((f) => !existsSync(join(out, `${f}.map`)))).toEqual([]);
    expect(compiled.filter((f) => /\.test\.js$/.test(f))).toEqual([]);
  });

  it('imports compiled files only: relative .ts specifiers are rewritten to .js', () => {
    const importsTs = /(?:from\s*|import\(\s*)['"]\.{1,2}\/[^'"]*\.ts['"]/;
    expect(emitted().filter((f) => importsTs.test(readFileSync(join(out, f), 'utf8')))).toEqual([]);
  });

  it('copies the files the code reads at run time, and the shipped defaults, beside it', () => {
    const assets = runtimeAssets();
    expect(assets).toContain('services/query/ui/index.html');
    expect(assets).toContain('libs/store/opensearch/templates/audit.json');
    for (const file of assets)
      expect(readFileSync(join(out, file)).equals(readFileSync(join(REPO_ROOT, file))), file).toBe(true);
    for (const path of SHIPPED_DEFAULTS) expect(existsSync(join(out, path)), path).toBe(true);
    expect(readdirSync(join(out, 'dashboards')).sort()).toEqual(readdirSync(join(REPO_ROOT, 'dashboards')).sort());
  });

  it('runs on plain node, and stack traces name the TypeScript file and line', () => {
    const loader = pathToFileURL(join(out, 'libs/config/config.loader.js')).href;
    const script = `import { loadConfig } from '${loader}'; try { loadConfig({ file: '/nonexistent/pharos.yaml' }) } catch (e) { console.log(e.stack) }`;
    const stack = execFileSync(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    expect(stack).toMatch(/cannot read file/);
    expect(stack).toMatch(
      new RegExp(`${join(REPO_ROOT, 'libs/config/config.loader.ts').replaceAll('/', '\\/')}:\\d+:\\d+`),
    );
  });

  it('gives the compiled health check its exit code: 1 where nothing listens', () => {
    const run = spawnSync(process.execPath, [join(out, 'scripts/deploy/healthcheck.js')], {
      cwd: out,
      env: { ...process.env, PHAROS_CONFIG: '', PHAROS_SERVER__PORT: '9' },
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(1);
  });
});
