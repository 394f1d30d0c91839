import { describe, expect, it } from 'vitest';
import { ForbiddenError } from '../errors/errors.ts';
import { emptyScopeProblem, grantedValues } from './empty-scope.ts';

describe('the empty-list rule', () => {
  it('names what an empty scope lacks', () => {
    expect(emptyScopeProblem({ clusters: ['*'], namespaces: [] })).toBe(
      'its scope lists no namespaces, so it grants nothing',
    );
    expect(emptyScopeProblem({ clusters: ['east'], namespaces: ['*'] })).toBeUndefined();
  });
  it('gives the allowed values, none for `*`, and refuses an empty list on every kind alike', () => {
    expect(grantedValues({ clusters: ['east'], namespaces: ['*'] }, 'clusters')).toEqual(['east']);
    expect(grantedValues({ clusters: ['east'], namespaces: ['*'] }, 'namespaces')).toBeUndefined();
    expect(() => grantedValues({ clusters: ['*'], namespaces: [] }, 'namespaces')).toThrow(ForbiddenError);
    expect(() => grantedValues({ clusters: [], namespaces: ['*'] }, 'clusters')).toThrow(/lists no clusters/);
  });
});
