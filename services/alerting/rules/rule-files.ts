import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { InputError, PharosError, zodDetails, type ErrorDetail } from '../../../libs/errors/errors.ts';
import { FILE_YAML_LIMITS, parseYamlDocuments, yamlToJs } from '../../../libs/yaml/bounded-yaml.ts';
import { compileGroup, type CompiledGroup, type RuleCompileOptions } from './compile.ts';
import { prometheusRuleSchema, ruleFileSchema, type RuleGroupSpec } from './rule.schema.ts';

export interface FileProblem {
  file: string;
  message: string;
  details: ErrorDetail[];
}

/**
 * Reads rule groups from a YAML text: a Prometheus rule file (`groups:`) or PrometheusRule resources
 * (`spec.groups`), several documents allowed. Throws InputError listing every problem with its path.
 */
export function parseRuleText(text: string): RuleGroupSpec[] {
  const docs = parseYamlDocuments(text, 'rule file', FILE_YAML_LIMITS);
  const groups: RuleGroupSpec[] = [];
  const details: ErrorDetail[] = [];
  docs.forEach((doc, d) => {
    const prefix = docs.length > 1 ? `documents.${d}.` : '';
    if (doc.errors.length) {
      details.push(
        ...doc.errors.map((e) => ({ path: `${prefix}(yaml)`, message: e.message.split('\n')[0] as string })),
      );
      return;
    }
    const value = yamlToJs(doc, 'rule file', FILE_YAML_LIMITS);
    if (value === null || value === undefined) return;
    const isCr = typeof value === 'object' && (value as { kind?: unknown }).kind === 'PrometheusRule';
    const parsed = isCr ? prometheusRuleSchema.safeParse(value) : ruleFileSchema.safeParse(value);
    if (!parsed.success) {
      details.push(...zodDetails(parsed.error.issues).map((x) => ({ ...x, path: prefix + x.path })));
      return;
    }
    groups.push(
      ...(isCr
        ? (parsed.data as z.infer<typeof prometheusRuleSchema>).spec.groups
        : (parsed.data as z.infer<typeof ruleFileSchema>).groups),
    );
  });
  if (details.length)
    throw new InputError(`invalid rule file: ${details.map((x) => `${x.path}: ${x.message}`).join('; ')}`, details);
  return groups;
}

/** Loads every file the globs match; a bad file is reported and skipped, the others still load. */
export function loadRuleFiles(
  globs: readonly string[],
  opts: RuleCompileOptions,
  cwd = process.cwd(),
): { groups: CompiledGroup[]; problems: FileProblem[] } {
  const groups: CompiledGroup[] = [];
  const problems: FileProblem[] = [];
  for (const file of expandGlobs(globs, cwd)) {
    try {
      const specs = parseRuleText(readFileSync(resolve(cwd, file), 'utf8'));
      const details: ErrorDetail[] = [];
      specs.forEach((spec, i) => {
        try {
          groups.push(compileGroup(spec, { type: 'file', file }, opts));
        } catch (err) {
          const inner =
            err instanceof PharosError
              ? (err.details ?? [{ message: err.message }])
              : [{ message: (err as Error).message }];
          details.push(...inner.map((x) => ({ ...x, path: `groups.${i}.${x.path ?? ''}` })));
        }
      });
      if (details.length) problems.push({ file, message: `${details.length} problem(s)`, details });
    } catch (err) {
      problems.push({
        file,
        message: (err as Error).message,
        details: err instanceof PharosError ? (err.details ?? []) : [],
      });
    }
  }
  return { groups, problems };
}

/** Minimal glob (`*`, `**`, `?`, `{a,b}`): Node 20 has no fs.glob. Paths come back relative to cwd, sorted. */
export function expandGlobs(globs: readonly string[], cwd: string): string[] {
  const out = new Set<string>();
  for (const pattern of globs) {
    // An absolute glob is matched from the filesystem root and its files come back absolute.
    const abs = isAbsolute(pattern);
    const glob = abs ? pattern.slice(1) : pattern;
    const root = abs ? '/' : cwd;
    const name = (rel: string) => (abs ? `/${rel}` : rel);
    const parts = glob.split('/');
    const firstWild = parts.findIndex((p) => /[*?{[]/.test(p));
    if (firstWild < 0) {
      if (isFile(join(root, glob))) out.add(name(glob));
      continue;
    }
    const base = parts.slice(0, firstWild).join('/') || '.';
    const re = globToRegExp(glob.replace(/^\.\//, ''));
    for (const file of walk(join(root, base))) {
      const rel = relative(root, file).split(sep).join('/');
      if (re.test(rel)) out.add(name(rel));
    }
  }
  return [...out].sort();
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*' && glob[i + 1] === '*') {
      re += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const end = glob.indexOf('}', i);
      re += `(?:${glob
        .slice(i + 1, end)
        .split(',')
        .map(escape)
        .join('|')})`;
      i = end;
    } else re += escape(c);
  }
  return new RegExp(`^${re}$`);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function* walk(dir: string): Generator<string> {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    // ConfigMap volumes are symlinks (..data/…): follow them, but skip the ..-prefixed internals.
    const kind =
      e.isSymbolicLink() && !e.name.startsWith('..')
        ? statKind(p)
        : e.isDirectory()
          ? 'dir'
          : e.isFile()
            ? 'file'
            : 'other';
    if (kind === 'dir') yield* walk(p);
    else if (kind === 'file') yield p;
  }
}

function statKind(path: string): 'dir' | 'file' | 'other' {
  try {
    const st = statSync(path);
    return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
  } catch {
    return 'other';
  }
}
