import { z } from 'zod';
import { InputError } from '../../../libs/errors/errors.ts';
import { epochToMs, parseTime } from '../../../libs/time/time.ts';
import { parseMatchers, type Matcher } from '../notify/matchers.ts';

/** A time as RFC 3339 text or epoch seconds (as the Prometheus API takes them), to epoch ms (libs/time). */
export const timeParam = z.union([z.number(), z.string().min(1)]).transform((v, ctx) => {
  const ms = typeof v === 'number' ? epochToMs(v) : parseTime(v);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: 'must be RFC 3339 or epoch seconds' });
    return z.NEVER;
  }
  return ms;
});

/** `filter` may come once or repeated (amtool repeats it); each is an Alertmanager matcher. */
export const filterParam = z.union([z.string(), z.array(z.string())]).optional();

export function filterMatchers(filter: string | string[] | undefined): Matcher[] {
  try {
    return parseMatchers(filterList(filter));
  } catch (err) {
    throw new InputError((err as Error).message, [{ path: 'querystring.filter', message: (err as Error).message }]);
  }
}

export const boolParam = z
  .union([z.boolean(), z.enum(['true', 'false'])])
  .transform((v) => v === true || v === 'true')
  .optional();

export const pageParams = {
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().optional(),
};

export const labelsSchema = z.record(z.string(), z.string());

/** Alertmanager v2's postableSilence (api/v2/openapi.yaml); the same body for /v1/silences. */
export const postableSilenceSchema = z.object({
  id: z.string().optional(),
  matchers: z
    .array(
      z.object({
        name: z.string().min(1),
        value: z.string(),
        isRegex: z.boolean(),
        isEqual: z.boolean().default(true),
      }),
    )
    .min(1, 'at least one matcher is required'),
  startsAt: timeParam,
  endsAt: timeParam,
  createdBy: z.string().min(1),
  comment: z.string().default(''),
});

/** `filter` as the list of matcher texts it holds. */
export const filterList = (filter: string | string[] | undefined): string[] =>
  filter === undefined ? [] : Array.isArray(filter) ? filter : [filter];
