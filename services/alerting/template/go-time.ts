/**
 * Go's time.Time as notification templates see it (Alertmanager's .StartsAt, .EndsAt, `now`, `tz`, `date`):
 * `{{ .StartsAt }}` prints time.String(), `.Format "layout"` and `date "layout" t` take Go's reference layout
 * (Mon Jan 2 15:04:05 MST 2006), JSON is RFC 3339 with nanoseconds trimmed. Milliseconds are the precision kept.
 */
// 0001-01-01T00:00:00Z computed exactly (Date.UTC maps years 0–99 to 1900+, so set the year afterwards).
const zeroDate = new Date(0);
zeroDate.setUTCFullYear(1, 0, 1);
zeroDate.setUTCHours(0, 0, 0, 0);
export const ZERO_MS = zeroDate.getTime();

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
  weekday: number;
  offsetMin: number;
  abbrev: string;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Wall-clock fields of `ms` in an IANA zone ("UTC" when absent), with the zone's offset and abbreviation. */
export function zoneParts(ms: number, zone = 'UTC'): Parts {
  if (zone === 'UTC') {
    const d = new Date(ms);
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
      ms: d.getUTCMilliseconds(),
      weekday: d.getUTCDay(),
      offsetMin: 0,
      abbrev: 'UTC',
    };
  }
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    weekday: 'short',
    timeZoneName: 'short',
  });
  const p = Object.fromEntries(fmt.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  const local = Date.UTC(
    Number(p.year),
    Number(p.month) - 1,
    Number(p.day),
    Number(p.hour),
    Number(p.minute),
    Number(p.second),
  );
  const offsetMin = Math.round((local - (ms - (((ms % 1000) + 1000) % 1000))) / 60_000);
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    hour: Number(p.hour),
    minute: Number(p.minute),
    second: Number(p.second),
    ms: ((ms % 1000) + 1000) % 1000,
    weekday: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(p.weekday as string),
    offsetMin,
    abbrev: abbreviation(ms, zone, { usName: p.timeZoneName, offsetMin }),
  };
}

/** The zone's abbreviation as the tz database has it (CET, EDT), else Go's numeric form (+01). */
function abbreviation(ms: number, zone: string, known: { usName: string | undefined; offsetMin: number }): string {
  const { usName, offsetMin } = known;
  const candidates = [
    usName,
    new Intl.DateTimeFormat('en-GB', { timeZone: zone, timeZoneName: 'short' })
      .formatToParts(new Date(ms))
      .find((x) => x.type === 'timeZoneName')?.value,
  ];
  const named = candidates.find((c) => c && !/^(GMT|UTC)[+-]/.test(c));
  if (named) return named === 'GMT' && offsetMin !== 0 ? offsetText(offsetMin).replace(/00$/, '') : named;
  return offsetText(offsetMin).replace(/00$/, '');
}

const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');

/** Go's zone offset layouts: -0700, -07:00, -07, each with Z for UTC in its Z form. */
function offsetText(min: number, form: { colon?: boolean; zForUtc?: boolean; hoursOnly?: boolean } = {}): string {
  const { colon = false, zForUtc = false, hoursOnly = false } = form;
  if (zForUtc && min === 0) return 'Z';
  const sign = min < 0 ? '-' : '+';
  const h = pad(Math.trunc(Math.abs(min) / 60));
  if (hoursOnly) return `${sign}${h}`;
  return `${sign}${h}${colon ? ':' : ''}${pad(Math.abs(min) % 60)}`;
}

// Longest first, as Go's nextStdChunk matches them.
const TOKENS = [
  'January',
  'Monday',
  'Z07:00',
  '-07:00',
  'Z0700',
  '-0700',
  '2006',
  'Jan',
  'Mon',
  'MST',
  '002',
  'Z07',
  '-07',
  '_2',
  '01',
  '02',
  '03',
  '04',
  '05',
  '06',
  '15',
  'PM',
  'pm',
  '1',
  '2',
  '3',
  '4',
  '5',
];

