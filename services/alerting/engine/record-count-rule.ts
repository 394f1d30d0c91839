import { FILTER_FIELDS } from '../../../libs/schemas/records.ts';
import type { AnyDoc, RecordQuery, RecordStore } from '../../../libs/store/record-store.ts';
import type { RecordCountQuery } from '../rules/record-count-query.ts';
import type { Sample } from './alert-state.ts';
import type { RuleResult } from './rule-query.ts';

/** Records read per evaluation when matchers or groupings need Pharos to look at each record. */
export const MAX_SCANNED = 10_000;

type Store = Pick<RecordStore, 'count' | 'stats' | 'exportAll'>;

/** Where and when a record-count rule is evaluated: its window ends at `nowMs`. */
export interface RecordCountEvaluation {
  nowMs: number;
  store: Store;
  /** The configured clusters: without `by`, each with no records counts as 0 for "fewer than N". */
  clusters: string[];
  signal: AbortSignal;
}

/**
 * A record-count rule (a count of logs, events or audit records, not a Prometheus recording rule).
 * Counts matching records in [now - window, now) per cluster and `by` fields, and keeps the groups whose count
 * meets the condition. For "fewer than N" (flatline) a group that had records in the window before and none now
 * counts as 0, as do configured clusters with no records at all, so silence itself can fire.
 */
export async function evaluateRecordCountRule(q: RecordCountQuery, at: RecordCountEvaluation): Promise<RuleResult> {
  const { nowMs, clusters } = at;
  const warnings: string[] = [];
  const scan = { ...at, warnings };
  const current = await countGroups(q, { start: nowMs - q.windowMs, end: nowMs }, scan);
  if (q.op === '<' || q.op === '<=') {
    const before = await countGroups(q, { start: nowMs - 2 * q.windowMs, end: nowMs - q.windowMs }, scan);
    for (const key of before.keys()) if (!current.has(key)) current.set(key, 0);
    if (q.groupBy.length === 0)
      for (const c of clusters) if (!current.has(JSON.stringify([c]))) current.set(JSON.stringify([c]), 0);
  }
  const samples: Sample[] = [];
  for (const [key, count] of current) {
    if (!compare(count, q.op, q.threshold)) continue;
    const values = JSON.parse(key) as string[];
    const labels: Record<string, string> = { cluster: values[0] as string };
    q.groupBy.forEach((g, i) => {
      if (values[i + 1]) labels[g] = values[i + 1] as string;
    });
    samples.push({ labels, value: count });
  }
  return { samples, failedClusters: new Map(), warnings };
}

function compare(v: number, op: RecordCountQuery['op'], n: number): boolean {
  return op === '>' ? v > n : op === '>=' ? v >= n : op === '<' ? v < n : v <= n;
}

/** Group key (JSON of [cluster, ...by values]) → count. Pushes work to the store where it can group. */
async function countGroups(
  q: RecordCountQuery,
  window: { start: number; end: number },
  scan: { store: Store; signal: AbortSignal; warnings: string[] },
): Promise<Map<string, number>> {
  const { store, signal, warnings } = scan;
  const query: RecordQuery = { filters: q.filters, ...(q.q ? { q: q.q } : {}), ...window };
  const out = new Map<string, number>();
  if (q.post.length === 0 && q.groupBy.length <= 1) {
    const perCluster = await store.stats(q.kind, { ...query, by: 'cluster', limit: 1000 }, signal);
    for (const c of perCluster.groups) {
      if (q.groupBy.length === 0) {
        out.set(JSON.stringify([c.key]), c.count);
        continue;
      }
      const by = await store.stats(
        q.kind,
        { ...query, filters: { ...q.filters, cluster: [c.key] }, by: q.groupBy[0] as string, limit: 1000 },
        signal,
      );
      for (const g of by.groups) out.set(JSON.stringify([c.key, g.key]), g.count);
    }
    return out;
  }
  let scanned = 0;
  for await (const doc of store.exportAll(q.kind, { ...query, sort: 'desc' }, signal)) {
    if (++scanned > MAX_SCANNED) {
      warnings.push(
        `more than ${MAX_SCANNED} records matched the pushed-down filters; counted the newest ${MAX_SCANNED}`,
      );
      break;
    }
    if (!q.post.every((p) => p.regex.test(fieldText(doc, p.field)) !== p.negate)) continue;
    const key = JSON.stringify([doc.cluster, ...q.groupBy.map((g) => fieldText(doc, FILTER_FIELDS[q.kind][g] ?? g))]);
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}

function fieldText(doc: AnyDoc, field: string): string {
  const v = (doc as Record<string, unknown>)[field];
  if (field === 'raw') return v === undefined ? '' : JSON.stringify(v);
  if (Array.isArray(v)) return v.join(',');
  return v === undefined || v === null ? '' : String(v);
}
