import { z } from 'zod';
import { amString, issue } from './am-primitives.ts';

/**
 * Alertmanager's time intervals (timeinterval/timeinterval.go, `time_intervals` and the older
 * `mute_time_intervals`): each named interval is a list of specs; a spec matches a time when every field it gives
 * matches (times are [start, end) in minutes of the day, the others are inclusive ranges), in `location` (an IANA
 * zone; UTC when absent). The parsing below keeps Alertmanager's validation messages.
 */
export interface InclusiveRange {
  begin: number;
  end: number;
}

export interface TimeIntervalSpec {
  times?: { startMinute: number; endMinute: number }[];
  weekdays?: InclusiveRange[];
  daysOfMonth?: InclusiveRange[];
  months?: InclusiveRange[];
  years?: InclusiveRange[];
  /** IANA zone name; undefined = UTC. "Local" is the process's zone. */
  location?: string;
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/** strconv.Atoi: an optional sign and decimal digits. */
const atoi = (s: string): number | undefined => (/^[-+]?\d+$/.test(s) ? Number(s) : undefined);

function range(text: string, member: (s: string) => number | string): InclusiveRange | string {
  const lower = text.toLowerCase();
  const parts = lower.includes(':') ? lower.split(':') : [lower, lower];
  if (parts.length !== 2) return `couldn't parse range ${lower}, invalid format`;
  const [b, e] = parts.map(member) as [number | string, number | string];
  if (typeof b === 'string') return b;
  if (typeof e === 'string') return e;
  return { begin: b, end: e };
}

/** A weekday range; since Alertmanager 0.35 it may wrap (`friday:monday`), which 0.34 and older refuse. */
export function parseWeekdays(text: string): InclusiveRange | string {
  return range(text, (s) => (WEEKDAYS.includes(s) ? WEEKDAYS.indexOf(s) : `${s} is not a valid weekday`));
}

export function parseDaysOfMonth(text: string): InclusiveRange | string {
  const r = range(text, (s) => atoi(s) ?? `strconv.Atoi: parsing "${s}": invalid syntax`);
  if (typeof r === 'string') return r;
  for (const d of [r.begin, r.end])
    if (d === 0 || d < -31 || d > 31) return `${d} is not a valid day of the month: out of range`;
  if (r.begin < 0 && r.end > 0) return 'end day must be negative if start day is negative';
  const check = (d: number) => (d < 0 ? 28 + d : d);
  if (check(r.begin) > check(r.end)) return `end day ${r.end} is always before start day ${r.begin}`;
  return r;
}

export function parseMonths(text: string): InclusiveRange | string {
  const r = range(text, (s) => (MONTHS.includes(s) ? MONTHS.indexOf(s) + 1 : (atoi(s) ?? `${s} is not a valid month`)));
  if (typeof r === 'string') return r;
  if (r.begin > r.end)
    return `end month ${MONTHS[r.end - 1] ?? r.end} is before start month ${MONTHS[r.begin - 1] ?? r.begin}`;
  return r;
}

export function parseYears(text: string): InclusiveRange | string {
  const r = range(text, (s) => atoi(s) ?? `strconv.Atoi: parsing "${s}": invalid syntax`);
  if (typeof r === 'string') return r;
  if (r.begin > r.end) return `end year ${r.end} is before start year ${r.begin}`;
  return r;
}

const VALID_TIME = /^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$/;

export function parseTimeOfDay(text: string): number | string {
  if (!VALID_TIME.test(text)) return `couldn't parse timestamp ${text}, invalid format`;
  const [h, m] = text.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

/** time.LoadLocation: "", "UTC", "Local" or a zone of the tz database, names case-sensitive as the files are. */
export function locationProblem(name: string): string | undefined {
  if (name === '' || name === 'UTC' || name === 'Local') return undefined;
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
    if (resolved !== name && resolved.toLowerCase() === name.toLowerCase()) return `unknown time zone ${name}`;
    return undefined;
  } catch {
    return `unknown time zone ${name}`;
  }
}

const timeRangeSchema = z
  .object({ start_time: amString.optional(), end_time: amString.optional() })
  .strict()
  .transform((t, ctx) => {
    if (!t.start_time || !t.end_time) {
      issue(ctx, [], 'both start and end times must be provided');
      return z.NEVER;
    }
    const start = parseTimeOfDay(t.start_time);
    const end = parseTimeOfDay(t.end_time);
    if (typeof start === 'string' || typeof end === 'string') {
      issue(
        ctx,
        [typeof start === 'string' ? 'start_time' : 'end_time'],
        (typeof start === 'string' ? start : end) as string,
      );
      return z.NEVER;
    }
    if (start >= end) {
      issue(ctx, [], 'start time cannot be equal or greater than end time');
      return z.NEVER;
    }
    return { startMinute: start, endMinute: end };
  });

const rangeList = (parse: (s: string) => InclusiveRange | string) =>
  z.array(amString).transform((list, ctx) =>
    list.map((s, i) => {
      const r = parse(s);
      if (typeof r === 'string') issue(ctx, [i], r);
      return typeof r === 'string' ? { begin: 0, end: 0 } : r;
    }),
  );

export const timeIntervalSpecSchema = z
  .object({
    times: z.array(timeRangeSchema).optional(),
    weekdays: rangeList(parseWeekdays).optional(),
    days_of_month: rangeList(parseDaysOfMonth).optional(),
    months: rangeList(parseMonths).optional(),
    years: rangeList(parseYears).optional(),
    location: amString
      .superRefine((name, ctx) => {
        const problem = locationProblem(name);
        if (problem) issue(ctx, [], problem);
      })
      .optional(),
  })
  .strict()
  .transform((s): TimeIntervalSpec => ({
    ...(s.times ? { times: s.times } : {}),
    ...(s.weekdays ? { weekdays: s.weekdays } : {}),
    ...(s.days_of_month ? { daysOfMonth: s.days_of_month } : {}),
    ...(s.months ? { months: s.months } : {}),
    ...(s.years ? { years: s.years } : {}),
    ...(s.location !== undefined && s.location !== '' && s.location !== 'UTC' ? { location: s.location } : {}),
  }));

/** One named interval, as in `time_intervals:` (and `mute_time_intervals:`). */
export const namedTimeIntervalSchema = z
  .object({ name: amString.optional(), time_intervals: z.array(timeIntervalSpecSchema).optional() })
  .strict()
  .transform((t, ctx) => {
    if (!t.name) {
      issue(ctx, ['name'], 'missing name in time interval');
      return z.NEVER;
    }
    return { name: t.name, time_intervals: t.time_intervals ?? [] };
  });

export type NamedTimeInterval = z.output<typeof namedTimeIntervalSchema>;
export type NamedTimeIntervalInput = z.input<typeof namedTimeIntervalSchema>;
