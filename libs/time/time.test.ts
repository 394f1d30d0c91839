import { describe, expect, it } from 'vitest';
import { epochToMs, parseTime, sourceTime } from './time.ts';

const NOW = Date.UTC(2026, 0, 15, 12, 34, 56, 789);
const JAN_1 = Date.UTC(2026, 0, 1);

describe('parseTime', () => {
  it('reads RFC 3339: zones, T or space, any case, fractions cut to ms, no zone as UTC, seconds optional', () => {
    expect(parseTime('2026-01-01T00:00:00Z')).toBe(JAN_1);
    expect(parseTime('2026-01-01t00:00:00z')).toBe(JAN_1);
    expect(parseTime('2026-01-01T01:00:00+01:00')).toBe(JAN_1);
    expect(parseTime('2026-01-01T01:00:00+0100')).toBe(JAN_1);
    expect(parseTime('2025-12-31T19:00:00-05:00')).toBe(JAN_1);
    expect(parseTime('2026-01-01 00:00:00.123456789Z')).toBe(JAN_1 + 123);
    expect(parseTime('2026-01-01 00:00:00')).toBe(JAN_1);
    expect(parseTime('2026-01-01T00:00Z')).toBe(JAN_1);
    expect(parseTime(' 2026-01-01T00:00:00Z ')).toBe(JAN_1);
  });

  it('reads unix seconds as strconv.ParseFloat does, rounded to the millisecond like Prometheus', () => {
    expect(parseTime('1767225600')).toBe(JAN_1);
    expect(parseTime('1767225600.5')).toBe(JAN_1 + 500);
    expect(parseTime('1767225600.1234')).toBe(JAN_1 + 123);
    expect(parseTime('1767225600.9996')).toBe(JAN_1 + 1000);
    expect(parseTime('1.7672256e9')).toBe(JAN_1);
    expect(parseTime('-1.5')).toBe(-1500);
    expect(parseTime('+0')).toBe(0);
    expect(parseTime('.5')).toBe(500);
    // Seconds unless told: a 13-digit number is 56 000 years away, not milliseconds.
    expect(parseTime('1767225600000')).toBe(JAN_1 * 1000);
    expect(parseTime('1767225600.123')! / 1000).toBe(1767225600.123);
  });

  it("with epoch 'seconds-or-ms', numbers from 1e11 up are milliseconds", () => {
    const either = { epoch: 'seconds-or-ms' } as const;
    expect(parseTime('1767225600000', either)).toBe(JAN_1);
    expect(parseTime('1767225600', either)).toBe(JAN_1);
    expect(parseTime('99999999999', either)).toBe(99_999_999_999_000);
    expect(parseTime('100000000000', either)).toBe(100_000_000_000);
  });

  it('reads Grafana relative forms only when given now', () => {
    const at = { now: NOW };
    expect(parseTime('now', at)).toBe(NOW);
    expect(parseTime('now-6h', at)).toBe(NOW - 6 * 3600e3);
    expect(parseTime('now+5m', at)).toBe(NOW + 5 * 60e3);
    expect(parseTime('now-250ms', at)).toBe(NOW - 250);
    expect(parseTime('now-1M', at)).toBe(NOW - 30 * 86400e3);
    expect(parseTime('now/d', at)).toBe(Date.UTC(2026, 0, 15));
    expect(parseTime('now-1d/d', at)).toBe(Date.UTC(2026, 0, 14));
    expect(parseTime('now/w', at)).toBe(Date.UTC(2026, 0, 12)); // a Monday
    expect(parseTime('now/M', at)).toBe(JAN_1);
    expect(parseTime('now/y', at)).toBe(JAN_1);
    expect(parseTime('now/h', at)).toBe(Date.UTC(2026, 0, 15, 12));
    expect(parseTime('now')).toBeUndefined();
    expect(parseTime('now-6x', at)).toBeUndefined();
  });

  it('refuses what is not a time', () => {
    for (const v of ['', 'yesterday', '2024-13-45T99:99:99Z', '2024-01-01', '0x10', '1e', 'Infinity', 'NaN', '12 34'])
      expect(parseTime(v)).toBeUndefined();
  });
});

describe('epochToMs', () => {
  it('rounds to whole milliseconds and refuses what is not finite', () => {
    expect(epochToMs(1.0005)).toBe(1001);
    expect(epochToMs(1767225600000, 'seconds-or-ms')).toBe(JAN_1);
    expect(epochToMs(Infinity)).toBeUndefined();
    expect(epochToMs(Number.NaN)).toBeUndefined();
  });
});

describe('sourceTime', () => {
  it('reads RFC 3339 with and without fractions and zones', () => {
    expect(sourceTime('2024-07-02T17:02:26.406288Z')).toBe(Date.UTC(2024, 6, 2, 17, 2, 26, 406));
    expect(sourceTime('2021-09-13T14:47:12Z')).toBe(Date.UTC(2021, 8, 13, 14, 47, 12));
    expect(sourceTime('2021-09-13T16:47:12+02:00')).toBe(Date.UTC(2021, 8, 13, 14, 47, 12));
  });
  it('reads the space-separated EKS form as UTC, nanoseconds cut to milliseconds', () => {
    expect(sourceTime('2024-11-13 18:34:10.595141000')).toBe(Date.UTC(2024, 10, 13, 18, 34, 10, 595));
    expect(sourceTime('2022-11-29 00:09:04.38')).toBe(Date.UTC(2022, 10, 29, 0, 9, 4, 380));
  });
  it('reads epoch seconds (Fluent Bit date) and milliseconds', () => {
    expect(sourceTime(1700000000.25)).toBe(1700000000250);
    expect(sourceTime(1700000000250)).toBe(1700000000250);
    expect(sourceTime('1700000000.5')).toBe(1700000000500);
  });
  it('refuses what is not a time', () => {
    for (const v of [undefined, null, '', 'yesterday', '2024-13-45T99:99:99Z', -1, Number.NaN, {}])
      expect(sourceTime(v)).toBeUndefined();
  });
  it('takes Date objects and refuses epoch values that are not positive or too short', () => {
    expect(sourceTime(new Date(JAN_1))).toBe(JAN_1);
    expect(sourceTime(new Date(Number.NaN))).toBeUndefined();
    for (const v of [0, '-1700000000', '170000000', '0000000000']) expect(sourceTime(v)).toBeUndefined();
  });
});
