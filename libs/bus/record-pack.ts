import type { BusMessage } from './bus.ts';
import { HEADER } from './topics.ts';

/**
 * Record messages carry one or more records as NDJSON: every line one JSON document, all of one key and
 * one cluster, in their original order. A one-record message is plain JSON, so a consumer that expects
 * one document per message still reads it. Packing matters for throughput: Kafka clients spend most of
 * their CPU per message (framing, varints, checksums, partitioning), and the records of one pod's log
 * chunk or one object's audit trail share a key anyway. JSON.stringify never writes a raw newline, so
 * splitting on '\n' is exact.
 */
export interface PackLimits {
  /** Largest message value; well under Kafka's default `message.max.bytes` of 1 MiB. */
  maxBytes: number;
  maxRecords: number;
}

export const DEFAULT_PACK_LIMITS: PackLimits = { maxBytes: 256 * 1024, maxRecords: 1000 };

export interface PackOptions<T> {
  /** The bus key of a record: one key's messages keep their order. */
  keyOf: (record: T) => string;
  limits?: PackLimits;
  /** One record as one line of JSON; the collector's also makes an oversized record fit (fitRecord). */
  serialize?: (record: T) => string;
}

interface Open {
  key: string;
  cluster: string;
  lines: string[];
  bytes: number;
}

/** Groups records by key and cluster into messages within the limits; one key's messages keep their order. */
export function packRecords<T extends { cluster: string }>(
  kind: string,
  records: readonly T[],
  options: PackOptions<T>,
): BusMessage[] {
  const { keyOf, limits = DEFAULT_PACK_LIMITS, serialize = JSON.stringify } = options;
  const out: BusMessage[] = [];
  const open = new Map<string, Open>();
  const flush = (o: Open) =>
    out.push({ key: o.key, value: o.lines.join('\n'), headers: { [HEADER.cluster]: o.cluster, [HEADER.kind]: kind } });
  for (const record of records) {
    const key = keyOf(record);
    const line = serialize(record);
    const group = `${record.cluster}\u0000${key}`;
    let o = open.get(group);
    if (o && (o.lines.length >= limits.maxRecords || o.bytes + line.length + 1 > limits.maxBytes)) {
      flush(o);
      o = undefined;
    }
    if (!o) {
      o = { key, cluster: record.cluster, lines: [], bytes: 0 };
      open.set(group, o);
    }
    o.lines.push(line);
    o.bytes += line.length + 1;
  }
  for (const o of open.values()) flush(o);
  return out;
}

/** The records of one message value, each still as JSON text. */
export function unpackRecords(value: string): string[] {
  if (!value.includes('\n')) return [value];
  const lines = value.split('\n').filter((line) => line.trim().length > 0);
  // Nothing but blank lines is still a message: the indexer dead-letters it rather than dropping it.
  return lines.length > 0 ? lines : [value];
}
