import { describe, expect, it } from 'vitest';
import { ForbiddenError } from '../errors/errors.ts';
import { recordInScope, scopeRecordFilters } from './record-scope.ts';

const scope = { clusters: ['east'], namespaces: ['payments', 'shop'] };

describe('scopeRecordFilters', () => {
  it('adds the scope when the caller gives no cluster/namespace filter', () => {
    expect(scopeRecordFilters({ pod: ['api-1'] }, scope)).toEqual({
      pod: ['api-1'],
      cluster: ['east'],
      namespace: ['payments', 'shop'],
    });
  });
  it('keeps a narrower filter and refuses one outside the scope', () => {
    expect(scopeRecordFilters({ namespace: ['shop'] }, scope)).toEqual({ cluster: ['east'], namespace: ['shop'] });
    expect(() => scopeRecordFilters({ namespace: ['shop', 'kube-system'] }, scope)).toThrow(
      /"kube-system" is outside your scope/,
    );
    expect(() => scopeRecordFilters({ cluster: ['west'] }, scope)).toThrow(/PHAROS|outside/);
  });
  it('leaves an unrestricted scope alone and refuses an empty one', () => {
    expect(scopeRecordFilters({ namespace: ['x'] }, { clusters: ['*'], namespaces: ['*'] })).toEqual({
      namespace: ['x'],
    });
    expect(() => scopeRecordFilters({}, { clusters: ['*'], namespaces: [] })).toThrow(/grants no namespaces/);
  });
  it('re-checks records, including ones without a namespace', () => {
    expect(recordInScope({ cluster: 'east', namespace: 'shop' }, scope)).toBe(true);
    expect(recordInScope({ cluster: 'east' }, scope)).toBe(false);
    expect(recordInScope({ cluster: 'west', namespace: 'shop' }, scope)).toBe(false);
  });
});

// Moved from services/query/records/records-scope.test.ts with the copy it tested (issue 20: one policy per kind).
describe('scopeRecordFilters, as the records service applies it', () => {
  it('makes a restricted list the filter, and refuses names outside it', () => {
    expect(scopeRecordFilters({}, { clusters: ['east'], namespaces: ['*'] })).toEqual({ cluster: ['east'] });
    expect(() => scopeRecordFilters({ namespace: ['shop'] }, { clusters: ['*'], namespaces: ['payments'] })).toThrow(
      ForbiddenError,
    );
  });

  it('never reads an empty list as "no filter": it grants nothing', () => {
    // The auth hook refuses such a principal first (libs/tenancy/empty-scope.ts); this is the second line.
    expect(() => scopeRecordFilters({}, { clusters: ['*'], namespaces: [] })).toThrow(/lists no namespaces/);
    expect(() => scopeRecordFilters({ cluster: ['east'] }, { clusters: [], namespaces: ['*'] })).toThrow(
      /lists no clusters/,
    );
  });
});
