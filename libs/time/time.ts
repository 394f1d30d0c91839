/**
 * The one reader of time parameters and source timestamps, to epoch milliseconds:
 * - RFC 3339 (`2024-03-01T12:00:00Z`, `+02:00`), `T` or a space, any case, seconds optional, fractions of any
 *   length cut to milliseconds (Kubernetes MicroTime, EKS/AKS exports' nanoseconds), no zone read as UTC (the
 *   EKS/Fluent Bit `YYYY-MM-DD HH:MM:SS.fffffffff` form);
 * - unix seconds as Go's strconv.ParseFloat reads a decimal (`1700000000`, `1700000000.123`, `-5`, `1.7e9`),
 *   rounded to the millisecond as Prometheus's API does (web/api/v1 parseTime);
 * - with `epoch: 'seconds-or-ms'`, a number of 1e11 or more is already milliseconds (no clock reads that in
 *   seconds before the year 5138): Grafana URLs and Fluent Bit carry ms, Prometheus's API seconds;
 * - with `now`, Grafana's relative forms
 * (https://grafana.com/docs/grafana/latest/dashboards/use-dashboards/#time-units-and-relative-ranges):
 *   `now`, `now-6h`, `now+5m`, `now-7d/d` (rounded down to the start of the unit, UTC; ISO weeks start on Monday).
 * Anything else is undefined: each caller refuses it in its own words.
 */
export interface TimeSyntax {
  /** Epoch ms that `now…` is relative to; without it the relative forms are not times. */
  now?: number;
  /** How a bare number reads: always seconds (the default) or, from 1e11 up, milliseconds. */
  epoch?: 'seconds' | 'seconds-or-ms';
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const RFC3339 = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}(?::\d{2})?)(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})?$/;
const RELATIVE = /^now(?:([+-])(\d+)(ms|s|m|h|d|w|M|y))?(?:\/(s|m|h|d|w|M|y))?$/;
const DAY_MS = 86_400_000;
/** Grafana's units: a month is 30 days, a year 365 (relative offsets only; rounding uses the calendar). */
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1e3,
  m: 60e3,
  h: 3600e3,
  d: DAY_MS,
  w: 7 * DAY_MS,
  M: 30 * DAY_MS,
  y: 365 * DAY_MS,
};

export function parseTime(text: string, syntax: TimeSyntax = {}): number | undefined {
  const v = text.trim();
  if (syntax.now !== undefined && v.startsWith('now')) return relative(v, syntax.now);
  if (DECIMAL.test(v)) return epochToMs(Number(v), syntax.epoch);
  const m = RFC3339.exec(v);
  if (!m) return undefined;
  // Date.parse keeps milliseconds only, and wants the zone as Z or ±hh:mm.
  const fraction = m[3] ? m[3].slice(0, 4) : '';
  const zone = !m[4] || m[4] === 'z' ? 'Z' : m[4].length === 5 ? `${m[4].slice(0, 3)}:${m[4].slice(3)}` : m[4];
  const ms = Date.parse(`${m[1]}T${m[2]}${fraction}${zone}`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** A number of epoch seconds (or, with 'seconds-or-ms', milliseconds from 1e11 up) as whole epoch ms. */
export function epochToMs(n: number, epoch: TimeSyntax['epoch'] = 'seconds'): number | undefined {
  if (!Number.isFinite(n)) return undefined;
  return Math.round(epoch === 'seconds-or-ms' && Math.abs(n) >= 1e11 ? n : n * 1000);
}

function relative(v: string, now: number): number | undefined {
  const rel = RELATIVE.exec(v);
  if (!rel) return undefined;
  const [, sign, amount, unit, round] = rel;
  let t = now;
  if (sign && amount && unit) t += (sign === '-' ? -1 : 1) * Number(amount) * (UNIT_MS[unit] as number);
  return round ? roundDown(t, round) : t;
}

function roundDown(t: number, unit: string): number {
  const d = new Date(t);
  if (unit === 'y') return Date.UTC(d.getUTCFullYear(), 0, 1);
  if (unit === 'M') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  if (unit === 'w') {
    const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    return day - ((d.getUTCDay() + 6) % 7) * DAY_MS;
  }
  const size = UNIT_MS[unit] as number;
  return Math.floor(t / size) * size;
}

/**
 * A timestamp as record sources write it: RFC 3339 or the EKS space form (Kubernetes `metav1.Time`, `MicroTime`),
 * epoch seconds or milliseconds as a number or a string of 10+ characters (Fluent Bit's `date`), or a Date (typed
 * Kubernetes clients). Epoch values must be positive; anything else is undefined, so the caller can reject it.
 */
export function sourceTime(value: unknown): number | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
  if (typeof value === 'number') return value > 0 ? epochToMs(value, 'seconds-or-ms') : undefined;
  if (typeof value !== 'string' || value.length < 10) return undefined;
  const t = parseTime(value, { epoch: 'seconds-or-ms' });
  return t !== undefined && (t > 0 || !DECIMAL.test(value.trim())) ? t : undefined;
}
