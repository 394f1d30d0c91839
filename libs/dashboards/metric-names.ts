import { parser } from '@prometheus-io/lezer-promql';

/**
 * The series selectors of a PromQL expression (`foo{a="b"}`, `{__name__="foo"}`) and the metric names they
 * select, so a panel without data can say which metric or selector matches nothing. Parsed with
 * Prometheus's own grammar (lezer-promql); after a syntax error, what could be read.
 */
export interface SelectorRef {
  /** The selector as written, e.g. `up{job="node"}`. */
  text: string;
  metric?: string;
}

/**
 * Parsed expressions, most recently used last: a dashboard reload asks the same expressions again, and the
 * parse was an eighth of a warm reload's CPU (issue 21). The answers are frozen, as they are shared.
 */
const MEMO_ENTRIES = 1000;
const memo = new Map<string, readonly Readonly<SelectorRef>[]>();

export function vectorSelectors(expr: string): readonly Readonly<SelectorRef>[] {
  const known = memo.get(expr);
  if (known) {
    memo.delete(expr);
    memo.set(expr, known);
    return known;
  }
  const parsed = Object.freeze(parseSelectors(expr).map((s) => Object.freeze(s)));
  if (memo.size >= MEMO_ENTRIES) memo.delete(memo.keys().next().value as string);
  memo.set(expr, parsed);
  return parsed;
}

function parseSelectors(expr: string): SelectorRef[] {
  const out = new Map<string, SelectorRef>();
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.name !== 'VectorSelector') return;
      const text = expr.slice(node.from, node.to).trim();
      const id = node.node.getChild('Identifier');
      const byLabel = /__name__\s*=\s*"([^"\\]+)"/.exec(text);
      const metric = id ? expr.slice(id.from, id.to) : byLabel?.[1];
      out.set(text, metric ? { text, metric } : { text });
      return false;
    },
  });
  return [...out.values()];
}

export function metricNames(expr: string): string[] {
  return [...new Set(vectorSelectors(expr).flatMap((s) => (s.metric ? [s.metric] : [])))];
}
