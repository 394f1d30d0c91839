import type { SpanCountField } from '../../../libs/store/spans/span-count.ts';
import type { SpanStore } from '../../../libs/store/spans/span-store.ts';
import { KIND_NAMES, STATUS_NAMES, type SpanRuleQuery, type SpanSelection } from '../rules/span-rule-query.ts';
import type { Sample } from './alert-state.ts';
import type { RuleResult } from './rule-query.ts';

/** Groups counted per evaluation at most (per cluster and `by` values); a warning says when there were more. */
export const MAX_SPAN_GROUPS = 10_000;

type Store = Pick<SpanStore, 'countSpans'>;

/** Where and when a span rule is evaluated: its windows end at `nowMs`. */
export interface SpanRuleEvaluation {
  nowMs: number;
  store: Store;
  /** The configured clusters: without `by`, each with no spans counts as 0 for "fewer than N". */
  clusters: string[];
  signal: AbortSignal;
}

/**
 * A span rule (span-rule-query.ts): matching spans counted by the store in [now - window, now) per cluster and
 * `by` fields. A ratio is numerator / denominator for every group with spans in the denominator, a group
 * without numerator spans being 0 (PromQL would have no sample there; the same alerts for `>` N ≥ 0, and "success
 * ratio < 0.9" can fire when nothing succeeds). A count compared with `<` / `<=` treats silence as record-count
 * rules do: a group seen in the window before, and every configured cluster (without `by`), count as 0.
 */
export async function evaluateSpanRule(q: SpanRuleQuery, at: SpanRuleEvaluation): Promise<RuleResult> {
  const warnings: string[] = [];
  const count = (sel: SpanSelection, end: number) => countGroups(q.groupBy, { sel, end, at, warnings });
  const current = await count(q.spans, at.nowMs);
  let values = current;
  if (q.per) {
    const totals = await count(q.per, at.nowMs);
    values = new Map([...totals].map(([key, n]) => [key, (current.get(key) ?? 0) / n]));
  } else if (q.op === '<' || q.op === '<=') {
    const before = await count(q.spans, at.nowMs - q.spans.windowMs);
    for (const key of before.keys()) if (!current.has(key)) current.set(key, 0);
    if (q.groupBy.length === 0)
      for (const c of at.clusters) if (!current.has(JSON.stringify([c]))) current.set(JSON.stringify([c]), 0);
  }
  const samples: Sample[] = [];
  for (const [key, value] of values) {
    if (compare(value, q.op, q.threshold)) samples.push({ labels: labelsOf(q.groupBy, key), value });
  }
  return { samples, failedClusters: new Map(), warnings };
}

function compare(v: number, op: SpanRuleQuery['op'], n: number): boolean {
  return op === '>' ? v > n : op === '>=' ? v >= n : op === '<' ? v < n : v <= n;
}

/** Group key (JSON of [cluster, ...by values as stored]) → count of the selection's spans in its window. */
async function countGroups(
  groupBy: readonly SpanCountField[],
  c: { sel: SpanSelection; end: number; at: SpanRuleEvaluation; warnings: string[] },
): Promise<Map<string, number>> {
  const { sel, end, at } = c;
  const query = { ...sel.filter, start: end - sel.windowMs, end, by: ['cluster', ...groupBy] as SpanCountField[] };
  const res = await at.store.countSpans({ ...query, limit: MAX_SPAN_GROUPS }, at.signal);
  if (res.truncated) c.warnings.push(`more than ${MAX_SPAN_GROUPS} groups of spans; evaluated ${MAX_SPAN_GROUPS}`);
  return new Map(res.groups.map((g) => [JSON.stringify(g.key), g.count]));
}

/** The alert's labels: cluster and the `by` fields, kinds and statuses by their TraceQL names, empty ones left out. */
function labelsOf(groupBy: readonly SpanCountField[], key: string): Record<string, string> {
  const values = JSON.parse(key) as string[];
  const labels: Record<string, string> = { cluster: values[0] as string };
  groupBy.forEach((g, i) => {
    const v = values[i + 1] as string;
    const shown = g === 'kind' ? (KIND_NAMES[v] ?? v) : g === 'status' ? (STATUS_NAMES[Number(v)] ?? v) : v;
    if (shown) labels[g] = shown;
  });
  return labels;
}
