import { parser } from '@prometheus-io/lezer-promql';

/**
 * Metric names a PromQL expression selects (`foo{a="b"}`, `{__name__="foo"}`), so a panel without data can
 * say which metrics do not exist. Parsed with Prometheus's own grammar (lezer-promql); a syntax error gives
 * what could be read.
 */
export function metricNames(expr: string): string[] {
  const names = new Set<string>();
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.name === 'VectorSelector') {
        const id = node.node.getChild('Identifier');
        if (id) names.add(expr.slice(id.from, id.to));
      } else if (node.name === 'UnquotedLabelMatcher') {
        const text = expr.slice(node.from, node.to);
        const m = /^__name__\s*=\s*"([^"\\]+)"$/.exec(text);
        if (m) names.add(m[1]!);
      }
    },
  });
  return [...names];
}
