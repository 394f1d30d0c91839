import { InputError, zodDetails } from '../errors/errors.ts';
import { REQUEST_YAML_LIMITS, YamlLimitError, parseYamlDocuments, yamlToJs } from '../yaml/bounded-yaml.ts';
import { assignPanelIds, dashboardSchema, type Dashboard } from './dashboard.schema.ts';

/**
 * Reads YAML or JSON text (JSON is YAML) holding exactly one document. Errors name the source and the
 * line, so a broken built-in file or upload is easy to find. JSON is read by JSON.parse: the yaml package
 * takes seconds for what JSON.parse reads in milliseconds, and YAML is bounded (libs/yaml/bounded-yaml.ts).
 */
export function parseDocumentText(text: string, source: string): unknown {
  const json = tryJson(text);
  if (json.ok) return json.value;
  try {
    return parseOne(text, source);
  } catch (err) {
    const repaired = indentQuotedContinuations(text);
    if (repaired === text || err instanceof YamlLimitError) throw err;
    return parseOne(repaired, source);
  }
}

function tryJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (!/^\s*[{[]/.test(text)) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function parseOne(text: string, source: string): unknown {
  const docs = parseYamlDocuments(text, source, REQUEST_YAML_LIMITS);
  const nonEmpty = docs.filter((d) => d.contents !== null || d.errors.length > 0);
  const bad = nonEmpty.find((d) => d.errors.length > 0);
  if (bad) {
    const e = bad.errors[0]!;
    const line = e.linePos?.[0]?.line;
    throw new InputError(`${source}: not valid YAML/JSON${line ? ` (line ${line})` : ''}: ${e.message.split('\n')[0]}`);
  }
  if (nonEmpty.length === 0) throw new InputError(`${source}: the document is empty`);
  if (nonEmpty.length > 1)
    throw new InputError(`${source}: holds ${nonEmpty.length} documents; send one dashboard at a time`);
  return yamlToJs(nonEmpty[0]!, source, REQUEST_YAML_LIMITS);
}

/**
 * Kubernetes reads YAML with go-yaml, which accepts a multi-line quoted scalar whose continuation lines sit
 * at the key's own indentation; YAML 1.2 (and the yaml package) wants them indented further. Published
 * KubeSphere dashboards contain such scalars, so on a parse error the continuation lines are indented by
 * two spaces and the text is read again.
 */
export function indentQuotedContinuations(text: string): string {
  const lines = text.split(/\r?\n/);
  let open: string | null = null;
  return lines
    .map((line) => {
      if (open) {
        if (closes(line, open)) open = null;
        return `  ${line}`;
      }
      const m = /^\s*(?:- )?[^\s#'"][^:#]*:\s+(['"])(.*)$/.exec(line);
      if (m && !closes(m[2]!, m[1]!)) open = m[1]!;
      return line;
    })
    .join('\n');
}

/** Whether `rest` (text after an opening quote) holds the closing quote. */
function closes(rest: string, quote: string): boolean {
  return quote === "'" ? rest.replace(/''/g, '').includes("'") : /(^|[^\\])(\\\\)*"/.test(rest);
}

/** Validates a definition; the error lists every problem with its dotted field path. */
export function validateDashboard(raw: unknown, source = 'dashboard'): Dashboard {
  const result = dashboardSchema.safeParse(raw);
  if (!result.success) {
    const details = zodDetails(result.error.issues);
    throw new InputError(
      `${source} is not a valid dashboard: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
      details,
    );
  }
  return assignPanelIds(result.data);
}

/** A slug for ids derived from titles, names or Grafana uids. */
export function slugify(text: string): string {
  const slug = text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+|-+$/g, '')
    .slice(0, 80);
  return slug || 'dashboard';
}
