import { describe, expect, it } from 'vitest';
import { spanIndexDay, spanIndexName, spanPattern } from './opensearch-span.index.ts';

describe('span index names', () => {
  it("are read by trace analytics' pattern, per prefix, cluster and day, and one prefix never matches another's", () => {
    const name = spanIndexName('pharos', 'East', Date.UTC(2026, 0, 2, 23));
    expect(name).toBe('otel-v1-apm-span-pharos._45_ast-2026.01.02');
    expect(spanPattern('pharos')).toBe('otel-v1-apm-span-pharos.*');
    const glob = (pattern: string) => new RegExp(`^${pattern.replace(/[.]/g, '\\.').replace('*', '.*')}$`);
    expect(glob('otel-v1-apm-span-*').test(name)).toBe(true);
    expect(glob(spanPattern('pharos')).test(spanIndexName('pharos-staging', 'east', 0))).toBe(false);
    expect(spanIndexDay(name, 'pharos', 'East')).toBe(Date.UTC(2026, 0, 2));
    expect(spanIndexDay(name, 'pharos', 'west')).toBeUndefined();
    expect(spanIndexDay(spanIndexName('pharos-staging', 'east', 0), 'pharos')).toBeUndefined();
  });
});
