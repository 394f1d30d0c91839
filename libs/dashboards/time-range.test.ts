import { describe, expect, it } from 'vitest';
import { formatDuration, sumDurationTerms } from '../time/duration.ts';
import { parseTimeBound, parseTimeRange } from './time-range.ts';

const NOW = Date.UTC(2026, 0, 15, 12, 34, 56, 789);

describe('parseTimeBound', () => {
  it('reads Grafana relative times', () => {
    expect(parseTimeBound('now', NOW)).toBe(NOW);
    expect(parseTimeBound('now-6h', NOW)).toBe(NOW - 6 * 3600e3);
    expect(parseTimeBound('now+5m', NOW)).toBe(NOW + 5 * 60e3);
    expect(parseTimeBound('now-7d', NOW)).toBe(NOW - 7 * 86400e3);
    expect(parseTimeBound('now/d', NOW)).toBe(Date.UTC(2026, 0, 15));
    expect(parseTimeBound('now-1d/d', NOW)).toBe(Date.UTC(2026, 0, 14));
    expect(parseTimeBound('now/w', NOW)).toBe(Date.UTC(2026, 0, 12));
  });

  it('reads RFC 3339 and epoch milliseconds or seconds', () => {
    expect(parseTimeBound('2026-01-01T00:00:00Z', NOW)).toBe(Date.UTC(2026, 0, 1));
    expect(parseTimeBound('2026-01-01T01:00:00+01:00', NOW)).toBe(Date.UTC(2026, 0, 1));
    expect(parseTimeBound('1767225600000', NOW)).toBe(Date.UTC(2026, 0, 1));
    expect(parseTimeBound('1767225600', NOW)).toBe(Date.UTC(2026, 0, 1));
    expect(parseTimeBound('1767225600.5', NOW)).toBe(Date.UTC(2026, 0, 1) + 500);
  });

  it('refuses anything else with a 400-class error naming the field', () => {
    expect(() => parseTimeBound('yesterday', NOW, 'from')).toThrow(/from: "yesterday" is not a time/);
    expect(() => parseTimeBound('now-6x', NOW)).toThrow(/not a time/);
    expect(() => parseTimeRange('now', 'now-1h', NOW)).toThrow(/must be before/);
  });
});

describe('durations', () => {
  it('converts both ways', () => {
    expect(sumDurationTerms('1h30m')).toBe(5_400_000);
    expect(formatDuration(75_000)).toBe('1m15s');
    expect(formatDuration(86_400_000)).toBe('1d');
  });
});
