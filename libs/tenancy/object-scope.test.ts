import { describe, expect, it } from 'vitest';
import type { Principal } from '../auth/principal.ts';
import { definitionVisible, ownerScope, scopeWithin } from './object-scope.ts';

const principal = (clusters: string[], namespaces: string[]): Principal => ({
  name: 'p',
  role: 'editor',
  via: 'token',
  scope: { clusters, namespaces },
});

describe('object scopes', () => {
  it('gives restricted creators their scope and unrestricted ones none (global)', () => {
    expect(ownerScope(principal(['*'], ['*']))).toBeUndefined();
    expect(ownerScope(principal(['*'], ['payments']))).toEqual({ clusters: ['*'], namespaces: ['payments'] });
  });

  it('puts a scope within another only when every list is covered', () => {
    const pay = { clusters: ['*'], namespaces: ['payments'] };
    expect(scopeWithin(pay, pay)).toBe(true);
    expect(scopeWithin(pay, { clusters: ['*'], namespaces: ['*'] })).toBe(true);
    expect(scopeWithin(undefined, pay)).toBe(false);
    expect(scopeWithin(undefined, { clusters: ['*'], namespaces: ['*'] })).toBe(true);
    expect(scopeWithin(pay, { clusters: ['east'], namespaces: ['payments'] })).toBe(false);
    expect(
      scopeWithin(
        { clusters: ['east'], namespaces: ['payments'] },
        { clusters: ['east', 'west'], namespaces: ['payments', 'shop'] },
      ),
    ).toBe(true);
    expect(scopeWithin({ clusters: ['east'], namespaces: ['payments', 'shop'] }, pay)).toBe(false);
  });
});

describe('definitionVisible', () => {
  it('shows global definitions to every scope and scoped ones only within', () => {
    const pay = { clusters: ['*'], namespaces: ['payments'] };
    expect(definitionVisible(undefined, pay)).toBe(true);
    expect(definitionVisible(pay, pay)).toBe(true);
    expect(definitionVisible({ clusters: ['*'], namespaces: ['shop'] }, pay)).toBe(false);
  });
});
