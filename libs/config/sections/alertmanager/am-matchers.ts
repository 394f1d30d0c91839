import { regexProblem } from './am-primitives.ts';
import { goUnquote } from '../../../text/go-unquote.ts';

/**
 * Alertmanager's two matcher parsers, for `matchers`, `source_matchers`, `target_matchers` (and amtool filters):
 * - the classic one (pkg/labels/parse.go, the only one in 0.25): `name op value`, name `[a-zA-Z_:][a-zA-Z0-9_:]*`,
 *   value optionally double-quoted with OpenMetrics escapes, lists split on commas outside quotes, braces optional;
 * - the UTF-8 one (matcher/parse, 0.27+): tokens, label names and values quoted with Go string syntax or unquoted
 *   runs of non-reserved characters.
 * Alertmanager's default "fallback" mode (matcher/compat) accepts what either accepts and, when both do, keeps the
 * classic result; `parseAmMatchers` does the same.
 */
export type AmMatchType = '=' | '!=' | '=~' | '!~';

export interface AmMatcher {
  name: string;
  type: AmMatchType;
  value: string;
}

export class MatcherSyntaxError extends Error {
  override name = 'MatcherSyntaxError';
}

const CLASSIC = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(=~|=|!=|!~)\s*([\s\S]*?)\s*$/;

function checked(m: AmMatcher): AmMatcher {
  if (m.type === '=~' || m.type === '!~') {
    const problem = regexProblem(m.value);
    if (problem) throw new MatcherSyntaxError(`${m.name}${m.type}"${m.value}": ${problem}`);
  }
  return m;
}

/** labels.ParseMatcher of Alertmanager 0.25. */
export function parseClassicMatcher(s: string): AmMatcher {
  const ms = CLASSIC.exec(s);
  if (!ms) throw new MatcherSyntaxError(`bad matcher format: ${s}`);
  let raw = ms[3] as string;
  let expectQuote = false;
  if (raw.startsWith('"')) {
    raw = raw.slice(1);
    expectQuote = true;
  }
  let value = '';
  const chars = [...raw];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (c === '\\' && i < chars.length - 1) {
      const n = chars[++i] as string;
      value += n === 'n' ? '\n' : n === '"' || n === '\\' ? n : `\\${n}`;
    } else if (c === '"') {
      if (!expectQuote || i < chars.length - 1)
        throw new MatcherSyntaxError(`matcher value contains unescaped double quote: ${ms[3]}`);
      expectQuote = false;
    } else value += c;
  }
  if (expectQuote) throw new MatcherSyntaxError(`matcher value contains unescaped double quote: ${ms[3]}`);
  return checked({ name: ms[1] as string, type: ms[2] as AmMatchType, value });
}

/** labels.ParseMatchers of Alertmanager 0.25: braces optional, commas outside quotes separate. */
export function parseClassicMatchers(input: string): AmMatcher[] {
  let s = input.startsWith('{') ? input.slice(1) : input;
  if (s.endsWith('}')) s = s.slice(0, -1);
  const tokens: string[] = [];
  let token = '';
  let quoted = false;
  let escaped = false;
  for (const r of s) {
    if (r === ',' && !quoted) {
      tokens.push(token);
      token = '';
      continue;
    }
    if (r === '"') {
      if (!escaped) quoted = !quoted;
      else escaped = false;
    } else if (r === '\\') escaped = !escaped;
    else escaped = false;
    token += r;
  }
  if (token.trim() !== '') tokens.push(token.trim());
  return tokens.map(parseClassicMatcher);
}

type Tok = { kind: '{' | '}' | ',' | 'op' | 'quoted' | 'unquoted'; value: string };

const isReserved = (r: string) => /\s/u.test(r) || '{}!=~,\\"\'`'.includes(r);

