import { describe, expect, it } from 'vitest';
import { naturalLess } from './natural-sort.ts';

describe('natural order of sort_by_label (facette/natsort)', () => {
  it('compares digit runs as numbers and the rest as strings', () => {
    const sorted = ['node-10', 'node-2', 'node-1', 'a', 'node-02', 'node'].sort((a, b) =>
      naturalLess(a, b) ? -1 : naturalLess(b, a) ? 1 : 0,
    );
    expect(sorted).toEqual(['a', 'node', 'node-1', 'node-02', 'node-2', 'node-10']);
    expect(naturalLess('x9', 'x10')).toBe(true);
    expect(naturalLess('x10', 'x9')).toBe(false);
  });
});
