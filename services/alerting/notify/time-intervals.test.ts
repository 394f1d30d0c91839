import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alertingConfigSchema } from '../../../libs/config/sections/alerting.ts';
import { createLogger } from '../../../libs/logging/logger.ts';
import { SqliteStateStore } from '../../../libs/store/state/sqlite-state.store.ts';
import type { NotifiableAlert } from '../engine/notifiable.ts';
import { recordingIntegration } from '../testing/fakes.ts';
import { Dispatcher } from './dispatcher.ts';
import { Inhibitor } from './inhibitor.ts';
import { NotificationLog } from './notification-log.ts';
import { buildRoute } from './route.ts';
import { SilenceRepository } from './silences.ts';
import { specContains, TimeIntervals } from './time-intervals.ts';

const parse = (intervals: unknown[]) =>
  alertingConfigSchema.parse({ ruleFiles: [], time_intervals: intervals }).time_intervals;
const at = (iso: string) => Date.parse(iso);

describe('time interval specs (timeinterval.ContainsTime)', () => {
  it('matches times [start, end), weekday and month ranges, years, in UTC when no location', () => {
    const [spec] = parse([
      {
        name: 'x',
        time_intervals: [
          {
            times: [{ start_time: '09:00', end_time: '17:00' }],
            weekdays: ['monday:friday'],
            months: ['march:april'],
            years: ['2026'],
          },
        ],
      },
    ])[0]!.time_intervals;
    expect(specContains(spec!, at('2026-03-02T09:00:00Z'))).toBe(true); // Monday 09:00
    expect(specContains(spec!, at('2026-03-02T16:59:59Z'))).toBe(true);
    expect(specContains(spec!, at('2026-03-02T17:00:00Z'))).toBe(false); // end is exclusive
    expect(specContains(spec!, at('2026-03-01T10:00:00Z'))).toBe(false); // Sunday
    expect(specContains(spec!, at('2026-05-04T10:00:00Z'))).toBe(false); // May
    expect(specContains(spec!, at('2027-03-01T10:00:00Z'))).toBe(false); // 2027
  });

  it('lets a weekday range wrap around the end of the week, as Alertmanager 0.35 does', () => {
    const [spec] = parse([{ name: 'x', time_intervals: [{ weekdays: ['friday:monday'] }] }])[0]!.time_intervals;
    expect(
      ['2026-03-06', '2026-03-07', '2026-03-08', '2026-03-09', '2026-03-10'].map((d) =>
        specContains(spec!, at(`${d}T12:00:00Z`)),
      ),
    ).toEqual([true, true, true, true, false]);
  });

  it('counts negative days from the end of the month in the location, and clamps', () => {
    const specs = parse([
      {
        name: 'x',
        time_intervals: [{ days_of_month: ['-2:-1'], location: 'Asia/Tokyo' }, { days_of_month: ['28:31'] }],
      },
    ])[0]!.time_intervals;
    // 2028 is a leap year: the last two days of February are the 28th and 29th.
    expect(specContains(specs[0]!, at('2028-02-28T00:00:00+09:00'))).toBe(true);
    expect(specContains(specs[0]!, at('2028-02-27T23:59:00+09:00'))).toBe(false);
    // 2028-02-29T20:00Z is already March 1st in Tokyo.
    expect(specContains(specs[0]!, at('2028-02-29T20:00:00Z'))).toBe(false);
    expect(specContains(specs[1]!, at('2026-02-28T12:00:00Z'))).toBe(true);
  });

  it('refuses what Alertmanager refuses, with the path', () => {
    const r = alertingConfigSchema.safeParse({
      time_intervals: [
        {
          name: 'bad',
          time_intervals: [
            {
              weekdays: ['friday:funday'],
              times: [{ start_time: '25:00', end_time: '26:00' }],
              location: 'europe/berlin',
            },
          ],
        },
      ],
    });
    expect(r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(
      expect.arrayContaining([
        'time_intervals.0.time_intervals.0.weekdays.0: funday is not a valid weekday',
        "time_intervals.0.time_intervals.0.times.0.start_time: couldn't parse timestamp 25:00, invalid format",
        'time_intervals.0.time_intervals.0.location: unknown time zone europe/berlin',
      ]),
    );
  });
});

/**
 * A clock walks a whole week across a daylight saving change, one group_interval (10 minutes) at a time. Each step a
 * new alert fires in the group, so each flush has something new to say. Notifications must go out at exactly the
 * flushes inside the route's active interval (weekdays 08:00–18:00 local) and outside its mute interval (lunch,
 * 12:00–13:00 local). The expectation uses the zone's known UTC offsets before and after the change, not the code
 * under test: Berlin UTC+1 → UTC+2 at 2026-03-29T01:00Z and back at 2026-10-25T01:00Z; New York UTC−5 → UTC−4 at
 * 2026-03-08T07:00Z and back at 2026-11-01T06:00Z.
 */
const WEEKS = [
  { zone: 'Europe/Berlin', start: '2026-03-23T00:00:00Z', change: '2026-03-29T01:00:00Z', before: 60, after: 120 },
  { zone: 'Europe/Berlin', start: '2026-10-19T00:00:00Z', change: '2026-10-25T01:00:00Z', before: 120, after: 60 },
  {
    zone: 'America/New_York',
    start: '2026-03-05T00:00:00Z',
    change: '2026-03-08T07:00:00Z',
    before: -300,
    after: -240,
  },
  {
    zone: 'America/New_York',
    start: '2026-10-29T00:00:00Z',
    change: '2026-11-01T06:00:00Z',
    before: -240,
    after: -300,
  },
];

function expectedOpen(ms: number, w: (typeof WEEKS)[number]): boolean {
  const offset = ms < at(w.change) ? w.before : w.after;
  const local = new Date(ms + offset * 60_000);
  const day = local.getUTCDay();
  const minute = local.getUTCHours() * 60 + local.getUTCMinutes();
  const active = day >= 1 && day <= 5 && minute >= 8 * 60 && minute < 18 * 60;
  const lunch = minute >= 12 * 60 && minute < 13 * 60;
  return active && !lunch;
}

describe.each(WEEKS)('a week across the DST change in $zone at $change', (w) => {
  it('notifies exactly inside active_time_intervals and outside mute_time_intervals', async () => {
    const c = alertingConfigSchema.parse({
      ruleFiles: [],
      time_intervals: [
        {
          name: 'office',
          time_intervals: [
            { weekdays: ['monday:friday'], times: [{ start_time: '08:00', end_time: '18:00' }], location: w.zone },
          ],
        },
        { name: 'lunch', time_intervals: [{ times: [{ start_time: '12:00', end_time: '13:00' }], location: w.zone }] },
      ],
      route: {
        receiver: 'r',
        routes: [
          {
            matchers: ['team="ops"'],
            receiver: 'r',
            group_by: ['team'],
            group_wait: '0s',
            group_interval: '10m',
            repeat_interval: '1000h',
            active_time_intervals: ['office'],
            mute_time_intervals: ['lunch'],
          },
        ],
      },
      receivers: [{ name: 'r' }],
    });
    const store = new SqliteStateStore(join(mkdtempSync(join(tmpdir(), 'pharos-dst-')), 's.db'));
    await store.init();
    const clock = { t: at(w.start) };
    const integ = recordingIntegration();
    const nflog = new NotificationLog(store);
    const d = new Dispatcher({
      route: buildRoute(c.route),
      receivers: new Map([['r', [integ]]]),
      silences: new SilenceRepository(store, () => clock.t),
      inhibitor: new Inhibitor([]),
      nflog,
      retry: { initialMs: 1, maxMs: 1, giveUpAfterMs: 1, sleep: async () => undefined },
      intervals: new TimeIntervals([c.time_intervals]),
      externalUrl: 'http://pharos.test',
      logger: createLogger('silent'),
      now: () => clock.t,
    });
    const sentAt: number[] = [];
    const notify = integ.notify.bind(integ);
    integ.notify = async (data, signal) => {
      sentAt.push(clock.t);
      return notify(data, signal);
    };
    const flushes: number[] = [];
    const end = at(w.start) + 7 * 86_400_000;
    for (let i = 0; clock.t < end; i++) {
      const alert: NotifiableAlert = {
        fingerprint: `a${i}`,
        labels: { alertname: 'Walk', team: 'ops', step: String(i) },
        annotations: {},
        startsAt: clock.t,
        endsAt: end + 86_400_000,
        generatorURL: '',
        updatedAt: clock.t,
      };
      d.put([alert]);
      d.tick();
      await d.idle();
      flushes.push(clock.t);
      clock.t += 10 * 60_000;
    }
    const expected = flushes.filter((t) => expectedOpen(t, w));
    expect(expected.length).toBeGreaterThan(200);
    expect(sentAt.map((t) => new Date(t).toISOString())).toEqual(expected.map((t) => new Date(t).toISOString()));
    // Flushes in the lunch hour are logged as muted, naming the interval; those outside office hours likewise.
    const log = await nflog.list({ limit: 1000 });
    const muted = log.items.filter((r) => r.result === 'muted');
    expect(muted.some((r) => r.mutedBy?.includes('mute_time_intervals: lunch'))).toBe(true);
    expect(muted.some((r) => r.mutedBy?.[0]?.startsWith('outside active_time_intervals: office'))).toBe(true);
    await store.close();
  }, 120_000);
});
