import { InputError } from '../../../libs/errors/errors.ts';
import type { Binary, Expr, VectorSelector } from '../../../libs/promql/ast.ts';
import { SPAN_KINDS } from '../../../libs/schemas/span-doc.ts';
import { SPAN_COUNT_FIELDS, type SpanCountField, type SpanCountQuery } from '../../../libs/store/spans/span-count.ts';
import { goDurationNanos, parseLogfmtTags } from '../../../libs/traces/tempo-params.ts';
import type { Condition } from './record-count-query.ts';

/**
 * Span rules: alert rules over trace data, in the PromQL shape of record-count rules (record-count-query.ts) so
 * rule files stay valid for promtool. Two forms, each per cluster plus the `by` fields:
 *
 *   sum by (service) (count_over_time(pharos_spans{service="checkout", status="error"}[5m])) > 10      a count
 *   sum by (service) (count_over_time(pharos_spans{status="error"}[5m]))
 *     / sum by (service) (count_over_time(pharos_spans[5m])) > 0.05                                 a ratio
 *
 * Matchers are the Tempo search's (libs/traces/tempo-params.ts): `service`, `name` (span name), `kind`
 * (`server`, `client`, `producer`, `consumer`, `internal`, or `SPAN_KIND_…`), `status` (`error`, `ok`, `unset`
 * as TraceQL names them), `cluster`, `namespace`, `tags` (logfmt, as Tempo's `tags` parameter), and
 * `min_duration` / `max_duration` (Go durations, as `minDuration` / `maxDuration`). `=` or `=~` of literal
 * alternatives, all pushed down to the span store, which counts.
 */
export const SPAN_METRIC = 'pharos_spans';

/** What one `count_over_time(pharos_spans{…}[w])` selects: the store's filters without the window. */
export type SpanFilter = Omit<SpanCountQuery, 'start' | 'end' | 'by' | 'limit'>;

export interface SpanSelection {
  filter: SpanFilter;
  windowMs: number;
}

export interface SpanRuleQuery {
  /** The counted spans: the numerator of a ratio. */
  spans: SpanSelection;
  /** A ratio's denominator. */
  per?: SpanSelection;
  /** The `by` fields other than cluster (results are always per cluster). */
  groupBy: SpanCountField[];
  op: Condition;
  threshold: number;
}

/** Span kinds as TraceQL names them ↔ as stored (Data Prepper's names). */
export const KIND_NAMES: Record<string, string> = Object.fromEntries(
  SPAN_KINDS.map((k) => [k, k.replace('SPAN_KIND_', '').toLowerCase()]),
);
/** Status names (TraceQL's) of the OTLP status codes. */
export const STATUS_NAMES = ['unset', 'ok', 'error'] as const;

const FORMS =
  'sum by (fields) (count_over_time(pharos_spans{…}[window])) <op> N, or one such count divided by another <op> N';
const COMPARISONS = ['>', '>=', '<', '<='];

/** True when the expression reads spans. */
export function readsSpans(expr: Expr): boolean {
  if (expr.kind === 'vector') return expr.matchers.some((m) => m.name === '__name__' && m.value === SPAN_METRIC);
  return Object.values(expr).some((child: unknown) =>
    (Array.isArray(child) ? child : [child]).some((c) => isExpr(c) && readsSpans(c)),
  );
}

export function toSpanRuleQuery(expr: Expr): SpanRuleQuery {
  const top = unparen(expr);
  if (top.kind !== 'binary' || !COMPARISONS.includes(top.op))
    throw new InputError(`a rule over spans must compare a count or a ratio of counts: ${FORMS}`);
  const rhs = unparen(top.rhs);
  if (rhs.kind !== 'number' || top.bool) throw new InputError(`the right side must be a number: ${FORMS}`);
  const lhs = unparen(top.lhs);
  const base = { op: top.op as Condition, threshold: rhs.value };
  if (lhs.kind !== 'binary') return { ...base, ...countTerm(lhs) };
  if (lhs.op !== '/') throw new InputError(`spans compare a count or a ratio (/) of two counts: ${FORMS}`);
  const ratio = lhs as Binary;
  if (ratio.bool || ratio.matching?.on || ratio.matching?.labels.length || ratio.matching?.card !== 'one-to-one')
    throw new InputError('a ratio of span counts matches its sides on their `by` fields: no on, ignoring or group_');
  const num = countTerm(unparen(ratio.lhs));
  const den = countTerm(unparen(ratio.rhs));
  if ([...num.groupBy].sort().join() !== [...den.groupBy].sort().join())
    throw new InputError(`both sides of a ratio of span counts must group by the same fields: ${FORMS}`);
  return { ...base, spans: num.spans, per: den.spans, groupBy: num.groupBy };
}

