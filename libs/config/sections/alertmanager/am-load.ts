import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { AM_TOP_LEVEL_KEYS } from './am-config.ts';
import { parseAmYaml, resolveEnvFields, resolveRelativePaths } from './am-yaml.ts';

export interface PreparedAlerting {
  alerting: Record<string, unknown>;
  problems: string[];
  /** The alertmanager.yml the Alertmanager sections came from, if any. */
  file?: string;
  /** `<field>_env` options used (where, and which variable). */
  envFields: string[];
}

/**
 * Before validation: reads `alerting.alertmanagerConfigFile` into the section (its relative paths made relative
 * to it) and resolves `<field>_env` options in the Alertmanager sections from the environment.
 */
export function prepareAlerting(alerting: Record<string, unknown>, env: NodeJS.ProcessEnv): PreparedAlerting {
  const problems: string[] = [];
  let out = { ...alerting };
  let file: string | undefined;
  if (typeof alerting.alertmanagerConfigFile === 'string' && alerting.alertmanagerConfigFile !== '') {
    file = resolve(alerting.alertmanagerConfigFile);
    const loaded = readAlertmanagerFile(file);
    problems.push(...loaded.problems.map((p) => `alerting.alertmanagerConfigFile: ${p}`));
    for (const key of Object.keys(loaded.value)) {
      if (key in alerting)
        problems.push(`alerting.${key}: given both inline and in alertmanagerConfigFile (${file}); keep one`);
    }
    out = { ...out, ...loaded.value };
  }
  const am = Object.fromEntries(AM_TOP_LEVEL_KEYS.filter((k) => k in out).map((k) => [k, out[k]]));
  const resolved = resolveEnvFields(am, env, ['alerting']);
  problems.push(...resolved.problems);
  return {
    alerting: { ...out, ...(resolved.value as object) },
    problems,
    envFields: resolved.used,
    ...(file ? { file } : {}),
  };
}

/** An alertmanager.yml as a mapping of its sections; unknown top-level keys are problems, as in Alertmanager. */
export function readAlertmanagerFile(file: string): { value: Record<string, unknown>; problems: string[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { value: {}, problems: [`cannot read ${file}: ${(err as Error).message}`] };
  }
  const parsed = parseAmYaml(text);
  if (parsed.problems.length) return { value: {}, problems: parsed.problems.map((p) => `${file}: ${p}`) };
  const value = parsed.value ?? {};
  if (typeof value !== 'object' || Array.isArray(value))
    return { value: {}, problems: [`${file}: the top level must be a mapping`] };
  const known = (k: string) => (AM_TOP_LEVEL_KEYS as readonly string[]).includes(k);
  const problems = Object.keys(value)
    .filter((k) => !known(k))
    .map((k) => `${file}: field ${k} not found in Alertmanager's configuration`);
  const sections = Object.fromEntries(Object.entries(value).filter(([k]) => known(k)));
  return { value: resolveRelativePaths(sections, dirname(file)) as Record<string, unknown>, problems };
}
