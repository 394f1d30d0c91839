import { spanDocSchema, type SpanDoc } from './span-doc.ts';

/**
 * The spans indexer's check of a span as JSON.parse made it from the bus: true when `value` is a span that
 * spanDocSchema accepts **and keeps whole** (every key is one of the schema's, so nothing would be stripped),
 * checked in place without building a copy. spanDocSchema.safeParse cost the indexer more than the
 * JSON.parse before it (zod builds a new object for every object and record it checks) and its copies were a
 * good part of the indexer's GC. This check is never looser than the schema: a span it refuses is checked by
 * the schema after all (spans.indexer.ts), which keeps what it accepts and words the dead letter's reason.
 * Kept in step with spanDocSchema by span-check.test.ts.
 */
export function isExactSpanDoc(value: unknown): value is SpanDoc {
  if (!isPlain(value)) return false;
  const s = value as Record<string, unknown>;
  const hasNamespace = s.namespace !== undefined;
  return (
    keys(s) === TOP_KEYS + (hasNamespace ? 1 : 0) &&
    (!hasNamespace || typeof s.namespace === 'string') &&
    typeof s.id === 'string' &&
    s.id.length >= 1 &&
    s.id.length <= 512 &&
    typeof s.cluster === 'string' &&
    s.cluster.length >= 1 &&
    Number.isSafeInteger(s.time) &&
    Number.isSafeInteger(s.ingestedAt) &&
    typeof s.traceId === 'string' &&
    TRACE_ID.test(s.traceId) &&
    typeof s.spanId === 'string' &&
    SPAN_ID.test(s.spanId) &&
    strings(s, SPAN_STRINGS) &&
    Number.isSafeInteger(s.durationInNanos) &&
    Number.isSafeInteger(s.droppedAttributesCount) &&
    isStatus(s.status) &&
    (s.traceGroup === null || typeof s.traceGroup === 'string') &&
    isAttributes(s.attributes) &&
    isResource(s.resource) &&
    isScope(s.instrumentationScope) &&
    everyOf(s.events, isEvent) &&
    everyOf(s.links, isLink)
  );
}

/** spanDocSchema's keys, namespace (the one optional) aside. */
const TOP_KEYS = Object.keys(spanDocSchema.shape).length - 1;
const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const SPAN_STRINGS = [
  'parentSpanId',
  'traceState',
  'name',
  'kind',
  'serviceName',
  'startTime',
  'endTime',
  'startTimeUnixNano',
  'endTimeUnixNano',
] as const;

/** An object as JSON.parse makes one (zod's object and record take no arrays, null or class instances). */
const isPlain = (v: unknown): v is object =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

function keys(o: object): number {
  let n = 0;
  for (const _ in o) n += 1;
  return n;
}

const strings = (o: Record<string, unknown>, names: readonly string[]): boolean =>
  names.every((name) => typeof o[name] === 'string');

/**
 * z.record(z.string(), z.unknown()) keeps every value, but not an own `__proto__` key (JSON.parse makes one
 * from `"__proto__":`): such a map would come out of the schema without it.
 */
const isAttributes = (v: unknown): boolean => isPlain(v) && !Object.hasOwn(v, '__proto__');

function isStatus(v: unknown): boolean {
  if (!isPlain(v)) return false;
  const o = v as Record<string, unknown>;
  const hasMessage = o.message !== undefined;
  return (
    Number.isSafeInteger(o.code) && (!hasMessage || typeof o.message === 'string') && keys(o) === (hasMessage ? 2 : 1)
  );
}

const isResource = (v: unknown): boolean =>
  isPlain(v) && keys(v) === 1 && isAttributes((v as Record<string, unknown>).attributes);

const isScope = (v: unknown): boolean =>
  isPlain(v) && keys(v) === 2 && strings(v as Record<string, unknown>, ['name', 'version']);

const isEvent = (v: unknown): boolean =>
  isPlain(v) &&
  keys(v) === 4 &&
  strings(v as Record<string, unknown>, ['name', 'time', 'timeUnixNano']) &&
  isAttributes((v as Record<string, unknown>).attributes);

const isLink = (v: unknown): boolean =>
  isPlain(v) &&
  keys(v) === 4 &&
  strings(v as Record<string, unknown>, ['traceId', 'spanId', 'traceState']) &&
  isAttributes((v as Record<string, unknown>).attributes);

const everyOf = (v: unknown, check: (item: unknown) => boolean): boolean => Array.isArray(v) && v.every(check);
