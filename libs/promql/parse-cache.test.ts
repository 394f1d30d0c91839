import { describe, expect, it } from 'vitest';
import { PROMQL_2, PROMQL_3 } from './parse-options.ts';
import { ParseCache } from './parse-cache.ts';
import { parsePromQL } from './parser.ts';

describe('ParseCache', () => {
  it("gives the parser's AST, the same frozen one for the same text and options", () => {
    const c = new ParseCache();
    const q = 'sum by (namespace) (rate(x{job="a"}[5m])) / on (namespace) group_left count(y)';
    const a = c.parse(q, PROMQL_2);
    expect(a).toEqual(parsePromQL(q, PROMQL_2));
    expect(c.parse(q, PROMQL_2)).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(() => {
      (a as { kind: string }).kind = 'number';
    }).toThrow(TypeError);
    expect(c.parse(q, PROMQL_3)).not.toBe(a);
  });

  it('keeps no error: a bad query throws every time', () => {
    const c = new ParseCache();
    expect(() => c.parse('sum(', PROMQL_2)).toThrow(/parse error/);
    expect(() => c.parse('sum(', PROMQL_2)).toThrow(/parse error/);
  });

  it('forgets the least recently used text beyond its bound', () => {
    const c = new ParseCache(2);
    const a = c.parse('a', PROMQL_2);
    const b = c.parse('b', PROMQL_2);
    expect(c.parse('a', PROMQL_2)).toBe(a);
    c.parse('c', PROMQL_2);
    expect(c.parse('a', PROMQL_2)).toBe(a);
    expect(c.parse('b', PROMQL_2)).not.toBe(b);
  });
});
