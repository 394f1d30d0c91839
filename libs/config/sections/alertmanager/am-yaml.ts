import { isAbsolute, join } from 'node:path';
import { parseDocument } from 'yaml';

/**
 * Reading alertmanager.yml as Alertmanager does (gopkg.in/yaml.v2): YAML 1.1 scalars (`yes`/`no`/`on`/`off` are
 * booleans), `<<` merge keys, duplicate keys refused; a key with no value (`receiver:`) is absent, not null.
 */
export function parseAmYaml(text: string): { value: unknown; problems: string[] } {
  const doc = parseDocument(text, { version: '1.1', uniqueKeys: true, merge: true, prettyErrors: false });
  const problems = doc.errors.map(
    (e) => `yaml: line ${(e.linePos?.[0]?.line ?? 0).toString()}: ${e.message.split('\n')[0]}`,
  );
  if (problems.length) return { value: undefined, problems };
  return { value: withoutNullFields(doc.toJS({ maxAliasCount: 1000 }) as unknown), problems };
}

/** Drops mapping keys whose value is null (yaml.v2 leaves such fields at their zero value); list items stay. */
export function withoutNullFields(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNullFields);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => x !== null && x !== undefined)
        .map(([k, x]) => [k, withoutNullFields(x)]),
    );
  }
  return v;
}

/**
 * `<field>_env: NAME` (Pharos): the value of environment variable NAME becomes `<field>`, for secrets and URLs that
 * users keep in the environment. Alertmanager itself has no such option (it refuses the key); check-config says so.
 * Returns the names used and the problems (unset variable, both given).
 */
export function resolveEnvFields(
  v: unknown,
  env: NodeJS.ProcessEnv,
  path: string[] = [],
): { value: unknown; used: string[]; problems: string[] } {
  const used: string[] = [];
  const problems: string[] = [];
  const walk = (x: unknown, at: string[]): unknown => {
    if (Array.isArray(x)) return x.map((item, i) => walk(item, [...at, String(i)]));
    if (!x || typeof x !== 'object') return x;
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(x)) {
      const base = /^(.+)_env$/.exec(k)?.[1];
      if (!base || typeof val !== 'string') {
        out[k] = walk(val, [...at, k]);
        continue;
      }
      const where = [...at, k].join('.');
      if (k in out || base in (x as object) || `${base}_file` in (x as object))
        problems.push(`${where}: give only one of ${base}, ${base}_file or ${k}`);
      const value = env[val];
      if (value === undefined) problems.push(`${where}: environment variable ${val} is not set`);
      else out[base] = value.trim();
      used.push(`${where} (${val})`);
    }
    return out;
  };
  return { value: walk(v, path), used, problems };
}

/**
 * Relative paths in an alertmanager.yml (`*_file`, `templates`) are relative to the file, as Alertmanager's
 * resolveFilepaths makes them.
 */
export function resolveRelativePaths(v: unknown, dir: string): unknown {
  const abs = (p: unknown) => (typeof p === 'string' && p !== '' && !isAbsolute(p) ? join(dir, p) : p);
  const walk = (x: unknown, key?: string): unknown => {
    if (Array.isArray(x)) return x.map((item) => (key === 'templates' ? abs(item) : walk(item)));
    if (!x || typeof x !== 'object') return key?.endsWith('_file') ? abs(x) : x;
    return Object.fromEntries(Object.entries(x).map(([k, val]) => [k, walk(val, k)]));
  };
  return walk(v);
}
