import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../libs/config/config.loader.ts';
import { checkAlertmanagerFile } from '../../../scripts/check-config.ts';
import { ensureLatestAlertmanager } from '../../../scripts/stack/alertmanager-latest.ts';

const run = promisify(execFile);
const DIR = resolve('test/fixtures/alertmanager-configs');
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.yml'))
  .sort();

/** amtool check-config's verdict (exit code 0 = accepted), with its message. */
async function amtool(binary: string, file: string): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout } = await run(binary, ['check-config', file]);
    return { ok: true, output: stdout };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('npm run check-config agrees with amtool check-config on the corpus', () => {
  let latest = '';
  const verdicts = new Map<string, { am25: boolean; am35: boolean; out25: string; out35: string }>();

  beforeAll(async () => {
    latest = (await ensureLatestAlertmanager((m) => console.log(m))).amtool;
    for (const f of files) {
      const [a, b] = await Promise.all([amtool('amtool', join(DIR, f)), amtool(latest, join(DIR, f))]);
      verdicts.set(f, { am25: a.ok, am35: b.ok, out25: a.output, out35: b.output });
    }
  }, 30 * 60_000);

  it('has at least 30 files, valid and invalid ones, the documentation examples among them', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
    const accepted = files.filter((f) => verdicts.get(f)?.am35);
    expect(accepted.length).toBeGreaterThanOrEqual(15);
    expect(files.length - accepted.length).toBeGreaterThanOrEqual(15);
    expect(files.filter((f) => f.includes('docs'))).toHaveLength(4);
  });

  it.each(files)('%s', (f) => {
    const v = verdicts.get(f)!;
    const newer = readFileSync(join(DIR, f), 'utf8').includes('# oracle: 0.35');
    const oracle = newer ? v.am35 : v.am25;
    // An unmarked file is about behaviour both versions share.
    if (!newer) expect({ file: f, am025: v.am25, am035: v.am35 }).toEqual({ file: f, am025: v.am25, am035: v.am25 });
    const pharos = checkAlertmanagerFile(join(DIR, f), {});
    expect({
      file: f,
      accepted: pharos.ok,
      problems: pharos.problems,
      amtool: (newer ? v.out35 : v.out25).split('\n')[0],
    }).toMatchObject({ file: f, accepted: oracle });
    if (!pharos.ok)
      expect(pharos.problems.every((p) => /^[\w.]+: /.test(p) || p.includes(': yaml:') || p.includes('field '))).toBe(
        true,
      );
    // Every integration of an accepted file can be built (its templates are within Pharos's Go-template subset).
    else expect(pharos.templateProblems).toEqual([]);
  });

  it('the CLI prints SUCCESS, what is not acted on, and FAILED with field paths; exit code as amtool', async () => {
    const ok = await run('npx', ['tsx', 'scripts/check-config.ts', join(DIR, '05-every-receiver-of-0.25.yml')]);
    expect(ok.stdout).toContain('SUCCESS');
    expect(ok.stdout).toContain(
      'receivers.0.pushover_configs (receiver "all"): Pharos does not deliver to Pushover yet',
    );
    const bad = await run('npx', ['tsx', 'scripts/check-config.ts', join(DIR, '43-slack-without-url.yml')]).catch(
      (e: { code: number; stdout: string }) => e,
    );
    expect((bad as { code?: number }).code).toBe(1);
    expect((bad as { stdout: string }).stdout).toContain(
      'receivers.0.slack_configs.0.api_url: no Slack API URL nor App token set either inline or in a file',
    );
    // A Pharos config is checked as Pharos loads it; files it names that this host lacks are listed, not failures.
    const pharos = await run('npx', [
      'tsx',
      'scripts/check-config.ts',
      'config/pharos.full-stack.yaml',
      'config/pharos.embedded.yaml',
    ]);
    expect(pharos.stdout).toContain("Checking 'config/pharos.full-stack.yaml' (Pharos config)  SUCCESS");
    expect(pharos.stdout).toContain('Files not on this host (read when Pharos starts):');
  });

  it('Pharos loads every accepted file through alerting.alertmanagerConfigFile, and refuses the others at boot', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pharos-amfile-'));
    for (const f of files) {
      const cfg = join(dir, `${f}.pharos.yaml`);
      writeFileSync(cfg, `alerting:\n  ruleFiles: []\n  alertmanagerConfigFile: ${join(DIR, f)}\n`);
      const v = verdicts.get(f)!;
      const oracle = readFileSync(join(DIR, f), 'utf8').includes('# oracle: 0.35') ? v.am35 : v.am25;
      let loaded = true;
      try {
        loadConfig({ file: cfg, env: {} });
      } catch {
        loaded = false;
      }
      expect({ file: f, loaded }).toEqual({ file: f, loaded: oracle });
    }
  });
});
