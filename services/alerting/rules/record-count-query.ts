import { InputError } from '../../../libs/errors/errors.ts';
import type { Binary, Expr, VectorSelector } from '../../../libs/promql/ast.ts';
import { compileMatcherRegex, quoteRegex, type Regex } from '../../../libs/text/regex.ts';
import { FILTER_FIELDS, RECORD_KINDS, type RecordKind } from '../../../libs/schemas/records.ts';
import { parseSearch } from '../../../libs/search/search-parser.ts';
import type { SearchExpr } from '../../../libs/store/record-store.ts';

/**
 * Record-count rules: rules over logs, events and audit (counts of records; not Prometheus recording rules), written
 * in PromQL shape so rule files stay valid for promtool:
 *
 *   count_over_time(pharos_events{reason="BackOff", type="Warning"}[10m]) > 0                  any match
 *   sum by (namespace, pod) (count_over_time(pharos_logs{q="OOM AND error"}[5m])) >= 10         ≥ N per pod
 *   count_over_time(pharos_logs{namespace="payments"}[15m]) < 1                                 flatline
 *
 * Matchers are the Query API's filters (`=` one value, `=~"a|b"` any of several), pushed down to the record
 * store; `q` is its search expression. Other matchers (`!=`, `!~`, a real regex, or `raw` matched against the
 * record's original JSON) are checked in Pharos on the records the pushed-down part selects, at most
 * MAX_SCANNED per evaluation. Results are always per cluster, plus the `by` fields.
 */
export const RECORD_METRICS: Record<string, RecordKind> = Object.fromEntries(
  RECORD_KINDS.map((k) => [`pharos_${k}`, k]),
);

export type Condition = '>' | '>=' | '<' | '<=';

/** A matcher checked in Pharos: on a stored field (mapped from its filter name), or `raw` (the original JSON). */
export interface PostFilter {
  field: string;
  negate: boolean;
  /** RE2, anchored as PromQL anchors matchers (libs/text/regex.ts): linear in the record's text. */
  regex: Regex;
}

export interface RecordCountQuery {
  kind: RecordKind;
  filters: Record<string, string[]>;
  post: PostFilter[];
  q?: SearchExpr;
  qText?: string;
  windowMs: number;
  groupBy: string[];
  op: Condition;
  threshold: number;
}

/** True when the expression reads Pharos records rather than Prometheus series. */
export function readsRecords(expr: Expr): boolean {
  let found = false;
  const walk = (e: Expr): void => {
    if (e.kind === 'vector' && e.matchers.some((m) => m.name === '__name__' && m.value in RECORD_METRICS)) found = true;
    for (const child of Object.values(e)) {
      if (child && typeof child === 'object' && 'kind' in child) walk(child as Expr);
      if (Array.isArray(child)) child.forEach((c) => c && typeof c === 'object' && 'kind' in c && walk(c as Expr));
    }
  };
  walk(expr);
  return found;
}

const FORMS = 'count_over_time(pharos_<kind>{…}[window]) <op> N, optionally inside sum by (fields) (…)';

export function toRecordCountQuery(expr: Expr): RecordCountQuery {
  const top = unparen(expr);
  if (top.kind !== 'binary' || !['>', '>=', '<', '<='].includes(top.op))
    throw new InputError(`a rule over records must compare a count: ${FORMS}`);
  const bin = top as Binary;
  const rhs = unparen(bin.rhs);
  if (rhs.kind !== 'number' || bin.bool) throw new InputError(`the right side must be a number: ${FORMS}`);
  let lhs = unparen(bin.lhs);
  let groupBy: string[] = [];
  if (lhs.kind === 'aggregate') {
    if (lhs.op !== 'sum' || lhs.without) throw new InputError(`only sum by (…) groups records: ${FORMS}`);
    groupBy = lhs.grouping;
    lhs = unparen(lhs.expr);
  }
  if (lhs.kind !== 'call' || lhs.func !== 'count_over_time' || lhs.args[0]?.kind !== 'matrix')
    throw new InputError(`expected ${FORMS}`);
  const matrix = lhs.args[0];
  const { kind, filters, post, q, qText } = selectorFilters(matrix.selector);
  const allowed = FILTER_FIELDS[kind];
  for (const g of groupBy) {
    if (!(g in allowed))
      throw new InputError(`cannot group ${kind} by "${g}": use one of ${Object.keys(allowed).join(', ')}`);
  }
  return {
    kind,
    filters,
    post,
    ...(q ? { q, qText } : {}),
    windowMs: matrix.rangeMs,
    groupBy: groupBy.filter((g) => g !== 'cluster'),
    op: bin.op as Condition,
    threshold: rhs.value,
  };
}

const LITERAL_ALTERNATIVES = /^[^\\^$.*+?()[\]{}]+(\|[^\\^$.*+?()[\]{}]+)*$/;

function selectorFilters(sel: VectorSelector): {
  kind: RecordKind;
  filters: Record<string, string[]>;
  post: PostFilter[];
  q?: SearchExpr;
  qText?: string;
} {
  if (sel.offsetMs || sel.at) throw new InputError('offset and @ are not supported in rules over records');
  const name = sel.matchers.find((m) => m.name === '__name__');
  const kind = name ? RECORD_METRICS[name.value] : undefined;
  if (!kind) throw new InputError(`expected a pharos_logs, pharos_events or pharos_audit selector: ${FORMS}`);
  const allowed = FILTER_FIELDS[kind];
  const filters: Record<string, string[]> = {};
  const post: PostFilter[] = [];
  let q: SearchExpr | undefined;
  let qText: string | undefined;
  for (const m of sel.matchers) {
    if (m.name === '__name__') continue;
    if (m.name === 'q') {
      if (m.op !== '=') throw new InputError('q takes = "search expression"');
      q = parseSearch(m.value);
      qText = m.value;
      continue;
    }
    const field = m.name === 'raw' ? 'raw' : allowed[m.name];
    if (!field)
      throw new InputError(
        `"${m.name}" is not a filter of ${kind}: use one of ${Object.keys(allowed).join(', ')}, q or raw`,
      );
    if (field !== 'raw' && m.op === '=') filters[m.name] = [...(filters[m.name] ?? []), m.value];
    else if (field !== 'raw' && m.op === '=~' && LITERAL_ALTERNATIVES.test(m.value))
      filters[m.name] = [...(filters[m.name] ?? []), ...m.value.split('|')];
    else post.push(postFilter(field, m.op, m.value));
  }
  return { kind, filters, post, ...(q ? { q, qText } : {}) };
}

function postFilter(field: string, op: string, value: string): PostFilter {
  const literal = op === '=' || op === '!=';
  return { field, negate: op.startsWith('!'), regex: compileMatcherRegex(literal ? quoteRegex(value) : value) };
}

function unparen(e: Expr): Expr {
  return e.kind === 'paren' ? unparen(e.expr) : e;
}
