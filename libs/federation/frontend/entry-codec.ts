import { labelsKey } from '../../promql/labels.ts';
import { markOrdered, type Extent } from './extents.ts';
import type { Answer, MatrixSeries } from './frontend.types.ts';
import type { ListAnswer } from './metadata-cache.ts';

/**
 * What a cache entry holds, as JSON: a range part's extents, or one instant answer. Entries come from a
 * shared cache and may be cut short or written by another version; anything that does not have the
 * expected shape reads as a miss.
 *
 * The in-process LRU hands back the very Buffer it was given, so the value an entry was encoded from is kept
 * beside it (a WeakMap on the Buffer: it lives exactly as long as the entry does) and a hit costs no JSON.parse
 * (issue 21: decoding was a sixth of a warm dashboard reload). That value is then shared by every caller that
 * hits the entry, so it is deep-frozen when encoded: a caller that tried to change it would throw (ESM is
 * strict mode) instead of changing another caller's answer. A Buffer from memcached is new on every read and
 * is parsed as before. The JSON round trip changes nothing a client sees: answers are plain JSON data.
 */
const decoded = new WeakMap<Buffer, unknown>();

export function encodeExtents(extents: readonly Extent[]): Buffer {
  return remember(Buffer.from(JSON.stringify({ extents })), extents);
}

export function decodeExtents(buf: Buffer | undefined): Extent[] {
  if (buf && decoded.has(buf)) return decoded.get(buf) as Extent[];
  const doc = parse(buf) as { extents?: unknown } | undefined;
  if (!Array.isArray(doc?.extents)) return [];
  return (doc.extents as unknown[]).every(isExtent) ? (doc.extents as Extent[]) : [];
}

/** Encodes the answer and freezes it (it is the value later hits return). */
export function encodeAnswer(a: Answer): Buffer {
  return remember(Buffer.from(JSON.stringify({ answer: a })), a);
}

export function decodeAnswer<A extends Answer>(buf: Buffer | undefined): A | undefined {
  if (buf && decoded.has(buf)) return decoded.get(buf) as A;
  const answer = (parse(buf) as { answer?: unknown } | undefined)?.answer;
  return isMeta(answer) && 'result' in (answer as object) ? (answer as A) : undefined;
}

/**
 * Series, label names or label values (the metadata cache's entries); frozen as encodeAnswer's. Undefined when
 * the entry would be over `maxBytes`, found while encoding: a /series answer of 100,000 series is some 40 times
 * memcached's default item limit, and writing it out whole only to drop it cost two copies of it in memory.
 */
export function encodeList(list: ListAnswer, maxBytes = Infinity): Buffer | undefined {
  const { data, warnings, ...rest } = list;
  if (Object.keys(rest).length > 0) {
    const whole = Buffer.from(JSON.stringify({ list }));
    return whole.byteLength <= maxBytes ? remember(whole, list) : undefined;
  }
  // The bytes of JSON.stringify({ list: { data, warnings } }), element by element.
  const parts = ['{"list":{"data":['];
  let bytes = parts[0]!.length;
  for (let i = 0; i < data.length; i++) {
    const text = (i === 0 ? '' : ',') + JSON.stringify(data[i]);
    bytes += Buffer.byteLength(text);
    if (bytes > maxBytes) return undefined;
    parts.push(text);
  }
  parts.push(`],"warnings":${JSON.stringify(warnings)}}}`);
  const buf = Buffer.from(parts.join(''));
  return buf.byteLength <= maxBytes ? remember(buf, list) : undefined;
}

export function decodeList<A extends ListAnswer>(buf: Buffer | undefined): A | undefined {
  if (buf && decoded.has(buf)) return decoded.get(buf) as A;
  const list = (parse(buf) as { list?: unknown } | undefined)?.list;
  return isObject(list) && Array.isArray(list.data) && Array.isArray(list.warnings)
    ? (list as unknown as A)
    : undefined;
}

function remember(buf: Buffer, value: unknown): Buffer {
  keyLabels(value);
  decoded.set(buf, deepFreeze(value));
  return buf;
}

/**
 * labelsKey and sortedNames keep their answer on the label set itself (libs/promql/labels.ts), and extents.ts
 * marks points arrays it found in order, which a frozen object no longer allows: they are computed once here,
 * before freezing, for every series.
 */
function keyLabels(value: unknown): void {
  const v = value as { extents?: unknown; series?: unknown; result?: unknown };
  const lists = Array.isArray(value) ? value.map((e: { series?: unknown }) => e.series) : [v.result];
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    for (const s of list as { metric?: unknown }[])
      if (typeof s?.metric === 'object' && s.metric !== null) labelsKey(s.metric as Record<string, string>);
    markOrdered(list as MatrixSeries[]);
  }
}

/** Freezes every object and array reachable from v (answers are trees of plain JSON data). */
export function deepFreeze<T>(v: T): T {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return v;
  Object.freeze(v);
  for (const child of Object.values(v)) deepFreeze(child);
  return v;
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
  return (
    isObject(v) &&
    Number.isFinite(v.startMs) &&
    Number.isFinite(v.endMs) &&
    isMeta(v.meta) &&
    Array.isArray(v.series) &&
    v.series.every((s) => isObject(s) && isObject(s.metric))
  );
}
