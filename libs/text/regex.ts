import { RE2JS } from 're2js';
import { InputError } from '../errors/errors.ts';

/**
 * Every regular expression Pharos evaluates from user input (PromQL matchers and label_replace, metric
 * template filters, dashboard variable regexes, Alertmanager matchers, templates) goes through here. It is
 * RE2 with Go's syntax, as Prometheus and Alertmanager use (Go's regexp), evaluated by re2js, a port of Go's
 * regexp: time linear in the input whatever the pattern, so `(.+)+!` cannot freeze the process the way
 * JavaScript's backtracking RegExp does, and `(?i)`, `(?s:…)`, `\pL`, `[[:alpha:]]`, `\Q…\E` mean what they
 * mean in Prometheus. Lookarounds and backreferences (not RE2) are refused when a pattern is written.
 */

/** One match, shaped like RegExpExecArray: index 0 the whole match, then groups (undefined when unmatched). */
export interface RegexMatch {
  readonly [group: number]: string | undefined;
  readonly length: number;
  readonly groups?: Readonly<Record<string, string | undefined>> | undefined;
}

/**
 * Results of short values are remembered per pattern: re2js costs about a microsecond a call (ten times V8's
 * RegExp on an easy pattern), and the same label values come back at every step of a range query and for every
 * alert a route sees. Bounded: cleared when full, values over MEMO_VALUE_CHARS never kept.
 */
const MEMO_ENTRIES = 1024;
const MEMO_VALUE_CHARS = 256;

function remembered<T>(memo: Map<string, T>, value: string, compute: () => T): T {
  if (value.length > MEMO_VALUE_CHARS) return compute();
  const hit = memo.get(value);
  if (hit !== undefined) return hit;
  const out = compute();
  if (memo.size >= MEMO_ENTRIES) memo.clear();
  memo.set(value, out);
  return out;
}

export class Regex {
  private readonly tested = new Map<string, boolean>();
  private readonly executed = new Map<string, RegexMatch | null>();

  constructor(
    /** The pattern as written by the user (before anchoring). */
    readonly source: string,
    private readonly re: RE2JS,
  ) {}

  /** For an anchored matcher: whether the whole value matches. Otherwise: whether any part does. */
  test(value: string): boolean {
    return remembered(this.tested, value, () => this.re.test(value));
  }

  /** The first match and its groups; the result may be shared between callers: read it, never change it. */
  exec(value: string): RegexMatch | null {
    return remembered(this.executed, value, () => this.re.exec(value) as RegexMatch | null);
  }

  /**
   * Go's Regexp.ReplaceAllString: every non-overlapping match replaced by `template` expanded as Go's Expand
   * does; an empty match right after the previous match is not replaced (regexp.go, replaceAll).
   */
  replaceAll(src: string, template: string): string {
    const m = this.re.matcher(src);
    const names = this.re.namedGroups();
    let out = '';
    let lastEnd = 0;
    let pos = 0;
    while (pos <= src.length && m.find(pos)) {
      const start = m.start();
      const end = m.end();
      out += src.slice(lastEnd, start);
      if (end > lastEnd || start === 0) out += expandTemplate(template, matchOf(m, names));
      lastEnd = end;
      // Always advance by at least one character (a whole surrogate pair), as Go advances by a rune.
      const width = src.codePointAt(pos)! > 0xffff ? 2 : 1;
      pos = pos + width > end ? pos + width : end;
    }
    return out + src.slice(lastEnd);
  }
}

function matchOf(m: ReturnType<RE2JS['matcher']>, names: Record<string, number>): RegexMatch {
  const groups: (string | undefined)[] = [];
  for (let i = 0; i <= m.groupCount(); i++) groups.push(m.group(i) ?? undefined);
  const named = Object.fromEntries(Object.entries(names).map(([n, i]) => [n, groups[i]]));
  return Object.assign(groups, { groups: named });
}

/**
 * Go's Regexp.Expand (regexp.go): `$1`, `${1}`, `$name`, `${name}`; a name is as long as possible (`$1x` is
 * `${1x}`), a number with a leading zero is a name; `$$` is a literal `$`; an unknown or unmatched group
 * expands to nothing; a `$` followed by no name is kept as it is.
 */
