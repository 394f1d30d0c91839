import { describe, expect, it } from 'vitest';
import { parseTime } from './time.ts';

describe('parseTime', () => {
  it('reads RFC 3339 with and without fractions and zones', () => {
    expect(parseTime('2024-07-02T17:02:26.406288Z')).toBe(Date.UTC(2024, 6, 2, 17, 2, 26, 406));
    expect(parseTime('2021-09-13T14:47:12Z')).toBe(Date.UTC(2021, 8, 13, 14, 47, 12));
    expect(parseTime('2021-09-13T16:47:12+02:00')).toBe(Date.UTC(2021, 8, 13, 14, 47, 12));
  });
  it('reads the space-separated EKS form as UTC, nanoseconds cut to milliseconds', () => {
    expect(parseTime('2024-11-13 18:34:10.595141000')).toBe(Date.UTC(2024, 10, 13, 18, 34, 10, 595));
    expect(parseTime('2022-11-29 00:09:04.38')).toBe(Date.UTC(2022, 10, 29, 0, 9, 4, 380));
  });
  it('reads epoch seconds (Fluent Bit date) and milliseconds', () => {
    expect(parseTime(1700000000.25)).toBe(1700000000250);
    expect(parseTime(1700000000250)).toBe(1700000000250);
    expect(parseTime('1700000000.5')).toBe(1700000000500);
  });
  it('refuses what is not a time', () => {
    for (const v of [undefined, null, '', 'yesterday', '2024-13-45T99:99:99Z', -1, Number.NaN, {}])
      expect(parseTime(v)).toBeUndefined();
  });
});
