import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config.loader.ts';
import { parseAmYaml } from './am-yaml.ts';

const dir = mkdtempSync(join(tmpdir(), 'pharos-amload-'));
const write = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const problems = (fn: () => unknown) => {
  try {
    fn();
    return [];
  } catch (err) {
    return (err as ConfigError).problems;
  }
};

describe('alerting.alertmanagerConfigFile and <field>_env', () => {
  it('loads a whole alertmanager.yml, its relative *_file paths made relative to it', () => {
    const am = write(
      'am.yml',
      'route:\n  receiver: pd\nreceivers:\n- name: pd\n  pagerduty_configs:\n  - routing_key_file: secrets/pd\n',
    );
    const c = loadConfig({
      file: write('p1.yaml', `alerting:\n  ruleFiles: []\n  alertmanagerConfigFile: ${am}\n`),
      env: {},
    });
    expect(c.alerting.receivers[0]?.pagerduty_configs?.[0]?.routing_key_file).toBe(join(dir, 'secrets/pd'));
  });

  it('says which file a problem is in, and refuses sections given twice', () => {
    const am = write('bad.yml', 'route:\n  receiver: nobody\nreceivers:\n- name: r\n');
    expect(
      problems(() => loadConfig({ file: write('p2.yaml', `alerting:\n  alertmanagerConfigFile: ${am}\n`), env: {} })),
    ).toEqual([`${am}: route.receiver: undefined receiver "nobody" used in route`]);
    const ok = write('ok.yml', 'route:\n  receiver: r\nreceivers:\n- name: r\n');
    expect(
      problems(() =>
        loadConfig({
          file: write('p3.yaml', `alerting:\n  alertmanagerConfigFile: ${ok}\n  route: { receiver: r }\n`),
          env: {},
        }),
      ),
    ).toEqual([expect.stringMatching(/^alerting\.route: given both inline and in alertmanagerConfigFile/)]);
    const unknown = write('unknown.yml', 'route:\n  receiver: r\nreceivers:\n- name: r\nrecievers: []\n');
    expect(
      problems(() =>
        loadConfig({ file: write('p4.yaml', `alerting:\n  alertmanagerConfigFile: ${unknown}\n`), env: {} }),
      ),
    ).toEqual([
      `alerting.alertmanagerConfigFile: ${unknown}: field recievers not found in Alertmanager's configuration`,
    ]);
  });

  it('takes a secret or URL from the environment with <field>_env, and reports an unset variable', () => {
    const file = write(
      'p5.yaml',
      'alerting:\n  ruleFiles: []\n  route: { receiver: s }\n  receivers:\n  - name: s\n    slack_configs:\n    - api_url_env: SLACK_URL\n',
    );
    const c = loadConfig({ file, env: { SLACK_URL: 'https://hooks.slack.com/services/T/B/X\n' } });
    expect(c.alerting.receivers[0]?.slack_configs?.[0]?.api_url).toBe('https://hooks.slack.com/services/T/B/X');
    expect(problems(() => loadConfig({ file, env: {} }))).toContain(
      'alerting.receivers.0.slack_configs.0.api_url_env: environment variable SLACK_URL is not set',
    );
  });
});

describe('alertmanager.yml as yaml.v2 reads it', () => {
  it('YAML 1.1 booleans, merge keys; empty keys absent; duplicate keys refused', () => {
    expect(parseAmYaml('a: yes\nb: off\nc:\nd: &x { e: 1 }\nf: { <<: *x, g: 2 }\n').value).toEqual({
      a: true,
      b: false,
      d: { e: 1 },
      f: { e: 1, g: 2 },
    });
    expect(parseAmYaml('a: 1\na: 2\n').problems[0]).toMatch(/^yaml: line \d+: /);
  });
});