/** time.Format with Go's reference layout. */
export function goFormat(ms: number, layout: string, zone = 'UTC'): string {
  const p = zoneParts(ms, zone);
  const yday = Math.round((Date.UTC(p.year, p.month - 1, p.day) - Date.UTC(p.year, 0, 1)) / 86_400_000) + 1;
  const h12 = p.hour % 12 === 0 ? 12 : p.hour % 12;
  let out = '';
  for (let i = 0; i < layout.length;) {
    // Fractional seconds: .000 keeps trailing zeros, .999 trims them (Go: stdFracSecond0 / stdFracSecond9).
    const fracTok = /^[.,](0+|9+)(?![0-9])/.exec(layout.slice(i));
    if (fracTok) {
      const digits = fracTok[1] as string;
      const s = pad(p.ms, 3).padEnd(digits.length, '0').slice(0, digits.length);
      const t = digits[0] === '9' ? s.replace(/0+$/, '') : s;
      out += t ? `${fracTok[0][0]}${t}` : '';
      i += fracTok[0].length;
      continue;
    }
    const tok = TOKENS.find((t) => layout.startsWith(t, i));
    if (!tok) {
      out += layout[i++];
      continue;
    }
    i += tok.length;
    const map: Record<string, () => string> = {
      January: () => MONTHS[p.month - 1] as string,
      Jan: () => (MONTHS[p.month - 1] as string).slice(0, 3),
      Monday: () => DAYS[p.weekday] as string,
      Mon: () => (DAYS[p.weekday] as string).slice(0, 3),
      '2006': () => pad(p.year, 4),
      '06': () => pad(p.year % 100),
      '01': () => pad(p.month),
      '1': () => String(p.month),
      '02': () => pad(p.day),
      '2': () => String(p.day),
      _2: () => String(p.day).padStart(2, ' '),
      '002': () => pad(yday, 3),
      '15': () => pad(p.hour),
      '03': () => pad(h12),
      '3': () => String(h12),
      '04': () => pad(p.minute),
      '4': () => String(p.minute),
      '05': () => pad(p.second),
      '5': () => String(p.second),
      PM: () => (p.hour >= 12 ? 'PM' : 'AM'),
      pm: () => (p.hour >= 12 ? 'pm' : 'am'),
      MST: () => p.abbrev,
      'Z07:00': () => offsetText(p.offsetMin, { colon: true, zForUtc: true }),
      '-07:00': () => offsetText(p.offsetMin, { colon: true }),
      Z0700: () => offsetText(p.offsetMin, { zForUtc: true }),
      '-0700': () => offsetText(p.offsetMin),
      Z07: () => offsetText(p.offsetMin, { zForUtc: true, hoursOnly: true }),
      '-07': () => offsetText(p.offsetMin, { hoursOnly: true }),
    };
    out += (map[tok] as () => string)();
  }
  return out;
}

/** time.Time in a template: methods with Go's names. */
export class GoTime {
  constructor(
    readonly ms: number,
    readonly zone = 'UTC',
  ) {}
  /** time.String(): 2006-01-02 15:04:05.999999999 -0700 MST. */
  String(): string {
    return goFormat(this.ms, '2006-01-02 15:04:05.999999999 -0700 MST', this.zone);
  }
  Format(layout: unknown): string {
    return goFormat(this.ms, String(layout), this.zone);
  }
  Unix(): number {
    return Math.floor(this.ms / 1000);
  }
  UnixMilli(): number {
    return this.ms;
  }
  UTC(): GoTime {
    return new GoTime(this.ms);
  }
  IsZero(): boolean {
    return this.ms === ZERO_MS;
  }
  /** What Go's encoding/json writes (RFC 3339, fractional seconds trimmed). */
  toJSON(): string {
    return goFormat(this.ms, '2006-01-02T15:04:05.999999999Z07:00', this.zone);
  }
  toString(): string {
    return this.String();
  }
}
