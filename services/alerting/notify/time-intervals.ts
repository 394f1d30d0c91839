import type {
  NamedTimeInterval,
  TimeIntervalSpec,
} from '../../../libs/config/sections/alertmanager/am-time-intervals.ts';

/**
 * Evaluates Alertmanager's time intervals (timeinterval.TimeInterval.ContainsTime): the instant is turned into wall
 * clock time in the spec's location (IANA zones through Intl, so DST changes are the tz database's), then every
 * field the spec gives must match. Negative days of the month count from the month's end in that location.
 */
interface Wall {
  year: number;
  month: number;
  day: number;
  weekday: number;
  minuteOfDay: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function wall(ms: number, zone: string | undefined): Wall {
  if (!zone) {
    const d = new Date(ms);
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      weekday: d.getUTCDay(),
      minuteOfDay: d.getUTCHours() * 60 + d.getUTCMinutes(),
    };
  }
  const tz = zone === 'Local' ? Intl.DateTimeFormat().resolvedOptions().timeZone : zone;
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    });
    formatters.set(tz, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    weekday: WEEKDAYS.indexOf(p.weekday as string),
    minuteOfDay: Number(p.hour) * 60 + Number(p.minute),
  };
}

/** Days in the wall-clock month (the calendar's, whatever the zone). */
const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

const clamp = (n: number, min: number, max: number) => (n <= min ? min : n >= max ? max : n);

export function specContains(spec: TimeIntervalSpec, ms: number): boolean {
  const t = wall(ms, spec.location);
  if (spec.times && !spec.times.some((r) => t.minuteOfDay >= r.startMinute && t.minuteOfDay < r.endMinute))
    return false;
  if (spec.daysOfMonth) {
    const days = daysInMonth(t.year, t.month);
    const inRange = spec.daysOfMonth.some((r) => {
      let begin = r.begin < 0 ? days + r.begin + 1 : r.begin;
      let end = r.end < 0 ? days + r.end + 1 : r.end;
      if (begin > days) return false;
      begin = clamp(begin, -days, days);
      end = clamp(end, -days, days);
      return t.day >= begin && t.day <= end;
    });
    if (!inRange) return false;
  }
  if (spec.months && !spec.months.some((r) => t.month >= r.begin && t.month <= r.end)) return false;
  // A range may wrap around the week's end (friday:monday).
  if (
    spec.weekdays &&
    !spec.weekdays.some((r) =>
      r.begin <= r.end ? t.weekday >= r.begin && t.weekday <= r.end : t.weekday >= r.begin || t.weekday <= r.end,
    )
  )
    return false;
  if (spec.years && !spec.years.some((r) => t.year >= r.begin && t.year <= r.end)) return false;
  return true;
}

/** Named intervals (both `time_intervals` and `mute_time_intervals`), asked which of a route's names contain now. */
export class TimeIntervals {
  private readonly byName: Map<string, TimeIntervalSpec[]>;

  constructor(lists: readonly (readonly NamedTimeInterval[])[]) {
    this.byName = new Map(lists.flat().map((t) => [t.name, t.time_intervals]));
  }

  /** The names among `names` whose interval contains `ms` (Alertmanager's Intervener.Mutes). */
  containing(names: readonly string[], ms: number): string[] {
    return names.filter((n) => (this.byName.get(n) ?? []).some((spec) => specContains(spec, ms)));
  }

  /**
   * Why a route sends nothing at `ms`, or [] when it may send: inside one of its mute_time_intervals, or outside
   * all of its active_time_intervals (TimeMuteStage, TimeActiveStage).
   */
  mutedBy(route: { muteIntervals: readonly string[]; activeIntervals: readonly string[] }, ms: number): string[] {
    const muting = this.containing(route.muteIntervals, ms).map((n) => `mute_time_intervals: ${n}`);
    if (muting.length) return muting;
    if (route.activeIntervals.length && this.containing(route.activeIntervals, ms).length === 0)
      return [`outside active_time_intervals: ${route.activeIntervals.join(', ')}`];
    return [];
  }
}
