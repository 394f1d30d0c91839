import { hash } from 'node:crypto';
import { z } from 'zod';
import type { LogDoc } from '../schemas/records.ts';
import { issuesText, type NormalizeContext, type NormalizeResult, type Rejection } from './normalize.types.ts';
import { sourceTime } from '../time/time.ts';

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
export function normalizeLogs(
  items: readonly { index: number; value: unknown }[],
  ctx: NormalizeContext,
): NormalizeResult<LogDoc> {
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
    const time = sourceTime(rawTime);
    if (time === undefined) {
      result.rejected.push({ index, reason: 'time / date: missing or not a time' });
      continue;
    }
    const k = r.kubernetes;
    const base = hashId([ctx.cluster, k?.namespace_name, k?.pod_name, k?.container_name, String(rawTime), message]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    const doc: LogDoc = {
      id: n === 0 ? base : `${base}:${n}`,
      kind: 'logs',
      cluster: ctx.cluster,
      time,
      ingestedAt: ctx.ingestedAt,
      message,
    };
    // Plain assignments, not a spread of optional fields: this runs once per log line on the intake's hot path.
    if (k?.namespace_name) doc.namespace = k.namespace_name;
    if (k?.pod_name) doc.pod = k.pod_name;
    if (k?.container_name) doc.container = k.container_name;
    const node = k?.host ?? r.host;
    if (node) doc.node = node;
    if (r.stream) doc.stream = r.stream;
    if (k?.labels) doc.labels = stringLabels(k.labels);
    result.docs.push(doc);
  }
  return result;
}

export function hashId(parts: ReadonlyArray<string | undefined>): string {
  // NUL never appears in these fields, so the joined form is unambiguous. crypto.hash is the one-shot form
  // (no Hash object per line).
  return hash('sha256', parts.map((p) => p ?? '').join('\u0000'), 'hex').slice(0, 32);
}

function stringLabels(labels: Record<string, string | number | boolean>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key in labels) out[key] = String(labels[key]);
  return out;
}

/** Bus key: one container's lines stay in order. */
export function logKey(doc: LogDoc): string {
  return `${doc.namespace ?? ''}/${doc.pod ?? ''}/${doc.container ?? ''}`;
}
