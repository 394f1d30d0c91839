import { z } from 'zod';
import {
  ATTRIBUTE_FIELD,
  ATTRIBUTE_FILTER_PREFIX,
  DOC_FILTER_FIELDS,
  docSchemaByKind,
  FILTER_FIELDS,
  type RecordKind,
} from '../../../libs/schemas/records.ts';
import { MAX_QUERY_LENGTH } from '../../../libs/search/search-parser.ts';
import { parseTime } from '../../../libs/time/time.ts';

/**
 * The Query API contract for logs, events and audit: one query-string schema per endpoint and kind, built
 * from the filter names of libs/schemas/records.ts, and the response shapes. These generate the OpenAPI
 * document; limits that depend on configuration (page size, range) are checked by the service.
 */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const EPOCH_SECONDS = /^\d{1,12}(\.\d{1,9})?$/;
export const INTERVAL = /^(\d{1,9})(ms|s|m|h|d)$/;

const time = z
  .string()
  .refine(
    (v) => EPOCH_SECONDS.test(v) || (RFC3339.test(v) && parseTime(v) !== undefined),
    'RFC 3339 (2024-03-01T12:00:00Z) or epoch seconds',
  )
  .describe('RFC 3339 timestamp or epoch seconds');

/** One value or a comma-separated list; a repeated parameter is accepted too. */
const filterValue = z
  .union([z.string(), z.array(z.string())])
  .describe('exact value, or a comma-separated list of values (any matches)');

/** Every filter name a kind takes as a query parameter (the `attr.<key>` ones aside). */
export const filterNames = (kind: RecordKind): string[] => [
  ...Object.keys(FILTER_FIELDS[kind]),
  ...Object.keys(DOC_FILTER_FIELDS[kind]),
];

function filterShape(kind: RecordKind) {
  return Object.fromEntries(filterNames(kind).map((name) => [name, filterValue.optional()])) as Record<
    string,
    z.ZodOptional<typeof filterValue>
  >;
}

/**
 * Strict, except that a kind with attributes (logs) also takes `attr.<key>=value` parameters, one per key:
 * the keys are the senders' own, so they cannot be listed in the schema.
 */
function withAttributeFilters<S extends z.ZodRawShape>(kind: RecordKind, shape: S) {
  if (!ATTRIBUTE_FIELD[kind]) return z.object(shape).strict();
  return z
    .object(shape)
    .catchall(
      filterValue.describe(
        `attr.<key>: an attribute's exact value (e.g. attr.k8s.deployment.name=checkout), or a comma-separated list`,
      ),
    )
    .superRefine((value, ctx) => {
      for (const key of Object.keys(value)) {
        if (
          Object.hasOwn(shape, key) ||
          (key.startsWith(ATTRIBUTE_FILTER_PREFIX) && key.length > ATTRIBUTE_FILTER_PREFIX.length)
        )
          continue;
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `unknown parameter "${key}" (attributes are filtered as attr.<key>)`,
        });
      }
    });
}

const common = {
  q: z
    .string()
    .max(MAX_QUERY_LENGTH)
    .optional()
    .describe(
      'search: words, "quoted phrases", AND, OR, NOT (capitals; adjacent terms are ANDed), parentheses, field:value and field:"phrase". ' +
        'Text is split on every character that is not a letter or digit and lowercased; a word matches a whole token, a phrase consecutive ' +
        'tokens, in the text fields (logs: message; events: message; audit: requestURI, user, name, impersonatedUser, responseMessage). ' +
        'field:value on a filter field is an ' +
        'exact, case-insensitive match (any element of a list); on a text field it is a word or phrase match. q is ANDed with the filters.',
    ),
  start: time.optional().describe('inclusive start; default: end minus 24 hours'),
  end: time.optional().describe('exclusive end; default: now'),
};

/**
 * A query-string schema of a kind's filters plus `extra` (strict, `attr.<key>` allowed where the kind has attributes).
 */
