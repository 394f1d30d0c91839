import { compileJsRegex, regexProblem, type Regex } from '../text/regex.ts';

const SLASHED = /^\/(.*)\/([gimsuy]*)$/s;

/**
 * A query variable's `regex` as Grafana writes it: `/pattern/flags`, or a bare pattern. Grafana evaluates it
 * with JavaScript's RegExp in the browser; Pharos evaluates it on the server, so with RE2 (linear time,
 * libs/text/regex.ts). `i`, `m` and `s` keep their meaning; `g`, `u`, `y` change nothing for a single match.
 */
export function compileVariableRegex(text: string): Regex {
  const m = SLASHED.exec(text);
  return m ? compileJsRegex(m[1] as string, m[2]) : compileJsRegex(text);
}

/** Why a variable regex cannot be evaluated (not RE2: a lookaround, a backreference), or undefined. */
export const variableRegexProblem = (text: string): string | undefined =>
  regexProblem(() => compileVariableRegex(text));