function countTerm(e: Expr): { spans: SpanSelection; groupBy: SpanCountField[] } {
  let inner = e;
  let groupBy: string[] = [];
  if (inner.kind === 'aggregate') {
    if (inner.op !== 'sum' || inner.without) throw new InputError(`only sum by (…) groups spans: ${FORMS}`);
    groupBy = inner.grouping;
    inner = unparen(inner.expr);
  }
  if (inner.kind !== 'call' || inner.func !== 'count_over_time' || inner.args[0]?.kind !== 'matrix')
    throw new InputError(`expected ${FORMS}`);
  for (const g of groupBy)
    if (!(SPAN_COUNT_FIELDS as readonly string[]).includes(g))
      throw new InputError(`cannot group spans by "${g}": use one of ${SPAN_COUNT_FIELDS.join(', ')}`);
  const matrix = inner.args[0];
  return {
    spans: { filter: selectorFilter(matrix.selector), windowMs: matrix.rangeMs },
    groupBy: [...new Set(groupBy.filter((g) => g !== 'cluster'))] as SpanCountField[],
  };
}

const LITERAL_ALTERNATIVES = /^[^\\^$.*+?()[\]{}|]+(\|[^\\^$.*+?()[\]{}|]+)*$/;
const LIST_KEYS = {
  cluster: 'clusters',
  namespace: 'namespaces',
  service: 'services',
  name: 'names',
  kind: 'kinds',
} as const;
const MATCHERS = [...Object.keys(LIST_KEYS), 'status', 'tags', 'min_duration', 'max_duration'].join(', ');

function selectorFilter(sel: VectorSelector): SpanFilter {
  if (sel.offsetMs || sel.at) throw new InputError('offset and @ are not supported in rules over spans');
  const name = sel.matchers.find((m) => m.name === '__name__');
  if (name?.op !== '=' || name.value !== SPAN_METRIC)
    throw new InputError(`expected a pharos_spans selector: ${FORMS}`);
  const filter: Record<string, unknown> = {};
  const lists: Record<string, string[]> = {};
  const tags: Record<string, string> = {};
  for (const m of sel.matchers) {
    if (m.name === '__name__') continue;
    if (m.name === 'tags' || m.name === 'min_duration' || m.name === 'max_duration' || m.name.includes('.')) {
      if (m.op !== '=') throw new InputError(`${m.name} takes = "…" in rules over spans`);
      if (m.name === 'tags') addTags(tags, parseLogfmtTags(m.value));
      else if (m.name.includes('.')) addTags(tags, { [m.name]: m.value });
      else
        filter[m.name === 'min_duration' ? 'minDurationNanos' : 'maxDurationNanos'] = goDurationNanos(m.value, m.name);
      continue;
    }
    if (!(m.name in LIST_KEYS) && m.name !== 'status')
      throw new InputError(`"${m.name}" is not a matcher of pharos_spans: use one of ${MATCHERS}`);
    const literal = m.op === '=' ? m.value !== '' : m.op === '=~' && LITERAL_ALTERNATIVES.test(m.value);
    if (!literal)
      throw new InputError(
        `${m.name}${m.op}"${m.value}": matchers of pharos_spans take = "value" or =~"a|b" of literal values`,
      );
    const values = m.value.split('|').map((v) => storedValue(m.name, v));
    // Two matchers on one label both hold in PromQL: the values both allow.
    lists[m.name] = lists[m.name] ? (lists[m.name] as string[]).filter((v) => values.includes(v)) : values;
  }
  for (const [label, values] of Object.entries(lists)) {
    if (label === 'status') filter.statusCodes = values.map(Number);
    else filter[LIST_KEYS[label as keyof typeof LIST_KEYS]] = values;
  }
  if (Object.keys(tags).length) filter.tags = tags;
  return filter as SpanFilter;
}

function addTags(into: Record<string, string>, pairs: Record<string, string>): void {
  for (const [k, v] of Object.entries(pairs)) {
    if (into[k] !== undefined && into[k] !== v) throw new InputError(`tag "${k}" is given two different values`);
    into[k] = v;
  }
}

/** A matcher's value as the store keeps it: kinds by their stored name, statuses by code. */
function storedValue(label: string, value: string): string {
  if (label === 'kind') {
    const kind = SPAN_KINDS.find((k) => k === value || KIND_NAMES[k] === value);
    if (!kind) throw new InputError(`kind="${value}": use one of ${Object.values(KIND_NAMES).join(', ')}`);
    return kind;
  }
  if (label === 'status') {
    const code = (STATUS_NAMES as readonly string[]).indexOf(value);
    if (code < 0) throw new InputError(`status="${value}": use one of ${STATUS_NAMES.join(', ')}`);
    return String(code);
  }
  return value;
}

function isExpr(v: unknown): v is Expr {
  return typeof v === 'object' && v !== null && 'kind' in v;
}

function unparen(e: Expr): Expr {
  return e.kind === 'paren' ? unparen(e.expr) : e;
}
