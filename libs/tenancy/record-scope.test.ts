import { describe, expect, it } from 'vitest';
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
