import { describe, expect, it } from 'vitest';
import { FULL_SCOPE } from '../auth/principal.ts';
import { scopeKeyOf } from './scope-key.ts';

describe('scopeKeyOf', () => {
  it('is the same for the same scope in any order, different for any other scope', () => {
    expect(scopeKeyOf({ clusters: ['west', 'east'], namespaces: ['a'] })).toBe(
      scopeKeyOf({ clusters: ['east', 'west', 'east'], namespaces: ['a'] }),
    );
    const keys = [
      FULL_SCOPE,
      { clusters: ['east'], namespaces: ['*'] },
      { clusters: ['*'], namespaces: ['east'] },
      { clusters: ['east'], namespaces: [] },
      { clusters: ['east'], namespaces: ['a'] },
      { clusters: ['east,west'], namespaces: ['*'] },
      { clusters: ['east', 'west'], namespaces: ['*'] },
    ].map(scopeKeyOf);
    expect(new Set(keys).size).toBe(keys.length);
    expect(scopeKeyOf({ clusters: ['east', '*'], namespaces: ['*'] })).toBe(scopeKeyOf(FULL_SCOPE));
  });
});
