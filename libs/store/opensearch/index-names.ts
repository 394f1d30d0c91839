import type { RecordKind } from '../../schemas/records.ts';

/**
 * Daily indices per kind and cluster: `<prefix>-<kind>-<cluster>-YYYY.MM.DD` (UTC day of the record's
 * time). Index names must be lowercase and avoid `\ / * ? " < > | , # :` and spaces, so a cluster name keeps
 * [a-z0-9.-] and writes any other character as `_<hex code point>_` ("East" → "_45_ast"); the mapping is
 * one-to-one, so retention of one cluster never touches another's indices.
 */
export function encodeCluster(cluster: string): string {
  let out = encoded.get(cluster);
  if (out !== undefined) return out;
  out = '';
  for (const ch of cluster) out += /[a-z0-9.-]/.test(ch) ? ch : `_${(ch.codePointAt(0) as number).toString(16)}_`;
  // Every bulk item names its index: remember the few cluster names a process sees (bounded, in case not).
  if (encoded.size > 10_000) encoded.clear();
  encoded.set(cluster, out);
  return out;
}
const encoded = new Map<string, string>();

export const kindPattern = (prefix: string, kind: RecordKind): string => `${prefix}-${kind}-*`;

export function dayOf(time: number): string {
  // Every bulk item names its daily index, and a bulk's items are mostly of one day: the last day is kept.
  const day = Math.floor(time / DAY_MS);
  if (day === lastDay.day) return lastDay.text;
  const d = new Date(time);
  const text = `${d.getUTCFullYear()}.${pad2(d.getUTCMonth() + 1)}.${pad2(d.getUTCDate())}`;
  lastDay = { day, text };
  return text;
}
const DAY_MS = 86_400_000;
let lastDay = { day: Number.NaN, text: '' };
const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** The daily index a record of this cluster and time goes to. */
export function indexName(prefix: string, kind: RecordKind, record: { cluster: string; time: number }): string {
  const { cluster, time } = record;
  return `${prefix}-${kind}-${encodeCluster(cluster)}-${dayOf(time)}`;
}

/** The daily indices of one prefix and kind, of one cluster when given. */
export interface IndexFamily {
  prefix: string;
  kind: RecordKind;
  cluster?: string;
}

/** The UTC start of the day an index holds, when `index` is a daily index of this family. */
export function indexDay(index: string, family: IndexFamily): number | undefined {
  const { prefix, kind, cluster } = family;
  const m = /^(.*)-(\d{4})\.(\d{2})\.(\d{2})$/.exec(index);
  if (!m) return undefined;
  const head = m[1] as string;
  const expected = cluster === undefined ? undefined : `${prefix}-${kind}-${encodeCluster(cluster)}`;
  if (expected !== undefined ? head !== expected : !head.startsWith(`${prefix}-${kind}-`)) return undefined;
  return Date.UTC(Number(m[2]), Number(m[3]) - 1, Number(m[4]));
}
