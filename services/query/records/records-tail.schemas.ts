import { z } from 'zod';
import type { RecordKind } from '../../../libs/schemas/records.ts';
import { queryText, recordQuerySchema, timeParam } from './records.schemas.ts';

/**
 * GET /v1/{kind}/tail: the search API's filters and `q`, and an optional `start` (records from then on;
 * default: the moment the stream opens). No `end`, `sort`, `size` or `cursor`: a tail follows new records.
 */
export function tailQuerySchema(kind: RecordKind) {
  // Built from the shapes, not by omitting from the search schema: a kind with attributes has a refinement,
  // and zod cannot omit keys from a refined object.
  return recordQuerySchema(kind, {
    q: queryText,
    start: timeParam
      .optional()
      .describe('show matching records from this time on (RFC 3339 or epoch seconds); default: when the stream opens'),
  });
}

export type TailQuery = z.infer<ReturnType<typeof tailQuerySchema>>;

/**
 * The stream's events (text/event-stream, one JSON object per `data:` line). Documented here for the OpenAPI
 * description; the route writes them as they come.
 */
export const TAIL_EVENTS_DESCRIPTION = [
  'Server-Sent Events (text/event-stream):',
  '`open` {start, pollIntervalMs, lateMs} once;',
  "`record` one stored record (the search API's item shape), `id:` its id;",
  '`dropped` {count, message} when more records matched than one poll shows;',
  '`error` {code, message} when the store fails (the tail retries), then `resumed`;',
  '`end` {reason} when the stream reached query.tail.maxDurationMs (open a new one);',
  'a `: heartbeat` comment when nothing else was sent for query.tail.heartbeatMs.',
].join(' ');
