import { describe, expect, it } from 'vitest';
import { InputError } from '../errors/errors.ts';
import { goUnquote } from './go-unquote.ts';

describe('goUnquote (strconv.Unquote)', () => {
  it('reads double-quoted strings with every escape', () => {
    expect(goUnquote('"a\\nb\\u00e9\\x41"')).toBe('a\nbéA');
    expect(goUnquote('"\\a\\b\\f\\n\\r\\t\\v\\\\\\""')).toBe('\x07\b\f\n\r\t\v\\"');
    expect(goUnquote('"\\101\\U0001F600"')).toBe('A😀');
    expect(goUnquote('""')).toBe('');
  });

  it('allows \\\' only in single quotes and \\" only in double quotes', () => {
    expect(goUnquote("'it\\'s'")).toBe("it's");
    expect(() => goUnquote('"it\\\'s"')).toThrow(InputError);
    expect(() => goUnquote('\'say \\"hi\\"\'')).toThrow(InputError);
  });

  it('keeps raw strings as they are', () => {
    expect(goUnquote('`raw\\n`')).toBe('raw\\n');
  });

  it('refuses bad literals with an InputError (never a RangeError)', () => {
    for (const bad of [
      '"unterminated',
      '"',
      'abc',
      'xabcx',
      '"\\q"',
      '"\\x4"',
      '"\\u12"',
      '"\\U00110000"',
      '"\\ud800"',
      '"\\777"',
      '"\\12"',
      '"trailing\\"',
    ])
      expect(() => goUnquote(bad), bad).toThrow(InputError);
  });
});
