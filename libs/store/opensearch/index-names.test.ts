import { describe, expect, it } from 'vitest';
import { encodeCluster, indexDay, indexName } from './index-names.ts';

describe('daily index names', () => {
  it('names <prefix>-<kind>-<cluster>-YYYY.MM.DD by the UTC day of the record', () => {
    expect(indexName('pharos', 'audit', { cluster: 'east', time: Date.UTC(2024, 2, 1, 23, 59) })).toBe(
      'pharos-audit-east-2024.03.01',
    );
  });

  it('keeps cluster names readable and one-to-one, lowercase only', () => {
    expect(encodeCluster('prod-eu.1')).toBe('prod-eu.1');
    expect(encodeCluster('East_1')).toBe('_45_ast_5f_1');
    expect(encodeCluster('east')).not.toBe(encodeCluster('East'));
  });

  it('reads the day back only for its own prefix, kind and cluster', () => {
    const day = Date.UTC(2024, 2, 1);
    expect(indexDay('pharos-logs-east-2024.03.01', { prefix: 'pharos', kind: 'logs', cluster: 'east' })).toBe(day);
    expect(
      indexDay('pharos-logs-east-2-2024.03.01', { prefix: 'pharos', kind: 'logs', cluster: 'east' }),
    ).toBeUndefined();
    expect(indexDay('pharos-logs-east-2-2024.03.01', { prefix: 'pharos', kind: 'logs' })).toBe(day);
    expect(indexDay('pharos-events-east-2024.03.01', { prefix: 'pharos', kind: 'logs' })).toBeUndefined();
    expect(indexDay('pharos-logs-east', { prefix: 'pharos', kind: 'logs' })).toBeUndefined();
  });
});
