import { z } from 'zod';
import { DURATION, variableSchema } from '../dashboard.schema.ts';
import { variableRegexProblem } from '../variable-regex.ts';
import { asArray, asBool, asNumber, asObject, asString, type Json, type Notes } from './import.types.ts';

/**
 * Grafana templating variables (https://grafana.com/docs/grafana/latest/dashboards/variables/) → Pharos
 * variables. Also used for KubeSphere `templatings`/`templating`, which copy Grafana's model.
 */
type VariableInput = z.input<typeof variableSchema>;

/** Where the variable is in the imported document (`path`), and the notes the import reports. */
interface ImportAt {
  path: string;
  notes: Notes;
}

type Converter = (v: Json, name: string, at: ImportAt) => VariableInput | undefined;

/** Variable converters keyed by Grafana variable type. */
const CONVERTERS: Record<string, Converter> = {
  query: (v, name, { path, notes }) => {
    const query = (asString(v.query) ?? asString(asObject(v.query)?.query) ?? asString(v.definition) ?? '').trim();
    if (/^label_values\s*\(/.test(query)) {
      const out: VariableInput = { type: 'query', name, query, ...selection(v), sort: sortOf(v.sort) };
      const regex = asString(v.regex);
      const problem = regex ? variableRegexProblem(regex) : undefined;
      if (problem)
        notes.add(
          path,
          `variable $${name}: regex ${regex} is not RE2, which Pharos evaluates (${problem}); left out, so every value is listed`,
        );
      else if (regex) out.regex = regex;
      return out;
    }
    const current = currentValues(v);
    notes.add(
      path,
      `variable $${name}: query "${query}" is not label_values(); ${current.length ? 'kept as a fixed list of its current value' : 'left out'}`,
    );
    return current.length ? { type: 'custom', name, options: current, ...selection(v) } : undefined;
  },
  custom: (v, name) => {
    const fromOptions = asArray(v.options)
      .map((o) => asString(asObject(o)?.value))
      .filter((o): o is string => !!o && o !== '$__all');
    // Grafana's custom query: comma-separated, `text : value` pairs allowed, `\,` escapes a comma.
    const fromQuery = (asString(v.query) ?? '')
      .split(/(?<!\\),/)
      .map((s) => s.replace(/\\,/g, ',').split(' : ').at(-1)!.trim())
      .filter(Boolean);
    const options = fromQuery.length ? fromQuery : fromOptions;
    return options.length ? { type: 'custom', name, options, ...selection(v) } : undefined;
  },
  interval: (v, name) => {
    const options = (asString(v.query) ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => DURATION.test(s));
    if (!options.length) return undefined;
    const out: VariableInput = { type: 'interval', name, options, auto: asBool(v.auto) ?? false };
    const count = asNumber(v.auto_count);
    if (count && count >= 1) out.autoCount = Math.round(count);
    const min = asString(v.auto_min);
    if (min && DURATION.test(min)) out.autoMin = min;
    const current = currentValues(v)[0];
    if (current && (DURATION.test(current) || current === '$__auto_interval' || current === 'auto'))
      out.default = current.startsWith('$') ? 'auto' : current;
    return out;
  },
  constant: (v, name) => {
    const value = asString(v.query) ?? '';
    return { type: 'custom', name, options: [value], hide: true, default: value };
  },
  textbox: (v, name, { path, notes }) => {
    const value = currentValues(v)[0] ?? asString(v.query) ?? '';
    notes.add(path, `variable $${name}: free-text box became a fixed value "${value}"`);
    return { type: 'custom', name, options: [value], default: value };
  },
  datasource: (_v, name, { path, notes }) => {
    notes.add(
      path,
      `variable $${name}: data source variables are not needed (Pharos queries its federated Prometheus); left out`,
    );
    return undefined;
  },
};

export function convertVariables(list: unknown[], basePath: string, notes: Notes): VariableInput[] {
  const out: VariableInput[] = [];
  list.forEach((value, i) => {
    const v = asObject(value) ?? {};
    const path = `${basePath}.${i}`;
    const name = asString(v.name) ?? '';
    const type = asString(v.type) ?? 'query';
    const convert = CONVERTERS[type];
    if (!convert) {
      notes.add(path, `variable $${name}: type "${type}" is not supported; left out`);
      return;
    }
    const variable = convert(v, name, { path, notes });
    if (!variable) {
      if (type !== 'datasource' && type !== 'query') notes.add(path, `variable $${name}: no usable options; left out`);
      return;
    }
    const label = asString(v.label);
    if (label) variable.label = label;
    if (v.hide === 2) variable.hide = true;
    const checked = variableSchema.safeParse(variable);
    if (checked.success) out.push(variable);
    else
      notes.add(
        path,
        `variable $${name} could not be converted: ${checked.error.issues.map((e) => `${e.path.join('.')}: ${e.message}`).join('; ')}`,
      );
  });
  return out;
}

function selection(v: Json): { multi: boolean; includeAll: boolean; allValue?: string; default?: string | string[] } {
  const out: ReturnType<typeof selection> = {
    multi: asBool(v.multi) ?? false,
    includeAll: asBool(v.includeAll) ?? false,
  };
  const allValue = asString(v.allValue);
  if (allValue) out.allValue = allValue;
  const current = currentValues(v);
  if (current.length) out.default = out.multi ? current : current[0]!;
  return out;
}

/** `current.value` (string or list), else options marked selected; empty strings dropped. */
function currentValues(v: Json): string[] {
  const value = asObject(v.current)?.value;
  const values = (Array.isArray(value) ? value : [value]).map(asString).filter((s): s is string => !!s);
  if (values.length) return values;
  return asArray(v.options)
    .map(asObject)
    .filter((o) => o?.selected === true)
    .map((o) => asString(o?.value))
    .filter((s): s is string => !!s);
}

/** Grafana sort codes: 0 none, odd ascending, even descending (alphabetical, numerical, case-insensitive). */
function sortOf(code: unknown): 'none' | 'asc' | 'desc' {
  const n = asNumber(code) ?? 0;
  if (n <= 0) return 'none';
  return n % 2 === 1 ? 'asc' : 'desc';
}