function lex(input: string): Tok[] {
  const out: Tok[] = [];
  const chars = [...input];
  let i = 0;
  while (i < chars.length) {
    const r = chars[i] as string;
    if (r === '{' || r === '}' || r === ',') {
      out.push({ kind: r, value: r });
      i++;
    } else if (r === '=' || r === '!') {
      const two = r + (chars[i + 1] ?? '');
      if (two === '=~' || two === '!=' || two === '!~') {
        out.push({ kind: 'op', value: two });
        i += 2;
      } else if (r === '=') {
        out.push({ kind: 'op', value: '=' });
        i++;
      } else throw new MatcherSyntaxError(`${i}:${i + 1}: ${r}: expected one of '=~'`);
    } else if (r === '"') {
      let j = i + 1;
      let esc = false;
      for (; j < chars.length; j++) {
        if (esc) esc = false;
        else if (chars[j] === '\\') esc = true;
        else if (chars[j] === '"') break;
      }
      if (j >= chars.length)
        throw new MatcherSyntaxError(`${i}:${chars.length}: ${chars.slice(i).join('')}: missing end "`);
      out.push({ kind: 'quoted', value: chars.slice(i, j + 1).join('') });
      i = j + 1;
    } else if (/\s/u.test(r)) i++;
    else if (!isReserved(r)) {
      let j = i;
      while (j < chars.length && !isReserved(chars[j] as string)) j++;
      out.push({ kind: 'unquoted', value: chars.slice(i, j).join('') });
      i = j;
    } else throw new MatcherSyntaxError(`${i}:${i + 1}: ${r}: invalid input`);
  }
  return out;
}

/** A quoted token is a double-quoted Go string (strconv.Unquote); a bad escape is a syntax error of the matcher. */
function unquote(tok: Tok): string {
  if (tok.kind === 'unquoted') return tok.value;
  try {
    return goUnquote(tok.value);
  } catch {
    throw new MatcherSyntaxError(`${tok.value}: invalid input`);
  }
}

/** matcher/parse.Matchers (Alertmanager 0.27+). */
export function parseUtf8Matchers(input: string): AmMatcher[] {
  const toks = lex(input);
  const out: AmMatcher[] = [];
  let i = 0;
  const open = toks[0]?.kind === '{';
  if (open) i++;
  const expectValue = (what: string): Tok => {
    const t = toks[i++];
    if (!t) throw new MatcherSyntaxError(`unexpected end of input: expected ${what}`);
    if (t.kind !== 'quoted' && t.kind !== 'unquoted')
      throw new MatcherSyntaxError(`unexpected ${t.value}: expected ${what}`);
    return t;
  };
  while (i < toks.length && toks[i]?.kind !== '}') {
    const name = unquote(expectValue('label name'));
    const op = toks[i++];
    if (!op || op.kind !== 'op')
      throw new MatcherSyntaxError(
        `unexpected ${op?.value ?? 'end of input'}: expected an operator such as '=', '!=', '=~' or '!~'`,
      );
    const value = unquote(expectValue('label value'));
    if (name === '') throw new MatcherSyntaxError('expected label name');
    out.push(checked({ name, type: op.value as AmMatchType, value }));
    const next = toks[i];
    if (next?.kind === ',') i++;
    else if (next && next.kind !== '}')
      throw new MatcherSyntaxError(`unexpected ${next.value}: expected a comma or close brace`);
  }
  if (toks[i]?.kind === '}') {
    if (!open) throw new MatcherSyntaxError('}: expected opening brace');
    i++;
  } else if (open) throw new MatcherSyntaxError('expected close brace');
  if (i < toks.length) throw new MatcherSyntaxError(`${toks[i]?.value}: expected end of input`);
  return out;
}

/** Alertmanager's default (fallback) parsing of one matchers line: the classic result when it parses. */
export function parseAmMatchers(input: string): AmMatcher[] {
  try {
    return parseClassicMatchers(input);
  } catch (classic) {
    try {
      return parseUtf8Matchers(input);
    } catch {
      throw classic;
    }
  }
}

/** Alertmanager's order of matchers (labels.Matchers Less: name, then value, then type). */
export function sortAmMatchers<T extends AmMatcher>(ms: T[]): T[] {
  const types: AmMatchType[] = ['=', '!=', '=~', '!~'];
  return ms.sort((a, b) =>
    a.name !== b.name
      ? a.name < b.name
        ? -1
        : 1
      : a.value !== b.value
        ? a.value < b.value
          ? -1
          : 1
        : types.indexOf(a.type) - types.indexOf(b.type),
  );
}
