import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { configSchema, type PharosConfig } from './config.schema.ts';
import { prepareAlerting } from './sections/alertmanager/am-load.ts';

/** Raised when the configuration is invalid; lists every problem, one per line, for a stack-free exit. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(source: string, problems: string[]) {
    super(
      `Invalid configuration (${source}): ${problems.length} problem(s)\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export interface LoadOptions {
  /** Path of a YAML/JSON file; undefined means defaults plus environment only. */
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
}

/**
 * Loads the config once at boot: file, then environment overrides, then zod validation listing every
 * problem at once; the result is deep-frozen so no component can change it behind the others' backs.
 *
 * Environment overrides: PHAROS_<SECTION>__<KEY>=value, `__` separating levels, keys matched without case
 * or underscores (PHAROS_SERVER__PORT=9090, PHAROS_STORAGE__INDEX_PREFIX=x). Values are parsed as YAML, so
 * `PHAROS_BUS__BROKERS=[127.0.0.1:9092]` gives a list.
 */
export function loadConfig(options: LoadOptions = {}): Readonly<PharosConfig> {
  const env = options.env ?? process.env;
  const source = options.file ?? '(defaults)';
  let raw: unknown = {};
  if (options.file) {
    let text: string;
    try {
      text = readFileSync(options.file, 'utf8');
    } catch (err) {
      throw new ConfigError(source, [`cannot read file: ${(err as Error).message}`]);
    }
    try {
      raw = parseYaml(text) ?? {};
    } catch (err) {
      throw new ConfigError(source, [`not valid YAML: ${(err as Error).message.split('\n')[0]}`]);
    }
    if (typeof raw !== 'object' || Array.isArray(raw))
      throw new ConfigError(source, ['the top level must be a mapping']);
  }
  const withEnv = applyEnvOverrides(raw as Record<string, unknown>, env);
  const alerting =
    typeof withEnv.alerting === 'object' && withEnv.alerting !== null
      ? prepareAlerting(withEnv.alerting as Record<string, unknown>, env)
      : undefined;
  const result = configSchema.safeParse(alerting ? { ...withEnv, alerting: alerting.alerting } : withEnv);
  const fromFile = (path: PropertyKey[]) =>
    alerting?.file &&
    path[0] === 'alerting' &&
    typeof path[1] === 'string' &&
    ['global', 'route', 'receivers', 'inhibit_rules', 'templates', 'time_intervals', 'mute_time_intervals'].includes(
      path[1],
    );
  const problems = [
    ...(alerting?.problems ?? []),
    ...(result.success
      ? []
      : result.error.issues.map((i) =>
          fromFile(i.path)
            ? `${alerting?.file}: ${i.path.slice(1).map(String).join('.')}: ${i.message}`
            : `${i.path.map(String).join('.') || '(root)'}: ${i.message}`,
        )),
  ];
  if (!result.success || problems.length) throw new ConfigError(source, problems);
  return deepFreeze(resolveShippedDefaults(resolveSecretFiles(result.data, source)));
}

function applyEnvOverrides(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out = structuredClone(raw);
  for (const [name, value] of Object.entries(env)) {
    if (
      !name.startsWith('PHAROS_') ||
      value === undefined ||
      name === 'PHAROS_CONFIG' ||
      name.startsWith('PHAROS_STACK')
    )
      continue;
    const path = name.slice('PHAROS_'.length).split('__').filter(Boolean);
    if (path.length === 0) continue;
    setPath(out, path, parseYaml(value));
  }
  return out;
}

const norm = (k: string) => k.replace(/_/g, '').toLowerCase();

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  path.forEach((segment, i) => {
    const key = Object.keys(node).find((k) => norm(k) === norm(segment)) ?? camel(segment);
    if (i === path.length - 1) {
      node[key] = value;
      return;
    }
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  });
}

const camel = (s: string) => s.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function resolveSecretFiles(config: PharosConfig, source: string): PharosConfig {
  const problems: string[] = [];
  const tokens = config.auth.tokens.map((t, i) => {
    if (!t.tokenFile) return t;
    try {
      return { ...t, token: readFileSync(t.tokenFile, 'utf8').trim(), tokenFile: undefined };
    } catch (err) {
      problems.push(`auth.tokens.${i}.tokenFile: ${(err as Error).message}`);
      return t;
    }
  });
  if (problems.length) throw new ConfigError(source, problems);
  return { ...config, auth: { ...config.auth, tokens } };
}

/** The folder Pharos is installed in (this file is libs/config/config.loader.ts). */
export const PACKAGE_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

/**
 * Paths a user writes are relative to the working directory, as with any CLI. The shipped defaults
 * (built-in dashboards, default rules, metric templates) are files of the installation, so when left at
 * their default they resolve against it: `npm start` then works from any directory.
 */
function resolveShippedDefaults(config: PharosConfig): PharosConfig {
  const shipped = (value: string, dflt: string) =>
    value === dflt && !isAbsolute(value) ? resolve(PACKAGE_ROOT, value) : value;
  const d = configSchema.parse({});
  return {
    ...config,
    dashboards: { ...config.dashboards, dir: shipped(config.dashboards.dir, d.dashboards.dir) },
    federation: {
      ...config.federation,
      metricTemplatesFile: shipped(config.federation.metricTemplatesFile, d.federation.metricTemplatesFile),
    },
    alerting: {
      ...config.alerting,
      ruleFiles:
        JSON.stringify(config.alerting.ruleFiles) === JSON.stringify(d.alerting.ruleFiles)
          ? config.alerting.ruleFiles.map((f) => resolve(PACKAGE_ROOT, f))
          : config.alerting.ruleFiles,
    },
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
