import type { Extent } from './extents.ts';
import type { Answer } from './frontend.types.ts';

/**
 * What a cache entry holds, as JSON: a range part's extents, or one instant answer. Entries come from a
 * shared cache and may be cut short or written by another version; anything that does not have the
 * expected shape reads as a miss.
 */
export function encodeExtents(extents: readonly Extent[]): Buffer {
  return Buffer.from(JSON.stringify({ extents }));
}

export function decodeExtents(buf: Buffer | undefined): Extent[] {
  const doc = parse(buf) as { extents?: unknown } | undefined;
  if (!Array.isArray(doc?.extents)) return [];
  return (doc.extents as unknown[]).every(isExtent) ? (doc.extents as Extent[]) : [];
}

export function encodeAnswer(a: Answer): Buffer {
  return Buffer.from(JSON.stringify({ answer: a }));
}

export function decodeAnswer<A extends Answer>(buf: Buffer | undefined): A | undefined {
  const answer = (parse(buf) as { answer?: unknown } | undefined)?.answer;
  return isMeta(answer) && 'result' in (answer as object) ? (answer as A) : undefined;
}

function parse(buf: Buffer | undefined): unknown {
  if (!buf) return undefined;
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch {
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function isMeta(v: unknown): boolean {
  return isObject(v) && typeof v.resultType === 'string' && Array.isArray(v.warnings) && isObject(v.clusters);
}

function isExtent(v: unknown): boolean {
  return isObject(v) && Number.isFinite(v.startMs) && Number.isFinite(v.endMs) && isMeta(v.meta) && Array.isArray(v.series) && v.series.every((s) => isObject(s) && isObject(s.metric));
}
