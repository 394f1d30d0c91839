import { InputError } from '../../errors/errors.ts';

/**
 * Pieces both state store engines share, so a cursor or a `where` filter means the same thing on SQLite
 * and OpenSearch: items are ordered by id, and a cursor is the last id returned.
 */
export const DEFAULT_LIST_LIMIT = 1000;
// OpenSearch reads at most index.max_result_window (10,000) hits per search, one more than the page for `next`.
export const MAX_LIST_LIMIT = 5000;

const FIELD = /^[A-Za-z0-9_-]{1,100}$/;

export function checkField(field: string): string {
  if (!FIELD.test(field)) throw new InputError(`cannot filter on field "${field}": letters, digits, _ and - only`);
  return field;
}

export function encodeCursor(lastId: string): string {
  return Buffer.from(JSON.stringify({ a: lastId }), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { a?: unknown };
    if (typeof parsed.a === 'string') return parsed.a;
  } catch {
    // fall through to the error below
  }
  throw new InputError('invalid cursor: pass the `next` value of a previous page unchanged');
}

export function listLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIST_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) throw new InputError('limit must be a positive integer');
  return Math.min(limit, MAX_LIST_LIMIT);
}

/** Top-level string fields of a value: what `where` can match on. */
export function stringFields(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return out;
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string' && FIELD.test(k)) out[k] = v;
  return out;
}
