import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, parseGoDuration, sumDurationTerms, tryParseDuration } from './duration.ts';

describe('parseDuration (model.ParseDuration)', () => {
  it('reads every unit, largest first, each once', () => {
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('1y2w3d4h5m6s7ms')).toBe(
      365 * 86_400_000 + 14 * 86_400_000 + 3 * 86_400_000 + 4 * 3_600_000 + 5 * 60_000 + 6000 + 7,
    );
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('1m')).toBe(60_000);
    expect(parseDuration('1ms')).toBe(1);
    expect(parseDuration('0')).toBe(0);
    expect(parseDuration('0s')).toBe(0);
  });

  it('refuses units out of order or repeated, fractions, signs and junk, with an InputError', () => {
    for (const bad of ['30m1h', '1m1m', '1.5h', '-1m', '', '1', 'h', '1x', '1h ', ' 1h', '1d1y'])
      expect(() => parseDuration(bad), bad).toThrow(/not a valid duration string/);
    expect(tryParseDuration('30m1h')).toBeUndefined();
    expect(tryParseDuration('5m')).toBe(300_000);
  });
});

describe('formatDuration (model.Duration.String)', () => {
  it('writes the largest units first, 0s for zero, whole milliseconds', () => {
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(75_000)).toBe('1m15s');
    expect(formatDuration(86_400_000)).toBe('1d');
    expect(formatDuration(8 * 86_400_000)).toBe('1w1d');
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(-60_000)).toBe('-1m');
    expect(formatDuration(1500.4)).toBe('1s500ms');
  });
});

describe('parseGoDuration (time.ParseDuration)', () => {
  it('reads fractions, signs and the small units', () => {
    expect(parseGoDuration('1.5h')).toBe(5_400_000);
    expect(parseGoDuration('1m30s')).toBe(90_000);
    expect(parseGoDuration('300ms')).toBe(300);
    expect(parseGoDuration('1500us')).toBe(1.5);
    expect(parseGoDuration('2µs')).toBe(0.002);
    expect(parseGoDuration('1000000ns')).toBe(1);
    expect(parseGoDuration('-1m')).toBe(-60_000);
    expect(parseGoDuration('0')).toBe(0);
  });

  it('refuses what Go refuses: no unit, days, empty', () => {
    for (const bad of ['10', '1d', '', 'm', '1h-1m']) expect(parseGoDuration(bad), bad).toBeUndefined();
  });
});

describe('sumDurationTerms (the dashboard schema form)', () => {
  it('sums terms in any order; 0 when there are none', () => {
    expect(sumDurationTerms('1h30m')).toBe(5_400_000);
    expect(sumDurationTerms('30s1m')).toBe(90_000);
    expect(sumDurationTerms('1w')).toBe(7 * 86_400_000);
    expect(sumDurationTerms('')).toBe(0);
  });
});
