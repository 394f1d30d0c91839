import { InputError } from '../errors/errors.ts';

const NAME = /[a-zA-Z_][a-zA-Z0-9_]*/y;

/**
 * A stream's labels as Loki's protobuf push carries them: Prometheus's label syntax `{a="b", c="d"}`
 * (promql/parser's series description; values are Go string literals, whose escapes JSON shares for
 * everything agents write). Throws InputError naming the position of a syntax error.
 */
export function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = skip(text, 0);
  if (text[i] !== '{') throw bad(text, i, 'expected "{"');
  i = skip(text, i + 1);
  while (text[i] !== '}') {
    NAME.lastIndex = i;
    const m = NAME.exec(text);
    if (!m) throw bad(text, i, 'expected a label name');
    i = skip(text, i + m[0].length);
    if (text[i] !== '=') throw bad(text, i, 'expected "="');
    i = skip(text, i + 1);
    const end = stringEnd(text, i);
    try {
      out[m[0]] = JSON.parse(text.slice(i, end)) as string;
    } catch {
      throw bad(text, i, 'expected a quoted label value');
    }
    i = skip(text, end);
    if (text[i] === ',') i = skip(text, i + 1);
    else if (text[i] !== '}') throw bad(text, i, 'expected "," or "}"');
  }
  if (skip(text, i + 1) !== text.length) throw bad(text, i + 1, 'unexpected text after "}"');
  return out;
}

function stringEnd(text: string, start: number): number {
  if (text[start] !== '"') return start;
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i += 1;
    else if (text[i] === '"') return i + 1;
  }
  return text.length;
}

const skip = (text: string, i: number): number => {
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n')) i += 1;
  return i;
};

const bad = (text: string, at: number, problem: string): InputError =>
  new InputError(`stream labels ${JSON.stringify(text.slice(0, 200))}: ${problem} at position ${at}`);
