import { describe, expect, it } from 'vitest';
import { InputError } from '../errors/errors.ts';
import { parseSearch } from './search-parser.ts';

describe('parseSearch', () => {
  it('returns undefined for a blank query', () => {
    expect(parseSearch('')).toBeUndefined();
    expect(parseSearch('   ')).toBeUndefined();
  });

  it('reads words, phrases and fields, with implicit AND', () => {
    expect(parseSearch('error "connection refused" pod:api-1 user:"system:admin"')).toEqual({
      type: 'and',
      items: [
        { type: 'term', value: 'error' },
        { type: 'phrase', value: 'connection refused' },
        { type: 'term', value: 'api-1', field: 'pod' },
        { type: 'phrase', value: 'system:admin', field: 'user' },
      ],
    });
  });

  it('gives OR a lower precedence than AND, and NOT the highest', () => {
    expect(parseSearch('a b OR NOT c')).toEqual({
      type: 'or',
      items: [
        {
          type: 'and',
          items: [
            { type: 'term', value: 'a' },
            { type: 'term', value: 'b' },
          ],
        },
        { type: 'not', item: { type: 'term', value: 'c' } },
      ],
    });
  });

  it('honours parentheses and explicit AND', () => {
    expect(parseSearch('(a OR b) AND c')).toEqual({
      type: 'and',
      items: [
        {
          type: 'or',
          items: [
            { type: 'term', value: 'a' },
            { type: 'term', value: 'b' },
          ],
        },
        { type: 'term', value: 'c' },
      ],
    });
  });

  it('treats lowercase operators as words and keeps a colon value whole', () => {
    expect(parseSearch('a and b')).toEqual({
      type: 'and',
      items: ['a', 'and', 'b'].map((value) => ({ type: 'term', value })),
    });
    expect(parseSearch('user:system:serviceaccount:kube')).toEqual({
      type: 'term',
      value: 'system:serviceaccount:kube',
      field: 'user',
    });
    expect(parseSearch('http://x')).toEqual({ type: 'term', value: '//x', field: 'http' });
    expect(parseSearch(':x')).toEqual({ type: 'term', value: ':x' });
  });

  it('unescapes \\" inside phrases', () => {
    expect(parseSearch('"say \\"hi\\""')).toEqual({ type: 'phrase', value: 'say "hi"' });
  });

  it.each([
    ['"open', 'unterminated quoted phrase', 1],
    ['(a OR b', 'missing ")"', 8],
    ['a)', 'unbalanced ")"', 2],
    ['a AND', 'expected a term', 6],
    ['OR a', 'expected a term', 1],
    ['pod:', 'needs a value', 1],
    ['NOT', 'expected a term', 4],
    ['()', 'unexpected ")"', 2],
  ])('rejects %j with the position', (q, problem, pos) => {
    let error: unknown;
    try {
      parseSearch(q);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toContain(problem);
    expect((error as InputError).message).toContain(`position ${pos}`);
    expect((error as InputError).code).toBe('PHAROS_ERR_VALIDATION');
  });

  it('bounds nesting and length', () => {
    expect(() => parseSearch('('.repeat(40) + 'a' + ')'.repeat(40))).toThrow(/deeper than/);
    expect(() => parseSearch('a'.repeat(5000))).toThrow(/longer than/);
  });
});
