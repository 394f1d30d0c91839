import { z } from 'zod';
import { InputError } from '../../../libs/errors/errors.ts';
import { parseDuration } from '../../../libs/time/duration.ts';
import { parseTime } from '../../../libs/time/time.ts';

/**
 * Parameters of the Prometheus HTTP API (https://prometheus.io/docs/prometheus/latest/querying/api/), read
 * from the query string and, for POST, from the form body. Times are RFC 3339 or Unix seconds; durations are
 * Prometheus durations or float seconds.
 */
const oneOrMany = z.union([z.string(), z.array(z.string())]).optional();

export const promParamsSchema = z
  .object({
    query: z.string().optional(),
    time: z.string().optional(),
    start: z.string().optional(),
    end: z.string().optional(),
    step: z.string().optional(),
    timeout: z.string().optional(),
    partial_response: z.enum(['true', 'false', '1', '0']).optional(),
    'match[]': oneOrMany,
    limit: z.string().optional(),
    metric: z.string().optional(),
    dedup: z.string().optional(),
  })
  .loose();

export type PromParams = z.infer<typeof promParamsSchema>;

/** A time parameter (libs/time: RFC 3339 or unix seconds, to the millisecond) in unix seconds. */
export function parseTimeParam(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined || v === '') return fallback;
  const ms = parseTime(v);
  if (ms !== undefined) return ms / 1000;
  throw new InputError(`invalid parameter "${name}": cannot parse "${v}" to a valid timestamp`);
}

export function parseDurationParam(name: string, v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (Number.isFinite(n)) {
    if (n <= 0) throw new InputError(`invalid parameter "${name}": duration must be positive`);
    return n;
  }
  try {
    return parseDuration(v) / 1000;
  } catch {
    throw new InputError(`invalid parameter "${name}": cannot parse "${v}" to a valid duration`);
  }
}

export function matchParam(p: PromParams): string[] {
  const m = p['match[]'];
  return m === undefined ? [] : Array.isArray(m) ? m : [m];
}

export function partialParam(p: PromParams): boolean | undefined {
  if (p.partial_response === undefined) return undefined;
  return p.partial_response === 'true' || p.partial_response === '1';
}

/** Form bodies keep repeated keys (match[]) as arrays, like the query string parser does. */
export function parseForm(body: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(body)) {
    const have = out[k];
    out[k] = have === undefined ? v : Array.isArray(have) ? [...have, v] : [have, v];
  }
  return out;
}
