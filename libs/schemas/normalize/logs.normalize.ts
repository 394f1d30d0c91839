import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { LogDoc } from '../records.ts';
import { issuesText, type NormalizeContext, type NormalizeResult, type Rejection } from './normalize.types.ts';
import { parseTime } from './time.ts';

/**
 * One record as Fluent Bit's `http` output sends it (format json / json_lines) after the `kubernetes`
 * filter (https://docs.fluentbit.io/manual/pipeline/filters/kubernetes): `log`, a time (`time` or the
 * `date` key), `stream`, and `kubernetes.{namespace_name,pod_name,container_name,host,labels}`.
 */
const fluentBitRecordSchema = z.looseObject({
  log: z.string().optional(),
  message: z.string().optional(),
  time: z.union([z.string(), z.number()]).optional(),
  date: z.union([z.string(), z.number()]).optional(),
  '@timestamp': z.union([z.string(), z.number()]).optional(),
  stream: z.string().optional(),
  host: z.string().optional(),
  kubernetes: z
    .looseObject({
      namespace_name: z.string().optional(),
      pod_name: z.string().optional(),
      container_name: z.string().optional(),
      host: z.string().optional(),
      labels: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    })
    .optional(),
});

/** NDJSON text → items; a line that is not JSON is reported by its index (0-based, blank lines skipped). */
export function parseNdjson(text: string): { items: { index: number; value: unknown }[]; rejected: Rejection[] } {
  const items: { index: number; value: unknown }[] = [];
  const rejected: Rejection[] = [];
  let index = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      items.push({ index, value: JSON.parse(line) });
    } catch (err) {
      rejected.push({ index, reason: `not JSON: ${(err as Error).message}` });
    }
    index += 1;
  }
  return { items, rejected };
}

/**
 * Fluent Bit records → log docs. The id hashes cluster, namespace, pod, container, the source time (as sent,
 * keeping its full precision) and the message, so a resent batch overwrites itself. Two identical lines in
 * one batch (same container, same time, same text) are two real lines, not a redelivery: the second gets
 * `:1`, the third `:2`. A sender that resends a batch resends the same lines in the same order, so the
 * sequence is stable; identical lines split across different batches collapse into one (documented limit).
 */
export function normalizeLogs(items: readonly { index: number; value: unknown }[], ctx: NormalizeContext): NormalizeResult<LogDoc> {
  const result: NormalizeResult<LogDoc> = { docs: [], rejected: [] };
  const seen = new Map<string, number>();
  for (const { index, value } of items) {
    const parsed = fluentBitRecordSchema.safeParse(value);
    if (!parsed.success) {
      result.rejected.push({ index, reason: issuesText(parsed.error.issues) });
      continue;
    }
    const r = parsed.data;
    const message = r.log ?? r.message;
    if (message === undefined) {
      result.rejected.push({ index, reason: 'log: required (the log line)' });
      continue;
    }
    const rawTime = r.time ?? r.date ?? r['@timestamp'];
    const time = parseTime(rawTime);
    if (time === undefined) {
      result.rejected.push({ index, reason: 'time / date: missing or not a time' });
      continue;
    }
    const k = r.kubernetes;
    const base = hashId([ctx.cluster, k?.namespace_name, k?.pod_name, k?.container_name, String(rawTime), message]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    const doc: LogDoc = { id: n === 0 ? base : `${base}:${n}`, kind: 'logs', cluster: ctx.cluster, time, ingestedAt: ctx.ingestedAt, message };
    const optional: Partial<LogDoc> = {
      namespace: k?.namespace_name, pod: k?.pod_name, container: k?.container_name, node: k?.host ?? r.host, stream: r.stream,
      labels: k?.labels ? Object.fromEntries(Object.entries(k.labels).map(([lk, lv]) => [lk, String(lv)])) : undefined,
    };
    for (const [key, v] of Object.entries(optional)) if (v !== undefined && v !== '') (doc as Record<string, unknown>)[key] = v;
    result.docs.push(doc);
  }
  return result;
}

function hashId(parts: ReadonlyArray<string | undefined>): string {
  // NUL never appears in these fields, so the joined form is unambiguous.
  return createHash('sha256').update(parts.map((p) => p ?? '').join('\u0000')).digest('hex').slice(0, 32);
}

/** Bus key: one container's lines stay in order. */
export function logKey(doc: LogDoc): string {
  return `${doc.namespace ?? ''}/${doc.pod ?? ''}/${doc.container ?? ''}`;
}
