import { describe, expect, it } from 'vitest';
import { formatDuration, formatValue, parseDuration, unquote } from './literals.ts';

describe('literals', () => {
  it.each([
    [1, '1'],
    [0.5, '0.5'],
    [1e21, '1000000000000000000000'],
    [1.5e-7, '0.00000015'],
    [-2.5e22, '-25000000000000000000000'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [123456.789, '123456.789'],
  ])('formats %d as Go FormatFloat(f, -1) does: %s', (v, want) => {
    expect(formatValue(v)).toBe(want);
  });

  it('reads and writes durations like Prometheus', () => {
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(() => parseDuration('30m1h')).toThrow();
  });

  it('unquotes Go string literals', () => {
    expect(unquote('"a\\nb\\u00e9\\x41"')).toBe('a\nbéA');
    expect(unquote("'it\\'s'")).toBe("it's");
    expect(unquote('`raw\\n`')).toBe('raw\\n');
  });
});
