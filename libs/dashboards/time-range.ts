import { InputError } from '../errors/errors.ts';

/**
 * Time-range bounds as Grafana accepts them (https://grafana.com/docs/grafana/latest/dashboards/use-dashboards/#time-units-and-relative-ranges):
 * `now`, `now-6h`, `now-7d/d` (rounded to the start of the unit, UTC), RFC 3339, and epoch numbers — 13+
 * digits are milliseconds, fewer are seconds (Grafana's URLs carry ms, Prometheus's API seconds).
 */
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1e3,
  m: 60e3,
  h: 3600e3,
  d: 86400e3,
  w: 7 * 86400e3,
  M: 30 * 86400e3,
  y: 365 * 86400e3,
};
const RELATIVE = /^now(?:([+-])(\d+)(ms|s|m|h|d|w|M|y))?(?:\/(s|m|h|d|w|M|y))?$/;

export function parseTime(value: string, now: number, field = 'time'): number {
  const v = value.trim();
  const rel = RELATIVE.exec(v);
  if (rel) {
    const [, sign, amount, unit, round] = rel;
    let t = now;
    if (sign && amount && unit) t += (sign === '-' ? -1 : 1) * Number(amount) * (UNIT_MS[unit] ?? 0);
    return round ? roundDown(t, round) : t;
  }
  if (/^\d+(\.\d+)?$/.test(v)) {
    const n = Number(v);
    return v.split('.')[0]!.length >= 13 ? Math.trunc(n) : Math.round(n * 1000);
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(v)) {
    const t = Date.parse(v);
    if (Number.isFinite(t)) return t;
  }
  throw new InputError(`${field}: "${value}" is not a time; use now, now-6h, RFC 3339 or epoch ms/s`, [
    { path: field, message: 'not a time' },
  ]);
}

function roundDown(t: number, unit: string): number {
  const d = new Date(t);
  if (unit === 'y') return Date.UTC(d.getUTCFullYear(), 0, 1);
  if (unit === 'M') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  if (unit === 'w') {
    const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    return day - ((d.getUTCDay() + 6) % 7) * UNIT_MS.d!; // ISO weeks start on Monday
  }
  const size = UNIT_MS[unit] ?? 1;
  return Math.floor(t / size) * size;
}

export interface TimeRange {
  /** Epoch milliseconds. */
  from: number;
  to: number;
}

export function parseTimeRange(from: string, to: string, now = Date.now()): TimeRange {
  const range = { from: parseTime(from, now, 'from'), to: parseTime(to, now, 'to') };
  if (range.from >= range.to)
    throw new InputError(`from (${from}) must be before to (${to})`, [{ path: 'from', message: 'must be before to' }]);
  return range;
}

/** Prometheus duration text → ms (`1h30m` → 5_400_000). */
export function durationMs(text: string): number {
  let total = 0;
  for (const m of text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) total += Number(m[1]) * (UNIT_MS[m[2]!] ?? 0);
  return total;
}
