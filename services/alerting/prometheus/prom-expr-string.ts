import type { AtModifier, Expr, LabelMatcher, VectorSelector } from '../../../libs/promql/ast.ts';
import { formatDuration } from '../../../libs/time/duration.ts';
import { parsePromQL } from '../../../libs/promql/parser.ts';

/**
 * A rule's expression as Prometheus 2.42 reports it in /api/v1/rules (`query`: the parsed tree printed back by
 * promql/parser's String() methods): single spaces around binary operators, `sum by (job) (x)`, label lists
 * joined with ", ", selectors with the metric name first, parentheses only where the rule had them.
 * A text Pharos cannot parse is returned as written.
 */
export function prometheusExprString(text: string): string {
  try {
    return print(parsePromQL(text));
  } catch {
    return text;
  }
}

/** strconv.FormatFloat(v, 'g', -1, 64) written as Go's %v prints a float64 literal. */
function number(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e21)) {
    const [m, e] = v.toExponential().split('e') as [string, string];
    return `${m}e${e.startsWith('-') ? '-' : '+'}${e.replace(/^[-+]/, '').padStart(2, '0')}`;
  }
  return String(v);
}

const goQuote = (s: string) => JSON.stringify(s);
const matcher = (m: LabelMatcher) => `${m.name}${m.op}${goQuote(m.value)}`;

function selector(s: VectorSelector): string {
  const nameIdx = s.matchers.findIndex((m) => m.name === '__name__' && m.op === '=');
  const name = nameIdx >= 0 ? (s.matchers[nameIdx] as LabelMatcher).value : '';
  const rest = s.matchers.filter((_, i) => i !== nameIdx);
  return `${name}${rest.length || !name ? `{${rest.map(matcher).join(', ')}}` : ''}`;
}

function modifiers(offsetMs: number, at: AtModifier | undefined): string {
  let out = '';
  if (at) out += at.kind === 'time' ? ` @ ${(at.ms / 1000).toFixed(3)}` : ` @ ${at.kind}()`;
  if (offsetMs !== 0) out += ` offset ${offsetMs < 0 ? '-' : ''}${formatDuration(Math.abs(offsetMs))}`;
  return out;
}

function print(e: Expr): string {
  switch (e.kind) {
    case 'number':
      return number(e.value);
    case 'string':
      return goQuote(e.value);
    case 'vector':
      return `${selector(e)}${modifiers(e.offsetMs, e.at)}`;
    case 'matrix':
      return `${selector(e.selector)}[${formatDuration(e.rangeMs)}]${modifiers(e.selector.offsetMs, e.selector.at)}`;
    case 'subquery':
      return `${print(e.expr)}[${formatDuration(e.rangeMs)}:${e.stepMs ? formatDuration(e.stepMs) : ''}]${modifiers(e.offsetMs, e.at)}`;
    case 'paren':
      return `(${print(e.expr)})`;
    case 'unary':
      return `${e.op}${print(e.expr)}`;
    case 'binary': {
      const m = e.matching;
      let mods = e.bool ? ' bool' : '';
      if (m && (m.on || m.labels.length > 0)) {
        mods += ` ${m.on ? 'on' : 'ignoring'}(${m.labels.join(', ')})`;
        if (m.card === 'many-to-one') mods += ` group_left(${m.include.join(', ')})`;
        if (m.card === 'one-to-many') mods += ` group_right(${m.include.join(', ')})`;
      }
      return `${print(e.lhs)} ${e.op}${mods} ${print(e.rhs)}`;
    }
    case 'aggregate': {
      const grouping = e.without
        ? ` without (${e.grouping.join(', ')}) `
        : e.grouping.length
          ? ` by (${e.grouping.join(', ')}) `
          : '';
      return `${e.op}${grouping}(${e.param ? `${print(e.param)}, ` : ''}${print(e.expr)})`;
    }
    case 'call':
      return `${e.func}(${e.args.map(print).join(', ')})`;
    case 'leaf':
      return print(e.expr);
  }
}
