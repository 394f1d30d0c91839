import { InputError } from '../errors/errors.ts';

/**
 * Grafana's Prometheus variable query `label_values(label)` / `label_values(series_selector, label)`
 * (https://grafana.com/docs/grafana/latest/datasources/prometheus/template-variables/#query-variable):
 * the values of `label`, optionally only on series matching the selector.
 */
export interface LabelValuesQuery {
  label: string;
  /** A series selector (`up{job="x"}`), already interpolated; absent means every series. */
  match?: string;
}

export function parseLabelValues(query: string): LabelValuesQuery {
  const m = /^\s*label_values\s*\((.*)\)\s*$/s.exec(query);
  if (!m) throw new InputError(`variable query "${query}" is not label_values(...)`);
  const args = m[1]!.trim();
  const comma = lastTopLevelComma(args);
  const label = (comma < 0 ? args : args.slice(comma + 1)).trim();
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(label)) throw new InputError(`label_values: "${label}" is not a label name`);
  const match = comma < 0 ? undefined : args.slice(0, comma).trim();
  return match ? { label, match } : { label };
}

/** The separating comma is the last one outside braces, parentheses and quotes (selectors contain commas). */
function lastTopLevelComma(text: string): number {
  let depth = 0;
  let quote: string | null = null;
  let found = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '{' || c === '(' || c === '[') depth++;
    else if (c === '}' || c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) found = i;
  }
  return found;
}
