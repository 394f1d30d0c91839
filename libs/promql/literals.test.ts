import { describe, expect, it } from 'vitest';
import { formatValue } from './literals.ts';

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
});
