// `npm run check-config -- <file>...`: checks alertmanager.yml files as Alertmanager does (and as Pharos does when it
// loads them through alerting.alertmanagerConfigFile), or Pharos config files (pharos.yaml) as Pharos loads them.
// Prints, per file, SUCCESS or FAILED with every problem and its field path, then what Pharos accepts but does not
// act on, and what Pharos accepts that Alertmanager refuses. Exit code 1 when a file failed (as amtool's).
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ConfigError, loadConfig } from '../libs/config/config.loader.ts';
import { alertmanagerFileSchema, AM_TOP_LEVEL_KEYS } from '../libs/config/sections/alertmanager/am-config.ts';
import { readAlertmanagerFile } from '../libs/config/sections/alertmanager/am-load.ts';
import { configNotes, type ConfigNotes } from '../libs/config/sections/alertmanager/am-notes.ts';
import type { ReceiverConfig } from '../libs/config/sections/alertmanager/am-receiver.ts';
import { parseAmYaml, resolveEnvFields } from '../libs/config/sections/alertmanager/am-yaml.ts';
import { integrationsOf } from '../services/alerting/notify/receivers/registry.ts';
import { NotificationTemplates } from '../services/alerting/notify/templates.ts';
import type { GlobalConfig } from '../libs/config/sections/alertmanager/am-global.ts';

export interface CheckResult {
  file: string;
  kind: 'alertmanager' | 'pharos';
  ok: boolean;
  problems: string[];
  found: string[];
  notes: ConfigNotes;
  /** Files the config names that this host does not have (read when Pharos starts, on its own host). */
  missingFiles: string[];
  /**
   * Integrations Pharos cannot build, e.g. a template beyond its Go-template subset (Alertmanager would find out only
   * when sending).
   */
  templateProblems: string[];
}

const PHAROS_KEYS = [
  'server',
  'dataDir',
  'log',
  'storage',
  'bus',
  'collector',
  'clusters',
  'auth',
  'query',
  'retention',
  'federation',
  'alerting',
  'dashboards',
];

function templateProblems(c: { receivers: ReceiverConfig[]; global: GlobalConfig; templates: string[] }): string[] {
  const templates = new NotificationTemplates('http://check.invalid', c.templates);
  const out = [...templates.problems];
  for (const r of c.receivers)
    integrationsOf(r, { global: c.global, templates }, (where, message) => out.push(`${where}: ${message}`));
  return out;
}

export function checkAlertmanagerFile(file: string, env: NodeJS.ProcessEnv = process.env): CheckResult {
  const read = readAlertmanagerFile(file);
  const resolved = resolveEnvFields(read.value, env);
  const problems = [...read.problems, ...resolved.problems];
  const parsed = alertmanagerFileSchema.safeParse(resolved.value);
  if (!parsed.success)
    problems.push(...parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`));
  if (problems.length || !parsed.success)
    return {
      file,
      kind: 'alertmanager',
      ok: false,
      problems,
      found: [],
      notes: { notActedOn: [], pharosOnly: [] },
      missingFiles: [],
      templateProblems: [],
    };
  const c = parsed.data;
  const found = [
    'global config',
    'route',
    `${c.inhibit_rules.length} inhibit rules`,
    `${c.receivers.length} receivers`,
    `${c.templates.length} templates`,
  ];
  return {
    file,
    kind: 'alertmanager',
    ok: true,
    problems,
    found,
    notes: configNotes(c, { envFields: resolved.used }),
    missingFiles: [],
    templateProblems: templateProblems(c),
  };
}

export function checkPharosFile(file: string, env: NodeJS.ProcessEnv = process.env): CheckResult {
  try {
    const c = loadConfig({ file, env }).alerting;
    const found = [
      `${c.receivers.length} receivers`,
      `${c.inhibit_rules.length} inhibit rules`,
      `${c.time_intervals.length + c.mute_time_intervals.length} time intervals`,
    ];
    return {
      file,
      kind: 'pharos',
      ok: true,
      problems: [],
      found,
      notes: configNotes(c),
      missingFiles: [],
      templateProblems: templateProblems(c),
    };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // Files the config names (token files, secrets) are read when Pharos starts, on the host it runs on: their
    // absence here is reported, not a failure of the file being checked.
    const missing = err.problems.filter((p) => p.includes('ENOENT'));
    const problems = err.problems.filter((p) => !p.includes('ENOENT'));
    return {
      file,
      kind: 'pharos',
      ok: problems.length === 0,
      problems,
      found: [],
      notes: { notActedOn: [], pharosOnly: [] },
      missingFiles: missing,
      templateProblems: [],
    };
  }
}

/**
 * A file with Pharos's top-level keys (and none of Alertmanager's) is a Pharos config; anything else an
 * alertmanager.yml.
 */
export function checkFile(file: string, env: NodeJS.ProcessEnv = process.env): CheckResult {
  let keys: string[] = [];
  try {
    const value = parseAmYaml(readFileSync(file, 'utf8')).value;
    keys = value && typeof value === 'object' ? Object.keys(value) : [];
  } catch {
    // Unreadable: the Alertmanager check reports it.
  }
  const pharos =
    keys.some((k) => PHAROS_KEYS.includes(k)) &&
    !keys.some((k) => (AM_TOP_LEVEL_KEYS as readonly string[]).includes(k));
  return pharos ? checkPharosFile(file, env) : checkAlertmanagerFile(file, env);
}

export function formatResult(r: CheckResult): string {
  const lines = [
    `Checking '${r.file}' (${r.kind === 'pharos' ? 'Pharos config' : 'alertmanager.yml'})  ${r.ok ? 'SUCCESS' : 'FAILED'}`,
  ];
  if (!r.ok) lines.push(...r.problems.map((p) => `  - ${p}`));
  else if (r.found.length) lines.push('Found:', ...r.found.map((f) => ` - ${f}`));
  if (r.missingFiles.length)
    lines.push('Files not on this host (read when Pharos starts):', ...r.missingFiles.map((p) => ` - ${p}`));
  if (r.templateProblems.length)
    lines.push(
      'Integrations Pharos cannot build (they fail every notification until fixed):',
      ...r.templateProblems.map((p) => ` - ${p}`),
    );
  if (r.notes.notActedOn.length)
    lines.push('Accepted but not acted on by Pharos:', ...r.notes.notActedOn.map((p) => ` - ${p}`));
  if (r.notes.pharosOnly.length)
    lines.push('Pharos options (Alertmanager refuses a file with these):', ...r.notes.pharosOnly.map((p) => ` - ${p}`));
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const files = process.argv.slice(2).filter((a) => a !== '--');
  if (!files.length) {
    console.error('usage: npm run check-config -- <alertmanager.yml | pharos.yaml>...');
    process.exit(2);
  }
  const results = files.map((f) => checkFile(f));
  for (const r of results) console.log(`${formatResult(r)}\n`);
  process.exit(results.every((r) => r.ok) ? 0 : 1);
}
