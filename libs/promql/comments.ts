/**
 * Drops `# …` comments (outside string literals) before parsing. PromQL allows them (rule files use them,
 * kube-prometheus does); lezer-promql keeps them as nodes, which the tree builder would read as input.
 */
export function stripPromQLComments(expr: string): string {
  let out = '';
  let quote: string | undefined;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i] as string;
    if (quote) {
      out += c;
      if (c === '\\' && quote !== '`') out += expr[++i] ?? '';
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'" || c === '`') {
      quote = c;
      out += c;
    } else if (c === '#') {
      while (i < expr.length && expr[i] !== '\n') i++;
      out += '\n';
    } else out += c;
  }
  return out;
}