export function expandTemplate(template: string, m: RegexMatch): string {
  return template.replace(
    /\$(?:(\$)|\{([a-zA-Z0-9_]+)\}|([a-zA-Z0-9_]+))/g,
    // replace() hands the groups as arguments: $$, ${name} and $name, in that order.
    (_all: string, ...groups: (string | undefined)[]) => {
      const [dollar, braced, bare] = groups;
      if (dollar) return '$';
      const name = (braced ?? bare) as string;
      if (/^(0|[1-9]\d{0,7})$/.test(name)) return m[Number(name)] ?? '';
      return m.groups?.[name] ?? '';
    },
  );
}

export interface MatcherRegexOptions {
  /**
   * Whether `.` matches a newline. Prometheus 3 compiles matchers and label_replace as `^(?s:re)$`;
   * Prometheus 2 and Alertmanager as `^(?:re)$` (Go's default: `.` stops at `\n`). Default true, as Pharos
   * has matched until now; the federation's version switch is this one parameter.
   */
  dotAll?: boolean;
}

/** Flags of an unanchored pattern: any of `i` (case-insensitive), `m` (multi-line), `s` (`.` matches `\n`). */
export interface RegexOptions {
  flags?: string;
}

const MAX_CACHED = 1000;
/** Compiled patterns, least recently used first; bounded in entries so hostile queries cannot grow it. */
const cache = new Map<string, Regex>();

function cached(key: string, make: () => Regex): Regex {
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const made = make();
  cache.set(key, made);
  if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value as string);
  return made;
}

const FLAG_BITS: Record<string, number> = { i: RE2JS.CASE_INSENSITIVE, m: RE2JS.MULTILINE, s: RE2JS.DOTALL };

/** A pattern RE2 does not accept; `reason` is re2js's (Go's) explanation, e.g. "missing closing ): `(`". */
export class RegexError extends InputError {
  constructor(
    message: string,
    readonly reason: string,
  ) {
    super(message);
  }
}

/** `text` is what RE2 compiles for the user's `source` (anchored or not); `prefix` starts the error message. */
function compile(
  source: string,
  { text, flags, prefix = '' }: { text: string; flags: number; prefix?: string },
): Regex {
  try {
    return new Regex(source, RE2JS.compile(text, flags));
  } catch (err) {
    const reason = String((err as Error).message ?? err).replace(/^error parsing regexp: /, '');
    throw new RegexError(`${prefix}invalid regular expression "${source}": ${reason}`, reason);
  }
}

/**
 * A PromQL / Alertmanager matcher regex, anchored as Prometheus anchors it (the text is wrapped, not parsed:
 * `^(?:re)$`, or `^(?s:re)$` with dotAll). Throws RegexError (a PromQL parse error, 400) for a pattern RE2 does not
 * accept.
 */
export function compileMatcherRegex(re: string, opts: MatcherRegexOptions = {}): Regex {
  const dotAll = opts.dotAll ?? true;
  return cached(`${dotAll ? 'a' : 'A'}\u0000${re}`, () =>
    compile(re, { text: dotAll ? `^(?s:${re})$` : `^(?:${re})$`, flags: 0, prefix: 'parse error: ' }),
  );
}

/** An unanchored pattern, as Go's regexp.MatchString / ReplaceAllString and Grafana's variable regex use. */
export function compileRegex(pattern: string, opts: RegexOptions = {}): Regex {
  const flags = [...(opts.flags ?? '')].reduce((bits, f) => bits | (FLAG_BITS[f] ?? 0), 0);
  return cached(`u${flags}\u0000${pattern}`, () => compile(pattern, { text: pattern, flags }));
}

/**
 * A pattern written for JavaScript's RegExp (Grafana's variable regex, which Grafana runs in the browser), in
 * RE2: re2js's translation turns `\u0041`, `\u{…}`, `(?<name>` and `/` into RE2's forms. What has no RE2 form
 * (lookarounds, backreferences) is refused with RegexError.
 */
export function compileJsRegex(pattern: string, flags = ''): Regex {
  return compileRegex(RE2JS.translateRegExp(pattern), { flags: flags.replace(/[^ims]/g, '') });
}

/** Why a pattern is not valid RE2 (re2js's reason), or undefined when it is. */
export function regexProblem(compileIt: () => Regex): string | undefined {
  try {
    compileIt();
    return undefined;
  } catch (err) {
    if (err instanceof RegexError) return err.reason;
    throw err;
  }
}

/** A pattern matching exactly `s` (RE2 metacharacters escaped). */
export const quoteRegex = (s: string): string => RE2JS.quote(s);
