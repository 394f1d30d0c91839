import type { AnyDoc } from '../schemas/records.ts';

/** One input item that could not become a stored record: where it was in the batch and why. */
export interface Rejection {
  index: number;
  reason: string;
}

/** What a normalizer makes of one intake body: the stored docs, and every item it refused. */
export interface NormalizeResult<D extends AnyDoc> {
  docs: D[];
  rejected: Rejection[];
}

/** Facts the collector adds to every record: its cluster, and when it accepted the batch. */
export interface NormalizeContext {
  cluster: string;
  ingestedAt: number;
}

/** zod issues in one line, for a rejection reason a person can act on. */
export function issuesText(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): string {
  return issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');
}

/**
 * The items of a Kubernetes `*List` body, a bare array, or one object. Anything else is refused whole,
 * since there is no item to report by index.
 */
export function listItems(body: unknown, listKind: string): unknown[] | undefined {
  if (Array.isArray(body)) return body;
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as { kind?: unknown; items?: unknown };
  if (record.kind === listKind || Array.isArray(record.items))
    return Array.isArray(record.items) ? record.items : undefined;
  return [body];
}
