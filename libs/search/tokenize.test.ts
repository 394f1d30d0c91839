import { describe, expect, it } from 'vitest';
import { lowerSimple, tokenize } from './tokenize.ts';

describe('tokenize', () => {
  it('splits on anything but letters and digits, and lowercases', () => {
    expect(tokenize('GET /api/v1/namespaces/kube-system/pods?limit=500')).toEqual([
      'get',
      'api',
      'v1',
      'namespaces',
      'kube',
      'system',
      'pods',
      'limit',
      '500',
    ]);
    expect(tokenize('  --  ')).toEqual([]);
    expect(tokenize('Zürich ÉTÉ 東京')).toEqual(['zürich', 'été', '東京']);
  });

  it('lowercases per character like Java (no final sigma, İ → i)', () => {
    expect(lowerSimple('ΟΔΟΣ')).toBe('οδοσ');
    expect(lowerSimple('İSTANBUL')).toBe('istanbul');
  });

  it('truncates very long tokens', () => {
    expect(tokenize('x'.repeat(5000))[0]).toHaveLength(1000);
  });
});
