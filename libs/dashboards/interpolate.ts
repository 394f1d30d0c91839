/**
 * Template variable substitution, following Grafana's syntax and its Prometheus data source
 * (https://grafana.com/docs/grafana/latest/dashboards/variables/variable-syntax/): `$var`, `${var}`,
 * `${var:format}` and the deprecated `[[var]]`. A multi-value or "All" selection becomes a regex
 * alternation `(a|b)` with each value regex-escaped, ready for `=~`; a variable that is neither multi nor
 * includeAll is substituted as is (only string-escaped). Unknown names stay untouched, as in Grafana.
 */
export interface ResolvedVariable {
  /** The selected values (for "All": every option, or [] when the option list is unknown). */
  values: string[];
  isAll: boolean;
  /** The custom "All" value, used verbatim. */
  allValue?: string | undefined;
  /** multi or includeAll: values are regex-escaped even when only one is selected. */
  regexFormat: boolean;
}

export type VariableScope = Record<string, ResolvedVariable>;

const PATTERN =
  /\$([A-Za-z_][A-Za-z0-9_]*)|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z]+))?\}|\[\[([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z]+))?\]\]/g;

/**
 * Escapes a value for a PromQL double- or single-quoted string
 * (https://prometheus.io/docs/prometheus/latest/querying/basics/#string-literals).
 */
export const stringEscape = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/'/g, "\\'");
/** RE2 metacharacters escaped, then string-escaped, so the value matches itself inside `=~"…"`. */
export const regexEscape = (v: string): string => stringEscape(v.replace(/[\\^$*+?.()|{}[\]]/g, '\\$&'));

type Formatter = (v: ResolvedVariable) => string;

/** Formats for `${var:format}`, keyed by name, as Grafana names them. */
const FORMATS: Record<string, Formatter> = {
  raw: (v) => (v.isAll && v.allValue !== undefined ? v.allValue : v.values.join(',')),
  regex: (v) => alternation(v, regexEscape, true),
  pipe: (v) => v.values.join('|'),
  csv: (v) => v.values.join(','),
  text: (v) => (v.isAll ? 'All' : v.values.join(' + ')),
  /** For the Query API's `q`: each value a quoted phrase, several ORed. */
  search: (v) => {
    const quoted = v.values.map((x) => `"${x.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
    return quoted.length === 1 ? quoted[0]! : `(${quoted.join(' OR ')})`;
  },
  prometheus: (v) => (v.regexFormat ? alternation(v, regexEscape, false) : stringEscape(v.values[0] ?? '')),
};

function alternation(v: ResolvedVariable, escape: (s: string) => string, always: boolean): string {
  if (v.isAll && v.allValue !== undefined) return v.allValue;
  if (v.isAll && v.values.length === 0) return '.*';
  const escaped = v.values.map(escape);
  return escaped.length === 1 && !always ? escaped[0]! : `(${escaped.join('|')})`;
}

/** Substitutes every known variable in `text`; `defaultFormat` applies when the reference names none. */
export function interpolate(text: string, scope: VariableScope, defaultFormat = 'prometheus'): string {
  return text.replace(
    PATTERN,
    // replace() hands PATTERN's groups as arguments: $name, ${name}, its :format, [[name]], its :format.
    (match: string, ...groups: (string | undefined)[]) => {
      const [plain, braced, fmt1, bracket, fmt2] = groups;
      const name = plain ?? braced ?? bracket ?? '';
      const variable = scope[name];
      if (!variable) return match;
      const format = FORMATS[fmt1 ?? fmt2 ?? defaultFormat] ?? FORMATS[defaultFormat]!;
      return format(variable);
    },
  );
}

/** Names referenced in `text`, for dependency order and for "which variables does this panel use". */
export function referencedNames(text: string): string[] {
  return [...text.matchAll(PATTERN)].map((m) => m[1] ?? m[2] ?? m[4] ?? '').filter(Boolean);
}

/**
 * A filter value of a logs/events/audit target. A value that is exactly one variable expands to that
 * variable's values (any of them matches); "All" without a custom value drops the filter (undefined);
 * anything else is substituted as raw text.
 */
export function interpolateFilter(values: readonly string[], scope: VariableScope): string[] | undefined {
  const out: string[] = [];
  for (const value of values) {
    const whole = /^(?:\$([A-Za-z_]\w*)|\$\{([A-Za-z_]\w*)\}|\[\[([A-Za-z_]\w*)\]\])$/.exec(value.trim());
    const variable = whole ? scope[whole[1] ?? whole[2] ?? whole[3] ?? ''] : undefined;
    if (!variable) {
      out.push(interpolate(value, scope, 'raw'));
      continue;
    }
    if (variable.isAll && (variable.allValue === undefined || variable.allValue === '.*')) return undefined;
    out.push(...(variable.isAll && variable.allValue !== undefined ? [variable.allValue] : variable.values));
  }
  return out;
}

/** A fixed single value (built-ins such as $__interval). */
export const constant = (value: string): ResolvedVariable => ({ values: [value], isAll: false, regexFormat: false });