export function recordQuerySchema<S extends z.ZodRawShape>(kind: RecordKind, extra: S) {
  return withAttributeFilters(kind, { ...filterShape(kind), ...extra });
}

/** The text search parameter `q` and the time parameter's schema, shared by every record endpoint. */
export const queryText = common.q;
export const timeParam = time;

export function searchQuerySchema(kind: RecordKind) {
  return withAttributeFilters(kind, {
    ...filterShape(kind),
    ...common,
    sort: z.enum(['asc', 'desc']).default('desc').describe('by time, ties by id, then cluster'),
    size: z.coerce
      .number()
      .int()
      .min(1)
      .optional()
      .describe('page size; default query.defaultPageSize, at most query.maxPageSize'),
    cursor: z.string().max(8192).optional().describe('the cursor of the previous page'),
  });
}

export function histogramQuerySchema(kind: RecordKind) {
  return withAttributeFilters(kind, {
    ...filterShape(kind),
    ...common,
    interval: z
      .string()
      .regex(INTERVAL, 'a duration such as 30s, 1m, 5m, 1h, 1d')
      .default('1m')
      .describe('bucket width; buckets are aligned to the epoch'),
  });
}

export function statsQuerySchema(kind: RecordKind) {
  const names = Object.keys(FILTER_FIELDS[kind]) as [string, ...string[]];
  return withAttributeFilters(kind, {
    ...filterShape(kind),
    ...common,
    by: z.enum(names).describe('the filter field to count by'),
    size: z.coerce.number().int().min(1).max(10_000).default(10).describe('number of groups, largest first'),
  });
}

export function exportQuerySchema(kind: RecordKind) {
  return withAttributeFilters(kind, {
    ...filterShape(kind),
    ...common,
    format: z.enum(['ndjson', 'csv']).default('ndjson'),
    sort: z.enum(['asc', 'desc']).default('desc'),
  });
}

export type SearchQuery = z.infer<ReturnType<typeof searchQuerySchema>>;
export type HistogramQuery = z.infer<ReturnType<typeof histogramQuerySchema>>;
export type StatsQuery = z.infer<ReturnType<typeof statsQuerySchema>>;
export type ExportQuery = z.infer<ReturnType<typeof exportQuerySchema>>;
/** The parts every endpoint shares: filters by name, q, start, end. */
export type CommonQuery = Record<string, string | string[] | undefined> & {
  q?: string | undefined;
  start?: string | undefined;
  end?: string | undefined;
};

/** The range every answer covered: without start a query covers the last 24 hours only. */
const range = {
  start: z
    .number()
    .int()
    .describe('effective start of the range, epoch milliseconds, inclusive (default: end minus 24 hours)'),
  end: z.number().int().describe('effective end of the range, epoch milliseconds, exclusive (default: now)'),
};

export const searchResponseSchema = (kind: RecordKind) =>
  z.object({
    total: z.number().int().describe('records matching the query, all pages'),
    items: z.array(docSchemaByKind[kind]),
    cursor: z.string().nullable().describe('pass as cursor for the next page; null on the last page'),
    ...range,
  });

export const histogramResponseSchema = z.object({
  total: z.number().int(),
  buckets: z.array(
    z.object({ time: z.number().int().describe('bucket start, epoch milliseconds'), count: z.number().int() }),
  ),
  ...range,
});

export const statsResponseSchema = z.object({
  total: z.number().int().describe('records matching the query'),
  distinct: z
    .number()
    .int()
    .describe('distinct values of the field among them (approximate above 40,000 on OpenSearch)'),
  groups: z.array(z.object({ key: z.string(), count: z.number().int() })),
  missing: z
    .number()
    .int()
    .describe(
      'records matching the query without the field (a list field: without any value); for a single-valued field the groups plus missing make total when size covers every group',
    ),
  ...range,
});
