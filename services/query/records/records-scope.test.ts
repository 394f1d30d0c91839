import { describe, expect, it } from 'vitest';
import { ForbiddenError } from '../../../libs/errors/errors.ts';
import { applyScope } from './records-scope.ts';

describe('applyScope', () => {
  it('makes a restricted list the filter, and refuses names outside it', () => {
    expect(applyScope({}, { clusters: ['east'], namespaces: ['*'] })).toEqual({ cluster: ['east'] });
    expect(() => applyScope({ namespace: ['shop'] }, { clusters: ['*'], namespaces: ['payments'] })).toThrow(
      ForbiddenError,
    );
  });

  it('never reads an empty list as "no filter": it grants nothing', () => {
    // The auth hook refuses such a principal first (libs/tenancy/empty-scope.ts); this is the second line.
    expect(() => applyScope({}, { clusters: ['*'], namespaces: [] })).toThrow(/lists no namespaces/);
    expect(() => applyScope({ cluster: ['east'] }, { clusters: [], namespaces: ['*'] })).toThrow(/lists no clusters/);
  });
});
