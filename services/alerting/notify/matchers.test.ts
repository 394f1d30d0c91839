import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../libs/errors/errors.ts';
import { SqliteStateStore } from '../../../libs/store/state/sqlite-state.store.ts';
import { CATASTROPHIC } from '../../../test/support/backtracking.ts';
import { configMatchers, matcher, matches, matchesAll, parseMatchers, storedMatcher } from './matchers.ts';
import { SILENCE_COLLECTION, SilenceRepository, type Silence } from './silences.ts';

describe('Alertmanager matchers, RE2', () => {
  it('takes Go regexp flags and anchors the whole value', () => {
    const [m] = parseMatchers(['{alertname=~"(?i)disk.*"}']);
    expect(matches(m!, { alertname: 'DiskFull' })).toBe(true);
    expect(matches(m!, { alertname: 'NoDisk' })).toBe(false);
    expect(matchesAll(configMatchers({ match_re: { severity: '(?i:CRIT)ical|page' } }), { severity: 'critical' })).toBe(
      true,
    );
  });

  it('refuses what RE2 does not have when a matcher is written', () => {
    expect(() => matcher('alertname', '=~', '(?!Watchdog).*')).toThrow(InputError);
    expect(() => parseMatchers(['job=~"(a)\\\\1"'])).toThrow(/invalid regular expression in matcher job=~/);
  });

  it('answers backtracking patterns at once', () => {
    for (const [pattern, subject] of CATASTROPHIC)
      expect(matches(matcher('alertname', '=~', pattern), { alertname: subject })).toBe(false);
  });

  it('reads a stored matcher that is not RE2 as one that matches nothing, whatever its type', () => {
    for (const type of ['=~', '!~'] as const) {
      const m = storedMatcher('alertname', type, '(?!Watchdog).*');
      expect(m.invalid).toMatch(/invalid or unsupported Perl syntax/);
      expect(matches(m, { alertname: 'DiskFull' })).toBe(false);
      expect(matches(m, {})).toBe(false);
    }
    expect(matches(storedMatcher('a', '=~', 'x|y'), { a: 'y' })).toBe(true);
  });
});

describe('stored silences whose regex an older Pharos accepted', () => {
  it('mute nothing, and the other silences still work', async () => {
    const store = new SqliteStateStore(join(mkdtempSync(join(tmpdir(), 'pharos-silence-re2-')), 's.db'));
    await store.init();
    const now = Date.now();
    const old: Silence = {
      id: 'legacy',
      matchers: [{ name: 'alertname', value: '(?!Watchdog).*', isRegex: true, isEqual: false }],
      startsAt: now - 1000,
      endsAt: now + 3600_000,
      createdBy: 'old',
      comment: '',
      updatedAt: now,
    };
    await store.put(SILENCE_COLLECTION, { id: old.id, value: old });
    const silences = new SilenceRepository(store);
    const fresh = await silences.upsert({
      matchers: [{ name: 'alertname', value: '(?i)disk.*', isRegex: true }],
      startsAt: now - 1000,
      endsAt: now + 3600_000,
      createdBy: 't',
      comment: '',
    });
    expect(await silences.mutedBy({ alertname: 'DiskFull' })).toEqual([fresh.id]);
    expect(await silences.mutedBy({ alertname: 'Watchdog' })).toEqual([]);
    await expect(
      silences.upsert({ matchers: old.matchers, startsAt: now, endsAt: now + 1000, createdBy: 't', comment: '' }),
    ).rejects.toThrow(/invalid or unsupported Perl syntax/);
    await store.close();
  });
});
