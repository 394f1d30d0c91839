import { InputError } from '../../../libs/errors/errors.ts';
import { compileMatcherRegex, RegexError, type Regex } from '../../../libs/text/regex.ts';

/**
 * Alertmanager label matchers (https://prometheus.io/docs/alerting/latest/configuration/#matcher):
 * `name="value"`, `name=~"regex"`, `name!="value"`, `name!~"regex"`, quotes optional, several in `{…}`
 * separated by commas. Regexes are RE2 (Go's syntax, linear time: libs/text/regex.ts), anchored at both ends.
 */
export type MatchType = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  name: string;
  type: MatchType;
  value: string;
  re?: Regex;
  /**
   * Set on a matcher read back from storage whose regex is not valid RE2 (accepted by an older Pharos, which
   * used JavaScript's RegExp): such a matcher matches nothing, whatever its type, so the silence or rule that
   * holds it mutes or selects nothing instead of failing every evaluation.
   */
  invalid?: string;
}

const ONE = /^\s*([a-zA-Z_][a-zA-Z0-9_]*|"[^"]+")\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|[^,}]*?)\s*$/;

export function matcher(name: string, type: MatchType, value: string): Matcher {
  const m: Matcher = { name, type, value };
  if (type === '=~' || type === '!~') {
    try {
      m.re = compileMatcherRegex(value);
    } catch (err) {
      if (!(err instanceof RegexError)) throw err;
      throw new InputError(`invalid regular expression in matcher ${name}${type}"${value}": ${err.reason}`);
    }
  }
  return m;
}

/** A matcher from storage: like `matcher`, but a regex that is no longer valid gives a matcher that matches nothing. */
export function storedMatcher(name: string, type: MatchType, value: string): Matcher {
  try {
    return matcher(name, type, value);
  } catch (err) {
    return { name, type, value, invalid: (err as Error).message };
  }
}

export function parseMatcher(text: string): Matcher {
  const m = ONE.exec(text);
  if (!m)
    throw new InputError(
      `invalid matcher "${text}": expected name="value", name=~"regex", name!="value" or name!~"regex"`,
    );
  const name = (m[1] as string).replace(/^"|"$/g, '');
  let value = m[3] as string;
  if (value.startsWith('"')) value = JSON.parse(value) as string;
  return matcher(name, m[2] as MatchType, value);
}

/** A list of matchers, or one `{a="b", c=~"d"}` group, as amtool and Alertmanager accept. */
export function parseMatchers(texts: readonly string[]): Matcher[] {
  return texts.flatMap((t) => {
    const inner = t.trim().replace(/^\{/, '').replace(/\}$/, '');
    return splitTopLevel(inner)
      .filter((p) => p.trim() !== '')
      .map(parseMatcher);
  });
}

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '\\' && quoted) {
      cur += c + (s[++i] ?? '');
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ',' && !quoted) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

/** Legacy `match` / `match_re` maps plus `matchers`, as Alertmanager still accepts all three. */
export function configMatchers(c: {
  matchers?: string[] | undefined;
  match?: Record<string, string> | undefined;
  match_re?: Record<string, string> | undefined;
}): Matcher[] {
  return [
    ...Object.entries(c.match ?? {}).map(([k, v]) => matcher(k, '=', v)),
    ...Object.entries(c.match_re ?? {}).map(([k, v]) => matcher(k, '=~', v)),
    ...parseMatchers(c.matchers ?? []),
  ];
}

export function matches(m: Matcher, labels: Readonly<Record<string, string>>): boolean {
  if (m.invalid !== undefined) return false;
  const v = labels[m.name] ?? '';
  switch (m.type) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return (m.re as Regex).test(v);
    case '!~':
      return !(m.re as Regex).test(v);
  }
}

export const matchesAll = (ms: readonly Matcher[], labels: Readonly<Record<string, string>>): boolean =>
  ms.every((m) => matches(m, labels));

export function matcherString(m: Matcher): string {
  return `${m.name}${m.type}${JSON.stringify(m.value)}`;
}
