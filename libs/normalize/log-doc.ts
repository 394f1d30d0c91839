import type { LogDoc } from '../schemas/records.ts';
import { hashId } from './logs.normalize.ts';
import type { NormalizeContext } from './normalize.types.ts';

/**
 * The one shape every log intake fills (Fluent Bit's HTTP intake has its own normalizer; OTLP, Loki push and
 * ES bulk come through here), so the same field lands in the same place whatever the protocol.
 */
export interface LogFields {
  time: number;
  message: string;
  namespace?: string | undefined;
  pod?: string | undefined;
  container?: string | undefined;
  node?: string | undefined;
  stream?: string | undefined;
  severity?: string | undefined;
  severityNumber?: number | undefined;
  traceId?: string | undefined;
  spanId?: string | undefined;
  labels?: Record<string, string> | undefined;
  attributes?: Record<string, string> | undefined;
}

/** Bounds on what one record carries beside its message, so a chatty sender cannot make records the bus refuses. */
export const MAX_ATTRIBUTES = 256;
export const MAX_ATTRIBUTE_CHARS = 8192;

export function logDoc(id: string, f: LogFields, ctx: NormalizeContext): LogDoc {
  const doc: LogDoc = {
    id,
    kind: 'logs',
    cluster: ctx.cluster,
    time: f.time,
    ingestedAt: ctx.ingestedAt,
    message: f.message,
  };
  // Plain assignments of what is set: this runs once per record on the intakes' hot path.
  if (f.namespace) doc.namespace = f.namespace;
  if (f.pod) doc.pod = f.pod;
  if (f.container) doc.container = f.container;
  if (f.node) doc.node = f.node;
  if (f.stream) doc.stream = f.stream;
  if (f.severity) doc.severity = f.severity;
  if (f.severityNumber) doc.severityNumber = f.severityNumber;
  if (f.traceId) doc.traceId = f.traceId;
  if (f.spanId) doc.spanId = f.spanId;
  if (f.labels && hasKeys(f.labels)) doc.labels = f.labels;
  if (f.attributes && hasKeys(f.attributes)) doc.attributes = boundAttributes(f.attributes);
  return doc;
}

/** At most MAX_ATTRIBUTES keys (the first ones sent), each value cut to MAX_ATTRIBUTE_CHARS with a mark. */
export function boundAttributes(attributes: Record<string, string>): Record<string, string> {
  const keys = Object.keys(attributes);
  const fits = keys.length <= MAX_ATTRIBUTES && keys.every((k) => attributes[k]!.length <= MAX_ATTRIBUTE_CHARS);
  if (fits) return attributes;
  const out: Record<string, string> = {};
  for (const k of keys.slice(0, MAX_ATTRIBUTES)) {
    const value = attributes[k]!;
    out[k] = value.length > MAX_ATTRIBUTE_CHARS ? `${value.slice(0, MAX_ATTRIBUTE_CHARS)}…` : value;
  }
  return out;
}

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}

/**
 * Ids from content, for protocols that give records none: the same record resent gets the same id.
 * Identical records within one batch are distinct real lines, so the second gets `:1` (as the Fluent Bit
 * intake does, libs/normalize/logs.normalize.ts).
 */
export class ContentIds {
  private readonly seen = new Map<string, number>();
  constructor(private readonly sequence: boolean) {}

  next(parts: ReadonlyArray<string | undefined>): string {
    const base = hashId(parts);
    if (!this.sequence) return base;
    const n = this.seen.get(base) ?? 0;
    this.seen.set(base, n + 1);
    return n === 0 ? base : `${base}:${n}`;
  }
}

/** Attributes in a stable text, for ids: keys sorted, so the sender's key order does not change the id. */
export function attributesKey(attributes: Record<string, string> | undefined): string {
  if (!attributes) return '';
  const keys = Object.keys(attributes).sort();
  let out = '';
  for (const k of keys) out += `${k}\u0001${attributes[k]}\u0002`;
  return out;
}
