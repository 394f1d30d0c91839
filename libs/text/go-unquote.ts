import { InputError } from '../errors/errors.ts';

/**
 * Go's strconv.Unquote for "…", '…' and `…` literals (https://pkg.go.dev/strconv#Unquote), as PromQL strings and
 * Alertmanager's UTF-8 matchers read them: raw strings as they are; in quoted ones \a \b \f \n \r \t \v \\, the
 * quote itself (\" only in "…", \' only in '…'), \xHH, \ooo, \uHHHH, \UHHHHHHHH. A bad literal is an InputError.
 */
const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
};
const HEX_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

export function goUnquote(text: string): string {
  const q = text[0];
  if (text.length < 2 || text[text.length - 1] !== q || (q !== '"' && q !== "'" && q !== '`'))
    throw new InputError(`unterminated quoted string ${text}`);
  const body = text.slice(1, -1);
  if (q === '`') return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i] ?? '';
    const len = HEX_LENGTH[e];
    if (SIMPLE_ESCAPES[e] !== undefined && (e !== "'" || q === "'") && (e !== '"' || q === '"'))
      out += SIMPLE_ESCAPES[e];
    else if (len !== undefined) {
      const hex = body.slice(i + 1, i + 1 + len);
      const code = parseInt(hex, 16);
      // Go refuses code points past U+10FFFF and surrogate halves (utf8.ValidRune).
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len || code > 0x10ffff || (code >= 0xd800 && code < 0xe000))
        throw new InputError(`invalid escape sequence in ${text}`);
      out += String.fromCodePoint(code);
      i += len;
    } else if (/[0-7]/.test(e)) {
      const oct = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct) || parseInt(oct, 8) > 255) throw new InputError(`invalid escape sequence in ${text}`);
      out += String.fromCharCode(parseInt(oct, 8));
      i += 2;
    } else throw new InputError(`invalid escape sequence "\\${e}" in ${text}`);
  }
  return out;
}
