import { InputError } from '../errors/errors.ts';
import { parseTime as readTime } from '../time/time.ts';

/**
 * A time-range bound as Grafana accepts it (libs/time): `now`, `now-6h`, `now-7d/d`, RFC 3339, and epoch numbers —
 * from 1e11 up milliseconds (Grafana's URLs), below that seconds (Prometheus's API).
 */
export function parseTimeBound(value: string, now: number, field = 'time'): number {
  const t = readTime(value, { now, epoch: 'seconds-or-ms' });
  if (t !== undefined) return t;
  throw new InputError(`${field}: "${value}" is not a time; use now, now-6h, RFC 3339 or epoch ms/s`, [
    { path: field, message: 'not a time' },
  ]);
}

export interface TimeRange {
  /** Epoch milliseconds. */
  from: number;
  to: number;
}

export function parseTimeRange(from: string, to: string, now = Date.now()): TimeRange {
  const range = { from: parseTimeBound(from, now, 'from'), to: parseTimeBound(to, now, 'to') };
  if (range.from >= range.to)
    throw new InputError(`from (${from}) must be before to (${to})`, [{ path: 'from', message: 'must be before to' }]);
  return range;
}
