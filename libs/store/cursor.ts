import { createHash } from 'node:crypto';
import { InputError } from '../errors/errors.ts';
import type { RecordKind } from '../schemas/records.ts';
import type { RecordQuery } from './record-store.ts';

/**
 * Opaque paging cursor shared by both stores: the sort key (time, id, cluster) of the last record returned, a
 * fingerprint of the query it belongs to (a cursor replayed with other filters is refused, not silently
 * misapplied) and, on OpenSearch, the point-in-time id. Encoded as base64url JSON.
 */
export interface CursorState {
  time: number;
  id: string;
  /** The last tie-breaker: the same id from two clusters is two records (libs/schemas/record-key.ts). */
  cluster: string;
  fingerprint: string;
  pit?: string;
}

export function queryFingerprint(kind: RecordKind, query: RecordQuery, sort: 'asc' | 'desc'): string {
  const filters = Object.keys(query.filters)
    .sort()
    .map((k) => [k, [...(query.filters[k] ?? [])].sort()]);
  // The time range is left out on purpose: without an explicit range it defaults to "until now", which moves
  // between pages; the keyset (time, id, cluster) keeps paging exact anyway.
  const text = JSON.stringify([kind, filters, query.q ?? null, sort]);
  return createHash('sha256').update(text).digest('base64url').slice(0, 16);
}

export function encodeCursor(state: CursorState): string {
  const packed = [state.time, state.id, state.cluster, state.fingerprint, ...(state.pit ? [state.pit] : [])];
  return Buffer.from(JSON.stringify(packed)).toString('base64url');
}

export function decodeCursor(cursor: string, fingerprint: string): CursorState {
  let packed: unknown;
  try {
    packed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid('it is not a cursor returned by this API');
  }
  if (!Array.isArray(packed) || packed.length < 4 || packed.length > 5)
    throw invalid('it is not a cursor returned by this API');
  const [time, id, cluster, fp, pit] = packed as unknown[];
  if (
    !Number.isSafeInteger(time) ||
    typeof id !== 'string' ||
    typeof cluster !== 'string' ||
    typeof fp !== 'string' ||
    (pit !== undefined && typeof pit !== 'string')
  ) {
    throw invalid('it is not a cursor returned by this API');
  }
  if (fp !== fingerprint)
    throw invalid('it belongs to a query with other filters, search or sort; repeat the same query with it');
  const state: CursorState = { time: time as number, id, cluster, fingerprint: fp };
  if (pit !== undefined) state.pit = pit as string;
  return state;
}

function invalid(why: string): InputError {
  return new InputError(`Invalid cursor: ${why}`, [{ path: 'cursor', message: why }]);
}
